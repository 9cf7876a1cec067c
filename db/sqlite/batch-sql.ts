// The batch's bookkeeping on SQLite: outcome rows and recounts (../batch-outcomes.ts), its end and snapshot pruning
// (../batch-end.ts), and RETENTION_DAYS (../retention.ts).
import { DETECTION_COUNTERS, recount } from '../batch-outcomes';
import { stale } from '../batch-end';
import { RULES } from '../retention';

export const SQLITE_BATCH_OUTCOMES_MIGRATION = {
  version: '003_batch_order_outcomes',
  statements: [
    `CREATE TABLE IF NOT EXISTS MON_BatchOrderOutcome (
  batch_id TEXT NOT NULL,
  order_key TEXT NOT NULL,
  outcome TEXT NOT NULL,
  pass INTEGER NOT NULL,
  subitems INTEGER NOT NULL DEFAULT 0,
  updated_date TEXT NOT NULL,
  PRIMARY KEY (batch_id, order_key)
)`,
  ],
};

export const SQLITE_OUTCOME_SQL = {
  upsert: `INSERT INTO MON_BatchOrderOutcome (batch_id, order_key, outcome, pass, subitems, updated_date)
    VALUES (@batchId, @key, @outcome, @pass, @subitems, @now)
    ON CONFLICT (batch_id, order_key) DO UPDATE SET
      outcome = CASE WHEN excluded.pass >= pass THEN excluded.outcome ELSE outcome END,
      subitems = subitems + CASE WHEN excluded.pass > pass THEN excluded.subitems ELSE 0 END,
      pass = MAX(pass, excluded.pass), updated_date = excluded.updated_date`,
  recount: `UPDATE MON_BatchProcessing SET
      synced_records = ${recount('MON_BatchOrderOutcome', 'SYNCED', '@batchId')},
      failed_records = ${recount('MON_BatchOrderOutcome', 'FAILED', '@batchId')}
    WHERE batch_id = @batchId`,
};

export const SQLITE_SET_DETECTION_SQL = `UPDATE MON_BatchProcessing SET ${Object.entries(DETECTION_COUNTERS).map(([f, c]) => `${c} = @${f}`).join(', ')} WHERE batch_id = @batchId`;

/** SQLite: the statements of one prune, in the caller's transaction; `which` picks headers (alias `s`). */
function pruneSqlite(which: string): string[] {
  const newestFull = 'SELECT MAX(snapshot_id) FROM MON_SourceSnapshot WHERE po_filter IS NULL AND source_columns IS NOT NULL';
  const picked = `SELECT s.snapshot_id FROM MON_SourceSnapshot s WHERE ${which} AND s.source_columns IS NOT NULL
    AND s.snapshot_id IS NOT (${newestFull})`;
  return [
    `DELETE FROM MON_SourceSnapshotMember WHERE snapshot_id IN (${picked})`,
    `UPDATE MON_SourceSnapshot SET source_columns = NULL WHERE snapshot_id IN (${picked})`,
    'DELETE FROM MON_SourceRow WHERE NOT EXISTS (SELECT 1 FROM MON_SourceSnapshotMember m WHERE m.row_id = MON_SourceRow.row_id)',
  ];
}

export const SQLITE_BATCH_END_SQL = {
  dispatch: `INSERT INTO MON_BatchDispatch (batch_id, dispatched, end_status, dispatched_at) VALUES (@batchId, @dispatched, @status, @now)
    ON CONFLICT (batch_id) DO NOTHING`,
  /** The batch's end, set once its outcome rows reach what it dispatched. */
  endWhenDone: `UPDATE MON_BatchProcessing SET
      status = (SELECT CASE WHEN d.end_status = 'COMPLETED' AND MON_BatchProcessing.failed_records > 0 THEN 'COMPLETED_WITH_ERRORS' ELSE d.end_status END
        FROM MON_BatchDispatch d WHERE d.batch_id = MON_BatchProcessing.batch_id),
      end_time = @now, duration_seconds = (julianday(@now) - julianday(start_time)) * 86400.0
    WHERE batch_id = @batchId AND end_time IS NULL
      AND EXISTS (SELECT 1 FROM MON_BatchDispatch d WHERE d.batch_id = @batchId
        AND d.dispatched <= (SELECT COUNT(*) FROM MON_BatchOrderOutcome o WHERE o.batch_id = @batchId))`,
  /** One snapshot (a batch that just ended) / every stale one; statements in the caller's transaction. */
  pruneOf: pruneSqlite("batch_id = @batchId"),
  pruneStale: pruneSqlite(`(${stale('MON_BatchProcessing')})`),
} as const;

/** SQLite: one statement per table (one writer, in-process: no slicing needed); @cutoff is an ISO timestamp. */
export function sqliteRetentionSql(): string[] {
  const kept = `snapshot_id NOT IN (SELECT snapshot_id FROM MON_SourceSnapshot WHERE po_filter IS NULL ORDER BY snapshot_id DESC LIMIT 1)`;
  return [
    ...RULES((n) => n, kept).map(([table, cond]) => `DELETE FROM ${table} WHERE ${cond}`),
    'DELETE FROM MON_SourceRow WHERE NOT EXISTS (SELECT 1 FROM MON_SourceSnapshotMember m WHERE m.row_id = MON_SourceRow.row_id)',
  ];
}
