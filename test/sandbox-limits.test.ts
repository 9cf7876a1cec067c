// The sandbox fails the way Monday fails: limits with their 429 bodies and headers, Idempotency-Key, injected faults.
// Small limits and a large timeScale keep these fast (timeScale 60: a "minute" is one real second).
import { startSandbox, type Sandbox, type SandboxOptions } from '../sandbox/server';

const ITEMS_BOARD = '9200517329';

interface Reply {
  status: number;
  headers: Headers;
  body: { data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, any> }[] };
}

async function post(sb: Sandbox, query: string, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(sb.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'token', ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Reply['body'] };
}

const createItem = (name: string, key = name) =>
  `mutation { create_item(board_id: ${ITEMS_BOARD}, item_name: "${name}", column_values: ${JSON.stringify(JSON.stringify({ text_mkr61hpz: key }))}) { id } }`;
const findByKey = (key: string) =>
  `{ items_page_by_column_values(board_id: ${ITEMS_BOARD}, columns: [{ column_id: "text_mkr61hpz", column_values: ["${key}"] }]) { items { id } } }`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sb: Sandbox;
async function start(opts: SandboxOptions): Promise<Sandbox> {
  sb = await startSandbox(opts);
  return sb;
}
afterEach(async () => sb.close());

describe('limits', () => {
  it('answers 429 COMPLEXITY_BUDGET_EXHAUSTED with retry_in_seconds and Retry-After once the minute budget is spent', async () => {
    await start({ limits: { complexityPerMinute: 100_000, mutationCost: 30_000, timeScale: 60 } });
    for (let i = 0; i < 3; i++) expect((await post(sb, createItem(`ok ${i}`))).status).toBe(200);
    const started = Date.now();
    const over = await post(sb, createItem('over budget'));
    expect(over.status).toBe(429);
    expect(over.body.errors?.[0]).toMatchObject({ message: 'Complexity budget exhausted', extensions: { code: 'COMPLEXITY_BUDGET_EXHAUSTED' } });
    const wait = over.body.errors?.[0]?.extensions?.retry_in_seconds as number;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(1); // a scaled minute is one second
    expect(Number(over.headers.get('retry-after'))).toBe(wait);
    expect(over.headers.get('ratelimit')).toMatch(/"complexityMinute";r=\d+;t=\d/);
    expect(over.headers.get('ratelimit-policy')).toContain('"complexityMinute";q=100000;w=1');
    expect(sb.stats()).toMatchObject({ mutations: 3, rateLimited: 1, complexityUsed: 3 * 30_001 });

    await sleep(Math.max(0, wait * 1000 - (Date.now() - started)) + 20);
    const after = await post(sb, createItem('after the wait'));
    expect(after.status).toBe(200);
    expect((await post(sb, findByKey('over budget'))).body.data?.items_page_by_column_values.items).toEqual([]);
    // A window starts with the first call after the last one ended (Monday: "resets 60 seconds after the first
    // call"); benchmarks read how full each one was.
    const windows = sb.complexityWindows();
    expect(windows.map((w) => w.used)).toEqual([3 * 30_001, sb.stats().complexityUsed - 3 * 30_001]);
    expect(windows[1]!.start - windows[0]!.start).toBeGreaterThanOrEqual(1000);
  });

  it('rejects a query above the per-query cap with a non-retryable 200 error', async () => {
    await start({ limits: { queryCap: 10_000 } }); // this query costs 10 + 10 + 500 × 25
    const res = await post(sb, `{ boards(ids: [${ITEMS_BOARD}]) { items_page(limit: 500) { items { id name column_values { id text value } } } } }`);
    expect(res.status).toBe(200);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('maxComplexityExceeded');
    expect(res.body.errors?.[0]?.message).toMatch(/^Query has complexity of \d+, which exceeds max complexity of 10000$/);
    expect(sb.stats().complexityUsed).toBe(0);
  });

  it('answers 429 MINUTE_RATE_LIMIT_EXCEEDED past requestsPerMinute, and lets requests through after the window', async () => {
    await start({ limits: { requestsPerMinute: 3, timeScale: 60 } });
    for (let i = 0; i < 3; i++) expect((await post(sb, '{ complexity { query } }')).status).toBe(200);
    const over = await post(sb, '{ complexity { query } }');
    expect(over.status).toBe(429);
    expect(over.body.errors?.[0]?.extensions).toMatchObject({ code: 'MINUTE_RATE_LIMIT_EXCEEDED', retry_in_seconds: expect.any(Number) });
    expect(over.headers.get('retry-after')).toBeTruthy();
    await sleep((over.body.errors?.[0]?.extensions?.retry_in_seconds as number) * 1000 + 20);
    expect((await post(sb, '{ complexity { query } }')).status).toBe(200);
  });

  it('answers 429 MAX_CONCURRENCY_EXCEEDED beyond maxConcurrent requests in flight', async () => {
    await start({ limits: { maxConcurrent: 2 }, faults: { latencyMs: { min: 200, max: 200 } } });
    const replies = await Promise.all(Array.from({ length: 5 }, () => post(sb, '{ complexity { query } }')));
    const codes = replies.map((r) => (r.status === 429 ? r.body.errors?.[0]?.extensions?.code : r.status));
    expect(codes.filter((c) => c === 200)).toHaveLength(2);
    expect(codes.filter((c) => c === 'MAX_CONCURRENCY_EXCEEDED')).toHaveLength(3);
  });

  it('answers 429 DAILY_LIMIT_EXCEEDED after dailyCalls', async () => {
    await start({ limits: { dailyCalls: 2, timeScale: 60 } });
    await post(sb, '{ complexity { query } }');
    await post(sb, '{ complexity { query } }');
    const over = await post(sb, '{ complexity { query } }');
    expect(over.status).toBe(429);
    expect(over.body.errors?.[0]?.extensions?.code).toBe('DAILY_LIMIT_EXCEEDED');
    // A scaled day at timeScale 60 is 24 minutes.
    expect(over.body.errors?.[0]?.extensions?.retry_in_seconds).toBeGreaterThan(1000);
  });

  it('limits can be changed at run time, also over the admin endpoint', async () => {
    await start({});
    const set = await fetch(`${sb.baseUrl}/__sandbox/limits`, { method: 'POST', body: JSON.stringify({ requestsPerMinute: 1, timeScale: 60 }) });
    expect(set.status).toBe(200);
    expect((await post(sb, '{ complexity { query } }')).status).toBe(200);
    expect((await post(sb, '{ complexity { query } }')).status).toBe(429);
    const stats = (await (await fetch(`${sb.baseUrl}/__sandbox/stats`)).json()) as Record<string, number>;
    expect(stats).toMatchObject({ requests: 2, rateLimited: 1 });
  });
});

describe('Idempotency-Key', () => {
  it('replays a mutation with Idempotency-Replayed: true and no second item', async () => {
    await start({});
    const first = await post(sb, createItem('once', 'IDEM-1'), { 'Idempotency-Key': 'order-1-create' });
    const second = await post(sb, createItem('once', 'IDEM-1'), { 'Idempotency-Key': 'order-1-create' });
    expect(first.headers.get('idempotency-replayed')).toBeNull();
    expect(second.headers.get('idempotency-replayed')).toBe('true');
    expect(second.body.data).toEqual(first.body.data);
    expect((await post(sb, findByKey('IDEM-1'))).body.data?.items_page_by_column_values.items).toHaveLength(1);
    expect(sb.stats()).toMatchObject({ mutations: 1, idempotentReplays: 1 });

    const other = await post(sb, createItem('once', 'IDEM-1'), { 'Idempotency-Key': 'another-key' });
    expect(other.body.data?.create_item.id).not.toBe(first.body.data?.create_item.id);
  });

  it('ignores the key on queries', async () => {
    await start({});
    await post(sb, '{ complexity { query } }', { 'Idempotency-Key': 'q' });
    const again = await post(sb, '{ complexity { query } }', { 'Idempotency-Key': 'q' });
    expect(again.headers.get('idempotency-replayed')).toBeNull();
  });

  it('answers 409 IDEMPOTENCY_CONFLICT with Retry-After while the first request is in flight', async () => {
    await start({ faults: { latencyMs: { min: 300, max: 300 } } });
    const first = post(sb, createItem('slow', 'IDEM-2'), { 'Idempotency-Key': 'slow-key' });
    await sleep(50);
    const conflict = await post(sb, createItem('slow', 'IDEM-2'), { 'Idempotency-Key': 'slow-key' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_CONFLICT');
    expect(conflict.headers.get('retry-after')).toBeTruthy();
    expect((await first).status).toBe(200);
    const replay = await post(sb, createItem('slow', 'IDEM-2'), { 'Idempotency-Key': 'slow-key' });
    expect(replay.headers.get('idempotency-replayed')).toBe('true');
  });

  it('forgets a key after 30 (scaled) minutes', async () => {
    await start({ limits: { timeScale: 3600 } }); // 30 minutes = 0.5 s
    await post(sb, createItem('first', 'IDEM-3'), { 'Idempotency-Key': 'k' });
    await sleep(600);
    const later = await post(sb, createItem('first', 'IDEM-3'), { 'Idempotency-Key': 'k' });
    expect(later.headers.get('idempotency-replayed')).toBeNull();
    expect((await post(sb, findByKey('IDEM-3'))).body.data?.items_page_by_column_values.items).toHaveLength(2);
  });

  it('does not cache a rate-limited attempt: the retry with the same key executes', async () => {
    await start({ limits: { complexityPerMinute: 40_000, timeScale: 60 } });
    await post(sb, createItem('fills budget'));
    const limited = await post(sb, createItem('keyed', 'IDEM-4'), { 'Idempotency-Key': 'k4' });
    expect(limited.status).toBe(429);
    await sleep((limited.body.errors?.[0]?.extensions?.retry_in_seconds as number) * 1000 + 20);
    const retry = await post(sb, createItem('keyed', 'IDEM-4'), { 'Idempotency-Key': 'k4' });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotency-replayed')).toBeNull();
    expect(retry.body.data?.create_item.id).toEqual(expect.any(String));
  });
});

describe('faults', () => {
  it('serverErrorRate answers 500 before doing anything', async () => {
    await start({ faults: { serverErrorRate: 1 } });
    const res = await post(sb, createItem('never', 'FAULT-1'));
    expect(res.status).toBe(500);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    sb.setFaults({ serverErrorRate: 0 });
    expect((await post(sb, findByKey('FAULT-1'))).body.data?.items_page_by_column_values.items).toEqual([]);
    expect(sb.stats()).toMatchObject({ serverErrors: 1, mutations: 0 });
  });

  it('commitThenDrop commits the mutation and drops the connection; a retry with the key replays', async () => {
    await start({ faults: { commitThenDropRate: 1 } });
    await expect(post(sb, createItem('dropped', 'FAULT-2'), { 'Idempotency-Key': 'drop-key' })).rejects.toThrow();
    sb.setFaults({ commitThenDropRate: 0 });
    const found = await post(sb, findByKey('FAULT-2'));
    expect(found.body.data?.items_page_by_column_values.items).toHaveLength(1);
    const retry = await post(sb, createItem('dropped', 'FAULT-2'), { 'Idempotency-Key': 'drop-key' });
    expect(retry.headers.get('idempotency-replayed')).toBe('true');
    expect(retry.body.data?.create_item.id).toBe(found.body.data?.items_page_by_column_values.items[0].id);
    expect(sb.stats()).toMatchObject({ droppedAfterCommit: 1, mutations: 1, idempotentReplays: 1 });
  });

  it('draws faults from a seeded RNG: the same seed gives the same run', async () => {
    const pattern = async (seed: number) => {
      await start({ faults: { serverErrorRate: 0.5, seed } });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await post(sb, '{ complexity { query } }')).status);
      await sb.close();
      return statuses;
    };
    const a = await pattern(42);
    const b = await pattern(42);
    expect(a).toEqual(b);
    expect(a).toContain(500);
    expect(a).toContain(200);
    sb = await startSandbox({}); // for afterEach
  });

  it('adds latency drawn from latencyMs, settable over the admin endpoint', async () => {
    await start({});
    const set = await fetch(`${sb.baseUrl}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ latencyMs: { min: 150, max: 200 } }) });
    expect(set.status).toBe(200);
    const t0 = Date.now();
    expect((await post(sb, '{ complexity { query } }')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(145);
  });
});
