// `node bin/run-ts.js bench/adopt-bench.ts [-- --lines 10000 --subitems-per-item 4 --time-scale 1 --duplicate-share 0.05 --dry-run | --write-keys | --sync]`:
// `board adopt --apply --archive-duplicates` (the default) on a legacy board built from 10,000 order lines as the
// current system leaves it (no key column, an eighth of the lines re-created after a crash, an eighth missing,
// near-duplicate sizes, hand edits, orphans: test/support/legacy-board.ts), 4 subitems per item, against the
// sandbox's read and mutation costs and Monday's personal-token budget (10M complexity per minute). Measures
// Monday time (wall time x time scale) and the most complexity used in any sliding Monday minute, counted by the
// sandbox itself. --sync then runs the first sync and measures what it costs (it writes every adopted item's key).
import { parseArgs } from 'node:util';
import path from 'node:path';
import { startStack } from '../test/support/stack';
import { legacyBoard, type LegacyCase } from '../test/support/legacy-board';
import { runBoardAdopt } from '../cli/board';
import { runSyncOnce } from '../cli/sync-once';
import { generateOrderLines } from '../db/demo-data';
import { createTransform } from '../mapping';
import type { OrderPayload } from '../shared/order';
import type { Stack } from '../test/support/stack';
import { log, startWorkerProcess, runBench } from './support/run';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '10000' },
    'subitems-per-item': { type: 'string', default: '4' },
    'time-scale': { type: 'string', default: '1' },
    'dry-run': { type: 'boolean', default: false },
    'write-keys': { type: 'boolean', default: false },
    sync: { type: 'boolean', default: false },
    /** Share of the order lines re-created after a crash, and the same share with a duplicate size (default: an eighth each). */
    'duplicate-share': { type: 'string' },
  },
});
const LINES = Number(values.lines);
const PER_ITEM = Number(values['subitems-per-item']);
const SCALE = Number(values['time-scale']);
const BUDGET = 10_000_000;
const APPLY = values['dry-run'] !== true;

/**
 * Complexity the sandbox charged while `work` ran, exact to the request: total, the busiest sliding minute, the
 * fullest of Monday's own windows (a window "resets 60 seconds after the first call"), Monday minutes.
 */
async function measured<T>(stack: Stack, work: () => Promise<T>): Promise<{ result: T; figures: Record<string, number> }> {
  const before = stack.sandbox.stats();
  const windowsBefore = stack.sandbox.complexityWindows().length;
  stack.sandbox.busiestMinute();   // start counting here
  const started = Date.now();
  const result = await work();
  const seconds = (Date.now() - started) / 1000;
  const busiest = stack.sandbox.busiestMinute();
  const fullestWindow = Math.max(0, ...stack.sandbox.complexityWindows().slice(Math.max(0, windowsBefore - 1)).map((w) => w.used));
  const after = stack.sandbox.stats();
  return {
    result,
    figures: {
      wallSeconds: +seconds.toFixed(1), mondayMinutes: +((seconds * SCALE) / 60).toFixed(2),
      requests: after.requests - before.requests, mutations: after.mutations - before.mutations,
      complexityUsed: after.complexityUsed - before.complexityUsed, busiestSlidingMinute: busiest,
      shareOfBudget: +(busiest / BUDGET).toFixed(4), fullestMondayWindow: fullestWindow, rateLimited: after.rateLimited - before.rateLimited,
    },
  };
}

/** One duplicate item, one duplicate size, one of each other legacy case per 1/share lines; the rest plain. */
function casesFor(share: number): LegacyCase[] {
  const others: LegacyCase[] = ['duplicate', 'duplicate-sizes', 'edited-values', 'edited-qty', 'name-only', 'missing'];
  return [...others, ...Array.from({ length: Math.max(0, Math.round(1 / share) - others.length) }, () => 'plain' as const)];
}

async function main() {
  const stack = await startStack({
    worker: false,
    sandbox: { limits: { complexityPerMinute: BUDGET, timeScale: SCALE, dailyCalls: 1_000_000_000 }, faults: { latencyMs: { min: 20, max: 60 } } },
    env: { MONDAY_COMPLEXITY_PER_MINUTE: String(BUDGET), MONDAY_TIME_SCALE: String(SCALE) },
  });
  try {
    const rows = generateOrderLines(LINES, 4242);
    await stack.store.insertSourceRows(rows);
    const transform = createTransform(stack.mapping);
    const { sizeColumnId, qtyColumnId } = stack.mapping.subitems;
    const sizes = ['XS', 'S', 'M', 'L', 'XL', '2XL'];
    // Every line with PER_ITEM sizes, as the current system wrote them.
    const lines: OrderPayload[] = rows.map((row) => {
      const p = transform(row);
      const extra = sizes.filter((size) => !p.subitems.some((s) => s.size === size)).slice(0, Math.max(0, PER_ITEM - p.subitems.length))
        .map((size) => ({ ...p.subitems[0]!, size, name: `Size ${size}`, columnValues: { ...p.subitems[0]!.columnValues, [sizeColumnId]: { labels: [size] } } }));
      return { ...p, subitems: [...p.subitems.slice(0, PER_ITEM), ...extra] };
    });
    const legacy = legacyBoard(stack.mapping, lines, values['duplicate-share'] === undefined ? undefined : casesFor(Number(values['duplicate-share'])));
    // The crash re-created copies carry all their sizes here (one with a wrong quantity), so the board holds
    // as many subitems as items x PER_ITEM; the copy still loses to the original on matching sizes.
    const byName = new Map(lines.map((l) => [l.itemName, l]));
    for (const item of legacy.items) {
      const only = item.subitems?.length === 1 ? item.subitems[0]! : null;
      if (only && only.columnValues[qtyColumnId] === '999') item.subitems!.push(...byName.get(item.name)!.subitems.slice(1).map((s) => ({ name: s.name, columnValues: s.columnValues })));
    }
    for (let i = 0; i < legacy.items.length; i += 1000) stack.sandbox.seedLegacy(stack.mapping.items.boardId, legacy.items.slice(i, i + 1000));
    const subitemCount = legacy.items.reduce((n, i) => n + (i.subitems?.length ?? 0), 0);
    log(`seeded ${legacy.items.length} items, ${subitemCount} subitems`);

    const worker = await startWorkerProcess(stack);
    const adopt = await measured(stack, () => runBoardAdopt(stack.client, stack.store, {
      apply: APPLY, archiveDuplicates: APPLY, writeKeys: values['write-keys'] === true,
      reportFile: path.join(stack.dir, 'adopt.csv'), boardId: stack.mapping.items.boardId,
    }, log));
    const r = adopt.result;
    const out: Record<string, unknown> = {
      lines: LINES, duplicateShare: values['duplicate-share'] ?? '1/8', items: legacy.items.length, subitems: subitemCount, apply: APPLY, archiveDuplicates: APPLY, writeKeys: values['write-keys'] === true, timeScale: SCALE,
      adopt: adopt.figures,
      matched: r.summary?.matched, duplicates: r.summary?.duplicates, duplicateSizes: r.summary?.duplicateSizes, orphans: r.summary?.orphans, missing: r.summary?.missing,
      linked: r.linked, archived: r.archived, keysWritten: r.keysWritten, keysAwaitingSync: r.keysAwaitingSync, notLinked: r.notLinked.length,
    };
    if (values.sync) {
      const sync = await measured(stack, () => runSyncOnce(stack.client, stack.store, { pageSize: 500 }, log));
      out.firstSync = { ...sync.figures, orders: sync.result.orders, failed: sync.result.failed, perOrderComplexity: Math.round(sync.figures.complexityUsed! / Math.max(1, sync.result.orders)) };
    }
    out.workerPeakRssMb = Math.round(worker.peakRssMb());
    await worker.kill('SIGTERM');
    console.log(JSON.stringify(out));
  } finally {
    await stack.stop();
  }
}

runBench(main);
