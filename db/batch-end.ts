// When a sync batch ends, when its source snapshot goes, and an order line whose source row is gone; both dialects.
//
// A batch ends when its orders end, not when it has dispatched them: the sync records how many order lines it
// dispatched (MON_BatchDispatch) and the status it ends with, and the outcome that brings the batch's outcome rows up
// to that number ends it (end time, duration, status; COMPLETED turns COMPLETED_WITH_ERRORS when an order failed).
// Its order workflows stage from its snapshot for as long as they run (hours under Monday's rate limit), so the
// snapshot is removed then, with the batch's end, or once older than SNAPSHOT_KEEP_DAYS (a batch whose sync never
// finished). Header and rows go in one transaction: no reader sees a snapshot with its header and without its rows.
// (A reader that still finds none reads the live source: stageOrder never concludes "gone" from a snapshot alone.)
import { qualified } from './migrations/mssql';

export type BatchEndStatus = 'COMPLETED' | 'COMPLETED_WITH_ERRORS' | 'NO_RECORDS';

/** Snapshots whose batch has ended, or taken before @cutoff (SNAPSHOT_KEEP_DAYS): `s` is the snapshot header. */
const stale = (batch: string) => `(EXISTS (SELECT 1 FROM ${batch} x WHERE x.[batch_id] = s.[batch_id] AND x.[end_time] IS NOT NULL) OR s.[taken_at] < @cutoff)`;

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
  pruneRowsOf: 'DELETE FROM MON_SourceSnapshotRow WHERE snapshot_id IN (SELECT snapshot_id FROM MON_SourceSnapshot WHERE batch_id = @batchId)',
  pruneOf: 'DELETE FROM MON_SourceSnapshot WHERE batch_id = @batchId',
  pruneStaleRows: `DELETE FROM MON_SourceSnapshotRow WHERE snapshot_id IN (SELECT s.snapshot_id FROM MON_SourceSnapshot s WHERE ${stale('MON_BatchProcessing')})`,
  pruneStale: `DELETE FROM MON_SourceSnapshot WHERE snapshot_id IN (SELECT s.snapshot_id FROM MON_SourceSnapshot s WHERE ${stale('MON_BatchProcessing')})`,
} as const;

export function mssqlBatchEndSql(schema: string) {
  const BATCH = qualified(schema, 'MON_BatchProcessing');
  const DISPATCH = qualified(schema, 'MON_BatchDispatch');
  const OUTCOME = qualified(schema, 'MON_BatchOrderOutcome');
  const SNAP = qualified(schema, 'MON_SourceSnapshot');
  const SNAP_ROWS = qualified(schema, 'MON_SourceSnapshotRow');
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
    // DATEDIFF in milliseconds overflows INT after 24.8 days; DATEDIFF_BIG does not.
    endWhenDone: `UPDATE b SET
    [status] = CASE WHEN d.[end_status] = 'COMPLETED' AND b.[failed_records] > 0 THEN 'COMPLETED_WITH_ERRORS' ELSE d.[end_status] END,
    [end_time] = SYSUTCDATETIME(), [duration_seconds] = DATEDIFF_BIG(MILLISECOND, b.[start_time], SYSUTCDATETIME()) / 1000.0
  FROM ${BATCH} b INNER JOIN ${DISPATCH} d ON d.[batch_id] = b.[batch_id]
  WHERE b.[batch_id] = @batchId AND b.[end_time] IS NULL AND d.[dispatched] <= (SELECT COUNT(*) FROM ${OUTCOME} o WHERE o.[batch_id] = @batchId);
SELECT @@ROWCOUNT AS [ended]`,
    /** One snapshot (a batch that just ended), rows then header, in the caller's transaction. */
    pruneOf: `DELETE r FROM ${SNAP_ROWS} r INNER JOIN ${SNAP} s ON s.[snapshot_id] = r.[snapshot_id] WHERE s.[batch_id] = @batchId;
DELETE FROM ${SNAP} WHERE [batch_id] = @batchId`,
    markSourceGone: `UPDATE ${qualified(schema, 'STG_MON_CustMasterSchedule')} SET [stg_status] = 'FAILED', [stg_error_message] = @message,
      [stg_payload_hash] = '', [stg_updated_date] = SYSUTCDATETIME() WHERE [order_key] = @key`,
    /** Every stale snapshot, in the caller's transaction. @cutoffMinutes: SNAPSHOT_KEEP_DAYS in minutes. */
    pruneStale: `DECLARE @cutoff DATETIME2(3) = DATEADD(MINUTE, -CAST(@cutoffMinutes AS INT), SYSUTCDATETIME());
DELETE r FROM ${SNAP_ROWS} r INNER JOIN ${SNAP} s ON s.[snapshot_id] = r.[snapshot_id] WHERE ${stale(BATCH)};
DELETE s FROM ${SNAP} s WHERE ${stale(BATCH)};
SELECT @@ROWCOUNT AS [pruned]`,
  };
}
