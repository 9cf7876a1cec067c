// Chaos scenario (l): Monday takes 1.5 s per alias (each mutation of a request waits that long before it commits,
// on after the client gave up) and cuts every request at 60 s (its timeout policy; what committed stays). With
// the defaults (at most 10 aliases, a 65 s client timeout, fewer aliases when Monday is slow) no request reaches
// the cut and none is abandoned: 0 duplicates, 0 failed. `CHAOS_L_OLD=1` runs the old defaults (25 aliases, 30 s)
// on the same board for comparison.
import type { Stack } from '../test/support/stack';
import { runSyncOnce, type SyncSummary } from '../cli/sync-once';
import { generateOrderLines } from '../db/demo-data';
import type { SourceRow } from '../shared/order';
import { startWorkerProcess } from './support/run';

export const L_PER_ALIAS_MS = 1_500;
export const L_ORDERS = 30;
/** Order lines of this many sizes: 25 x 1.5 s = 37.5 s in one request of the old default. */
const MANY_SIZES = 25;

export const oldDefaults: Record<string, string> = process.env.CHAOS_L_OLD === '1' ? { MONDAY_SUBITEM_BATCH_SIZE: '25', MONDAY_TIMEOUT_MS: '30000' } : {};

export async function slowAliases(stack: Stack, allSyncedOnce: (stack: Stack, rows: SourceRow[], summary?: SyncSummary) => Promise<{ pass: boolean; evidence: Record<string, unknown> }>) {
  const sizes = stack.mapping.source.sizeColumns;
  // Every sixth order line holds 25 sizes, the others their usual 3-4.
  const rows = generateOrderLines(L_ORDERS, 1212).map((r, i) => (i % 6 === 0 ? { ...r, ...Object.fromEntries(sizes.slice(0, MANY_SIZES).map((s) => [s, 1])) } : r));
  await stack.store.insertSourceRows(rows);
  const worker = await startWorkerProcess(stack, oldDefaults);
  const summary = await runSyncOnce(stack.client, stack.store, { pageSize: 100 });
  await worker.kill('SIGTERM');
  // Requests the client abandoned (old defaults) go on committing until Monday's cut.
  await new Promise((r) => setTimeout(r, 60_000 * (Object.keys(oldDefaults).length ? 1 : 0)));
  const outcome = await allSyncedOnce(stack, rows, summary);
  const s = stack.sandbox.stats();
  return {
    pass: outcome.pass && summary.failed === 0,
    evidence: { ...outcome.evidence, perAliasMs: L_PER_ALIAS_MS, ordersWith25Sizes: rows.filter((_, i) => i % 6 === 0).length, requestsCut: s.requestsCut, replays: s.idempotentReplays, ...oldDefaults },
  };
}
