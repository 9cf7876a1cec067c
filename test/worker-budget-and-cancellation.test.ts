// Issue 14's smaller pieces: the budget learns what other workers on the account spend, a cancelled activity's
// Monday request is aborted (real HTTP to the sandbox), and an API key never travels without TLS.
import { MondayBudget } from '../graphql/budget';
import { MondayClient, withAbortSignal } from '../graphql/client';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { loadConfig, ConfigError } from '../config';
import { mondayActivitiesPerSecond, temporalTarget } from '../worker';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('several workers on one Monday budget', () => {
  test('what the account spent beyond this worker\'s own requests is taken off what is left', async () => {
    const lonely = new MondayBudget({ complexityPerMinute: 10_000_000 });
    const shared = new MondayBudget({ complexityPerMinute: 10_000_000 });
    for (const b of [lonely, shared]) b.observe({ complexityLeft: 1_000_000, resetInSeconds: 60 });
    await sleep(100);
    lonely.observe({ complexityLeft: 1_000_000, resetInSeconds: 60 });
    // 200k gone in 100 ms that this worker did not send: another worker spends about 2,000 points per ms.
    shared.observe({ complexityLeft: 800_000, resetInSeconds: 60 });
    expect(shared.snapshot().othersPerMinute).toBeGreaterThan(40_000_000);   // ~2,000 per ms, smoothed on the way up
    expect(lonely.snapshot()).toMatchObject({ othersPerMinute: 0, share: 1 });
    // This worker sent nothing meanwhile: its own pace is set to a tenth of the budget until it has a rate of its own.
    expect(shared.snapshot().share).toBe(0.1);
    await sleep(300);
    // At the others' (smoothed) rate, ~300k or more of the 800k are gone by now: a 700k request must wait for the reset.
    const granted = await Promise.race([shared.acquire({ complexity: 700_000, isMutation: false }).then(() => true), sleep(300).then(() => false)]);
    expect(granted).toBe(false);
    // Alone on the account the same request fits.
    await expect(Promise.race([lonely.acquire({ complexity: 700_000, isMutation: false }).then(() => true), sleep(300).then(() => false)])).resolves.toBe(true);
  });

  test('the server-side task-queue ceiling follows the account budget, not a fixed number', () => {
    expect(mondayActivitiesPerSecond(loadConfig({}))).toBeCloseTo(10_000_000 / 30_000 / 60, 5);
    expect(mondayActivitiesPerSecond(loadConfig({ MONDAY_COMPLEXITY_PER_MINUTE: '3000000', MONDAY_TIME_SCALE: '60' }))).toBeCloseTo(100, 5);
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
