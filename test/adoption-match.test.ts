// The matching rules of `board adopt`, on hand-made boards: which rule matched, what is kept and why.
import { loadMapping } from '../mapping';
import { matchColumns, normaliseSize, planAdoption, reportCsv, summarise, type BoardEntry } from '../mapping/adoption-match';
import type { OrderPayload } from '../shared/order';

const mapping = loadMapping();
const columns = matchColumns(mapping);
const [AAG, STYLE, COLOR] = columns.keyPartColumnIds as [string, string, string];
const CUSTOMER = columns.customerColumnId!;
const { sizeColumnId: SIZE, qtyColumnId: QTY } = columns;

function line(aag: string, style: string, colour: string, sizes: [string, number][], customer = 'GREYSON'): OrderPayload {
  return {
    key: `${aag}|${style}|${colour}`, itemName: `${style} ${colour} ${aag}`, groupName: `${customer} 2026 SPRING`, customer, poNumber: null,
    aagOrderNumber: aag, columnValues: {}, createLabelsIfMissing: false, hash: 'h',
    subitems: sizes.map(([size, qty]) => ({ size, name: `Size ${size}`, qty, columnValues: {} })),
  };
}
let nextId = 10_000_000_000;
function item(values: Record<string, string>, name = 'x'): BoardEntry {
  return { itemId: String(nextId++), parentItemId: null, name, createdAt: '2025-01-01T00:00:00Z', values };
}
function sub(parent: BoardEntry, size: string, qty: number | string): BoardEntry {
  return { itemId: String(nextId++), parentItemId: parent.itemId, name: `Size ${size}`, createdAt: '2025-01-01T00:00:00Z', values: { [SIZE]: size, [QTY]: String(qty) } };
}
const plan = (lines: OrderPayload[], items: BoardEntry[], subitems: BoardEntry[] = []) => planAdoption({ lines, items, subitems, columns, customers: mapping.customers });

test('rules in order: a valid key, then the AAG/STYLE/COLOR values normalised, then the item name; the rule is recorded', () => {
  const a = line('GRE-1', 'GR1', 'NAVY', [['M', 5]]);
  const b = line('GRE-2', 'GR2', 'TOTAL ECLIPSE/TRUE BLACK', [['M', 5]]);
  const c = line('GRE-3', 'GR3', 'WHITE', [['M', 5]]);
  const byKey = item({ [columns.keyColumnId]: a.key });
  const byValues = item({ [AAG]: ' gre-2 ', [STYLE]: 'gr2', [COLOR]: 'total  eclipse/true black' });
  const byName = item({}, ` ${c.itemName.toLowerCase()} `);
  const p = plan([a, b, c], [byKey, byValues, byName]);
  expect(p.matched.map((m) => [m.key, m.itemId, m.rule])).toEqual([[a.key, byKey.itemId, 'key'], [b.key, byValues.itemId, 'values'], [c.key, byName.itemId, 'name']]);
  expect(summarise(p)).toMatchObject({ matched: { key: 1, values: 1, name: 1 }, keyWrites: 2, orphans: 0, missing: 0 });
});

test('a key column holding a key no order line has falls through to the values; an unknown item is an orphan', () => {
  const a = line('GRE-1', 'GR1', 'NAVY', [['M', 5]]);
  const handEdited = item({ [columns.keyColumnId]: 'nonsense', [AAG]: 'GRE-1', [STYLE]: 'GR1', [COLOR]: 'NAVY' });
  const orphan = item({ [AAG]: 'OLD-1', [STYLE]: 'X', [COLOR]: 'Y' }, 'old sample');
  const p = plan([a, line('GRE-9', 'GR9', 'RED', [['S', 1]])], [handEdited, orphan]);
  expect(p.matched).toMatchObject([{ key: a.key, rule: 'values' }]);
  expect(p.orphans).toEqual([{ itemId: orphan.itemId, name: 'old sample' }]);
  expect(p.missing.map((m) => m.key)).toEqual(['GRE-9|GR9|RED']);
});

test('lines that differ only in spelling: the customer (any of its spellings) decides, else the item is ambiguous and left alone', () => {
  const greyson = line('GRE-1', 'GR1', 'NAVY', [['M', 5]], 'GREYSON');
  const title9 = line('gre-1', 'gr1', 'navy', [['M', 5]], 'TITLE 9');
  const variant = mapping.customers.find((c) => c.canonical === 'GREYSON')!.variants.find((v) => v.toUpperCase() !== 'GREYSON') ?? 'GREYSON';
  const told = item({ [AAG]: 'GRE-1', [STYLE]: 'GR1', [COLOR]: 'NAVY', [CUSTOMER]: variant.toLowerCase() });
  const untold = item({ [AAG]: 'GRE-1', [STYLE]: 'GR1', [COLOR]: 'NAVY' }, 'no customer');
  const p = plan([greyson, title9], [told, untold]);
  expect(p.matched).toMatchObject([{ key: greyson.key, itemId: told.itemId, rule: 'values' }]);
  expect(p.ambiguous).toEqual([{ itemId: untold.itemId, name: 'no customer', rule: 'values', candidates: [greyson.key, title9.key] }]);
});

test('duplicates: the item with most sizes matching the source is kept, then the oldest; the reason says which', () => {
  const a = line('GRE-1', 'GR1', 'NAVY', [['S', 1], ['M', 2]]);
  const values = { [AAG]: 'GRE-1', [STYLE]: 'GR1', [COLOR]: 'NAVY' };
  const older = item(values);
  const newer = { ...item(values), createdAt: '2025-06-01T00:00:00Z' };
  const subs = [sub(older, 'S', 9), sub(newer, 'S', 1), sub(newer, 'M', 2)];
  const p = plan([a], [older, newer], subs);
  expect(p.matched).toMatchObject([{ itemId: newer.itemId }]);
  expect(p.duplicates).toEqual([{ key: a.key, itemId: older.itemId, keptItemId: newer.itemId, reason: expect.stringContaining('2 subitems match the source against 0') }]);

  const tie = plan([a], [newer, older], []);   // no sizes anywhere: the oldest wins
  expect(tie.matched).toMatchObject([{ itemId: older.itemId }]);
  expect(tie.duplicates[0]!.reason).toContain('older');
});

test('near-duplicate size labels (O/S, OS, ONE SIZE) under one item: the exact label is kept and linked, the others are duplicate sizes', () => {
  expect(['O/S', 'OS', 'one size', 'One-Size'].map(normaliseSize)).toEqual(['OS', 'OS', 'OS', 'OS']);
  const a = line('JOO-1', 'J1', 'WHITE', [['ONE SIZE', 4], ['M', 2]], 'JOHNNIE O');
  const it = item({ [AAG]: 'JOO-1', [STYLE]: 'J1', [COLOR]: 'WHITE' });
  const os = sub(it, 'O/S', 4);
  const exact = sub(it, 'ONE SIZE', 3);
  const os2 = sub(it, 'OS', 4);
  const m1 = sub(it, 'M', 2);
  const m2 = sub(it, 'M', 2);
  const p = plan([a], [it], [os, exact, os2, m1, m2]);
  expect(p.matched[0]!.sizes).toEqual([{ size: 'ONE SIZE', subitemId: exact.itemId, qty: 3 }, { size: 'M', subitemId: m1.itemId, qty: 2 }]);
  expect(p.duplicateSizes.map((d) => [d.subitemId, d.label, d.keptSubitemId])).toEqual([
    [os.itemId, 'O/S', exact.itemId], [os2.itemId, 'OS', exact.itemId], [m2.itemId, 'M', m1.itemId],
  ]);
  const csv = reportCsv(p);
  expect(csv.split('\n')[0]).toBe('class,rule,order_key,item_id,subitem_id,kept_id,detail');
  expect(csv).toContain(`duplicate_size,,${a.key},${it.itemId},${os.itemId},${exact.itemId},O/S: size ONE SIZE already held by subitem ${exact.itemId} (ONE SIZE)`);
});

test('rows the mapping rejects and matched lines that could not be linked are counted and listed in the report', () => {
  const a = line('GRE-1', 'GR1', 'NAVY', [['M', 5]]);
  const it = item({ [AAG]: 'GRE-1', [STYLE]: 'GR1', [COLOR]: 'NAVY' });
  const p = planAdoption({ lines: [a], items: [it], subitems: [], columns, customers: mapping.customers, rejected: [{ key: 'GRE-9|GR9|RED', reason: 'the mapping rejects its source row: order GRE-9|GR9|RED: SHIP DATE = "soon": not a date' }] });
  expect(summarise(p)).toMatchObject({ rejected: 1, keyWrites: 1, examples: { rejected: ['GRE-9|GR9|RED: the mapping rejects its source row: order GRE-9|GR9|RED: SHIP DATE = "soon": not a date'] } });
  const csv = reportCsv(p, [{ key: a.key, reason: 'its source row is gone' }]);
  expect(csv).toContain('rejected,,GRE-9|GR9|RED,,,,"the mapping rejects its source row: order GRE-9|GR9|RED: SHIP DATE = ""soon"": not a date"');
  expect(csv).toContain(`not_linked,,${a.key},${it.itemId},,,its source row is gone`);
});
