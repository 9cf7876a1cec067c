// Column values as Monday validates, stores and returns them (write formats: Monday API "column types" pages).
import { formatNumber, numberFormat } from './number-format';
import { mondayError } from './errors';
import type { ItemRow, SandboxStore, StoredValue } from './store';
import type { Board, Column } from './model';

/** Column types nobody can write through column_values. */
const READ_ONLY = new Set(['mirror', 'formula', 'item_id', 'subtasks', 'last_updated', 'auto_number', 'creation_log', 'progress', 'vote']);
const LONG_TEXT_MAX = 2000;
const STATUS_LABEL_MAX = 30;
const STATUS_LABELS_MAX = 40;
/**
 * A dropdown holds at most 500 labels: the user's STYLE column stopped taking new ones at exactly 500 (ids 0-499,
 * listed by the ColumnValueException the current system recorded, tests/logs.md), and its memory bank records
 * "Monday.com dropdown 500-record limit resolved by converting to text columns" (../shared/reference/
 * NOTES-current-system.md §4.2 and §8). Past it Monday answers what it answers for an unknown label: the
 * ColumnValueException listing the labels, even with create_labels_if_missing.
 */
export const DROPDOWN_LABELS_MAX = 500;

/** One validated column write: `value` null clears the column. */
export interface ColumnWrite {
  columnId: string;
  value: string | null;
  text: string;
}

function invalid(column: Column, value: unknown, reason: string): Error {
  return mondayError(
    'ColumnValueException',
    `invalid value for column ${column.id} (${column.type}): ${reason}`,
    { column_id: column.id, column_type: column.type, column_value: JSON.stringify(value) ?? 'undefined' },
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `column_values` arrives as a JSON string (what clients should send) or as an object literal. */
export function parseColumnValues(raw: unknown): Record<string, unknown> {
  if (raw === null || raw === undefined) return {};
  let parsed: unknown = raw;
  if (typeof raw === 'string') {
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw mondayError('JsonParseException', `Unexpected token in column_values JSON: ${raw.slice(0, 80)}`, {}, 400);
    }
  }
  if (!isRecord(parsed)) throw mondayError('InvalidArgumentException', 'column_values must be a JSON object keyed by column id');
  return parsed;
}

export function checkItemName(name: string): void {
  if (name.length < 1 || name.length > 255) {
    throw mondayError('ItemNameTooLongException', 'Item name must be between 1 and 255 characters long', { name_length: name.length });
  }
}

function isIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

/** Resolves a label to its id, creating it when allowed; otherwise ColumnValueException listing the labels. */
function labelId(store: SandboxStore, board: Board, column: Column, label: string, createLabels: boolean, raw: unknown): number {
  const labels = store.labels(board.id, column.id);
  for (const [id, name] of labels) if (name.toLowerCase() === label.toLowerCase() && name !== '') return id;
  if (!createLabels) {
    const known = [...labels].filter(([, n]) => n !== '').map(([id, n]) => `${id}: ${n}`).join(', ');
    throw invalid(column, raw, `label "${label}" does not exist, possible labels are: {${known}}`);
  }
  if (column.type === 'status') {
    if (label.length > STATUS_LABEL_MAX) throw invalid(column, raw, `status label longer than ${STATUS_LABEL_MAX} characters`);
    if (labels.size >= STATUS_LABELS_MAX) throw invalid(column, raw, `status column already has ${STATUS_LABELS_MAX} labels`);
  }
  if (column.type === 'dropdown' && labels.size >= DROPDOWN_LABELS_MAX) {
    const known = [...labels].filter(([, n]) => n !== '').map(([id, n]) => `${id}: ${n}`).join(', ');
    throw invalid(column, raw, `The dropdown label '${label}' does not exist, possible labels are: {${known}}`);
  }
  return store.addLabel(board.id, column.id, label);
}

function knownId(store: SandboxStore, board: Board, column: Column, id: unknown, raw: unknown): [number, string] {
  const n = typeof id === 'number' ? id : typeof id === 'string' && /^\d+$/.test(id.trim()) ? Number(id) : NaN;
  const name = store.labels(board.id, column.id).get(n);
  if (name === undefined) throw invalid(column, raw, `label id ${JSON.stringify(id)} does not exist`);
  return [n, name];
}

/** Validates one column's write value the way Monday does and returns what to store. */
export function validateValue(store: SandboxStore, board: Board, column: Column, raw: unknown, createLabels: boolean): ColumnWrite {
  const clear: ColumnWrite = { columnId: column.id, value: null, text: '' };
  if (READ_ONLY.has(column.type)) throw invalid(column, raw, `${column.type} columns are read-only`);
  if (raw === null) return clear;
  switch (column.type) {
    case 'text': {
      if (typeof raw !== 'string' && typeof raw !== 'number') throw invalid(column, raw, 'expected a string');
      const text = String(raw);
      return text === '' ? clear : { columnId: column.id, value: JSON.stringify(text), text };
    }
    case 'long_text': {
      const text = isRecord(raw) ? raw.text : raw;
      if (typeof text !== 'string') throw invalid(column, raw, 'expected {"text": "..."}');
      if (text.length > LONG_TEXT_MAX) throw invalid(column, raw, `long text is limited to ${LONG_TEXT_MAX} characters, got ${text.length}`);
      return text === '' ? clear : { columnId: column.id, value: JSON.stringify({ text }), text };
    }
    case 'numbers': {
      // Monday's quirk: "" writes 0 (only null clears).
      if (typeof raw !== 'string' && typeof raw !== 'number') throw invalid(column, raw, 'expected a numeric string');
      const s = String(raw).trim();
      const text = s === '' ? '0' : s;
      if (!/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text) || !Number.isFinite(Number(text))) {
        throw invalid(column, raw, `"${String(raw)}" is not a number`);
      }
      return { columnId: column.id, value: JSON.stringify(text), text };
    }
    case 'date': {
      let date: unknown;
      let time: unknown = null;
      if (typeof raw === 'string') [date, time = null] = raw.trim().split(' ');
      else if (isRecord(raw)) ({ date, time = null } = raw);
      if (isRecord(raw) && Object.keys(raw).length === 0) return clear;
      if (typeof date !== 'string' || !isIsoDate(date)) throw invalid(column, raw, 'expected {"date": "YYYY-MM-DD"}');
      if (time !== null && (typeof time !== 'string' || !/^\d{2}:\d{2}(:\d{2})?$/.test(time))) throw invalid(column, raw, 'time must be HH:MM:SS');
      return { columnId: column.id, value: JSON.stringify({ date, time }), text: time ? `${date} ${time}` : date };
    }
    case 'status': {
      let index: number;
      let label: string;
      if (typeof raw === 'string') raw = { label: raw };
      if (!isRecord(raw)) throw invalid(column, raw, 'expected {"label": "..."} or {"index": N}');
      if (Object.keys(raw).length === 0) return clear;
      if (raw.index !== undefined) [index, label] = knownId(store, board, column, raw.index, raw);
      else if (typeof raw.label === 'string') {
        label = raw.label;
        index = labelId(store, board, column, label, createLabels, raw);
      } else throw invalid(column, raw, 'expected {"label": "..."} or {"index": N}');
      return { columnId: column.id, value: JSON.stringify({ index, post_id: null }), text: label };
    }
    case 'dropdown': {
      let chosen: [number, string][];
      if (typeof raw === 'string') {
        const parts = raw.split(',').map((p) => p.trim()).filter((p) => p !== '');
        raw = parts.every((p) => /^\d+$/.test(p)) ? { ids: parts.map(Number) } : { labels: parts };
      }
      if (isRecord(raw) && Array.isArray(raw.labels)) {
        const labels = raw.labels as unknown[];
        chosen = labels.map((l) => {
          if (typeof l !== 'string' || l.trim() === '') throw invalid(column, raw, 'dropdown labels must be non-empty strings');
          const id = labelId(store, board, column, l.trim(), createLabels, raw);
          return [id, store.labels(board.id, column.id).get(id) ?? l];
        });
      } else if (isRecord(raw) && Array.isArray(raw.ids)) {
        chosen = (raw.ids as unknown[]).map((id) => knownId(store, board, column, id, raw));
      } else throw invalid(column, raw, 'expected {"labels": [...]} or {"ids": [...]}');
      if (chosen.length === 0) return clear;
      const unique = [...new Map(chosen).entries()];
      return { columnId: column.id, value: JSON.stringify({ ids: unique.map(([id]) => id) }), text: unique.map(([, n]) => n).join(', ') };
    }
    case 'board_relation': {
      const ids = isRecord(raw) ? raw.item_ids : undefined;
      if (!Array.isArray(ids)) throw invalid(column, raw, 'expected {"item_ids": [...]}');
      const linked = ids.map((id) => ({ linkedPulseId: Number(id) }));
      return { columnId: column.id, value: JSON.stringify({ linkedPulseIds: linked }), text: ids.join(', ') };
    }
    default:
      throw invalid(column, raw, `writing ${column.type} columns is not supported by the sandbox`);
  }
}

/**
 * Validates a whole `column_values` object against a board. Every column is checked before anything
 * is written, so a bad value rejects the whole mutation like on Monday. A `name` key renames the item.
 */
export function validateColumnValues(
  store: SandboxStore,
  board: Board,
  raw: unknown,
  createLabels: boolean,
): { writes: ColumnWrite[]; name?: string } {
  const values = parseColumnValues(raw);
  const writes: ColumnWrite[] = [];
  let name: string | undefined;
  for (const [columnId, value] of Object.entries(values)) {
    if (columnId === 'name') {
      if (typeof value !== 'string') throw mondayError('ColumnValueException', 'invalid value for column name: expected a string', { column_id: 'name' });
      checkItemName(value);
      name = value;
      continue;
    }
    const column = board.columns.find((c) => c.id === columnId);
    if (!column) {
      throw mondayError('InvalidColumnIdException', `This column ID doesn't exist for the board: ${columnId}`, { column_id: columnId, board_id: board.id });
    }
    writes.push(validateValue(store, board, column, value, createLabels));
  }
  return name === undefined ? { writes } : { writes, name };
}

const VALUE_TYPENAMES: Record<string, string> = {
  text: 'TextValue', long_text: 'LongTextValue', numbers: 'NumbersValue', date: 'DateValue', status: 'StatusValue',
  dropdown: 'DropdownValue', mirror: 'MirrorValue', formula: 'FormulaValue', item_id: 'ItemIdValue',
  board_relation: 'BoardRelationValue', last_updated: 'LastUpdatedValue', subtasks: 'SubtasksValue',
};

/** What `column_values { id type text value }` returns for one column of an item. */
export function readValue(store: SandboxStore, item: ItemRow, column: Column, stored: StoredValue | undefined): Record<string, unknown> {
  let text: string | null = stored?.text ?? '';
  let value: string | null = stored?.value ?? null;
  if (column.type === 'item_id') text = item.id;
  if (column.type === 'last_updated') text = item.updated_at;
  let subtaskFields: Record<string, unknown> = {};
  if (column.type === 'subtasks') {
    const subitems = store.subitems(item.id);
    // SubtasksValue.subitems_ids (2026-10 schema; developer.monday.com/api-reference/docs/subitems-column).
    subtaskFields = { subitems_ids: subitems.map((s) => s.id) };
    text = null; // a recorded items_page shows the subitems column's text as null (test/fixtures/monday/items-page-with-subitems.json)
    value = subitems.length ? JSON.stringify({ linkedPulseIds: subitems.map((s) => ({ linkedPulseId: Number(s.id) })) }) : null;
  }
  if (column.type === 'mirror' || column.type === 'formula') text = null;
  let numberFields: Record<string, unknown> = {};
  if (column.type === 'numbers') {
    const format = numberFormat(column.id);
    const number = value === null ? null : Number(JSON.parse(value));
    if (number !== null) text = formatNumber(number, format);
    numberFields = { number, symbol: format.symbol || null, direction: format.direction };
  }
  return {
    __typename: VALUE_TYPENAMES[column.type] ?? 'UnsupportedValue',
    id: column.id,
    type: column.type,
    text,
    value,
    ...numberFields,
    ...subtaskFields,
    is_leaf: () => item.parent_id !== null || store.subitems(item.id).length === 0,
  };
}
