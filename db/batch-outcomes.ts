// Idempotent batch bookkeeping for both dialects. Each order line's outcome in a batch is one row keyed by
// (batch, order); the batch's synced/failed counters are recomputed from those rows in the same statement.
// (items/subitems created, updated and removed count the batch's Monday writes instead: BATCH_WRITE_COUNTS below.) So an activity retried after its write committed, or an order that fails and is then
// fixed in the same batch, is counted once with its latest outcome. A later pass of the same order adds
// the subitems it wrote; a retry of the same pass does not.

export type OrderOutcome = 'SYNCED' | 'FAILED';

export const SQLITE_BATCH_OUTCOMES_MIGRATION = {
  version: '003_batch_order_outcomes',
  statements: [
    `CREATE TABLE IF NOT EXISTS MON_BatchOrderOutcome (
  batch_id TEXT NOT NULL,
  order_key TEXT NOT NULL,
  outcome TEXT NOT NULL,
  pass INTEGER NOT NULL,
  subitems INTEGER NOT NULL DEFAULT 0,
  updated_date TEXT NOT NULL,
  PRIMARY KEY (batch_id, order_key)
)`,
  ],
};

/** The counters an outcome row feeds, recomputed from all of the batch's rows. */
const recount = (t: string, outcome: string, id: string) =>
  `(SELECT COUNT(*) FROM ${t} o WHERE o.batch_id = ${id} AND o.outcome = '${outcome}')`;

export const SQLITE_OUTCOME_SQL = {
  upsert: `INSERT INTO MON_BatchOrderOutcome (batch_id, order_key, outcome, pass, subitems, updated_date)
    VALUES (@batchId, @key, @outcome, @pass, @subitems, @now)
    ON CONFLICT (batch_id, order_key) DO UPDATE SET
      outcome = CASE WHEN excluded.pass >= pass THEN excluded.outcome ELSE outcome END,
      subitems = subitems + CASE WHEN excluded.pass > pass THEN excluded.subitems ELSE 0 END,
      pass = MAX(pass, excluded.pass), updated_date = excluded.updated_date`,
  recount: `UPDATE MON_BatchProcessing SET
      synced_records = ${recount('MON_BatchOrderOutcome', 'SYNCED', '@batchId')},
      failed_records = ${recount('MON_BatchOrderOutcome', 'FAILED', '@batchId')}
    WHERE batch_id = @batchId`,
};

/** The SQL Server statements, in the project's schema (MSSQL_SCHEMA). No MERGE: Babelfish lacks it. */
export function mssqlBatchOutcomeSql(schema: string) {
  const T = `[${schema}].[MON_BatchOrderOutcome]`;
  const BATCH = `[${schema}].[MON_BatchProcessing]`;
  return {
    /**
     * One request in the caller's transaction. It first takes the batch row's lock, so outcomes of one batch recount
     * one after another: under snapshot reads (READ_COMMITTED_SNAPSHOT, Azure SQL's default; PostgreSQL under
     * Babelfish) two transactions would each count without the other's new row (measured on the test engine: 37–40 of 45 counted). One
     * request, so the lock is held for one round trip, not four. `found` 0: no such batch.
     */
    recordOutcome: `UPDATE ${BATCH} SET [status] = [status] WHERE [batch_id] = @batchId;
IF @@ROWCOUNT = 0
  SELECT 0 AS [found];
ELSE
BEGIN
  UPDATE ${T} SET
    [outcome] = CASE WHEN @pass >= [pass] THEN @outcome ELSE [outcome] END,
    [subitems] = [subitems] + CASE WHEN @pass > [pass] THEN @subitems ELSE 0 END,
    [pass] = CASE WHEN @pass > [pass] THEN @pass ELSE [pass] END,
    [updated_date] = SYSUTCDATETIME()
  WHERE [batch_id] = @batchId AND [order_key] = @key;
  IF NOT EXISTS (SELECT 1 FROM ${T} WHERE [batch_id] = @batchId AND [order_key] = @key)
    INSERT INTO ${T} ([batch_id], [order_key], [outcome], [pass], [subitems]) VALUES (@batchId, @key, @outcome, @pass, @subitems);
  UPDATE ${BATCH} SET
    [synced_records] = ${recount(T, 'SYNCED', '@batchId')},
    [failed_records] = ${recount(T, 'FAILED', '@batchId')}
  WHERE [batch_id] = @batchId;
  SELECT 1 AS [found];
END`,
    /** startBatch that tolerates its own earlier attempt (the insert committed, the answer was lost). */
    startBatch: `IF NOT EXISTS (SELECT 1 FROM ${BATCH} WHERE [batch_id] = @batchId)
  INSERT INTO ${BATCH} ([batch_id], [customer_name], [batch_type], [status], [config_snapshot])
  VALUES (@batchId, @customer, @batchType, 'STARTED', @config)`,
    /** The detection counters, set (not added) from the sync workflow's totals. */
    setDetectionCounters: `UPDATE ${BATCH} SET ${Object.entries(DETECTION_COUNTERS).map(([f, c]) => `[${c}] = @${f}`).join(', ')} WHERE [batch_id] = @batchId`,
  };
}

/** The detection counters, set (not added) from the sync workflow's totals. */
export const DETECTION_COUNTERS = { total: 'total_records', newOrders: 'new_orders', changed: 'changed_orders', unchanged: 'unchanged_orders', rejected: 'rejected_records' } as const;
export type DetectionCounters = Record<keyof typeof DETECTION_COUNTERS, number>;
export const SQLITE_SET_DETECTION_SQL = `UPDATE MON_BatchProcessing SET ${Object.entries(DETECTION_COUNTERS).map(([f, c]) => `${c} = @${f}`).join(', ')} WHERE batch_id = @batchId`;

/**
 * What one audited Monday write adds to its batch's counters, counted when its audit row is first inserted (a retried
 * write updates that row and counts nothing): items_created means items this batch created on Monday, not order lines
 * synced (a batch that only updated counted its updates as creations before). Parameters: @batchId @target @action.
 */
export const BATCH_WRITE_COUNTS = {
  items_created: "@target = 'item' AND @action = 'create'",
  items_updated: "@target = 'item' AND @action = 'update'",
  subitems_created: "@target = 'subitem' AND @action = 'create'",
  subitems_updated: "@target = 'subitem' AND @action = 'update'",
  subitems_removed: "@target = 'subitem' AND @action IN ('zero', 'archive')",
} as const;

/** The UPDATE that adds one write to its batch (`quote` is each dialect's identifier quoting). */
export function countWriteSql(batchTable: string, quote: (name: string) => string = (n) => n): string {
  const sets = Object.entries(BATCH_WRITE_COUNTS).map(([c, when]) => `${quote(c)} = ${quote(c)} + CASE WHEN ${when} THEN 1 ELSE 0 END`);
  return `UPDATE ${batchTable} SET ${sets.join(', ')} WHERE ${quote('batch_id')} = @batchId`;
}

/** Adds Monday requests to the batch that staged this order line (@orderKey, @n). */
export function addApiCallsSql(batchTable: string, stagingTable: string, quote: (name: string) => string = (n) => n): string {
  return `UPDATE ${batchTable} SET ${quote('api_calls_made')} = ${quote('api_calls_made')} + @n
    WHERE ${quote('batch_id')} = (SELECT ${quote('stg_batch_id')} FROM ${stagingTable} WHERE ${quote('order_key')} = @orderKey)`;
}
