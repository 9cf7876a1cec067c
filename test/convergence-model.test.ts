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
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { startParts, type Parts } from './support/parts';
import { startStack, type Stack } from './support/stack';
import { runModel, runSequence, sequenceArbitrary, type Real } from './support/convergence-model';
import { runSyncOnce } from '../cli/sync-once';
import { runVerify } from '../cli/verify';

/** Sequences per run (CONVERGENCE_RUNS); `npm run soak` runs many more (bench/soak.ts). */
const RUNS = Number(process.env.CONVERGENCE_RUNS ?? 100);

describe('in process: the real activities, SQLite file and sandbox', () => {
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
});

describe('through the real workflows: a worker process killed mid-sync', () => {
  const ROOT = path.resolve(__dirname, '..');
  let stack: Stack;
  let worker: ChildProcess;
  const startWorker = () => spawn(process.execPath, [path.join(ROOT, 'bin/orders-sync.js'), 'worker'], { env: stack.childEnv(), stdio: ['ignore', 'ignore', 'inherit'] });
  const stopWorker = async (signal: NodeJS.Signals) => {
    const exited = new Promise((r) => worker.once('exit', r));
    worker.kill(signal);
    await exited;
  };
  beforeAll(async () => {
    stack = await startStack({ worker: false, env: { MONDAY_SUBITEM_BATCH_SIZE: '2' } });
    worker = startWorker();
  }, 120_000);
  afterAll(async () => {
    if (worker?.exitCode === null) await stopWorker('SIGTERM');
    await stack?.stop();
  });

  test('random sequences whose first sync loses its worker mid-fan-out still end with the board equal to the source', async () => {
    let kills = 0;
    let sequence = 0;
    const real: Real = {
      get store() { return stack.store; }, get sandbox() { return stack.sandbox; }, get mapping() { return stack.mapping; }, ops: 0,
      async sync(fault) {
        const before = stack.sandbox.stats().mutations;
        let done = false;
        const sync = runSyncOnce(stack.client, stack.store, { pageSize: 50 }).finally(() => { done = true; });
        if (fault === 'worker killed') {
          while (!done && stack.sandbox.stats().mutations < before + 3) await new Promise((r) => setTimeout(r, 10));
          if (!done) {
            await stopWorker('SIGKILL');
            kills++;
            worker = startWorker();
          }
        }
        return { failed: (await sync).failed };
      },
      async verify(repair) {
        const r = await runVerify(stack.client, stack.store, { scope: { customer: null, po: null }, repair, reportFile: null, boardId: stack.mapping.items.boardId }, () => {});
        return { drift: r.drift, failed: r.summary.repair?.failed ?? 0 };
      },
    };
    const seed = process.env.CONVERGENCE_SEED ? Number(process.env.CONVERGENCE_SEED) : Date.now() ^ (Math.random() * 0x7fffffff);
    await fc.assert(fc.asyncProperty(sequenceArbitrary(5, 'worker killed'), async (cmds) => {
      stack.sandbox.reset();
      const rows = await runModel(real, `T${sequence++}`, cmds);
      for (const where of rows) await stack.store.deleteSourceRows(where);
    }), { numRuns: 2, seed, endOnFailure: true }).catch((err: unknown) => {
      throw new Error(`convergence through the workflows failed (seed ${seed})\n${(err as Error).message}`);
    });
    // Each sequence's first sync lost its worker; a later sync of a sequence may draw the same fault.
    expect(kills).toBeGreaterThanOrEqual(2);
  }, 8 * 60_000);
});
