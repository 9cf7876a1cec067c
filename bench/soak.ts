// `npm run soak [-- --minutes 10 --max-commands 30 --seed N]`: the model-based convergence check of
// test/convergence-model.test.ts (in process: the real activities, a SQLite file, the sandbox over HTTP) for as long
// as asked, with longer sequences than CI runs. Prints the throughput (sequences and operations per minute) and, on
// a failure, the seed and fast-check's path to replay it.
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { startParts } from '../test/support/parts';
import { runSequence, sequenceArbitrary } from '../test/support/convergence-model';
import { log } from './support/run';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    'max-commands': { type: 'string', default: '30' },
    seed: { type: 'string' },
  },
});
const MINUTES = Number(values.minutes);
const seed = values.seed !== undefined ? Number(values.seed) : Date.now() ^ (Math.random() * 0x7fffffff);

async function main(): Promise<number> {
  const parts = await startParts({ subitemBatchSize: 2 });
  const stats = { ops: 0, kills: 0 };
  let sequences = 0;
  const started = Date.now();
  const deadline = started + MINUTES * 60_000;
  let failure: unknown = null;
  try {
    await fc.assert(fc.asyncProperty(sequenceArbitrary(Number(values['max-commands'])), async (cmds) => {
      await runSequence(parts, cmds, stats);
      sequences++;
      if (sequences % 50 === 0) log(`${sequences} sequences, ${stats.ops} operations`);
    }), { numRuns: Number.MAX_SAFE_INTEGER, seed, endOnFailure: true, interruptAfterTimeLimit: MINUTES * 60_000, markInterruptAsFailure: false });
  } catch (err) {
    failure = err;
  } finally {
    await parts.stop();
  }
  const minutes = (Math.min(Date.now(), deadline + 60_000) - started) / 60_000;
  console.log(JSON.stringify({
    seed, minutes: +minutes.toFixed(2), sequences, operations: stats.ops, killedAttempts: stats.kills,
    sequencesPerMinute: +(sequences / minutes).toFixed(1), operationsPerMinute: Math.round(stats.ops / minutes), failed: failure !== null,
  }));
  if (failure) console.error(`soak failed; replay with: npm run soak -- --seed ${seed}\n${(failure as Error).message}`);
  return failure ? 1 : 0;
}

void main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
