// RollbackStepStore on SQL Server (db/rollback-steps.ts), through the MssqlStore's pool and retries; its migration:
// migrations-rollback.ts (115). Parameterised; no MERGE (Babelfish runs the tests).
import type { MssqlStore } from './store';
import { toAuditedWrite, type AuditedWrite } from '../operations';
import { toPageRow, type AuditCounts, type AuditPageRow, type RollbackStep, type RollbackStepStore, type StepOutcome } from '../rollback-steps';
import { chunk } from '../common';
import { qualified } from './identifiers';

/** The statements, built for one schema. */
export function mssqlRollbackSql(schema: string) {
  const AUDIT = qualified(schema, 'MON_WriteAudit');
  const STEP = qualified(schema, 'MON_RollbackStep');
  const STG = qualified(schema, 'STG_MON_CustMasterSchedule');
  return {
    auditPage: `SELECT TOP (@limit) a.*,
        CASE WHEN EXISTS (SELECT 1 FROM ${AUDIT} l WHERE l.[monday_id] = a.[monday_id] AND l.[audit_id] > a.[audit_id] AND l.[batch_id] <> a.[batch_id] AND l.[rolled_back_at] IS NULL) THEN 1 ELSE 0 END AS superseded,
        CASE WHEN EXISTS (SELECT 1 FROM ${AUDIT} p WHERE p.[batch_id] = a.[batch_id] AND p.[monday_id] = a.[parent_id] AND p.[target] = 'item' AND p.[action] = 'create') THEN 1 ELSE 0 END AS parent_created,
        s.[outcome] AS run_outcome
      FROM ${AUDIT} a LEFT JOIN ${STEP} s ON s.[run_id] = @runId AND s.[audit_id] = a.[audit_id]
      WHERE a.[batch_id] = @batchId AND a.[audit_id] < @before ORDER BY a.[audit_id] DESC`,
    rolledBackPage: `SELECT TOP (@limit) * FROM ${AUDIT} WHERE [batch_id] = @batchId AND [audit_id] > @after AND [rolled_back_at] IS NOT NULL ORDER BY [audit_id]`,
    countRolledBackOrders: `SELECT COUNT(DISTINCT [order_key]) AS n FROM ${AUDIT} WHERE [batch_id] = @batchId AND [rolled_back_at] IS NOT NULL`,
    auditCounts: `SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN [rolled_back_at] IS NULL THEN 1 ELSE 0 END), 0) AS [open], COUNT(DISTINCT [order_key]) AS orders FROM ${AUDIT} WHERE [batch_id] = @batchId`,
    batchOrderKeys: `SELECT TOP (@limit) k FROM (SELECT [order_key] AS k FROM ${AUDIT} WHERE [batch_id] = @batchId
        UNION SELECT [order_key] FROM ${STG} WHERE [stg_batch_id] = @batchId) u
      WHERE k > @after ORDER BY k`,
    /** One row; a retried page finds it there and keeps it. */
    recordStep: `INSERT INTO ${STEP} ([run_id], [batch_id], [audit_id], [order_key], [outcome], [line])
      SELECT @runId, @batchId, @auditId, @orderKey, @outcome, @line
      WHERE NOT EXISTS (SELECT 1 FROM ${STEP} WHERE [run_id] = @runId AND [audit_id] = @auditId);`,
    recordUndone: `BEGIN TRANSACTION;
      UPDATE ${AUDIT} SET [rolled_back_at] = COALESCE([rolled_back_at], SYSUTCDATETIME()), [rollback_note] = @line WHERE [audit_id] = @auditId;
      INSERT INTO ${STEP} ([run_id], [batch_id], [audit_id], [order_key], [outcome], [line])
        SELECT @runId, @batchId, @auditId, @orderKey, 'DONE', @line
        WHERE NOT EXISTS (SELECT 1 FROM ${STEP} WHERE [run_id] = @runId AND [audit_id] = @auditId);
      COMMIT;`,
    listSteps: `SELECT TOP (@limit) [line] FROM ${STEP} WHERE [run_id] = @runId AND [outcome] = @outcome ORDER BY [audit_id] DESC;
      SELECT COUNT(*) AS n FROM ${STEP} WHERE [run_id] = @runId AND [outcome] = @outcome;`,
  };
}

/** Steps per request: 6 parameters each, under SQL Server's 2,100. */
const STEPS_PER_REQUEST = 300;

export class MssqlRollbackSteps implements RollbackStepStore {
  private readonly s: ReturnType<typeof mssqlRollbackSql>;
  constructor(private readonly store: MssqlStore) {
    this.s = mssqlRollbackSql(store.schema);
  }

  async auditPage(batchId: string, runId: string, before: number | null, limit: number): Promise<AuditPageRow[]> {
    const r = await this.store.query('auditPage', this.s.auditPage, { batchId, runId, before: before ?? Number.MAX_SAFE_INTEGER, limit });
    return r.recordset.map(toPageRow);
  }

  async rolledBackPage(batchId: string, after: number, limit: number): Promise<AuditedWrite[]> {
    return (await this.store.query('rolledBackPage', this.s.rolledBackPage, { batchId, after, limit })).recordset.map(toAuditedWrite);
  }

  async countRolledBackOrders(batchId: string): Promise<number> {
    return Number((await this.store.query('countRolledBackOrders', this.s.countRolledBackOrders, { batchId })).recordset[0]?.n ?? 0);
  }

  async auditCounts(batchId: string): Promise<AuditCounts> {
    const r = (await this.store.query('auditCounts', this.s.auditCounts, { batchId })).recordset[0];
    return { total: Number(r?.total ?? 0), open: Number(r?.open ?? 0), orders: Number(r?.orders ?? 0) };
  }

  async batchOrderKeys(batchId: string, after: string | null, limit: number): Promise<string[]> {
    return (await this.store.query('batchOrderKeys', this.s.batchOrderKeys, { batchId, after: after ?? '', limit })).recordset.map((r) => String(r.k));
  }

  /** A request per few hundred steps, in its own transaction. */
  async recordSteps(runId: string, batchId: string, steps: RollbackStep[]): Promise<void> {
    for (const part of chunk(steps, STEPS_PER_REQUEST)) {
      const params: Record<string, string | number> = {};
      const text = part.map((st, i) => {
        Object.assign(params, { [`runId${i}`]: runId, [`batchId${i}`]: batchId, [`auditId${i}`]: st.auditId, [`orderKey${i}`]: st.orderKey, [`outcome${i}`]: st.outcome, [`line${i}`]: st.line });
        return this.s.recordStep.replace(/(?<!@)@(\w+)/g, `@$1${i}`);
      }).join('\n');
      await this.store.query('recordSteps', `BEGIN TRANSACTION;\n${text}\nCOMMIT;`, params);
    }
  }

  async recordUndone(runId: string, batchId: string, step: RollbackStep): Promise<void> {
    await this.store.query('recordUndone', this.s.recordUndone, { runId, batchId, auditId: step.auditId, orderKey: step.orderKey, line: step.line });
  }

  async listSteps(runId: string, outcome: StepOutcome, limit: number): Promise<{ lines: string[]; total: number }> {
    const r = await this.store.query('listSteps', this.s.listSteps, { runId, outcome, limit });
    const sets = r.recordsets as unknown as Record<string, unknown>[][];
    return { lines: (sets[0] ?? []).map((x) => String(x.line)), total: Number(sets[1]?.[0]?.n ?? 0) };
  }
}
