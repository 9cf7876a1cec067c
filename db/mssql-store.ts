// SQL Server adapter (mssql, pooled). Bulk writes are multi-row INSERTs into temp tables (≤ 2,000 parameters per
// request) followed by set-based UPDATE/INSERT, all in one transaction per bulk call: never row by row.
import sql from 'mssql';
import type { OrderPayload, OrderStatus, SourceRow } from '../shared/order';
import type { AdoptionRun, ArchiveRecord, BatchCounters, BatchPhase, BatchRecord, BoardReadRow, ErrorRecord, SourcePage, StagedOrder, Store, SyncState } from './store';
import { ADOPTION_SQL, BOARD_READ_COLUMNS, deleteBoardReadSql } from './adoption-mssql-sql';
import { toAdoptionRun, toArchiveRecord, toBoardReadRow } from './adoption-rows';
import { COLUMN_TYPES, ORDERS_UNIFIED_COLUMNS, ORDER_KEY_COLUMNS, assertSourceColumn } from './orders-unified-columns';
import { MSSQL_MIGRATIONS, MSSQL_MIGRATION_TABLE_DDL } from './migrations/mssql';
import {
  MAX_PARAMS, SQL, STAGE_ORDER_COLUMNS, STAGE_SIZE_COLUMNS, countUnfinishedForKeysSql, insertSourceRowsSql, insertValuesSql,
  listErrorsSql, readKeyGroupSql, readSourceByKeySql, readSourcePageSql, recordErrorInsertSql, recordErrorRepeatSql,
  syncStatesSql, updateBatchSql, updateSourceRowsSql,
} from './mssql-sql';
import { BATCH_COUNTER_COLUMNS, chunk, decodeCursor, emptyStatusCounts, encodeCursor, isoOf, lastPerKey, toBatchRecord, toErrorRecord, toJson, toStagedOrder } from './common';


type Row = Record<string, unknown>;
type Param = string | number | null;
type Runner = sql.ConnectionPool | sql.Transaction;
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
/** Deadlock victim, unique key violations: a concurrent stager won the race; running the bulk call again is safe. */
const RETRYABLE = new Set([1205, 2601, 2627]);

export class MssqlStore implements Store {
  readonly dialect = 'mssql' as const;

  private constructor(private readonly pool: sql.ConnectionPool) {}

  static async connect(config: sql.config): Promise<MssqlStore> {
    const pool = new sql.ConnectionPool(config);
    try {
      await pool.connect();
    } catch (e) {
      // The driver's message can quote the connection settings; never pass the password on.
      const password = config.password;
      const msg = (e as Error).message;
      throw new Error(`SQL Server connection to ${config.server}:${config.port ?? 1433}/${config.database ?? ''} failed: ${password ? msg.split(password).join('***') : msg}`);
    }
    return new MssqlStore(pool);
  }

  private async run(sqlText: string, params: Record<string, Param> = {}, on: Runner = this.pool): Promise<sql.IResult<Row>> {
    const req = new sql.Request(on as sql.ConnectionPool);
    for (const [name, value] of Object.entries(params)) {
      if (typeof value === 'number') req.input(name, Number.isInteger(value) ? sql.BigInt : sql.Float, value);
      else req.input(name, sql.NVarChar(sql.MAX), value);
    }
    return req.query<Row>(sqlText);
  }

  private async inTransaction<T>(work: (tx: sql.Transaction) => Promise<T>, retries = 3): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const tx = new sql.Transaction(this.pool);
      await tx.begin();
      try {
        const result = await work(tx);
        await tx.commit();
        return result;
      } catch (e) {
        await tx.rollback().catch(() => undefined);
        const code = (e as { number?: number }).number;
        if (attempt >= retries || code === undefined || !RETRYABLE.has(code)) throw e;
      }
    }
  }

  async migrate(): Promise<void> {
    await this.run(MSSQL_MIGRATION_TABLE_DDL);
    const applied = new Set((await this.run(SQL.appliedMigrations)).recordset.map((r) => String(r.version)));
    for (const m of MSSQL_MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await this.inTransaction(async (tx) => {
        for (const s of m.statements) await this.run(s, {}, tx);
        await this.run(SQL.recordMigration, { version: m.version }, tx);
      }, 1);
    }
  }

  async close(): Promise<void> { await this.pool.close(); }
  async ping(): Promise<void> { await this.run(SQL.ping); }

  // ---- ORDERS_UNIFIED ----

  async insertSourceRows(rows: SourceRow[]): Promise<void> {
    for (const row of rows) for (const name of Object.keys(row)) assertSourceColumn(name);
    await this.inTransaction(async (tx) => {
      // Only the columns some row fills: more rows fit under the parameter limit.
      const columns = ORDERS_UNIFIED_COLUMNS.map((c) => c.name).filter((n) => rows.some((r) => r[n] !== null && r[n] !== undefined));
      if (columns.length === 0) return;
      for (const part of chunk(rows, Math.max(1, Math.floor(MAX_PARAMS / columns.length)))) {
        const params: Record<string, Param> = {};
        part.forEach((r, i) => columns.forEach((c, j) => { params[`r${i}_${j}`] = r[c] ?? null; }));
        await this.run(insertSourceRowsSql(columns, part.length), params, tx);
      }
    }, 1);
  }

  async updateSourceRows(where: Record<string, string>, set: SourceRow): Promise<number> {
    const whereCols = Object.keys(where);
    const setCols = Object.keys(set);
    [...whereCols, ...setCols].forEach(assertSourceColumn);
    if (whereCols.length === 0 || setCols.length === 0) throw new Error('updateSourceRows needs at least one where and one set column');
    const params: Record<string, Param> = {};
    setCols.forEach((c, i) => { params[`s${i}`] = set[c] ?? null; });
    whereCols.forEach((c, i) => { params[`w${i}`] = where[c] ?? null; });
    return (await this.run(updateSourceRowsSql(setCols, whereCols), params)).rowsAffected[0] ?? 0;
  }

  async readSourcePage(cursor: string | null, limit: number, filter?: { po?: string; customerNames?: string[] }): Promise<SourcePage> {
    if (!Number.isInteger(limit) || limit < 1) throw new Error('limit must be a positive integer');
    const names = filter?.customerNames ?? [];
    const params: Record<string, Param> = {};
    if (filter?.po !== undefined) params.po = filter.po.trim();
    names.forEach((n, i) => { params[`c${i}`] = n.trim().toUpperCase(); });
    const shape = { po: filter?.po !== undefined, customerNames: names.length };
    const pageParams: Record<string, Param> = { ...params, limit };
    if (cursor) [pageParams.k1, pageParams.k2, pageParams.k3] = decodeCursor(cursor);
    const rows = (await this.run(readSourcePageSql({ ...shape, afterCursor: cursor !== null }), pageParams)).recordset.map(toSourceRow);
    if (rows.length < limit) return { rows, nextCursor: null };
    // Never cut an order key group: replace the last group by all of its rows.
    const last = ORDER_KEY_COLUMNS.map((k) => String((rows[rows.length - 1] as SourceRow)[k] ?? ''));
    const kept = rows.filter((r) => ORDER_KEY_COLUMNS.some((k, i) => String(r[k] ?? '') !== last[i]));
    const group = (await this.run(readKeyGroupSql(shape), { ...params, k1: last[0] ?? '', k2: last[1] ?? '', k3: last[2] ?? '' })).recordset.map(toSourceRow);
    return { rows: [...kept, ...group], nextCursor: encodeCursor(last) };
  }

  async readSourceRowsByKey(keyColumns: string[], keyValues: string[]): Promise<SourceRow[]> {
    keyColumns.forEach(assertSourceColumn);
    if (keyColumns.length === 0 || keyColumns.length !== keyValues.length) throw new Error('keyColumns and keyValues must match');
    const params = Object.fromEntries(keyValues.map((v, i) => [`v${i}`, v]));
    return (await this.run(readSourceByKeySql(keyColumns), params)).recordset.map(toSourceRow);
  }

  async countSourceRows(): Promise<number> {
    return Number((await this.run(SQL.countSource)).recordset[0]?.n ?? 0);
  }

  // ---- staging ----

  async getSyncStates(keys: string[]): Promise<Map<string, SyncState>> {
    const out = new Map<string, SyncState>();
    for (const part of chunk([...new Set(keys)], MAX_PARAMS)) {
      const params = Object.fromEntries(part.map((k, i) => [`k${i}`, k]));
      for (const r of (await this.run(syncStatesSql(part.length), params)).recordset) {
        out.set(String(r.order_key), {
          key: String(r.order_key), status: r.stg_status as OrderStatus, stagedHash: String(r.stg_payload_hash),
          syncedHash: str(r.stg_synced_hash), itemId: str(r.stg_monday_item_id),
        });
      }
    }
    return out;
  }

  async stageOrders(batchId: string, payloads: OrderPayload[]): Promise<void> {
    const orders = lastPerKey(payloads);
    if (orders.length === 0) return;
    const orderRows: Param[][] = orders.map((p) => [p.key, p.itemName, p.groupName, p.customer, p.aagOrderNumber, p.poNumber, p.hash, JSON.stringify(p)]);
    const sizeRows: Param[][] = orders.flatMap((p) => p.subitems.map((s) => [p.key, s.size, s.name, s.qty, JSON.stringify(s)]));
    await this.inTransaction(async (tx) => {
      await this.run(SQL.dropStageOrders, {}, tx);
      await this.run(SQL.dropStageSizes, {}, tx);
      await this.run(SQL.createStageOrders, {}, tx);
      await this.run(SQL.createStageSizes, {}, tx);
      await this.insertMany(tx, '#stage_orders', STAGE_ORDER_COLUMNS, orderRows);
      await this.insertMany(tx, '#stage_sizes', STAGE_SIZE_COLUMNS, sizeRows);
      for (const step of [SQL.applyStagedOrderUpdates, SQL.applyStagedOrderInserts, SQL.applyStagedSizeUpdates,
        SQL.applyStagedSizeInserts, SQL.dropRemovedSizes, SQL.zeroRemovedSizes]) {
        await this.run(step, { batchId }, tx);
      }
      await this.run(SQL.dropStageOrders, {}, tx);
      await this.run(SQL.dropStageSizes, {}, tx);
    });
  }

  private async insertMany(tx: sql.Transaction, table: string, columns: string[], rows: Param[][]): Promise<void> {
    for (const part of chunk(rows, Math.floor(MAX_PARAMS / columns.length))) {
      const params: Record<string, Param> = {};
      part.forEach((r, i) => r.forEach((v, j) => { params[`r${i}_${j}`] = v; }));
      await this.run(insertValuesSql(table, columns, part.length), params, tx);
    }
  }

  async getStagedOrder(key: string): Promise<StagedOrder | null> {
    const r = (await this.run(SQL.stagedOrder, { key })).recordset[0];
    if (!r) return null;
    const subs = (await this.run(SQL.stagedSubitems, { parent: Number(r.stg_id) })).recordset;
    return toStagedOrder(key, r, subs);
  }

  async setOrderStatus(key: string, status: OrderStatus, fields?: { itemId?: string; error?: string }): Promise<void> {
    await this.inTransaction(async (tx) => {
      const res = await this.run(SQL.setOrderStatus, { key, status, itemId: fields?.itemId ?? null, error: fields?.error ?? null }, tx);
      if ((res.rowsAffected[0] ?? 0) === 0) throw new Error(`No staged order for key ${JSON.stringify(key)}`);
      if (fields?.itemId !== undefined) await this.run(SQL.copyParentItemId, { key, itemId: fields.itemId }, tx);
    });
  }

  async setSubitemIds(key: string, rows: { size: string; subitemId: string; qty: number }[]): Promise<void> {
    await this.inTransaction(async (tx) => {
      const parent = (await this.run(SQL.parentOf, { key }, tx)).recordset[0];
      if (!parent) throw new Error(`No staged order for key ${JSON.stringify(key)}`);
      // One statement per size reported by Monday: this records a Monday response, not a bulk load.
      for (const r of rows) {
        const p = { parent: Number(parent.stg_id), size: r.size, qty: r.qty, subitemId: r.subitemId, itemId: str(parent.stg_monday_item_id) };
        const res = await this.run(SQL.updateSubitemId, p, tx);
        if ((res.rowsAffected[0] ?? 0) === 0) await this.run(SQL.insertSubitemId, p, tx);
      }
    });
  }

  async markSynced(key: string, hash: string): Promise<void> {
    await this.inTransaction(async (tx) => {
      const res = await this.run(SQL.markSynced, { key, hash }, tx);
      if ((res.rowsAffected[0] ?? 0) === 0) throw new Error(`No staged order for key ${JSON.stringify(key)}`);
      await this.run(SQL.resolveItemErrors, { key }, tx);
      await this.run(SQL.resolveSubitemErrors, { key }, tx);
    });
  }

  // ---- errors, batches, status ----

  async recordError(e: ErrorRecord): Promise<void> {
    const p: Record<string, Param> = {
      batchId: e.batchId ?? null, key: e.orderKey, category: e.category, errorType: e.errorType, message: e.message,
      http: e.httpStatus ?? null, payload: toJson(e.payload), retry: e.retryCount ?? 0,
    };
    if (e.scope === 'subitem') p.size = e.size ?? null;
    await this.inTransaction(async (tx) => {
      const again = await this.run(recordErrorRepeatSql(e.scope), p, tx);
      if ((again.rowsAffected[0] ?? 0) === 0) await this.run(recordErrorInsertSql(e.scope), p, tx);
    });
  }

  async listErrors(filter?: { orderKey?: string; unresolvedOnly?: boolean; limit?: number }): Promise<ErrorRecord[]> {
    const params: Record<string, Param> = {};
    if (filter?.orderKey !== undefined) params.key = filter.orderKey;
    if (filter?.limit !== undefined) params.limit = filter.limit;
    const text = listErrorsSql({ orderKey: filter?.orderKey !== undefined, unresolvedOnly: filter?.unresolvedOnly === true, limit: filter?.limit !== undefined });
    return (await this.run(text, params)).recordset.map(toErrorRecord);
  }

  async startBatch(batch: { batchId: string; batchType: string; customer?: string | null; configSnapshot?: unknown }): Promise<void> {
    await this.run(SQL.startBatch, { batchId: batch.batchId, customer: batch.customer ?? null, batchType: batch.batchType, config: toJson(batch.configSnapshot) });
  }

  async updateBatch(batchId: string, counters: BatchCounters, phase?: BatchPhase): Promise<void> {
    const fields = (Object.keys(BATCH_COUNTER_COLUMNS) as (keyof BatchCounters)[]).filter((f) => counters[f]);
    if (fields.length === 0 && !phase) return;
    const params: Record<string, Param> = { batchId };
    for (const f of fields) params[f] = counters[f] ?? 0;
    const res = await this.run(updateBatchSql(fields, phase), params);
    if ((res.rowsAffected[0] ?? 0) === 0) throw new Error(`No batch ${JSON.stringify(batchId)}`);
  }

  async finishBatch(batchId: string, status: 'COMPLETED' | 'COMPLETED_WITH_ERRORS' | 'FAILED' | 'NO_RECORDS'): Promise<void> {
    const res = await this.run(SQL.finishBatch, { batchId, status });
    if ((res.rowsAffected[0] ?? 0) === 0) throw new Error(`No batch ${JSON.stringify(batchId)}`);
  }

  async getBatch(batchId: string): Promise<BatchRecord | null> {
    const r = (await this.run(SQL.getBatch, { batchId })).recordset[0];
    return r ? toBatchRecord(r) : null;
  }

  async statusCounts(): Promise<Record<OrderStatus, number>> {
    const counts = emptyStatusCounts();
    for (const r of (await this.run(SQL.statusCounts)).recordset) counts[r.stg_status as OrderStatus] = Number(r.n);
    return counts;
  }

  async countUnfinished(keys?: string[]): Promise<number> {
    if (!keys) return Number((await this.run(SQL.countUnfinished)).recordset[0]?.n ?? 0);
    let total = 0;
    for (const part of chunk([...new Set(keys)], MAX_PARAMS)) {
      const params = Object.fromEntries(part.map((k, i) => [`k${i}`, k]));
      total += Number((await this.run(countUnfinishedForKeysSql(part.length), params)).recordset[0]?.n ?? 0);
    }
    return total;
  }
  // ---- board adoption ----

  async saveAdoptionRun(run: { runId: string; boardId: string; status: AdoptionRun['status']; report?: unknown }): Promise<void> {
    await this.run(ADOPTION_SQL.saveRun, { runId: run.runId, boardId: run.boardId, status: run.status, report: run.report === undefined ? null : JSON.stringify(run.report) });
  }

  async getAdoptionRun(runId: string): Promise<AdoptionRun | null> {
    const r = (await this.run(ADOPTION_SQL.getRun, { runId })).recordset[0];
    return r ? toAdoptionRun(r) : null;
  }

  async isBoardAdopted(boardId: string): Promise<boolean> {
    return (await this.run(ADOPTION_SQL.isAdopted, { boardId })).recordset.length > 0;
  }

  async saveBoardRead(runId: string, rows: BoardReadRow[]): Promise<void> {
    const perChunk = Math.floor(MAX_PARAMS / BOARD_READ_COLUMNS.length);
    await this.inTransaction(async (tx) => {
      for (const part of chunk(rows, perChunk)) {
        const ids: Record<string, Param> = { runId };
        part.forEach((r, i) => { ids[`id${i}`] = r.itemId; });
        await this.run(deleteBoardReadSql(part.length), ids, tx);
        await this.insertMany(tx, '[dbo].[MON_AdoptionBoardRead]', BOARD_READ_COLUMNS,
          part.map((r) => [runId, r.itemId, r.parentItemId, r.name, r.createdAt, r.groupId, r.groupTitle, JSON.stringify(r.values)]));
      }
    });
  }

  async readBoardSnapshot(runId: string): Promise<BoardReadRow[]> {
    return (await this.run(ADOPTION_SQL.readSnapshot, { runId })).recordset.map(toBoardReadRow);
  }

  async recordArchive(a: Omit<ArchiveRecord, 'archivedAt'>): Promise<boolean> {
    const res = await this.run(ADOPTION_SQL.recordArchive, { runId: a.runId, boardId: a.boardId, itemId: a.itemId, parentItemId: a.parentItemId, orderKey: a.orderKey, reason: a.reason });
    return (res.rowsAffected.at(-1) ?? 0) > 0;
  }

  async listArchives(filter?: { runId?: string }): Promise<ArchiveRecord[]> {
    return (await this.run(ADOPTION_SQL.listArchives, { runId: filter?.runId ?? null })).recordset.map(toArchiveRecord);
  }

  async rememberedGroup(boardId: string, title: string): Promise<string | null> {
    return str((await this.run(ADOPTION_SQL.rememberedGroup, { boardId, title })).recordset[0]?.group_id);
  }

  async rememberGroup(boardId: string, title: string, groupId: string): Promise<void> {
    await this.inTransaction(async (tx) => { await this.run(ADOPTION_SQL.rememberGroup, { boardId, title, groupId }, tx); });
  }

  async clearSubitemIds(key: string): Promise<void> {
    await this.inTransaction(async (tx) => { await this.run(ADOPTION_SQL.clearSubitemIds, { key }, tx); });
  }

}

/** SQL Server hands back Date objects for DATE columns; rows carry 'YYYY-MM-DD' text as in SQLite. */
function toSourceRow(r: Row): SourceRow {
  const out: SourceRow = {};
  for (const [name, value] of Object.entries(r)) {
    if (value === null || value === undefined) out[name] = null;
    else if (value instanceof Date) out[name] = COLUMN_TYPES.get(name) === 'date' ? value.toISOString().slice(0, 10) : isoOf(value);
    else out[name] = typeof value === 'number' ? value : String(value);
  }
  return out;
}
