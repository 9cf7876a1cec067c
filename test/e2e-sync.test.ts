// End to end on real parts: Temporal dev server, SQLite file, the sandbox over HTTP, the real worker.
import { startStack, type Stack } from './support/stack';
import { readBoard, type BoardItem } from './support/board';
import { runSyncOnce } from '../cli/sync-once';
import { generateDemoOrders, generateOrderLines, seedDemoData } from '../db/demo-data';
import { createActivities } from '../activities';
import { activityDeps } from '../worker';
import { createTransform, MappingError } from '../mapping';
import type { OrderPayload } from '../shared/order';

let stack: Stack;
let expected: OrderPayload[];
let rejectedRows: number;

beforeAll(async () => {
  stack = await startStack();
  await seedDemoData(stack.store);
  const transform = createTransform(stack.mapping);
  expected = [];
  rejectedRows = 0;
  for (const row of generateDemoOrders()) {
    try {
      expected.push(transform(row));
    } catch (err) {
      if (!(err instanceof MappingError)) throw err;
      rejectedRows++;
    }
  }
});
afterAll(() => stack?.stop());

/** The text Monday shows for a value written in its JSON write format. */
function displayText(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as { labels?: string[]; label?: string; date?: string; text?: string };
  return v.labels?.join(', ') ?? v.label ?? v.date ?? v.text ?? JSON.stringify(value);
}

function itemsByKey(board: BoardItem[]): Map<string, BoardItem[]> {
  const keyColumn = stack.mapping.items.keyColumnId;
  const map = new Map<string, BoardItem[]>();
  for (const item of board) {
    const key = item.values[keyColumn]?.text ?? '';
    map.set(key, [...(map.get(key) ?? []), item]);
  }
  return map;
}

test('the demo orders sync: one item per order line with its values and one subitem per size', async () => {
  const summary = await runSyncOnce(stack.client, stack.store, { pageSize: 40 });
  expect(summary.failed).toBe(0);
  expect(summary.orders).toBe(expected.length);
  expect(summary.subitems).toBe(expected.reduce((n, p) => n + p.subitems.length, 0));
  expect(summary.rejectedRows).toBe(rejectedRows);
  expect(rejectedRows).toBeGreaterThanOrEqual(3);

  const board = await readBoard(stack.sandbox.url, stack.mapping.items.boardId);
  const byKey = itemsByKey(board);
  expect(board).toHaveLength(expected.length);
  const { sizeColumnId, qtyColumnId } = stack.mapping.subitems;
  for (const order of expected) {
    const items = byKey.get(order.key) ?? [];
    expect(items).toHaveLength(1);
    const item = items[0]!;
    expect(item.name).toBe(order.itemName);
    expect(item.group).toBe(order.groupName);
    for (const [columnId, value] of Object.entries(order.columnValues)) {
      // A number's text is formatted by Monday (unit, precision): numbers are compared by their stored value.
      const isNumber = stack.mapping.items.columns.find((c) => c.id === columnId)?.type === 'numbers';
      if (isNumber) expect({ columnId, number: Number(JSON.parse(item.values[columnId]?.value ?? 'null')) }).toEqual({ columnId, number: Number(value) });
      else expect({ columnId, text: item.values[columnId]?.text }).toEqual({ columnId, text: displayText(value) });
    }
    const subitems = item.subitems.map((s) => ({ name: s.name, size: s.values[sizeColumnId]?.text, qty: Number(JSON.parse(s.values[qtyColumnId]?.value ?? 'null')) }));
    expect(subitems.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      order.subitems.map((s) => ({ name: s.name, size: s.size, qty: s.qty })).sort((a, b) => a.name.localeCompare(b.name)),
    );
  }
});

test('GREYSON PO 4755 arrives whole: 69 order lines, 264 size quantities, found in the Web UI by customer, PO and status', async () => {
  const greyson = expected.filter((p) => p.customer === 'GREYSON' && p.poNumber === '4755');
  expect(greyson).toHaveLength(69);
  expect(greyson.reduce((n, p) => n + p.subitems.length, 0)).toBe(264);
  // The query an operator types into the Web UI's workflow filter.
  const query = 'WorkflowType="orderWorkflow" AND OrderCustomer="GREYSON" AND OrderPO="4755" AND OrderSyncStatus="SYNCED"';
  let found = 0;
  for (let tries = 0; tries < 50 && found !== 69; tries++) {
    found = (await stack.client.workflow.count(query)).count;
    if (found !== 69) await new Promise((r) => setTimeout(r, 100));
  }
  expect(found).toBe(69);
});

test('bad rows end in the error table with category and reason; the rest synced', async () => {
  const errors = await stack.store.listErrors({ unresolvedOnly: true });
  const dataErrors = errors.filter((e) => e.category === 'DATA');
  expect(dataErrors.length).toBe(rejectedRows);
  for (const e of dataErrors) expect(e.message.length).toBeGreaterThan(10);
  const counts = await stack.store.statusCounts();
  expect(counts.SYNCED).toBe(expected.length);
  expect(counts.FAILED).toBe(0);
});

test('a second sync changes nothing; a changed quantity updates that subitem in place', async () => {
  const again = await runSyncOnce(stack.client, stack.store, { pageSize: 40 });
  expect(again.orders).toBe(0);
  expect(again.unchanged).toBe(expected.length);

  const target = expected.find((p) => p.subitems.length >= 2)!;
  const size = target.subitems[0]!.size;
  const [aag, style, colour] = target.key.split('|');
  const changed = await stack.store.updateSourceRows(
    { 'AAG ORDER NUMBER': aag!, 'CUSTOMER STYLE': style!, 'CUSTOMER COLOUR DESCRIPTION': colour! },
    { [size]: target.subitems[0]!.qty + 5 },
  );
  expect(changed).toBe(1);
  const third = await runSyncOnce(stack.client, stack.store, { pageSize: 40 });
  expect(third).toMatchObject({ orders: 1, failed: 0 });

  const board = await readBoard(stack.sandbox.url, stack.mapping.items.boardId);
  expect(board).toHaveLength(expected.length);
  const item = itemsByKey(board).get(target.key)!;
  expect(item).toHaveLength(1);
  const sub = item[0]!.subitems.filter((s) => s.values[stack.mapping.subitems.sizeColumnId]?.text === size);
  expect(sub).toHaveLength(1);
  expect(Number(sub[0]!.values[stack.mapping.subitems.qtyColumnId]?.text)).toBe(target.subitems[0]!.qty + 5);
});

test('a size that left the order is set to quantity 0 on its subitem, never duplicated', async () => {
  const target = expected.find((p) => p.subitems.length >= 3)!;
  const gone = target.subitems[1]!.size;
  const [aag, style, colour] = target.key.split('|');
  await stack.store.updateSourceRows({ 'AAG ORDER NUMBER': aag!, 'CUSTOMER STYLE': style!, 'CUSTOMER COLOUR DESCRIPTION': colour! }, { [gone]: null });
  const run = await runSyncOnce(stack.client, stack.store, { pageSize: 40 });
  expect(run).toMatchObject({ orders: 1, failed: 0 });
  const board = await readBoard(stack.sandbox.url, stack.mapping.items.boardId);
  const item = itemsByKey(board).get(target.key)!;
  expect(item).toHaveLength(1);
  const { sizeColumnId, qtyColumnId } = stack.mapping.subitems;
  const subs = item[0]!.subitems.map((s) => [s.values[sizeColumnId]?.text, Number(s.values[qtyColumnId]?.text)]);
  expect(subs.filter(([size]) => size === gone)).toEqual([[gone, 0]]);
  expect(subs).toHaveLength(target.subitems.length);
  const staged = await stack.store.getStagedOrder(target.key);
  expect(staged?.subitems.find((s) => s.size === gone)).toMatchObject({ qty: 0, syncedQty: 0 });
  // Nothing left to do: the next sync leaves the order alone.
  expect(await runSyncOnce(stack.client, stack.store, { pageSize: 40 })).toMatchObject({ orders: 0 });
});

test('key columns with stray blanks still find their row; a row that vanished before its workflow is reported, not lost', async () => {
  const [row] = generateOrderLines(1, 515);
  row!['CUSTOMER COLOUR DESCRIPTION'] = `  ${String(row!['CUSTOMER COLOUR DESCRIPTION'])}  `;
  await stack.store.insertSourceRows([row!]);
  const run = await runSyncOnce(stack.client, stack.store, { pageSize: 40 });
  expect(run).toMatchObject({ orders: 1, failed: 0 });

  const activities = createActivities(activityDeps(stack.config, stack));
  const [ghost] = generateOrderLines(1, 516);
  const payload = createTransform(stack.mapping)(ghost!); // staged by a sync, then deleted from ORDERS_UNIFIED
  await stack.store.stageOrders('ghost-batch', [payload]);
  await expect(activities.stageOrder({ key: payload.key, batchId: null })).resolves.toMatchObject({ status: 'GONE' });
  expect((await stack.store.getStagedOrder(payload.key))?.status).toBe('FAILED');
  expect((await stack.store.listErrors({ orderKey: payload.key }))[0]).toMatchObject({ category: 'DATA', errorType: 'SOURCE_ROW_GONE' });
});

test('a changed season moves the item to its new group; still one item', async () => {
  const target = expected.find((p) => p.customer === 'GREYSON')!;
  const [aag, style, colour] = target.key.split('|');
  await stack.store.updateSourceRows({ 'AAG ORDER NUMBER': aag!, 'CUSTOMER STYLE': style!, 'CUSTOMER COLOUR DESCRIPTION': colour! }, { 'CUSTOMER SEASON': 'FALL WINTER 2027' });
  expect(await runSyncOnce(stack.client, stack.store, { pageSize: 40 })).toMatchObject({ orders: 1, failed: 0 });
  const item = itemsByKey(await readBoard(stack.sandbox.url, stack.mapping.items.boardId)).get(target.key)!;
  expect(item).toHaveLength(1);
  expect(item[0]!.group).toBe('GREYSON FALL WINTER 2027');
  expect(target.groupName).not.toBe('GREYSON FALL WINTER 2027');
});
