// Runs one sync to the end: the sync workflow dispatches order workflows, then we wait until every
// order line it dispatched is SYNCED or FAILED, read the batch counters back and name the order lines that
// wait for a rerun (failed ones whose row did not change are not dispatched again, so they cannot hold it up).
import type { Client } from '@temporalio/client';
import type { Store } from '../db/store';
import { TASK_QUEUE } from '../shared/temporal';
import type { SyncTotals, SyncWorkflowInput } from '../shared/workflow-types';
import { waitingOrders, type WaitingOrder } from './orders';
import { operationsOf } from '../db/open';
import { createProgress, currentWaitReason } from './progress';

export interface SyncSummary {
  batchId: string;
  /** Order lines this sync dispatched that are now SYNCED. */
  orders: number;
  /** What the batch wrote on Monday (MON_BatchProcessing, from the write audit): items created / updated, subitems created / updated / removed. */
  items: number;
  itemsUpdated: number;
  subitems: number;
  subitemsUpdated: number;
  subitemsRemoved: number;
  failed: number;
  /** Of orders + failed: order lines this sync dispatched that workflows of an earlier run finished (after a crash, say). */
  byEarlierRun: number;
  rejectedRows: number;
  unchanged: number;
  /** FAILED order lines of this sync's scope whose workflow waits for a fix and a rerun (up to 20 named). */
  waiting: WaitingOrder[];
  waitingTotal: number;
  seconds: number;
}

export async function runSyncOnce(
  client: Client,
  store: Store,
  input: SyncWorkflowInput,
  onProgress: (line: string) => void = () => {},
): Promise<SyncSummary> {
  const startedAt = Date.now();
  const totals = await client.workflow.execute<(i: SyncWorkflowInput) => Promise<SyncTotals>>('syncWorkflow', {
    taskQueue: TASK_QUEUE,
    workflowId: `sync-once-${new Date(startedAt).toISOString()}`,
    args: [input],
  });
  onProgress(`dispatched ${totals.dispatched} order lines (${totals.unchanged} unchanged, ${totals.rejected} rejected rows)`);
  const operations = operationsOf(store);
  const progress = createProgress({ log: onProgress });
  let idleSince: number | undefined;
  for (;;) {
    // Counted from staging, not the batch counters: an order already running for an earlier sync (the schedule's,
    // or a run before a crash) finishes in that sync's workflow and counts in that batch, but it is done for this one too.
    const f = await operations.finishedSince(totals.batchId);
    const done = f.synced + f.failed;
    if (done >= totals.dispatched) break;
    // Nothing left unfinished anywhere for a moment means this sync is done too.
    if ((await store.countUnfinished()) > 0) idleSince = undefined;
    else if (Date.now() - (idleSince ??= Date.now()) > 2000) break;
    progress.update({ done, total: totals.dispatched, unit: 'order lines finished' }, await currentWaitReason(operations));
    await new Promise((r) => setTimeout(r, 200));
  }
  // Staging turns SYNCED or FAILED a moment before the same activity recounts the batch (db/batch-outcomes.ts), and
  // recounts of one batch queue behind each other: wait while the counters still move, so items and subitems are
  // final. (They stay lower when workflows of an earlier run finished some of these order lines: byEarlierRun.)
  let c = (await store.getBatch(totals.batchId))?.counters;
  const counted = () => (c?.synced ?? 0) + (c?.failed ?? 0);
  for (let last = counted(), quietSince = Date.now(); counted() < totals.dispatched && Date.now() - quietSince < 2000;) {
    await new Promise((r) => setTimeout(r, 200));
    c = (await store.getBatch(totals.batchId))?.counters;
    if (counted() !== last) [last, quietSince] = [counted(), Date.now()];
  }
  const waiting = await waitingOrders(client, store, { customer: input.customer, po: input.po }, 20);
  const f = await operations.finishedSince(totals.batchId);
  const orders = Math.max(c?.synced ?? 0, f.synced);
  const failed = Math.max(c?.failed ?? 0, f.failed);
  return {
    batchId: totals.batchId,
    waiting: waiting.orders,
    waitingTotal: waiting.total,
    orders,
    items: c?.items ?? 0,
    itemsUpdated: c?.itemsUpdated ?? 0,
    subitems: c?.subitems ?? 0,
    subitemsUpdated: c?.subitemsUpdated ?? 0,
    subitemsRemoved: c?.subitemsRemoved ?? 0,
    failed,
    byEarlierRun: Math.max(0, orders + failed - (c?.synced ?? 0) - (c?.failed ?? 0)),
    rejectedRows: totals.rejected,
    unchanged: totals.unchanged,
    seconds: (Date.now() - startedAt) / 1000,
  };
}

export function summaryLine(s: SyncSummary): string {
  const earlier = s.byEarlierRun > 0 ? ` (${s.byEarlierRun} of them were under way in an earlier run; what they wrote before this sync counts in that run's batch)` : '';
  return `synced ${s.orders} order lines, ${s.failed} failed in ${s.seconds.toFixed(1)}s: on Monday ${s.items} items created, ${s.itemsUpdated} updated; ` +
    `${s.subitems} subitems created, ${s.subitemsUpdated} updated, ${s.subitemsRemoved} removed${earlier} (batch ${s.batchId})`;
}

/** The order lines waiting for a fix and `orders-sync rerun`, one per line. */
export function waitingLines(s: SyncSummary): string[] {
  if (s.waitingTotal === 0) return [];
  return [
    `${s.waitingTotal} order line(s) wait for a fix, then: orders-sync rerun --failed (or rerun "<order key>")`,
    ...s.waiting.map((w) => `  waiting: ${w.key}${w.error ? ` — ${w.error}` : ''}`),
    ...(s.waitingTotal > s.waiting.length ? [`  ... and ${s.waitingTotal - s.waiting.length} more (Web UI: OrderSyncStatus="FAILED")`] : []),
  ];
}
