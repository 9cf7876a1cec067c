// The Monday client against the sandbox: every error class as the sandbox produces it, the
// Idempotency-Key replay, and the shared budget keeping concurrent callers clear of 429s.
import { MondayBudget } from '../graphql/budget';
import { MondayClient } from '../graphql/client';
import { MondayApiError, toActivityFailure } from '../graphql/errors';
import { startSandbox, type Sandbox } from '../sandbox/server';

const TOKEN = 'sandbox-token-0123456789';
const ITEMS_BOARD = '9200517329';
const KEY_COLUMN = 'text_mkr61hpz';

let sandbox: Sandbox;
beforeAll(async () => { sandbox = await startSandbox({ tokens: [TOKEN] }); });
afterAll(async () => { await sandbox.close(); });
beforeEach(() => {
  sandbox.reset();
  sandbox.setFaults({ serverErrorRate: 0, commitThenDropRate: 0, latencyMs: { min: 0, max: 0 } });
  sandbox.setLimits({ complexityPerMinute: 10_000_000, requestsPerMinute: 5000, maxConcurrent: 250, dailyCalls: 1_000_000, timeScale: 1 });
});

/** A budget that stops nothing and ignores the server's signals, so the sandbox's limits are hit. */
class OpenBudget extends MondayBudget {
  constructor() { super({ complexityPerMinute: 1e12, requestsPerMinute: 1e9, maxConcurrentMutationsPerBoard: 1000 }); }
  protected override learn(): void {}
  override pause(): void {}
}
const unguarded = (opts: Partial<ConstructorParameters<typeof MondayClient>[0]> = {}) =>
  new MondayClient({ url: sandbox.url, token: TOKEN, timeoutMs: 5000, budget: new OpenBudget(), ...opts });

const item = (key: string, columnValues: Record<string, unknown> = {}) =>
  ({ boardId: ITEMS_BOARD, itemName: key, groupId: null, columnValues: { [KEY_COLUMN]: key, ...columnValues }, createLabelsIfMissing: false });

async function failureOf(p: Promise<unknown>): Promise<MondayApiError> {
  try { await p; } catch (e) { if (e instanceof MondayApiError) return e; throw e; }
  throw new Error('expected a MondayApiError');
}

test('complexity exhausted: 429 with retry_in_seconds becomes nextRetryDelay', async () => {
  sandbox.setLimits({ complexityPerMinute: 70_000 });
  const client = unguarded();
  await client.createItem(item('C1'), 'c1');
  await client.createItem(item('C2'), 'c2');
  const err = await failureOf(client.createItem(item('C3'), 'c3'));
  expect([err.kind, err.code, err.httpStatus]).toEqual(['rate_limit', 'COMPLEXITY_BUDGET_EXHAUSTED', 429]);
  expect(err.retryAfterMs).toBeGreaterThan(0);
  expect(err.retryAfterMs).toBeLessThanOrEqual(60_000);
  expect(toActivityFailure(err, { orderKey: 'C3', step: 'create-item' }).nextRetryDelay).toBe(Math.ceil(err.retryAfterMs!));
});

test('minute rate limit and daily limit are rate limits', async () => {
  sandbox.setLimits({ requestsPerMinute: 1 });
  const client = unguarded();
  await client.complexity();
  const minute = await failureOf(client.complexity());
  expect([minute.kind, minute.code]).toEqual(['rate_limit', 'MINUTE_RATE_LIMIT_EXCEEDED']);
  sandbox.reset();
  sandbox.setLimits({ requestsPerMinute: 5000, dailyCalls: 1 });
  await client.complexity();
  const daily = await failureOf(client.complexity());
  expect([daily.kind, daily.code]).toEqual(['rate_limit', 'DAILY_LIMIT_EXCEEDED']);
  expect(toActivityFailure(daily, { orderKey: 'K', step: 's' }).nonRetryable).toBe(false);
});

test('5xx is transient', async () => {
  sandbox.setFaults({ serverErrorRate: 1 });
  const err = await failureOf(unguarded().createItem(item('E1'), 'e1'));
  expect([err.kind, err.httpStatus]).toEqual(['transient', 500]);
});

test('commit then drop is transient, and the retry with the same key is replayed, not re-created', async () => {
  const client = unguarded();
  sandbox.setFaults({ commitThenDropRate: 1 });
  const err = await failureOf(client.createItem(item('D1'), 'd1-key'));
  expect([err.kind, err.code]).toEqual(['transient', 'NETWORK_ERROR']);
  sandbox.setFaults({ commitThenDropRate: 0 });
  const id = await client.createItem(item('D1'), 'd1-key');
  expect(sandbox.stats().idempotentReplays).toBe(1);
  expect((await client.findItemsByKey(ITEMS_BOARD, KEY_COLUMN, 'D1')).map((i) => i.id)).toEqual([id]);
});

test('a timeout is transient', async () => {
  sandbox.setFaults({ latencyMs: { min: 400, max: 400 } });
  const err = await failureOf(unguarded({ timeoutMs: 100 }).createItem(item('T1'), 't1'));
  expect([err.kind, err.code]).toEqual(['transient', 'TIMEOUT']);
});

test('409 IDEMPOTENCY_CONFLICT for the same key while the first request is in flight is transient', async () => {
  sandbox.setFaults({ latencyMs: { min: 300, max: 300 } });
  const client = unguarded();
  const [first, second] = await Promise.allSettled([
    client.createItem(item('I1'), 'same-key'),
    new Promise((r) => setTimeout(r, 50)).then(() => client.createItem(item('I1'), 'same-key')),
  ]);
  expect(first.status).toBe('fulfilled');
  const err = (second as PromiseRejectedResult).reason as MondayApiError;
  expect([err.kind, err.code, err.httpStatus]).toEqual(['transient', 'IDEMPOTENCY_CONFLICT', 409]);
});

test('ColumnValueException is permanent and names the order, the column and the value', async () => {
  const columnValues = { [KEY_COLUMN]: 'PO9|ST|RED', dropdown_mkrak7qp: { labels: ['Size That Does Not Exist'] } };
  const client = unguarded();
  const err = await failureOf(client.call((await import('../graphql/documents')).documents.createSubitem, {
    parent_item_id: await client.createItem(item('PO9|ST|RED'), 'p9'), item_name: 'Size ?', column_values: JSON.stringify({ dropdown_mkrak7qp: { labels: ['Size That Does Not Exist'] } }), create_labels_if_missing: false,
  }, { boardId: '9200771505', idempotencyKey: 'cv' }));
  expect([err.kind, err.code]).toEqual(['permanent', 'ColumnValueException']);
  const f = toActivityFailure(err, { orderKey: 'PO9|ST|RED', step: 'create-subitems', columnValues });
  expect(f.nonRetryable).toBe(true);
  expect(f.type).toBe('ColumnValueException');
  expect(f.message).toContain('PO9|ST|RED');
  expect(f.message).toContain('dropdown_mkrak7qp');
  expect(f.message).toContain('Size That Does Not Exist');
});

test('a wrong token is a permanent 401, and no message carries the token', async () => {
  const wrong = 'wrong-token-abcdef123456';
  const err = await failureOf(new MondayClient({ url: sandbox.url, token: wrong }).complexity());
  expect([err.kind, err.httpStatus]).toEqual(['permanent', 401]);
  expect(err.message).not.toContain(wrong);
  expect(toActivityFailure(err, { orderKey: 'K', step: 's' }).message).not.toContain(wrong);
});

test('one shared budget keeps 30 concurrent writers clear of 429s where an unguarded client storms', async () => {
  const limits = { complexityPerMinute: 300_000, timeScale: 30 }; // 10 mutations per 2 s "minute"
  sandbox.setLimits(limits);
  const unguardedClient = unguarded();
  const storm = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => unguardedClient.createItem(item(`U${i}`), `u${i}`)));
  expect(storm.filter((r) => r.status === 'rejected').length).toBeGreaterThan(10);
  expect(sandbox.stats().rateLimited).toBeGreaterThan(10);

  sandbox.reset();
  sandbox.setLimits(limits);
  const budget = new MondayBudget({ complexityPerMinute: limits.complexityPerMinute, timeScale: limits.timeScale });
  const clients = [0, 1, 2].map(() => new MondayClient({ url: sandbox.url, token: TOKEN, budget }));
  const started = Date.now();
  const guarded = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => clients[i % 3]!.createItem(item(`G${i}`), `g${i}`)));
  expect(guarded.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
  expect(sandbox.stats().rateLimited).toBe(0);
  expect(Date.now() - started).toBeGreaterThanOrEqual(3500); // 30 writes = 3 full windows waited
}, 30_000);
