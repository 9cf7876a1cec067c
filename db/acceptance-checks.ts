// The check rows of an `orders-sync acceptance` run, in MON_AcceptanceCheck of its scratch SQLite store: the
// activity that compares writes them, the CLI reads them. Only counts travel through Temporal.
import type { Store } from './store';
import { SqliteStore } from './sqlite-store';

export interface AcceptanceCheckRow {
  scope: 'column' | 'size';
  subject: string;
  orderKey: string;
  expected: string;
  actual: string;
  ok: boolean;
}

export interface AcceptanceChecks {
  /** Replaces the run's rows (a retried compare writes them again, never twice). */
  save(runId: string, rows: AcceptanceCheckRow[]): Promise<void>;
  read(runId: string): Promise<AcceptanceCheckRow[]>;
}

export function acceptanceChecksOf(store: Store): AcceptanceChecks {
  if (!(store instanceof SqliteStore)) throw new Error('acceptance keeps its checks in its scratch SQLite store');
  const db = store.db;
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
