// `orders-sync verify [--repair]` with the real verify activities, in process and without Temporal: the steps of
// verifyWorkflow, each activity as Temporal runs it (test/support/order-driver.ts), the repair's order workflows run
// by the order driver in the repair batch (dispatchRepairs signals them on a real worker: test/e2e-verify.test.ts).
import { randomUUID } from 'node:crypto';
import { createVerifyActivities, linesToRepair, repairBatchId } from '../../activities/verify';
import { verifyStoreOf } from '../../db/open';
import type { Drift } from '../../activities/verify-drift';
import type { Parts } from './parts';
import type { createOrderDriver } from './order-driver';

export function createVerifyDriver(parts: Parts, orders: ReturnType<typeof createOrderDriver>) {
  const acts = createVerifyActivities({
    store: parts.store, mapping: parts.mapping, monday: parts.monday, operations: parts.operations, removedSizes: parts.removedSizes,
    orderDefaults: { subitemBatchSize: 25, rerunWait: '1d' }, readShare: 1, pageSize: 100,
  });
  const { activity } = orders;
  return {
    async run(opts: { repair: boolean }): Promise<{ drift: Drift[]; failed: number }> {
      const runId = randomUUID();
      const scope = { customer: null, po: null };
      await activity(acts.startVerify, { runId, scope });
      for (const side of ['items', 'subitems'] as const) {
        let cursor: string | null = null;
        do cursor = (await activity(acts.readVerifyPage, { runId, side, cursor })).cursor;
        while (cursor !== null);
      }
      const summary = await activity(acts.compareBoard, { runId, scope });
      const drift = await verifyStoreOf(parts.store).listDrift(runId);
      let failed = 0;
      if (opts.repair && summary.driftingLines + summary.counts.orphan_item > 0) {
        await activity(acts.repairBoard, { runId });
        const batchId = repairBatchId(runId);
        const keys = linesToRepair(drift);
        await parts.store.startBatch({ batchId, batchType: 'VERIFY_REPAIR' });
        await parts.store.finishDispatch(batchId, keys.length, 'COMPLETED');
        await Promise.all(keys.map((key) => orders.runOrder(key, batchId)));
        const batch = await parts.store.getBatch(batchId);
        if (batch?.endTime === null) throw new Error(`repair batch ${batchId} did not end when its ${keys.length} orders did`);
        failed = batch?.counters.failed ?? 0;
      }
      return { drift, failed };
    },
  };
}
