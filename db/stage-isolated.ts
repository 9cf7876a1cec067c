// A page's orders are staged in one bulk call. When that call fails with an error no retry can fix (a value that does
// not fit a staging column, say), the page is staged again in halves until each order that does not fit stands alone: it
// gets its own error row and is left out of the page's dispatch. One bad line never blocks the others.
import type { OrderPayload } from '../shared/order';
import type { Store } from './store';

/** Stages `payloads`; returns how many failed for good (removed from `orders`, an error row each). */
export async function stageIsolatingFailures(
  deps: { store: Store; isPermanent?: (err: unknown) => boolean }, batchId: string, payloads: OrderPayload[], orders: { key: string }[],
): Promise<number> {
  try {
    await deps.store.stageOrders(batchId, payloads);
    return 0;
  } catch (err) {
    const category = ((err as { details?: { category?: 'CONFIG' | 'DATA' }[] }).details?.[0]?.category) ?? 'DATA';
    // Not a line's fault (a missing table or permission): the page fails, as it did in bulk.
    if (!deps.isPermanent?.(err) || category === 'CONFIG') throw err;
    if (payloads.length === 1) {
      const p = payloads[0]!;
      await deps.store.recordError({ scope: 'item', orderKey: p.key, category, errorType: 'SQL_ERROR', message: (err as Error).message, batchId });
      orders.splice(orders.findIndex((o) => o.key === p.key), 1);
      return 1;
    }
  }
  // Halves, then halves of the half that fails: a few requests per bad line, not one per line of the page.
  const half = Math.ceil(payloads.length / 2);
  return (await stageIsolatingFailures(deps, batchId, payloads.slice(0, half), orders)) + (await stageIsolatingFailures(deps, batchId, payloads.slice(half), orders));
}
