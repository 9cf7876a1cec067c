// What `orders-sync verify` compares: the board the mapping makes of ORDERS_UNIFIED against the board as read, one
// order line at a time. Pure functions: the verify activities read both sides and hand them in (activities/verify.ts).
// Values compare in Monday's terms (acceptance-check.ts columnMatches): numbers and dates from the stored value,
// labels from the text (case aside, as Monday matches labels), text as Monday holds it.
import type { ReadColumnValue } from '../graphql/client';
import { compareIds } from '../graphql/client';
import type { Mapping } from '../mapping';
import type { OrderPayload } from '../shared/order';
import { sizeForLabel } from '../shared/sizes';
import { columnMatches } from './acceptance-check';
import { DRIFT_CLASSES, emptyDriftCounts, type DriftClass } from '../shared/verify';

export { DRIFT_CLASSES, emptyDriftCounts, type DriftClass };

export interface Drift {
  class: DriftClass;
  orderKey: string | null;
  itemId: string | null;
  subitemId: string | null;
  /** duplicate_item: the item kept for the order line (the oldest). */
  keptItemId: string | null;
  /** The column ("TITLE (id)"), the size, "group" or "item". */
  subject: string;
  expected: string;
  actual: string;
}

/** One board cell as read: Monday's display text and its raw JSON value. */
export interface Cell { text: string | null; value: string | null }
/** An item (parentItemId null) or a subitem as read, with the cells of the mapped columns. */
export interface BoardRow { id: string; parentItemId: string | null; name: string; groupId: string | null; groupTitle: string | null; cells: Record<string, Cell> }
/** What staging links an order line to: its item and the subitem of each size. */
export interface StagedLink { itemId: string | null; subitems: { size: string; subitemId: string }[] }

export interface DriftRules {
  mapping: Mapping;
  removedSizes: 'zero' | 'archive';
  /** The board's groups, and the group each title resolved to (MON_BoardGroups): a group renamed by hand keeps its items. */
  groups: { id: string; title: string }[];
  rememberedGroups: Map<string, string>;
}

const EMPTY = '(empty)';

function drift(d: Partial<Drift> & Pick<Drift, 'class' | 'subject' | 'expected' | 'actual'>): Drift {
  return { orderKey: null, itemId: null, subitemId: null, keptItemId: null, ...d };
}

/** A written value as Monday shows it. */
function shown(written: unknown): string {
  if (written === undefined || written === null) return EMPTY;
  if (typeof written === 'string') return written;
  const w = written as { labels?: string[]; label?: string; date?: string; text?: string };
  return w.labels?.join(', ') ?? w.label ?? w.date ?? w.text ?? JSON.stringify(written);
}

function read(cell: Cell | undefined, type: string): ReadColumnValue {
  return { id: '', type, text: cell?.text ?? null, value: cell?.value ?? null };
}

/** Whether a cell holds what the mapping writes (undefined: the cell must be empty). Labels compare case-insensitively. */
export function cellMatches(type: string, written: unknown, cell: Cell | undefined): boolean {
  if (written !== undefined && written !== null && (type === 'dropdown' || type === 'status')) {
    const w = written as { labels?: string[]; label?: string };
    const want = w.labels ?? (w.label !== undefined ? [w.label] : null);
    if (want) {
      const have = (cell?.text ?? '').split(', ').filter((l) => l !== '');
      return have.length === want.length && have.every((l, i) => l.toUpperCase() === want[i]!.toUpperCase());
    }
  }
  return columnMatches(type, written, read(cell, type));
}


/** A number cell's number (Monday formats its text with the column's unit and precision). */
export function numberOf(cell: Cell | undefined): number | null {
  if (!cell?.value) return null;
  const n = Number(JSON.parse(cell.value) as unknown);
  return Number.isFinite(n) ? n : null;
}

/** The group an order line's item belongs in: the one its title resolved to while that group exists, else one of that title. */
function groupMatches(rules: DriftRules, title: string, item: BoardRow): boolean {
  const remembered = rules.rememberedGroups.get(title);
  if (remembered && rules.groups.some((g) => g.id === remembered)) return item.groupId === remembered;
  return item.groupTitle === title;
}

/**
 * One order line against the board. `candidates`: its active items (the one staging links, and those whose key
 * column holds its key); the oldest is kept, the others are duplicates. `subitemsOf` gives an item's active subitems.
 */
export function lineDrift(rules: DriftRules, line: OrderPayload, candidates: BoardRow[], subitemsOf: (itemId: string) => BoardRow[], link: StagedLink | undefined): Drift[] {
  const { mapping } = rules;
  const key = line.key;
  if (candidates.length === 0) return [drift({ class: 'missing_item', orderKey: key, subject: 'item', expected: line.itemName, actual: 'no active item' })];
  const [kept, ...extra] = [...candidates].sort((a, b) => compareIds(a.id, b.id));
  const out: Drift[] = extra.map((e) => drift({
    class: 'duplicate_item', orderKey: key, itemId: e.id, keptItemId: kept!.id, subject: 'item', expected: `one item (${kept!.id})`, actual: `also ${e.id}`,
  }));
  const item = kept!;
  const on = { orderKey: key, itemId: item.id };
  if (item.name !== line.itemName) out.push(drift({ ...on, class: 'stale_cell', subject: 'Name (name)', expected: line.itemName, actual: item.name }));
  if (!groupMatches(rules, line.groupName, item)) {
    out.push(drift({ ...on, class: 'wrong_group', subject: 'group', expected: line.groupName, actual: item.groupTitle ?? EMPTY }));
  }
  const columns = [...mapping.items.columns.map((c) => ({ id: c.id, title: c.title, type: c.type as string })), { id: mapping.items.keyColumnId, title: 'order key', type: 'text' }];
  for (const c of columns) {
    const written = c.id === mapping.items.keyColumnId ? key : line.columnValues[c.id];
    const cell = item.cells[c.id];
    if (cellMatches(c.type, written, cell)) continue;
    const actual = c.type === 'numbers' ? String(numberOf(cell) ?? EMPTY) : (cell?.text || EMPTY);
    const empty = written === undefined || written === null;
    out.push(drift({ ...on, class: empty ? 'should_be_empty' : 'stale_cell', subject: `${c.title} (${c.id})`, expected: shown(written), actual }));
  }
  out.push(...sizeDrift(rules, line, item.id, subitemsOf(item.id), link));
  return out;
}

/** The sizes of one item: each subitem under the size staging links it to, else the size its label stands for. */
function sizeDrift(rules: DriftRules, line: OrderPayload, itemId: string, subitems: BoardRow[], link: StagedLink | undefined): Drift[] {
  const { sizeColumnId, qtyColumnId } = rules.mapping.subitems;
  const stagedSize = new Map((link?.subitems ?? []).map((s) => [s.subitemId, s.size]));
  const wanted = new Map(line.subitems.map((s) => [s.size, s.qty]));
  const sizes = [...new Set([...wanted.keys(), ...stagedSize.values()])];
  const bySize = new Map<string, BoardRow[]>();
  for (const s of subitems) {
    const label = s.cells[sizeColumnId]?.text?.trim();
    const size = stagedSize.get(s.id) ?? (label ? sizeForLabel(label, sizes) ?? label : null);
    if (size === null) continue;   // no size: not a subitem the sync writes
    bySize.set(size, [...(bySize.get(size) ?? []), s]);
  }
  const on = { orderKey: line.key, itemId };
  const out: Drift[] = [];
  for (const [size, qty] of wanted) {
    if (!bySize.has(size)) out.push(drift({ ...on, class: 'missing_size', subject: size, expected: `qty ${qty}`, actual: 'no subitem' }));
  }
  for (const [size, list] of bySize) {
    // The sync keeps the one staging links, else the oldest (graphql/order-writer.ts reconcile).
    list.sort((a, b) => Number(stagedSize.get(b.id) === size) - Number(stagedSize.get(a.id) === size) || compareIds(a.id, b.id));
    const [keep, ...extra] = list;
    for (const e of extra) out.push(drift({ ...on, class: 'duplicate_size', subitemId: e.id, keptItemId: keep!.id, subject: size, expected: `one subitem (${keep!.id})`, actual: `also ${e.id}` }));
    const want = wanted.get(size);
    const have = numberOf(keep!.cells[qtyColumnId]);
    if (want === undefined && rules.removedSizes === 'archive') {
      out.push(drift({ ...on, class: 'wrong_quantity', subitemId: keep!.id, subject: size, expected: 'no subitem (MONDAY_REMOVED_SIZES=archive)', actual: `qty ${have ?? EMPTY}` }));
    } else if (have !== (want ?? 0)) {
      out.push(drift({ ...on, class: 'wrong_quantity', subitemId: keep!.id, subject: size, expected: `qty ${want ?? 0}`, actual: `qty ${have ?? EMPTY}` }));
    }
  }
  return out;
}

/** An active item no order line claims: neither staging's item of a line nor holding a line's key. */
export function orphanDrift(item: BoardRow, keyColumnId: string): Drift {
  const held = item.cells[keyColumnId]?.text;
  return drift({ class: 'orphan_item', orderKey: held || null, itemId: item.id, subject: 'item', expected: 'no item (no order line)', actual: `${JSON.stringify(item.name)}${held ? ` with key ${held}` : ''}` });
}
