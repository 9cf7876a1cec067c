// `node bin/run-ts.js bench/verify-bench.ts [-- --lines 10000 --subitems-per-item 4 --time-scale 1 --drift-share 0.01 --repair]`:
// `orders-sync verify` on a board as the sync leaves it (10,000 items, 40,000 subitems, every mapped value written,
// seeded straight into the sandbox), with a share of the items edited by hand (a cell, a quantity), against the
// sandbox's read costs and Monday's personal-token budget (10M complexity per minute) at VERIFY_READ_SHARE 0.5.
// Measures Monday minutes (wall time x time scale), requests, complexity and its busiest sliding Monday minute
// (counted by the sandbox), the drift found, and the worker's peak memory (a 128 MB heap, as production runs it).
import { parseArgs } from 'node:util';
import { startStack } from '../test/support/stack';
import { runVerify } from '../cli/verify';
import { generateOrderLines } from '../db/demo-data';
import { createTransform } from '../mapping';
import type { LegacyItem } from '../sandbox/server';
import { log, startWorkerProcess, runBench } from './support/run';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '10000' },
    'subitems-per-item': { type: 'string', default: '4' },
    'time-scale': { type: 'string', default: '1' },
    'drift-share': { type: 'string', default: '0.01' },
    'read-share': { type: 'string', default: '0.5' },
    repair: { type: 'boolean', default: false },
  },
});
const LINES = Number(values.lines);
const PER_ITEM = Number(values['subitems-per-item']);
const SCALE = Number(values['time-scale']);
const DRIFT_EVERY = Math.max(1, Math.round(1 / Number(values['drift-share'])));
const BUDGET = 10_000_000;
const SIZES = ['XS', 'S', 'M', 'L', 'XL', '2XL'];

async function main() {
  const stack = await startStack({
    worker: false,
    sandbox: { limits: { complexityPerMinute: BUDGET, timeScale: SCALE, dailyCalls: 1_000_000_000 }, faults: { latencyMs: { min: 20, max: 60 } } },
    env: { MONDAY_COMPLEXITY_PER_MINUTE: String(BUDGET), MONDAY_TIME_SCALE: String(SCALE), VERIFY_READ_SHARE: values['read-share']! },
  });
  try {
    const rows = generateOrderLines(LINES, 1717);
    for (const [i, row] of rows.entries()) {
      for (const s of stack.mapping.source.sizeColumns) row[s] = null;
      SIZES.slice(0, PER_ITEM).forEach((s, j) => { row[s] = 1 + ((i + j) % 30); });
    }
    await stack.store.insertSourceRows(rows);
    const transform = createTransform(stack.mapping);
    const { keyColumnId } = stack.mapping.items;
    const { qtyColumnId } = stack.mapping.subitems;
    // The board as the sync leaves it; every DRIFT_EVERY-th item edited by hand (its notes, one quantity).
    const items: LegacyItem[] = rows.map((row, i) => {
      const p = transform(row);
      const drift = i % DRIFT_EVERY === 0;
      return {
        name: p.itemName, group: p.groupName,
        columnValues: { ...p.columnValues, [keyColumnId]: p.key, ...(drift ? { long_text_mkr5hass: { text: 'typed by hand' } } : {}) },
        subitems: p.subitems.map((s, j) => ({ name: s.name, columnValues: { ...s.columnValues, ...(drift && j === 0 ? { [qtyColumnId]: '999' } : {}) } })),
      };
    });
    for (let i = 0; i < items.length; i += 1000) stack.sandbox.seedLegacy(stack.mapping.items.boardId, items.slice(i, i + 1000));
    const subitems = items.reduce((n, i) => n + (i.subitems?.length ?? 0), 0);
    log(`seeded ${items.length} items, ${subitems} subitems; ${Math.ceil(LINES / DRIFT_EVERY)} edited by hand`);

    const worker = await startWorkerProcess(stack, {}, process.env.VERIFY_BENCH_WORKER_LOG);
    const before = stack.sandbox.stats();
    stack.sandbox.busiestMinute();
    const started = Date.now();
    const died = new Promise<never>((_, reject) => worker.child.once('exit', (code, signal) => reject(new Error(`the worker exited (${code ?? signal}) during the verify`))));
    const result = await Promise.race([died, runVerify(stack.client, stack.store, { scope: { customer: null, po: null }, repair: values.repair === true, reportFile: null, boardId: stack.mapping.items.boardId }, log)]);
    const seconds = (Date.now() - started) / 1000;
    const busiest = stack.sandbox.busiestMinute();
    const after = stack.sandbox.stats();
    console.log(JSON.stringify({
      lines: LINES, items: items.length, subitems, timeScale: SCALE, readShare: Number(values['read-share']), repair: values.repair === true,
      verify: {
        wallSeconds: +seconds.toFixed(1), mondayMinutes: +((seconds * SCALE) / 60).toFixed(2), requests: after.requests - before.requests,
        mutations: after.mutations - before.mutations, complexityUsed: after.complexityUsed - before.complexityUsed,
        busiestSlidingMinute: busiest, shareOfBudget: +(busiest / BUDGET).toFixed(3), rateLimited: after.rateLimited - before.rateLimited,
      },
      drift: Object.fromEntries(Object.entries(result.summary.counts).filter(([, n]) => n > 0)), driftingLines: result.summary.driftingLines,
      repaired: result.summary.repair ?? null,
      workerPeakRssMb: Math.round(worker.peakRssMb()),
      firstErrors: (await stack.store.listErrors({ unresolvedOnly: true, limit: 3 })).map((e) => `${e.errorType}: ${e.message}`),
    }));
    await worker.kill('SIGTERM');
  } finally {
    await stack.stop();
  }
}

runBench(main);
