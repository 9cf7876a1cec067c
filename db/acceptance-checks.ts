// The check rows of an `orders-sync acceptance` run, in MON_AcceptanceCheck of its scratch SQLite store: the
// activity that compares writes them, the CLI reads them. Only counts travel through Temporal.

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
