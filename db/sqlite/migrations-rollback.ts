// SQLite migration 115 (issue 18): rollback's step table (db/sqlite/rollback-steps.ts) and the audit's index by batch.
export const SQLITE_ROLLBACK_MIGRATIONS: { version: string; statements: string[] }[] = [{
  version: '115_rollback_steps',
  statements: [
    `CREATE TABLE IF NOT EXISTS MON_RollbackStep (
  run_id TEXT NOT NULL,
  batch_id TEXT NOT NULL,
  audit_id INTEGER NOT NULL,
  order_key TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('PLANNED','DONE','FAILED','MANUAL')),
  line TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  PRIMARY KEY (run_id, audit_id)
)`,
    // Retention (RETENTION_DAYS) deletes by age.
    'CREATE INDEX IF NOT EXISTS IX_MON_RollbackStep_recorded ON MON_RollbackStep (recorded_at)',
    // Rollback pages a batch's audit by id.
    'CREATE INDEX IF NOT EXISTS IX_MON_WriteAudit_batch ON MON_WriteAudit (batch_id, audit_id)',
  ],
}];
