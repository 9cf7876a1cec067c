// The divergences of issue 17, each met the way it happened: the real activities on a real SQLite file and the
// sandbox over HTTP (test/support/order-driver.ts runs the workflow steps). Every test here failed on the code before
// its fix (named in each test).
import { generateOrderLines } from '../db/demo-data';
import { orderKeyOf } from '../mapping';
import type { SourceRow } from '../shared/order';
import { startParts, type Parts } from './support/parts';
import { createOrderDriver } from './support/order-driver';
import { gql, readBoard } from './support/board';
import { SANDBOX_TOKEN } from '../cli/targets';

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

export async function setSubitemLabel(subitemId: string, label: string): Promise<void> {
  // A label the earlier system wrote (adoption links it by its alias rule), written the way a person would.
  await gql(parts.sandbox.url, `mutation ($id: ID!, $v: JSON!) { change_multiple_column_values(board_id: ${parts.mapping.subitems.boardId}, item_id: $id, column_values: $v, create_labels_if_missing: true) { id } }`,
    { id: subitemId, v: JSON.stringify({ [parts.mapping.subitems.sizeColumnId]: { labels: [label] } }) });
}
void SANDBOX_TOKEN;
