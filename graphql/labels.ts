// Dropdown and status labels are written by id whenever the board has them. Two Monday rules make this
// necessary: `create_labels_if_missing` covers the whole mutation (so a column that may create labels would
// let every other label column of the same write create them too), and a numeric-looking label such as a
// size `10` or an HS code may be read as an id (COL/status, COL/dropdown docs). Only a label missing on the
// board is sent by name, and only in a column the mapping lets create labels; anywhere else it is rejected
// before anything is sent.
import { boardLabelCount, boardLabelIds, type BoardColumn } from '../mapping';
import { MondayApiError } from './errors';
import type { MondayClient } from './client';

export class LabelNotOnBoardError extends Error {
  override name = 'LabelNotOnBoardError';
  constructor(readonly boardId: string, readonly columnId: string, readonly columnTitle: string, readonly label: string) {
    super(`label "${label}" does not exist in column ${columnId} (${columnTitle}) of board ${boardId}, and the mapping does not let the sync create labels there; add it on the board or fix the source value`);
  }
}

export interface ResolvedValues {
  columnValues: Record<string, unknown>;
  /** True only when a label must be created, in a column that may create labels. */
  createLabelsIfMissing: boolean;
  /** Cells left out: their column is at its label ceiling and the label is new (the item is written without them). */
  dropped: DroppedCell[];
}

/** A cell the sync could not write because its column holds all the labels it can (issue 20). */
export interface DroppedCell { columnId: string; title: string; labels: string[]; count: number | null; ceiling: number | null }

/** What the caller knows of a label column: may it create labels, and how many may it hold (null: no ceiling). */
export interface LabelRules {
  mayCreate: (columnId: string) => boolean;
  ceilingOf?: (columnId: string) => number | null;
}

/** The DATA error a dropped cell is recorded as: names the column, the value, and the way out. */
export function describeDropped(d: DroppedCell): string {
  const held = d.count === null ? 'refused a new label' : `holds ${d.count} labels${d.ceiling === null ? '' : ` (its ceiling: ${d.ceiling})`}`;
  return `column ${d.columnId} (${d.title}) ${held}: ${d.labels.map((l) => JSON.stringify(l)).join(', ')} was not written; the item was written without it. Move the column to text (docs/RUNBOOK.md, "A label column at its ceiling") or free labels on the board, then rerun`;
}

/**
 * Rewrites `{labels: [...]}` (dropdown) and `{label}` (status) to `{ids: [...]}` / `{index}` for labels the
 * board has (matched case-insensitively, as Monday matches labels). Pure: the caller supplies the columns.
 */
export function resolveLabels(boardId: string, columns: BoardColumn[], values: Record<string, unknown>, rules: LabelRules): ResolvedValues {
  const { mayCreate } = rules;
  const out: Record<string, unknown> = {};
  const dropped: DroppedCell[] = [];
  let createLabelsIfMissing = false;
  for (const [columnId, value] of Object.entries(values)) {
    out[columnId] = value;
    const column = columns.find((c) => c.id === columnId);
    if (!column || (column.type !== 'dropdown' && column.type !== 'status' && column.type !== 'color') || !value || typeof value !== 'object') continue;
    const known = boardLabelIds(column);
    if (!known) continue; // the board did not say; Monday decides
    const byName = new Map([...known].map(([name, id]) => [name.toLowerCase(), id]));
    const { labels, label } = value as { labels?: unknown; label?: unknown };
    const names = Array.isArray(labels) ? labels.map(String) : typeof label === 'string' ? [label] : null;
    if (!names) continue; // already ids, or a clear
    const ids = names.map((n) => byName.get(n.toLowerCase()));
    const missing = names.filter((_, i) => ids[i] === undefined || Number.isNaN(ids[i]));
    const count = boardLabelCount(column) ?? null;
    const ceiling = rules.ceilingOf?.(columnId) ?? null;
    if (missing.length === 0) {
      out[columnId] = Array.isArray(labels) ? { ids } : { index: ids[0] };
    } else if (mayCreate(columnId) && ceiling !== null && count !== null && count + missing.length > ceiling) {
      // Monday would refuse the label, and with it the whole write (the key column included): leave the cell out.
      delete out[columnId];
      dropped.push({ columnId, title: column.title, labels: missing, count, ceiling });
    } else if (mayCreate(columnId)) {
      createLabelsIfMissing = true;
    } else {
      throw new LabelNotOnBoardError(boardId, columnId, column.title, missing[0]!);
    }
  }
  return { columnValues: out, createLabelsIfMissing, dropped };
}

/**
 * The cell a label rejection is about, when Monday refused a label the write asked it to create (a column at its
 * ceiling before our count said so, say): "The dropdown label 'X' does not exist, possible labels are: {…}"
 * (the current system's recorded ColumnValueException, NOTES-current-system §7). Matched on the quoted label
 * among the values sent by name to columns that may create labels; null when the error is about something else.
 */
export function rejectedLabelCell(err: unknown, values: Record<string, unknown>, columns: BoardColumn[], rules: LabelRules): DroppedCell | null {
  if (!(err instanceof MondayApiError) || err.code !== 'ColumnValueException') return null;
  const quoted = /label ['"](.+?)['"] does not exist/i.exec(err.message)?.[1];
  if (quoted === undefined) return null;
  for (const [columnId, value] of Object.entries(values)) {
    if (!rules.mayCreate(columnId) || !value || typeof value !== 'object') continue;
    const { labels, label } = value as { labels?: unknown; label?: unknown };
    const names = Array.isArray(labels) ? labels.map(String) : typeof label === 'string' ? [label] : [];
    if (!names.some((n) => n.toLowerCase() === quoted.toLowerCase())) continue;
    const column = columns.find((c) => c.id === columnId);
    return { columnId, title: column?.title ?? columnId, labels: names, count: column ? boardLabelCount(column) ?? null : null, ceiling: rules.ceilingOf?.(columnId) ?? null };
  }
  return null;
}

/** How long a board's labels are trusted before a missing label makes us read them again. */
const LABELS_FRESH_MS = 10_000;
const boardCache = new WeakMap<MondayClient, Map<string, { at: number; columns: Promise<BoardColumn[]> }>>();

/** resolveLabels with the board's columns read through the client (cached per client; read again when a label is missing). */
export async function resolveBoardLabels(client: MondayClient, boardId: string, values: Record<string, unknown>, rules: LabelRules): Promise<ResolvedValues> {
  let cache = boardCache.get(client);
  if (!cache) boardCache.set(client, (cache = new Map()));
  const read = () => {
    const entry = { at: Date.now(), columns: client.boardStructure(boardId).then((b) => b.columns) };
    entry.columns.catch(() => cache.delete(boardId)); // a failed read is retried next time, not cached
    cache.set(boardId, entry);
    return entry;
  };
  const entry = cache.get(boardId) ?? read();
  const stale = Date.now() - entry.at >= LABELS_FRESH_MS;
  try {
    const resolved = resolveLabels(boardId, await entry.columns, values, rules);
    if ((!resolved.createLabelsIfMissing && resolved.dropped.length === 0) || !stale) return resolved;
  } catch (err) {
    if (!(err instanceof LabelNotOnBoardError) || !stale) throw err;
  }
  // A label is missing: someone (or an earlier write of ours) may have added it since we last looked.
  return resolveLabels(boardId, await read().columns, values, rules);
}

