// Every statement the SQL Server adapter issues, built for one schema (MSSQL_SCHEMA), so tests can enumerate and
// parse them. Values always travel as @parameters; identifiers come only from fixed lists (bracket-quoted).
// No statement relies on a #temp table surviving between requests: SQL Server drops a #temp table created inside
// sp_executesql (every request.query()) when that call returns. Bulk rows travel as parameters into table variables
// that live exactly as long as the one request that fills and uses them. (Not OPENJSON: Babelfish returns JSON
// string values still escaped, so quotes and backslashes would come back doubled; SQL Server would be right.)
import { ORDERS_UNIFIED_COLUMNS } from '../orders-unified-columns';
import { BATCH_COUNTER_COLUMNS, BATCH_PHASE_COLUMNS } from '../common';
import { DEFAULT_SOURCE_SPEC, resolveSource } from '../source';
import { mssqlSourceSql } from './source-sql';
import { mssqlBatchEndSql } from './batch-sql';
import { allMssqlVerifyStatements } from './verify-sql';
import { LEGACY_TABLES, MSSQL_ORDERS_UNIFIED_DDL, mssqlBootstrapDdl, mssqlMigrations, mssqlTables } from './migrations';
import { KEY_TYPE, SIZE_TYPE, b, qualified } from './identifiers';
import { DEFAULT_MSSQL_SCHEMA } from './config';
import type { BatchPhase } from '../store';
import { mssqlBatchOutcomeSql } from './batch-sql';
import { allOperationsStatements } from './operations-sql';
import { mssqlAdoptionSql } from './adoption-sql';

/** SQL Server accepts at most 2,100 parameters per request; stay below with room to spare. */
export const MAX_PARAMS = 2000;
/** A VALUES list takes at most 1,000 rows (Msg 10738). */
export const MAX_VALUES_ROWS = 1000;

/** Parameters per staged order and per staged size row in stageOrdersSql. */
export const STAGE_ORDER_FIELDS = 8;
export const STAGE_SIZE_FIELDS = 6;

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
    updateSubitemId: `UPDATE ${SUB} SET [stg_monday_subitem_id] = @subitemId, [stg_monday_parent_item_id] = @itemId, [stg_synced_qty] = @qty,
      [stg_status] = CASE WHEN [ORDER_QTY] = @qty THEN 'SYNCED' ELSE 'PENDING' END, [stg_updated_date] = SYSUTCDATETIME()
      WHERE [stg_parent_stg_id] = @parent AND [Size] = @size`,
    // A size Monday holds that staging never knew: after the known sizes.
    insertSubitemId: `INSERT INTO ${SUB} ([stg_parent_stg_id], [Size], [stg_size_seq], [ORDER_QTY], [stg_status], [stg_monday_subitem_id], [stg_monday_parent_item_id], [stg_synced_qty])
      SELECT @parent, @size, ISNULL(MAX([stg_size_seq]), -1) + 1, @qty, 'SYNCED', @subitemId, @itemId, @qty FROM ${SUB} WHERE [stg_parent_stg_id] = @parent`,
  } as const;

  /**
   * The body of one stageOrders request: set-based statements apply the orders `o` and their sizes `sz` (table
   * variables, or a bulk load's rows in the inbox tables). Missing rows are inserted before existing ones are updated: a row a concurrent stager inserted
   * in between is then updated with this (newer) payload instead of being skipped.
   */
  const applyStaged = (o: string, sz: string): string => `
    INSERT INTO ${STG} ([order_key], [stg_batch_id], [Title], [Group], [CUSTOMER], [AAG ORDER NUMBER], [PO NUMBER], [stg_status], [stg_payload_hash], [stg_api_payload])
      SELECT s.[order_key], @batchId, s.[title], s.[group_name], s.[customer], s.[aag], s.[po], 'PENDING', s.[hash], s.[payload] FROM ${o} s
      WHERE NOT EXISTS (SELECT 1 FROM ${STG} t WITH (UPDLOCK, HOLDLOCK) WHERE t.[order_key] = s.[order_key]);
    UPDATE t SET t.[stg_batch_id] = @batchId, t.[Title] = s.[title], t.[Group] = s.[group_name], t.[CUSTOMER] = s.[customer],
      t.[AAG ORDER NUMBER] = s.[aag], t.[PO NUMBER] = s.[po],
      t.[stg_status] = CASE WHEN t.[stg_payload_hash] <> s.[hash] OR t.[stg_status] = 'FAILED' THEN 'PENDING' ELSE t.[stg_status] END,
      t.[stg_error_message] = CASE WHEN t.[stg_payload_hash] <> s.[hash] OR t.[stg_status] = 'FAILED' THEN NULL ELSE t.[stg_error_message] END,
      t.[stg_payload_hash] = s.[hash], t.[stg_api_payload] = s.[payload], t.[stg_updated_date] = SYSUTCDATETIME()
      FROM ${STG} t INNER JOIN ${o} s ON s.[order_key] = t.[order_key];
    INSERT INTO ${SUB} ([stg_parent_stg_id], [stg_batch_id], [Size], [stg_size_seq], [stg_size_label], [ORDER_QTY], [stg_status], [stg_api_payload])
      SELECT p.[stg_id], @batchId, s.[size], s.[seq], s.[label], s.[qty], 'PENDING', s.[payload] FROM ${sz} s INNER JOIN ${STG} p ON p.[order_key] = s.[order_key]
      WHERE NOT EXISTS (SELECT 1 FROM ${SUB} x WITH (UPDLOCK, HOLDLOCK) WHERE x.[stg_parent_stg_id] = p.[stg_id] AND x.[Size] = s.[size]);
    UPDATE x SET x.[stg_batch_id] = @batchId, x.[stg_size_label] = s.[label], x.[ORDER_QTY] = s.[qty],
      x.[stg_status] = CASE WHEN x.[stg_synced_qty] = s.[qty] THEN 'SYNCED' ELSE 'PENDING' END, x.[stg_api_payload] = s.[payload], x.[stg_updated_date] = SYSUTCDATETIME()
      FROM ${SUB} x INNER JOIN ${STG} p ON p.[stg_id] = x.[stg_parent_stg_id] INNER JOIN ${sz} s ON s.[order_key] = p.[order_key] AND s.[size] = x.[Size];
    -- Sizes that left the order: never on Monday → gone; on Monday → qty 0 so the workflow can zero/archive them.
    DELETE x FROM ${SUB} x INNER JOIN ${STG} p ON p.[stg_id] = x.[stg_parent_stg_id] INNER JOIN ${o} o ON o.[order_key] = p.[order_key]
      WHERE x.[stg_monday_subitem_id] IS NULL AND NOT EXISTS (SELECT 1 FROM ${sz} s WHERE s.[order_key] = p.[order_key] AND s.[size] = x.[Size]);
    UPDATE x SET x.[ORDER_QTY] = 0, x.[stg_status] = CASE WHEN x.[stg_synced_qty] = 0 THEN 'SYNCED' ELSE 'PENDING' END, x.[stg_updated_date] = SYSUTCDATETIME()
      FROM ${SUB} x INNER JOIN ${STG} p ON p.[stg_id] = x.[stg_parent_stg_id] INNER JOIN ${o} o ON o.[order_key] = p.[order_key]
      WHERE x.[stg_monday_subitem_id] IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${sz} s WHERE s.[order_key] = p.[order_key] AND s.[size] = x.[Size]);`;
  const DECLARE_STAGED = `DECLARE @o TABLE ([order_key] ${KEY_TYPE} NOT NULL PRIMARY KEY, [title] ${TEXT} NULL, [group_name] ${TEXT} NULL,
      [customer] ${TEXT} NULL, [aag] ${TEXT} NULL, [po] ${TEXT} NULL, [hash] NVARCHAR(64) COLLATE DATABASE_DEFAULT NOT NULL, [payload] ${TEXT} NOT NULL);
    DECLARE @s TABLE ([order_key] ${KEY_TYPE} NOT NULL, [size] ${SIZE_TYPE} NOT NULL, [seq] INT NOT NULL,
      [label] ${TEXT} NULL, [qty] INT NOT NULL, [payload] ${TEXT} NULL, PRIMARY KEY NONCLUSTERED ([order_key], [size]));`;
  /**
   * One stageOrders request of few orders: `orders` rows of @o{i}_{0..7} and `sizes` rows of @s{i}_{0..5}, applied in a
   * transaction of its own (one round trip). The size key is 900 + 200 bytes: nonclustered (a clustered key holds 900).
   */
  const stageOrdersSql = (orders: number, sizes: number): string => {
    const values = (prefix: string, rows: number, cols: number): string =>
      Array.from({ length: rows }, (_, r) => `(${Array.from({ length: cols }, (_, c) => `@${prefix}${r}_${c}`).join(', ')})`).join(', ');
    return `${DECLARE_STAGED}
    INSERT INTO @o ([order_key], [title], [group_name], [customer], [aag], [po], [hash], [payload]) VALUES ${values('o', orders, STAGE_ORDER_FIELDS)};
    ${sizes > 0 ? `INSERT INTO @s ([order_key], [size], [seq], [label], [qty], [payload]) VALUES ${values('s', sizes, STAGE_SIZE_FIELDS)};` : ''}
    BEGIN TRANSACTION;
    ${applyStaged('@o', '@s')}
    COMMIT;`;
  };
  /** The apply of a bulk load (db/mssql/bulk-stage.ts): the inbox rows of load @load, removed in the same transaction. */
  const INBOX_O = qualified(schema, 'MON_StageInboxOrder');
  const INBOX_S = qualified(schema, 'MON_StageInboxSize');
  // Through keyed table variables: joining the inbox rows directly planned ten times slower on the test engine.
  const applyBulkSql = `${DECLARE_STAGED}
    INSERT INTO @o SELECT [order_key], [title], [group_name], [customer], [aag], [po], [hash], [payload] FROM ${INBOX_O} WHERE [load_id] = @load;
    INSERT INTO @s SELECT [order_key], [size], [seq], [label], [qty], [payload] FROM ${INBOX_S} WHERE [load_id] = @load;
    ${applyStaged('@o', '@s')}
    DELETE FROM ${INBOX_O} WHERE [load_id] = @load;
    DELETE FROM ${INBOX_S} WHERE [load_id] = @load;`;
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

  return {
    SQL, migrations: mssqlMigrations(schema), tables: mssqlTables(schema), stageOrdersSql, applyBulkSql,
    syncStatesSql, countUnfinishedForKeysSql, recordErrorRepeatSql, recordErrorInsertSql, listErrorsSql, updateBatchSql,
    adoption: mssqlAdoptionSql(schema),
  };
}

/** Every statement shape the adapter can send, with small sample sizes: the CI check parses each of them. */
export function allMssqlStatements(schema = DEFAULT_MSSQL_SCHEMA): { name: string; sql: string }[] {
  const s = mssqlStatements(schema);
  const out: { name: string; sql: string }[] = [
    { name: 'MSSQL_ORDERS_UNIFIED_DDL (test databases only)', sql: MSSQL_ORDERS_UNIFIED_DDL },
    ...s.migrations.flatMap((m) => m.statements.map((sql, i) => ({ name: `migration ${m.version} #${i}`, sql }))),
    ...Object.entries(s.SQL).map(([name, sql]) => ({ name, sql })),
    ...Object.entries(s.adoption).flatMap(([name, sql]) => (typeof sql === 'string' ? [{ name: `adoption: ${name}`, sql }] : [])),
    ...Object.entries(mssqlBatchEndSql(schema)).map(([name, sql]) => ({ name: `batch end: ${name}`, sql })),
    ...allMssqlVerifyStatements(schema),
    { name: 'stageOrdersSql', sql: s.stageOrdersSql(2, 3) },
    { name: 'applyBulkSql', sql: s.applyBulkSql },
    { name: 'syncStatesSql', sql: s.syncStatesSql(3) },
    { name: 'countUnfinishedForKeysSql', sql: s.countUnfinishedForKeysSql(3) },
    { name: 'recordErrorRepeatSql(item)', sql: s.recordErrorRepeatSql('item') },
    { name: 'recordErrorRepeatSql(subitem)', sql: s.recordErrorRepeatSql('subitem') },
    { name: 'recordErrorInsertSql(item)', sql: s.recordErrorInsertSql('item') },
    { name: 'recordErrorInsertSql(subitem)', sql: s.recordErrorInsertSql('subitem') },
    { name: 'updateBatchSql', sql: s.updateBatchSql(Object.keys(BATCH_COUNTER_COLUMNS) as (keyof typeof BATCH_COUNTER_COLUMNS)[], 'staging_loaded') },
    // The operations store's (write audit, batch figures, worker status rows: db/mssql/operations.ts).
    ...allOperationsStatements(schema).map((o) => ({ name: `operations ${o.name}`, sql: o.sql })),
    { name: 'adoption: deleteBoardReadSql', sql: s.adoption.deleteBoardReadSql(3) },
    { name: 'adoption: insertBoardReadSql', sql: s.adoption.insertBoardReadSql(2) },
  ];
  // The source statements, for the test table's columns (the real ones come from the catalog).
  const src = mssqlSourceSql(schema, '[dbo].[ORDERS_UNIFIED]', resolveSource('dbo.ORDERS_UNIFIED', DEFAULT_SOURCE_SPEC, ORDERS_UNIFIED_COLUMNS.map((c) => ({ name: c.name, type: c.sqlType }))));
  for (const po of [false, true]) {
    const f = { po, customerNames: po ? 0 : 2 };
    out.push({ name: `source livePage(po=${po})`, sql: src.livePage({ ...f, after: true }) }, { name: `source liveGroup(po=${po})`, sql: src.liveGroup(f) },
      { name: `source snapshotPage(po=${po})`, sql: src.snapshotPage(f) });
    for (const snapshotIsolation of [false, true]) out.push({ name: `source snapshot(po=${po},si=${snapshotIsolation})`, sql: src.snapshot({ po, snapshotIsolation }) });
  }
  for (const [name, sql] of Object.entries(src)) if (typeof sql === 'string') out.push({ name: `source ${name}`, sql });
  out.push({ name: 'source liveByKey', sql: src.liveByKey(['AAG ORDER NUMBER', 'CUSTOMER STYLE']) }, { name: 'source insertRows', sql: src.insertRows(['AAG ORDER NUMBER', 'XL'], 2) },
    { name: 'source updateRows', sql: src.updateRows(['XL'], ['AAG ORDER NUMBER']) }, { name: 'source deleteRows', sql: src.deleteRows(['AAG ORDER NUMBER']) });
  for (const orderKey of [false, true]) for (const limit of [false, true]) {
    out.push({ name: `listErrorsSql(key=${orderKey},limit=${limit})`, sql: s.listErrorsSql({ orderKey, unresolvedOnly: limit, limit }) });
  }
  return out;
}
