// The Monday sandbox answers like Monday: operations and shapes, column validation, batches, persistence, HTML view.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startSandbox, type Sandbox } from '../sandbox/server';

const ITEMS_BOARD = '9200517329';
const SUBITEMS_BOARD = '9200771505';
const TOKEN = 'test-token';

interface GqlResponse {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, any> | null;
    errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
    extensions?: { request_id?: string };
  };
}

async function gql(sb: Sandbox, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<GqlResponse> {
  const res = await fetch(sb.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: TOKEN, 'API-Version': '2026-10', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as GqlResponse['body'] };
}

const CREATE_ITEM = `mutation ($board: ID!, $name: String!, $group: String, $cv: JSON, $labels: Boolean) {
  create_item(board_id: $board, item_name: $name, group_id: $group, column_values: $cv, create_labels_if_missing: $labels) { id name board { id } }
}`;
const CREATE_SUBITEM = `mutation ($parent: ID!, $name: String!, $cv: JSON, $labels: Boolean) {
  create_subitem(parent_item_id: $parent, item_name: $name, column_values: $cv, create_labels_if_missing: $labels) { id board { id } }
}`;

async function createItem(sb: Sandbox, name: string, cv: Record<string, unknown>, labels = false): Promise<GqlResponse> {
  return gql(sb, CREATE_ITEM, { board: ITEMS_BOARD, name, group: 'topics', cv: JSON.stringify(cv), labels });
}

let dir: string;
let sb: Sandbox;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sandbox-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(async () => {
  sb = await startSandbox({ dbFile: join(dir, `${Date.now()}-${Math.random()}.db`), tokens: [TOKEN] });
});
afterEach(async () => sb.close());

describe('auth and envelope', () => {
  it('answers 401 without or with an unknown Authorization header', async () => {
    for (const headers of [{}, { Authorization: 'wrong' }] as Record<string, string>[]) {
      const res = await fetch(sb.url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ complexity { query } }' }) });
      expect(res.status).toBe(401);
      const body = (await res.json()) as GqlResponse['body'];
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'Unauthorized', status_code: 401 });
    }
  });

  it('answers a malformed API-Version with InvalidVersionException on HTTP 200', async () => {
    const res = await gql(sb, '{ complexity { query } }', {}, { 'API-Version': 'latest' });
    expect(res.status).toBe(200);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('InvalidVersionException');
  });

  it('wraps data with a request_id and carries RateLimit headers', async () => {
    const res = await gql(sb, '{ complexity { before after query reset_in_x_seconds } }');
    expect(res.status).toBe(200);
    expect(res.body.extensions?.request_id).toMatch(/[0-9a-f-]{36}/);
    expect(res.body.data?.complexity.query).toBeGreaterThan(0);
    expect(res.body.data?.complexity.before - res.body.data?.complexity.after).toBe(res.body.data?.complexity.query);
    expect(res.headers.get('ratelimit-policy')).toContain('"complexityMinute";q=10000000;w=60');
    expect(res.headers.get('ratelimit')).toMatch(/"minuteRate";r=\d+;t=\d+/);
  });

  it('fails unknown fields as GraphQL validation does', async () => {
    const res = await gql(sb, `{ boards(ids: [${ITEMS_BOARD}]) { id no_such_field } }`);
    expect(res.status).toBe(200);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors?.[0]?.message).toContain('Cannot query field "no_such_field" on type "Board"');
  });

  it('costs a mutation 30,000 plus its fields, like Monday (create_item { id } = 30,001)', async () => {
    const res = await gql(sb, `mutation { create_item(board_id: ${ITEMS_BOARD}, item_name: "x") { id } complexity { query } }`);
    expect(res.body.data?.complexity.query).toBe(30_001 + 11); // complexity { query }: object 10 + scalar 1
  });
});

describe('operations', () => {
  it('creates an item with column values and reads it back in Monday shapes', async () => {
    const created = await createItem(sb, 'PO1 / STYLE / NAVY', {
      text_mkr61hpz: 'PO1|STYLE|NAVY',
      dropdown_mkr542p2: { labels: ['GREYSON'] },
      numeric_mkr5cact: '42',
      date_mkr5zp5: { date: '2026-06-15' },
      color_mkr5j5pp: { label: '00 PLANNING' },
      long_text_mkr5hass: { text: 'line1\nline2' },
    });
    expect(created.body.errors).toBeUndefined();
    const item = created.body.data?.create_item;
    expect(item).toMatchObject({ name: 'PO1 / STYLE / NAVY', board: { id: ITEMS_BOARD } });
    expect(item.id).toMatch(/^\d{11,}$/);
    expect(BigInt(item.id)).toBeGreaterThan(2n ** 31n);

    const read = await gql(sb, `query ($ids: [ID!]) { items(ids: $ids) { id name state group { id title } board { id }
      column_values(ids: ["text_mkr61hpz", "dropdown_mkr542p2", "numeric_mkr5cact", "date_mkr5zp5", "color_mkr5j5pp", "long_text_mkr5hass"]) { id type text value } } }`, { ids: [item.id] });
    const got = read.body.data?.items[0];
    expect(got).toMatchObject({ id: item.id, state: 'active', group: { id: 'topics' }, board: { id: ITEMS_BOARD } });
    const byId = Object.fromEntries((got.column_values as { id: string; type: string; text: string; value: string }[]).map((c) => [c.id, c]));
    expect(byId.text_mkr61hpz).toEqual({ id: 'text_mkr61hpz', type: 'text', text: 'PO1|STYLE|NAVY', value: '"PO1|STYLE|NAVY"' });
    expect(byId.dropdown_mkr542p2).toMatchObject({ type: 'dropdown', text: 'GREYSON', value: '{"ids":[20]}' });
    expect(byId.numeric_mkr5cact).toMatchObject({ type: 'numbers', text: '$42.00', value: '"42"' }); // text as Monday formats it (unit, precision)
    expect(JSON.parse(byId.date_mkr5zp5!.value)).toEqual({ date: '2026-06-15', time: null });
    expect(byId.color_mkr5j5pp).toMatchObject({ type: 'status', text: '00 PLANNING', value: '{"index":7,"post_id":null}' });
    expect(byId.long_text_mkr5hass).toMatchObject({ text: 'line1\nline2' });
  });

  it('puts subitems on the subitems board named by the subtasks column settings', async () => {
    const boards = await gql(sb, `{ boards(ids: [${ITEMS_BOARD}]) { id name type items_limit items_count columns(types: [subtasks]) { id settings settings_str } groups { id title } } }`);
    const board = boards.body.data?.boards[0];
    expect(board).toMatchObject({ id: ITEMS_BOARD, name: 'Customer Master Schedule', type: 'board', items_limit: 10000, items_count: 0 });
    expect(board.columns[0].id).toBe('subtasks_mkr5c0kp');
    expect(board.columns[0].settings.boardIds).toEqual([Number(SUBITEMS_BOARD)]);
    expect(JSON.parse(board.columns[0].settings_str).boardIds).toEqual([Number(SUBITEMS_BOARD)]);

    const parent = (await createItem(sb, 'parent', {})).body.data?.create_item.id as string;
    const sub = await gql(sb, CREATE_SUBITEM, { parent, name: 'Size M', cv: JSON.stringify({ dropdown_mkrak7qp: { labels: ['M'] }, numeric_mkra7j8e: '12' }) });
    expect(sub.body.data?.create_subitem.board.id).toBe(SUBITEMS_BOARD);

    const read = await gql(sb, `query ($ids: [ID!]) { items(ids: $ids) { subitems { id name column_values { id text value } } } }`, { ids: [parent] });
    const subitems = read.body.data?.items[0].subitems;
    expect(subitems).toHaveLength(1);
    expect(subitems[0].name).toBe('Size M');
    const values = Object.fromEntries((subitems[0].column_values as { id: string; text: string }[]).map((c) => [c.id, c.text]));
    expect(values).toMatchObject({ dropdown_mkrak7qp: 'M', numeric_mkra7j8e: '12.00' });

    const subBoard = await gql(sb, `{ boards(ids: [${SUBITEMS_BOARD}]) { type items_count } }`);
    expect(subBoard.body.data?.boards[0]).toEqual({ type: 'sub_items_board', items_count: 1 });
  });

  it('finds items by column value (case-insensitive whole text, ANY OF values) and pages with cursors', async () => {
    for (let i = 0; i < 5; i++) await createItem(sb, `item ${i}`, { text_mkr61hpz: `KEY-${i}` });
    const query = `query ($values: [String]!) { items_page_by_column_values(board_id: ${ITEMS_BOARD}, columns: [{ column_id: "text_mkr61hpz", column_values: $values }], limit: 2) { cursor items { id name } } }`;
    const one = await gql(sb, query, { values: ['key-3'] });
    expect(one.body.data?.items_page_by_column_values).toMatchObject({ cursor: null, items: [{ name: 'item 3' }] });
    const none = await gql(sb, query, { values: ['KEY'] });
    expect(none.body.data?.items_page_by_column_values.items).toEqual([]);

    const three = await gql(sb, query, { values: ['KEY-0', 'KEY-2', 'KEY-4'] });
    expect(three.body.data?.items_page_by_column_values.items.map((i: { name: string }) => i.name)).toEqual(['item 0', 'item 2']);
    const cursor = three.body.data?.items_page_by_column_values.cursor as string;
    expect(cursor).toEqual(expect.any(String));
    const next = await gql(sb, `query ($c: String!) { next_items_page(cursor: $c, limit: 2) { cursor items { name } } }`, { c: cursor });
    expect(next.body.data?.next_items_page).toEqual({ cursor: null, items: [{ name: 'item 4' }] });

    const page = await gql(sb, `{ boards(ids: [${ITEMS_BOARD}]) { items_page(limit: 3) { cursor items { name } } } }`);
    const first = page.body.data?.boards[0].items_page;
    expect(first.items).toHaveLength(3);
    const rest = await gql(sb, `query ($c: String!) { boards(ids: [${ITEMS_BOARD}]) { items_page(limit: 3, cursor: $c) { cursor items { name } } } }`, { c: first.cursor });
    expect(rest.body.data?.boards[0].items_page).toEqual({ cursor: null, items: [{ name: 'item 3' }, { name: 'item 4' }] });
  });

  it('matches one dropdown label, and "" finds items with the column empty', async () => {
    await createItem(sb, 'two customers', { dropdown_mkr542p2: { labels: ['GREYSON', 'PELOTON'] }, text_mkr61hpz: 'A' });
    await createItem(sb, 'no customer', { text_mkr61hpz: 'B' });
    const find = async (column: string, value: string) => {
      const res = await gql(sb, `query ($c: String!, $v: [String]!) { items_page_by_column_values(board_id: ${ITEMS_BOARD}, columns: [{ column_id: $c, column_values: $v }]) { items { name } } }`, { c: column, v: [value] });
      return (res.body.data?.items_page_by_column_values.items as { name: string }[]).map((i) => i.name);
    };
    expect(await find('dropdown_mkr542p2', 'peloton')).toEqual(['two customers']);
    expect(await find('dropdown_mkr542p2', 'PELO')).toEqual([]);
    expect(await find('dropdown_mkr542p2', '')).toEqual(['no customer']);
    const both = await gql(sb, `{ items_page_by_column_values(board_id: ${ITEMS_BOARD}, columns: [{ column_id: "text_mkr61hpz", column_values: ["A", "B"] }, { column_id: "dropdown_mkr542p2", column_values: ["GREYSON"] }]) { items { name } } }`);
    expect(both.body.data?.items_page_by_column_values.items).toEqual([{ name: 'two customers' }]);
    const sub = await gql(sb, `{ items_page_by_column_values(board_id: ${SUBITEMS_BOARD}, columns: [{ column_id: "numeric_mkra7j8e", column_values: ["1"] }]) { items { id } } }`);
    expect(sub.body.errors?.[0]?.extensions?.code).toBe('InvalidArgumentException');
  });

  it('updates values, archives items and creates groups', async () => {
    const id = (await createItem(sb, 'to change', { text_mkr61hpz: 'A' })).body.data?.create_item.id as string;
    const changed = await gql(sb, `mutation ($b: ID!, $i: ID, $cv: JSON!) { change_multiple_column_values(board_id: $b, item_id: $i, column_values: $cv) { id name column_values(ids: ["text_mkr61hpz", "numeric_mkr5cact"]) { id text } } }`, {
      b: ITEMS_BOARD, i: id, cv: JSON.stringify({ name: 'renamed', text_mkr61hpz: 'B', numeric_mkr5cact: 7 }),
    });
    expect(changed.body.data?.change_multiple_column_values).toEqual({ id, name: 'renamed', column_values: [{ id: 'numeric_mkr5cact', text: '$7.00' }, { id: 'text_mkr61hpz', text: 'B' }] }); // board column order

    const group = await gql(sb, `mutation { create_group(board_id: ${ITEMS_BOARD}, group_name: "PELOTON 2025 HOLIDAY") { id title } }`);
    expect(group.body.data?.create_group).toMatchObject({ id: expect.stringMatching(/^group_/), title: 'PELOTON 2025 HOLIDAY' });
    const groups = await gql(sb, `{ boards(ids: [${ITEMS_BOARD}]) { groups { id title } } }`);
    expect(groups.body.data?.boards[0].groups).toContainEqual(group.body.data?.create_group);

    const archived = await gql(sb, `mutation ($i: ID) { archive_item(item_id: $i) { id state } }`, { i: id });
    expect(archived.body.data?.archive_item).toEqual({ id, state: 'archived' });
    const found = await gql(sb, `{ items_page_by_column_values(board_id: ${ITEMS_BOARD}, columns: [{ column_id: "text_mkr61hpz", column_values: ["B"] }]) { items { id } } }`);
    expect(found.body.data?.items_page_by_column_values.items).toEqual([]);
  });

  it('runs aliased mutations in order with partial success and the failing alias in path', async () => {
    const parent = (await createItem(sb, 'batch parent', {})).body.data?.create_item.id as string;
    const sizes = ['S', 'NOT-A-SIZE', 'L'];
    const doc = `mutation { ${sizes
      .map((s, i) => `s${i}: create_subitem(parent_item_id: ${parent}, item_name: "Size ${s}", column_values: ${JSON.stringify(JSON.stringify({ dropdown_mkrak7qp: { labels: [s] }, numeric_mkra7j8e: '3' }))}) { id }`)
      .join(' ')} }`;
    const res = await gql(sb, doc);
    expect(res.status).toBe(200);
    expect(res.body.data?.s0.id).toEqual(expect.any(String));
    expect(res.body.data?.s1).toBeNull();
    expect(res.body.data?.s2.id).toEqual(expect.any(String));
    expect(BigInt(res.body.data?.s2.id)).toBeGreaterThan(BigInt(res.body.data?.s0.id));
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors?.[0]).toMatchObject({ path: ['s1'], extensions: { code: 'ColumnValueException' } });
    expect(res.body.errors?.[0]?.message).toContain('NOT-A-SIZE');
    expect(sb.stats().mutations).toBe(3); // the parent and two subitems
  });
});

describe('column value validation', () => {
  const rejects = async (cv: Record<string, unknown>, code: string, mention?: string) => {
    const res = await createItem(sb, 'bad', cv);
    expect(res.status).toBe(200);
    expect(res.body.data?.create_item).toBeNull();
    expect(res.body.errors?.[0]?.extensions?.code).toBe(code);
    if (mention) expect(res.body.errors?.[0]?.message).toContain(mention);
  };

  it('rejects an unknown dropdown label unless create_labels_if_missing, then reuses the new label', async () => {
    await rejects({ dropdown_mkr542p2: { labels: ['NEW CUSTOMER'] } }, 'ColumnValueException', 'dropdown_mkr542p2');
    const ok = await createItem(sb, 'new label', { dropdown_mkr542p2: { labels: ['NEW CUSTOMER'] } }, true);
    expect(ok.body.errors).toBeUndefined();
    const again = await createItem(sb, 'label exists now', { dropdown_mkr542p2: { labels: ['NEW CUSTOMER'] } }, false);
    expect(again.body.errors).toBeUndefined();
    const cols = await gql(sb, `{ boards(ids: [${ITEMS_BOARD}]) { columns(ids: ["dropdown_mkr542p2"]) { settings } } }`);
    expect(cols.body.data?.boards[0].columns[0].settings.labels).toContainEqual({ id: expect.any(Number), name: 'NEW CUSTOMER' });
  });

  it('accepts dropdown ids and rejects unknown ids', async () => {
    expect((await createItem(sb, 'by id', { dropdown_mkr518fc: { ids: [1] } })).body.errors).toBeUndefined();
    await rejects({ dropdown_mkr518fc: { ids: [999] } }, 'ColumnValueException', '999');
  });

  it('rejects an unknown status label unless create_labels_if_missing; accepts an index', async () => {
    await rejects({ color_mkr5j5pp: { label: 'NO SUCH STATUS' } }, 'ColumnValueException', 'color_mkr5j5pp');
    expect((await createItem(sb, 's', { color_mkr5j5pp: { label: 'NO SUCH STATUS' } }, true)).body.errors).toBeUndefined();
    expect((await createItem(sb, 's', { color_mkr5j5pp: { index: 7 } })).body.errors).toBeUndefined();
    await rejects({ color_mkr5j5pp: { index: 99 } }, 'ColumnValueException');
  });

  it('numbers must be numeric strings; "" writes 0 like Monday', async () => {
    await rejects({ numeric_mkr5cact: 'abc' }, 'ColumnValueException', 'numeric_mkr5cact');
    await rejects({ numeric_mkr5cact: { value: 1 } }, 'ColumnValueException');
    const zero = await createItem(sb, 'zero', { numeric_mkr5cact: '' });
    const id = zero.body.data?.create_item.id as string;
    const read = await gql(sb, `{ items(ids: [${id}]) { column_values(ids: ["numeric_mkr5cact"]) { text value } } }`);
    expect(read.body.data?.items[0].column_values[0]).toEqual({ text: '$0.00', value: '"0"' });
  });

  it('a number reads back formatted in text (unit, precision) and exact in NumbersValue.number', async () => {
    const made = await createItem(sb, 'qty', { numeric_mkr5cact: '4.5', numeric_mksfr0r2: '4.5' });
    const id = made.body.data?.create_item.id as string;
    const read = await gql(sb, `{ items(ids: [${id}]) { column_values(ids: ["numeric_mkr5cact", "numeric_mksfr0r2"]) { id text ... on NumbersValue { number symbol direction } } } }`);
    expect(read.body.data?.items[0].column_values).toEqual([
      { id: 'numeric_mkr5cact', text: '$4.50', number: 4.5, symbol: '$', direction: 'left' },
      { id: 'numeric_mksfr0r2', text: '4.5', number: 4.5, symbol: null, direction: 'right' },
    ]);
  });

  it('dates must be YYYY-MM-DD', async () => {
    await rejects({ date_mkr5zp5: { date: '15/06/2026' } }, 'ColumnValueException', 'date_mkr5zp5');
    await rejects({ date_mkr5zp5: { date: '2026-02-30' } }, 'ColumnValueException');
    expect((await createItem(sb, 'd', { date_mkr5zp5: '2026-02-28' })).body.errors).toBeUndefined();
  });

  it('long text is limited to 2,000 characters', async () => {
    await rejects({ long_text_mkr5hass: { text: 'x'.repeat(2001) } }, 'ColumnValueException', '2000');
    expect((await createItem(sb, 'ok', { long_text_mkr5hass: { text: 'x'.repeat(2000) } })).body.errors).toBeUndefined();
  });

  it('rejects unknown column ids, read-only columns and bad item names', async () => {
    await rejects({ no_such_column: 'x' }, 'InvalidColumnIdException', 'no_such_column');
    await rejects({ formula_mkrb53jx: '1' }, 'ColumnValueException', 'read-only');
    await rejects({ lookup_mkrbrdr1: '1' }, 'ColumnValueException', 'read-only');
    await rejects({ subtasks_mkr5c0kp: 'x' }, 'ColumnValueException', 'read-only');
    const long = await gql(sb, CREATE_ITEM, { board: ITEMS_BOARD, name: 'n'.repeat(256) });
    expect(long.body.errors?.[0]?.extensions?.code).toBe('ItemNameTooLongException');
    const empty = await gql(sb, CREATE_ITEM, { board: ITEMS_BOARD, name: '' });
    expect(empty.body.errors?.[0]?.extensions?.code).toBe('ItemNameTooLongException');
    expect((await gql(sb, '{ items(ids: [1]) { id } }')).body.data?.items).toEqual([]);
  });

  it('rejects create_item once the board holds items_limit items', async () => {
    const file = join(dir, 'full.db');
    const first = await startSandbox({ dbFile: file });
    await first.close();
    // Fill the board straight in its SQLite file: 10,000 API calls would only slow the test down.
    const db = new Database(file);
    const insert = db.prepare(`INSERT INTO items (id, board_id, group_id, name, state, parent_id, created_at, updated_at) VALUES (?, '${ITEMS_BOARD}', 'topics', ?, 'active', NULL, '', '')`);
    db.transaction(() => {
      for (let i = 0; i < 10_000; i++) insert.run(20_000_000_000 + i, `filler ${i}`);
    })();
    db.close();
    const full = await startSandbox({ dbFile: file });
    try {
      const res = await createItem(full, 'one too many', {});
      expect(res.body.errors?.[0]?.extensions?.code).toBe('ItemsLimitationException');
      expect(res.body.errors?.[0]?.message).toContain('10000');
    } finally {
      await full.close();
    }
  });

  it('a bad value rejects the whole mutation: nothing is written', async () => {
    await rejects({ text_mkr61hpz: 'WRITTEN?', numeric_mkr5cact: 'NaN!' }, 'ColumnValueException');
    const found = await gql(sb, `{ items_page_by_column_values(board_id: ${ITEMS_BOARD}, columns: [{ column_id: "text_mkr61hpz", column_values: ["WRITTEN?"] }]) { items { id } } }`);
    expect(found.body.data?.items_page_by_column_values.items).toEqual([]);
  });
});

describe('persistence and HTML view', () => {
  it('keeps items in the SQLite file across a restart', async () => {
    const file = join(dir, 'restart.db');
    const first = await startSandbox({ dbFile: file });
    const id = (await createItem(first, 'survives', { text_mkr61hpz: 'R1' })).body.data?.create_item.id as string;
    await gql(first, CREATE_SUBITEM, { parent: id, name: 'Size XL', cv: JSON.stringify({ dropdown_mkrak7qp: { labels: ['XL'] } }) });
    await first.close();

    const second = await startSandbox({ dbFile: file });
    try {
      const read = await gql(second, `{ items(ids: [${id}]) { name subitems { name } column_values(ids: ["text_mkr61hpz"]) { text } } }`);
      expect(read.body.data?.items[0]).toEqual({ name: 'survives', subitems: [{ name: 'Size XL' }], column_values: [{ text: 'R1' }] });
      const next = (await createItem(second, 'after restart', {})).body.data?.create_item.id as string;
      expect(BigInt(next)).toBeGreaterThan(BigInt(id));
    } finally {
      await second.close();
    }
  });

  it('reset wipes items but keeps boards and labels created meanwhile', async () => {
    await createItem(sb, 'gone', { dropdown_mkr542p2: { labels: ['KEPT LABEL'] } }, true);
    sb.reset();
    const board = await gql(sb, `{ boards(ids: [${ITEMS_BOARD}]) { items_count columns(ids: ["dropdown_mkr542p2"]) { settings } } }`);
    expect(board.body.data?.boards[0].items_count).toBe(0);
    expect(board.body.data?.boards[0].columns[0].settings.labels).toContainEqual(expect.objectContaining({ name: 'KEPT LABEL' }));
  });

  it('shows items by group with subitems nested, escaped', async () => {
    const id = (await createItem(sb, '<b>PO 77</b>', { text_mkr61hpz: 'KEY-77' })).body.data?.create_item.id as string;
    await gql(sb, CREATE_SUBITEM, { parent: id, name: 'Size 2XL', cv: JSON.stringify({ dropdown_mkrak7qp: { labels: ['2XL'] }, numeric_mkra7j8e: '33' }) });
    const res = await fetch(`${sb.baseUrl}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('Customer Master Schedule');
    expect(html).toContain('Group Title');
    expect(html).toContain('&#60;b&#62;PO 77&#60;/b&#62;');
    expect(html).not.toContain('<b>PO 77');
    expect(html).toContain('KEY-77');
    expect(html).toMatch(/Size 2XL<\/td><td>2XL<\/td><td>33<\/td>/);
  });
});
