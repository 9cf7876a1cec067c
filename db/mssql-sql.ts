// Every statement the SQL Server adapter issues, built for one schema (MSSQL_SCHEMA), so tests can enumerate and
// parse them. Values always travel as @parameters; identifiers come only from fixed lists (bracket-quoted).
// No statement relies on a #temp table surviving between requests: SQL Server drops a #temp table created inside
// sp_executesql (every request.query()) when that call returns. Bulk rows travel as parameters into table variables
// that live exactly as long as the one request that fills and uses them. (Not OPENJSON: Babelfish returns JSON
// string values still escaped, so quotes and backslashes would come back doubled; SQL Server would be right.)
import { ORDERS_UNIFIED_COLUMNS, ORDER_KEY_COLUMNS } from './orders-unified-columns';
import { BATCH_COUNTER_COLUMNS, BATCH_PHASE_COLUMNS, KEY_IGNORED_CODES, MAX_FIRST_KEY_PART } from './common';
import { mssqlBatchEndSql } from './batch-end';
import { allMssqlVerifyStatements } from './verify-mssql';
import { KEY_TYPE, LEGACY_TABLES, MSSQL_ORDERS_UNIFIED_DDL, SIZE_TYPE, b, mssqlBootstrapDdl, mssqlMigrations, mssqlTables, qualified } from './migrations/mssql';
import { DEFAULT_MSSQL_SCHEMA } from './mssql-config';
import type { BatchPhase } from './store';
import { mssqlBatchOutcomeSql } from './batch-outcomes';
import { allOperationsStatements } from './operations-mssql';
import { mssqlAdoptionSql } from './adoption-mssql-sql';

/** SQL Server accepts at most 2,100 parameters per request; stay below with room to spare. */
export const MAX_PARAMS = 2000;
/** A VALUES list takes at most 1,000 rows (Msg 10738). */
export const MAX_VALUES_ROWS = 1000;

/** Parameters per staged order and per staged size row in stageOrdersSql. */
export const STAGE_ORDER_FIELDS = 8;
export const STAGE_SIZE_FIELDS = 6;

/**
 * A key part as paging and look-ups compare it: the T-SQL form of sourceKeyPart (db/common.ts), every ignored
 * character removed, compared binary (no case folding, no trailing-space padding). TRANSLATE (SQL Server 2017 and
 * later; `db migrate` checks) turns them all into spaces in one pass, then the spaces go: 84 nested REPLACEs cost
 * twenty times as much on the test engine (measured: over 15 s against 0.8 s to sort 10,000 rows). Binary from the
 * start, so the matching is by code point whatever the database's collation.
 */
const IGNORED_CHARS = KEY_IGNORED_CODES.map((c) => `NCHAR(${c})`).join(' + ');
const normalisedKey = (column: string): string =>
  `REPLACE(TRANSLATE(ISNULL(${b(column)}, N'') COLLATE Latin1_General_100_BIN2, ${IGNORED_CHARS}, REPLICATE(N' ', ${KEY_IGNORED_CODES.length})), N' ', N'') COLLATE Latin1_General_100_BIN2`;
const KEY_EXPRS = ORDER_KEY_COLUMNS.map(normalisedKey);
/** The page queries also return each row's normalised key parts or key group, for the cursor (removed before rows are handed on). */
export const PAGE_KEY_ALIASES = ['__key1', '__key2', '__key3'];
export const SNAPSHOT_GROUP_ALIAS = '__group';
const SOURCE_COLUMNS = ORDERS_UNIFIED_COLUMNS.map((c) => b(c.name));
const SOURCE_SELECT = SOURCE_COLUMNS.join(', ');
const SOURCE = '[dbo].[ORDERS_UNIFIED]';
const ERR_COLS = '[err_id], [batch_id], [order_key], [category], [error_type], [error_message], [http_status_code], [api_payload], [retry_count], [created_date], [resolved_date]';
const UNFINISHED = "[stg_status] IN ('PENDING', 'IN_PROGRESS', 'ITEM_CREATED')";
const inList = (prefix: string, n: number): string => Array.from({ length: n }, (_, i) => `@${prefix}${i}`).join(', ');
/** Text columns of table variables take the database's collation (not tempdb's): avoids Msg 468 on comparisons. */
const TEXT = 'NVARCHAR(MAX) COLLATE DATABASE_DEFAULT';

export type MssqlStatements = ReturnType<typeof mssqlStatements>;

export function mssqlStatements(schema: string) {
  const STG = qualified(schema, 'STG_MON_CustMasterSchedule');
  const SUB = qualified(schema, 'STG_MON_CustMasterSchedule_Subitems');
  const BATCH = qualified(schema, 'MON_BatchProcessing');
  const MIGRATIONS = qualified(schema, 'MON_SchemaMigrations');
  const errTable = (scope: 'item' | 'subitem'): string => qualified(schema, scope === 'subitem' ? 'ERR_MON_CustMasterSchedule_Subitems' : 'ERR_MON_CustMasterSchedule');

  const SQL = {
    ping: 'SELECT 1 AS ok',
    /** Key comparisons need TRANSLATE (SQL Server 2017 and later; Azure SQL): asked of the server, not of its version
     * number, which Babelfish reports as 2014's. */
    translateAvailable: "SELECT TRANSLATE(N'ab', N'b', N'c') AS t",
    createSchema: mssqlBootstrapDdl(schema)[0] as string,
    createMigrationsTable: mssqlBootstrapDdl(schema)[1] as string,
    appliedMigrations: `SELECT [version] FROM ${MIGRATIONS}`,
    recordMigration: `INSERT INTO ${MIGRATIONS} ([version]) VALUES (@version)`,
    /** Columns of this project's tables as they exist in the schema (`db migrate` compares them with its own). */
    ownColumns: `SELECT t.[name] AS table_name, c.[name] AS column_name FROM sys.tables t INNER JOIN sys.columns c ON c.[object_id] = t.[object_id]
      WHERE t.[schema_id] = SCHEMA_ID(@schema)`,
    /** The current system's tables in dbo (doctor names them). */
    legacyTables: `SELECT t.[name] AS table_name FROM sys.tables t WHERE t.[schema_id] = SCHEMA_ID(N'dbo') AND t.[name] IN (${LEGACY_TABLES.map((n) => `N'${n}'`).join(', ')})`,
    sourceColumns: `SELECT c.[name] AS column_name FROM sys.columns c WHERE c.[object_id] = OBJECT_ID(N'${SOURCE}') ORDER BY c.[column_id]`,
    countSource: `SELECT COUNT(*) AS n FROM ${SOURCE}`,
    stagedOrder: `SELECT [stg_id], [stg_status], [stg_api_payload], [stg_monday_item_id], [stg_retry_count], [stg_synced_hash] FROM ${STG} WHERE [order_key] = @key`,
    stagedSubitems: `SELECT [Size], [ORDER_QTY], [stg_monday_subitem_id], [stg_synced_qty] FROM ${SUB} WHERE [stg_parent_stg_id] = @parent ORDER BY [stg_size_seq], [stg_id]`,
    setOrderStatus: `UPDATE ${STG} SET [stg_status] = @status,
      [stg_retry_count] = [stg_retry_count] + CASE WHEN @status = 'IN_PROGRESS' THEN 1 ELSE 0 END,
      [stg_monday_item_id] = COALESCE(@itemId, [stg_monday_item_id]),
      [stg_error_message] = CASE WHEN @error IS NOT NULL THEN @error WHEN @status = 'FAILED' THEN [stg_error_message] ELSE NULL END,
      [stg_updated_date] = SYSUTCDATETIME()
      WHERE [order_key] = @key`,
    copyParentItemId: `UPDATE s SET s.[stg_monday_parent_item_id] = @itemId FROM ${SUB} s INNER JOIN ${STG} p ON p.[stg_id] = s.[stg_parent_stg_id] WHERE p.[order_key] = @key`,
    parentOf: `SELECT [stg_id], [stg_monday_item_id] FROM ${STG} WHERE [order_key] = @key`,
    markSynced: `UPDATE ${STG} SET [stg_status] = 'SYNCED', [stg_synced_hash] = @hash, [stg_processed_date] = SYSUTCDATETIME(),
      [stg_updated_date] = SYSUTCDATETIME(), [stg_error_message] = NULL WHERE [order_key] = @key`,
    resolveItemErrors: `UPDATE ${errTable('item')} SET [resolved_date] = SYSUTCDATETIME() WHERE [order_key] = @key AND [resolved_date] IS NULL`,
    resolveSubitemErrors: `UPDATE ${errTable('subitem')} SET [resolved_date] = SYSUTCDATETIME() WHERE [order_key] = @key AND [resolved_date] IS NULL`,
    // Batch bookkeeping that tolerates activity retries (db/batch-outcomes.ts).
    ...mssqlBatchOutcomeSql(schema),
    // DATEDIFF in milliseconds overflows INT after 24.8 days; DATEDIFF_BIG does not.
    finishBatch: `UPDATE ${BATCH} SET [status] = @status, [end_time] = SYSUTCDATETIME(),
      [duration_seconds] = DATEDIFF_BIG(MILLISECOND, [start_time], SYSUTCDATETIME()) / 1000.0 WHERE [batch_id] = @batchId`,
    getBatch: `SELECT * FROM ${BATCH} WHERE [batch_id] = @batchId`,
    statusCounts: `SELECT [stg_status], COUNT(*) AS n FROM ${STG} GROUP BY [stg_status]`,
    countUnfinished: `SELECT COUNT(*) AS n FROM ${STG} WHERE ${UNFINISHED}`,
    /**
     * The body of one stageOrders request (after stageRowsSql's table variables are filled): set-based statements
     * apply @o and @s. Missing rows are inserted before existing ones are updated: a row a concurrent stager inserted
     * in between is then updated with this (newer) payload instead of being skipped.
     */
    applyStaged: `
    INSERT INTO ${STG} ([order_key], [stg_batch_id], [Title], [Group], [CUSTOMER], [AAG ORDER NUMBER], [PO NUMBER], [stg_status], [stg_payload_hash], [stg_api_payload])
      SELECT s.[order_key], @batchId, s.[title], s.[group_name], s.[customer], s.[aag], s.[po], 'PENDING', s.[hash], s.[payload] FROM @o s
      WHERE NOT EXISTS (SELECT 1 FROM ${STG} t WITH (UPDLOCK, HOLDLOCK) WHERE t.[order_key] = s.[order_key]);
    UPDATE t SET t.[stg_batch_id] = @batchId, t.[Title] = s.[title], t.[Group] = s.[group_name], t.[CUSTOMER] = s.[customer],
      t.[AAG ORDER NUMBER] = s.[aag], t.[PO NUMBER] = s.[po],
      t.[stg_status] = CASE WHEN t.[stg_payload_hash] <> s.[hash] OR t.[stg_status] = 'FAILED' THEN 'PENDING' ELSE t.[stg_status] END,
      t.[stg_error_message] = CASE WHEN t.[stg_payload_hash] <> s.[hash] OR t.[stg_status] = 'FAILED' THEN NULL ELSE t.[stg_error_message] END,
      t.[stg_payload_hash] = s.[hash], t.[stg_api_payload] = s.[payload], t.[stg_updated_date] = SYSUTCDATETIME()
      FROM ${STG} t INNER JOIN @o s ON s.[order_key] = t.[order_key];
    INSERT INTO ${SUB} ([stg_parent_stg_id], [stg_batch_id], [Size], [stg_size_seq], [stg_size_label], [ORDER_QTY], [stg_status], [stg_api_payload])
      SELECT p.[stg_id], @batchId, s.[size], s.[seq], s.[label], s.[qty], 'PENDING', s.[payload] FROM @s s INNER JOIN ${STG} p ON p.[order_key] = s.[order_key]
      WHERE NOT EXISTS (SELECT 1 FROM ${SUB} x WITH (UPDLOCK, HOLDLOCK) WHERE x.[stg_parent_stg_id] = p.[stg_id] AND x.[Size] = s.[size]);
    UPDATE x SET x.[stg_batch_id] = @batchId, x.[stg_size_label] = s.[label], x.[ORDER_QTY] = s.[qty],
      x.[stg_status] = CASE WHEN x.[stg_synced_qty] = s.[qty] THEN 'SYNCED' ELSE 'PENDING' END, x.[stg_api_payload] = s.[payload], x.[stg_updated_date] = SYSUTCDATETIME()
      FROM ${SUB} x INNER JOIN ${STG} p ON p.[stg_id] = x.[stg_parent_stg_id] INNER JOIN @s s ON s.[order_key] = p.[order_key] AND s.[size] = x.[Size];
    -- Sizes that left the order: never on Monday → gone; on Monday → qty 0 so the workflow can zero/archive them.
    DELETE x FROM ${SUB} x INNER JOIN ${STG} p ON p.[stg_id] = x.[stg_parent_stg_id] INNER JOIN @o o ON o.[order_key] = p.[order_key]
      WHERE x.[stg_monday_subitem_id] IS NULL AND NOT EXISTS (SELECT 1 FROM @s s WHERE s.[order_key] = p.[order_key] AND s.[size] = x.[Size]);
    UPDATE x SET x.[ORDER_QTY] = 0, x.[stg_status] = CASE WHEN x.[stg_synced_qty] = 0 THEN 'SYNCED' ELSE 'PENDING' END, x.[stg_updated_date] = SYSUTCDATETIME()
      FROM ${SUB} x INNER JOIN ${STG} p ON p.[stg_id] = x.[stg_parent_stg_id] INNER JOIN @o o ON o.[order_key] = p.[order_key]
      WHERE x.[stg_monday_subitem_id] IS NOT NULL AND NOT EXISTS (SELECT 1 FROM @s s WHERE s.[order_key] = p.[order_key] AND s.[size] = x.[Size]);`,
    updateSubitemId: `UPDATE ${SUB} SET [stg_monday_subitem_id] = @subitemId, [stg_monday_parent_item_id] = @itemId, [stg_synced_qty] = @qty,
      [stg_status] = CASE WHEN [ORDER_QTY] = @qty THEN 'SYNCED' ELSE 'PENDING' END, [stg_updated_date] = SYSUTCDATETIME()
      WHERE [stg_parent_stg_id] = @parent AND [Size] = @size`,
    // A size Monday holds that staging never knew: after the known sizes.
    insertSubitemId: `INSERT INTO ${SUB} ([stg_parent_stg_id], [Size], [stg_size_seq], [ORDER_QTY], [stg_status], [stg_monday_subitem_id], [stg_monday_parent_item_id], [stg_synced_qty])
      SELECT @parent, @size, ISNULL(MAX([stg_size_seq]), -1) + 1, @qty, 'SYNCED', @subitemId, @itemId, @qty FROM ${SUB} WHERE [stg_parent_stg_id] = @parent`,
  } as const;

  /** One stageOrders request: `orders` rows of @o{i}_{0..7} and `sizes` rows of @s{i}_{0..5}, then applyStaged. */
  const stageOrdersSql = (orders: number, sizes: number): string => {
    const values = (prefix: string, rows: number, cols: number): string =>
      Array.from({ length: rows }, (_, r) => `(${Array.from({ length: cols }, (_, c) => `@${prefix}${r}_${c}`).join(', ')})`).join(', ');
    return `DECLARE @o TABLE ([order_key] ${KEY_TYPE} NOT NULL PRIMARY KEY, [title] ${TEXT} NULL, [group_name] ${TEXT} NULL,
      [customer] ${TEXT} NULL, [aag] ${TEXT} NULL, [po] ${TEXT} NULL, [hash] NVARCHAR(64) COLLATE DATABASE_DEFAULT NOT NULL, [payload] ${TEXT} NOT NULL);
    DECLARE @s TABLE ([order_key] ${KEY_TYPE} NOT NULL, [size] ${SIZE_TYPE} NOT NULL, [seq] INT NOT NULL,
      [label] ${TEXT} NULL, [qty] INT NOT NULL, [payload] ${TEXT} NULL, PRIMARY KEY ([order_key], [size]));
    INSERT INTO @o ([order_key], [title], [group_name], [customer], [aag], [po], [hash], [payload]) VALUES ${values('o', orders, STAGE_ORDER_FIELDS)};
    ${sizes > 0 ? `INSERT INTO @s ([order_key], [size], [seq], [label], [qty], [payload]) VALUES ${values('s', sizes, STAGE_SIZE_FIELDS)};` : ''}
    ${SQL.applyStaged}`;
  };
  const syncStatesSql = (keys: number): string =>
    `SELECT [order_key], [stg_status], [stg_payload_hash], [stg_synced_hash], [stg_monday_item_id] FROM ${STG} WHERE [order_key] IN (${inList('k', keys)})`;
  const countUnfinishedForKeysSql = (keys: number): string => `${SQL.countUnfinished} AND [order_key] IN (${inList('k', keys)})`;
  const recordErrorRepeatSql = (scope: 'item' | 'subitem'): string => {
    const size = scope === 'subitem' ? " AND ISNULL([size_label], N'') = ISNULL(@size, N'')" : '';
    return `UPDATE ${errTable(scope)} SET [batch_id] = @batchId, [http_status_code] = @http, [api_payload] = @payload, [retry_count] = @retry,
      [last_retry_date] = SYSUTCDATETIME() WHERE [order_key] = @key AND [error_type] = @errorType AND [error_message] = @message
      AND [category] = @category AND [resolved_date] IS NULL${size}`;
  };
  const recordErrorInsertSql = (scope: 'item' | 'subitem'): string => {
    const [col, val] = scope === 'subitem' ? [', [size_label]', ', @size'] : ['', ''];
    return `INSERT INTO ${errTable(scope)} ([batch_id], [order_key]${col}, [category], [error_type], [error_message], [http_status_code], [api_payload], [retry_count])
      VALUES (@batchId, @key${val}, @category, @errorType, @message, @http, @payload, @retry)`;
  };
  const listErrorsSql = (opts: { orderKey: boolean; unresolvedOnly: boolean; limit: boolean }): string => {
    const conds = ['1 = 1'];
    if (opts.orderKey) conds.push('[order_key] = @key');
    if (opts.unresolvedOnly) conds.push('[resolved_date] IS NULL');
    const where = conds.join(' AND ');
    return `SELECT ${opts.limit ? 'TOP (@limit) ' : ''}* FROM (
      SELECT 'item' AS scope, NULL AS size_label, ${ERR_COLS} FROM ${errTable('item')} WHERE ${where}
      UNION ALL SELECT 'subitem' AS scope, [size_label], ${ERR_COLS} FROM ${errTable('subitem')} WHERE ${where}) u
      ORDER BY [created_date] DESC, [err_id] DESC`;
  };
  const updateBatchSql = (counterFields: (keyof typeof BATCH_COUNTER_COLUMNS)[], phase?: BatchPhase): string => {
    const sets = counterFields.map((f) => `${b(BATCH_COUNTER_COLUMNS[f])} = ${b(BATCH_COUNTER_COLUMNS[f])} + @${f}`);
    if (phase) {
      const col = b(BATCH_PHASE_COLUMNS[phase]);
      sets.push(`${col} = COALESCE(${col}, SYSUTCDATETIME())`);
      if (phase === 'staging_loaded') sets.push("[status] = CASE WHEN [status] = 'STARTED' THEN 'STAGING_LOADED' ELSE [status] END");
    }
    return `UPDATE ${BATCH} SET ${sets.join(', ')} WHERE [batch_id] = @batchId`;
  };

  /**
   * The batch's snapshot of ORDERS_UNIFIED (issue 12, point 4): the source has no usable index, so each page and each
   * order's look-up used to scan and sort it whole. Here it is scanned and sorted once per batch, by one set-based
   * INSERT … SELECT, inside the caller's transaction right after the header row is written (a retry of the activity
   * finds the header and copies nothing). Each row gets its key group's rank (normalised key parts, as paging compares
   * them) and its rank within the group; pages then seek on (snapshot, group) integers.
   */
  const SNAP = qualified(schema, 'MON_SourceSnapshot');
  const SNAP_ROWS = qualified(schema, 'MON_SourceSnapshotRow');
  const snapshotSql = (opts: { po: boolean }): string => {
    const ranked = (extra: string) => `ORDER BY s.[__key1], s.[__key2], s.[__key3]${extra}`;
    return `INSERT INTO ${SNAP} ([batch_id], [po_filter]) VALUES (@batchId, @po);
    DECLARE @id INT = CAST(SCOPE_IDENTITY() AS INT);
    INSERT INTO ${SNAP_ROWS} ([snapshot_id], [snap_group], [snap_row], [snap_key1], ${SOURCE_SELECT})
      SELECT @id, DENSE_RANK() OVER (${ranked('')}), ROW_NUMBER() OVER (${ranked(', s.[record_uuid]')}), LEFT(s.[__key1], ${MAX_FIRST_KEY_PART}), ${SOURCE_COLUMNS.map((c) => `s.${c}`).join(', ')}
      FROM (SELECT ${KEY_EXPRS.map((e, i) => `${e} AS ${b(PAGE_KEY_ALIASES[i] as string)}`).join(', ')}, ${SOURCE_SELECT}
        FROM ${SOURCE} WHERE ${sourceFilterConds({ po: opts.po, customerNames: 0 }).join(' AND ')}) s;
    UPDATE ${SNAP} SET [row_count] = (SELECT COUNT(*) FROM ${SNAP_ROWS} WHERE [snapshot_id] = @id) WHERE [snapshot_id] = @id;
    SELECT [row_count] FROM ${SNAP} WHERE [snapshot_id] = @id`;
  };
  /** One page of whole key groups after group @after: the groups of the first @limit rows, all of their rows. */
  const snapshotPageSql = (opts: { po: boolean; customerNames: number }): string => {
    const where = ['[snapshot_id] = @id', '[snap_group] > @after', ...sourceFilterConds(opts)].join(' AND ');
    return `DECLARE @last INT = (SELECT MAX(t.[snap_group]) FROM (SELECT TOP (@limit) [snap_group] FROM ${SNAP_ROWS} WHERE ${where} ORDER BY [snap_group], [snap_row]) t);
    SELECT ${SOURCE_SELECT}, [snap_group] AS ${b(SNAPSHOT_GROUP_ALIAS)} FROM ${SNAP_ROWS} WHERE ${where} AND [snap_group] <= @last ORDER BY [snap_group], [snap_row]`;
  };
  /** The rows of one key from the batch's snapshot or, when the batch has none (a rerun, or a removed snapshot), from the source. */
  const snapshotRowsByKeySql = (keyColumns: string[]): string => {
    const snapConds = keyColumns.map((c, i) => `${c === ORDER_KEY_COLUMNS[0] ? '[snap_key1]' : normalisedKey(c)} = @v${i}`);
    return `DECLARE @id INT = (SELECT [snapshot_id] FROM ${SNAP} WHERE [batch_id] = @batchId);
    IF @id IS NOT NULL SELECT ${SOURCE_SELECT} FROM ${SNAP_ROWS} WHERE [snapshot_id] = @id AND ${snapConds.join(' AND ')} ORDER BY [snap_group], [snap_row]
    ELSE ${readSourceByKeySql(keyColumns)}`;
  };
  const SNAPSHOT = {
    /** Inside the snapshot's transaction: a second attempt waits for the first, then finds its snapshot. */
    snapshotOf: `SELECT [snapshot_id], [row_count] FROM ${SNAP} WITH (UPDLOCK, HOLDLOCK) WHERE [batch_id] = @batchId`,
    snapshotId: `SELECT [snapshot_id] FROM ${SNAP} WHERE [batch_id] = @batchId`,
  } as const;

  return {
    SQL: { ...SQL, ...SNAPSHOT }, migrations: mssqlMigrations(schema), tables: mssqlTables(schema), stageOrdersSql,
    syncStatesSql, countUnfinishedForKeysSql, recordErrorRepeatSql, recordErrorInsertSql, listErrorsSql, updateBatchSql,
    adoption: mssqlAdoptionSql(schema),
    snapshotSql, snapshotPageSql, snapshotRowsByKeySql,
  };
}

export function readSourcePageSql(opts: { po: boolean; customerNames: number; afterCursor: boolean }): string {
  const conds = sourceFilterConds(opts);
  if (opts.afterCursor) {
    const [k1, k2, k3] = KEY_EXPRS;
    conds.push(`(${k1} > @k1 OR (${k1} = @k1 AND ${k2} > @k2) OR (${k1} = @k1 AND ${k2} = @k2 AND ${k3} > @k3))`);
  }
  return `SELECT TOP (@limit) ${SOURCE_SELECT}, ${KEY_EXPRS.map((e, i) => `${e} AS ${b(PAGE_KEY_ALIASES[i] as string)}`).join(', ')}
    FROM ${SOURCE} WHERE ${conds.join(' AND ')} ORDER BY ${KEY_EXPRS.join(', ')}, [record_uuid]`;
}
/** All rows of one order key group (the page's last group is always read whole). */
export function readKeyGroupSql(opts: { po: boolean; customerNames: number }): string {
  const conds = sourceFilterConds(opts);
  KEY_EXPRS.forEach((e, i) => conds.push(`${e} = @k${i + 1}`));
  return `SELECT ${SOURCE_SELECT} FROM ${SOURCE} WHERE ${conds.join(' AND ')} ORDER BY [record_uuid]`;
}
function sourceFilterConds(opts: { po: boolean; customerNames: number }): string[] {
  const conds = ['1 = 1'];
  if (opts.po) conds.push('LTRIM(RTRIM([PO NUMBER])) = @po');
  if (opts.customerNames > 0) conds.push(`UPPER(LTRIM(RTRIM([CUSTOMER NAME]))) IN (${inList('c', opts.customerNames)})`);
  return conds;
}
export function readSourceByKeySql(keyColumns: string[]): string {
  return `SELECT ${SOURCE_SELECT} FROM ${SOURCE} WHERE ${keyColumns.map((c, i) => `${normalisedKey(c)} = @v${i}`).join(' AND ')} ORDER BY [record_uuid]`;
}
export function insertSourceRowsSql(columns: string[], rows: number): string {
  const values = Array.from({ length: rows }, (_, r) => `(${columns.map((_, c) => `@r${r}_${c}`).join(', ')})`).join(', ');
  return `INSERT INTO ${SOURCE} (${columns.map(b).join(', ')}) VALUES ${values}`;
}
export function updateSourceRowsSql(setCols: string[], whereCols: string[]): string {
  return `UPDATE ${SOURCE} SET ${setCols.map((c, i) => `${b(c)} = @s${i}`).join(', ')} WHERE ${whereCols.map((c, i) => `${b(c)} = @w${i}`).join(' AND ')}`;
}

/** Tests and demo data only: an order line leaves ORDERS_UNIFIED. */
export function deleteSourceRowsSql(whereCols: string[]): string {
  return `DELETE FROM ${SOURCE} WHERE ${whereCols.map((c, i) => `${b(c)} = @w${i}`).join(' AND ')}`;
}

/** Every statement shape the adapter can send, with small sample sizes: the CI check parses each of them. */
export function allMssqlStatements(schema = DEFAULT_MSSQL_SCHEMA): { name: string; sql: string }[] {
  const s = mssqlStatements(schema);
  const out: { name: string; sql: string }[] = [
    { name: 'MSSQL_ORDERS_UNIFIED_DDL (test databases only)', sql: MSSQL_ORDERS_UNIFIED_DDL },
    ...s.migrations.flatMap((m) => m.statements.map((sql, i) => ({ name: `migration ${m.version} #${i}`, sql }))),
    ...Object.entries(s.SQL).map(([name, sql]) => ({ name, sql })),
    ...Object.entries(s.adoption).flatMap(([name, sql]) => (typeof sql === 'string' ? [{ name: `adoption: ${name}`, sql }] : [])),
    { name: 'readKeyGroupSql', sql: readKeyGroupSql({ po: true, customerNames: 2 }) },
    { name: 'readSourceByKeySql', sql: readSourceByKeySql([...ORDER_KEY_COLUMNS]) },
    { name: 'insertSourceRowsSql', sql: insertSourceRowsSql(ORDERS_UNIFIED_COLUMNS.map((c) => c.name), 2) },
    { name: 'updateSourceRowsSql', sql: updateSourceRowsSql(["CUSTOMER'S COLOUR CODE (CUSTOM FIELD) CUSTOMER PROVIDES THIS", 'XL'], ['AAG ORDER NUMBER']) },
    { name: 'deleteSourceRowsSql', sql: deleteSourceRowsSql(['AAG ORDER NUMBER']) },
    ...Object.entries(mssqlBatchEndSql(schema)).map(([name, sql]) => ({ name: `batch end: ${name}`, sql })),
    ...allMssqlVerifyStatements(schema),
    { name: 'stageOrdersSql', sql: s.stageOrdersSql(2, 3) },
    { name: 'snapshotSql', sql: s.snapshotSql({ po: true }) },
    { name: 'snapshotPageSql', sql: s.snapshotPageSql({ po: true, customerNames: 2 }) },
    { name: 'snapshotRowsByKeySql', sql: s.snapshotRowsByKeySql([...ORDER_KEY_COLUMNS]) },
    { name: 'syncStatesSql', sql: s.syncStatesSql(3) },
    { name: 'countUnfinishedForKeysSql', sql: s.countUnfinishedForKeysSql(3) },
    { name: 'recordErrorRepeatSql(item)', sql: s.recordErrorRepeatSql('item') },
    { name: 'recordErrorRepeatSql(subitem)', sql: s.recordErrorRepeatSql('subitem') },
    { name: 'recordErrorInsertSql(item)', sql: s.recordErrorInsertSql('item') },
    { name: 'recordErrorInsertSql(subitem)', sql: s.recordErrorInsertSql('subitem') },
    { name: 'updateBatchSql', sql: s.updateBatchSql(Object.keys(BATCH_COUNTER_COLUMNS) as (keyof typeof BATCH_COUNTER_COLUMNS)[], 'staging_loaded') },
    // The operations store's (write audit, batch figures, worker status rows: db/operations-mssql.ts).
    ...allOperationsStatements(schema).map((o) => ({ name: `operations ${o.name}`, sql: o.sql })),
    { name: 'adoption: deleteBoardReadSql', sql: s.adoption.deleteBoardReadSql(3) },
    { name: 'adoption: insertBoardReadSql', sql: s.adoption.insertBoardReadSql(2) },
  ];
  for (const po of [false, true]) for (const afterCursor of [false, true]) {
    out.push({ name: `readSourcePageSql(po=${po},cursor=${afterCursor})`, sql: readSourcePageSql({ po, customerNames: po ? 0 : 2, afterCursor }) });
  }
  for (const orderKey of [false, true]) for (const limit of [false, true]) {
    out.push({ name: `listErrorsSql(key=${orderKey},limit=${limit})`, sql: s.listErrorsSql({ orderKey, unresolvedOnly: limit, limit }) });
  }
  return out;
}
