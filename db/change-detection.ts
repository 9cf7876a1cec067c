// Reads one page of ORDERS_UNIFIED, transforms each order line and decides what must go to Monday:
// NEW / CHANGED / RETRY are staged and returned, UNCHANGED is skipped, bad and duplicate rows land in ERR_.
// A FAILED order line whose payload is unchanged waits for a rerun: it is neither staged again nor returned.
import type { OrderPayload, SourceRow } from '../shared/order';
import type { Store } from './store';
import { ORDER_KEY_COLUMNS } from './orders-unified-columns';
import { stageIsolatingFailures } from './stage-isolated';

export interface DetectDeps {
  store: Store; transform: (row: SourceRow) => OrderPayload; keyOf: (row: SourceRow) => string;
  /** An error no retry can fix (db/sql-errors.ts): the page is then staged order by order, so one bad line fails alone. */
  isPermanent?: (err: unknown) => boolean;
  /** SNAPSHOT_KEEP_DAYS: snapshots of batches that never ended go after this many days. */
  snapshotKeepDays?: number;
}
export interface DetectedOrder { key: string; customer: string; poNumber: string | null; aagOrderNumber: string; change: 'NEW' | 'CHANGED' | 'RETRY' }

const norm = (s: string): string => s.trim().toUpperCase();

export async function detectChangesPage(
  deps: DetectDeps,
  opts: { batchId: string; cursor: string | null; pageSize: number; customer?: string; po?: string },
): Promise<{ orders: DetectedOrder[]; total: number; unchanged: number; waiting: number; failed: number; nextCursor: string | null }> {
  const { store } = deps;
  const filter = opts.po !== undefined ? { po: opts.po } : {};
  // The batch reads ORDERS_UNIFIED once: its first page copies it (a retried first page finds the copy), every page
  // and every order workflow it dispatches reads that copy. A batch begun before snapshots existed pages live.
  // A PO-targeted sync copies only that PO's rows; a customer filter applies to the mapped (canonical) customer, so
  // a customer-targeted sync copies every row and filters after the transform, as before.
  if (opts.cursor === null) {
    await store.snapshotSource(opts.batchId, filter);
    // Snapshots of ended batches went with their end; this removes any left (a crash in between) and very old ones.
    await store.pruneSnapshots(deps.snapshotKeepDays ?? 2);
  }
  const page = await store.readSourcePage(opts.cursor, opts.pageSize, { ...filter, snapshotOf: opts.batchId });
  let failed = 0;

  // Group by order key: the store never splits a key group across pages, so a repeat here is a real duplicate.
  const groups = new Map<string, SourceRow[]>();
  for (const row of page.rows) {
    let key: string;
    try {
      key = deps.keyOf(row);
    } catch (e) {
      if (await recordMappingError(deps, opts, row, e)) failed++;
      continue;
    }
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }

  const payloads: OrderPayload[] = [];
  for (const [key, rows] of groups) {
    if (rows.length > 1) {
      if (!matchesCustomerRaw(opts.customer, rows[0] as SourceRow)) continue;
      await store.recordError({
        scope: 'item', orderKey: key, category: 'DATA', errorType: 'DUPLICATE_ORDER_KEY', batchId: opts.batchId,
        message: `${rows.length} ORDERS_UNIFIED rows share order key ${key}; none of them is sent until only one remains`, payload: rows,
      });
      failed += rows.length;
      continue;
    }
    const row = rows[0] as SourceRow;
    let payload: OrderPayload;
    try {
      payload = deps.transform(row);
    } catch (e) {
      if (await recordMappingError(deps, opts, row, e, key)) failed++;
      continue;
    }
    if (opts.customer !== undefined && norm(payload.customer) !== norm(opts.customer)) continue;
    payloads.push(payload);
  }

  const states = await store.getSyncStates(payloads.map((p) => p.key));
  const orders: DetectedOrder[] = [];
  const toStage: OrderPayload[] = [];
  let unchanged = 0;
  let waiting = 0;
  for (const p of payloads) {
    const state = states.get(p.key);
    let change: DetectedOrder['change'];
    if (!state) change = 'NEW';
    else if (state.status === 'SYNCED' && state.syncedHash === p.hash) { unchanged++; continue; }
    // The hash covers everything sent, so a changed row or a mapping change that alters the payload shows here;
    // anything else cannot make a failed order succeed, and waking it would only cost Monday calls and signals.
    else if (state.status === 'FAILED' && state.stagedHash === p.hash) { waiting++; continue; }
    else if (state.stagedHash === p.hash && state.status !== 'SYNCED') change = 'RETRY';   // failed or interrupted
    else change = 'CHANGED';
    toStage.push(p);
    orders.push({ key: p.key, customer: p.customer, poNumber: p.poNumber, aagOrderNumber: p.aagOrderNumber, change });
  }
  failed += await stageIsolatingFailures(deps, opts.batchId, toStage, orders);
  // The batch counters are written once by the sync workflow from these figures (a retried page never counts twice).
  return { orders, total: page.rows.length, unchanged, waiting, failed, nextCursor: page.nextCursor };
}

/** Records a row the transform (or key function) rejected; returns false when the row is outside the customer filter. */
async function recordMappingError(
  deps: DetectDeps, opts: { batchId: string; customer?: string }, row: SourceRow, e: unknown, key?: string,
): Promise<boolean> {
  if (!matchesCustomerRaw(opts.customer, row)) return false;
  const err = e as { message?: unknown; orderKey?: unknown; field?: unknown; value?: unknown; reason?: unknown };
  const orderKey = typeof err.orderKey === 'string' ? err.orderKey : key ?? ORDER_KEY_COLUMNS.map((c) => String(row[c] ?? '')).join('|');
  await deps.store.recordError({
    scope: 'item', orderKey, category: 'DATA', errorType: 'MAPPING_ERROR', batchId: opts.batchId,
    // A mapping error's message already names the order key, field, value and reason.
    message: typeof err.message === 'string' ? err.message : String(e), payload: row,
  });
  return true;
}

/**
 * A row that never became a payload has no canonical customer; with a customer filter it counts when its raw
 * CUSTOMER NAME starts with the filter (GREYSON ~ 'GREYSON CLOTHIERS'). Other customers' bad rows are left to their runs.
 */
function matchesCustomerRaw(customer: string | undefined, row: SourceRow): boolean {
  if (customer === undefined) return true;
  return norm(String(row['CUSTOMER NAME'] ?? '')).startsWith(norm(customer));
}
