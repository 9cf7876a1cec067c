// The shared Monday budget under a long pause (daily limit, long 429 waits): callers are sent back with
// the time to wait instead of holding a worker slot; short pauses are waited out in place.
import { BudgetPausedError, LONG_PAUSE_MS, MondayBudget } from '../graphql/budget';
import { MondayApiError, toActivityFailure } from '../graphql/errors';

test('a long pause refuses new and waiting callers with the time left', async () => {
  const budget = new MondayBudget({ complexityPerMinute: 100_000, maxConcurrentMutationsPerBoard: 1 });
  const first = await budget.acquire({ boardId: 'b', complexity: 30_000, isMutation: true });
  const waiting = budget.acquire({ boardId: 'b', complexity: 30_000, isMutation: true }); // waits for the board slot
  budget.pause(3_600_000);
  await expect(waiting).rejects.toBeInstanceOf(BudgetPausedError);
  const refused = await budget.acquire({ complexity: 1, isMutation: false }).catch((e: BudgetPausedError) => e);
  expect(refused).toBeInstanceOf(BudgetPausedError);
  expect((refused as BudgetPausedError).pausedForMs).toBeGreaterThan(3_590_000);
  first();
});

test('a short pause is waited out in place', async () => {
  const budget = new MondayBudget();
  budget.pause(300);
  const startedAt = Date.now();
  const release = await budget.acquire({ complexity: 1, isMutation: false });
  expect(Date.now() - startedAt).toBeGreaterThanOrEqual(250);
  expect(300).toBeLessThan(LONG_PAUSE_MS);
  release();
});

test('the activity retries a paused call after exactly the wait Monday asked for', () => {
  const failure = toActivityFailure(new MondayApiError('wait', 'rate_limit', 'BUDGET_PAUSED', null, 1_800_000), { orderKey: 'K', step: 'upsert-item' });
  expect(failure.nonRetryable).toBeFalsy();
  expect(failure.nextRetryDelay).toBe(1_800_000);
});

// The pacing rules on the account's own figures (graphql/budget.ts). A "minute" of 1 s (timeScale 60); the jitter
// fixed at its mean (random 0.5) unless a test says otherwise.
describe('pacing on what the account has left', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** A budget that has seen another worker spend: 100k (or `othersSpent`) went between two of its own answers. */
  const shared = (left: number, othersSpent = 100_000) => {
    const budget = new MondayBudget({ complexityPerMinute: 1_000_000, timeScale: 60, random: () => 0.5 });
    budget.observe({ complexityLeft: left + othersSpent, resetInSeconds: 1 });
    budget.observe({ complexityLeft: left, resetInSeconds: 1 });
    return budget;
  };

  test('alone on the account, a worker spends the budget at once and then waits for the reset (issue 20: a lone worker at the physical limit)', async () => {
    const budget = new MondayBudget({ complexityPerMinute: 1_000_000, timeScale: 60, random: () => 0.5 });
    budget.observe({ complexityLeft: 1_000_000, resetInSeconds: 1 });
    const startedAt = Date.now();
    const at: number[] = [];
    await Promise.all(Array.from({ length: 11 }, async () => {
      const release = await budget.acquire({ complexity: 100_000, isMutation: false });
      at.push(Date.now() - startedAt);
      release({ complexityLeft: null });
    }));
    // The window's ten go at once (before: one every 100 ms); the eleventh waits for the reset, about 1 s.
    expect(at[9]).toBeLessThan(100);
    expect(at[10]).toBeGreaterThanOrEqual(950);
  });

  test('with other workers on the account, what is left is spent evenly until the reset, not in one burst', async () => {
    const budget = shared(900_000);
    const startedAt = Date.now();
    const at: number[] = [];
    await Promise.all(Array.from({ length: 8 }, async () => {
      const release = await budget.acquire({ complexity: 100_000, isMutation: false });
      at.push(Date.now() - startedAt);
      release();
    }));
    // 100k of 900k with 1 s to go: one request every ~110 ms (the first at once), the 8th at ~750 ms.
    expect(at[0]).toBeLessThan(50);
    expect(at[7]).toBeGreaterThanOrEqual(650);
    expect(at[7]).toBeLessThan(950);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(90);
  });

  test('the pace follows the account: half as much left in the same time, half the rate', async () => {
    const budget = shared(500_000, 50_000);
    const first = await budget.acquire({ complexity: 50_000, isMutation: false });
    first();
    const startedAt = Date.now();
    (await budget.acquire({ complexity: 50_000, isMutation: false }))();
    // 50k × 1,000 ms ÷ 500k = 100 ms (at 1M left it would be 50 ms).
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(90);
  });

  test('a request that does not fit what is left waits for the reset and a small margin, then the window is full', async () => {
    const budget = new MondayBudget({ complexityPerMinute: 1_000_000, timeScale: 60, random: () => 1 });
    budget.observe({ complexityLeft: 50_000, resetInSeconds: 0.3 });
    const startedAt = Date.now();
    (await budget.acquire({ complexity: 100_000, isMutation: false }))();
    const waited = Date.now() - startedAt;
    // Reset at 300 ms, margin 1% of the 1 s window at random 1: 10 ms.
    expect(waited).toBeGreaterThanOrEqual(305);
    expect(waited).toBeLessThan(450);
    expect(budget.snapshot().accountLeft).toBe(900_000);
  });

  test('an answer does not count this worker\'s requests sent after it', async () => {
    const budget = new MondayBudget({ complexityPerMinute: 10_000_000, timeScale: 60, random: () => 0 });
    budget.observe({ complexityLeft: 9_000_000, resetInSeconds: 1 });
    const a = await budget.acquire({ complexity: 100_000, isMutation: false });
    const b = await budget.acquire({ complexity: 100_000, isMutation: false });
    // Monday answers `a` having counted only `a`: `b` is still on its way and comes off the reported figure.
    a({ complexityLeft: 8_900_000, resetInSeconds: 0.99 });
    expect(budget.snapshot()).toMatchObject({ accountLeft: 8_800_000, reserve: 0 });
    b({ complexityLeft: 8_800_000, resetInSeconds: 0.98 });
    expect(budget.snapshot()).toMatchObject({ accountLeft: 8_800_000, reserve: 0 });
    await sleep(0);
  });
});

test('the configured budget caps this worker even when Monday reports more left (room kept for other integrations)', async () => {
  const budget = new MondayBudget({ complexityPerMinute: 60_000, timeScale: 60, random: () => 0.5 });
  const first = await budget.acquire({ complexity: 60_000, isMutation: false });
  first({ complexityLeft: 1_000_000_000, resetInSeconds: 60 });
  const startedAt = Date.now();
  const second = await budget.acquire({ complexity: 30_000, isMutation: false });
  // The own minute (1 s at this time scale) must pass first, whatever Monday says the account has.
  expect(Date.now() - startedAt).toBeGreaterThanOrEqual(800);
  second();
});
