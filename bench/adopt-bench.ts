// `node bin/run-ts.js bench/adopt-bench.ts [-- --items 10000 --subitems-per-item 4 --time-scale 10 --apply]`:
// `board adopt` on a legacy board of 10,000 items and 40,000 subitems (no key column) against the sandbox's
// read costs and Monday's personal-token budget (10M complexity per minute). Measures Monday time (wall time x
// time scale) and the most complexity used in any sliding Monday minute, counted by the sandbox itself.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { startStack } from '../test/support/stack';
import { runBoardAdopt } from '../cli/board';
import { generateOrderLines } from '../db/demo-data';
import { createTransform } from '../mapping';
import type { LegacyItem } from '../sandbox/server';
import { log, startWorkerProcess } from './support/run';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '10000' },
    'subitems-per-item': { type: 'string', default: '4' },
    'time-scale': { type: 'string', default: '10' },
    apply: { type: 'boolean', default: false },
  },
});
const ITEMS = Number(values.items);
const PER_ITEM = Number(values['subitems-per-item']);
const SCALE = Number(values['time-scale']);
const BUDGET = 10_000_000;

async function main() {
  const stack = await startStack({
    worker: false,
    sandbox: { limits: { complexityPerMinute: BUDGET, timeScale: SCALE, dailyCalls: 1_000_000_000 }, faults: { latencyMs: { min: 20, max: 60 } } },
    env: { MONDAY_COMPLEXITY_PER_MINUTE: String(BUDGET), MONDAY_TIME_SCALE: String(SCALE) },
  });
  try {
    const rows = generateOrderLines(ITEMS, 4242);
    await stack.store.insertSourceRows(rows);
    const transform = createTransform(stack.mapping);
    const { keyColumnId } = stack.mapping.items;
    const { sizeColumnId } = stack.mapping.subitems;
    const sizes = ['XS', 'S', 'M', 'L', 'XL', '2XL'];
    // The current system's board: every line's item without the key column, PER_ITEM subitems each.
    const items: LegacyItem[] = rows.map((row) => {
      const p = transform(row);
      const { [keyColumnId]: _key, ...columnValues } = p.columnValues;
      const subitems = Array.from({ length: PER_ITEM }, (_, i) => {
        const s = p.subitems[i] ?? { ...p.subitems[0]!, size: sizes[i]!, name: `Size ${sizes[i]!}`, columnValues: { ...p.subitems[0]!.columnValues, [sizeColumnId]: { labels: [sizes[i]!] } } };
        return { name: s.name, columnValues: s.columnValues };
      });
      return { name: p.itemName, group: p.groupName, columnValues, subitems };
    });
    for (let i = 0; i < items.length; i += 1000) stack.sandbox.seedLegacy(stack.mapping.items.boardId, items.slice(i, i + 1000));
    log(`seeded ${items.length} items, ${items.length * PER_ITEM} subitems`);

    const worker = await startWorkerProcess(stack);
    // The sandbox's own count of complexity spent, sampled to find the busiest sliding Monday minute.
    const windowMs = 60_000 / SCALE;
    const samples: { at: number; used: number }[] = [];
    const sampler = setInterval(() => samples.push({ at: Date.now(), used: stack.sandbox.stats().complexityUsed }), 50);
    const requestsBefore = stack.sandbox.stats().requests;
    const started = Date.now();
    const result = await runBoardAdopt(stack.client, stack.store, {
      apply: values.apply === true, archiveDuplicates: false, reportFile: path.join(stack.dir, 'adopt.csv'), boardId: stack.mapping.items.boardId,
    }, log);
    const seconds = (Date.now() - started) / 1000;
    clearInterval(sampler);
    samples.push({ at: Date.now(), used: stack.sandbox.stats().complexityUsed });
    let busiest = 0;
    for (let i = 0, j = 0; i < samples.length; i++) {
      while (samples[j]!.at < samples[i]!.at - windowMs) j++;
      busiest = Math.max(busiest, samples[i]!.used - samples[Math.max(0, j - 1)]!.used);
    }
    const rss = worker.peakRssMb();
    await worker.kill('SIGTERM');
    const stats = stack.sandbox.stats();
    console.log(JSON.stringify({
      items: ITEMS, subitems: ITEMS * PER_ITEM, apply: values.apply === true, timeScale: SCALE,
      wallSeconds: +seconds.toFixed(1), mondayMinutes: +((seconds * SCALE) / 60).toFixed(2),
      requests: stats.requests - requestsBefore, complexityUsed: stats.complexityUsed,
      busiestMondayMinute: busiest, shareOfBudget: +(busiest / BUDGET).toFixed(3), rateLimited: stats.rateLimited,
      matched: result.summary?.matched, keyWrites: result.keysWritten, workerPeakRssMb: Math.round(rss),
    }));
  } finally {
    await stack.stop();
  }
  process.exit(0);
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
