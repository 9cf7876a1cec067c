// `orders-sync verify` as users run it (bin/orders-sync.js as a child process) against real parts: Temporal dev server,
// SQLite file, the sandbox over HTTP, the real worker. Hand edits of every kind are found by class, reported in full,
// and `verify --repair` brings the board back; a second verify says no drift.
import fs from 'node:fs';
import path from 'node:path';
import { startStack, type Stack } from './support/stack';
import { runCli } from './support/cli';
import { gql, readBoard } from './support/board';
import { runSyncOnce } from '../cli/sync-once';
import { generateOrderLines } from '../db/demo-data';
import { orderKeyOf } from '../mapping';
import type { SourceRow } from '../shared/order';
import { verifyStoreOf } from '../db/open';

let stack: Stack;

const cli = (args: string[]) => runCli(stack.childEnv(), args);

beforeAll(async () => { stack = await startStack(); });
afterAll(() => stack?.stop());

const mutate = (query: string, variables: Record<string, unknown>) => gql(stack.sandbox.url, query, variables);

test('hand edits are reported by class, --repair brings them back through the order workflow, a second verify finds none', async () => {
  const rows: SourceRow[] = generateOrderLines(5, 31);
  await stack.store.insertSourceRows(rows);
  expect(await runSyncOnce(stack.client, stack.store, { pageSize: 50 })).toMatchObject({ orders: 5, failed: 0 });
  const clean = await cli(['verify']);
  expect(clean.stdout).toMatch(/no drift in 5 order lines/);
  expect(clean.code).toBe(0);

  const { items: { boardId, keyColumnId }, subitems: { boardId: subBoard, qtyColumnId } } = stack.mapping;
  const board = await readBoard(stack.sandbox.url, boardId);
  const byKey = (row: SourceRow) => board.find((i) => i.values[keyColumnId]?.text === orderKeyOf(stack.mapping, row))!;
  const NOTES = 'long_text_mkr5hass';
  // A cell changed, a quantity changed, a subitem archived, an item archived, an item copied with its key, an item made by hand.
  await mutate(`mutation ($id: ID!, $v: JSON!) { change_multiple_column_values(board_id: ${boardId}, item_id: $id, column_values: $v) { id } }`, { id: byKey(rows[0]!).id, v: JSON.stringify({ [NOTES]: { text: 'typed by hand' } }) });
  await mutate(`mutation ($id: ID!, $v: JSON!) { change_multiple_column_values(board_id: ${subBoard}, item_id: $id, column_values: $v) { id } }`, { id: byKey(rows[1]!).subitems[0]!.id, v: JSON.stringify({ [qtyColumnId]: '999' }) });
  stack.sandbox.setItemState(byKey(rows[2]!).subitems[0]!.id, 'archived');
  stack.sandbox.setItemState(byKey(rows[3]!).id, 'archived');
  await mutate(`mutation ($v: JSON!) { create_item(board_id: ${boardId}, item_name: "copy", column_values: $v) { id } }`, { v: JSON.stringify({ [keyColumnId]: orderKeyOf(stack.mapping, rows[4]!) }) });
  await mutate(`mutation { create_item(board_id: ${boardId}, item_name: "made by hand") { id } }`, {});

  const report = path.join(stack.dir, 'drift.csv');
  const found = await cli(['verify', '--report', report]);
  expect(found.code).toBe(1);
  expect(found.stdout).toMatch(/missing_item 1, duplicate_item 1, orphan_item 1, stale_cell 1, should_be_empty 0, missing_size 1, duplicate_size 0, wrong_quantity 1, wrong_group 0/);
  expect(found.stdout).toMatch(/e\.g\. stale_cell: .* NOTES \(long_text_mkr5hass\): expected .*, board has typed by hand/);
  const csv = fs.readFileSync(report, 'utf8').trim().split('\n');
  expect(csv[0]).toBe('class,order_key,item_id,subitem_id,kept_item_id,subject,expected,actual');
  expect(csv).toHaveLength(1 + 6);

  const repaired = await cli(['verify', '--repair']);
  expect(repaired.stdout).toMatch(/repair \(batch repair:[^)]+\): 2 duplicate\/orphan items archived .* 5 of 5 order lines synced, 0 failed/);
  expect(repaired.code).toBe(0);
  const again = await cli(['verify']);
  expect(again.stdout).toMatch(/no drift in 5 order lines/);
  expect(again.code).toBe(0);
});

test('schedule apply --nightly-verify: a whole-board verify every night (refused when malformed), shown by describe, removed with off', async () => {
  const bad = await cli(['schedule', 'apply', '--nightly-verify', '25:00']);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/--nightly-verify needs a UTC time HH:MM/);
  const applied = await cli(['schedule', 'apply', '--nightly-verify', '02:30']);
  expect(applied.stderr).toMatch(/nightly verify: every day at 02:30 UTC/);
  expect((await cli(['schedule', 'describe'])).stdout).toMatch(/nightly verify \(orders-sync-verify\): active, every day at 02:30 UTC; next: \S+T02:30:00/);
  // What 02:30 does: a whole-board verify under its own run id, the one the drift gauge reads.
  const verify = verifyStoreOf(stack.store);
  const before = await verify.latestWholeBoardRun(stack.mapping.items.boardId);
  await stack.client.schedule.getHandle('orders-sync-verify').trigger();
  let after = before;
  for (let i = 0; i < 300 && after?.runId === before?.runId; i++) {
    await new Promise((r) => setTimeout(r, 200));
    after = await verify.latestWholeBoardRun(stack.mapping.items.boardId);
  }
  expect(after?.runId).not.toBe(before?.runId);
  expect(after?.summary?.lines).toBe(5);
  await cli(['schedule', 'apply', '--nightly-verify', 'off']);
  expect((await cli(['schedule', 'describe'])).stdout).toMatch(/nightly verify: off/);
});
