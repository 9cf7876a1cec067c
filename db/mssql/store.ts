// The Store on SQL Server (requests, retries and migrations: ./connection.ts). Bulk writes travel as parameters into
// table variables and are applied set-based in that same request: never row by row, and never through a #temp table
// that a later request would need (SQL Server drops it when the sp_executesql call that created it returns).
import sql from 'mssql';
import type { OrderPayload, OrderStatus, SourceRow } from '../../shared/order';
import type { AdoptionRun, ArchiveRecord, BatchCounters, BatchPhase, BatchRecord, BoardReadRow, DatabaseInfo, ErrorRecord, SourcePage, StagedOrder, Store, SyncState } from '../store';
import { BOARD_READ_COLUMNS } from './adoption-sql';
import { toAdoptionRun, toArchiveRecord, toBoardReadRow } from '../adoption-rows';
import { MAX_KEY_LENGTH } from './migrations';
import { MAX_PARAMS, MAX_VALUES_ROWS, STAGE_ORDER_FIELDS, STAGE_SIZE_FIELDS, mssqlStatements } from './statements';
import type { BatchEndStatus } from '../batch-end';
import { mssqlBatchEndSql, mssqlRetentionSql } from './batch-sql';
import { toDriverConfig, type MssqlSettings } from './config';
import { BATCH_COUNTER_COLUMNS, chunk, emptyStatusCounts, ERROR_MESSAGE_MAX, errorPayloadJson, shortText, lastPerKey, toBatchRecord, toErrorRecord, toJson, toStagedOrder } from '../common';
import { DEFAULT_COLLAPSE_RULE, DEFAULT_SOURCE_SPEC, type CollapseRule, type SourceSpec } from '../source';
import { MssqlSource } from './source-reader';
import { DEFAULT_MSSQL_SOURCE, checkedSchemaName, parseSourceName } from './identifiers';
import { bulkLoadInbox } from './bulk-stage';
import { mssqlOrderSql } from './order-sql';
import { MIGRATION_TIMEOUT_MS, MssqlConnection, MssqlError, RACE_NUMBERS, backoff, driverError, isTransient, redact, type Param, type Row, type Shared } from './connection';
import { DEFAULT_RETENTION_DAYS } from '../retention';
import type { DetectionCounters, OrderOutcome } from '../batch-outcomes';

/** Pruning stale snapshots deletes their member rows: more than a statement's usual 15 s on a large source. */
const PRUNE_TIMEOUT_MS = 60_000;
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** NVARCHAR(100): SIZE_TYPE in ./identifiers.ts. */
const MAX_SIZE_LENGTH = 100;
const isRetryableStage = (e: unknown): boolean => isTransient(e) || RACE_NUMBERS.has(driverError(e).number ?? 0);
const RETENTION_EVERY_MS = 60 * 60_000;
const CONNECT_ATTEMPTS = 6;   // a serverless database can take half a minute to resume

/** What the store reads as the source: MSSQL_SOURCE, the mapping's columns, the collapsed-snapshot rule. */
export interface MssqlSourceOptions { name?: string; spec?: SourceSpec; collapse?: CollapseRule; retentionDays?: number }

export class MssqlStore extends MssqlConnection implements Store {
  readonly dialect = 'mssql' as const;

  private constructor(shared: Shared, signal?: AbortSignal) {
    super(shared, signal);
  }

  /** Connects with retries (transient errors only: a wrong password fails at once). */
  static async connect(
    settings: MssqlSettings, source: MssqlSourceOptions = {},
    onPoolError: (err: Error) => void = (err) => console.error(`SQL Server pool error: ${redact(err.message, settings.password)}`),
  ): Promise<MssqlStore> {
    const schema = checkedSchemaName(settings.schema);
    const sourceName = parseSourceName(source.name ?? DEFAULT_MSSQL_SOURCE);
    for (let attempt = 1; ; attempt++) {
      const pool = new sql.ConnectionPool(toDriverConfig(settings));
      // An idle connection that dies emits 'error' on the pool: without a listener Node would end the process.
      pool.on('error', onPoolError);
      try {
        await pool.connect();
        const statements = mssqlStatements(schema);
        const shared = { pool, sql: statements, orderSql: mssqlOrderSql(schema, statements), settings, retentionDays: source.retentionDays ?? DEFAULT_RETENTION_DAYS, retainedAt: 0 } as Shared;
        const store = new MssqlStore(shared);
        shared.source = new MssqlSource(store, { schema, source: sourceName, spec: source.spec ?? DEFAULT_SOURCE_SPEC, collapse: source.collapse ?? DEFAULT_COLLAPSE_RULE });
        return store;
      } catch (e) {
        await pool.close().catch(() => undefined);
        const transient = isTransient(e) || driverError(e).code === 'ETIMEOUT';
        if (!transient || attempt >= CONNECT_ATTEMPTS) {
          throw new MssqlError(`connection to ${settings.server}:${settings.port}/${settings.database ?? ''}`, e, settings.password);
        }
        await backoff(attempt, 1_000, 8_000);
      }
    }
  }

  /** The same store, whose requests are cancelled when `signal` aborts (an activity's cancellation signal). */
  withSignal(signal: AbortSignal): MssqlStore {
    return new MssqlStore(this.shared, signal);
  }

  async inspect(): Promise<DatabaseInfo> {
    await this.checkServer();
    const legacy = (await this.exec('legacyTables', this.s.SQL.legacyTables)).recordset.map((r) => `dbo.${String(r.table_name)}`);
    const columns = (await this.shared.source.catalog()).map((c) => c.name);
    return { ownTables: `${this.shared.settings.schema}.*`, legacyTables: legacy, sourceColumns: columns, sourceName: this.shared.source.displayName };
  }


  // ---- ORDERS_UNIFIED ----

  async insertSourceRows(rows: SourceRow[]): Promise<void> {
    await this.inTransaction((tx) => this.shared.source.insert(rows, (name, text, params) => this.run(name, text, params, tx)), false);
  }

  updateSourceRows(where: Record<string, string>, set: SourceRow): Promise<number> {
    return this.shared.source.update(where, set);
  }

  deleteSourceRows(where: Record<string, string>): Promise<number> {
    return this.shared.source.delete(where);
  }

  async snapshotSource(batchId: string, filter?: { po?: string }): Promise<number> {
    const rows = await this.shared.source.snapshot(batchId, filter);
    await this.applyRetention();
    return rows;
  }

  async pruneSnapshots(keepDays: number): Promise<number> {
    const sqlText = mssqlBatchEndSql(this.schema).pruneStale;
    const res = await this.inTransaction((tx) => this.run('pruneSnapshots', sqlText, { cutoffMinutes: Math.round(keepDays * 1440) }, tx, PRUNE_TIMEOUT_MS));
    return Number(res.recordset[0]?.pruned ?? 0);
  }

  /** RETENTION_DAYS (db/retention.ts), once an hour at most; a failure is reported, never fails the sync. */
  private async applyRetention(): Promise<void> {
    const days = this.shared.retentionDays;
    if (days <= 0 || Date.now() - this.shared.retainedAt < RETENTION_EVERY_MS) return;
    this.shared.retainedAt = Date.now();
    await this.query('retention', mssqlRetentionSql(this.schema), { days }, { timeoutMs: MIGRATION_TIMEOUT_MS })
      .catch((err: Error) => console.error(`retention (RETENTION_DAYS=${days}) failed, tried again in an hour: ${err.message}`));
  }

  readSourcePage(cursor: string | null, limit: number, filter?: { po?: string; customerNames?: string[]; snapshotOf?: string }): Promise<SourcePage> {
    return this.shared.source.page(cursor, limit, filter);
  }

  readSourceRowsByKey(keyColumns: string[], keyValues: string[], snapshotOf?: string | null): Promise<SourceRow[]> {
    return this.shared.source.byKey(keyColumns, keyValues, snapshotOf);
  }

  countSourceRows(): Promise<number> {
    return this.shared.source.count();
  }

  // ---- staging ----

  async getSyncStates(keys: string[]): Promise<Map<string, SyncState>> {
    const out = new Map<string, SyncState>();
    for (const part of chunk([...new Set(keys)], MAX_PARAMS)) {
      const params = Object.fromEntries(part.map((k, i) => [`k${i}`, k]));
      for (const r of (await this.exec('getSyncStates', this.s.syncStatesSql(part.length), params)).recordset) {
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
    const tooLong = orders.find((p) => p.key.length > MAX_KEY_LENGTH);
    const data = (column: string, message: string): Error => Object.assign(new Error(message), {
      failFast: { category: 'DATA', number: null, table: `${this.schema}.STG_MON_CustMasterSchedule_Subitems`, column, hint: 'fix the source row or the mapping, then rerun' },
    });
    if (tooLong) throw data('order_key', `Order key of ${tooLong.key.length} characters is longer than the ${MAX_KEY_LENGTH} the staging key column holds: ${tooLong.key.slice(0, 80)}…`);
    // Checked here: a bulk load's stream cannot carry a value longer than its column (SQL Server: Msg 4815).
    const longSize = orders.find((p) => p.subitems.some((sub) => sub.size.length > MAX_SIZE_LENGTH));
    if (longSize) throw data('Size', `Order ${longSize.key}: a size label is longer than the ${MAX_SIZE_LENGTH} characters the staging Size column holds`);
    const sizes = orders.reduce((n, p) => n + p.subitems.length, 0);
    // A few orders (stageOrder's one): one request, its own transaction. More (a page): bulk load + one apply.
    if (orders.length * STAGE_ORDER_FIELDS + sizes * STAGE_SIZE_FIELDS <= MAX_PARAMS && sizes <= MAX_VALUES_ROWS) {
      const params: Record<string, Param> = { batchId };
      orders.forEach((p, i) => [p.key, p.itemName, p.groupName, p.customer, p.aagOrderNumber, p.poNumber, p.hash, JSON.stringify(p)]
        .forEach((v, j) => { params[`o${i}_${j}`] = v; }));
      let n = 0;
      for (const p of orders) {
        p.subitems.forEach((sub, seq) => { [p.key, sub.size, seq, sub.name, sub.qty, JSON.stringify(sub)].forEach((v, j) => { params[`s${n}_${j}`] = v; }); n++; });
      }
      await this.retrying(() => this.run('stageOrders', this.s.stageOrdersSql(orders.length, sizes), params), isRetryableStage);
      return;
    }
    await this.inTransaction(async (tx) => {
      const load = await bulkLoadInbox(tx, this.schema, orders).catch((e: unknown) => { throw new MssqlError('stageOrders (bulk load)', e, this.shared.settings.password); });
      await this.run('stageOrders (apply)', this.s.applyBulkSql, { load, batchId }, tx, MIGRATION_TIMEOUT_MS);
    });
  }

  async getStagedOrder(key: string): Promise<StagedOrder | null> {
    const res = await this.exec('stagedOrder', this.o.stagedOrder, { key });
    const [orders, subs] = res.recordsets as unknown as Row[][];
    const r = orders?.[0];
    return r ? toStagedOrder(key, r, subs ?? []) : null;
  }


  async setOrderStatus(key: string, status: OrderStatus, fields?: { itemId?: string; error?: string }): Promise<void> {
    const params = { key, status, itemId: fields?.itemId ?? null, error: fields?.error ?? null, copyItemId: fields?.itemId !== undefined ? 1 : 0 };
    const res = await this.exec('setOrderStatus', this.o.setOrderStatus, params);
    if (Number(res.recordset[0]?.found ?? 0) === 0) throw new Error(`No staged order for key ${JSON.stringify(key)}`);
  }


  async setSubitemIds(key: string, rows: { size: string; subitemId: string; qty: number }[]): Promise<void> {
    // What Monday answered for these sizes, set-based in one request per few hundred sizes.
    for (const part of rows.length === 0 ? [[]] : chunk(rows, 600)) {
      const params: Record<string, Param> = { key };
      part.forEach((r, i) => { params[`s${i}`] = r.size; params[`i${i}`] = r.subitemId; params[`q${i}`] = r.qty; });
      const text = part.length > 0 ? this.o.setSubitemIds(part.length) : this.s.SQL.parentOf;
      const res = await this.exec('setSubitemIds', text, params);
      const found = part.length > 0 ? Number(res.recordset[0]?.found ?? 0) : res.recordset.length;
      if (found === 0) throw new Error(`No staged order for key ${JSON.stringify(key)}`);
    }
  }


  async markSynced(key: string, hash: string): Promise<void> {
    const res = await this.exec('markSynced', this.o.markSynced, { key, hash });
    if (Number(res.recordset[0]?.found ?? 0) === 0) throw new Error(`No staged order for key ${JSON.stringify(key)}`);
  }


  // ---- errors, batches, status ----

  async recordError(e: ErrorRecord): Promise<void> {
    // The key column holds MAX_KEY_LENGTH characters: a longer key (a row the mapping rejects for it) is cut, so
    // recording the error never fails; the message names the row in full.
    const key = e.orderKey.length > MAX_KEY_LENGTH ? `${e.orderKey.slice(0, MAX_KEY_LENGTH - 1)}…` : e.orderKey;
    const p: Record<string, Param> = {
      batchId: e.batchId ?? null, key, category: e.category, errorType: e.errorType, message: shortText(e.message, ERROR_MESSAGE_MAX),
      http: e.httpStatus ?? null, payload: errorPayloadJson(e.payload), retry: e.retryCount ?? 0,
    };
    if (e.scope === 'subitem') p.size = e.size ?? null;
    await this.exec('recordError', this.o.recordError(e.scope), p);
  }

  async listErrors(filter?: { orderKey?: string; unresolvedOnly?: boolean; limit?: number }): Promise<ErrorRecord[]> {
    const params: Record<string, Param> = {};
    if (filter?.orderKey !== undefined) params.key = filter.orderKey;
    if (filter?.limit !== undefined) params.limit = filter.limit;
    const text = this.s.listErrorsSql({ orderKey: filter?.orderKey !== undefined, unresolvedOnly: filter?.unresolvedOnly === true, limit: filter?.limit !== undefined });
    return (await this.exec('listErrors', text, params)).recordset.map(toErrorRecord);
  }

  async startBatch(batch: { batchId: string; batchType: string; customer?: string | null; configSnapshot?: unknown }): Promise<void> {
    await this.exec('startBatch', this.s.SQL.startBatch, { batchId: batch.batchId, customer: batch.customer ?? null, batchType: batch.batchType, config: toJson(batch.configSnapshot) });
  }

  async updateBatch(batchId: string, counters: BatchCounters, phase?: BatchPhase): Promise<void> {
    const fields = (Object.keys(BATCH_COUNTER_COLUMNS) as (keyof BatchCounters)[]).filter((f) => counters[f]);
    if (fields.length === 0 && !phase) return;
    const params: Record<string, Param> = { batchId };
    for (const f of fields) params[f] = counters[f] ?? 0;
    const res = await this.exec('updateBatch', this.s.updateBatchSql(fields, phase), params);
    if ((res.rowsAffected[0] ?? 0) === 0) throw new Error(`No batch ${JSON.stringify(batchId)}`);
  }

  async recordOrderOutcome(o: { batchId: string; key: string; pass: number; outcome: OrderOutcome; subitems: number }): Promise<void> {
    // One transaction: the outcome row and the counters it feeds change together.
    const params = { batchId: o.batchId, key: o.key, outcome: o.outcome, pass: o.pass, subitems: o.subitems };
    // One request, one transaction: the outcome row, the counters it feeds and, when it is the batch's last, its end.
    const found = (await this.retrying(() => this.run('recordOutcome', this.o.recordOutcome, params), isRetryableStage)).recordset[0]?.found;
    if (!found) throw new Error(`No batch ${JSON.stringify(o.batchId)}`);
  }

  async finishDispatch(batchId: string, dispatched: number, status: BatchEndStatus): Promise<void> {
    const end = mssqlBatchEndSql(this.schema);
    const found = (await this.inTransaction((tx) => this.run('finishDispatch', `${end.dispatch};\n${end.endWhenDone}`, { batchId, dispatched, status }, tx))).recordset[0]?.found;
    if (!found) throw new Error(`No batch ${JSON.stringify(batchId)}`);
  }

  async markSourceGone(key: string, message: string): Promise<void> {
    await this.exec('markSourceGone', mssqlBatchEndSql(this.schema).markSourceGone, { key, message });
  }

  async setDetectionCounters(batchId: string, counters: DetectionCounters): Promise<void> {
    const res = await this.exec('setDetectionCounters', this.s.SQL.setDetectionCounters, { batchId, ...counters });
    if ((res.rowsAffected[0] ?? 0) === 0) throw new Error(`No batch ${JSON.stringify(batchId)}`);
  }

  async finishBatch(batchId: string, status: 'COMPLETED' | 'COMPLETED_WITH_ERRORS' | 'FAILED' | 'NO_RECORDS'): Promise<void> {
    const res = await this.exec('finishBatch', this.s.SQL.finishBatch, { batchId, status });
    if ((res.rowsAffected[0] ?? 0) === 0) throw new Error(`No batch ${JSON.stringify(batchId)}`);
  }

  async getBatch(batchId: string): Promise<BatchRecord | null> {
    const r = (await this.exec('getBatch', this.s.SQL.getBatch, { batchId })).recordset[0];
    return r ? toBatchRecord(r) : null;
  }

  async statusCounts(): Promise<Record<OrderStatus, number>> {
    const counts = emptyStatusCounts();
    for (const r of (await this.exec('statusCounts', this.s.SQL.statusCounts)).recordset) counts[r.stg_status as OrderStatus] = Number(r.n);
    return counts;
  }

  async countUnfinished(keys?: string[]): Promise<number> {
    if (!keys) return Number((await this.exec('countUnfinished', this.s.SQL.countUnfinished)).recordset[0]?.n ?? 0);
    let total = 0;
    for (const part of chunk([...new Set(keys)], MAX_PARAMS)) {
      const params = Object.fromEntries(part.map((k, i) => [`k${i}`, k]));
      total += Number((await this.exec('countUnfinished', this.s.countUnfinishedForKeysSql(part.length), params)).recordset[0]?.n ?? 0);
    }
    return total;
  }
  // ---- board adoption ----

  async saveAdoptionRun(run: { runId: string; boardId: string; status: AdoptionRun['status']; report?: unknown }): Promise<void> {
    await this.exec('saveRun', this.s.adoption.saveRun, { runId: run.runId, boardId: run.boardId, status: run.status, report: run.report === undefined ? null : JSON.stringify(run.report) });
  }

  async getAdoptionRun(runId: string): Promise<AdoptionRun | null> {
    const r = (await this.exec('getRun', this.s.adoption.getRun, { runId })).recordset[0];
    return r ? toAdoptionRun(r) : null;
  }

  async isBoardAdopted(boardId: string): Promise<boolean> {
    return (await this.exec('isAdopted', this.s.adoption.isAdopted, { boardId })).recordset.length > 0;
  }

  async saveBoardRead(runId: string, rows: BoardReadRow[]): Promise<void> {
    const perChunk = Math.floor(MAX_PARAMS / BOARD_READ_COLUMNS.length);
    await this.inTransaction(async (tx) => {
      for (const part of chunk(rows, perChunk)) {
        const ids: Record<string, Param> = { runId };
        part.forEach((r, i) => { ids[`id${i}`] = r.itemId; });
        await this.run('deleteBoardRead', this.s.adoption.deleteBoardReadSql(part.length), ids, tx);
        const params: Record<string, Param> = {};
        part.forEach((r, i) => [runId, r.itemId, r.parentItemId, r.name, r.createdAt, r.groupId, r.groupTitle, JSON.stringify(r.values)]
          .forEach((v, j) => { params[`r${i}_${j}`] = v; }));
        await this.run('insertBoardRead', this.s.adoption.insertBoardReadSql(part.length), params, tx);
      }
    });
  }

  async readBoardSnapshot(runId: string): Promise<BoardReadRow[]> {
    return (await this.exec('readSnapshot', this.s.adoption.readSnapshot, { runId })).recordset.map(toBoardReadRow);
  }

  async recordArchive(a: Omit<ArchiveRecord, 'archivedAt'>): Promise<boolean> {
    const res = await this.exec('recordArchive', this.s.adoption.recordArchive, { runId: a.runId, boardId: a.boardId, itemId: a.itemId, parentItemId: a.parentItemId, orderKey: a.orderKey, reason: a.reason });
    return (res.rowsAffected.at(-1) ?? 0) > 0;
  }

  async listArchives(filter?: { runId?: string }): Promise<ArchiveRecord[]> {
    return (await this.exec('listArchives', this.s.adoption.listArchives, { runId: filter?.runId ?? null })).recordset.map(toArchiveRecord);
  }

  async rememberedGroup(boardId: string, title: string): Promise<string | null> {
    return str((await this.exec('rememberedGroup', this.s.adoption.rememberedGroup, { boardId, title })).recordset[0]?.group_id);
  }

  async rememberGroup(boardId: string, title: string, groupId: string): Promise<void> {
    await this.retrying(() => this.run('rememberGroup', this.o.rememberGroup, { boardId, title, groupId }), isRetryableStage);
  }

  async clearSubitemIds(key: string): Promise<void> {
    await this.inTransaction(async (tx) => { await this.run('clearSubitemIds', this.s.adoption.clearSubitemIds, { key }, tx); });
  }

}
