// MON_AcceptanceCheck on SQLite: acceptance runs on a scratch SQLite store only (../acceptance-checks.ts).
import type Database from 'better-sqlite3';
import type { AcceptanceChecks } from '../acceptance-checks';

export function sqliteAcceptanceChecks(db: Database.Database): AcceptanceChecks {
  return {
    async save(runId, rows) {
      const insert = db.prepare('INSERT INTO MON_AcceptanceCheck (run_id, seq, scope, subject, order_key, expected, actual, ok) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      db.transaction(() => {
        db.prepare('DELETE FROM MON_AcceptanceCheck WHERE run_id = ?').run(runId);
        rows.forEach((r, i) => insert.run(runId, i, r.scope, r.subject, r.orderKey, r.expected, r.actual, r.ok ? 1 : 0));
      })();
    },
    async read(runId) {
      const rows = db.prepare('SELECT scope, subject, order_key, expected, actual, ok FROM MON_AcceptanceCheck WHERE run_id = ? ORDER BY seq').all(runId) as
        { scope: 'column' | 'size'; subject: string; order_key: string; expected: string; actual: string; ok: number }[];
      return rows.map((r) => ({ scope: r.scope, subject: r.subject, orderKey: r.order_key, expected: r.expected, actual: r.actual, ok: r.ok === 1 }));
    },
  };
}
