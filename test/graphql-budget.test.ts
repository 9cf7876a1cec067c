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
