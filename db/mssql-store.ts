// SQL Server adapter (mssql, pooled). Bulk writes travel as parameters into table variables and are applied
// set-based in that same request: never row by row, and never through a #temp table that
// a later request would need (SQL Server drops it when the sp_executesql call that created it returns).
// Transient failures (deadlocks, Azure SQL's transient error numbers, socket resets) are retried here with jittered
// backoff; each operation can be cancelled through an AbortSignal (withSignal), which cancels its running request.
import sql from 'mssql';
import type { OrderPayload, OrderStatus, SourceRow } from '../shared/order';
import type { AdoptionRun, ArchiveRecord, BatchCounters, BatchPhase, BatchRecord, BoardReadRow, DatabaseInfo, ErrorRecord, SourcePage, StagedOrder, Store, SyncState } from './store';
import { BOARD_READ_COLUMNS } from './adoption-mssql-sql';
import { toAdoptionRun, toArchiveRecord, toBoardReadRow } from './adoption-rows';
import { COLUMN_TYPES, ORDERS_UNIFIED_COLUMNS, assertSourceColumn } from './orders-unified-columns';
import { MAX_KEY_LENGTH } from './migrations/mssql';
import { MAX_PARAMS, MAX_VALUES_ROWS, PAGE_KEY_ALIASES, SNAPSHOT_GROUP_ALIAS, STAGE_ORDER_FIELDS, STAGE_SIZE_FIELDS, insertSourceRowsSql, mssqlStatements, readKeyGroupSql, readSourceByKeySql, readSourcePageSql, updateSourceRowsSql, type MssqlStatements } from './mssql-sql';
import { toDriverConfig, type MssqlSettings } from './mssql-config';
import { BATCH_COUNTER_COLUMNS, chunk, decodeCursor, decodeKeyCursor, emptyStatusCounts, encodeCursor, ERROR_MESSAGE_MAX, errorPayloadJson, isoOf, shortText, lastPerKey, sourceKeyPart, toBatchRecord, toErrorRecord, toJson, toStagedOrder } from './common';
import type { DetectionCounters, OrderOutcome } from './batch-outcomes';

type Row = Record<string, unknown>;
type Param = string | number | null;
type Runner = sql.ConnectionPool | sql.Transaction;
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/**
 * Worth another attempt after a short pause: deadlock victim (1205), Azure SQL's transient errors (database
 * unavailable/reconfiguring 40613/40197/40501, 49918-49920, resource limits 10928/10929, 4060 during failover,
 * 40143, 233, 64, 10053/10054/10060 transport) and the driver's socket/connection-closed codes.
 */
const TRANSIENT_NUMBERS = new Set([1205, 40613, 40197, 40501, 49918, 49919, 49920, 10928, 10929, 4060, 40143, 233, 64, 10053, 10054, 10060]);
const TRANSIENT_CODES = new Set(['ESOCKET', 'ECONNCLOSED', 'ECONNRESET', 'ENOTOPEN']);
/** Unique key violations inside a bulk upsert: a concurrent stager won the race; running it again is safe. */
const RACE_NUMBERS = new Set([2601, 2627]);
const ATTEMPTS = 4;
const CONNECT_ATTEMPTS = 6;   // a serverless database can take half a minute to resume
/** Copying (or removing) a batch's snapshot reads the whole source: more than the default 15 s request timeout, within
 * the 5 minutes the detection activity has. */
const SNAPSHOT_TIMEOUT_MS = 4 * 60_000;

interface DriverError { number?: number; code?: string; message: string; originalError?: DriverError }
const driverError = (e: unknown): DriverError => e as DriverError;
export function isTransient(e: unknown): boolean {
  const err = driverError(e);
  const inner = err.originalError;
  return (err.number !== undefined && TRANSIENT_NUMBERS.has(err.number))
    || (err.code !== undefined && TRANSIENT_CODES.has(err.code))
    || (inner?.code !== undefined && TRANSIENT_CODES.has(inner.code))
    || (inner?.number !== undefined && TRANSIENT_NUMBERS.has(inner.number));
}

/** Full jitter: a random pause up to base·2^(attempt-1), capped, so retrying workers do not move in step. */
function backoff(attempt: number, baseMs: number, capMs: number, signal?: AbortSignal): Promise<void> {
  const ms = Math.random() * Math.min(capMs, baseMs * 2 ** (attempt - 1));
  return new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(cancelled()); return; }
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(timer); reject(cancelled()); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
const cancelled = (): Error => Object.assign(new Error('SQL request cancelled: the activity was cancelled'), { code: 'ECANCEL' });

/** An error that names the statement and keeps the driver's number/code; the password never appears in it. */
export class MssqlError extends Error {
  readonly number?: number;
  readonly code?: string;
  constructor(statement: string, cause: unknown, secret?: string) {
    const err = driverError(cause);
    super(`SQL Server ${statement} failed${err.number !== undefined ? ` (Msg ${err.number})` : ''}: ${redact(String(err.message), secret)}`);
    this.name = 'MssqlError';
    this.number = err.number ?? err.originalError?.number;
    this.code = err.code;
  }
}

interface Shared { pool: sql.ConnectionPool; sql: MssqlStatements; settings: MssqlSettings }

export class MssqlStore implements Store {
  readonly dialect = 'mssql' as const;

  private constructor(private readonly shared: Shared, private readonly signal?: AbortSignal) {}

  /** Connects with retries (transient errors only: a wrong password fails at once). */
  static async connect(settings: MssqlSettings, onPoolError: (err: Error) => void = (err) => console.error(`SQL Server pool error: ${redact(err.message, settings.password)}`)): Promise<MssqlStore> {
    for (let attempt = 1; ; attempt++) {
      const pool = new sql.ConnectionPool(toDriverConfig(settings));
      // An idle connection that dies emits 'error' on the pool: without a listener Node would end the process.
      pool.on('error', onPoolError);
      try {
        await pool.connect();
        return new MssqlStore({ pool, sql: mssqlStatements(settings.schema), settings });
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

  private get pool(): sql.ConnectionPool { return this.shared.pool; }
  private get s(): MssqlStatements { return this.shared.sql; }

  /** Runs one statement; `name` says which in errors. `timeoutMs` overrides the pool's request timeout (bulk copies). */
  private async run(name: string, sqlText: string, params: Record<string, Param> = {}, on: Runner = this.pool, timeoutMs?: number): Promise<sql.IResult<Row>> {
    if (this.signal?.aborted) throw cancelled();
    // mssql's Request takes per-request overrides as a second argument (lib/base/request.js); its typings omit it.
    const req = new (sql.Request as unknown as new (parent: Runner, overrides?: { requestTimeout?: number }) => sql.Request)(on, timeoutMs ? { requestTimeout: timeoutMs } : undefined);
    for (const [p, value] of Object.entries(params)) {
      if (typeof value === 'number') req.input(p, Number.isInteger(value) ? sql.BigInt : sql.Float, value);
      else req.input(p, sql.NVarChar(sql.MAX), value);
    }
    const onAbort = () => req.cancel();
    this.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await req.query<Row>(sqlText);
    } catch (e) {
      if (this.signal?.aborted) throw cancelled();
      throw new MssqlError(name, e, this.shared.settings.password);
    } finally {
      this.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** One unit of work, retried whole on transient errors (a deadlock victim's transaction is already rolled back). */
  private async retrying<T>(work: () => Promise<T>, retryOn: (e: unknown) => boolean = isTransient): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (e) {
        if (this.signal?.aborted || attempt >= ATTEMPTS || !retryOn(e)) throw e;
        await backoff(attempt, 200, 3_000, this.signal);
      }
    }
  }

  /** A single statement outside a transaction, retried on transient errors. */
  private exec(name: string, sqlText: string, params: Record<string, Param> = {}): Promise<sql.IResult<Row>> {
    return this.retrying(() => this.run(name, sqlText, params));
  }

  /** The schema this project's tables live in (MSSQL_SCHEMA). */
  get schema(): string { return this.shared.settings.schema; }

  /** One statement of a companion store on this pool (db/operations-mssql.ts), with this store's retries,
   * cancellation and password-free errors. */
  query(name: string, sqlText: string, params: Record<string, Param> = {}): Promise<sql.IResult<Row>> {
    return this.exec(name, sqlText, params);
  }

  private inTransaction<T>(work: (tx: sql.Transaction) => Promise<T>, retryRaces = true): Promise<T> {
    return this.retrying(async () => {
      const tx = new sql.Transaction(this.pool);
      await tx.begin();
      try {
        const result = await work(tx);
        await tx.commit();
        return result;
      } catch (e) {
        await tx.rollback().catch(() => undefined);
        throw e;
      }
    }, (e) => isTransient(e) || (retryRaces && RACE_NUMBERS.has(driverError(e).number ?? 0)));
  }

  async migrate(): Promise<void> {
    await this.checkServer();
    await this.exec('createSchema', this.s.SQL.createSchema);
    await this.exec('createMigrationsTable', this.s.SQL.createMigrationsTable);
    await this.checkOwnTables();
    const applied = new Set((await this.exec('appliedMigrations', this.s.SQL.appliedMigrations)).recordset.map((r) => String(r.version)));
    for (const m of this.s.migrations) {
      if (applied.has(m.version)) continue;
      await this.inTransaction(async (tx) => {
        for (const [i, statement] of m.statements.entries()) await this.run(`migration ${m.version} #${i}`, statement, {}, tx);
        await this.run('recordMigration', this.s.SQL.recordMigration, { version: m.version }, tx);
      }, false);
    }
  }

  /** TRANSLATE, which key comparisons need (SQL Server 2017 and later, Azure SQL): stop before anything else, saying so. */
  private async checkServer(): Promise<void> {
    try {
      await this.exec('translateAvailable', this.s.SQL.translateAvailable);
    } catch (e) {
      // Msg 195: not a recognized built-in function name. Anything else (a timeout, say) is not about the version.
      if (driverError(e).number !== 195) throw e;
      throw new Error(`This SQL Server lacks TRANSLATE (${(e as Error).message}): order keys are compared with it, which needs SQL Server 2017 or later, or Azure SQL.`);
    }
  }

  /** A table of ours that exists without the columns we expect is someone else's: stop, naming it. */
  private async checkOwnTables(): Promise<void> {
    const found = new Map<string, Set<string>>();
    for (const r of (await this.exec('ownColumns', this.s.SQL.ownColumns, { schema: this.shared.settings.schema })).recordset) {
      // Babelfish reports object names lower-cased; SQL Server as created. Compare case-insensitively.
      const table = String(r.table_name).toLowerCase();
      found.set(table, (found.get(table) ?? new Set()).add(String(r.column_name).toLowerCase()));
    }
    for (const t of this.s.tables) {
      const have = found.get(t.name.toLowerCase());
      if (!have) continue;
      const missing = t.columns.map(([c]) => c).filter((c) => !have.has(c.toLowerCase()));
      if (missing.length) {
        throw new Error(`Table [${this.shared.settings.schema}].[${t.name}] exists but lacks the columns ${missing.join(', ')}: it is not this project's table. `
          + 'Set MSSQL_SCHEMA to a schema of its own (nothing else in it), then run `orders-sync db migrate` again.');
      }
    }
  }

  async inspect(): Promise<DatabaseInfo> {
    await this.checkServer();
    const legacy = (await this.exec('legacyTables', this.s.SQL.legacyTables)).recordset.map((r) => `dbo.${String(r.table_name)}`);
    const columns = (await this.exec('sourceColumns', this.s.SQL.sourceColumns)).recordset.map((r) => String(r.column_name));
    return { ownTables: `${this.shared.settings.schema}.*`, legacyTables: legacy, sourceColumns: columns };
  }

  async close(): Promise<void> { await this.pool.close(); }
  async ping(): Promise<void> { await this.exec('ping', this.s.SQL.ping); }

  // ---- ORDERS_UNIFIED ----

  async insertSourceRows(rows: SourceRow[]): Promise<void> {
    for (const row of rows) for (const name of Object.keys(row)) assertSourceColumn(name);
    // Only the columns some row fills: more rows fit under the parameter limit.
    const columns = ORDERS_UNIFIED_COLUMNS.map((c) => c.name).filter((n) => rows.some((r) => r[n] !== null && r[n] !== undefined));
    if (columns.length === 0) return;
    await this.inTransaction(async (tx) => {
      for (const part of chunk(rows, Math.min(MAX_VALUES_ROWS, Math.max(1, Math.floor(MAX_PARAMS / columns.length))))) {
        const params: Record<string, Param> = {};
        part.forEach((r, i) => columns.forEach((c, j) => { params[`r${i}_${j}`] = r[c] ?? null; }));
        await this.run('insertSourceRows', insertSourceRowsSql(columns, part.length), params, tx);
      }
    }, false);
  }

  async updateSourceRows(where: Record<string, string>, set: SourceRow): Promise<number> {
    const whereCols = Object.keys(where);
    const setCols = Object.keys(set);
    [...whereCols, ...setCols].forEach(assertSourceColumn);
    if (whereCols.length === 0 || setCols.length === 0) throw new Error('updateSourceRows needs at least one where and one set column');
    const params: Record<string, Param> = {};
    setCols.forEach((c, i) => { params[`s${i}`] = set[c] ?? null; });
    whereCols.forEach((c, i) => { params[`w${i}`] = where[c] ?? null; });
    return (await this.exec('updateSourceRows', updateSourceRowsSql(setCols, whereCols), params)).rowsAffected[0] ?? 0;
  }

  async snapshotSource(batchId: string, filter?: { po?: string }): Promise<number> {
    const po = filter?.po?.trim() ?? null;
    let taken = false;
    const rows = await this.inTransaction(async (tx) => {
      const found = (await this.run('snapshotOf', this.s.SQL.snapshotOf, { batchId }, tx)).recordset[0];
      if (found) return Number(found.row_count);
      taken = true;
      const res = await this.run('snapshotSource', this.s.snapshotSql({ po: po !== null }), { batchId, po }, tx, SNAPSHOT_TIMEOUT_MS);
      return Number(res.recordset[0]?.row_count ?? 0);
    });
    if (taken) await this.retrying(() => this.run('pruneSnapshots', this.s.SQL.pruneSnapshots, {}, this.pool, SNAPSHOT_TIMEOUT_MS));
    return rows;
  }

  async readSourcePage(cursor: string | null, limit: number, filter?: { po?: string; customerNames?: string[]; snapshotOf?: string }): Promise<SourcePage> {
    if (!Number.isInteger(limit) || limit < 1) throw new Error('limit must be a positive integer');
    const names = filter?.customerNames ?? [];
    const params: Record<string, Param> = {};
    if (filter?.po !== undefined) params.po = filter.po.trim();
    names.forEach((n, i) => { params[`c${i}`] = n.trim().toUpperCase(); });
    const shape = { po: filter?.po !== undefined, customerNames: names.length };
    const after = cursor === null ? null : decodeCursor(cursor);
    const afterGroup = after !== null && !Array.isArray(after) ? after.group : 0;
    // A cursor of the live source (a batch that began before snapshots existed) goes on over the live source.
    const snapshotId = filter?.snapshotOf !== undefined && !Array.isArray(after) ? await this.snapshotIdOf(filter.snapshotOf) : null;
    if (snapshotId !== null) {
      const page = (await this.exec('readSnapshotPage', this.s.snapshotPageSql(shape), { ...params, id: snapshotId, after: afterGroup, limit })).recordset;
      const last = page[page.length - 1];
      return { rows: page.map(toSourceRow), nextCursor: page.length < limit || !last ? null : encodeCursor(Number(last[SNAPSHOT_GROUP_ALIAS])) };
    }
    const pageParams: Record<string, Param> = { ...params, limit };
    if (cursor) [pageParams.k1, pageParams.k2, pageParams.k3] = decodeKeyCursor(cursor);
    const page = (await this.exec('readSourcePage', readSourcePageSql({ ...shape, afterCursor: cursor !== null }), pageParams)).recordset;
    const rows = page.map(toSourceRow);
    if (rows.length < limit) return { rows, nextCursor: null };
    // Never cut an order key group: the page's last group (by normalised key) is read whole and merged in by
    // record_uuid, so a row is never returned twice (the group read and the page may both hold it).
    const last = PAGE_KEY_ALIASES.map((a) => String((page[page.length - 1] as Row)[a] ?? ''));
    const group = (await this.exec('readKeyGroup', readKeyGroupSql(shape), { ...params, k1: last[0] ?? '', k2: last[1] ?? '', k3: last[2] ?? '' })).recordset.map(toSourceRow);
    const inGroup = new Set(group.map((r) => String(r.record_uuid)));
    return { rows: [...rows.filter((r) => !inGroup.has(String(r.record_uuid))), ...group], nextCursor: encodeCursor(last) };
  }

  private async snapshotIdOf(batchId: string): Promise<number | null> {
    const r = (await this.exec('snapshotId', this.s.SQL.snapshotId, { batchId })).recordset[0];
    return r ? Number(r.snapshot_id) : null;
  }

  async readSourceRowsByKey(keyColumns: string[], keyValues: string[], snapshotOf?: string | null): Promise<SourceRow[]> {
    keyColumns.forEach(assertSourceColumn);
    if (keyColumns.length === 0 || keyColumns.length !== keyValues.length) throw new Error('keyColumns and keyValues must match');
    const params: Record<string, Param> = Object.fromEntries(keyValues.map((v, i) => [`v${i}`, sourceKeyPart(v)]));
    if (snapshotOf) return (await this.exec('readSnapshotRowsByKey', this.s.snapshotRowsByKeySql(keyColumns), { ...params, batchId: snapshotOf })).recordset.map(toSourceRow);
    return (await this.exec('readSourceRowsByKey', readSourceByKeySql(keyColumns), params)).recordset.map(toSourceRow);
  }

  async countSourceRows(): Promise<number> {
    return Number((await this.exec('countSource', this.s.SQL.countSource)).recordset[0]?.n ?? 0);
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
    if (tooLong) throw new Error(`Order key of ${tooLong.key.length} characters is longer than the ${MAX_KEY_LENGTH} the staging key column holds: ${tooLong.key.slice(0, 80)}…`);
    // Each request carries as many whole orders (with their sizes) as fit under the parameter and VALUES limits;
    // its table variables live exactly as long as the statements that use them. All requests: one transaction.
    const requests: { params: Record<string, Param>; orders: number; sizes: number }[] = [];
    let current = { params: {} as Record<string, Param>, orders: 0, sizes: 0 };
    for (const p of orders) {
      const fits = (current.orders + 1) * STAGE_ORDER_FIELDS + (current.sizes + p.subitems.length) * STAGE_SIZE_FIELDS <= MAX_PARAMS
        && current.sizes + p.subitems.length <= MAX_VALUES_ROWS;
      if (!fits && current.orders > 0) {
        requests.push(current);
        current = { params: {}, orders: 0, sizes: 0 };
      }
      [p.key, p.itemName, p.groupName, p.customer, p.aagOrderNumber, p.poNumber, p.hash, JSON.stringify(p)]
        .forEach((v, j) => { current.params[`o${current.orders}_${j}`] = v; });
      current.orders++;
      p.subitems.forEach((s, seq) => {
        [p.key, s.size, seq, s.name, s.qty, JSON.stringify(s)].forEach((v, j) => { current.params[`s${current.sizes}_${j}`] = v; });
        current.sizes++;
      });
    }
    requests.push(current);
    await this.inTransaction(async (tx) => {
      for (const r of requests) await this.run('stageOrders', this.s.stageOrdersSql(r.orders, r.sizes), { ...r.params, batchId }, tx);
    });
  }

  async getStagedOrder(key: string): Promise<StagedOrder | null> {
    const r = (await this.exec('stagedOrder', this.s.SQL.stagedOrder, { key })).recordset[0];
    if (!r) return null;
    const subs = (await this.exec('stagedSubitems', this.s.SQL.stagedSubitems, { parent: Number(r.stg_id) })).recordset;
    return toStagedOrder(key, r, subs);
  }

  async setOrderStatus(key: string, status: OrderStatus, fields?: { itemId?: string; error?: string }): Promise<void> {
    await this.inTransaction(async (tx) => {
      const res = await this.run('setOrderStatus', this.s.SQL.setOrderStatus, { key, status, itemId: fields?.itemId ?? null, error: fields?.error ?? null }, tx);
      if ((res.rowsAffected[0] ?? 0) === 0) throw new Error(`No staged order for key ${JSON.stringify(key)}`);
      if (fields?.itemId !== undefined) await this.run('copyParentItemId', this.s.SQL.copyParentItemId, { key, itemId: fields.itemId }, tx);
    });
  }

  async setSubitemIds(key: string, rows: { size: string; subitemId: string; qty: number }[]): Promise<void> {
    await this.inTransaction(async (tx) => {
      const parent = (await this.run('parentOf', this.s.SQL.parentOf, { key }, tx)).recordset[0];
      if (!parent) throw new Error(`No staged order for key ${JSON.stringify(key)}`);
      // One statement per size reported by Monday: this records a Monday response, not a bulk load.
      for (const r of rows) {
        const p = { parent: Number(parent.stg_id), size: r.size, qty: r.qty, subitemId: r.subitemId, itemId: str(parent.stg_monday_item_id) };
        const res = await this.run('updateSubitemId', this.s.SQL.updateSubitemId, p, tx);
        if ((res.rowsAffected[0] ?? 0) === 0) await this.run('insertSubitemId', this.s.SQL.insertSubitemId, p, tx);
      }
    });
  }

  async markSynced(key: string, hash: string): Promise<void> {
    await this.inTransaction(async (tx) => {
      const res = await this.run('markSynced', this.s.SQL.markSynced, { key, hash }, tx);
      if ((res.rowsAffected[0] ?? 0) === 0) throw new Error(`No staged order for key ${JSON.stringify(key)}`);
      await this.run('resolveItemErrors', this.s.SQL.resolveItemErrors, { key }, tx);
      await this.run('resolveSubitemErrors', this.s.SQL.resolveSubitemErrors, { key }, tx);
    });
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
    await this.inTransaction(async (tx) => {
      const again = await this.run('recordError (repeat)', this.s.recordErrorRepeatSql(e.scope), p, tx);
      if ((again.rowsAffected[0] ?? 0) === 0) await this.run('recordError (insert)', this.s.recordErrorInsertSql(e.scope), p, tx);
    });
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
    const found = await this.inTransaction(async (tx) => (await this.run('recordOutcome', this.s.SQL.recordOutcome, params, tx)).recordset[0]?.found);
    if (!found) throw new Error(`No batch ${JSON.stringify(o.batchId)}`);
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
    await this.inTransaction(async (tx) => { await this.run('rememberGroup', this.s.adoption.rememberGroup, { boardId, title, groupId }, tx); });
  }

  async clearSubitemIds(key: string): Promise<void> {
    await this.inTransaction(async (tx) => { await this.run('clearSubitemIds', this.s.adoption.clearSubitemIds, { key }, tx); });
  }

}

const redact = (text: string, secret?: string): string => (secret ? text.split(secret).join('***') : text);

/** SQL Server hands back Date objects for DATE columns; rows carry 'YYYY-MM-DD' text as in SQLite. */
function toSourceRow(r: Row): SourceRow {
  const out: SourceRow = {};
  for (const [name, value] of Object.entries(r)) {
    if (PAGE_KEY_ALIASES.includes(name) || name === SNAPSHOT_GROUP_ALIAS) continue;     // the page queries' cursor columns, not source columns
    if (value === null || value === undefined) out[name] = null;
    else if (value instanceof Date) out[name] = COLUMN_TYPES.get(name) === 'date' ? value.toISOString().slice(0, 10) : isoOf(value);
    else out[name] = typeof value === 'number' ? value : String(value);
  }
  return out;
}
