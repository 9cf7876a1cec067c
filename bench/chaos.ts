// `npm run chaos [-- --only a,c --orders 200]`: fault-injection scenarios on the real pipeline, each on a
// fresh stack, each reported PASS or FAIL with its evidence. Exits 1 if any scenario fails.
import { parseArgs } from 'node:util';
import { chaosScenarios } from './chaos-scenarios';
import { log } from './support/run';

const { values } = parseArgs({ options: { only: { type: 'string' }, orders: { type: 'string', default: '200' } } });
const scenarios = chaosScenarios(Number(values.orders));

async function main() {
  const selected = values.only ? values.only.split(',') : Object.keys(scenarios);
  const results: Record<string, { title: string; pass: boolean; seconds: number; evidence: Record<string, unknown> }> = {};
  for (const id of selected) {
    const scenario = scenarios[id];
    if (!scenario) throw new Error(`no scenario ${id}`);
    log(`(${id}) ${scenario.title} ...`);
    const startedAt = Date.now();
    const outcome = await scenario.run().catch((err: Error) => ({ pass: false, evidence: { error: err.stack ?? err.message } }));
    results[id] = { title: scenario.title, pass: outcome.pass, seconds: +((Date.now() - startedAt) / 1000).toFixed(1), evidence: outcome.evidence };
    console.log(`${outcome.pass ? 'PASS' : 'FAIL'} (${id}) ${scenario.title} [${results[id]!.seconds}s] ${JSON.stringify(outcome.evidence)}`);
  }
  const failed = Object.values(results).filter((r) => !r.pass).length;
  console.log(`chaos: ${selected.length - failed} passed, ${failed} failed`);
  console.log(JSON.stringify(results));
  process.exit(failed === 0 ? 0 : 1);
}

void main();
