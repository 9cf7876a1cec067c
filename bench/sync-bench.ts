// `npm run bench [-- --orders 500 --time-scale 4]`: the real pipeline (Temporal dev server, SQLite, a worker
// process) against the sandbox with Monday's limits, time-scaled so a run takes minutes, then a latency run
// with no budget pressure and 150 ms of Monday latency. The last line printed is one JSON object.
import { parseArgs } from 'node:util';
import { startStack } from '../test/support/stack';
import { runSyncOnce } from '../cli/sync-once';
import { generateOrderLines } from '../db/demo-data';
import { TASK_QUEUE } from '../shared/temporal';
import { findDuplicates, log, orderLatencies, percentile, startWorkerProcess, runBench } from './support/run';

const { values } = parseArgs({ options: { orders: { type: 'string', default: '500' }, 'time-scale': { type: 'string', default: '4' }, 'latency-orders': { type: 'string', default: '100' } } });
const ORDERS = Number(values.orders);
const SCALE = Number(values['time-scale']);
const LATENCY_ORDERS = Number(values['latency-orders']);
const MONDAY = { complexityPerMinute: 10_000_000, mutationCost: 30_000, queryCap: 5_000_000 };

async function budgetRun() {
  log(`budget run: ${ORDERS} order lines, Monday limits (${MONDAY.complexityPerMinute.toLocaleString('en')} complexity/min, ${MONDAY.mutationCost.toLocaleString('en')}/mutation), time scale ${SCALE}`);
  const stack = await startStack({
    worker: false,
    sandbox: { limits: { ...MONDAY, timeScale: SCALE }, faults: { latencyMs: { min: 20, max: 60 } } },
    env: { MONDAY_COMPLEXITY_PER_MINUTE: String(MONDAY.complexityPerMinute), MONDAY_TIME_SCALE: String(SCALE) },
  });
  try {
    const rows = generateOrderLines(ORDERS, 4755);
    await stack.store.insertSourceRows(rows);
    const worker = await startWorkerProcess(stack);
    const startedAt = Date.now();
    const summary = await runSyncOnce(stack.client, stack.store, { pageSize: 500 }, log);
    const seconds = (Date.now() - startedAt) / 1000;
    const rss = worker.peakRssMb();
    await worker.kill('SIGTERM');
    const stats = stack.sandbox.stats();
    const mondayMinutes = (seconds * SCALE) / 60;
    const duplicates = await findDuplicates(stack);
    const latencies = await orderLatencies(stack);
    return {
      orderLines: ORDERS,
      subitems: summary.subitems,
      seconds,
      orderLinesPerHour: Math.round(ORDERS / (mondayMinutes / 60)),
      mutationsPerMinute: Math.round(stats.mutations / mondayMinutes),
      budgetRatio: +(stats.complexityUsed / (MONDAY.complexityPerMinute * mondayMinutes)).toFixed(3),
      requestsPerOrderLine: +(stats.requests / ORDERS).toFixed(3),
      rateLimited429: stats.rateLimited,
      failedOrders: summary.failed,
      duplicateItems: duplicates.duplicateItems,
      duplicateSubitems: duplicates.duplicateSubitems,
      itemsOnBoard: duplicates.items,
      budgetRunP50LatencyS: +percentile(latencies, 50).toFixed(2),
      budgetRunP95LatencyS: +percentile(latencies, 95).toFixed(2),
      workerPeakRssMb: Math.round(rss),
    };
  } finally {
    await stack.stop();
  }
}

/** Orders arrive a few per second (a sync every second), Monday answers in 150 ms, the budget is no constraint. */
async function latencyRun() {
  log(`latency run: ${LATENCY_ORDERS} order lines arriving 4 per second, 150 ms Monday latency, no budget pressure`);
  const stack = await startStack({ worker: false, sandbox: { faults: { latencyMs: { min: 150, max: 150 } } } });
  try {
    const rows = generateOrderLines(LATENCY_ORDERS, 99);
    const worker = await startWorkerProcess(stack);
    for (let i = 0; i < rows.length; i += 4) {
      await stack.store.insertSourceRows(rows.slice(i, i + 4));
      await stack.client.workflow.start('syncWorkflow', { taskQueue: TASK_QUEUE, workflowId: `bench-sync-${i}`, args: [{ pageSize: 500 }] });
      await new Promise((r) => setTimeout(r, 1000));
    }
    const deadline = Date.now() + 120_000;
    while ((await stack.store.statusCounts()).SYNCED < rows.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const rss = worker.peakRssMb();
    await worker.kill('SIGTERM');
    const latencies = await orderLatencies(stack);
    return { latencyOrders: latencies.length, p50LatencyS: +percentile(latencies, 50).toFixed(3), p95LatencyS: +percentile(latencies, 95).toFixed(3), workerPeakRssMb: Math.round(rss) };
  } finally {
    await stack.stop();
  }
}

async function main() {
  const budget = await budgetRun();
  log(`budget run: ${JSON.stringify(budget)}`);
  const latency = await latencyRun();
  log(`latency run: ${JSON.stringify(latency)}`);
  const result = {
    ...budget,
    p50OrderLatencyS: latency.p50LatencyS,
    p95OrderLatencyS: latency.p95LatencyS,
    workerPeakRssMb: Math.max(budget.workerPeakRssMb, latency.workerPeakRssMb),
    targets: {
      budgetRatioAtLeast0_9: budget.budgetRatio >= 0.9,
      zeroFailed: budget.failedOrders === 0,
      zeroDuplicates: budget.duplicateItems + budget.duplicateSubitems === 0,
      atMost2RequestsPerOrderLine: budget.requestsPerOrderLine <= 2,
      rssUnder300Mb: Math.max(budget.workerPeakRssMb, latency.workerPeakRssMb) < 300,
      p95Under2s: latency.p95LatencyS < 2,
    },
  };
  console.log(`order lines per hour (Monday time): ${result.orderLinesPerHour}; mutations/min: ${result.mutationsPerMinute}; budget ratio: ${result.budgetRatio}; requests/order line: ${result.requestsPerOrderLine}`);
  console.log(`p50/p95 order latency: ${result.p50OrderLatencyS}s / ${result.p95OrderLatencyS}s; worker peak RSS: ${result.workerPeakRssMb} MB; 429s: ${result.rateLimited429}; failed: ${result.failedOrders}; duplicates: ${budget.duplicateItems + budget.duplicateSubitems}`);
  console.log(JSON.stringify(result));
}

runBench(main);
