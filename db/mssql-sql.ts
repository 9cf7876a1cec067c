// Every statement the SQL Server adapter issues, as named constants or builders, so tests can enumerate and parse them.
// Values always travel as @parameters; identifiers come only from the fixed column list (bracket-quoted).
import { ORDERS_UNIFIED_COLUMNS, ORDER_KEY_COLUMNS } from './orders-unified-columns';
import { BATCH_COUNTER_COLUMNS, BATCH_PHASE_COLUMNS } from './common';
import { KEY_TYPE, MSSQL_MIGRATIONS, MSSQL_MIGRATION_TABLE_DDL, MSSQL_ORDERS_UNIFIED_DDL, b } from './migrations/mssql';
import type { BatchPhase } from './store';
import { ADOPTION_SQL, deleteBoardReadSql } from './adoption-mssql-sql';

/** SQL Server accepts at most 2,100 parameters per request; stay below with room to spare. */
export const MAX_PARAMS = 2000;

const KEY_EXPRS = ORDER_KEY_COLUMNS.map((c) => `ISNULL(${b(c)}, N'')`);
const SOURCE_SELECT = ORDERS_UNIFIED_COLUMNS.map((c) => b(c.name)).join(', ');
const STG = '[dbo].[STG_MON_CustMasterSchedule]';
const SUB = '[dbo].[STG_MON_CustMasterSchedule_Subitems]';
const ERR_COLS = '[err_id], [batch_id], [order_key], [category], [error_type], [error_message], [http_status_code], [api_payload], [retry_count], [created_date], [resolved_date]';
const UNFINISHED = "[stg_status] IN ('PENDING', 'IN_PROGRESS', 'ITEM_CREATED')";
const inList = (prefix: string, n: number): string => Array.from({ length: n }, (_, i) => `@${prefix}${i}`).join(', ');
const errTable = (scope: 'item' | 'subitem'): string => (scope === 'subitem' ? '[dbo].[ERR_MON_CustMasterSchedule_Subitems]' : '[dbo].[ERR_MON_CustMasterSchedule]');

export const SQL = {
  ping: 'SELECT 1 AS ok',
  appliedMigrations: 'SELECT [version] FROM [dbo].[MON_SchemaMigrations]',
  recordMigration: 'INSERT INTO [dbo].[MON_SchemaMigrations] ([version]) VALUES (@version)',
  countSource: 'SELECT COUNT(*) AS n FROM [dbo].[ORDERS_UNIFIED]',
  stagedOrder: `SELECT [stg_id], [stg_status], [stg_api_payload], [stg_monday_item_id], [stg_retry_count], [stg_synced_hash] FROM ${STG} WHERE [order_key] = @key`,
  stagedSubitems: `SELECT [Size], [ORDER_QTY], [stg_monday_subitem_id], [stg_synced_qty] FROM ${SUB} WHERE [stg_parent_stg_id] = @parent ORDER BY [stg_id]`,
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
  startBatch: `INSERT INTO [dbo].[MON_BatchProcessing] ([batch_id], [customer_name], [batch_type], [status], [config_snapshot])
    VALUES (@batchId, @customer, @batchType, 'STARTED', @config)`,
  finishBatch: `UPDATE [dbo].[MON_BatchProcessing] SET [status] = @status, [end_time] = SYSUTCDATETIME(),
    [duration_seconds] = DATEDIFF(MILLISECOND, [start_time], SYSUTCDATETIME()) / 1000.0 WHERE [batch_id] = @batchId`,
  getBatch: 'SELECT * FROM [dbo].[MON_BatchProcessing] WHERE [batch_id] = @batchId',
  statusCounts: `SELECT [stg_status], COUNT(*) AS n FROM ${STG} GROUP BY [stg_status]`,
  countUnfinished: `SELECT COUNT(*) AS n FROM ${STG} WHERE ${UNFINISHED}`,
  // stageOrders: the payloads go into two temp tables in multi-row INSERTs, then set-based statements apply them.
  dropStageOrders: "IF OBJECT_ID(N'tempdb..#stage_orders') IS NOT NULL DROP TABLE #stage_orders",
  dropStageSizes: "IF OBJECT_ID(N'tempdb..#stage_sizes') IS NOT NULL DROP TABLE #stage_sizes",
  createStageOrders: `CREATE TABLE #stage_orders ([order_key] ${KEY_TYPE} NOT NULL PRIMARY KEY, [title] NVARCHAR(MAX) NULL, [group_name] NVARCHAR(MAX) NULL,
    [customer] NVARCHAR(MAX) NULL, [aag] NVARCHAR(MAX) NULL, [po] NVARCHAR(MAX) NULL, [hash] NVARCHAR(64) NOT NULL, [payload] NVARCHAR(MAX) NOT NULL)`,
  createStageSizes: `CREATE TABLE #stage_sizes ([order_key] ${KEY_TYPE} NOT NULL, [size] NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    [label] NVARCHAR(MAX) NULL, [qty] INT NOT NULL, [payload] NVARCHAR(MAX) NULL, PRIMARY KEY ([order_key], [size]))`,
  applyStagedOrderUpdates: `UPDATE t SET t.[stg_batch_id] = @batchId, t.[Title] = s.[title], t.[Group] = s.[group_name], t.[CUSTOMER] = s.[customer],
    t.[AAG ORDER NUMBER] = s.[aag], t.[PO NUMBER] = s.[po],
    t.[stg_status] = CASE WHEN t.[stg_payload_hash] <> s.[hash] OR t.[stg_status] = 'FAILED' THEN 'PENDING' ELSE t.[stg_status] END,
    t.[stg_error_message] = CASE WHEN t.[stg_payload_hash] <> s.[hash] OR t.[stg_status] = 'FAILED' THEN NULL ELSE t.[stg_error_message] END,
    t.[stg_payload_hash] = s.[hash], t.[stg_api_payload] = s.[payload], t.[stg_updated_date] = SYSUTCDATETIME()
    FROM ${STG} t INNER JOIN #stage_orders s ON s.[order_key] = t.[order_key]`,
  applyStagedOrderInserts: `INSERT INTO ${STG} ([order_key], [stg_batch_id], [Title], [Group], [CUSTOMER], [AAG ORDER NUMBER], [PO NUMBER], [stg_status], [stg_payload_hash], [stg_api_payload])
    SELECT s.[order_key], @batchId, s.[title], s.[group_name], s.[customer], s.[aag], s.[po], 'PENDING', s.[hash], s.[payload] FROM #stage_orders s
    WHERE NOT EXISTS (SELECT 1 FROM ${STG} t WITH (UPDLOCK, HOLDLOCK) WHERE t.[order_key] = s.[order_key])`,
  applyStagedSizeUpdates: `UPDATE x SET x.[stg_batch_id] = @batchId, x.[stg_size_label] = s.[label], x.[ORDER_QTY] = s.[qty],
    x.[stg_status] = CASE WHEN x.[stg_synced_qty] = s.[qty] THEN 'SYNCED' ELSE 'PENDING' END, x.[stg_api_payload] = s.[payload], x.[stg_updated_date] = SYSUTCDATETIME()
    FROM ${SUB} x INNER JOIN ${STG} p ON p.[stg_id] = x.[stg_parent_stg_id] INNER JOIN #stage_sizes s ON s.[order_key] = p.[order_key] AND s.[size] = x.[Size]`,
  applyStagedSizeInserts: `INSERT INTO ${SUB} ([stg_parent_stg_id], [stg_batch_id], [Size], [stg_size_label], [ORDER_QTY], [stg_status], [stg_api_payload])
    SELECT p.[stg_id], @batchId, s.[size], s.[label], s.[qty], 'PENDING', s.[payload] FROM #stage_sizes s INNER JOIN ${STG} p ON p.[order_key] = s.[order_key]
    WHERE NOT EXISTS (SELECT 1 FROM ${SUB} x WITH (UPDLOCK, HOLDLOCK) WHERE x.[stg_parent_stg_id] = p.[stg_id] AND x.[Size] = s.[size])`,
  // Sizes that left the order: never on Monday → gone; on Monday → qty 0 so the workflow can zero/archive them.
  dropRemovedSizes: `DELETE x FROM ${SUB} x INNER JOIN ${STG} p ON p.[stg_id] = x.[stg_parent_stg_id] INNER JOIN #stage_orders o ON o.[order_key] = p.[order_key]
    WHERE x.[stg_monday_subitem_id] IS NULL AND NOT EXISTS (SELECT 1 FROM #stage_sizes s WHERE s.[order_key] = p.[order_key] AND s.[size] = x.[Size])`,
  zeroRemovedSizes: `UPDATE x SET x.[ORDER_QTY] = 0, x.[stg_status] = CASE WHEN x.[stg_synced_qty] = 0 THEN 'SYNCED' ELSE 'PENDING' END, x.[stg_updated_date] = SYSUTCDATETIME()
    FROM ${SUB} x INNER JOIN ${STG} p ON p.[stg_id] = x.[stg_parent_stg_id] INNER JOIN #stage_orders o ON o.[order_key] = p.[order_key]
    WHERE x.[stg_monday_subitem_id] IS NOT NULL AND NOT EXISTS (SELECT 1 FROM #stage_sizes s WHERE s.[order_key] = p.[order_key] AND s.[size] = x.[Size])`,
  updateSubitemId: `UPDATE ${SUB} SET [stg_monday_subitem_id] = @subitemId, [stg_monday_parent_item_id] = @itemId, [stg_synced_qty] = @qty,
    [stg_status] = CASE WHEN [ORDER_QTY] = @qty THEN 'SYNCED' ELSE 'PENDING' END, [stg_updated_date] = SYSUTCDATETIME()
    WHERE [stg_parent_stg_id] = @parent AND [Size] = @size`,
  insertSubitemId: `INSERT INTO ${SUB} ([stg_parent_stg_id], [Size], [ORDER_QTY], [stg_status], [stg_monday_subitem_id], [stg_monday_parent_item_id], [stg_synced_qty])
    VALUES (@parent, @size, @qty, 'SYNCED', @subitemId, @itemId, @qty)`,
} as const;

/** Multi-row INSERT into a stage temp table: `rows` rows of `cols` parameters named @r{row}_{col}. */
export function insertValuesSql(table: string, columns: string[], rows: number): string {
  const values = Array.from({ length: rows }, (_, r) => `(${columns.map((_, c) => `@r${r}_${c}`).join(', ')})`).join(', ');
  return `INSERT INTO ${table} (${columns.map(b).join(', ')}) VALUES ${values}`;
}
export const STAGE_ORDER_COLUMNS = ['order_key', 'title', 'group_name', 'customer', 'aag', 'po', 'hash', 'payload'];
export const STAGE_SIZE_COLUMNS = ['order_key', 'size', 'label', 'qty', 'payload'];

export function readSourcePageSql(opts: { po: boolean; customerNames: number; afterCursor: boolean }): string {
  const conds = sourceFilterConds(opts);
  if (opts.afterCursor) {
    const [k1, k2, k3] = KEY_EXPRS;
    conds.push(`(${k1} > @k1 OR (${k1} = @k1 AND ${k2} > @k2) OR (${k1} = @k1 AND ${k2} = @k2 AND ${k3} > @k3))`);
  }
  return `SELECT TOP (@limit) ${SOURCE_SELECT} FROM [dbo].[ORDERS_UNIFIED] WHERE ${conds.join(' AND ')}
    ORDER BY ${KEY_EXPRS.join(', ')}, [record_uuid]`;
}
/** All rows of one order key group (the page's last group is always read whole). */
export function readKeyGroupSql(opts: { po: boolean; customerNames: number }): string {
  const conds = sourceFilterConds(opts);
  KEY_EXPRS.forEach((e, i) => conds.push(`${e} = @k${i + 1}`));
  return `SELECT ${SOURCE_SELECT} FROM [dbo].[ORDERS_UNIFIED] WHERE ${conds.join(' AND ')} ORDER BY [record_uuid]`;
}
function sourceFilterConds(opts: { po: boolean; customerNames: number }): string[] {
  const conds = ['1 = 1'];
  if (opts.po) conds.push('LTRIM(RTRIM([PO NUMBER])) = @po');
  if (opts.customerNames > 0) conds.push(`UPPER(LTRIM(RTRIM([CUSTOMER NAME]))) IN (${inList('c', opts.customerNames)})`);
  return conds;
}
export function readSourceByKeySql(keyColumns: string[]): string {
  return `SELECT ${SOURCE_SELECT} FROM [dbo].[ORDERS_UNIFIED] WHERE ${keyColumns.map((c, i) => `LTRIM(RTRIM(ISNULL(${b(c)}, N''))) = @v${i}`).join(' AND ')} ORDER BY [record_uuid]`;
}
export function insertSourceRowsSql(columns: string[], rows: number): string {
  const values = Array.from({ length: rows }, (_, r) => `(${columns.map((_, c) => `@r${r}_${c}`).join(', ')})`).join(', ');
  return `INSERT INTO [dbo].[ORDERS_UNIFIED] (${columns.map(b).join(', ')}) VALUES ${values}`;
}
export function updateSourceRowsSql(setCols: string[], whereCols: string[]): string {
  return `UPDATE [dbo].[ORDERS_UNIFIED] SET ${setCols.map((c, i) => `${b(c)} = @s${i}`).join(', ')} WHERE ${whereCols.map((c, i) => `${b(c)} = @w${i}`).join(' AND ')}`;
}
export function syncStatesSql(keys: number): string {
  return `SELECT [order_key], [stg_status], [stg_payload_hash], [stg_synced_hash], [stg_monday_item_id] FROM ${STG} WHERE [order_key] IN (${inList('k', keys)})`;
}
export function countUnfinishedForKeysSql(keys: number): string {
  return `${SQL.countUnfinished} AND [order_key] IN (${inList('k', keys)})`;
}
export function recordErrorRepeatSql(scope: 'item' | 'subitem'): string {
  const size = scope === 'subitem' ? " AND ISNULL([size_label], N'') = ISNULL(@size, N'')" : '';
  return `UPDATE ${errTable(scope)} SET [batch_id] = @batchId, [http_status_code] = @http, [api_payload] = @payload, [retry_count] = @retry,
    [last_retry_date] = SYSUTCDATETIME() WHERE [order_key] = @key AND [error_type] = @errorType AND [error_message] = @message
    AND [category] = @category AND [resolved_date] IS NULL${size}`;
}
export function recordErrorInsertSql(scope: 'item' | 'subitem'): string {
  const [col, val] = scope === 'subitem' ? [', [size_label]', ', @size'] : ['', ''];
  return `INSERT INTO ${errTable(scope)} ([batch_id], [order_key]${col}, [category], [error_type], [error_message], [http_status_code], [api_payload], [retry_count])
    VALUES (@batchId, @key${val}, @category, @errorType, @message, @http, @payload, @retry)`;
}
export function listErrorsSql(opts: { orderKey: boolean; unresolvedOnly: boolean; limit: boolean }): string {
  const conds = ['1 = 1'];
  if (opts.orderKey) conds.push('[order_key] = @key');
  if (opts.unresolvedOnly) conds.push('[resolved_date] IS NULL');
  const where = conds.join(' AND ');
  return `SELECT ${opts.limit ? 'TOP (@limit) ' : ''}* FROM (
    SELECT 'item' AS scope, NULL AS size_label, ${ERR_COLS} FROM ${errTable('item')} WHERE ${where}
    UNION ALL SELECT 'subitem' AS scope, [size_label], ${ERR_COLS} FROM ${errTable('subitem')} WHERE ${where}) u
    ORDER BY [created_date] DESC, [err_id] DESC`;
}
export function updateBatchSql(counterFields: (keyof typeof BATCH_COUNTER_COLUMNS)[], phase?: BatchPhase): string {
  const sets = counterFields.map((f) => `${b(BATCH_COUNTER_COLUMNS[f])} = ${b(BATCH_COUNTER_COLUMNS[f])} + @${f}`);
  if (phase) {
    const col = b(BATCH_PHASE_COLUMNS[phase]);
    sets.push(`${col} = COALESCE(${col}, SYSUTCDATETIME())`);
    if (phase === 'staging_loaded') sets.push("[status] = CASE WHEN [status] = 'STARTED' THEN 'STAGING_LOADED' ELSE [status] END");
  }
  return `UPDATE [dbo].[MON_BatchProcessing] SET ${sets.join(', ')} WHERE [batch_id] = @batchId`;
}

/** Every statement shape the adapter can send, with small sample sizes: the CI check parses each of them. */
export function allMssqlStatements(): { name: string; sql: string }[] {
  const out: { name: string; sql: string }[] = [
    { name: 'MSSQL_ORDERS_UNIFIED_DDL (test databases only)', sql: MSSQL_ORDERS_UNIFIED_DDL },
    { name: 'MSSQL_MIGRATION_TABLE_DDL', sql: MSSQL_MIGRATION_TABLE_DDL },
    ...MSSQL_MIGRATIONS.flatMap((m) => m.statements.map((sql, i) => ({ name: `migration ${m.version} #${i}`, sql }))),
    ...Object.entries(SQL).map(([name, sql]) => ({ name, sql })),
    { name: 'insertValuesSql(#stage_orders)', sql: insertValuesSql('#stage_orders', STAGE_ORDER_COLUMNS, 3) },
    { name: 'insertValuesSql(#stage_sizes)', sql: insertValuesSql('#stage_sizes', STAGE_SIZE_COLUMNS, 3) },
    { name: 'readKeyGroupSql', sql: readKeyGroupSql({ po: true, customerNames: 2 }) },
    { name: 'readSourceByKeySql', sql: readSourceByKeySql([...ORDER_KEY_COLUMNS]) },
    { name: 'insertSourceRowsSql', sql: insertSourceRowsSql(ORDERS_UNIFIED_COLUMNS.map((c) => c.name), 2) },
    { name: 'updateSourceRowsSql', sql: updateSourceRowsSql(["CUSTOMER'S COLOUR CODE (CUSTOM FIELD) CUSTOMER PROVIDES THIS", 'XL'], ['AAG ORDER NUMBER']) },
    { name: 'syncStatesSql', sql: syncStatesSql(3) },
    { name: 'countUnfinishedForKeysSql', sql: countUnfinishedForKeysSql(3) },
    { name: 'recordErrorRepeatSql(item)', sql: recordErrorRepeatSql('item') },
    { name: 'recordErrorRepeatSql(subitem)', sql: recordErrorRepeatSql('subitem') },
    { name: 'recordErrorInsertSql(item)', sql: recordErrorInsertSql('item') },
    { name: 'recordErrorInsertSql(subitem)', sql: recordErrorInsertSql('subitem') },
    { name: 'updateBatchSql', sql: updateBatchSql(Object.keys(BATCH_COUNTER_COLUMNS) as (keyof typeof BATCH_COUNTER_COLUMNS)[], 'staging_loaded') },
    ...Object.entries(ADOPTION_SQL).map(([name, sql]) => ({ name: `ADOPTION_SQL.${name}`, sql })),
    { name: 'deleteBoardReadSql', sql: deleteBoardReadSql(3) },
    { name: 'insertValuesSql(MON_AdoptionBoardRead)', sql: insertValuesSql('[dbo].[MON_AdoptionBoardRead]', ['run_id', 'item_id', 'parent_item_id', 'name', 'created_at', 'group_id', 'group_title', 'column_values'], 2) },
  ];
  for (const po of [false, true]) for (const afterCursor of [false, true]) {
    out.push({ name: `readSourcePageSql(po=${po},cursor=${afterCursor})`, sql: readSourcePageSql({ po, customerNames: po ? 0 : 2, afterCursor }) });
  }
  for (const orderKey of [false, true]) for (const limit of [false, true]) {
    out.push({ name: `listErrorsSql(key=${orderKey},limit=${limit})`, sql: listErrorsSql({ orderKey, unresolvedOnly: limit, limit }) });
  }
  return out;
}
