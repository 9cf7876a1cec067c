// RollbackStepStore on the embedded SQLite file (db/rollback-steps.ts); its migration: migrations-rollback.ts (115).
import type Database from 'better-sqlite3';
import { toAuditedWrite, type AuditedWrite } from '../operations';
import { toPageRow, type AuditCounts, type AuditPageRow, type RollbackStep, type RollbackStepStore, type StepOutcome } from '../rollback-steps';
import type { Row } from '../common';

export class SqliteRollbackSteps implements RollbackStepStore {
  constructor(private readonly db: Database.Database) {}

  async auditPage(batchId: string, runId: string, before: number | null, limit: number): Promise<AuditPageRow[]> {
    const rows = this.db.prepare(`SELECT a.*,
        EXISTS (SELECT 1 FROM MON_WriteAudit l WHERE l.monday_id = a.monday_id AND l.audit_id > a.audit_id AND l.batch_id <> a.batch_id AND l.rolled_back_at IS NULL) AS superseded,
        EXISTS (SELECT 1 FROM MON_WriteAudit p WHERE p.batch_id = a.batch_id AND p.monday_id = a.parent_id AND p.target = 'item' AND p.action = 'create') AS parent_created,
        s.outcome AS run_outcome
      FROM MON_WriteAudit a LEFT JOIN MON_RollbackStep s ON s.run_id = @runId AND s.audit_id = a.audit_id
      WHERE a.batch_id = @batchId AND a.audit_id < @before ORDER BY a.audit_id DESC LIMIT @limit`)
      .all({ batchId, runId, before: before ?? Number.MAX_SAFE_INTEGER, limit }) as Row[];
    return rows.map(toPageRow);
  }

  async rolledBackPage(batchId: string, after: number, limit: number): Promise<AuditedWrite[]> {
    return (this.db.prepare(`SELECT * FROM MON_WriteAudit WHERE batch_id = ? AND audit_id > ? AND rolled_back_at IS NOT NULL
      ORDER BY audit_id LIMIT ?`).all(batchId, after, limit) as Row[]).map(toAuditedWrite);
  }

  async countRolledBackOrders(batchId: string): Promise<number> {
    return this.db.prepare('SELECT COUNT(DISTINCT order_key) FROM MON_WriteAudit WHERE batch_id = ? AND rolled_back_at IS NOT NULL').pluck().get(batchId) as number;
  }

  async auditCounts(batchId: string): Promise<AuditCounts> {
    const r = this.db.prepare(`SELECT COUNT(*) AS total, COALESCE(SUM(rolled_back_at IS NULL), 0) AS open, COUNT(DISTINCT order_key) AS orders FROM MON_WriteAudit WHERE batch_id = ?`).get(batchId) as Row;
    return { total: Number(r.total), open: Number(r.open), orders: Number(r.orders) };
  }

  async batchOrderKeys(batchId: string, after: string | null, limit: number): Promise<string[]> {
    return this.db.prepare(`SELECT k FROM (SELECT order_key AS k FROM MON_WriteAudit WHERE batch_id = @batchId
        UNION SELECT order_key FROM STG_MON_CustMasterSchedule WHERE stg_batch_id = @batchId)
      WHERE k > @after ORDER BY k LIMIT @limit`).pluck().all({ batchId, after: after ?? '', limit }) as string[];
  }

  async recordSteps(runId: string, batchId: string, steps: RollbackStep[]): Promise<void> {
    const insert = this.db.prepare(`INSERT INTO MON_RollbackStep (run_id, batch_id, audit_id, order_key, outcome, line, recorded_at)
      VALUES (@runId, @batchId, @auditId, @orderKey, @outcome, @line, @now) ON CONFLICT (run_id, audit_id) DO NOTHING`);
    const now = new Date().toISOString();
    this.db.transaction(() => { for (const s of steps) insert.run({ runId, batchId, now, ...s }); })();
  }

  async recordUndone(runId: string, batchId: string, step: RollbackStep): Promise<void> {
    const now = new Date().toISOString();
    this.db.transaction(() => {
      this.db.prepare('UPDATE MON_WriteAudit SET rolled_back_at = COALESCE(rolled_back_at, ?), rollback_note = ? WHERE audit_id = ?').run(now, step.line, step.auditId);
      this.db.prepare(`INSERT INTO MON_RollbackStep (run_id, batch_id, audit_id, order_key, outcome, line, recorded_at)
        VALUES (?, ?, ?, ?, 'DONE', ?, ?) ON CONFLICT (run_id, audit_id) DO NOTHING`).run(runId, batchId, step.auditId, step.orderKey, step.line, now);
    })();
  }

  async listSteps(runId: string, outcome: StepOutcome, limit: number): Promise<{ lines: string[]; total: number }> {
    const lines = this.db.prepare('SELECT line FROM MON_RollbackStep WHERE run_id = ? AND outcome = ? ORDER BY audit_id DESC LIMIT ?').pluck().all(runId, outcome, limit) as string[];
    const total = this.db.prepare('SELECT COUNT(*) FROM MON_RollbackStep WHERE run_id = ? AND outcome = ?').pluck().get(runId, outcome) as number;
    return { lines, total };
  }
}
