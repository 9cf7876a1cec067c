// Issue 14's smaller pieces: the budget keeps back what other workers on the account spend, a cancelled activity's
// Monday request is aborted (real HTTP to the sandbox), and an API key never travels without TLS.
import { MondayBudget } from '../graphql/budget';
import { MondayClient, withAbortSignal } from '../graphql/client';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { loadConfig, ConfigError } from '../config';
import { mondayActivitiesPerSecond, temporalTarget } from '../worker';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('several workers on one Monday budget', () => {
  test('what the others sent that this worker had not heard of is kept back for them', async () => {
    // A 1 s "minute"; both workers see 900k left, send 100k, and hear back: the lonely one 800k (its own 100k),
    // the shared one 500k (another worker spent 300k meanwhile).
    const lonely = new MondayBudget({ complexityPerMinute: 1_000_000, timeScale: 60, random: () => 0 });
    const shared = new MondayBudget({ complexityPerMinute: 1_000_000, timeScale: 60, random: () => 0 });
    for (const [budget, left] of [[lonely, 800_000], [shared, 500_000]] as const) {
      budget.observe({ complexityLeft: 900_000, resetInSeconds: 0.5 });
      (await budget.acquire({ complexity: 100_000, isMutation: false }))({ complexityLeft: left, resetInSeconds: 0.49 });
    }
    expect(lonely.snapshot()).toMatchObject({ accountLeft: 800_000, reserve: 0 });
    expect(shared.snapshot()).toMatchObject({ accountLeft: 500_000, reserve: 300_000 });
    // 400k fits the 500k the account had, not the 200k left after another 300k of the others': the shared worker
    // waits for the reset, the lonely one sends at its pace.
    const startedAt = Date.now();
    const granted = (b: MondayBudget) => b.acquire({ complexity: 400_000, isMutation: false }).then((release) => { release(); return Date.now() - startedAt; });
    const [alone, beside] = await Promise.all([granted(lonely), granted(shared)]);
    expect(alone).toBeLessThan(150);
    expect(beside).toBeGreaterThanOrEqual(450);
  });

  test('the reserve rises at once and halves with each answer that finds the view right', () => {
    const budget = new MondayBudget({ complexityPerMinute: 1_000_000 });
    budget.observe({ complexityLeft: 900_000, resetInSeconds: 30 });
    budget.observe({ complexityLeft: 600_000, resetInSeconds: 30 }); // 300k this worker did not send
    expect(budget.snapshot().reserve).toBe(300_000);
    budget.observe({ complexityLeft: 600_000, resetInSeconds: 30 });
    expect(budget.snapshot().reserve).toBe(150_000);
    // A new window (another reset time) says nothing about the others: the reserve stays as it was.
    budget.observe({ complexityLeft: 1_000_000, resetInSeconds: 60 });
    expect(budget.snapshot()).toMatchObject({ accountLeft: 1_000_000, reserve: 150_000 });
  });

  test('the server-side task-queue ceiling follows the account budget, not a fixed number', () => {
    expect(mondayActivitiesPerSecond(loadConfig({}))).toBeCloseTo(10_000_000 / 30_000 / 6, 5);
    expect(mondayActivitiesPerSecond(loadConfig({ MONDAY_COMPLEXITY_PER_MINUTE: '3000000', MONDAY_TIME_SCALE: '60' }))).toBeCloseTo(1000, 5);
    expect(mondayActivitiesPerSecond(loadConfig({ MONDAY_ACTIVITIES_PER_SECOND: '2' }))).toBe(2);
  });
});

describe('cancellation reaches the Monday request', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, tokens: ['t'], faults: { latencyMs: { min: 3000, max: 3000 } } });
  });
  afterAll(() => sandbox?.close());

  test('aborting the caller\'s signal ends the request at once, not after Monday answers', async () => {
    const client = new MondayClient({ url: sandbox.url, token: 't', timeoutMs: 30_000 });
    const controller = new AbortController();
    const startedAt = Date.now();
    const call = withAbortSignal(controller.signal, () => client.complexity());
    setTimeout(() => controller.abort(), 200);
    await expect(call).rejects.toMatchObject({ kind: 'transient' });
    expect(Date.now() - startedAt).toBeLessThan(1500);
    // Without a signal the same call waits for the answer.
    const plain = Date.now();
    await client.complexity();
    expect(Date.now() - plain).toBeGreaterThanOrEqual(2900);
  });
});

describe('Temporal connection security', () => {
  test('an API key turns TLS on, and TEMPORAL_TLS=false with a key is refused', () => {
    expect(temporalTarget(loadConfig({ TEMPORAL_API_KEY: 'k' }), 'x:1').tls).toBe(true);
    expect(temporalTarget(loadConfig({}), 'x:1').tls).toBe(false);
    expect(temporalTarget(loadConfig({ TEMPORAL_TLS: 'true' }), 'x:1').tls).toBe(true);
    expect(() => temporalTarget(loadConfig({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }), 'x:1')).toThrow(ConfigError);
    expect(() => temporalTarget(loadConfig({ TEMPORAL_API_KEY: 'secret-key-value', TEMPORAL_TLS: 'false' }), 'x:1')).toThrow(/^(?!.*secret-key-value)/s);
  });
});
