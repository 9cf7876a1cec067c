// `orders-sync acceptance` as users run it: the CLI as a child process against a real Temporal dev server,
// the sandbox over HTTP and the demo orders in a real SQLite file. It must pass on a faithful board, fail
// naming the column when a column reads back differently, and never write to the mapping's boards.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { seedDemoData } from '../db/demo-data';
import { operationsOf } from '../db/open';
import { RERUN_BATCH } from '../activities/audit';
import { ITEMS_BOARD_ID, SUBITEMS_BOARD_ID } from '../sandbox/boards';
import { SANDBOX_TOKEN } from '../cli/targets';
import { gql, readBoard } from './support/board';
import { startStack, type Stack } from './support/stack';

jest.setTimeout(240_000);

const ROOT = path.resolve(__dirname, '..');
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ worker: false });
  await seedDemoData(stack.store);
});
afterAll(() => stack?.stop());

async function acceptance(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/orders-sync.js'), 'acceptance', ...args], { env: stack.childEnv() });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const boardIds = async () => (await gql<{ boards: { id: string }[] }>(stack.sandbox.url, '{ boards(limit: 100) { id } }')).boards.map((b) => b.id);
const line = (stdout: string, subject: string) => stdout.split('\n').find((l) => l.startsWith(`${subject} `)) ?? '';

test('the first PO passes on a faithful board; the copy is deleted and the real boards and staging stay untouched', async () => {
  const r = await acceptance([]);
  expect(r.stderr).not.toContain('failed');
  expect(r.stdout).toContain('PO 4755: 69 order line(s) synced into scratch board');
  expect(r.stdout).toMatch(/PASS: all \d+ checks matched/);
  expect(r.code).toBe(0);
  // Every mapped column and every size of the PO got a line of its own.
  for (const subject of ['CUSTOMER PRICE (numeric_mkr5cact)', 'COLOR (dropdown_mkr5677f)', 'ORDER DATE PO RECEIVED (date_mkr5zp5)', 'order key (text_mkr61hpz)', 'Group (group)']) {
    expect(line(r.stdout, subject)).toMatch(/\s\d+\s+pass$/);
  }
  for (const size of ['XS', 'S', 'M', 'L', 'XL']) expect(line(r.stdout, size)).toMatch(/pass$/);

  expect(await readBoard(stack.sandbox.url, ITEMS_BOARD_ID)).toEqual([]);
  expect((await boardIds()).sort()).toEqual([ITEMS_BOARD_ID, SUBITEMS_BOARD_ID].sort());
  expect(Object.values(await stack.store.statusCounts()).every((n) => n === 0)).toBe(true);
  // Nor the write audit or worker status rows: the scratch board's writes would be audited as a rerun (no batch
  // stages them in the configured database), and a status row would count acceptance's worker as a sync worker.
  const operations = operationsOf(stack.store);
  expect(await operations.listWrites(RERUN_BATCH)).toEqual([]);
  expect(await operations.liveWorkerStatuses(10 * 60_000)).toEqual([]);
});

test('--po chooses the sample and --keep leaves the scratch board with exactly those order lines', async () => {
  const r = await acceptance(['--po', '4755-NOPE']);
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('no order lines with PO NUMBER "4755-NOPE"');

  const po = '8000'; // the demo's first PO of other customers: six order lines
  const kept = await acceptance(['--po', po, '--keep']);
  expect(kept.code).toBe(0);
  const copyId = /scratch board (\d+)/.exec(kept.stdout)?.[1];
  expect(copyId).toBeDefined();
  const items = await readBoard(stack.sandbox.url, copyId!);
  const rows = (await stack.store.readSourcePage(null, 500, { po })).rows;
  expect(items).toHaveLength(rows.length);
  expect(items.every((i) => i.values.text_mkr5ej2x?.text === po)).toBe(true);
  await gql(stack.sandbox.url, 'mutation ($b: ID!) { delete_board(board_id: $b) { id } }', { b: copyId });
});

test('a column that reads back in another format fails the run, naming the column', async () => {
  // The items board's CUSTOMER PRICE becomes a status column; the copy inherits it, the number is stored as a label.
  stack.sandbox.setColumnType(ITEMS_BOARD_ID, 'numeric_mkr5cact', 'status');
  try {
    const r = await acceptance(['--po', '4755']);
    expect(r.code).toBe(1);
    const price = r.stdout.split('\n').filter((l) => l.startsWith('CUSTOMER PRICE (numeric_mkr5cact)'));
    expect(price.length).toBeGreaterThan(0);
    expect(price.every((l) => l.includes('FAIL'))).toBe(true);
    // The copy's structure check, then every item read back (a label's {"index":n}, not a number): all differ.
    const [, checked, differ] = /CUSTOMER PRICE \(numeric_mkr5cact\)\s+(\d+)\s+FAIL\s+(\d+) differ; board \d+: expected a numbers column, Monday has a status column/.exec(r.stdout) ?? [];
    // More than the structure row: the items were written to this run's copy (a second run within Monday's
    // 30-minute idempotency window must not be answered with the first run's ids).
    expect(Number(checked)).toBeGreaterThan(1);
    expect(differ).toBe(checked);
    // The other columns still pass: the failure is the column, not the run.
    expect(line(r.stdout, 'COLOR (dropdown_mkr5677f)')).toMatch(/pass$/);
    expect(r.stdout).toMatch(/FAIL: \d+ of \d+ checks differ/);
  } finally {
    stack.sandbox.setColumnType(ITEMS_BOARD_ID, 'numeric_mkr5cact', 'numbers');
  }
  expect(await readBoard(stack.sandbox.url, ITEMS_BOARD_ID)).toEqual([]);
});

test('a subitems board whose quantity column is of another type fails every size', async () => {
  stack.sandbox.setColumnType(SUBITEMS_BOARD_ID, 'numeric_mkra7j8e', 'status');
  try {
    const r = await acceptance(['--po', '4755']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/subitem quantity \(numeric_mkra7j8e\).*FAIL/);
    for (const size of ['S', 'M', 'L']) expect(line(r.stdout, size)).toContain('FAIL');
  } finally {
    stack.sandbox.setColumnType(SUBITEMS_BOARD_ID, 'numeric_mkra7j8e', 'numbers');
  }
});

test('a copy with column ids of its own stops the run before writing, naming each column and its id on the copy', async () => {
  stack.sandbox.setCopyColumnIds('new');
  try {
    const r = await acceptance(['--po', '8000']);
    expect(r.code).toBe(1);
    expect(line(r.stdout, 'CUSTOMER PRICE (numeric_mkr5cact)')).toMatch(/FAIL .*no column with this id on the copy \("CUSTOMER PRICE" is numeric_c\d+x\d{3} there\)/);
    expect(line(r.stdout, 'order sync')).toContain('nothing written: the copy has other column ids than the board');
  } finally {
    stack.sandbox.setCopyColumnIds('keep');
  }
  expect(await readBoard(stack.sandbox.url, ITEMS_BOARD_ID)).toEqual([]);
  expect((await boardIds()).sort()).toEqual([ITEMS_BOARD_ID, SUBITEMS_BOARD_ID].sort());
});

test('with the minute\'s 40 duplicate_board calls used up, acceptance waits for Monday\'s Retry-After and passes', async () => {
  // A sandbox "minute" of 40 s: longer than the CLI takes to start, short enough to wait out.
  stack.sandbox.setLimits({ timeScale: 1.5 });
  const copies: string[] = [];
  try {
    stack.sandbox.reset(); // a fresh minute: the earlier runs' duplicate_board calls do not count
    for (let i = 0; i < 40; i++) {
      const res = await fetch(stack.sandbox.url, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: SANDBOX_TOKEN },
        body: JSON.stringify({ query: 'mutation ($b: ID!) { duplicate_board(board_id: $b, duplicate_type: duplicate_board_with_structure) { board { id } } }', variables: { b: ITEMS_BOARD_ID } }),
      });
      expect(res.status).toBe(200);
      copies.push(((await res.json()) as { data: { duplicate_board: { board: { id: string } } } }).data.duplicate_board.board.id);
    }
    const before = stack.sandbox.stats().rateLimited;
    const r = await acceptance(['--po', '8000']);
    expect(stack.sandbox.stats().rateLimited).toBeGreaterThan(before);
    expect(r.stdout).toMatch(/PASS: all \d+ checks matched/);
    expect(r.code).toBe(0);
  } finally {
    stack.sandbox.setLimits({ timeScale: 1 });
    for (const b of copies) await gql(stack.sandbox.url, 'mutation ($b: ID!) { delete_board(board_id: $b) { id } }', { b });
  }
}, 240_000);   // a 40-s minute to wait out, plus a CLI run that takes 3x as long on a loaded CI machine
