// The Monday client against a tiny local stub that answers with canned Monday bodies: every error
// class, the legacy shapes, partial aliased batches, the budget and token hygiene.
import { ApplicationFailure } from '@temporalio/common';
import { MondayBudget } from '../graphql/budget';
import { MondayClient, idempotencyKey } from '../graphql/client';
import { MondayApiError, classifyResponse, msUntilMidnightUtc, toActivityFailure } from '../graphql/errors';
import { syncSubitems, upsertItem } from '../graphql/order-writer';

const TOKEN = 'secret-token-eyJhbGciOi';

import { startStub, type Reply, type Seen } from './support/monday-stub';

let stub: Awaited<ReturnType<typeof startStub>> | null = null;
afterEach(async () => { await stub?.close(); stub = null; });

async function clientFor(handler: (req: Seen, n: number) => Reply, opts: Partial<ConstructorParameters<typeof MondayClient>[0]> = {}) {
  stub = await startStub(handler);
  return new MondayClient({ url: stub.url, token: TOKEN, timeoutMs: 500, ...opts });
}

const createItemVars = { boardId: '9200517329', itemName: 'PO 1', groupId: null, columnValues: { text_mkr61hpz: 'K1' }, createLabelsIfMissing: false };

async function failureOf(p: Promise<unknown>): Promise<MondayApiError> {
  try { await p; } catch (e) { if (e instanceof MondayApiError) return e; throw e; }
  throw new Error('expected a MondayApiError');
}

test('sends the raw token, the pinned API version and the Idempotency-Key; parses the id', async () => {
  const client = await clientFor(() => ({ body: { data: { create_item: { id: '12345678901' }, complexity: { query: 30001, after: 9_969_999, reset_in_x_seconds: 60 } } } }));
  await expect(client.createItem(createItemVars, 'key-1')).resolves.toBe('12345678901');
  const h = stub!.seen[0]!.headers;
  expect(h.authorization).toBe(TOKEN);
  expect(h['api-version']).toBe('2026-10');
  expect(h['idempotency-key']).toBe('key-1');
  expect(JSON.parse(stub!.seen[0]!.variables.column_values as string)).toEqual({ text_mkr61hpz: 'K1' });
});

test('a mutation without an Idempotency-Key is refused before it is sent', async () => {
  const client = await clientFor(() => ({ body: { data: {} } }));
  const { documents } = await import('../graphql/documents');
  await expect(client.call(documents.archiveItem, { item_id: '1' })).rejects.toThrow(/Idempotency-Key/);
  expect(stub!.seen).toHaveLength(0);
});

describe('rate limits', () => {
  test('429 COMPLEXITY_BUDGET_EXHAUSTED → rate_limit, nextRetryDelay = retry_in_seconds, budget paused', async () => {
    const client = await clientFor(() => ({ status: 429, headers: { 'retry-after': '30' }, body: { errors: [{ message: 'Complexity budget exhausted', extensions: { code: 'COMPLEXITY_BUDGET_EXHAUSTED', retry_in_seconds: 22 } }], extensions: { request_id: 'r1' } } }));
    const err = await failureOf(client.createItem(createItemVars, 'k'));
    expect([err.kind, err.code, err.httpStatus, err.retryAfterMs]).toEqual(['rate_limit', 'COMPLEXITY_BUDGET_EXHAUSTED', 429, 22_000]);
    expect(client.budget.snapshot().pausedForMs).toBeGreaterThan(20_000);
    const f = toActivityFailure(err, { orderKey: 'K1', step: 'create-item' });
    expect(f.nonRetryable).toBe(false);
    expect(f.nextRetryDelay).toBe(22_000);
  });

  test('the Retry-After header is used when the body has no wait', async () => {
    const client = await clientFor(() => ({ status: 429, headers: { 'retry-after': '7' }, body: { errors: [{ message: 'Minute rate limit exceeded', extensions: { code: 'MINUTE_RATE_LIMIT_EXCEEDED' } }] } }));
    const err = await failureOf(client.complexity());
    expect([err.kind, err.retryAfterMs]).toEqual(['rate_limit', 7000]);
  });

  test('legacy ComplexityException delivered with HTTP 200 is a rate limit, wait read from the message', async () => {
    const client = await clientFor(() => ({ body: { error_code: 'ComplexityException', status_code: 429, error_message: 'Complexity budget exhausted, query cost 30001 budget remaining 19986 out of 1000000 reset in 3 seconds', error_data: {}, errors: ['Complexity budget exhausted'], account_id: 1 } }));
    const err = await failureOf(client.createItem(createItemVars, 'k'));
    expect([err.kind, err.code, err.httpStatus, err.retryAfterMs]).toEqual(['rate_limit', 'ComplexityException', 200, 3000]);
  });

  test('legacy FIELD_LIMIT_EXCEEDED with error_data.retry_in_seconds', () => {
    const [err] = classifyResponse({ httpStatus: 429, body: { error_message: 'Concurrency limit exceeded for the field', error_code: 'FIELD_LIMIT_EXCEEDED', error_data: { retry_in_seconds: 15, entity: 'boards' }, status_code: 429 } });
    expect([err?.kind, err?.retryAfterMs]).toEqual(['rate_limit', 15_000]);
  });

  test('the per-query complexity cap is permanent: waiting will not make the query cheaper', () => {
    const [err] = classifyResponse({ httpStatus: 200, body: { error_code: 'ComplexityException', error_message: 'Query has complexity of 6016020, which exceeds max complexity of 5000000' } });
    expect(err?.kind).toBe('permanent');
  });

  test('DAILY_LIMIT_EXCEEDED waits until midnight UTC, at most an hour', async () => {
    const client = await clientFor(() => ({ status: 429, body: { errors: [{ message: 'Daily limit exceeded', extensions: { code: 'DAILY_LIMIT_EXCEEDED', retry_in_seconds: 3599 } }] } }));
    const err = await failureOf(client.complexity());
    const f = toActivityFailure(err, { orderKey: 'K1', step: 'create-item' });
    expect(f.nonRetryable).toBe(false);
    expect(f.nextRetryDelay).toBeLessThanOrEqual(Math.min(3_600_000, msUntilMidnightUtc() + 1000));
    expect(f.nextRetryDelay).toBeGreaterThan(0);
  });
});

describe('transient errors', () => {
  const expectTransient = (err: MondayApiError, code: string | RegExp) => {
    expect(err.kind).toBe('transient');
    expect(err.code).toMatch(code);
    const f = toActivityFailure(err, { orderKey: 'K1', step: 'create-item' });
    expect(f.nonRetryable).toBe(false);
    expect(f.nextRetryDelay).toBeUndefined();
  };
  test('HTTP 500 with a text body', async () => {
    const client = await clientFor(() => ({ status: 500, body: 'Internal Server Error' }));
    expectTransient(await failureOf(client.createItem(createItemVars, 'k')), 'HTTP_500');
  });
  test('HTTP 502 with a GraphQL error body', async () => {
    const client = await clientFor(() => ({ status: 502, body: { errors: [{ message: 'Bad gateway' }] } }));
    expectTransient(await failureOf(client.createItem(createItemVars, 'k')), 'HTTP_502');
  });
  test('connection dropped after the request was sent', async () => {
    const client = await clientFor(() => 'drop');
    expectTransient(await failureOf(client.createItem(createItemVars, 'k')), 'NETWORK_ERROR');
  });
  test('no answer within timeoutMs', async () => {
    const client = await clientFor(() => 'hang', { timeoutMs: 200 });
    const started = Date.now();
    expectTransient(await failureOf(client.createItem(createItemVars, 'k')), 'TIMEOUT');
    expect(Date.now() - started).toBeLessThan(2000);
  });
  test('409 IDEMPOTENCY_CONFLICT while the first request is in flight', async () => {
    const client = await clientFor(() => ({ status: 409, headers: { 'retry-after': '1' }, body: { errors: [{ message: 'A request with this idempotency key is currently being processed', extensions: { code: 'IDEMPOTENCY_CONFLICT' } }] } }));
    expectTransient(await failureOf(client.createItem(createItemVars, 'k')), 'IDEMPOTENCY_CONFLICT');
  });
});

describe('permanent errors', () => {
  test('ColumnValueException → nonRetryable, message names the order, the column and the value', async () => {
    const client = await clientFor(() => ({ body: { data: { create_item: null }, errors: [{ message: 'The dropdown label does not exist, possible labels are: {1: Cotton}', path: ['create_item'], extensions: { code: 'ColumnValueException', status_code: 200, error_data: { column_id: 'dropdown_fabric', column_value: '{"labels":["Silk"]}' } } }] } }));
    const columnValues = { text_mkr61hpz: 'PO1|ST|RED', dropdown_fabric: { labels: ['Silk'] } };
    const err = await failureOf(client.createItem({ ...createItemVars, columnValues }, 'k'));
    expect(err.kind).toBe('permanent');
    const f = toActivityFailure(err, { orderKey: 'PO1|ST|RED', step: 'create-item', columnValues });
    expect(f).toBeInstanceOf(ApplicationFailure);
    expect(f.nonRetryable).toBe(true);
    expect(f.type).toBe('ColumnValueException');
    expect(f.message).toContain('PO1|ST|RED');
    expect(f.message).toContain('dropdown_fabric');
    expect(f.message).toContain('Silk');
  });

  test('the column is found in the message when error_data does not name it', () => {
    const [err] = classifyResponse({ httpStatus: 200, body: { errors: [{ message: 'This column ID doesn\'t exist for the board: numeric_bad', extensions: { code: 'InvalidColumnIdException' } }] } });
    const f = toActivityFailure(err, { orderKey: 'K9', step: 'update-item', columnValues: { numeric_bad: '12', text_x: 'a' } });
    expect([f.nonRetryable, f.type]).toEqual([true, 'InvalidColumnIdException']);
    expect(f.message).toMatch(/K9.*numeric_bad.*"12"/);
  });

  test.each([
    [401, { errors: [{ message: 'Not Authenticated', extensions: { code: 'Unauthorized' } }] }],
    [403, { errors: [{ message: 'User unauthorized to perform action', extensions: { code: 'UserUnauthorizedException', status_code: 403 } }] }],
    [200, { errors: [{ message: 'Item name too long', extensions: { code: 'ItemNameTooLongException' } }] }],
    [200, { error_code: 'ItemsLimitationException', error_message: 'exceeded the limit of 10,000 items per board' }],
  ])('HTTP %i %j is permanent', async (status, body) => {
    const client = await clientFor(() => ({ status, body }));
    const err = await failureOf(client.createItem(createItemVars, 'k'));
    expect(err.kind).toBe('permanent');
    expect(toActivityFailure(err, { orderKey: 'K1', step: 'create-item' }).nonRetryable).toBe(true);
  });
});

test('the token never appears in an error message, even when the server echoes it', async () => {
  const replies: Reply[] = [
    { status: 401, body: `Unauthorized token ${TOKEN}` },
    { body: { errors: [{ message: `bad auth ${TOKEN}`, extensions: { code: 'ColumnValueException' } }] } },
    { status: 429, body: { errors: [{ message: `slow down ${TOKEN}`, extensions: { code: 'MINUTE_RATE_LIMIT_EXCEEDED', retry_in_seconds: 0.01 } }] } },
    'drop',
  ];
  const client = await clientFor((_, n) => replies[n - 1] ?? 'drop');
  for (let i = 0; i < replies.length; i++) {
    const err = await failureOf(client.createItem(createItemVars, 'k'));
    expect(err.message).not.toContain(TOKEN);
    expect(String(err.stack)).not.toContain(TOKEN);
    expect(toActivityFailure(err, { orderKey: 'K', step: 's' }).message).not.toContain(TOKEN);
  }
});

test('idempotency keys are deterministic and change with the payload', () => {
  expect(idempotencyKey('K1', 'create-item', 'h1')).toBe(idempotencyKey('K1', 'create-item', 'h1'));
  expect(idempotencyKey('K1', 'create-item', 'h1')).not.toBe(idempotencyKey('K1', 'create-item', 'h2'));
  expect(idempotencyKey('K1', 'create-subitems', 'h1', 'S', 'M')).not.toBe(idempotencyKey('K1', 'create-subitems', 'h1', 'S', 'L'));
});

describe('order writer against the stub', () => {
  const wanted = ['S', 'M', 'L'].map((size, i) => ({ size, name: `Size ${size}`, qty: i + 1, columnValues: { dropdown_mkrak7qp: { labels: [size] }, numeric_mkra7j8e: String(i + 1) } }));
  const write = { parentItemId: '100', subitemsBoardId: '9200771505', orderKey: 'K1', sizeColumnId: 'dropdown_mkrak7qp', qtyColumnId: 'numeric_mkra7j8e', wanted, createLabelsIfMissing: false, known: [], reconcile: false, removedSizes: 'zero' as const, payloadHash: 'h' };

  test('partial aliased batch: succeeded aliases are kept, a permanent alias error is reported for its size', async () => {
    const client = await clientFor(() => ({ body: { data: { a0: { id: '201' }, a1: null, a2: { id: '203' } }, errors: [{ message: 'invalid value', path: ['a1'], extensions: { code: 'ColumnValueException', error_data: { column_id: 'dropdown_mkrak7qp' } } }] } }), { subitemBatchSize: 10 });
    const r = await syncSubitems(client, write);
    expect(stub!.seen).toHaveLength(1);
    expect(stub!.seen[0]!.query).toMatch(/a2: create_subitem/);
    expect(r.created).toBe(2);
    expect(r.subitems).toEqual([{ size: 'S', subitemId: '201', qty: 1 }, { size: 'L', subitemId: '203', qty: 3 }]);
    expect(r.failures.map((f) => [f.size, f.error.code])).toEqual([['M', 'ColumnValueException']]);
  });

  test('partial aliased batch with a retryable alias error: thrown with the ids already created', async () => {
    const client = await clientFor((_, n) => n === 1
      ? { body: { data: { a0: { id: '201' }, a1: { id: '202' } } } }
      : { body: { data: { a0: null }, errors: [{ message: 'Rate limit already blocked', path: ['a0'], extensions: { code: 'tooManyRequests', status_code: 400 } }] } },
    { subitemBatchSize: 2 });
    const err = await failureOf(syncSubitems(client, write));
    expect(err.kind).toBe('rate_limit');
    expect(err.partialSubitems).toEqual([{ size: 'S', subitemId: '201', qty: 1 }, { size: 'M', subitemId: '202', qty: 2 }]);
  });

  test('reconcile reads the parent first and creates only the missing size; the changed qty and the zeroed size travel as aliases of one request', async () => {
    const client = await clientFor((req) => {
      // Subitems through their parent: its subitems column names their ids, then they are read by id.
      if (req.query.includes('ItemSubitems')) return { body: { data: { items: [{ id: '100', column_values: [{ subitems_ids: ['201', '202', '209'] }] }] } } };
      if (req.query.includes('SubitemsById')) {
        return { body: { data: { items: [
          { id: '201', name: 'Size S', state: 'active', parent_item: { id: '100' }, column_values: [{ id: 'dropdown_mkrak7qp', text: 'S' }, { id: 'numeric_mkra7j8e', text: '1.00', number: 1 }] },
          { id: '202', name: 'Size M', state: 'active', parent_item: { id: '100' }, column_values: [{ id: 'dropdown_mkrak7qp', text: 'M' }, { id: 'numeric_mkra7j8e', text: '5.00', number: 5 }] },
          { id: '209', name: 'Size XL', state: 'active', parent_item: { id: '100' }, column_values: [{ id: 'dropdown_mkrak7qp', text: 'XL' }, { id: 'numeric_mkra7j8e', text: '4.00', number: 4 }] },
        ] } } };
      }
      if (req.query.includes('CreateSubitem')) return { body: { data: { a0: { id: '203' } } } };
      const aliases = Object.keys(req.variables).filter((k) => k.startsWith('item_id_')).map((k) => [`a${k.slice('item_id_'.length)}`, { id: String(req.variables[k]) }]);
      return { body: { data: Object.fromEntries(aliases) } };
    });
    const r = await syncSubitems(client, { ...write, reconcile: true });
    expect([r.created, r.updated, r.removed]).toEqual([1, 1, 1]);
    expect(r.subitems).toEqual([{ size: 'S', subitemId: '201', qty: 1 }, { size: 'M', subitemId: '202', qty: 2 }, { size: 'L', subitemId: '203', qty: 3 }]);
    const creates = stub!.seen.filter((s) => s.query.includes('CreateSubitem'));
    expect(creates).toHaveLength(1);
    expect(creates[0]!.variables.item_name_0).toBe('Size L');
    // Before issue 20: one request per changed quantity and one per zeroed size.
    const changes = stub!.seen.filter((s) => s.query.includes('change_multiple_column_values'));
    expect(changes).toHaveLength(1);
    expect([changes[0]!.variables.item_id_0, changes[0]!.variables.item_id_1]).toEqual(['202', '209']);
    expect(JSON.parse(changes[0]!.variables.column_values_1 as string)).toEqual({ numeric_mkra7j8e: '0' });
    expect(changes[0]!.variables.board_id_1).toBe('9200771505');
  });

  // Monday's look-up is case-insensitive: item 776 (key k1, another order line) comes back too and is skipped.
  test('upsertItem with an unknown outcome finds the item by its key column (exact case) instead of creating it', async () => {
    const client = await clientFor((req) => req.query.includes('ItemsByKey')
      ? { body: { data: { items_page_by_column_values: { items: [{ id: '776', name: 'PO 1', column_values: [{ id: 'text_mkr61hpz', text: 'k1' }] }, { id: '777', name: 'PO 1', column_values: [{ id: 'text_mkr61hpz', text: 'K1' }] }] } } } }
      : { body: { data: { change_multiple_column_values: { id: '777' } } } });
    const r = await upsertItem(client, { boardId: '9200517329', keyColumnId: 'text_mkr61hpz', orderKey: 'K1', itemName: 'PO 1', groupName: 'G', columnValues: {}, createLabelsIfMissing: false, payloadHash: 'h', knownItemId: null, outcomeUnknown: true });
    expect(r).toEqual({ itemId: '777', action: 'found', relinked: false, groupId: null, archivedDuplicates: [] });
    expect(stub!.seen.some((s) => s.query.includes('CreateItem'))).toBe(false);
    expect(stub!.seen[0]!.variables).toMatchObject({ column_id: 'text_mkr61hpz', key: 'K1' });
  });
});

describe('budget', () => {
  test('waits instead of exceeding the complexity per minute, and serves callers first come first served', async () => {
    const budget = new MondayBudget({ complexityPerMinute: 100_000, timeScale: 600 }); // 100 ms window
    const order: number[] = [];
    const started = Date.now();
    await Promise.all([0, 1, 2, 3, 4, 5].map(async (i) => {
      const release = await budget.acquire({ complexity: 30_000, isMutation: false });
      order.push(i);
      release();
    }));
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90); // 3 fit, the rest waited a window
  });

  test('limits concurrent mutations per board, not across boards', async () => {
    const budget = new MondayBudget({ maxConcurrentMutationsPerBoard: 2 });
    const a1 = await budget.acquire({ boardId: 'A', complexity: 1, isMutation: true });
    await budget.acquire({ boardId: 'A', complexity: 1, isMutation: true });
    let third = false;
    const p = budget.acquire({ boardId: 'A', complexity: 1, isMutation: true }).then((r) => { third = true; return r; });
    await budget.acquire({ boardId: 'B', complexity: 1, isMutation: true }); // another board is not blocked
    await new Promise((r) => setTimeout(r, 20));
    expect(third).toBe(false);
    a1();
    await p;
    expect(third).toBe(true);
  });

  test('a RateLimit header with r=0 pauses everyone for t seconds', () => {
    const budget = new MondayBudget();
    budget.observe({ rateLimitHeader: '"minuteRate";r=0;t=38, "concurrency";r=249, "complexityMinute";r=4950000;t=45' });
    expect(budget.snapshot().pausedForMs).toBeGreaterThan(37_000);
  });
});
