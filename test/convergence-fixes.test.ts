// The divergences of issue 17, each met the way it happened: the real activities on a real SQLite file and the
// sandbox over HTTP (test/support/order-driver.ts runs the workflow steps). Every test here failed on the code before
// its fix (named in each test).
import { generateOrderLines } from '../db/demo-data';
import { orderKeyOf } from '../mapping';
import type { SourceRow } from '../shared/order';
import { startParts, type Parts } from './support/parts';
import { createOrderDriver } from './support/order-driver';
import { gql, readBoard } from './support/board';
import type { SqliteStore } from '../db/sqlite/store';

let parts: Parts;
beforeAll(async () => { parts = await startParts(); });
afterAll(() => parts?.stop());
beforeEach(() => parts.reset());

const EX_FACTORY = 'date_mkr57811';
const NOTES = 'long_text_mkr5hass';
const PRICE = 'numeric_mkr5cact';
const where = (row: SourceRow) => ({ 'AAG ORDER NUMBER': String(row['AAG ORDER NUMBER']) });

async function itemOf(key: string) {
  const board = await readBoard(parts.sandbox.url, parts.mapping.items.boardId);
  const items = board.filter((i) => i.values[parts.mapping.items.keyColumnId]?.text === key);
  expect(items).toHaveLength(1);
  return items[0]!;
}

test('values emptied in ORDERS_UNIFIED are emptied on the board by the next sync (old code: 0 of 3 cleared)', async () => {
  const [row] = generateOrderLines(1, 5);
  await parts.store.insertSourceRows([row!]);
  const driver = createOrderDriver(parts.acts);
  expect((await driver.sync()).synced).toHaveLength(1);
  const key = orderKeyOf(parts.mapping, row!);
  const before = await itemOf(key);
  expect([before.values[EX_FACTORY]?.text, before.values[NOTES]?.text, before.values[PRICE]?.value]).not.toContain(null);

  await parts.store.updateSourceRows(where(row!), { 'EX FACTORY DATE': null, NOTES: null, 'CUSTOMER PRICE': null });
  const again = await driver.sync();
  expect(again.totals.changed).toBe(1);
  const after = await itemOf(key);
  expect({ date: after.values[EX_FACTORY], notes: after.values[NOTES], price: after.values[PRICE]?.value ?? null })
    .toEqual({ date: { text: '', value: null }, notes: { text: '', value: null }, price: null });
});

test('a rollback empties again a column the batch filled (old code: the filled value stayed)', async () => {
  const [row] = generateOrderLines(1, 6);
  row!.NOTES = null;
  await parts.store.insertSourceRows([row!]);
  const driver = createOrderDriver(parts.acts);
  await driver.sync();
  const key = orderKeyOf(parts.mapping, row!);
  expect((await itemOf(key)).values[NOTES]?.text ?? '').toBe('');
  await parts.store.updateSourceRows(where(row!), { NOTES: 'FILLED BY THE BAD BATCH' });
  const bad = await driver.sync();
  expect((await itemOf(key)).values[NOTES]?.text).toBe('FILLED BY THE BAD BATCH');

  const { createRollbackActivities } = await import('../activities/rollback');
  const rollback = createRollbackActivities({ store: parts.store, operations: parts.operations, monday: parts.monday, mapping: parts.mapping });
  const plan = await driver.activity(rollback.planRollback, { batchId: bad.batchId });
  await driver.activity(rollback.applyRollbackSteps, { batchId: bad.batchId, auditIds: plan.auditIds });
  expect((await itemOf(key)).values[NOTES]?.text ?? '').toBe('');
});

/** What people do on the subitems board by hand, through Monday's API as they would. */
async function setSubitemLabel(subitemId: string, label: string): Promise<void> {
  await gql(parts.sandbox.url, `mutation ($id: ID!, $v: JSON!) { change_multiple_column_values(board_id: ${parts.mapping.subitems.boardId}, item_id: $id, column_values: $v, create_labels_if_missing: true) { id } }`,
    { id: subitemId, v: JSON.stringify({ [parts.mapping.subitems.sizeColumnId]: { labels: [label] } }) });
}
async function addSubitemByHand(parentId: string, label: string, qty: number): Promise<string> {
  const { sizeColumnId, qtyColumnId } = parts.mapping.subitems;
  const r = await gql<{ create_subitem: { id: string } }>(parts.sandbox.url, `mutation ($p: ID!, $v: JSON!) { create_subitem(parent_item_id: $p, item_name: "added by hand", column_values: $v, create_labels_if_missing: true) { id } }`,
    { p: parentId, v: JSON.stringify({ [sizeColumnId]: { labels: [label] }, [qtyColumnId]: String(qty) }) });
  return r.create_subitem.id;
}
const sizesOf = (item: { subitems: { values: Record<string, { text: string | null; value: string | null }> }[] }) =>
  item.subitems.map((s) => [s.values[parts.mapping.subitems.sizeColumnId]?.text, Number(JSON.parse(s.values[parts.mapping.subitems.qtyColumnId]?.value ?? 'null'))]).sort();
/** One order line with exactly these sizes. */
function lineWithSizes(seed: number, sizes: Record<string, number>): SourceRow {
  const [row] = generateOrderLines(1, seed);
  for (const s of parts.mapping.source.sizeColumns) row![s] = null;
  return { ...row!, ...sizes };
}

test('a subitem staging links is found by its id whatever its label says: O/S linked as OS is updated, never doubled (old code: O/S=5 and OS=7)', async () => {
  const row = lineWithSizes(7, { OS: 5, M: 2 });
  await parts.store.insertSourceRows([row]);
  const driver = createOrderDriver(parts.acts);
  await driver.sync();
  const key = orderKeyOf(parts.mapping, row);
  const os = (await itemOf(key)).subitems.find((s) => s.values[parts.mapping.subitems.sizeColumnId]?.text === 'OS')!;
  await setSubitemLabel(os.id, 'O/S');   // as the earlier system spelt it (board adopt links it by its alias rule)
  await parts.store.updateSourceRows(where(row), { OS: 7 });
  await driver.sync();
  // The same subitem, its quantity and its label written as the source has them.
  expect(sizesOf(await itemOf(key))).toEqual([['M', 2], ['OS', 7]]);
  expect((await itemOf(key)).subitems.map((s) => s.id)).toContain(os.id);
});

test('a subitem staging does not know is found by its normalised label: a hand-made "one size" is the order\'s OS, never a second one', async () => {
  const row = lineWithSizes(8, { M: 2 });
  await parts.store.insertSourceRows([row]);
  const driver = createOrderDriver(parts.acts);
  await driver.sync();
  const key = orderKeyOf(parts.mapping, row);
  const byHand = await addSubitemByHand((await itemOf(key)).id, 'one size', 3);
  await parts.store.updateSourceRows(where(row), { OS: 4 });
  await driver.sync();
  expect(sizesOf(await itemOf(key))).toEqual([['M', 2], ['OS', 4]]);
  expect((await itemOf(key)).subitems.map((s) => s.id)).toContain(byHand);
});

test('a subitem a reconcile found is audited as the update it got, not as created: rollback restores it, never archives it (old code: archived)', async () => {
  const row = lineWithSizes(9, { M: 2 });
  await parts.store.insertSourceRows([row]);
  const driver = createOrderDriver(parts.acts);
  await driver.sync();
  const key = orderKeyOf(parts.mapping, row);
  const byHand = await addSubitemByHand((await itemOf(key)).id, 'XL', 3);
  await parts.store.updateSourceRows(where(row), { XL: 5, M: 1 });
  const batch = await driver.sync();
  const writes = await parts.operations.listWrites(batch.batchId);
  expect(writes.filter((w) => w.target === 'subitem').map((w) => [w.size, w.action, w.mondayId === byHand, w.replacedValues]).sort())
    .toEqual([['M', 'update', false, { qty: 2 }], ['XL', 'update', true, { qty: 3 }]]);

  const { createRollbackActivities } = await import('../activities/rollback');
  const rollback = createRollbackActivities({ store: parts.store, operations: parts.operations, monday: parts.monday, mapping: parts.mapping });
  const plan = await driver.activity(rollback.planRollback, { batchId: batch.batchId });
  await driver.activity(rollback.applyRollbackSteps, { batchId: batch.batchId, auditIds: plan.auditIds });
  expect(sizesOf(await itemOf(key))).toEqual([['M', 2], ['XL', 3]]);
});

test('several active items for one order line found by the key look-up: the oldest stays, the others are archived with an audit row (old code: left for ever)', async () => {
  const row = lineWithSizes(10, { M: 2 });
  await parts.store.insertSourceRows([row]);
  const driver = createOrderDriver(parts.acts);
  await driver.sync();
  const key = orderKeyOf(parts.mapping, row);
  const first = (await itemOf(key)).id;
  // Two more items with its key, as creates whose Idempotency-Key Monday no longer remembered made them; then the
  // linked one is archived by hand, so the next write looks the line up by its key.
  const { items: { boardId, keyColumnId } } = parts.mapping;
  const extra: string[] = [];
  for (const n of [1, 2]) {
    extra.push((await gql<{ create_item: { id: string } }>(parts.sandbox.url, `mutation ($v: JSON!) { create_item(board_id: ${boardId}, item_name: "copy ${n}", column_values: $v) { id } }`,
      { v: JSON.stringify({ [keyColumnId]: key }) })).create_item.id);
  }
  parts.sandbox.setItemState(first, 'archived');
  await parts.store.updateSourceRows(where(row), { M: 3 });
  const batch = await driver.sync();
  expect(batch.synced).toEqual([key]);
  const board = await readBoard(parts.sandbox.url, boardId);
  expect(board.filter((i) => i.values[keyColumnId]?.text === key).map((i) => i.id)).toEqual([extra[0]]);
  const archived = (await parts.operations.listWrites(batch.batchId)).filter((w) => w.target === 'item' && w.action === 'archive');
  expect(archived.map((w) => [w.orderKey, w.mondayId])).toEqual([[key, extra[1]]]);
});

describe('"source row gone" and the end of a batch', () => {
  const snapshotRows = (batchId: string) => (parts.store as SqliteStore).db
    .prepare('SELECT COUNT(*) FROM MON_SourceSnapshotMember m JOIN MON_SourceSnapshot s ON s.snapshot_id = m.snapshot_id WHERE s.batch_id = ?').pluck().get(batchId) as number;

  test('a snapshot without the row (half removed, or copied mid-reload) is not "gone": the live source decides (old code: FAILED for good)', async () => {
    const row = lineWithSizes(11, { M: 2 });
    await parts.store.insertSourceRows([row]);
    const key = orderKeyOf(parts.mapping, row);
    const driver = createOrderDriver(parts.acts);
    await driver.activity(parts.acts.startSyncBatch, { batchId: 'B1', customer: null, po: null, scheduledBy: 'test' });
    await driver.activity(parts.acts.detectChanges, { batchId: 'B1', cursor: null, pageSize: 100 });
    // What the old two-statement prune let a reader see: the snapshot's header, and none of its rows.
    (parts.store as SqliteStore).db.prepare('DELETE FROM MON_SourceSnapshotMember').run();
    await expect(driver.activity(parts.acts.stageOrder, { key, batchId: 'B1', snapshotOf: 'B1' })).resolves.toMatchObject({ status: 'STAGED' });
  });

  test('a row that really left is reported gone, and synced again when it comes back (old code: it waited for ever)', async () => {
    const row = lineWithSizes(12, { M: 2 });
    await parts.store.insertSourceRows([row]);
    const key = orderKeyOf(parts.mapping, row);
    const driver = createOrderDriver(parts.acts);
    await driver.sync();
    await parts.store.deleteSourceRows(where(row));
    await driver.rerun(key);
    expect(await parts.store.getStagedOrder(key)).toMatchObject({ status: 'FAILED' });
    await parts.store.insertSourceRows([row]);
    const back = await driver.sync();
    expect(back.synced).toEqual([key]);
    expect(await parts.store.getStagedOrder(key)).toMatchObject({ status: 'SYNCED' });
  });

  test('a batch ends when its orders end, and its snapshot goes then, not at dispatch (old code: ended at dispatch)', async () => {
    const rows = [lineWithSizes(13, { M: 2 }), lineWithSizes(14, { S: 1 })];
    await parts.store.insertSourceRows(rows);
    const driver = createOrderDriver(parts.acts);
    const totals = { batchId: 'B2', total: 2, dispatched: 2, newOrders: 2, changed: 0, unchanged: 0, waiting: 0, rejected: 0, pages: 1 };
    await driver.activity(parts.acts.startSyncBatch, { batchId: 'B2', customer: null, po: null, scheduledBy: 'test' });
    const page = await driver.activity(parts.acts.detectChanges, { batchId: 'B2', cursor: null, pageSize: 100 });
    await driver.activity(parts.acts.finishSyncBatch, { batchId: 'B2', totals });
    expect(await parts.store.getBatch('B2')).toMatchObject({ endTime: null });
    expect(snapshotRows('B2')).toBe(2);
    await driver.runOrder(page.orders[0]!.key, 'B2');
    expect(await parts.store.getBatch('B2')).toMatchObject({ endTime: null, counters: { synced: 1 } });
    expect(snapshotRows('B2')).toBe(2);
    // A newer sync's snapshot (the newest full one keeps its rows for the next copy) leaves a running batch's alone.
    await driver.activity(parts.acts.startSyncBatch, { batchId: 'B3', customer: null, po: null, scheduledBy: 'test' });
    await driver.activity(parts.acts.detectChanges, { batchId: 'B3', cursor: null, pageSize: 100 });
    expect(snapshotRows('B2')).toBe(2);
    await driver.runOrder(page.orders[1]!.key, 'B2');
    expect(await parts.store.getBatch('B2')).toMatchObject({ status: 'COMPLETED', counters: { synced: 2 } });
    expect((await parts.store.getBatch('B2'))?.endTime).not.toBeNull();
    expect(snapshotRows('B2')).toBe(0);
  });
});
