// Dropdown and status labels are written by id whenever the board has them. Two Monday rules make this
// necessary: `create_labels_if_missing` covers the whole mutation (so a column that may create labels would
// let every other label column of the same write create them too), and a numeric-looking label such as a
// size `10` or an HS code may be read as an id (COL/status, COL/dropdown docs). Only a label missing on the
// board is sent by name, and only in a column the mapping lets create labels; anywhere else it is rejected
// before anything is sent.
import { boardLabelIds, type BoardColumn } from '../mapping';
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
}

/**
 * Rewrites `{labels: [...]}` (dropdown) and `{label}` (status) to `{ids: [...]}` / `{index}` for labels the
 * board has (matched case-insensitively, as Monday matches labels). Pure: the caller supplies the columns.
 */
export function resolveLabels(boardId: string, columns: BoardColumn[], values: Record<string, unknown>, mayCreate: (columnId: string) => boolean): ResolvedValues {
  const out: Record<string, unknown> = {};
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
    if (missing.length === 0) {
      out[columnId] = Array.isArray(labels) ? { ids } : { index: ids[0] };
    } else if (mayCreate(columnId)) {
      createLabelsIfMissing = true;
    } else {
      throw new LabelNotOnBoardError(boardId, columnId, column.title, missing[0]!);
    }
  }
  return { columnValues: out, createLabelsIfMissing };
}

/** How long a board's labels are trusted before a missing label makes us read them again. */
const LABELS_FRESH_MS = 10_000;
const boardCache = new WeakMap<MondayClient, Map<string, { at: number; columns: Promise<BoardColumn[]> }>>();

/** resolveLabels with the board's columns read through the client (cached per client; read again when a label is missing). */
export async function resolveBoardLabels(client: MondayClient, boardId: string, values: Record<string, unknown>, mayCreate: (columnId: string) => boolean): Promise<ResolvedValues> {
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
    const resolved = resolveLabels(boardId, await entry.columns, values, mayCreate);
    if (!resolved.createLabelsIfMissing || !stale) return resolved;
  } catch (err) {
    if (!(err instanceof LabelNotOnBoardError) || !stale) throw err;
  }
  // A label is missing: someone (or an earlier write of ours) may have added it since we last looked.
  return resolveLabels(boardId, await read().columns, values, mayCreate);
}
