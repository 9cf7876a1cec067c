// `node bin/run-ts.js bench/demo-bench.ts [--remove-sizes archive]`: the demo (99 order lines, 328 subitems) against
// the sandbox at Monday's real budget and real time, one worker process as in production, then Monday's requests
// per order line for three kinds of sync: new lines, a changed quantity on every line, a size removed from every
// line (MONDAY_REMOVED_SIZES=archive: the subitem archived). Prints one JSON object as its last line.
//
// The physical limit: Monday allows 10M complexity at once and the next 10M after the minute resets, so a sync of C
// complexity needs at least 60 s x floor(C / 10M) plus the time to send the rest (about 1 s here): ~61 s for 12.8M.
import { startStack, type Stack } from '../test/support/stack';
import { runSyncOnce } from '../cli/sync-once';
import { seedDemoData } from '../db/demo-data';
import type { SourceRow } from '../shared/order';
import { findDuplicates, log, startWorkerProcess } from './support/run';

const BUDGET = 10_000_000;

async function measure(stack: Stack, what: string, change: () => Promise<void>) {
  await change();
  const before = stack.sandbox.stats();
  const startedAt = Date.now();
  const summary = await runSyncOnce(stack.client, stack.store, { pageSize: 500 });
  const seconds = (Date.now() - startedAt) / 1000;
  const lines = summary.orders;
  const after = stack.sandbox.stats();
  const requests = after.requests - before.requests;
  log(`${what}: ${lines} order lines, ${requests} requests (${(requests / lines).toFixed(2)} a line), ${after.mutations - before.mutations} mutations, ${seconds.toFixed(1)} s, ${summary.failed} failed`);
  return { lines, requests, requestsPerLine: +(requests / lines).toFixed(3), mutations: after.mutations - before.mutations, seconds: +seconds.toFixed(1), failed: summary.failed, complexity: after.complexityUsed - before.complexityUsed, rateLimited: after.rateLimited - before.rateLimited };
}

async function main() {
  const stack = await startStack({
    worker: false,
    sandbox: { limits: { complexityPerMinute: BUDGET, timeScale: 1 } },
    env: { MONDAY_COMPLEXITY_PER_MINUTE: String(BUDGET), MONDAY_REMOVED_SIZES: 'archive' },
  });
  try {
    const worker = await startWorkerProcess(stack);
    const sizes = stack.mapping.source.sizeColumns;
    const created = await measure(stack, 'new order lines', async () => {
      await seedDemoData(stack.store);
    });
    const windows = stack.sandbox.complexityWindows();
    const allowed = 60 * Math.floor(created.complexity / BUDGET) + 1;
    const dup = await findDuplicates(stack);
    const held = (r: SourceRow) => sizes.filter((s) => Number(r[s] ?? 0) > 0);
    const whereKey = (r: SourceRow) => Object.fromEntries(stack.mapping.source.keyColumns.map((c) => [c, String(r[c])]));
    const eachRow = async (set: (r: SourceRow) => SourceRow | null) => {
      for (const r of (await stack.store.readSourcePage(null, 1000)).rows) {
        const change = set(r);
        if (change) await stack.store.updateSourceRows(whereKey(r), change);
      }
    };
    // Every line: one more of its first size; then its last size removed.
    const updated = await measure(stack, 'a changed quantity on every line', () => eachRow((r) => (held(r).length ? { [held(r)[0]!]: Number(r[held(r)[0]!]) + 1 } : null)));
    const archived = await measure(stack, 'a size removed from every line (archived)', () => eachRow((r) => (held(r).length > 1 ? { [held(r).at(-1)!]: 0 } : null)));
    await worker.kill('SIGTERM');
    console.log(JSON.stringify({
      demo: { ...created, allowedSeconds: allowed, ratioToPhysicalLimit: +(created.seconds / allowed).toFixed(3), windows: windows.map((w) => +(w.used / BUDGET).toFixed(3)), duplicates: dup.duplicateItems + dup.duplicateSubitems },
      updated, archived,
    }));
  } finally {
    await stack.stop();
  }
}

void main();
