// Idempotent batch bookkeeping, the rules both dialects share (their statements: sqlite/batch-sql.ts, mssql/batch-sql.ts).
// Each order line's outcome in a batch is one row keyed by (batch, order); the batch's synced/failed counters are
// recomputed from those rows in the same statement (items/subitems created, updated and removed count the batch's
// Monday writes instead: BATCH_WRITE_COUNTS below). So an activity retried after its write committed, or an order that
// fails and is then fixed in the same batch, is counted once with its latest outcome. A later pass of the same order
// adds the subitems it wrote; a retry of the same pass does not.

export type OrderOutcome = 'SYNCED' | 'FAILED';

/** The counters an outcome row feeds, recomputed from all of the batch's rows. */
export const recount = (t: string, outcome: string, id: string) =>
  `(SELECT COUNT(*) FROM ${t} o WHERE o.batch_id = ${id} AND o.outcome = '${outcome}')`;



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

/** The detection counters, set (not added) from the sync workflow's totals. */
export const DETECTION_COUNTERS = { total: 'total_records', newOrders: 'new_orders', changed: 'changed_orders', unchanged: 'unchanged_orders', rejected: 'rejected_records' } as const;
export type DetectionCounters = Record<keyof typeof DETECTION_COUNTERS, number>;
