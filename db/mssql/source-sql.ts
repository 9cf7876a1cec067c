// Every statement that reads the source (MSSQL_SOURCE: a table or a view), built from the columns the catalog
// resolved for the mapping (db/source.ts): only those columns, by their real names, bracket-quoted.
//
// A sync batch reads the source once, into a snapshot (snapshotSql). Rows are kept once per content in MON_SourceRow
// (hash of the mapped columns + copy number): a snapshot copies only the rows whose content is new since any kept
// snapshot, and lists its rows in MON_SourceSnapshotMember by key group, so pages seek on integers. The read runs
// under SNAPSHOT isolation when the database allows it (no shared locks: never queues behind, or blocks, a reload),
// else READ COMMITTED with a lock timeout; a row count that collapsed against the last full snapshot (a
// delete-then-insert reload caught half way) is refused, not taken.
import { KEY_IGNORED_CODES, MAX_FIRST_KEY_PART } from '../common';
import { b, qualified } from './identifiers';
import type { ResolvedSource } from '../source';

/** The page and group queries return each row's joined key as this column (removed before rows are handed on). */
export const GROUP_KEY_ALIAS = '__group_key';
export const SNAPSHOT_GROUP_ALIAS = '__group';
const BIN2 = 'COLLATE Latin1_General_100_BIN2';

/**
 * A key part as paging and look-ups compare it: the T-SQL form of sourceKeyPart (db/common.ts), every ignored
 * character removed, compared binary. TRANSLATE (SQL Server 2017 and later; `db migrate` checks) turns them all into
 * spaces in one pass, then the spaces go: 84 nested REPLACEs cost twenty times as much on the test engine.
 */
const IGNORED_CHARS = KEY_IGNORED_CODES.map((c) => `NCHAR(${c})`).join(' + ');
export const normalisedKey = (column: string): string =>
  `REPLACE(TRANSLATE(ISNULL(CAST(${b(column)} AS NVARCHAR(MAX)), N'') ${BIN2}, ${IGNORED_CHARS}, REPLICATE(N' ', ${KEY_IGNORED_CODES.length})), N' ', N'') ${BIN2}`;
/** All key parts joined by NCHAR(1) (db/source.ts KEY_PART_JOIN): one binary comparison orders whole keys. */
const groupKey = (src: ResolvedSource): string => src.keyColumns.map(normalisedKey).join(' + NCHAR(1) + ');

export interface SourceFilter { po: boolean; customerNames: number }
const inList = (prefix: string, n: number): string => Array.from({ length: n }, (_, i) => `@${prefix}${i}`).join(', ');

export function mssqlSourceSql(schema: string, sourceName: string, src: ResolvedSource) {
  const SOURCE = sourceName;
  const SNAP = qualified(schema, 'MON_SourceSnapshot');
  const ROWS = qualified(schema, 'MON_SourceRow');
  const MEMBERS = qualified(schema, 'MON_SourceSnapshotMember');
  const SELECT = src.columns.map((c) => b(c.name)).join(', ');
  const poOf = `LTRIM(RTRIM(CAST(${b(src.poColumn)} AS NVARCHAR(MAX))))`;
  const customerOf = `UPPER(LTRIM(RTRIM(CAST(${b(src.customerColumn)} AS NVARCHAR(MAX)))))`;
  const filters = (f: SourceFilter, po = poOf, customer = customerOf): string[] => [
    '1 = 1', ...(f.po ? [`${po} = @po`] : []), ...(f.customerNames > 0 ? [`${customer} IN (${inList('c', f.customerNames)})`] : []),
  ];
  // Positional names: a column name may hold a dot, which FOR JSON PATH would read as nesting.
  const rowJson = `(SELECT ${src.columns.map((c, i) => `s.${b(c.name)} AS [c${i}]`).join(', ')} FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)`;

  return {
    /** The rows of one page of the live source (doctor, previews; batches page their snapshot). */
    livePage: (f: SourceFilter & { after: boolean }): string =>
      `SELECT TOP (@limit) ${SELECT}, ${groupKey(src)} AS ${b(GROUP_KEY_ALIAS)} FROM ${SOURCE}
      WHERE ${[...filters(f), ...(f.after ? [`${groupKey(src)} > @after`] : [])].join(' AND ')} ORDER BY ${groupKey(src)}`,
    /** Every row of one key group (a page's last group is always read whole). */
    liveGroup: (f: SourceFilter): string => `SELECT ${SELECT} FROM ${SOURCE} WHERE ${[...filters(f), `${groupKey(src)} = @group`].join(' AND ')}`,
    /** Rows whose given key parts equal @v0.. (normalised). */
    liveByKey: (keyColumns: string[]): string =>
      `SELECT ${SELECT} FROM ${SOURCE} WHERE ${keyColumns.map((c, i) => `${normalisedKey(c)} = @v${i}`).join(' AND ')}`,
    count: `SELECT COUNT_BIG(*) AS n FROM ${SOURCE}`,

    /**
     * The batch's snapshot, in one request and one transaction (XACT_ABORT: any error rolls all of it back). @iso is
     * the isolation the caller found allowed. A repeated call for the batch (an activity retry) finds its snapshot.
     * Answers one row: snapshot_id (NULL when refused), row_count, copied, last_count.
     */
    snapshot: (f: { po: boolean; snapshotIsolation: boolean }): string => `SET XACT_ABORT ON;
${f.snapshotIsolation ? 'SET TRANSACTION ISOLATION LEVEL SNAPSHOT;' : 'SET TRANSACTION ISOLATION LEVEL READ COMMITTED; SET LOCK_TIMEOUT @lockTimeoutMs;'}
BEGIN TRY
  BEGIN TRANSACTION;
  DECLARE @id INT = (SELECT [snapshot_id] FROM ${SNAP} WHERE [batch_id] = @batchId);
  IF @id IS NOT NULL
  BEGIN
    COMMIT;
    SELECT @id AS snapshot_id, [row_count], [copied_rows] AS copied, CAST(NULL AS INT) AS last_count, 0 AS taken FROM ${SNAP} WHERE [snapshot_id] = @id;
  END
  ELSE
  BEGIN
    DECLARE @src TABLE ([row_hash] BINARY(32) NOT NULL, [copy_no] INT NOT NULL, [group_key] NVARCHAR(MAX) ${BIN2} NOT NULL,
      [key1] NVARCHAR(MAX) ${BIN2} NOT NULL, [po] NVARCHAR(MAX) COLLATE DATABASE_DEFAULT NULL, [customer] NVARCHAR(MAX) COLLATE DATABASE_DEFAULT NULL,
      [row_json] NVARCHAR(MAX) COLLATE DATABASE_DEFAULT NOT NULL, PRIMARY KEY ([row_hash], [copy_no]));
    -- The hash covers the column list too: the same values under another mapping's columns are another row.
    INSERT INTO @src ([row_hash], [copy_no], [group_key], [key1], [po], [customer], [row_json])
      SELECT HASHBYTES('SHA2_256', @columns + j.[row_json]), ROW_NUMBER() OVER (PARTITION BY HASHBYTES('SHA2_256', @columns + j.[row_json]) ORDER BY (SELECT NULL)),
        j.[group_key], j.[key1], j.[po], j.[customer], j.[row_json]
      FROM (SELECT ${groupKey(src)} AS [group_key], ${normalisedKey(src.keyColumns[0]!)} AS [key1], ${poOf} AS [po], ${customerOf} AS [customer], ${rowJson} AS [row_json]
        FROM ${SOURCE} s WHERE ${filters({ po: f.po, customerNames: 0 }).join(' AND ')}) j;
    DECLARE @n INT = (SELECT COUNT(*) FROM @src);
    DECLARE @last INT = (SELECT TOP (1) [row_count] FROM ${SNAP} WHERE [po_filter] IS NULL ORDER BY [snapshot_id] DESC);
    IF @po IS NULL AND @last >= @collapseMinRows AND @n < @last * @collapseShare
    BEGIN
      ROLLBACK;
      SELECT CAST(NULL AS INT) AS snapshot_id, @n AS row_count, 0 AS copied, @last AS last_count, 0 AS taken;
    END
    ELSE
    BEGIN
      INSERT INTO ${ROWS} ([row_hash], [copy_no], [group_key], [po], [customer], [row_json])
        SELECT s.[row_hash], s.[copy_no], s.[group_key], s.[po], s.[customer], s.[row_json] FROM @src s
        WHERE NOT EXISTS (SELECT 1 FROM ${ROWS} r WHERE r.[row_hash] = s.[row_hash] AND r.[copy_no] = s.[copy_no]);
      DECLARE @copied INT = @@ROWCOUNT;
      INSERT INTO ${SNAP} ([batch_id], [po_filter], [row_count], [copied_rows], [source_columns]) VALUES (@batchId, @po, @n, @copied, @columns);
      SET @id = CAST(SCOPE_IDENTITY() AS INT);
      INSERT INTO ${MEMBERS} ([snapshot_id], [snap_group], [snap_row], [row_id], [snap_key1])
        SELECT @id, DENSE_RANK() OVER (ORDER BY s.[group_key]), ROW_NUMBER() OVER (ORDER BY s.[group_key], r.[row_id]), r.[row_id], LEFT(s.[key1], ${MAX_FIRST_KEY_PART})
        FROM @src s INNER JOIN ${ROWS} r ON r.[row_hash] = s.[row_hash] AND r.[copy_no] = s.[copy_no];
      COMMIT;
      SELECT @id AS snapshot_id, @n AS row_count, @copied AS copied, @last AS last_count, 1 AS taken;
    END
  END
  SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
END TRY
BEGIN CATCH
  IF @@TRANCOUNT > 0 ROLLBACK;
  -- The isolation level would otherwise stay with the pooled connection (it does on the test engine).
  SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
  THROW;
END CATCH`,
    /** Whether this database allows SNAPSHOT isolation (ALLOW_SNAPSHOT_ISOLATION ON). */
    snapshotIsolationAllowed: 'SELECT [snapshot_isolation_state] AS s FROM sys.databases WHERE [name] = DB_NAME()',
    snapshotHeader: `SELECT [snapshot_id], [row_count], [source_columns] FROM ${SNAP} WHERE [batch_id] = @batchId`,
    /** One page of whole key groups after group @after: the groups of the first @limit rows, all of their rows. */
    snapshotPage: (f: SourceFilter): string => {
      const where = ['m.[snapshot_id] = @id', 'm.[snap_group] > @after', ...filters(f, 'r.[po]', 'r.[customer]')].join(' AND ');
      const from = `${MEMBERS} m INNER JOIN ${ROWS} r ON r.[row_id] = m.[row_id]`;
      return `DECLARE @last INT = (SELECT MAX(t.[snap_group]) FROM (SELECT TOP (@limit) m.[snap_group] FROM ${from} WHERE ${where} ORDER BY m.[snap_group], m.[snap_row]) t);
    SELECT r.[row_json], m.[snap_group] AS ${b(SNAPSHOT_GROUP_ALIAS)} FROM ${from} WHERE ${where} AND m.[snap_group] <= @last ORDER BY m.[snap_group], m.[snap_row]`;
    },
    /** One request: the batch's snapshot header, then its rows whose first key part is @v0 (the caller compares the other parts). */
    snapshotByFirstKey: `DECLARE @id INT, @columns NVARCHAR(MAX);
      SELECT @id = [snapshot_id], @columns = [source_columns] FROM ${SNAP} WHERE [batch_id] = @batchId;
      SELECT @id AS snapshot_id, @columns AS source_columns;
      IF @columns IS NOT NULL SELECT r.[row_json] FROM ${MEMBERS} m INNER JOIN ${ROWS} r ON r.[row_id] = m.[row_id]
        WHERE m.[snapshot_id] = @id AND m.[snap_key1] = @v0 ORDER BY m.[snap_group], m.[snap_row]`,
    // Test databases and the demo only: rows by their real column names.
    insertRows: (columns: string[], rows: number): string =>
      `INSERT INTO ${SOURCE} (${columns.map(b).join(', ')}) VALUES ${Array.from({ length: rows }, (_, r) => `(${columns.map((_, c) => `@r${r}_${c}`).join(', ')})`).join(', ')}`,
    updateRows: (setCols: string[], whereCols: string[]): string =>
      `UPDATE ${SOURCE} SET ${setCols.map((c, i) => `${b(c)} = @s${i}`).join(', ')} WHERE ${whereCols.map((c, i) => `${b(c)} = @w${i}`).join(' AND ')}`,
    deleteRows: (whereCols: string[]): string => `DELETE FROM ${SOURCE} WHERE ${whereCols.map((c, i) => `${b(c)} = @w${i}`).join(' AND ')}`,
  };
}
export type MssqlSourceSql = ReturnType<typeof mssqlSourceSql>;

/** The source's columns as the catalog has them. INFORMATION_SCHEMA, not sys.columns: the test engine reports
 * sys.columns names of tables lower-cased (SQL Server keeps them as created); both keep them here. */
export const SOURCE_CATALOG_SQL = `SELECT [COLUMN_NAME] AS name, [DATA_TYPE] AS type FROM INFORMATION_SCHEMA.COLUMNS
  WHERE [TABLE_SCHEMA] = @schema AND [TABLE_NAME] = @table ORDER BY [ORDINAL_POSITION]`;
