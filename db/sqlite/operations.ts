// OperationsStore on the embedded SQLite file (same connection as SqliteStore).
import type Database from 'better-sqlite3';
import { rolledBackNote, toAuditedWrite, toRunningBatch, type AuditedWrite, type FinishedBatch, type ItemValues, type MondayWrite, type OperationsStore, type RunningBatch, type SubitemValues, type WorkerStatus } from '../operations';
import { fromJson, isoOf, str, toJson, type Row } from '../common';
import { addApiCallsSql, countWriteSql } from '../batch-outcomes';

const now = (): string => new Date().toISOString();

export class SqliteOperations implements OperationsStore {
  constructor(private readonly db: Database.Database) {}

  async recordWrites(writes: MondayWrite[]): Promise<void> {
    const insert = this.db.prepare(`INSERT INTO MON_WriteAudit
        (batch_id, order_key, target, monday_id, size_label, parent_id, action, new_values, replaced_values, written_at)
        VALUES (@batchId, @orderKey, @target, @mondayId, @size, @parentId, @action, @newValues, @replacedValues, @now)
      ON CONFLICT (batch_id, monday_id, action) DO NOTHING`);
    const again = this.db.prepare(`UPDATE MON_WriteAudit SET new_values = @newValues, written_at = @now
      WHERE batch_id = @batchId AND monday_id = @mondayId AND action = @action`);
    const count = this.db.prepare(countWriteSql('MON_BatchProcessing'));
    const ts = now();
    this.db.transaction(() => {
      for (const w of writes) {
        const p = { ...w, newValues: toJson(w.newValues), replacedValues: toJson(w.replacedValues), now: ts };
        // A first write counts in its batch; a retried one only refreshes what it sent.
        if (insert.run(p).changes > 0) count.run({ batchId: w.batchId, target: w.target, action: w.action });
        else again.run(p);
      }
    })();
  }

  async addApiCalls(orderKey: string, n: number): Promise<void> {
    if (n > 0) this.db.prepare(addApiCallsSql('MON_BatchProcessing', 'STG_MON_CustMasterSchedule')).run({ orderKey, n });
  }

  async lastWrittenValues(mondayId: string, exceptBatchId: string): Promise<ItemValues | SubitemValues | null> {
    const text = this.db.prepare(`SELECT new_values FROM MON_WriteAudit
      WHERE monday_id = ? AND batch_id <> ? AND new_values IS NOT NULL AND rolled_back_at IS NULL ORDER BY audit_id DESC LIMIT 1`).pluck().get(mondayId, exceptBatchId);
    return (fromJson(text) as ItemValues | SubitemValues | undefined) ?? null;
  }

  async listWrites(batchId: string): Promise<AuditedWrite[]> {
    return (this.db.prepare('SELECT * FROM MON_WriteAudit WHERE batch_id = ? ORDER BY audit_id').all(batchId) as Row[]).map(toAuditedWrite);
  }

  async supersededIds(batchId: string): Promise<string[]> {
    return this.db.prepare(`SELECT DISTINCT a.monday_id FROM MON_WriteAudit a
      JOIN MON_WriteAudit b ON b.monday_id = a.monday_id AND b.audit_id > a.audit_id AND b.batch_id <> a.batch_id AND b.rolled_back_at IS NULL
      WHERE a.batch_id = ?`).pluck().all(batchId) as string[];
  }

  async markWriteRolledBack(auditId: number, note: string): Promise<void> {
    this.db.prepare('UPDATE MON_WriteAudit SET rolled_back_at = COALESCE(rolled_back_at, ?), rollback_note = ? WHERE audit_id = ?').run(now(), note, auditId);
  }

  async markOrderRolledBack(input: { batchId: string; orderKey: string; archivedIds: string[]; restoredQty: { subitemId: string; qty: number }[] }): Promise<void> {
    const ts = now();
    const note = rolledBackNote(input.batchId, ts);
    this.db.transaction(() => {
      const parent = this.db.prepare('SELECT stg_id FROM STG_MON_CustMasterSchedule WHERE order_key = ?').pluck().get(input.orderKey) as number | undefined;
      if (parent === undefined) return;
      this.db.prepare(`UPDATE STG_MON_CustMasterSchedule SET stg_status = 'SYNCED', stg_synced_hash = stg_payload_hash, stg_error_message = ?,
          stg_monday_item_id = CASE WHEN stg_monday_item_id IN (SELECT value FROM json_each(?)) THEN NULL ELSE stg_monday_item_id END,
          stg_updated_date = ?
        WHERE stg_id = ?`).run(note, JSON.stringify(input.archivedIds), ts, parent);
      this.db.prepare(`UPDATE STG_MON_CustMasterSchedule_Subitems SET stg_monday_subitem_id = NULL, stg_monday_parent_item_id = NULL, stg_synced_qty = NULL,
          stg_status = 'SYNCED', stg_updated_date = ?
        WHERE stg_parent_stg_id = ? AND (stg_monday_subitem_id IN (SELECT value FROM json_each(?)) OR stg_monday_parent_item_id IN (SELECT value FROM json_each(?)))`)
        .run(ts, parent, JSON.stringify(input.archivedIds), JSON.stringify(input.archivedIds));
      const restore = this.db.prepare(`UPDATE STG_MON_CustMasterSchedule_Subitems SET stg_synced_qty = ?, stg_status = 'SYNCED', stg_updated_date = ?
        WHERE stg_parent_stg_id = ? AND stg_monday_subitem_id = ?`);
      for (const r of input.restoredQty) restore.run(r.qty, ts, parent, r.subitemId);
    })();
  }

  async stagedBatchId(orderKey: string): Promise<string | null> {
    return str(this.db.prepare('SELECT stg_batch_id FROM STG_MON_CustMasterSchedule WHERE order_key = ?').pluck().get(orderKey));
  }

  async lastFinishedBatch(): Promise<FinishedBatch | null> {
    const r = this.db.prepare(`SELECT batch_id, status, end_time, duration_seconds FROM MON_BatchProcessing
      WHERE end_time IS NOT NULL ORDER BY end_time DESC LIMIT 1`).get() as Row | undefined;
    return r ? { batchId: String(r.batch_id), status: String(r.status), endTime: isoOf(r.end_time) ?? '', durationSeconds: r.duration_seconds === null ? null : Number(r.duration_seconds) } : null;
  }

  async runningBatch(): Promise<RunningBatch | null> {
    const r = this.db.prepare(`SELECT batch_id, start_time, new_orders, changed_orders, synced_records, failed_records FROM MON_BatchProcessing
      WHERE end_time IS NULL ORDER BY start_time DESC LIMIT 1`).get() as Row | undefined;
    return r ? toRunningBatch(r) : null;
  }

  async finishedSince(batchId: string): Promise<{ synced: number; failed: number }> {
    const r = this.db.prepare(`SELECT COALESCE(SUM(stg_status = 'SYNCED'), 0) AS synced, COALESCE(SUM(stg_status = 'FAILED'), 0) AS failed
      FROM STG_MON_CustMasterSchedule WHERE stg_updated_date >= (SELECT start_time FROM MON_BatchProcessing WHERE batch_id = ?)`).get(batchId) as Row;
    return { synced: Number(r.synced), failed: Number(r.failed) };
  }

  async countBoardItems(): Promise<number> {
    return this.db.prepare('SELECT COUNT(*) FROM STG_MON_CustMasterSchedule WHERE stg_monday_item_id IS NOT NULL').pluck().get() as number;
  }

  async saveWorkerStatus(status: WorkerStatus): Promise<void> {
    this.db.prepare(`INSERT INTO MON_WorkerStatus (worker_id, updated_at, status_json) VALUES (?, ?, ?)
      ON CONFLICT (worker_id) DO UPDATE SET updated_at = excluded.updated_at, status_json = excluded.status_json`)
      .run(status.workerId, status.updatedAt, JSON.stringify(status));
  }

  async liveWorkerStatuses(maxAgeMs: number): Promise<WorkerStatus[]> {
    const since = new Date(Date.now() - maxAgeMs).toISOString();
    return (this.db.prepare('SELECT status_json FROM MON_WorkerStatus WHERE updated_at >= ? ORDER BY worker_id').pluck().all(since) as string[])
      .map((t) => JSON.parse(t) as WorkerStatus);
  }
}
