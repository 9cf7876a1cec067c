// OperationsStore on SQL Server, in the project's schema (MSSQL_SCHEMA), through the MssqlStore's pool and its
// retries. Parameterised; no MERGE and no OPENJSON (Babelfish runs the tests).
import type sql from 'mssql';
import type { MssqlStore } from './mssql-store';
import { qualified } from './migrations/mssql';
import { DEFAULT_MSSQL_SCHEMA } from './mssql-config';
import type { AuditedWrite, FinishedBatch, ItemValues, MondayWrite, OperationsStore, RunningBatch, SubitemValues, WorkerStatus } from './operations';
import { rolledBackNote, toAuditedWrite, toRunningBatch } from './operations-sqlite';
import { chunk, fromJson, isoOf, toJson, type Row } from './common';
import { addApiCallsSql, countWriteSql } from './batch-outcomes';
import { b } from './migrations/mssql';

type Param = string | number | null;

export type MssqlOperationsSql = ReturnType<typeof mssqlOperationsSql>;

/** The statements, built for one schema (as mssqlStatements and mssqlBatchOutcomeSql are). */
export function mssqlOperationsSql(schema: string) {
  const AUDIT = qualified(schema, 'MON_WriteAudit');
  const STATUS = qualified(schema, 'MON_WorkerStatus');
  const STG = qualified(schema, 'STG_MON_CustMasterSchedule');
  const SUB = qualified(schema, 'STG_MON_CustMasterSchedule_Subitems');
  const BATCH = qualified(schema, 'MON_BatchProcessing');
  return {
    // Update, else insert (no MERGE: Babelfish lacks it); a retried write keeps the first replaced values, which are
    // what the batch found before its first write. A concurrent insert of the same write fails on the unique index
    // (2627/2601) and is run again, then as an update.
    // One transaction, so the audit row and its count in the batch commit together (a retry never loses the count).
    recordWrite: `SET XACT_ABORT ON; BEGIN TRANSACTION;
      UPDATE ${AUDIT} SET [new_values] = @newValues, [written_at] = SYSUTCDATETIME()
      WHERE [batch_id] = @batchId AND [monday_id] = @mondayId AND [action] = @action;
      INSERT INTO ${AUDIT} ([batch_id], [order_key], [target], [monday_id], [size_label], [parent_id], [action], [new_values], [replaced_values])
        SELECT @batchId, @orderKey, @target, @mondayId, @size, @parentId, @action, @newValues, @replacedValues
        WHERE NOT EXISTS (SELECT 1 FROM ${AUDIT} WHERE [batch_id] = @batchId AND [monday_id] = @mondayId AND [action] = @action);
      -- A first write counts in its batch (db/batch-outcomes.ts BATCH_WRITE_COUNTS); a retried one only refreshed its row.
      IF @@ROWCOUNT = 1 ${countWriteSql(BATCH, b)};
      COMMIT;`,
    addApiCalls: addApiCallsSql(BATCH, STG, b),
    lastWrittenValues: `SELECT TOP (1) [new_values] FROM ${AUDIT}
      WHERE [monday_id] = @mondayId AND [batch_id] <> @batchId AND [new_values] IS NOT NULL AND [rolled_back_at] IS NULL ORDER BY [audit_id] DESC`,
    listWrites: `SELECT * FROM ${AUDIT} WHERE [batch_id] = @batchId ORDER BY [audit_id]`,
    supersededIds: `SELECT DISTINCT a.[monday_id] FROM ${AUDIT} a
      JOIN ${AUDIT} b ON b.[monday_id] = a.[monday_id] AND b.[audit_id] > a.[audit_id] AND b.[batch_id] <> a.[batch_id] AND b.[rolled_back_at] IS NULL
      WHERE a.[batch_id] = @batchId`,
    markWriteRolledBack: `UPDATE ${AUDIT} SET [rolled_back_at] = COALESCE([rolled_back_at], SYSUTCDATETIME()), [rollback_note] = @note
      WHERE [audit_id] = @auditId`,
    markOrderSynced: `UPDATE ${STG} SET [stg_status] = 'SYNCED', [stg_synced_hash] = [stg_payload_hash],
        [stg_error_message] = @note, [stg_updated_date] = SYSUTCDATETIME() WHERE [order_key] = @orderKey`,
    restoreQty: `UPDATE s SET [stg_synced_qty] = @qty, [stg_status] = 'SYNCED', [stg_updated_date] = SYSUTCDATETIME()
      FROM ${SUB} s JOIN ${STG} o ON o.[stg_id] = s.[stg_parent_stg_id]
      WHERE o.[order_key] = @orderKey AND s.[stg_monday_subitem_id] = @subitemId`,
    stagedBatchId: `SELECT [stg_batch_id] FROM ${STG} WHERE [order_key] = @orderKey`,
    lastFinishedBatch: `SELECT TOP (1) [batch_id], [status], [end_time], [duration_seconds] FROM ${BATCH}
      WHERE [end_time] IS NOT NULL ORDER BY [end_time] DESC`,
    runningBatch: `SELECT TOP (1) [batch_id], [start_time], [new_orders], [changed_orders], [synced_records], [failed_records] FROM ${BATCH}
      WHERE [end_time] IS NULL ORDER BY [start_time] DESC`,
    finishedSince: `SELECT COALESCE(SUM(CASE WHEN [stg_status] = 'SYNCED' THEN 1 ELSE 0 END), 0) AS synced,
        COALESCE(SUM(CASE WHEN [stg_status] = 'FAILED' THEN 1 ELSE 0 END), 0) AS failed
      FROM ${STG} WHERE [stg_updated_date] >= (SELECT [start_time] FROM ${BATCH} WHERE [batch_id] = @batchId)`,
    countBoardItems: `SELECT COUNT(*) AS n FROM ${STG} WHERE [stg_monday_item_id] IS NOT NULL`,
    saveWorkerStatus: `UPDATE ${STATUS} SET [updated_at] = SYSUTCDATETIME(), [status_json] = @status WHERE [worker_id] = @workerId;
      INSERT INTO ${STATUS} ([worker_id], [updated_at], [status_json]) SELECT @workerId, SYSUTCDATETIME(), @status
        WHERE NOT EXISTS (SELECT 1 FROM ${STATUS} WHERE [worker_id] = @workerId);`,
    liveWorkerStatuses: `SELECT [status_json] FROM ${STATUS}
      WHERE [updated_at] >= DATEADD(MILLISECOND, -CAST(@maxAgeMs AS INT), SYSUTCDATETIME()) ORDER BY [worker_id]`,
    /** Forget archived Monday ids (item and subitems) of one order line; one parameter per id. */
    forgetArchivedSql(count: number): string {
      const ids = Array.from({ length: count }, (_, i) => `@id${i}`).join(', ');
      return `UPDATE ${STG} SET [stg_monday_item_id] = NULL WHERE [order_key] = @orderKey AND [stg_monday_item_id] IN (${ids});
        UPDATE s SET [stg_monday_subitem_id] = NULL, [stg_monday_parent_item_id] = NULL, [stg_synced_qty] = NULL, [stg_status] = 'SYNCED', [stg_updated_date] = SYSUTCDATETIME()
          FROM ${SUB} s JOIN ${STG} o ON o.[stg_id] = s.[stg_parent_stg_id]
          WHERE o.[order_key] = @orderKey AND (s.[stg_monday_subitem_id] IN (${ids}) OR s.[stg_monday_parent_item_id] IN (${ids}));`;
    },
  };
}

/** Every statement, for the T-SQL checks (db/mssql-sql.ts allMssqlStatements). */
export function allOperationsStatements(schema = DEFAULT_MSSQL_SCHEMA): { name: string; sql: string }[] {
  const { forgetArchivedSql, ...fixed } = mssqlOperationsSql(schema);
  return [...Object.entries(fixed).map(([name, sql]) => ({ name, sql })), { name: 'forgetArchivedSql', sql: forgetArchivedSql(2) }];
}

const DUPLICATE_KEY = new Set([2601, 2627]);
/** Ids per statement: well under SQL Server's 2,100 parameters. */
const IDS_PER_STATEMENT = 500;
/** Audited writes per request: 9 parameters each, under the 2,100 limit. */
const WRITES_PER_REQUEST = 200;

export class MssqlOperations implements OperationsStore {
  private readonly s: MssqlOperationsSql;

  constructor(private readonly store: MssqlStore) {
    this.s = mssqlOperationsSql(store.schema);
  }

  private run(name: Exclude<keyof MssqlOperationsSql, 'forgetArchivedSql'>, params: Record<string, Param> = {}): Promise<sql.IResult<Row>> {
    return this.store.query(name, this.s[name], params);
  }

  /** An update-else-insert that lost a race to a concurrent insert (unique index) runs again, as an update. */
  private async upsert(name: 'recordWrite' | 'saveWorkerStatus', params: Record<string, Param>): Promise<void> {
    await this.run(name, params).catch((e: { number?: number }) => {
      if (!DUPLICATE_KEY.has(e.number ?? 0)) throw e;
      return this.run(name, params);
    });
  }

  /** All of an activity's writes in one request (its own transaction); a lost insert race runs it again, as updates. */
  async recordWrites(writes: MondayWrite[]): Promise<void> {
    for (const part of chunk(writes, WRITES_PER_REQUEST)) {
      const params: Record<string, Param> = {};
      const texts = part.map((w, i) => {
        Object.assign(params, Object.fromEntries(Object.entries({
          batchId: w.batchId, orderKey: w.orderKey, target: w.target, mondayId: w.mondayId, size: w.size, parentId: w.parentId, action: w.action,
          newValues: toJson(w.newValues), replacedValues: toJson(w.replacedValues),
        }).map(([k, v]) => [`${k}${i}`, v])));
        return this.s.recordWrite.replace(/(?<!@)@(\w+)/g, `@$1${i}`);
      });
      const text = `BEGIN TRANSACTION;\n${texts.join('\n')}\nCOMMIT;`;
      const once = () => this.store.query('recordWrites', text, params);
      await once().catch((e: { number?: number }) => { if (!DUPLICATE_KEY.has(e.number ?? 0)) throw e; return once(); });
    }
  }

  async addApiCalls(orderKey: string, n: number): Promise<void> {
    if (n > 0) await this.run('addApiCalls', { orderKey, n });
  }

  async lastWrittenValues(mondayId: string, exceptBatchId: string): Promise<ItemValues | SubitemValues | null> {
    const r = (await this.run('lastWrittenValues', { mondayId, batchId: exceptBatchId })).recordset[0];
    return (fromJson(r?.new_values) as ItemValues | SubitemValues | undefined) ?? null;
  }

  async listWrites(batchId: string): Promise<AuditedWrite[]> {
    return (await this.run('listWrites', { batchId })).recordset.map(toAuditedWrite);
  }

  async supersededIds(batchId: string): Promise<string[]> {
    return (await this.run('supersededIds', { batchId })).recordset.map((r) => String(r.monday_id));
  }

  async markWriteRolledBack(auditId: number, note: string): Promise<void> {
    await this.run('markWriteRolledBack', { auditId, note });
  }

  async markOrderRolledBack(input: { batchId: string; orderKey: string; archivedIds: string[]; restoredQty: { subitemId: string; qty: number }[] }): Promise<void> {
    // Each statement is idempotent, so a retry after a failure part way is harmless.
    await this.run('markOrderSynced', { orderKey: input.orderKey, note: rolledBackNote(input.batchId, new Date().toISOString()) });
    for (let i = 0; i < input.archivedIds.length; i += IDS_PER_STATEMENT) {
      const part = input.archivedIds.slice(i, i + IDS_PER_STATEMENT);
      await this.store.query('forgetArchivedSql', this.s.forgetArchivedSql(part.length), { orderKey: input.orderKey, ...Object.fromEntries(part.map((id, j) => [`id${j}`, id])) });
    }
    for (const r of input.restoredQty) await this.run('restoreQty', { orderKey: input.orderKey, subitemId: r.subitemId, qty: r.qty });
  }

  async stagedBatchId(orderKey: string): Promise<string | null> {
    const v = (await this.run('stagedBatchId', { orderKey })).recordset[0]?.stg_batch_id;
    return v === null || v === undefined ? null : String(v);
  }

  async lastFinishedBatch(): Promise<FinishedBatch | null> {
    const r = (await this.run('lastFinishedBatch')).recordset[0];
    return r ? { batchId: String(r.batch_id), status: String(r.status), endTime: isoOf(r.end_time) ?? '', durationSeconds: r.duration_seconds === null ? null : Number(r.duration_seconds) } : null;
  }

  async runningBatch(): Promise<RunningBatch | null> {
    const r = (await this.run('runningBatch')).recordset[0];
    return r ? toRunningBatch(r) : null;
  }

  async finishedSince(batchId: string): Promise<{ synced: number; failed: number }> {
    const r = (await this.run('finishedSince', { batchId })).recordset[0];
    return { synced: Number(r?.synced ?? 0), failed: Number(r?.failed ?? 0) };
  }

  async countBoardItems(): Promise<number> {
    return Number((await this.run('countBoardItems')).recordset[0]?.n ?? 0);
  }

  async saveWorkerStatus(status: WorkerStatus): Promise<void> {
    await this.upsert('saveWorkerStatus', { workerId: status.workerId, status: JSON.stringify(status) });
  }

  async liveWorkerStatuses(maxAgeMs: number): Promise<WorkerStatus[]> {
    return (await this.run('liveWorkerStatuses', { maxAgeMs: Math.round(maxAgeMs) })).recordset.map((r) => JSON.parse(String(r.status_json)) as WorkerStatus);
  }
}
