// `node bin/run-ts.js bench/backlog.ts [-- --orders 10000]`: a backlog of order lines in one sync. Shows that the
// sync workflow pages and continues as new, and how fast the pipeline itself is when Monday is no limit.
import { parseArgs } from 'node:util';
import { startStack } from '../test/support/stack';
import { runSyncOnce } from '../cli/sync-once';
import { generateOrderLines } from '../db/demo-data';
import { findDuplicates, log, startWorkerProcess, runBench } from './support/run';

const { values } = parseArgs({ options: { orders: { type: 'string', default: '10000' } } });
const ORDERS = Number(values.orders);

async function main() {
  // Monday's daily call limit (Pro: 10,000) would stop a 10,000-line backlog halfway (2 calls per line): the
  // sync then waits for midnight UTC. This run is about the pipeline, so the sandbox lifts that limit.
  const stack = await startStack({ worker: false, sandbox: { limits: { dailyCalls: 1_000_000_000 } } });
  try {
    await stack.store.insertSourceRows(generateOrderLines(ORDERS, 10_000));
    const worker = await startWorkerProcess(stack);
    const summary = await runSyncOnce(stack.client, stack.store, { pageSize: 200 }, log); // 50 pages: the sync workflow continues as new twice
    const rss = worker.peakRssMb();
    await worker.kill('SIGTERM');
    let runs = 0;
    for await (const wf of stack.client.workflow.list({ query: 'WorkflowType="syncWorkflow"' })) if (wf) runs++;
    const dup = await findDuplicates(stack);
    const result = {
      orderLines: ORDERS, synced: summary.orders, failed: summary.failed, subitems: summary.subitems, seconds: +summary.seconds.toFixed(1),
      orderLinesPerSecond: +(summary.orders / summary.seconds).toFixed(1), syncWorkflowRuns: runs, itemsOnBoard: dup.items,
      duplicates: dup.duplicateItems + dup.duplicateSubitems, workerPeakRssMb: Math.round(rss), sandbox: stack.sandbox.stats(),
    };
    console.log(JSON.stringify(result));
  } finally {
    await stack.stop();
  }
}

runBench(main);
