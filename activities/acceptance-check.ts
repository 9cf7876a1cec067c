// What `orders-sync acceptance` compares: each column the mapping wrote, and each size, against what Monday reads
// back (its own `text` and raw `value`). Pure functions, so the rules are plain to read and to test.
import type { BoardItem, ReadColumnValue } from '../graphql/client';
import type { Mapping } from '../mapping';
import type { OrderPayload } from '../shared/order';
import type { AcceptanceCheckRow } from '../db/acceptance-checks';

/** One comparison: a column of one item (subject "TITLE (column id)"), or one size of one item (the size label). */
export type CheckRow = AcceptanceCheckRow;

const show = (v: unknown): string => (v === null || v === undefined ? '(empty)' : typeof v === 'string' ? v : JSON.stringify(v));
const describeRead = (read: ReadColumnValue | undefined): string =>
  read ? `text ${JSON.stringify(read.text)} value ${read.value ?? 'null'}${read.type ? ` (${read.type})` : ''}` : 'no such column';

function parseValue(read: ReadColumnValue | undefined): unknown {
  if (!read?.value) return null;
  try {
    return JSON.parse(read.value) as unknown;
  } catch {
    return read.value;
  }
}

const isEmpty = (read: ReadColumnValue | undefined): boolean => {
  const v = parseValue(read);
  const emptyValue = v === null || v === '' || (typeof v === 'object' && Object.keys(v as object).length === 0);
  return read !== undefined && (read.text === null || read.text === '') && emptyValue;
};

/**
 * Whether Monday holds what was written. `written` is the value in Monday's write format as the mapping made it
 * (undefined: nothing was written, the column must be empty). Numbers and dates are read from `value` (Monday
 * formats a number's text with the column's unit and precision); labels from `text` when written by label, from
 * `value` when written by id.
 */
export function columnMatches(type: string, written: unknown, read: ReadColumnValue | undefined): boolean {
  if (read === undefined) return false;
  if (written === undefined || written === null) return isEmpty(read);
  const value = parseValue(read) as Record<string, unknown> | string | number | null;
  const w = written as Record<string, unknown>;
  switch (type) {
    case 'text':
      return read.text === written;
    case 'long_text':
      return read.text === w.text;
    case 'numbers': {
      const number = typeof value === 'string' || typeof value === 'number' ? Number(value) : NaN;
      return number === Number(written);
    }
    case 'date':
      return typeof value === 'object' && value !== null && value.date === w.date;
    case 'dropdown':
      if (Array.isArray(w.ids)) return typeof value === 'object' && value !== null && sameList((value.ids as unknown[] | undefined)?.map(Number), w.ids.map(Number));
      return sameList(read.text?.split(', ').filter((l) => l !== ''), w.labels as string[]);
    case 'status':
      if (w.index !== undefined) return typeof value === 'object' && value !== null && Number(value.index) === Number(w.index);
      return read.text === w.label;
    default:
      return JSON.stringify(value) === JSON.stringify(written);
  }
}

function sameList<T>(a: T[] | undefined, b: T[] | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Every check of one order line: name, group, each mapped column and the key column, then each size. */
export function checkOrder(mapping: Mapping, payload: OrderPayload, item: BoardItem): CheckRow[] {
  const rows: CheckRow[] = [];
  const column = (subject: string, expected: unknown, actual: string, ok: boolean) =>
    rows.push({ scope: 'column', subject, orderKey: payload.key, expected: show(expected), actual, ok });
  column('Name (name)', payload.itemName, JSON.stringify(item.name), item.name === payload.itemName);
  column('Group (group)', payload.groupName, JSON.stringify(item.group?.title ?? null), item.group?.title === payload.groupName);
  const reads = new Map(item.column_values.map((c) => [c.id, c]));
  const mapped = [...mapping.items.columns.map((c) => ({ id: c.id, title: c.title, type: c.type as string })), { id: mapping.items.keyColumnId, title: 'order key', type: 'text' }];
  for (const c of mapped) {
    const written = payload.columnValues[c.id];
    const read = reads.get(c.id);
    column(`${c.title} (${c.id})`, written, describeRead(read), columnMatches(c.type, written, read));
  }

  const { sizeColumnId, qtyColumnId } = mapping.subitems;
  const subitems = (item.subitems ?? []).map((s) => ({ ...s, reads: new Map(s.column_values.map((c) => [c.id, c])) }));
  const bySize = new Map<string, typeof subitems>();
  for (const s of subitems) {
    const label = s.reads.get(sizeColumnId)?.text ?? '';
    bySize.set(label, [...(bySize.get(label) ?? []), s]);
  }
  for (const want of payload.subitems) {
    const found = bySize.get(want.size) ?? [];
    bySize.delete(want.size);
    const [s] = found;
    const expected = `${want.name}, qty ${want.qty}`;
    if (!s) {
      rows.push({ scope: 'size', subject: want.size, orderKey: payload.key, expected, actual: 'no subitem with this size', ok: false });
      continue;
    }
    const qtyRead = s.reads.get(qtyColumnId);
    const ok = found.length === 1 && s.name === want.name && columnMatches('numbers', want.columnValues[qtyColumnId], qtyRead)
      && columnMatches('dropdown', want.columnValues[sizeColumnId], s.reads.get(sizeColumnId));
    const actual = `${JSON.stringify(s.name)}, qty ${describeRead(qtyRead)}${found.length > 1 ? `, ${found.length} subitems of this size` : ''}`;
    rows.push({ scope: 'size', subject: want.size, orderKey: payload.key, expected, actual, ok });
  }
  for (const [label, extra] of bySize) {
    rows.push({ scope: 'size', subject: label || '(no size)', orderKey: payload.key, expected: 'no subitem', actual: `${extra.length} subitem(s) ${extra.map((e) => JSON.stringify(e.name)).join(', ')}`, ok: false });
  }
  return rows;
}

export interface TableLine {
  scope: CheckRow['scope'];
  subject: string;
  checked: number;
  failed: number;
  /** The first failing check, for the table. */
  firstFailure: CheckRow | null;
}

/** Rows folded into one line per column and one per size, in first-seen order. */
export function summarise(rows: CheckRow[]): TableLine[] {
  const lines = new Map<string, TableLine>();
  for (const r of rows) {
    const id = `${r.scope}\u0000${r.subject}`;
    const line = lines.get(id) ?? { scope: r.scope, subject: r.subject, checked: 0, failed: 0, firstFailure: null };
    line.checked++;
    if (!r.ok) {
      line.failed++;
      line.firstFailure ??= r;
    }
    lines.set(id, line);
  }
  return [...lines.values()];
}
