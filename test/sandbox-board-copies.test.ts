// duplicate_board and delete_board in the sandbox, as Monday documents them (see sandbox/board-copies.ts):
// a structure-only copy with its own subitems board, 40 a minute, gone after delete_board, kept across a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { ITEMS_BOARD_ID, SUBITEMS_BOARD_ID, SUBTASKS_COLUMN_ID } from '../sandbox/boards';

const TOKEN = 'test-token';

async function gql(sb: Sandbox, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(sb.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: TOKEN, 'API-Version': '2026-10' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] } };
}

const DUPLICATE = `mutation ($b: ID!, $name: String) {
  duplicate_board(board_id: $b, board_name: $name, duplicate_type: duplicate_board_with_structure) { is_async board { id name } }
}`;
const STRUCTURE = `query ($b: [ID!]) { boards(ids: $b) { id name columns { id title type settings } groups { id title } items_count } }`;

let dir: string;
let sb: Sandbox;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sandbox-copies-'));
  sb = await startSandbox({ port: 0, tokens: [TOKEN], dbFile: join(dir, 'sandbox.db') });
});
afterEach(async () => {
  await sb.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a structure-only copy keeps columns, labels and groups, gets its own subitems board and no items', async () => {
  await gql(sb, `mutation { create_item(board_id: ${ITEMS_BOARD_ID}, item_name: "on the original") { id } }`);
  const r = await gql(sb, DUPLICATE, { b: ITEMS_BOARD_ID, name: 'scratch' });
  expect(r.body.errors).toBeUndefined();
  const copy = r.body.data.duplicate_board;
  expect(copy).toEqual({ is_async: false, board: { id: expect.stringMatching(/^\d{10}$/), name: 'scratch' } });

  const [original, duplicate] = await Promise.all([ITEMS_BOARD_ID, copy.board.id].map(async (id) => (await gql(sb, STRUCTURE, { b: [id] })).body.data.boards[0]));
  const strip = (cols: any[]) => cols.filter((c) => c.id !== SUBTASKS_COLUMN_ID).map((c) => [c.id, c.title, c.type, c.settings]);
  expect(strip(duplicate.columns)).toEqual(strip(original.columns));
  expect(duplicate.groups).toEqual(original.groups);
  expect(duplicate.items_count).toBe(0);

  const subitemsBoard = String(duplicate.columns.find((c: any) => c.type === 'subtasks').settings.boardIds[0]);
  expect(subitemsBoard).not.toBe(SUBITEMS_BOARD_ID);
  const subColumns = (await gql(sb, STRUCTURE, { b: [subitemsBoard] })).body.data.boards[0].columns.map((c: any) => c.id);
  const originalSub = (await gql(sb, STRUCTURE, { b: [SUBITEMS_BOARD_ID] })).body.data.boards[0].columns.map((c: any) => c.id);
  expect(subColumns).toEqual(originalSub);

  // A label created on the copy stays on the copy.
  const item = await gql(sb, `mutation ($b: ID!) { create_item(board_id: $b, item_name: "x", column_values: "{\\"dropdown_mkr5677f\\":{\\"labels\\":[\\"TEAL\\"]}}", create_labels_if_missing: true) { id } }`, { b: copy.board.id });
  expect(item.body.errors).toBeUndefined();
  const colors = async (id: string) => (await gql(sb, STRUCTURE, { b: [id] })).body.data.boards[0].columns.find((c: any) => c.id === 'dropdown_mkr5677f').settings.labels.map((l: any) => l.name);
  expect(await colors(copy.board.id)).toContain('TEAL');
  expect(await colors(ITEMS_BOARD_ID)).not.toContain('TEAL');
});

test('delete_board answers the board; afterwards it and its subitems board are gone', async () => {
  const copy = (await gql(sb, DUPLICATE, { b: ITEMS_BOARD_ID })).body.data.duplicate_board.board;
  expect(copy.name).toBe('Duplicate of Customer Master Schedule');
  const r = await gql(sb, 'mutation ($b: ID!) { delete_board(board_id: $b) { id state } }', { b: copy.id });
  expect(r.body.data.delete_board).toEqual({ id: copy.id, state: 'deleted' });
  const ids = (await gql(sb, '{ boards(limit: 100) { id } }')).body.data.boards.map((b: any) => b.id);
  expect(ids.sort()).toEqual([ITEMS_BOARD_ID, SUBITEMS_BOARD_ID].sort());
  const again = await gql(sb, 'mutation ($b: ID!) { delete_board(board_id: $b) { id } }', { b: copy.id });
  expect(again.status).toBe(200);
  expect(again.body.errors?.[0]?.extensions).toMatchObject({ code: 'InvalidBoardIdException', status_code: 200 });
});

test('the 41st duplicate_board within a minute is refused with a wait; only structure copies are served', async () => {
  for (let i = 0; i < 40; i++) expect((await gql(sb, DUPLICATE, { b: ITEMS_BOARD_ID })).body.errors).toBeUndefined();
  const r = await gql(sb, DUPLICATE, { b: ITEMS_BOARD_ID });
  expect(r.status).toBe(429);
  expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', status_code: 429, retry_in_seconds: expect.any(Number) });
  expect(r.body.data?.duplicate_board ?? null).toBeNull();
  // Other requests still run: the limit is duplicate_board's own.
  expect((await gql(sb, STRUCTURE, { b: [ITEMS_BOARD_ID] })).status).toBe(200);

  sb.setLimits({ timeScale: 600 }); // a "minute" of 0.1 s
  await new Promise((res) => setTimeout(res, 150));
  const items = await gql(sb, 'mutation ($b: ID!) { duplicate_board(board_id: $b, duplicate_type: duplicate_board_with_pulses) { board { id } } }', { b: ITEMS_BOARD_ID });
  expect(items.body.errors?.[0]?.extensions?.code).toBe('InvalidArgumentException');
  const wrongEnum = await gql(sb, 'mutation ($b: ID!) { duplicate_board(board_id: $b, duplicate_type: structure) { board { id } } }', { b: ITEMS_BOARD_ID });
  expect(wrongEnum.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
});

test('a copy survives a restart of a sandbox with a database file', async () => {
  const copy = (await gql(sb, DUPLICATE, { b: ITEMS_BOARD_ID, name: 'kept' })).body.data.duplicate_board.board;
  await sb.close();
  sb = await startSandbox({ port: 0, tokens: [TOKEN], dbFile: join(dir, 'sandbox.db') });
  const board = (await gql(sb, STRUCTURE, { b: [copy.id] })).body.data.boards[0];
  expect(board.name).toBe('kept');
  const next = (await gql(sb, DUPLICATE, { b: ITEMS_BOARD_ID })).body.data.duplicate_board.board;
  expect(BigInt(next.id)).toBeGreaterThan(BigInt(copy.id));
});
