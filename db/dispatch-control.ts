// Issue 18 (migrations 110-114): what the sync's dispatch keeps in the database, beside the Store on its connection.
// - Admission (MON_OrderAdmission): which order lines have a workflow in flight and the hash it was last given, so a
//   sync never signals an order that already has its hash, and at most MAX_IN_FLIGHT run; the rest WAIT, oldest first.
// - The hold (MON_SyncHold): `orders-sync hold on` stops every Monday write now; in-flight orders wait while it holds.
// - An abandoned batch: the sync ran out of its deadline or was cancelled; its batch ends as ABANDONED.
import type { Store } from './store';
import type { SqliteStore } from './sqlite-store';
import type { MssqlStore } from './mssql-store';
import { qualified } from './mssql/identifiers';
import { isoOf, type Row } from './common';

export type AdmissionState = 'WAITING' | 'IN_FLIGHT' | 'DONE';
export interface Admission { key: string; state: AdmissionState; sentHash: string | null; batchId: string | null }
export interface Hold { note: string; since: string }

export interface DispatchControl {
  admissions(keys: string[]): Promise<Map<string, Admission>>;
  /** Order lines that wait for a slot; an order already waiting keeps its place (waiting_since). */
  markWaiting(batchId: string, keys: string[]): Promise<void>;
  /** Up to `limit` waiting order lines, oldest first; `batchId`: only those this batch detected (a targeted sync). */
  oldestWaiting(limit: number, batchId?: string): Promise<string[]>;
  markInFlight(key: string, hash: string, batchId: string): Promise<void>;
  /** Its workflow finished, failed into the rerun wait, or never started: the slot is free. */
  release(key: string): Promise<void>;
  countInFlight(): Promise<number>;
  countWaiting(): Promise<number>;
  /** Ends a batch that has not ended as ABANDONED; false when it had already ended. */
  abandonBatch(batchId: string): Promise<boolean>;
  getHold(): Promise<Hold | null>;
  setHold(note: string | null): Promise<void>;
}

const TABLE = 'MON_OrderAdmission';
const HOLD = 'MON_SyncHold';

export const SQLITE_DISPATCH_CONTROL_MIGRATIONS = [{
  version: '110_order_admission_hold',
  statements: [
    `CREATE TABLE IF NOT EXISTS ${TABLE} (
  order_key TEXT NOT NULL PRIMARY KEY,
  state TEXT NOT NULL CHECK (state IN ('WAITING','IN_FLIGHT','DONE')),
  sent_hash TEXT,
  batch_id TEXT,
  waiting_since TEXT,
  updated_at TEXT NOT NULL
)`,
    `CREATE INDEX IF NOT EXISTS IX_${TABLE}_state ON ${TABLE} (state, waiting_since)`,
    `CREATE TABLE IF NOT EXISTS ${HOLD} (hold_id INTEGER NOT NULL PRIMARY KEY CHECK (hold_id = 1), note TEXT NOT NULL, since TEXT NOT NULL)`,
  ],
}];

export function mssqlDispatchControlMigrations(schema: string) {
  const t = qualified(schema, TABLE);
  const h = qualified(schema, HOLD);
  return [{
    version: '110_order_admission_hold',
    statements: [
      // order_key NVARCHAR(450): 900 bytes, within the clustered key limit, as staging's.
      `IF OBJECT_ID(N'${t}', N'U') IS NULL CREATE TABLE ${t} (
  [order_key] NVARCHAR(450) NOT NULL CONSTRAINT [PK_${TABLE}] PRIMARY KEY CLUSTERED,
  [state] NVARCHAR(10) NOT NULL CONSTRAINT [CK_${TABLE}_state] CHECK ([state] IN (N'WAITING', N'IN_FLIGHT', N'DONE')),
  [sent_hash] NVARCHAR(64) NULL, [batch_id] NVARCHAR(64) NULL,
  [waiting_since] DATETIME2(3) NULL, [updated_at] DATETIME2(3) NOT NULL)`,
      `IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_${TABLE}_state' AND object_id = OBJECT_ID(N'${t}')) CREATE INDEX [IX_${TABLE}_state] ON ${t} ([state], [waiting_since])`,
      `IF OBJECT_ID(N'${h}', N'U') IS NULL CREATE TABLE ${h} ([hold_id] INT NOT NULL CONSTRAINT [PK_${HOLD}] PRIMARY KEY CHECK ([hold_id] = 1), [note] NVARCHAR(400) NOT NULL, [since] DATETIME2(3) NOT NULL)`,
    ],
  }];
}

const toAdmission = (r: Row): Admission => ({ key: String(r.order_key), state: String(r.state) as AdmissionState, sentHash: r.sent_hash == null ? null : String(r.sent_hash), batchId: r.batch_id == null ? null : String(r.batch_id) });
/** Keys per statement: well under SQL Server's 2,100 parameters and SQLite's 32,766. */
const KEYS_PER_STATEMENT = 500;
const chunks = <T>(xs: T[]): T[][] => Array.from({ length: Math.ceil(xs.length / KEYS_PER_STATEMENT) }, (_, i) => xs.slice(i * KEYS_PER_STATEMENT, (i + 1) * KEYS_PER_STATEMENT));

class SqliteDispatchControl implements DispatchControl {
  constructor(private readonly db: SqliteStore['db']) {}
  async admissions(keys: string[]): Promise<Map<string, Admission>> {
    const out = new Map<string, Admission>();
    for (const part of chunks(keys)) {
      const rows = this.db.prepare(`SELECT * FROM ${TABLE} WHERE order_key IN (${part.map(() => '?').join(',')})`).all(...part) as Row[];
      for (const r of rows) out.set(String(r.order_key), toAdmission(r));
    }
    return out;
  }
  async markWaiting(batchId: string, keys: string[]): Promise<void> {
    const now = new Date().toISOString();
    const upsert = this.db.prepare(`INSERT INTO ${TABLE} (order_key, state, batch_id, waiting_since, updated_at) VALUES (@key, 'WAITING', @batchId, @now, @now)
      ON CONFLICT (order_key) DO UPDATE SET batch_id = @batchId, updated_at = @now,
        waiting_since = CASE WHEN state = 'WAITING' THEN waiting_since ELSE @now END, state = 'WAITING'
      WHERE state <> 'IN_FLIGHT'`);
    this.db.transaction(() => { for (const key of keys) upsert.run({ key, batchId, now }); })();
  }
  async oldestWaiting(limit: number, batchId?: string): Promise<string[]> {
    const rows = this.db.prepare(`SELECT order_key FROM ${TABLE} WHERE state = 'WAITING' ${batchId ? 'AND batch_id = @batchId' : ''}
      ORDER BY waiting_since, order_key LIMIT @limit`).all({ limit, ...(batchId ? { batchId } : {}) }) as Row[];
    return rows.map((r) => String(r.order_key));
  }
  async markInFlight(key: string, hash: string, batchId: string): Promise<void> {
    this.db.prepare(`INSERT INTO ${TABLE} (order_key, state, sent_hash, batch_id, updated_at) VALUES (@key, 'IN_FLIGHT', @hash, @batchId, @now)
      ON CONFLICT (order_key) DO UPDATE SET state = 'IN_FLIGHT', sent_hash = @hash, batch_id = @batchId, waiting_since = NULL, updated_at = @now`)
      .run({ key, hash, batchId, now: new Date().toISOString() });
  }
  async release(key: string): Promise<void> {
    this.db.prepare(`UPDATE ${TABLE} SET state = 'DONE', waiting_since = NULL, updated_at = ? WHERE order_key = ? AND state <> 'DONE'`).run(new Date().toISOString(), key);
  }
  async countInFlight(): Promise<number> {
    return Number((this.db.prepare(`SELECT COUNT(*) AS n FROM ${TABLE} WHERE state = 'IN_FLIGHT'`).get() as Row).n);
  }
  async countWaiting(): Promise<number> {
    return Number((this.db.prepare(`SELECT COUNT(*) AS n FROM ${TABLE} WHERE state = 'WAITING'`).get() as Row).n);
  }
  async abandonBatch(batchId: string): Promise<boolean> {
    const now = new Date().toISOString();
    return this.db.prepare(`UPDATE MON_BatchProcessing SET status = 'ABANDONED', end_time = @now,
        duration_seconds = (julianday(@now) - julianday(start_time)) * 86400.0 WHERE batch_id = @batchId AND end_time IS NULL`).run({ now, batchId }).changes > 0;
  }
  async getHold(): Promise<Hold | null> {
    const r = this.db.prepare(`SELECT note, since FROM ${HOLD} WHERE hold_id = 1`).get() as Row | undefined;
    return r ? { note: String(r.note), since: isoOf(r.since) ?? String(r.since) } : null;
  }
  async setHold(note: string | null): Promise<void> {
    if (note === null) this.db.prepare(`DELETE FROM ${HOLD}`).run();
    else this.db.prepare(`INSERT INTO ${HOLD} (hold_id, note, since) VALUES (1, ?, ?) ON CONFLICT (hold_id) DO NOTHING`).run(note, new Date().toISOString());
  }
}

/** The statements on SQL Server, for one schema. No MERGE (Babelfish runs the tests): update, then insert if missing. */
export function mssqlDispatchControlSql(schema: string) {
  const T = qualified(schema, TABLE);
  const H = qualified(schema, HOLD);
  const BATCH = qualified(schema, 'MON_BatchProcessing');
  return {
    markWaiting: `UPDATE ${T} SET [batch_id] = @batchId, [updated_at] = SYSUTCDATETIME(),
        [waiting_since] = CASE WHEN [state] = N'WAITING' THEN [waiting_since] ELSE SYSUTCDATETIME() END, [state] = N'WAITING'
      WHERE [order_key] = @key AND [state] <> N'IN_FLIGHT';
      INSERT INTO ${T} ([order_key], [state], [batch_id], [waiting_since], [updated_at])
        SELECT @key, N'WAITING', @batchId, SYSUTCDATETIME(), SYSUTCDATETIME() WHERE NOT EXISTS (SELECT 1 FROM ${T} WITH (UPDLOCK, HOLDLOCK) WHERE [order_key] = @key);`,
    oldestWaiting: `SELECT TOP (@limit) [order_key] FROM ${T} WHERE [state] = N'WAITING' AND (@batchId IS NULL OR [batch_id] = @batchId) ORDER BY [waiting_since], [order_key]`,
    markInFlight: `UPDATE ${T} SET [state] = N'IN_FLIGHT', [sent_hash] = @hash, [batch_id] = @batchId, [waiting_since] = NULL, [updated_at] = SYSUTCDATETIME() WHERE [order_key] = @key;
      INSERT INTO ${T} ([order_key], [state], [sent_hash], [batch_id], [updated_at])
        SELECT @key, N'IN_FLIGHT', @hash, @batchId, SYSUTCDATETIME() WHERE NOT EXISTS (SELECT 1 FROM ${T} WITH (UPDLOCK, HOLDLOCK) WHERE [order_key] = @key);`,
    release: `UPDATE ${T} SET [state] = N'DONE', [waiting_since] = NULL, [updated_at] = SYSUTCDATETIME() WHERE [order_key] = @key AND [state] <> N'DONE'`,
    countInFlight: `SELECT COUNT(*) AS n FROM ${T} WHERE [state] = N'IN_FLIGHT'`,
    countWaiting: `SELECT COUNT(*) AS n FROM ${T} WHERE [state] = N'WAITING'`,
    abandonBatch: `UPDATE ${BATCH} SET [status] = N'ABANDONED', [end_time] = SYSUTCDATETIME(),
        [duration_seconds] = DATEDIFF(MILLISECOND, [start_time], SYSUTCDATETIME()) / 1000.0 WHERE [batch_id] = @batchId AND [end_time] IS NULL`,
    getHold: `SELECT [note], [since] FROM ${H} WHERE [hold_id] = 1`,
    setHold: `INSERT INTO ${H} ([hold_id], [note], [since]) SELECT 1, @note, SYSUTCDATETIME() WHERE NOT EXISTS (SELECT 1 FROM ${H} WITH (UPDLOCK, HOLDLOCK) WHERE [hold_id] = 1)`,
    clearHold: `DELETE FROM ${H}`,
    admissionsSql: (n: number) => `SELECT * FROM ${T} WHERE [order_key] IN (${Array.from({ length: n }, (_, i) => `@k${i}`).join(', ')})`,
  };
}

class MssqlDispatchControl implements DispatchControl {
  private readonly s: ReturnType<typeof mssqlDispatchControlSql>;
  constructor(private readonly store: MssqlStore) { this.s = mssqlDispatchControlSql(store.schema); }
  private async rows(name: string, sqlText: string, params: Record<string, string | number | null> = {}): Promise<Row[]> {
    return (await this.store.query(name, sqlText, params)).recordset ?? [];
  }
  async admissions(keys: string[]): Promise<Map<string, Admission>> {
    const out = new Map<string, Admission>();
    for (const part of chunks(keys)) {
      const rows = await this.rows('admissions', this.s.admissionsSql(part.length), Object.fromEntries(part.map((k, i) => [`k${i}`, k])));
      for (const r of rows) out.set(String(r.order_key), toAdmission(r));
    }
    return out;
  }
  async markWaiting(batchId: string, keys: string[]): Promise<void> {
    for (const key of keys) await this.store.query('markWaiting', this.s.markWaiting, { key, batchId });
  }
  async oldestWaiting(limit: number, batchId?: string): Promise<string[]> {
    return (await this.rows('oldestWaiting', this.s.oldestWaiting, { limit, batchId: batchId ?? null })).map((r) => String(r.order_key));
  }
  async markInFlight(key: string, hash: string, batchId: string): Promise<void> {
    await this.store.query('markInFlight', this.s.markInFlight, { key, hash, batchId });
  }
  async release(key: string): Promise<void> { await this.store.query('release', this.s.release, { key }); }
  async countInFlight(): Promise<number> { return Number((await this.rows('countInFlight', this.s.countInFlight))[0]?.n ?? 0); }
  async countWaiting(): Promise<number> { return Number((await this.rows('countWaiting', this.s.countWaiting))[0]?.n ?? 0); }
  async abandonBatch(batchId: string): Promise<boolean> {
    return ((await this.store.query('abandonBatch', this.s.abandonBatch, { batchId })).rowsAffected[0] ?? 0) > 0;
  }
  async getHold(): Promise<Hold | null> {
    const r = (await this.rows('getHold', this.s.getHold))[0];
    return r ? { note: String(r.note), since: isoOf(r.since) ?? String(r.since) } : null;
  }
  async setHold(note: string | null): Promise<void> {
    if (note === null) await this.store.query('clearHold', this.s.clearHold);
    else await this.store.query('setHold', this.s.setHold, { note });
  }
}

/** The dispatch control on the Store's own connection. */
export function dispatchControlOf(store: Store): DispatchControl {
  return store.dialect === 'sqlite' ? new SqliteDispatchControl((store as SqliteStore).db) : new MssqlDispatchControl(store as MssqlStore);
}
