// Issue 20's client fixes, each shown against a stub or the sandbox over HTTP; each fails on the code before it.
import { MondayBudget, BudgetPausedError } from '../graphql/budget';
import { MondayClient, idempotencyKey } from '../graphql/client';
import { MondayApiError, classifyResponse, isCursorExpired, retryAfterHeaderMs, toActivityFailure } from '../graphql/errors';
import { syncSubitems, type SubitemWrite } from '../graphql/order-writer';
import { startSandbox } from '../sandbox/server';
import { documents } from '../graphql/documents';
import { describeDailyCalls } from '../cli/orders';
import { startStub, type Reply, type Seen } from './support/monday-stub';

const TOKEN = 'limits-test-token';
let stub: Awaited<ReturnType<typeof startStub>> | null = null;
afterEach(async () => { await stub?.close(); stub = null; });
async function clientFor(handler: (req: Seen, n: number) => Reply, opts: Partial<ConstructorParameters<typeof MondayClient>[0]> = {}) {
  stub = await startStub(handler);
  return new MondayClient({ url: stub.url, token: TOKEN, timeoutMs: 2_000, ...opts });
}

test('FIELD_MINUTE_RATE_LIMIT_EXCEEDED with status 400 is a rate limit, retried after Monday\'s wait', () => {
  const [e] = classifyResponse({ httpStatus: 200, body: { errors: [{ message: 'Rate limit exceeded for the field.', extensions: { code: 'FIELD_MINUTE_RATE_LIMIT_EXCEEDED', status_code: 400, retry_in_seconds: 18 } }] } });
  expect(e).toMatchObject({ kind: 'rate_limit', retryAfterMs: 18_000 });
  expect(toActivityFailure(e, { orderKey: 'K', step: 's' }).nonRetryable).toBe(false);
});

test('Retry-After as an HTTP date is the time until that date (it used to fall back to 1 s)', () => {
  const now = Date.parse('2026-12-01T10:00:00Z');
  expect(retryAfterHeaderMs('Tue, 01 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
  expect(retryAfterHeaderMs('Tue, 01 Dec 2026 09:59:00 GMT', now)).toBe(0);
  expect(retryAfterHeaderMs('12', now)).toBe(12_000);
  const [e] = classifyResponse({ httpStatus: 429, headers: { 'retry-after': new Date(Date.now() + 45_000).toUTCString() }, body: { errors: [{ message: 'slow down' }] } });
  expect(e!.retryAfterMs).toBeGreaterThan(40_000);
});

test('an expired cursor is recognised by its code, never by a message that mentions a cursor', () => {
  expect(isCursorExpired(new MondayApiError('The cursor has expired', 'permanent', 'CursorExpiredError', 200, null))).toBe(true);
  expect(isCursorExpired(new MondayApiError('cursor must be a string', 'permanent', 'InvalidArgumentException', 200, null))).toBe(false);
});

test('the sandbox expires a cursor after 60 (time-scaled) minutes with CursorExpiredError, and refuses items_page on a subitems board', async () => {
  const sandbox = await startSandbox({ tokens: [TOKEN], limits: { timeScale: 3600 } }); // a minute lasts 16.7 ms
  try {
    const client = new MondayClient({ url: sandbox.url, token: TOKEN });
    for (let i = 0; i < 3; i++) await client.createItem({ boardId: '9200517329', itemName: `I${i}`, groupId: null, columnValues: {}, createLabelsIfMissing: false }, idempotencyKey(`I${i}`, 'c', 'h'));
    const first = await client.boardItemsPage({ boardId: '9200517329', cursor: null, limit: 1, columnIds: [] });
    await new Promise((r) => setTimeout(r, 1_200));
    const expired = await client.boardItemsPage({ boardId: '9200517329', cursor: first.cursor, limit: 1, columnIds: [] }).catch((e: unknown) => e);
    expect(isCursorExpired(expired)).toBe(true);
    await expect(client.boardItemsPage({ boardId: '9200771505', cursor: null, limit: 1, columnIds: [] })).rejects.toMatchObject({ code: 'InvalidArgumentException' });
  } finally {
    await sandbox.close();
  }
});

test('an archived item holding the key is not the order line\'s item', async () => {
  const client = await clientFor(() => ({ body: { data: { items_page_by_column_values: { items: [
    { id: '11', name: 'old', state: 'archived', column_values: [{ id: 'text_mkr61hpz', text: 'K1' }] },
    { id: '12', name: 'live', state: 'active', column_values: [{ id: 'text_mkr61hpz', text: 'K1' }] },
  ] } } } }));
  expect(await client.findItemsByKey('9200517329', 'text_mkr61hpz', 'K1')).toEqual([{ id: '12', name: 'live' }]);
});

describe('daily calls', () => {
  test('calls are counted against the allowance (a rejected one a tenth); when spent, requests wait for midnight UTC', async () => {
    const budget = new MondayBudget({ dailyCalls: 3 });
    (await budget.acquire({ complexity: 1, isMutation: false }))();
    (await budget.acquire({ complexity: 1, isMutation: false }))(undefined, 0.1);
    budget.setOthersCallsToday(budget.dailyCallsToday().day, 1.5);
    expect(budget.dailyCallsToday()).toMatchObject({ own: 1.1, others: 1.5, lastHour: 1.1, limit: 3 });
    (await budget.acquire({ complexity: 1, isMutation: false }))();
    const refused = await budget.acquire({ complexity: 1, isMutation: false }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BudgetPausedError);
    expect((refused as BudgetPausedError).dailyCallsSpent).toBe(true);
  });

  test('the client turns a spent daily budget into DAILY_CALLS_BUDGET, retried within the hour', async () => {
    const client = await clientFor(() => ({ body: { data: { items: [{ id: '1', state: 'active' }] } } }), { budget: new MondayBudget({ dailyCalls: 1 }) });
    await client.itemState('1');
    const err = await client.itemState('1').catch((e: unknown) => e as MondayApiError);
    expect(err).toMatchObject({ code: 'DAILY_CALLS_BUDGET', kind: 'rate_limit' });
    const failure = toActivityFailure(err, { orderKey: 'K', step: 's' });
    expect(failure.nextRetryDelay).toBeLessThanOrEqual(3_600_000);
    expect(stub!.seen).toHaveLength(1); // the refused call never reached Monday
  });
});

test('the subitem batch shrinks when Monday is slow per alias, so a request stays under its target', async () => {
  // 40 ms per alias; the client aims at 200 ms a request: 10 aliases (400 ms) once, then 5.
  const client = await clientFor((req) => {
    const aliases = Object.keys(req.variables).filter((k) => k.startsWith('item_name_')).length;
    return { delayMs: 40 * aliases, body: { data: Object.fromEntries(Array.from({ length: aliases }, (_, i) => [`a${i}`, { id: String(1000 + Number(req.variables[`item_name_${i}`])) }])) } };
  }, { subitemBatchSize: 10, batchTargetMs: 200 });
  const write = (key: string, n: number): SubitemWrite => ({
    parentItemId: '1', subitemsBoardId: '2', orderKey: key, sizeColumnId: 's', qtyColumnId: 'q', createLabelsIfMissing: false, known: [], reconcile: false,
    removedSizes: 'zero', payloadHash: 'h', wanted: Array.from({ length: n }, (_, i) => ({ size: String(i), name: String(i), qty: 1, columnValues: {} })),
  });
  expect(client.subitemBatchSizeNow()).toBe(10);
  await syncSubitems(client, write('A', 10));
  // At least 40 ms per alias was observed: at most 200 / 40 = 5 fit the target (before issue 20: always 25).
  expect(client.subitemBatchSizeNow()).toBeLessThanOrEqual(5);
  await syncSubitems(client, write('B', 10));
  const sizes = stub!.seen.map((s) => Object.keys(s.variables).filter((k) => k.startsWith('item_name_')).length);
  expect(sizes[0]).toBe(10);
  expect(sizes.slice(1).every((n) => n <= 5)).toBe(true);
  expect(sizes.slice(1).reduce((a, b) => a + b, 0)).toBe(10);
});

test('the sandbox cuts a request at Monday\'s 60 s (here 300 ms): what it began stays committed, the answer is a 504 and nothing is cached', async () => {
  const sandbox = await startSandbox({ tokens: [TOKEN], limits: { requestTimeoutMs: 300 }, faults: { aliasCommitDelayMs: 100 } });
  try {
    const client = new MondayClient({ url: sandbox.url, token: TOKEN, timeoutMs: 5_000 });
    const parent = await client.createItem({ boardId: '9200517329', itemName: 'P', groupId: null, columnValues: {}, createLabelsIfMissing: false }, idempotencyKey('P', 'c', 'h'));
    const batch = client.batch(documents.createSubitem, 10);
    const variables = batch.variables(Array.from({ length: 10 }, (_, i) => ({ parent_item_id: parent, item_name: `S${i}`, column_values: '{}' })));
    const cut = await client.call(batch.operation, variables, { idempotencyKey: 'batch-1', partial: true }, 10).catch((e: unknown) => e);
    expect(cut).toMatchObject({ httpStatus: 504, kind: 'transient' });
    const committed = (await client.itemSubitems(parent, [])).length;
    expect(committed).toBeGreaterThanOrEqual(2);
    expect(committed).toBeLessThan(10);
    expect(sandbox.stats().requestsCut).toBe(1);
  } finally {
    await sandbox.close();
  }
});

test('status\'s line: the account\'s calls today from every worker\'s row, and the forecast at the last hour\'s pace', async () => {
  const now = new Date('2026-12-05T18:00:00Z');
  const row = (workerId: string, callsToday: number, callsLastHour: number, updatedAt = now.toISOString()) => ({
    workerId, updatedAt, complexityUsed: 0, complexityPerMinute: 1, requests: 0, requestsPerMinute: 1, waiting: 0, waitingFor: null, waitMs: 0,
    pausedForMs: 0, dailyLimitUntil: null, callsDay: '2026-12-05', callsToday, callsLastHour, dailyCalls: 10_000,
  });
  const ops = { liveWorkerStatuses: async () => [row('a', 3_000, 400), row('b', 1_000, 100), row('stopped', 2_000, 900, '2026-12-05T09:00:00Z'), { ...row('yesterday', 9_999, 0), callsDay: '2026-12-04' }] };
  // 6,000 used; 500 an hour from the workers still running, 6 hours to midnight UTC: 9,000.
  expect(await describeDailyCalls(ops as never, now)).toBe("Monday calls today (UTC): 6,000 of 10,000 (60 %) by 3 worker(s); at the last hour's pace 9,000 by midnight UTC (90 %)");
});
