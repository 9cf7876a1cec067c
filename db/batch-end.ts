// When a sync batch ends, when its source snapshot goes, and an order line whose source row is gone; both dialects.
//
// A batch ends when its orders end, not when it has dispatched them: the sync records how many order lines it
// dispatched (MON_BatchDispatch) and the status it ends with, and the outcome that brings the batch's outcome rows up
// to that number ends it (end time, duration, status; COMPLETED turns COMPLETED_WITH_ERRORS when an order failed).
// Its order workflows stage from its snapshot for as long as they run (hours under Monday's rate limit), so the
// snapshot is pruned then, with the batch's end, or once older than SNAPSHOT_KEEP_DAYS (a batch whose sync never
// finished). Pruning a snapshot clears its header's column list, then removes its member rows and the content rows no
// snapshot lists any more, in one transaction: a reader sees the whole snapshot or none (a header without a column
// list reads the live source, and stageOrder never concludes "gone" from a snapshot alone). The header itself stays
// (RETENTION_DAYS removes it): the next snapshot's collapse check compares with its row count. The newest full
// snapshot keeps its rows whatever its batch did: the next snapshot copies only content it does not already hold.
import { qualified } from './mssql/identifiers';

export type BatchEndStatus = 'COMPLETED' | 'COMPLETED_WITH_ERRORS' | 'NO_RECORDS';

/** Snapshots whose batch has ended, or taken before @cutoff (SNAPSHOT_KEEP_DAYS): `s` is the snapshot header. */
const stale = (batch: string) => `(EXISTS (SELECT 1 FROM ${batch} x WHERE x.[batch_id] = s.[batch_id] AND x.[end_time] IS NOT NULL) OR s.[taken_at] < @cutoff)`;

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

export function mssqlBatchEndSql(schema: string) {
  const BATCH = qualified(schema, 'MON_BatchProcessing');
  const DISPATCH = qualified(schema, 'MON_BatchDispatch');
  const OUTCOME = qualified(schema, 'MON_BatchOrderOutcome');
  const SNAP = qualified(schema, 'MON_SourceSnapshot');
  const MEMBERS = qualified(schema, 'MON_SourceSnapshotMember');
  const ROWS = qualified(schema, 'MON_SourceRow');
  /** Prunes the snapshots `which` picks (header alias `s`); answers `pruned`. */
  const prune = (which: string): string => `DECLARE @gone TABLE ([snapshot_id] INT NOT NULL PRIMARY KEY);
INSERT INTO @gone ([snapshot_id]) SELECT s.[snapshot_id] FROM ${SNAP} s WHERE ${which} AND s.[source_columns] IS NOT NULL
  AND s.[snapshot_id] <> ISNULL((SELECT MAX(n.[snapshot_id]) FROM ${SNAP} n WHERE n.[po_filter] IS NULL AND n.[source_columns] IS NOT NULL), -1);
IF EXISTS (SELECT 1 FROM @gone)
BEGIN
  UPDATE s SET [source_columns] = NULL FROM ${SNAP} s INNER JOIN @gone g ON g.[snapshot_id] = s.[snapshot_id];
  DELETE m FROM ${MEMBERS} m INNER JOIN @gone g ON g.[snapshot_id] = m.[snapshot_id];
  DELETE r FROM ${ROWS} r WHERE NOT EXISTS (SELECT 1 FROM ${MEMBERS} m WHERE m.[row_id] = r.[row_id]);
END
SELECT COUNT(*) AS [pruned] FROM @gone`;
  return {
    /** Once per batch (a retried activity inserts nothing twice); then the end check. `found` 0: no such batch. */
    dispatch: `IF NOT EXISTS (SELECT 1 FROM ${BATCH} WHERE [batch_id] = @batchId)
  SELECT 0 AS [found];
ELSE
BEGIN
  IF NOT EXISTS (SELECT 1 FROM ${DISPATCH} WHERE [batch_id] = @batchId)
    INSERT INTO ${DISPATCH} ([batch_id], [dispatched], [end_status]) VALUES (@batchId, @dispatched, @status);
  SELECT 1 AS [found];
END`,
    /**
     * Ends the batch if its outcome rows reached what it dispatched, and prunes its snapshot then; appended to the
     * statement that records an outcome (or the dispatch), so it costs no round trip of its own.
     * DATEDIFF in milliseconds overflows INT after 24.8 days; DATEDIFF_BIG does not.
     */
    endWhenDone: `UPDATE b SET
    [status] = CASE WHEN d.[end_status] = 'COMPLETED' AND b.[failed_records] > 0 THEN 'COMPLETED_WITH_ERRORS' ELSE d.[end_status] END,
    [end_time] = SYSUTCDATETIME(), [duration_seconds] = DATEDIFF_BIG(MILLISECOND, b.[start_time], SYSUTCDATETIME()) / 1000.0
  FROM ${BATCH} b INNER JOIN ${DISPATCH} d ON d.[batch_id] = b.[batch_id]
  WHERE b.[batch_id] = @batchId AND b.[end_time] IS NULL AND d.[dispatched] <= (SELECT COUNT(*) FROM ${OUTCOME} o WHERE o.[batch_id] = @batchId);
IF @@ROWCOUNT > 0
BEGIN
${prune('s.[batch_id] = @batchId')}
END`,
    markSourceGone: `UPDATE ${qualified(schema, 'STG_MON_CustMasterSchedule')} SET [stg_status] = 'FAILED', [stg_error_message] = @message,
      [stg_payload_hash] = '', [stg_updated_date] = SYSUTCDATETIME() WHERE [order_key] = @key`,
    /** Every stale snapshot. @cutoffMinutes: SNAPSHOT_KEEP_DAYS in minutes. */
    pruneStale: `DECLARE @cutoff DATETIME2(3) = DATEADD(MINUTE, -CAST(@cutoffMinutes AS INT), SYSUTCDATETIME());
${prune(stale(BATCH))}`,
  };
}
