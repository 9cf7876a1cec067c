// Checks the mapping against the real (or sandbox) boards: every column id exists with a
// compatible type, allowed labels exist, and which labels a sync would create. Pure: the caller
// fetches `boards(ids: [items, subitems]) { columns { id title type settings } }`.
import type { OrderPayload } from '../shared/order';
import type { ColumnType, Mapping } from './schema';

export interface BoardColumn {
  id: string;
  title: string;
  type: string;
  /** JSON object (API 2025-10+) or its string form; `settings_str` is accepted as well. */
  settings?: unknown;
  settings_str?: string;
}

export interface BoardColumns {
  columns: BoardColumn[];
}

export interface BoardCheckResult {
  problems: string[];
  labelsToCreate: { columnId: string; label: string }[];
}

/** Older API versions report status columns as "color" and numbers as "numeric". */
const TYPE_ALIASES: Record<string, ColumnType> = { color: 'status', numeric: 'numbers' };

/** Label names from dropdown/status settings, or undefined when the board did not say. */
export function boardLabels(column: BoardColumn): Set<string> | undefined {
  const ids = boardLabelIds(column);
  return ids && new Set(ids.keys());
}

/** Label name → label id (dropdown id, status index) from dropdown/status settings, or undefined when the board did not say. */
/** Every label of a dropdown/status column, deactivated ones included; undefined when the board did not say. */
function labelEntries(column: BoardColumn): { name: string; id: number; deactivated: boolean }[] | undefined {
  let settings: unknown = column.settings ?? column.settings_str;
  if (typeof settings === 'string') {
    try {
      settings = JSON.parse(settings);
    } catch {
      return undefined;
    }
  }
  const labels = (settings as { labels?: unknown } | null | undefined)?.labels;
  if (!labels || typeof labels !== 'object') return undefined;
  const deactivatedIds = new Set(((settings as { deactivated_labels?: unknown }).deactivated_labels as unknown[] | undefined ?? []).map(Number));
  const out: { name: string; id: number; deactivated: boolean }[] = [];
  // dropdown: [{id, name}] or [{id, label}]; status: {"1": "Done"} or [{id, label}]
  const entries: [unknown, unknown][] = Array.isArray(labels) ? labels.map((e) => [undefined, e]) : Object.entries(labels);
  for (const [key, entry] of entries) {
    const { id, name, label, is_deactivated } = (entry && typeof entry === 'object' ? entry : {}) as { id?: unknown; name?: unknown; label?: unknown; is_deactivated?: unknown };
    const text = typeof entry === 'string' ? entry : typeof name === 'string' ? name : typeof label === 'string' ? label : undefined;
    const n = Number(id ?? key);
    if (text !== undefined && text !== '') out.push({ name: text, id: Number.isInteger(n) ? n : NaN, deactivated: is_deactivated === true || deactivatedIds.has(n) });
  }
  return out;
}

/**
 * A column's labels that may be written, by name: id. A deactivated label (DropdownLabel / StatusLabel
 * `is_deactivated`, 2026-10 schema) is left out: people retired it, so it is never written by id.
 */
export function boardLabelIds(column: BoardColumn): Map<string, number> | undefined {
  const entries = labelEntries(column);
  return entries && new Map(entries.filter((e) => !e.deactivated).map((e) => [e.name, e.id]));
}

/** How many labels a column holds (deactivated ones too: they still take a place), or undefined when not said. */
export function boardLabelCount(column: BoardColumn): number | undefined {
  return labelEntries(column)?.length;
}

function labelsIn(value: unknown): string[] {
  if (!value || typeof value !== 'object') return [];
  const { labels, label } = value as { labels?: unknown; label?: unknown };
  if (Array.isArray(labels)) return labels.filter((l): l is string => typeof l === 'string');
  return typeof label === 'string' ? [label] : [];
}

interface Expected {
  board: 'items' | 'subitems';
  id: string;
  title: string;
  type: ColumnType;
  createLabels: boolean;
  allowed?: string[];
}

export function checkMappingAgainstBoards(mapping: Mapping, boards: BoardColumns[], payloads: OrderPayload[] = []): BoardCheckResult {
  const problems: string[] = [];
  const labelsToCreate: { columnId: string; label: string }[] = [];
  const boardIds = { items: mapping.items.boardId, subitems: mapping.subitems.boardId };
  const byBoard = { items: boards[0], subitems: boards[1] };
  for (const which of ['items', 'subitems'] as const) {
    if (!byBoard[which]) problems.push(`${which} board ${boardIds[which]}: not found or not readable`);
  }

  const expected: Expected[] = [
    { board: 'items', id: mapping.items.keyColumnId, title: 'order key', type: 'text', createLabels: false },
    ...mapping.items.columns.map((c): Expected => ({ board: 'items', id: c.id, title: c.title, type: c.type, createLabels: c.createLabels, allowed: c.labels })),
    { board: 'subitems', id: mapping.subitems.sizeColumnId, title: 'Size', type: 'dropdown', createLabels: mapping.subitems.createSizeLabels },
    { board: 'subitems', id: mapping.subitems.qtyColumnId, title: 'Order Qty', type: 'numbers', createLabels: false },
  ];

  for (const want of expected) {
    const board = byBoard[want.board];
    if (!board) continue;
    const where = `${want.board} board ${boardIds[want.board]}: column ${want.id} (${want.title})`;
    const column = board.columns.find((c) => c.id === want.id);
    if (!column) {
      problems.push(`${where}: not found on the board`);
      continue;
    }
    const type = TYPE_ALIASES[column.type] ?? column.type;
    if (type !== want.type) {
      problems.push(`${where}: the mapping writes ${want.type} but the board column "${column.title}" is ${column.type}`);
      continue;
    }
    if (want.type !== 'dropdown' && want.type !== 'status') continue;

    const used = new Set<string>();
    for (const payload of payloads) {
      if (want.board === 'items') labelsIn(payload.columnValues[want.id]).forEach((l) => used.add(l));
      else for (const sub of payload.subitems) labelsIn(sub.columnValues[want.id]).forEach((l) => used.add(l));
    }
    const onBoard = boardLabels(column);
    if (!onBoard) {
      if (want.allowed || used.size > 0) problems.push(`${where}: the board returned no label settings, so labels cannot be checked`);
      continue;
    }
    // Monday matches labels case-insensitively (and so does the sync's label-to-id resolution).
    const has = (label: string) => [...onBoard].some((l) => l.toLowerCase() === label.toLowerCase());
    for (const label of want.allowed ?? []) {
      if (!want.createLabels && !has(label)) problems.push(`${where}: allowed label "${label}" is missing on the board and may not be created`);
    }
    for (const label of used) {
      if (has(label)) continue;
      if (want.createLabels) labelsToCreate.push({ columnId: want.id, label });
      else if (!want.allowed) problems.push(`${where}: label "${label}" is missing on the board and may not be created`);
    }
  }
  return { problems, labelsToCreate };
}
