// The SQL Server connection under every store of this dialect (mssql, pooled): one statement or one transaction per
// request, SET XACT_ABORT ON each, transient failures (deadlocks, Azure SQL's transient error numbers, socket resets)
// retried with jittered backoff, each request cancellable through an AbortSignal, errors that never show the
// password; and the schema's migrations under an application lock.
import sql from 'mssql';
import type { MssqlSettings } from './config';
import type { MssqlStatements } from './statements';
import type { mssqlOrderSql } from './order-sql';
import type { MssqlSource } from './source-reader';
import { sqlParameter } from './parameters';
import { permanentSqlError, type PermanentSqlError } from '../sql-errors';

export type Row = Record<string, unknown>;
export type Param = string | number | null;
type Runner = sql.ConnectionPool | sql.Transaction;
type MssqlOrderSql = ReturnType<typeof mssqlOrderSql>;

/**
 * Worth another attempt after a short pause: deadlock victim (1205), Azure SQL's transient errors (database
 * unavailable/reconfiguring 40613/40197/40501, 49918-49920, resource limits 10928/10929, 4060 during failover,
 * 40143, 233, 64, 10053/10054/10060 transport) and the driver's socket/connection-closed codes.
 */
const TRANSIENT_NUMBERS = new Set([1205, 40613, 40197, 40501, 49918, 49919, 49920, 10928, 10929, 4060, 40143, 233, 64, 10053, 10054, 10060]);
const TRANSIENT_CODES = new Set(['ESOCKET', 'ECONNCLOSED', 'ECONNRESET', 'ENOTOPEN']);
/** Unique key violations inside a bulk upsert: a concurrent stager won the race; running it again is safe. */
export const RACE_NUMBERS = new Set([2601, 2627]);
const ATTEMPTS = 4;
const MIGRATE_LOCK_SQL = `DECLARE @result INT;
EXEC @result = sp_getapplock @Resource = @resource, @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = @waitMs;
SELECT @result AS result`;
const MIGRATE_LOCK_WAIT_MS = 120_000;
/** A migration may rebuild an index of a large table: more than the default request timeout. */
export const MIGRATION_TIMEOUT_MS = 10 * 60_000;

export interface DriverError { number?: number; code?: string; message: string; originalError?: DriverError }
export const driverError = (e: unknown): DriverError => e as DriverError;
export function isTransient(e: unknown): boolean {
  const err = driverError(e);
  const inner = err.originalError;
  return (err.number !== undefined && TRANSIENT_NUMBERS.has(err.number))
    || (err.code !== undefined && TRANSIENT_CODES.has(err.code))
    || (inner?.code !== undefined && TRANSIENT_CODES.has(inner.code))
    || (inner?.number !== undefined && TRANSIENT_NUMBERS.has(inner.number));
}

/** Full jitter: a random pause up to base·2^(attempt-1), capped, so retrying workers do not move in step. */
export function backoff(attempt: number, baseMs: number, capMs: number, signal?: AbortSignal): Promise<void> {
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
  /** Set when no retry can fix it (db/sql-errors.ts): the activity then fails the order or page at once. */
  readonly failFast: PermanentSqlError | null;
  constructor(readonly statement: string, cause: unknown, secret?: string, sqlText?: string) {
    const err = driverError(cause);
    super(`SQL Server ${statement} failed${err.number !== undefined ? ` (Msg ${err.number})` : ''}: ${redact(String(err.message), secret)}`);
    this.name = 'MssqlError';
    this.number = err.number ?? err.originalError?.number;
    this.code = err.code;
    this.failFast = permanentSqlError(cause, sqlText);
  }
}

export interface Shared { pool: sql.ConnectionPool; sql: MssqlStatements; orderSql: MssqlOrderSql; settings: MssqlSettings; source: MssqlSource; retentionDays: number; retainedAt: number }

export abstract class MssqlConnection {
  protected constructor(protected readonly shared: Shared, protected readonly signal?: AbortSignal) {}

  protected get pool(): sql.ConnectionPool { return this.shared.pool; }
  protected get s(): MssqlStatements { return this.shared.sql; }
  protected get o(): MssqlOrderSql { return this.shared.orderSql; }

  /** Runs one statement; `name` says which in errors. `timeoutMs` overrides the pool's request timeout (bulk copies). */
  protected async run(name: string, sqlText: string, params: Record<string, Param> = {}, on: Runner = this.pool, timeoutMs?: number): Promise<sql.IResult<Row>> {
    if (this.signal?.aborted) throw cancelled();
    // mssql's Request takes per-request overrides as a second argument (lib/base/request.js); its typings omit it.
    const req = new (sql.Request as unknown as new (parent: Runner, overrides?: { requestTimeout?: number }) => sql.Request)(on, timeoutMs ? { requestTimeout: timeoutMs } : undefined);
    for (const [p, value] of Object.entries(params)) req.input(p, sqlParameter(value), value);
    const onAbort = () => req.cancel();
    this.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      // XACT_ABORT: any error rolls the whole transaction back (SQL Server's default leaves some statements'
      // effects in place and the transaction open). Set per request: a pooled connection has no start-up hook.
      return await req.query<Row>(`SET XACT_ABORT ON;\n${sqlText}`);
    } catch (e) {
      if (this.signal?.aborted) throw cancelled();
      throw new MssqlError(name, e, this.shared.settings.password, sqlText);
    } finally {
      this.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** One unit of work, retried whole on transient errors (a deadlock victim's transaction is already rolled back). */
  protected async retrying<T>(work: () => Promise<T>, retryOn: (e: unknown) => boolean = isTransient): Promise<T> {
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
  protected exec(name: string, sqlText: string, params: Record<string, Param> = {}): Promise<sql.IResult<Row>> {
    return this.retrying(() => this.run(name, sqlText, params));
  }

  /** The schema this project's tables live in (MSSQL_SCHEMA). */
  get schema(): string { return this.shared.settings.schema; }

  /** One statement of a companion store on this pool (db/mssql/operations.ts), with this store's retries,
   * cancellation and password-free errors. */
  query(name: string, sqlText: string, params: Record<string, Param> = {}, opts: { timeoutMs?: number } = {}): Promise<sql.IResult<Row>> {
    return this.retrying(() => this.run(name, sqlText, params, this.pool, opts.timeoutMs));
  }

  protected inTransaction<T>(work: (tx: sql.Transaction) => Promise<T>, retryRaces = true): Promise<T> {
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

  /**
   * One transaction that first takes an application lock (sp_getapplock, released when it ends): two `db migrate`
   * runs, or workers starting together, apply the migrations one after the other, never both. All of it or nothing.
   */
  async migrate(): Promise<void> {
    await this.checkServer();
    await this.inTransaction(async (tx) => {
      const lock = await this.run('migrateLock', MIGRATE_LOCK_SQL, { resource: `orders-sync migrate ${this.schema}`, waitMs: MIGRATE_LOCK_WAIT_MS }, tx, MIGRATE_LOCK_WAIT_MS + 15_000);
      if (Number(lock.recordset[0]?.result ?? -1) < 0) {
        throw new Error(`Another \`orders-sync db migrate\` has held the migration lock of schema ${this.schema} for over ${MIGRATE_LOCK_WAIT_MS / 1000} s; run it again when that one has finished.`);
      }
      await this.run('createSchema', this.s.SQL.createSchema, {}, tx);
      await this.run('createMigrationsTable', this.s.SQL.createMigrationsTable, {}, tx);
      await this.checkOwnTables(tx);
      const applied = new Set((await this.run('appliedMigrations', this.s.SQL.appliedMigrations, {}, tx)).recordset.map((r) => String(r.version)));
      for (const m of this.s.migrations) {
        if (applied.has(m.version)) continue;
        for (const [i, statement] of m.statements.entries()) await this.run(`migration ${m.version} #${i}`, statement, {}, tx, MIGRATION_TIMEOUT_MS);
        await this.run('recordMigration', this.s.SQL.recordMigration, { version: m.version }, tx);
      }
    }, false);
  }

  /** TRANSLATE, which key comparisons need (SQL Server 2017 and later, Azure SQL): stop before anything else, saying so. */
  protected async checkServer(): Promise<void> {
    try {
      await this.exec('translateAvailable', this.s.SQL.translateAvailable);
    } catch (e) {
      // Msg 195: not a recognized built-in function name. Anything else (a timeout, say) is not about the version.
      if (driverError(e).number !== 195) throw e;
      throw new Error(`This SQL Server lacks TRANSLATE (${(e as Error).message}): order keys are compared with it, which needs SQL Server 2017 or later, or Azure SQL.`);
    }
  }

  /** A table of ours that exists without the columns we expect is someone else's: stop, naming it. */
  private async checkOwnTables(tx: sql.Transaction): Promise<void> {
    const found = new Map<string, Set<string>>();
    for (const r of (await this.run('ownColumns', this.s.SQL.ownColumns, { schema: this.shared.settings.schema }, tx)).recordset) {
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

  async close(): Promise<void> { await this.pool.close(); }
  async ping(): Promise<void> { await this.exec('ping', this.s.SQL.ping); }
}

export const redact = (text: string, secret?: string): string => (secret ? text.split(secret).join('***') : text);
