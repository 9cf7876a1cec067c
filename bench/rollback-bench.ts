// `node bin/run-ts.js bench/rollback-bench.ts [-- --writes 50000 --subitems-per-item 4 --pages-per-run 500]`:
// rolling back one large batch (issue 18). The batch's audit holds --writes rows: items it created on the board and
// their subitems (seeded straight into the sandbox, one order line per item). Measures, for the dry run and for
// --apply (CLI code, runRollback, against a worker process with a 128 MB heap, as production runs it): wall time,
// workflow runs (continue-as-new), history events, the largest event and the result (bytes), Monday mutations, the
// worker's peak RSS; and, for comparison, the size of the whole plan the rollback of earlier releases returned.
import { parseArgs } from 'node:util';
import { MockActivityEnvironment } from '@temporalio/testing';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { startStack, type Stack } from '../test/support/stack';
import { runRollback } from '../cli/rollback';
import { operationsOf } from '../db/open';
import type { MondayWrite } from '../db/operations';
import { createRollbackActivities } from '../activities/rollback';
import type { LegacyItem } from '../sandbox/server';
import { log, startWorkerProcess, runBench } from './support/run';

const { values } = parseArgs({
  options: {
    writes: { type: 'string', default: '50000' },
    'subitems-per-item': { type: 'string', default: '4' },
  },
});
const WRITES = Number(values.writes);
const PER_ITEM = Number(values['subitems-per-item']);
const BATCH = 'bench-large-batch';

/** Every run of the workflows whose id starts with `prefix`: runs, events, the largest event, in bytes. */
async function histories(stack: Stack, query: string): Promise<{ runs: number; events: number; maxEventsPerRun: number; largestEventBytes: number }> {
  const out = { runs: 0, events: 0, maxEventsPerRun: 0, largestEventBytes: 0 };
  for await (const wf of stack.client.workflow.list({ query })) {
    const h = await stack.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    const events = (JSON.parse(historyToJSON(h)) as { events: unknown[] }).events;
    out.runs++;
    out.events += events.length;
    out.maxEventsPerRun = Math.max(out.maxEventsPerRun, events.length);
    for (const e of events) out.largestEventBytes = Math.max(out.largestEventBytes, JSON.stringify(e).length);
  }
  return out;
}

async function main() {
  // 10,000 archives pass MONDAY_DAILY_CALLS' default (10,000): the account's allowance is set high here and the daily
  // calls are reported instead (docs/BENCHMARKS.md).
  const stack = await startStack({ worker: false, sandbox: { limits: { dailyCalls: 1_000_000_000 } }, env: { MONDAY_DAILY_CALLS: '1000000000' } });
  try {
    // The board: WRITES / (1 + PER_ITEM) items with PER_ITEM subitems each, all created by the batch.
    const itemCount = Math.ceil(WRITES / (1 + PER_ITEM));
    const writes: MondayWrite[] = [];
    for (let i = 0; i < itemCount; i += 1000) {
      const items: LegacyItem[] = Array.from({ length: Math.min(1000, itemCount - i) }, (_, j) => ({
        name: `ORDER ${i + j}`, group: 'BENCH', columnValues: {}, subitems: Array.from({ length: PER_ITEM }, (_, k) => ({ name: `size ${k}`, columnValues: {} })),
      }));
      for (const [j, seeded] of stack.sandbox.seedLegacy(stack.mapping.items.boardId, items).entries()) {
        const orderKey = `K${String(i + j).padStart(7, '0')}`;
        const base = { batchId: BATCH, orderKey, action: 'create' as const, newValues: null, replacedValues: null };
        writes.push({ ...base, target: 'item', mondayId: seeded.id, size: null, parentId: null });
        seeded.subitemIds.forEach((id, k) => writes.push({ ...base, target: 'subitem', mondayId: id, size: `S${k}`, parentId: seeded.id }));
      }
    }
    await stack.store.startBatch({ batchId: BATCH, batchType: 'FULL_BATCH' });
    await operationsOf(stack.store).recordWrites(writes);
    await stack.store.finishBatch(BATCH, 'COMPLETED');
    log(`audit: ${writes.length} writes (${itemCount} items, ${writes.length - itemCount} subitems)`);

    // What the rollback of earlier releases returned from its plan activity: every audit id in one payload.
    const legacy = createRollbackActivities({ store: stack.store, operations: operationsOf(stack.store), monday: stack.monday, mapping: stack.mapping });
    const legacyPlanBytes = JSON.stringify(await new MockActivityEnvironment().run(() => legacy.planRollback({ batchId: BATCH }))).length;

    const worker = await startWorkerProcess(stack, {}, process.env.ROLLBACK_BENCH_WORKER_LOG);
    const measure = async (apply: boolean) => {
      const before = stack.sandbox.stats();
      const started = Date.now();
      const result = await runRollback(stack.client, stack.store, { batchId: BATCH, apply }, () => undefined);
      const seconds = (Date.now() - started) / 1000;
      const query = apply ? `WorkflowId="rollback:${BATCH}"` : `WorkflowType="rollbackWorkflow" AND WorkflowId!="rollback:${BATCH}"`;
      return {
        wallSeconds: +seconds.toFixed(1), ...await histories(stack, query), resultBytes: JSON.stringify(result).length,
        requests: stack.sandbox.stats().requests - before.requests, mutations: stack.sandbox.stats().mutations - before.mutations, result,
      };
    };
    const dryRun = await measure(false);
    log(`dry run: ${JSON.stringify(dryRun)}`);
    const applied = await measure(true);
    console.log(JSON.stringify({ writes: writes.length, items: itemCount, legacyPlanBytes, dryRun, apply: applied, workerPeakRssMb: Math.round(worker.peakRssMb()) }));
    await worker.kill('SIGTERM');
  } finally {
    await stack.stop();
  }
}

runBench(main);
