// Real Monday responses published in public repositories (test/fixtures/monday/, each citing its source):
// the client classifies and parses them as Monday meant, over real HTTP, and the sandbox answers in the
// same shapes. Where a recording and the sandbox disagreed, the sandbox was changed (subitems column text).
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { MondayClient, idempotencyKey } from '../graphql/client';
import { MondayApiError, classifyResponse } from '../graphql/errors';
import { documents } from '../graphql/documents';
import { startSandbox } from '../sandbox/server';

interface Recording { source: { repository: string; path?: string; url?: string }; httpStatus: number; body: Record<string, unknown> }
const DIR = path.join(__dirname, 'fixtures/monday');
const load = (name: string): Recording => JSON.parse(fs.readFileSync(path.join(DIR, name), 'utf8')) as Recording;

test('every recording names the repository and file or thread it came from, and the README lists it', () => {
  const readme = fs.readFileSync(path.join(DIR, 'README.md'), 'utf8');
  const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.json'));
  expect(files.length).toBeGreaterThanOrEqual(8);
  for (const f of files) {
    const r = load(f);
    expect(r.source.repository).toMatch(/^[\w.-]+\/[\w.-]+$/);
    expect(r.source.path ?? r.source.url).toBeTruthy();
    expect(readme).toContain(f);
  }
});

describe('classification of recorded errors', () => {
  const classify = (name: string) => {
    const r = load(name);
    return classifyResponse({ httpStatus: r.httpStatus, body: r.body });
  };
  test.each([
    ['legacy-complexity-exception-http200.json', 'rate_limit', 'ComplexityException', 16_000],
    ['legacy-complexity-budget-exhausted-429.json', 'rate_limit', 'complexityBudgetExhausted', 16_000],
    ['minute-rate-limit-429.json', 'rate_limit', 'MINUTE_RATE_LIMIT_EXCEEDED', 58_000],
    ['subgraph-throttle-partial-data.json', 'rate_limit', 'tooManyRequests', null],
    ['per-query-complexity-cap-http200.json', 'permanent', 'GRAPHQL_ERROR', null],
    ['invalid-board-id.json', 'permanent', 'InvalidBoardIdException', null],
  ])('%s → %s %s (wait %s ms)', (name, kind, code, wait) => {
    const [err, ...rest] = classify(name);
    expect(rest).toHaveLength(0);
    expect({ kind: err!.kind, code: err!.code, wait: err!.retryAfterMs }).toEqual({ kind, code, wait });
  });

  test('status_code decides for codes the client does not know: 429 waits, 5xx/409/423 retry, other 4xx are permanent', () => {
    const kind = (status_code: number, httpStatus = 200) => classifyResponse({ httpStatus, body: { errors: [{ message: 'm', extensions: { code: 'SomethingNew', status_code } }] } })[0]!.kind;
    expect([kind(429), kind(500), kind(503), kind(409), kind(423), kind(400), kind(403), kind(404)]).toEqual(
      ['rate_limit', 'transient', 'transient', 'transient', 'transient', 'permanent', 'permanent', 'permanent']);
    expect(kind(400, 502)).toBe('transient'); // the HTTP status says retry: never silently permanent
  });
});

/** Serves one recorded response over HTTP, so graphql-request and the client parse the real bytes. */
async function serve(r: Recording, headers: Record<string, string> = {}): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(r.httpStatus, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`, close: () => new Promise((ok) => server.close(() => ok())) };
}

describe('the client over HTTP', () => {
  test.each([
    ['legacy-complexity-exception-http200.json', 'rate_limit', 16_000],
    ['legacy-complexity-budget-exhausted-429.json', 'rate_limit', 16_000],
    ['minute-rate-limit-429.json', 'rate_limit', 58_000],
    ['subgraph-throttle-partial-data.json', 'rate_limit', 1_000],
    ['invalid-board-id.json', 'permanent', null],
  ])('%s is thrown as %s and pauses the budget by the server\'s wait', async (name, kind, pause) => {
    const server = await serve(load(name));
    try {
      const client = new MondayClient({ url: server.url, token: 't' });
      const err = await client.boardStructure('1').then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(MondayApiError);
      expect((err as MondayApiError).kind).toBe(kind);
      if (pause !== null) expect(client.budget.snapshot().pausedForMs).toBeGreaterThan(pause - 1_000);
    } finally {
      await server.close();
    }
  });

  test('a replayed answer (Idempotency-Replayed) is not fed to the budget: its complexity is the first request\'s', async () => {
    const replay: Recording = { source: { repository: 'n/a', path: 'n/a' }, httpStatus: 200, body: { data: { create_item: { id: '9' }, complexity: { query: 30_001, after: 5, reset_in_x_seconds: 40 } } } };
    const server = await serve(replay, { 'Idempotency-Replayed': 'true', RateLimit: '"complexityMinute";r=9000000;t=12' });
    try {
      const seen: (number | null)[] = [];
      const client = new MondayClient({ url: server.url, token: 't', onRequest: (r) => seen.push(r.complexity) });
      await client.createItem({ boardId: '1', itemName: 'x', groupId: null, columnValues: {}, createLabelsIfMissing: false }, idempotencyKey('k', 'create-item', 'h'));
      expect(seen).toEqual([null]);
      // `after: 5` from up to 30 minutes ago would stall the budget; the RateLimit header (9M left) is what counts.
      expect(client.budget.snapshot().accountLeft).toBe(9_000_000);
    } finally {
      await server.close();
    }
  });
});

test('the sandbox answers an items_page with subitems in the recorded shape (status and date text, empty numbers "", subitems column text null)', async () => {
  const recorded = load('items-page-with-subitems.json').body as { data: { boards: { items_page: { items: RecItem[] } }[] } };
  type RecItem = { name: string; id: string; column_values: { column: { id: string; title: string }; text: string | null }[]; subitems: { name: string; id: string; board: { id: string }; column_values: { column: { id: string; title: string }; text: string | null }[] }[] };
  const sandbox = await startSandbox({ tokens: ['t'] });
  try {
    const client = new MondayClient({ url: sandbox.url, token: 't' });
    const parent = await client.createItem({ boardId: '9200517329', itemName: 'P', groupId: null, columnValues: { color_mkr5j5pp: { label: '00 PLANNING' }, date_mkr5zp5: { date: '2026-01-29' } }, createLabelsIfMissing: false }, idempotencyKey('P', 'create-item', 'h'));
    await client.call(documents.createSubitem, { parent_item_id: parent, item_name: 'Size S', column_values: '{}' }, { idempotencyKey: idempotencyKey('P', 's', 'h') });
    const res = await fetch(sandbox.url, { method: 'POST', headers: { authorization: 't', 'content-type': 'application/json' }, body: JSON.stringify({ query:
      '{ boards(ids: [9200517329]) { items_page { items { name id column_values(ids: ["subtasks_mkr5c0kp", "color_mkr5j5pp", "date_mkr5zp5", "numeric_mkr5cact"]) { column { id title } text } subitems { name id board { id } column_values(ids: ["numeric_mkra7j8e"]) { column { id title } text } } } } } }' }) });
    const ours = ((await res.json()) as typeof recorded).data.boards[0]!.items_page.items[0]!;
    const theirs = recorded.data.boards[0]!.items_page.items[0]!;
    const keys = (o: object) => Object.keys(o).sort();
    expect(keys(ours)).toEqual(keys(theirs));
    expect(keys(ours.subitems[0]!)).toEqual(keys(theirs.subitems[0]!));
    const text = (item: RecItem, id: string) => item.column_values.find((c) => c.column.id === id)?.text;
    expect([text(theirs, 'subitems__1'), text(ours, 'subtasks_mkr5c0kp')]).toEqual([null, null]);
    expect(text(theirs, 'numeric_mkyvj8qw')).toBe('');
    expect(text(ours, 'numeric_mkr5cact')).toBe('');
    expect(text(theirs, 'status')).toBe('Work In Progress');
    expect(text(ours, 'color_mkr5j5pp')).toBe('00 PLANNING');
    expect(theirs.subitems[0]!.column_values[1]!.text).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(text(ours, 'date_mkr5zp5')).toBe('2026-01-29');
    expect(ours.subitems[0]!.board.id).toBe('9200771505');
  } finally {
    await sandbox.close();
  }
});

test('a recorded status value carries its label id as `index`, as the sandbox stores it', async () => {
  const recorded = load('status-and-text-column-values.json').body as { data: { items: { column_values: { id: string; value: string; text: string }[] }[] } };
  const [status, text] = recorded.data.items[0]!.column_values;
  expect(JSON.parse(status!.value)).toMatchObject({ index: 0 });
  expect(JSON.parse(text!.value)).toBe(text!.text); // a text column's value is the JSON string of its text
});
