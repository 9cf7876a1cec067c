// OperationsStore on SQL Server, in the project's schema (MSSQL_SCHEMA), through the MssqlStore's pool and its
// retries. Parameterised; no MERGE and no OPENJSON (Babelfish runs the tests).
import type sql from 'mssql';
import type { MssqlStore } from './store';
import { rolledBackNote, toAuditedWrite, toRunningBatch, type AuditedWrite, type FinishedBatch, type ItemValues, type MondayWrite, type OperationsStore, type RunningBatch, type SubitemValues, type WorkerStatus } from '../operations';
import { chunk, fromJson, isoOf, toJson, type Row } from '../common';
import { mssqlOperationsSql, type MssqlOperationsSql, type Param } from './operations-sql';

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
        // Parameters only: @@ROWCOUNT and other system functions keep their names.
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
