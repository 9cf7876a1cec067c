// `verify --repair` with the real verify and order activities (test/support/verify-driver.ts) on a real SQLite file and
// the sandbox over HTTP: a board whose items staging does not know (written before this sync, never adopted) is
// repaired in place, never doubled; a line archived as an orphan is synced again when it comes back.
import { generateOrderLines } from '../db/demo-data';
import { createTransform } from '../mapping';
import { startParts, type Parts } from './support/parts';
import { createOrderDriver } from './support/order-driver';
import { createVerifyDriver } from './support/verify-driver';
import { readBoard } from './support/board';

let parts: Parts;
beforeAll(async () => { parts = await startParts(); });
afterAll(() => parts?.stop());
beforeEach(() => parts.reset());

test('items staging does not know are linked and updated by --repair, not created again', async () => {
  const rows = generateOrderLines(3, 41).map((r, i) => ({ ...r, 'AAG ORDER NUMBER': `VR-${i}` }));
  await parts.store.insertSourceRows(rows);
  const transform = createTransform(parts.mapping);
  const { boardId, keyColumnId } = parts.mapping.items;
  // The board as a sync would leave it, but written by someone else: staging is empty. One item has a stale note.
  parts.sandbox.seedLegacy(boardId, rows.map((row, i) => {
    const p = transform(row);
    return {
      name: p.itemName, group: p.groupName, columnValues: { ...p.columnValues, [keyColumnId]: p.key, ...(i === 0 ? { long_text_mkr5hass: { text: 'stale' } } : {}) },
      subitems: p.subitems.map((s) => ({ name: s.name, columnValues: s.columnValues })),
    };
  }));
  const verify = createVerifyDriver(parts, createOrderDriver(parts.acts));
  expect((await verify.run({ repair: false })).drift.map((d) => d.class)).toEqual(['stale_cell']);
  expect(await verify.run({ repair: true })).toMatchObject({ failed: 0 });
  expect((await verify.run({ repair: false })).drift).toEqual([]);
  expect(await readBoard(parts.sandbox.url, boardId)).toHaveLength(3);
});

test('an orphan archived by --repair comes back with its order line, as a new item', async () => {
  const [row] = generateOrderLines(1, 42);
  await parts.store.insertSourceRows([row!]);
  const orders = createOrderDriver(parts.acts);
  const verify = createVerifyDriver(parts, orders);
  await orders.sync();
  await parts.store.deleteSourceRows({ record_uuid: String(row!.record_uuid) });
  await orders.sync();
  expect((await verify.run({ repair: false })).drift.map((d) => d.class)).toEqual(['orphan_item']);
  await verify.run({ repair: true });
  expect(await readBoard(parts.sandbox.url, parts.mapping.items.boardId)).toHaveLength(0);
  await parts.store.insertSourceRows([row!]);
  expect((await orders.sync()).synced).toHaveLength(1);
  expect((await verify.run({ repair: false })).drift).toEqual([]);
  expect(await readBoard(parts.sandbox.url, parts.mapping.items.boardId)).toHaveLength(1);
});
