// What `orders-sync verify` keeps (migration 101): its runs, the board as it read it (so a crash resumes from the last
// page read) and the drift it found (the full report). A companion of the Store on the same connection, as the
// operations store is (db/operations.ts).
import type { Drift, StagedLink } from '../activities/verify-drift';
import type { DriftClass, VerifyScope, VerifySummary } from '../shared/verify';

export type { VerifyScope, VerifySummary };
import { isoOf, str, type Row } from './common';

export type VerifyStatus = 'READING' | 'COMPARED' | 'REPAIRING' | 'DONE';

export interface VerifyRun { runId: string; boardId: string; scope: VerifyScope; status: VerifyStatus; summary: VerifySummary | null; startedAt: string; finishedAt: string | null }

/** A board row as stored: the cells stay JSON until the comparison reaches its order line. `orderKey`: an item's key column. */
export interface StoredBoardRow { id: string; parentItemId: string | null; orderKey: string | null; name: string; groupId: string | null; groupTitle: string | null; cellsJson: string }

export interface VerifyStore {
  /** Upsert; the summary is kept unless given; DONE stamps the finish time. */
  saveRun(run: { runId: string; boardId: string; scope: VerifyScope; status: VerifyStatus; summary?: VerifySummary }): Promise<void>;
  getRun(runId: string): Promise<VerifyRun | null>;
  /** The last finished whole-board run (the drift gauge). */
  latestWholeBoardRun(boardId: string): Promise<VerifyRun | null>;
  /** Upsert by (run, item id): a page read again writes nothing twice. */
  saveBoardRows(runId: string, rows: StoredBoardRow[]): Promise<void>;
  /** The items read (id and key column only) and how many subitems: what the comparison holds for the whole board. */
  readBoardIndex(runId: string): Promise<{ items: { id: string; orderKey: string | null }[]; subitems: number }>;
  /** Whole rows of these items, or of the subitems of these parents (a page of order lines at a time). */
  readBoardRows(runId: string, of: { ids: string[] } | { parentIds: string[] }): Promise<StoredBoardRow[]>;
  /** Replaces the run's drift rows from `fromSeq` on (a retried comparison starts again at 0). */
  saveDrift(runId: string, fromSeq: number, drift: Drift[]): Promise<void>;
  clearDrift(runId: string): Promise<void>;
  listDrift(runId: string, page?: { offset: number; limit: number }): Promise<Drift[]>;
  /** What staging links every staged order line to (its item and the subitem of each size). */
  stagedLinks(): Promise<Map<string, StagedLink>>;
}

/** Rows of both dialects into records. */
export function toDrift(r: Record<string, unknown>): Drift {
  const s = str;
  return {
    class: String(r.drift_class) as DriftClass, orderKey: s(r.order_key), itemId: s(r.item_id), subitemId: s(r.subitem_id), keptItemId: s(r.kept_item_id),
    subject: String(r.subject), expected: String(r.expected), actual: String(r.actual),
  };
}

export function toVerifyRun(r: Record<string, unknown>): VerifyRun {
  return {
    runId: String(r.run_id), boardId: String(r.board_id), scope: JSON.parse(String(r.scope)) as VerifyScope, status: String(r.status) as VerifyStatus,
    summary: r.summary ? (JSON.parse(String(r.summary)) as VerifySummary) : null, startedAt: isoOf(r.started_at) ?? '', finishedAt: isoOf(r.finished_at),
  };
}

export function toStoredBoardRow(r: Record<string, unknown>): StoredBoardRow {
  const s = str;
  return { id: String(r.item_id), parentItemId: s(r.parent_item_id), orderKey: s(r.order_key), name: String(r.name), groupId: s(r.group_id), groupTitle: s(r.group_title), cellsJson: String(r.cells) };
}

/** A whole-board run: no customer or PO filter. */
export const WHOLE_BOARD = '{"customer":null,"po":null}';

/** Rows of (order_key, stg_monday_item_id, size, stg_monday_subitem_id) into links, both dialects. */
export function linksOf(rows: Row[]): Map<string, StagedLink> {
  const links = new Map<string, StagedLink>();
  for (const r of rows) {
    const key = String(r.order_key);
    let link = links.get(key);
    if (!link) links.set(key, (link = { itemId: r.stg_monday_item_id == null ? null : String(r.stg_monday_item_id), subitems: [] }));
    if (r.stg_monday_subitem_id != null) link.subitems.push({ size: String(r.size), subitemId: String(r.stg_monday_subitem_id) });
  }
  return links;
}
