// The dispatch control (db/dispatch-control.ts) on the embedded SQLite file: migration 110 and its statements.
import type Database from 'better-sqlite3';
import { ADMISSION_TABLE as TABLE, HOLD_TABLE as HOLD, SENT_TABLE as SENT, keyChunks as chunks, toAdmission, type Admission, type DispatchControl, type Hold } from '../dispatch-control';
import { isoOf, type Row } from '../common';

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
}, {
  version: '111_batch_sent_orders',
  statements: [
    `CREATE TABLE IF NOT EXISTS ${SENT} (batch_id TEXT NOT NULL, order_key TEXT NOT NULL, sent_at TEXT NOT NULL, PRIMARY KEY (batch_id, order_key))`,
    `CREATE INDEX IF NOT EXISTS IX_${SENT}_sent_at ON ${SENT} (sent_at)`,
  ],
}];

export class SqliteDispatchControl implements DispatchControl {
  constructor(private readonly db: Database.Database) {}
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
  async recordSent(batchId: string, key: string): Promise<boolean> {
    return this.db.prepare(`INSERT INTO ${SENT} (batch_id, order_key, sent_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`).run(batchId, key, new Date().toISOString()).changes > 0;
  }
  async forgetSent(batchId: string, key: string): Promise<void> {
    this.db.prepare(`DELETE FROM ${SENT} WHERE batch_id = ? AND order_key = ?`).run(batchId, key);
  }
  async sentIn(batchId: string, keys: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (const part of chunks(keys)) {
      const rows = this.db.prepare(`SELECT order_key FROM ${SENT} WHERE batch_id = ? AND order_key IN (${part.map(() => '?').join(',')})`).all(batchId, ...part) as Row[];
      for (const r of rows) out.add(String(r.order_key));
    }
    return out;
  }
  async countSent(batchId: string): Promise<number> {
    return Number((this.db.prepare(`SELECT COUNT(*) AS n FROM ${SENT} WHERE batch_id = ?`).get(batchId) as Row).n);
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

