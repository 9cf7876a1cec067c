// VerifyStore on the embedded SQLite file (same connection as SqliteStore).
import type Database from 'better-sqlite3';
import type { Drift, StagedLink } from '../../activities/verify-drift';
import { linksOf, toDrift, toStoredBoardRow, toVerifyRun, WHOLE_BOARD, type StoredBoardRow, type VerifyRun, type VerifyScope, type VerifyStatus, type VerifyStore, type VerifySummary } from '../verify-store';
import { chunk, str, type Row } from '../common';

const now = (): string => new Date().toISOString();

export class SqliteVerifyStore implements VerifyStore {
  constructor(private readonly db: Database.Database) {}

  async saveRun(run: { runId: string; boardId: string; scope: VerifyScope; status: VerifyStatus; summary?: VerifySummary }): Promise<void> {
    this.db.prepare(`INSERT INTO MON_VerifyRun (run_id, board_id, scope, status, summary, started_at, finished_at) VALUES (@runId, @boardId, @scope, @status, @summary, @now, @done)
      ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, summary = COALESCE(excluded.summary, summary), finished_at = excluded.finished_at`)
      .run({ runId: run.runId, boardId: run.boardId, scope: JSON.stringify(run.scope), status: run.status, summary: run.summary ? JSON.stringify(run.summary) : null, now: now(), done: run.status === 'DONE' ? now() : null });
  }

  async getRun(runId: string): Promise<VerifyRun | null> {
    const r = this.db.prepare('SELECT * FROM MON_VerifyRun WHERE run_id = ?').get(runId) as Row | undefined;
    return r ? toVerifyRun(r) : null;
  }

  async latestWholeBoardRun(boardId: string): Promise<VerifyRun | null> {
    const r = this.db.prepare(`SELECT * FROM MON_VerifyRun WHERE board_id = ? AND status = 'DONE' AND scope = ? ORDER BY finished_at DESC LIMIT 1`).get(boardId, WHOLE_BOARD) as Row | undefined;
    return r ? toVerifyRun(r) : null;
  }

  async saveBoardRows(runId: string, rows: StoredBoardRow[]): Promise<void> {
    const upsert = this.db.prepare(`INSERT INTO MON_VerifyBoardRead (run_id, item_id, parent_item_id, order_key, name, group_id, group_title, cells) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (run_id, item_id) DO UPDATE SET parent_item_id = excluded.parent_item_id, order_key = excluded.order_key, name = excluded.name,
        group_id = excluded.group_id, group_title = excluded.group_title, cells = excluded.cells`);
    this.db.transaction(() => {
      for (const r of rows) upsert.run(runId, r.id, r.parentItemId, r.orderKey, r.name, r.groupId, r.groupTitle, r.cellsJson);
    })();
  }

  async readBoardIndex(runId: string): Promise<{ items: { id: string; orderKey: string | null }[]; subitems: number }> {
    const items = (this.db.prepare('SELECT item_id, order_key FROM MON_VerifyBoardRead WHERE run_id = ? AND parent_item_id IS NULL').all(runId) as Row[])
      .map((r) => ({ id: String(r.item_id), orderKey: str(r.order_key) }));
    const subitems = this.db.prepare('SELECT COUNT(*) FROM MON_VerifyBoardRead WHERE run_id = ? AND parent_item_id IS NOT NULL').pluck().get(runId) as number;
    return { items, subitems };
  }

  async readBoardRows(runId: string, of: { ids: string[] } | { parentIds: string[] }): Promise<StoredBoardRow[]> {
    const [column, ids] = 'ids' in of ? ['item_id', of.ids] : ['parent_item_id', of.parentIds];
    const stmt = this.db.prepare(`SELECT * FROM MON_VerifyBoardRead WHERE run_id = ? AND ${column} IN (SELECT value FROM json_each(?))`);
    return chunk(ids, 5000).flatMap((part) => (stmt.all(runId, JSON.stringify(part)) as Row[]).map(toStoredBoardRow));
  }

  async saveDrift(runId: string, fromSeq: number, drift: Drift[]): Promise<void> {
    const insert = this.db.prepare(`INSERT OR REPLACE INTO MON_VerifyDrift (run_id, seq, drift_class, order_key, item_id, subitem_id, kept_item_id, subject, expected, actual)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.db.transaction(() => {
      drift.forEach((d, i) => insert.run(runId, fromSeq + i, d.class, d.orderKey, d.itemId, d.subitemId, d.keptItemId, d.subject, d.expected, d.actual));
    })();
  }

  async clearDrift(runId: string): Promise<void> {
    this.db.prepare('DELETE FROM MON_VerifyDrift WHERE run_id = ?').run(runId);
  }

  async listDrift(runId: string, page?: { offset: number; limit: number }): Promise<Drift[]> {
    return (this.db.prepare('SELECT * FROM MON_VerifyDrift WHERE run_id = ? ORDER BY seq LIMIT ? OFFSET ?')
      .all(runId, page?.limit ?? -1, page?.offset ?? 0) as Row[]).map(toDrift);
  }

  async stagedLinks(): Promise<Map<string, StagedLink>> {
    const rows = this.db.prepare(`SELECT p.order_key, p.stg_monday_item_id, s."Size" AS size, s.stg_monday_subitem_id FROM STG_MON_CustMasterSchedule p
      LEFT JOIN STG_MON_CustMasterSchedule_Subitems s ON s.stg_parent_stg_id = p.stg_id AND s.stg_monday_subitem_id IS NOT NULL`).all() as Row[];
    return linksOf(rows);
  }
}
