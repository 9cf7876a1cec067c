// The comparison rules of `orders-sync acceptance`: each column type read back as Monday reads it
// (numbers and dates from `value`, labels from `text` or from ids), empty columns, and sizes.
import { checkOrder, columnMatches, summarise } from '../activities/acceptance-check';
import type { BoardItem, ReadColumnValue } from '../graphql/client';
import { createTransform, loadMapping } from '../mapping';
import fs from 'node:fs';
import path from 'node:path';

const read = (type: string, text: string | null, value: unknown): ReadColumnValue => ({ id: 'c', type, text, value: value === null ? null : JSON.stringify(value) });

test.each([
  ['numbers formatted by Monday', 'numbers', '4.5', read('numbers', '4.50', '4.5'), true],
  ['numbers with a unit symbol', 'numbers', '12.34', read('numbers', '$12.34', '12.34'), true],
  ['numbers stored as a status label', 'numbers', '12.34', read('status', '12.34', { index: 7 }), false],
  ['numbers off by a cent', 'numbers', '12.34', read('numbers', '12.35', '12.35'), false],
  ['date', 'date', { date: '2025-03-01' }, read('date', '2025-03-01', { date: '2025-03-01', changed_at: '2026-01-01T00:00:00Z' }), true],
  ['date shifted', 'date', { date: '2025-03-01' }, read('date', '2025-02-28', { date: '2025-02-28' }), false],
  ['dropdown by label', 'dropdown', { labels: ['NAVY'] }, read('dropdown', 'NAVY', { ids: [1] }), true],
  ['dropdown label of another case', 'dropdown', { labels: ['NAVY'] }, read('dropdown', 'Navy', { ids: [1] }), false],
  ['dropdown by id', 'dropdown', { ids: [2] }, read('dropdown', 'BLACK', { ids: [2] }), true],
  ['dropdown by id, another label', 'dropdown', { ids: [2] }, read('dropdown', 'NAVY', { ids: [1] }), false],
  ['status by label', 'status', { label: 'PCE' }, read('status', 'PCE', { index: 7 }), true],
  ['status by index', 'status', { index: 7 }, read('status', 'PCE', { index: 7 }), true],
  ['text exact', 'text', 'GRE-04100|A|B', read('text', 'GRE-04100|A|B', 'GRE-04100|A|B'), true],
  ['text of another case', 'text', 'GRE-04100|A|B', read('text', 'gre-04100|a|b', 'gre-04100|a|b'), false],
  ['long text', 'long_text', { text: 'two\nlines' }, read('long_text', 'two\nlines', { text: 'two\nlines' }), true],
  ['nothing written, column empty', 'numbers', undefined, read('numbers', '', null), true],
  ['nothing written, Monday wrote 0', 'numbers', undefined, read('numbers', '0', '0'), false],
  ['column missing on the board', 'text', 'x', undefined, false],
] as const)('%s', (_name, type, written, actual, ok) => {
  expect(columnMatches(type, written, actual)).toBe(ok);
});

test('checkOrder names each column and size; a duplicate size and an extra subitem fail', () => {
  const mapping = loadMapping();
  const rows = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures/mapping/orders-unified-rows.json'), 'utf8')) as Record<string, string | number | null>[];
  const transform = createTransform(mapping);
  const payload = rows.map((r) => { try { return transform(r); } catch { return null; } }).find((p) => p !== null && p.subitems.length >= 2)!;
  const { sizeColumnId, qtyColumnId } = mapping.subitems;
  // What a faithful Monday holds: each written value as Monday reads it back.
  const asRead = (id: string, written: unknown): ReadColumnValue => {
    const w = written as Record<string, unknown> | string;
    const text = typeof w === 'string' ? w : 'labels' in w ? (w.labels as string[]).join(', ') : 'label' in w ? String(w.label) : 'date' in w ? String(w.date) : String(w.text);
    return { id, type: '', text, value: JSON.stringify(w) };
  };
  const item: BoardItem = {
    id: '1', name: payload.itemName, group: { title: payload.groupName },
    // Monday answers every column; the ones not written are empty.
    column_values: [...mapping.items.columns.map((c) => c.id), mapping.items.keyColumnId].map((id) =>
      payload.columnValues[id] === undefined ? { id, type: '', text: '', value: null } : asRead(id, payload.columnValues[id])),
    subitems: payload.subitems.map((s, i) => ({ id: `s${i}`, name: s.name, column_values: [asRead(sizeColumnId, { labels: [s.size] }), asRead(qtyColumnId, String(s.qty))] })),
  };
  const good = checkOrder(mapping, payload, item);
  expect(good.filter((r) => !r.ok)).toEqual([]);
  expect(good.filter((r) => r.scope === 'size').map((r) => r.subject)).toEqual(payload.subitems.map((s) => s.size));
  expect(good.filter((r) => r.scope === 'column')).toHaveLength(mapping.items.columns.length + 3);

  const [first] = payload.subitems;
  const twice = { ...item, subitems: [...item.subitems!, { id: 'dup', name: first!.name, column_values: [asRead(sizeColumnId, { labels: [first!.size] }), asRead(qtyColumnId, String(first!.qty))] }, { id: 'x', name: 'Size ZZ', column_values: [asRead(sizeColumnId, { labels: ['ZZ'] })] }] };
  const bad = checkOrder(mapping, payload, twice).filter((r) => !r.ok);
  expect(bad.map((r) => r.subject)).toEqual([first!.size, 'ZZ']);
  expect(bad[0]!.actual).toContain('2 subitems of this size');

  const lines = summarise(bad);
  expect(lines.map((l) => [l.subject, l.checked, l.failed])).toEqual([[first!.size, 1, 1], ['ZZ', 1, 1]]);
});
