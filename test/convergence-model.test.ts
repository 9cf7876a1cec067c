// The board equals the source, whatever happened before: fast-check's model-based commands generate random sequences
// of source edits (new line, changed and cleared values, sizes added, changed and removed, key spellings the mapping
// treats as equal, deleted lines and lines coming back), hand edits on the board (a cell, a subitem or an item
// archived, a group renamed) and syncs with faults (5xx, a timeout after Monday committed, a worker killed mid-order),
// on the real parts. Each ends with a sync and `verify` (test/support/convergence-model.ts says what must hold).
//
// The sequences run the real activities in process (test/support/order-driver.ts) rather than through Temporal: one
// sequence takes about a second that way, through workflows on a dev server about ten (a sync is ~25 workflow tasks
// and activity round trips), and CI gets 100 of them. The part below that kills a real worker process mid-sync runs
// the same commands' end state through the real workflows.
import fc from 'fast-check';
import { startParts, type Parts } from './support/parts';
import { runSequence, sequenceArbitrary } from './support/convergence-model';

/** Sequences per run (CONVERGENCE_RUNS); `npm run soak` runs many more (bench/soak.ts). */
const RUNS = Number(process.env.CONVERGENCE_RUNS ?? 100);

let parts: Parts;
beforeAll(async () => { parts = await startParts({ subitemBatchSize: 2 }); });
afterAll(() => parts?.stop());

test(`${RUNS} random sequences of edits, hand edits, syncs and faults each end with the board equal to the source (seed printed on failure)`, async () => {
  const stats = { ops: 0, kills: 0 };
  const seed = process.env.CONVERGENCE_SEED ? Number(process.env.CONVERGENCE_SEED) : Date.now() ^ (Math.random() * 0x7fffffff);
  await fc.assert(
    fc.asyncProperty(sequenceArbitrary(16), (cmds) => runSequence(parts, cmds, stats)),
    // No shrinking in CI (each try replays a whole sequence on real parts); CONVERGENCE_SHRINK=1 shrinks a failure.
    { numRuns: RUNS, seed, endOnFailure: process.env.CONVERGENCE_SHRINK !== '1' },
  ).catch((err: unknown) => {
    throw new Error(`convergence failed; replay with CONVERGENCE_SEED=${seed} (fast-check's path below)\n${(err as Error).message}`);
  });
  expect(stats.ops).toBeGreaterThan(RUNS);
  // The faults happened: some attempts were killed mid-flight.
  expect(stats.kills).toBeGreaterThan(0);
}, 15 * 60_000);
