// `npm start`: one line per finished sync, once every order line it dispatched is SYNCED or FAILED.
import type { Store } from '../db/store';
import { operationsOf } from '../db/open';

export interface SyncReporterOptions {
  log: (line: string) => void;
  /** Where to look at failures in the Web UI, when there is one. */
  webUiUrl?: string;
  everyMs?: number;
}

/** Starts reporting; the returned function stops it. */
export function reportFinishedSyncs(store: Store, opts: SyncReporterOptions): () => void {
  const startedAt = new Date().toISOString();
  let reported: string | null = null;
  let busy = false;
  const check = async () => {
    const operations = operationsOf(store);
    const last = await operations.lastFinishedBatch();
    if (!last || last.batchId === reported || last.endTime < startedAt) return;
    // The batch ends when dispatch ends; the sync is finished when its order lines are.
    if ((await store.countUnfinished()) > 0) return;
    reported = last.batchId;
    const batch = await store.getBatch(last.batchId);
    if (!batch) return;
    const done = await operations.finishedSince(last.batchId);
    const c = batch.counters;
    const where = done.failed > 0
      ? ` · failures: orders-sync status${opts.webUiUrl ? `, or ${opts.webUiUrl}/namespaces/default/workflows?query=OrderSyncStatus%3D%22FAILED%22` : ''}`
      : '';
    const rejected = c.rejected > 0 ? `, ${c.rejected} source rows rejected (orders-sync errors)` : '';
    const seconds = (Date.now() - Date.parse(batch.startTime)) / 1000;
    opts.log(`sync ${last.batchId} finished: ${done.synced} order lines synced, ${done.failed} failed, ${c.unchanged} unchanged${rejected} in ${seconds.toFixed(1)} s; ` +
      `on Monday ${c.items} items created, ${c.itemsUpdated} updated, ${c.subitems} subitems created, ${c.subitemsUpdated} updated, ${c.subitemsRemoved} removed${where}`);
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void check().catch(() => undefined).finally(() => { busy = false; });
  }, opts.everyMs ?? 3_000);
  return () => clearInterval(timer);
}
