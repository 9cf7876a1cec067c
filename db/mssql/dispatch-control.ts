// The dispatch control (db/dispatch-control.ts) on SQL Server: migration 110 and its statements, in the project's schema.
import type { MssqlStore } from './store';
import { qualified } from './identifiers';
import { ADMISSION_TABLE as TABLE, HOLD_TABLE as HOLD, SENT_TABLE as SENT, keyChunks as chunks, toAdmission, type Admission, type DispatchControl, type Hold } from '../dispatch-control';
import { isoOf, type Row } from '../common';

/** The statements on SQL Server, for one schema. No MERGE (Babelfish runs the tests): update, then insert if missing. */
export function mssqlDispatchControlSql(schema: string) {
  const T = qualified(schema, TABLE);
  const H = qualified(schema, HOLD);
  const BATCH = qualified(schema, 'MON_BatchProcessing');
  const S = qualified(schema, SENT);
  return {
    recordSent: `INSERT INTO ${S} ([batch_id], [order_key], [sent_at])
      SELECT @batchId, @key, SYSUTCDATETIME() WHERE NOT EXISTS (SELECT 1 FROM ${S} WITH (UPDLOCK, HOLDLOCK) WHERE [batch_id] = @batchId AND [order_key] = @key)`,
    forgetSent: `DELETE FROM ${S} WHERE [batch_id] = @batchId AND [order_key] = @key`,
    countSent: `SELECT COUNT(*) AS n FROM ${S} WHERE [batch_id] = @batchId`,
    sentInSql: (n: number) => `SELECT [order_key] FROM ${S} WHERE [batch_id] = @batchId AND [order_key] IN (${Array.from({ length: n }, (_, i) => `@k${i}`).join(', ')})`,
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

export class MssqlDispatchControl implements DispatchControl {
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
  async recordSent(batchId: string, key: string): Promise<boolean> {
    return ((await this.store.query('recordSent', this.s.recordSent, { batchId, key })).rowsAffected[0] ?? 0) > 0;
  }
  async forgetSent(batchId: string, key: string): Promise<void> { await this.store.query('forgetSent', this.s.forgetSent, { batchId, key }); }
  async sentIn(batchId: string, keys: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (const part of chunks(keys)) {
      const rows = await this.rows('sentIn', this.s.sentInSql(part.length), { batchId, ...Object.fromEntries(part.map((k, i) => [`k${i}`, k])) });
      for (const r of rows) out.add(String(r.order_key));
    }
    return out;
  }
  async countSent(batchId: string): Promise<number> { return Number((await this.rows('countSent', this.s.countSent, { batchId }))[0]?.n ?? 0); }
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

