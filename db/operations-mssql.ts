// OperationsStore on SQL Server (the MssqlStore's pool). Set-based, parameterised; OPENJSON for id lists.
import type sql from 'mssql';
import type { AuditedWrite, FinishedBatch, ItemValues, MondayWrite, OperationsStore, RunningBatch, SubitemValues, WorkerStatus } from './operations';
import { rolledBackNote, toAuditedWrite, toRunningBatch } from './operations-sqlite';
import { fromJson, isoOf, toJson, type Row } from './common';

type Param = string | number | null;

export const OPERATIONS_SQL = {
  // MERGE keeps the first replaced values: they are what the batch found before its first write.
  recordWrite: `MERGE [dbo].[MON_WriteAudit] WITH (HOLDLOCK) AS t
    USING (SELECT @batchId AS batch_id, @mondayId AS monday_id, @action AS action) AS s
      ON t.[batch_id] = s.batch_id AND t.[monday_id] = s.monday_id AND t.[action] = s.action
    WHEN MATCHED THEN UPDATE SET [new_values] = @newValues, [written_at] = SYSUTCDATETIME()
    WHEN NOT MATCHED THEN INSERT ([batch_id], [order_key], [target], [monday_id], [size_label], [parent_id], [action], [new_values], [replaced_values])
      VALUES (@batchId, @orderKey, @target, @mondayId, @size, @parentId, @action, @newValues, @replacedValues);`,
  lastWrittenValues: `SELECT TOP (1) [new_values] FROM [dbo].[MON_WriteAudit]
    WHERE [monday_id] = @mondayId AND [batch_id] <> @batchId AND [new_values] IS NOT NULL AND [rolled_back_at] IS NULL ORDER BY [audit_id] DESC`,
  listWrites: 'SELECT * FROM [dbo].[MON_WriteAudit] WHERE [batch_id] = @batchId ORDER BY [audit_id]',
  supersededIds: `SELECT DISTINCT a.[monday_id] FROM [dbo].[MON_WriteAudit] a
    JOIN [dbo].[MON_WriteAudit] b ON b.[monday_id] = a.[monday_id] AND b.[audit_id] > a.[audit_id] AND b.[batch_id] <> a.[batch_id] AND b.[rolled_back_at] IS NULL
    WHERE a.[batch_id] = @batchId`,
  markWriteRolledBack: `UPDATE [dbo].[MON_WriteAudit] SET [rolled_back_at] = COALESCE([rolled_back_at], SYSUTCDATETIME()), [rollback_note] = @note
    WHERE [audit_id] = @auditId`,
  markOrderRolledBack: `DECLARE @parent BIGINT = (SELECT [stg_id] FROM [dbo].[STG_MON_CustMasterSchedule] WHERE [order_key] = @orderKey);
    UPDATE [dbo].[STG_MON_CustMasterSchedule] SET [stg_status] = 'SYNCED', [stg_synced_hash] = [stg_payload_hash], [stg_error_message] = @note,
        [stg_monday_item_id] = CASE WHEN [stg_monday_item_id] IN (SELECT [value] FROM OPENJSON(@archived)) THEN NULL ELSE [stg_monday_item_id] END,
        [stg_updated_date] = SYSUTCDATETIME()
      WHERE [stg_id] = @parent;
    UPDATE [dbo].[STG_MON_CustMasterSchedule_Subitems] SET [stg_monday_subitem_id] = NULL, [stg_monday_parent_item_id] = NULL, [stg_synced_qty] = NULL,
        [stg_status] = 'SYNCED', [stg_updated_date] = SYSUTCDATETIME()
      WHERE [stg_parent_stg_id] = @parent AND ([stg_monday_subitem_id] IN (SELECT [value] FROM OPENJSON(@archived))
        OR [stg_monday_parent_item_id] IN (SELECT [value] FROM OPENJSON(@archived)));
    UPDATE s SET [stg_synced_qty] = r.qty, [stg_status] = 'SYNCED', [stg_updated_date] = SYSUTCDATETIME()
      FROM [dbo].[STG_MON_CustMasterSchedule_Subitems] s
      JOIN OPENJSON(@restored) WITH (subitemId NVARCHAR(64) '$.subitemId', qty INT '$.qty') r ON s.[stg_monday_subitem_id] = r.subitemId
      WHERE s.[stg_parent_stg_id] = @parent;`,
  stagedBatchId: 'SELECT [stg_batch_id] FROM [dbo].[STG_MON_CustMasterSchedule] WHERE [order_key] = @orderKey',
  lastFinishedBatch: `SELECT TOP (1) [batch_id], [status], [end_time], [duration_seconds] FROM [dbo].[MON_BatchProcessing]
    WHERE [end_time] IS NOT NULL ORDER BY [end_time] DESC`,
  runningBatch: `SELECT TOP (1) [batch_id], [start_time], [new_orders], [changed_orders], [synced_records], [failed_records] FROM [dbo].[MON_BatchProcessing]
    WHERE [end_time] IS NULL ORDER BY [start_time] DESC`,
  finishedSince: `SELECT COALESCE(SUM(CASE WHEN [stg_status] = 'SYNCED' THEN 1 ELSE 0 END), 0) AS synced,
      COALESCE(SUM(CASE WHEN [stg_status] = 'FAILED' THEN 1 ELSE 0 END), 0) AS failed
    FROM [dbo].[STG_MON_CustMasterSchedule] WHERE [stg_updated_date] >= (SELECT [start_time] FROM [dbo].[MON_BatchProcessing] WHERE [batch_id] = @batchId)`,
  countBoardItems: 'SELECT COUNT(*) AS n FROM [dbo].[STG_MON_CustMasterSchedule] WHERE [stg_monday_item_id] IS NOT NULL',
  saveWorkerStatus: `MERGE [dbo].[MON_WorkerStatus] WITH (HOLDLOCK) AS t USING (SELECT @workerId AS worker_id) AS s ON t.[worker_id] = s.worker_id
    WHEN MATCHED THEN UPDATE SET [updated_at] = SYSUTCDATETIME(), [status_json] = @status
    WHEN NOT MATCHED THEN INSERT ([worker_id], [updated_at], [status_json]) VALUES (@workerId, SYSUTCDATETIME(), @status);`,
  liveWorkerStatuses: `SELECT [status_json] FROM [dbo].[MON_WorkerStatus]
    WHERE [updated_at] >= DATEADD(MILLISECOND, -@maxAgeMs, SYSUTCDATETIME()) ORDER BY [worker_id]`,
};

export class MssqlOperations implements OperationsStore {
  constructor(private readonly pool: sql.ConnectionPool) {}

  private async run(text: string, params: Record<string, Param> = {}): Promise<sql.IResult<Row>> {
    // The pool's own request: this module loads no driver (the parameter types are inferred: NVARCHAR, INT).
    const req = this.pool.request();
    for (const [name, value] of Object.entries(params)) req.input(name, value);
    return req.query<Row>(text);
  }

  async recordWrites(writes: MondayWrite[]): Promise<void> {
    for (const w of writes) {
      await this.run(OPERATIONS_SQL.recordWrite, {
        batchId: w.batchId, orderKey: w.orderKey, target: w.target, mondayId: w.mondayId, size: w.size, parentId: w.parentId, action: w.action,
        newValues: toJson(w.newValues), replacedValues: toJson(w.replacedValues),
      });
    }
  }

  async lastWrittenValues(mondayId: string, exceptBatchId: string): Promise<ItemValues | SubitemValues | null> {
    const r = (await this.run(OPERATIONS_SQL.lastWrittenValues, { mondayId, batchId: exceptBatchId })).recordset[0];
    return (fromJson(r?.new_values) as ItemValues | SubitemValues | undefined) ?? null;
  }

  async listWrites(batchId: string): Promise<AuditedWrite[]> {
    return (await this.run(OPERATIONS_SQL.listWrites, { batchId })).recordset.map(toAuditedWrite);
  }

  async supersededIds(batchId: string): Promise<string[]> {
    return (await this.run(OPERATIONS_SQL.supersededIds, { batchId })).recordset.map((r) => String(r.monday_id));
  }

  async markWriteRolledBack(auditId: number, note: string): Promise<void> {
    await this.run(OPERATIONS_SQL.markWriteRolledBack, { auditId, note });
  }

  async markOrderRolledBack(input: { batchId: string; orderKey: string; archivedIds: string[]; restoredQty: { subitemId: string; qty: number }[] }): Promise<void> {
    await this.run(OPERATIONS_SQL.markOrderRolledBack, {
      orderKey: input.orderKey, note: rolledBackNote(input.batchId, new Date().toISOString()),
      archived: JSON.stringify(input.archivedIds), restored: JSON.stringify(input.restoredQty),
    });
  }

  async stagedBatchId(orderKey: string): Promise<string | null> {
    const v = (await this.run(OPERATIONS_SQL.stagedBatchId, { orderKey })).recordset[0]?.stg_batch_id;
    return v === null || v === undefined ? null : String(v);
  }

  async lastFinishedBatch(): Promise<FinishedBatch | null> {
    const r = (await this.run(OPERATIONS_SQL.lastFinishedBatch)).recordset[0];
    return r ? { batchId: String(r.batch_id), status: String(r.status), endTime: isoOf(r.end_time) ?? '', durationSeconds: r.duration_seconds === null ? null : Number(r.duration_seconds) } : null;
  }

  async runningBatch(): Promise<RunningBatch | null> {
    const r = (await this.run(OPERATIONS_SQL.runningBatch)).recordset[0];
    return r ? toRunningBatch(r) : null;
  }

  async finishedSince(batchId: string): Promise<{ synced: number; failed: number }> {
    const r = (await this.run(OPERATIONS_SQL.finishedSince, { batchId })).recordset[0];
    return { synced: Number(r?.synced ?? 0), failed: Number(r?.failed ?? 0) };
  }

  async countBoardItems(): Promise<number> {
    return Number((await this.run(OPERATIONS_SQL.countBoardItems)).recordset[0]?.n ?? 0);
  }

  async saveWorkerStatus(status: WorkerStatus): Promise<void> {
    await this.run(OPERATIONS_SQL.saveWorkerStatus, { workerId: status.workerId, status: JSON.stringify(status) });
  }

  async liveWorkerStatuses(maxAgeMs: number): Promise<WorkerStatus[]> {
    return (await this.run(OPERATIONS_SQL.liveWorkerStatuses, { maxAgeMs: Math.round(maxAgeMs) })).recordset.map((r) => JSON.parse(String(r.status_json)) as WorkerStatus);
  }
}
