// Reads one page of ORDERS_UNIFIED, transforms each order line and decides what must go to Monday:
// NEW / CHANGED / RETRY are staged and returned, UNCHANGED is skipped, bad and duplicate rows land in ERR_.
// A FAILED order line whose payload is unchanged waits for a rerun: it is neither staged again nor returned.
import type { OrderPayload, SourceRow } from '../shared/order';
import type { ErrorRecord, Store } from './store';
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
  const c = await classifyPage(deps, page.rows, opts);
  for (const e of c.errors) await store.recordError({ ...e, batchId: opts.batchId });
  const orders = c.orders.map(({ payload: _payload, ...order }) => order);
  // An order a staging column cannot hold fails alone (an error row) and leaves the page's dispatch.
  const unstaged = await stageIsolatingFailures(deps, opts.batchId, c.orders.map((o) => o.payload), orders);
  // The batch counters are written once by the sync workflow from these figures (a retried page never counts twice).
  return { orders, total: page.rows.length, unchanged: c.unchanged, waiting: c.waiting, failed: c.failed + unstaged, nextCursor: page.nextCursor };
}

export interface PageClassification {
  /** New, changed or interrupted order lines: what the sync stages and dispatches. */
  orders: (DetectedOrder & { payload: OrderPayload })[];
  unchanged: number;
  /** FAILED order lines whose payload did not change: they wait for a rerun. */
  waiting: number;
  /** Source rows rejected (mapping errors, each row of a duplicated key). */
  failed: number;
  /** The error rows the sync records for them (without batch id). */
  errors: ErrorRecord[];
}

/**
 * What a sync does with one page of source rows, deciding without writing: the sync (above) and `sync --dry-run`
 * share it, so the dry run predicts the real sync (duplicates, the customer filter, waiting failed lines).
 */
export async function classifyPage(deps: DetectDeps, rows: SourceRow[], opts: { customer?: string }): Promise<PageClassification> {
  const errors: ErrorRecord[] = [];
  let failed = 0;
  // Group by order key: the store never splits a key group across pages, so a repeat here is a real duplicate.
  const groups = new Map<string, SourceRow[]>();
  for (const row of rows) {
    let key: string;
    try {
      key = deps.keyOf(row);
    } catch (e) {
      if (matchesCustomerRaw(opts.customer, row)) { errors.push(mappingError(row, e)); failed++; }
      continue;
    }
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }

  const payloads: OrderPayload[] = [];
  for (const [key, group] of groups) {
    if (group.length > 1) {
      if (!matchesCustomerRaw(opts.customer, group[0] as SourceRow)) continue;
      errors.push({
        scope: 'item', orderKey: key, category: 'DATA', errorType: 'DUPLICATE_ORDER_KEY',
        message: `${group.length} ORDERS_UNIFIED rows share order key ${key}; none of them is sent until only one remains`, payload: group,
      });
      failed += group.length;
      continue;
    }
    const row = group[0] as SourceRow;
    let payload: OrderPayload;
    try {
      payload = deps.transform(row);
    } catch (e) {
      if (matchesCustomerRaw(opts.customer, row)) { errors.push(mappingError(row, e, key)); failed++; }
      continue;
    }
    if (opts.customer !== undefined && norm(payload.customer) !== norm(opts.customer)) continue;
    payloads.push(payload);
  }

  const states = await deps.store.getSyncStates(payloads.map((p) => p.key));
  const orders: PageClassification['orders'] = [];
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
    orders.push({ key: p.key, customer: p.customer, poNumber: p.poNumber, aagOrderNumber: p.aagOrderNumber, change, payload: p });
  }
  return { orders, unchanged, waiting, failed, errors };
}

/** The error row of a row the transform (or key function) rejected. */
function mappingError(row: SourceRow, e: unknown, key?: string): ErrorRecord {
  const err = e as { message?: unknown; orderKey?: unknown };
  const orderKey = typeof err.orderKey === 'string' ? err.orderKey : key ?? ORDER_KEY_COLUMNS.map((c) => String(row[c] ?? '')).join('|');
  // A mapping error's message already names the order key, field, value and reason.
  return { scope: 'item', orderKey, category: 'DATA', errorType: 'MAPPING_ERROR', message: typeof err.message === 'string' ? err.message : String(e), payload: row };
}

/**
 * A row that never became a payload has no canonical customer; with a customer filter it counts when its raw
 * CUSTOMER NAME starts with the filter (GREYSON ~ 'GREYSON CLOTHIERS'). Other customers' bad rows are left to their runs.
 */
function matchesCustomerRaw(customer: string | undefined, row: SourceRow): boolean {
  if (customer === undefined) return true;
  return norm(String(row['CUSTOMER NAME'] ?? '')).startsWith(norm(customer));
}
