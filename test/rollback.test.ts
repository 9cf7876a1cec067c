// Rollback of a sync batch, end to end on real parts: Temporal dev server, SQLite file, the sandbox over HTTP,
// the real worker, and the CLI as users run it (bin/orders-sync.js as a child process).
import { MockActivityEnvironment } from '@temporalio/testing';
import { startStack, type Stack } from './support/stack';
import { runCli } from './support/cli';
import { readBoard, type BoardItem } from './support/board';
import { runSyncOnce } from '../cli/sync-once';
import { generateOrderLines } from '../db/demo-data';
import { orderKeyOf } from '../mapping';
import { type ItemValues, type OperationsStore } from '../db/operations';
import { operationsOf } from '../db/open';
import { createRollbackActivities, type RollbackPlan } from '../activities/rollback';
import type { SourceRow } from '../shared/order';

let stack: Stack;
let operations: OperationsStore;
const rows = generateOrderLines(4, 11);
const added = generateOrderLines(6, 11).slice(4);
const NOTES = 'long_text_mkr5hass';

const cli = (args: string[]) => runCli(stack.childEnv(), args);

const keyOf = (row: SourceRow) => orderKeyOf(stack.mapping, row);
const where = (row: SourceRow) => ({ 'AAG ORDER NUMBER': String(row['AAG ORDER NUMBER']) });
/** The board as an auditor sees it: per order key, the notes, group and quantity per size. */
async function boardView(): Promise<Record<string, { notes: string | null; group: string; sizes: Record<string, number> }>> {
  const board: BoardItem[] = await readBoard(stack.sandbox.url, stack.mapping.items.boardId);
  const { keyColumnId } = stack.mapping.items;
  const { sizeColumnId, qtyColumnId } = stack.mapping.subitems;
  return Object.fromEntries(board.map((i) => [i.values[keyColumnId]?.text ?? '', {
    notes: i.values[NOTES]?.text ?? null, group: i.group,
    sizes: Object.fromEntries(i.subitems.map((s) => [s.values[sizeColumnId]?.text ?? '', Number(s.values[qtyColumnId]?.text)])),
  }]));
}

beforeAll(async () => {
  stack = await startStack();
  operations = operationsOf(stack.store);
  await stack.store.insertSourceRows(rows);
});
afterAll(() => stack?.stop());

test('a bad batch is rolled back: dry run changes nothing, --apply restores the board, the next sync does not redo it, a second apply repeats nothing', async () => {
  const first = await runSyncOnce(stack.client, stack.store, { pageSize: 50 });
  expect(first.orders).toBe(4);
  const before = await boardView();
  expect(Object.keys(before)).toHaveLength(4);

  // The "bad release": notes and a quantity change on order 0, a season change on order 1 (moves group), two new order lines.
  const [changed, moved] = [rows[0]!, rows[1]!];
  const size = Object.keys(before[keyOf(changed)]!.sizes)[0]!;
  await stack.store.updateSourceRows(where(changed), { NOTES: 'BAD RELEASE NOTE', [size]: 999 });
  await stack.store.updateSourceRows(where(moved), { 'CUSTOMER SEASON': '2031 WINTER' });
  await stack.store.insertSourceRows(added);
  const bad = await runSyncOnce(stack.client, stack.store, { pageSize: 50 });
  expect(bad.failed).toBe(0);
  expect(bad.orders).toBe(4);
  const after = await boardView();
  expect(after[keyOf(changed)]!.notes).toBe('BAD RELEASE NOTE');
  expect(after[keyOf(changed)]!.sizes[size]).toBe(999);
  expect(after[keyOf(moved)]!.group).not.toBe(before[keyOf(moved)]!.group);
  expect(Object.keys(after)).toHaveLength(6);

  // The audit holds every write of the bad batch, with what the updates replaced.
  const writes = await operations.listWrites(bad.batchId);
  const itemUpdate = writes.find((w) => w.orderKey === keyOf(changed) && w.target === 'item')!;
  expect(itemUpdate.action).toBe('update');
  expect((itemUpdate.replacedValues as ItemValues).columnValues[NOTES]).not.toBe('BAD RELEASE NOTE');
  const qtyUpdate = writes.find((w) => w.orderKey === keyOf(changed) && w.target === 'subitem' && w.size === size)!;
  expect(qtyUpdate).toMatchObject({ action: 'update', newValues: { qty: 999 }, replacedValues: { qty: before[keyOf(changed)]!.sizes[size] } });
  expect(writes.filter((w) => w.action === 'create' && w.target === 'item').map((w) => w.orderKey).sort()).toEqual(added.map(keyOf).sort());

  const dry = await cli(['rollback', '--batch', bad.batchId]);
  expect(dry.stderr).not.toContain('failed');
  expect(dry.code).toBe(0);
  expect(dry.stdout).toContain('dry run: nothing was changed');
  expect(dry.stdout).toContain(`${keyOf(changed)}: subitem`);
  expect(await boardView()).toEqual(after);

  const applied = await cli(['rollback', '--batch', bad.batchId, '--apply']);
  expect(applied.code).toBe(0);
  expect(applied.stdout).toMatch(/rolled back \d+ write\(s\); 4 order line\(s\) marked in staging/);
  expect(await boardView()).toEqual(before);

  // Not redone by the next sync while the source and mapping are unchanged ...
  const next = await runSyncOnce(stack.client, stack.store, { pageSize: 50 });
  expect(next.orders + next.failed).toBe(0);
  expect(await boardView()).toEqual(before);
  expect((await stack.store.getStagedOrder(keyOf(changed)))?.status).toBe('SYNCED');

  // ... and a second apply finds nothing left to do.
  const again = await cli(['rollback', '--batch', bad.batchId, '--apply']);
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/rolled back 0 write\(s\)/);
  expect(again.stdout).toContain('already rolled back');
  expect(await boardView()).toEqual(before);

  // When the source changes again, the sync writes again (a new item for a rolled-back creation).
  await stack.store.updateSourceRows(where(added[0]!), { NOTES: 'fixed' });
  await stack.store.updateSourceRows(where(changed), { NOTES: 'fixed too' });
  const fixed = await runSyncOnce(stack.client, stack.store, { pageSize: 50 });
  expect(fixed.failed).toBe(0);
  expect(fixed.orders).toBe(2);
  const now = await boardView();
  expect(now[keyOf(added[0]!)]!.notes).toBe('fixed');
  expect(now[keyOf(changed)]!.notes).toBe('fixed too');
  expect(now[keyOf(changed)]!.sizes[size]).toBe(999);
}, 180_000);

test('a rollback that stopped half way resumes: the writes already undone are not sent again', async () => {
  const base = await boardView();
  const row = rows[2]!;
  await stack.store.updateSourceRows(where(row), { NOTES: 'second bad release' });
  await stack.store.insertSourceRows(generateOrderLines(8, 11).slice(6));
  const bad = await runSyncOnce(stack.client, stack.store, { pageSize: 50 });
  expect(bad.orders).toBe(3);

  // Half of the plan done by an earlier attempt (the activity itself, as the worker runs it).
  const activities = createRollbackActivities({ store: stack.store, operations, monday: stack.monday, mapping: stack.mapping });
  const env = new MockActivityEnvironment();
  const plan: RollbackPlan = await env.run(activities.planRollback, { batchId: bad.batchId });
  const half = plan.auditIds.slice(0, Math.ceil(plan.auditIds.length / 2));
  await env.run(activities.applyRollbackSteps, { batchId: bad.batchId, auditIds: half });
  const mutationsBefore = stack.sandbox.stats().mutations;

  const r = await cli(['rollback', '--batch', bad.batchId, '--apply']);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`${half.length} write(s) already rolled back`);
  const sent = stack.sandbox.stats().mutations - mutationsBefore;
  expect(sent).toBeLessThanOrEqual(plan.auditIds.length - half.length);
  expect(await boardView()).toEqual(base);
}, 180_000);

test('an unknown batch id is a clear error', async () => {
  const r = await cli(['rollback', '--batch', 'no-such-batch']);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('batch no-such-batch has no audited Monday writes');
});

test('a batch that is still running is not rolled back', async () => {
  await stack.store.startBatch({ batchId: 'still-running', batchType: 'FULL_BATCH' });
  const r = await cli(['rollback', '--batch', 'still-running']);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('batch still-running is still running');
});
