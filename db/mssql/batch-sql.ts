// The batch's bookkeeping on SQL Server, in the project's schema: outcome rows and recounts (../batch-outcomes.ts), its
// end and snapshot pruning (../batch-end.ts), and RETENTION_DAYS in slices (../retention.ts).
import { qualified } from './identifiers';
import { DETECTION_COUNTERS, recount } from '../batch-outcomes';
import { stale } from '../batch-end';
import { RULES, SLICE } from '../retention';

/** The SQL Server statements, in the project's schema (MSSQL_SCHEMA). No MERGE: Babelfish lacks it. */
export function mssqlBatchOutcomeSql(schema: string) {
  const T = `[${schema}].[MON_BatchOrderOutcome]`;
  const BATCH = `[${schema}].[MON_BatchProcessing]`;
  return {
    /**
     * One request in the caller's transaction. It first takes the batch row's lock, so outcomes of one batch recount
     * one after another: under snapshot reads (READ_COMMITTED_SNAPSHOT, Azure SQL's default; PostgreSQL under
     * Babelfish) two transactions would each count without the other's new row (measured on the test engine: 37–40 of 45 counted). One
     * request, so the lock is held for one round trip, not four. `found` 0: no such batch.
     */
    recordOutcome: `UPDATE ${BATCH} SET [status] = [status] WHERE [batch_id] = @batchId;
IF @@ROWCOUNT = 0
  SELECT 0 AS [found];
ELSE
BEGIN
  UPDATE ${T} SET
    [outcome] = CASE WHEN @pass >= [pass] THEN @outcome ELSE [outcome] END,
    [subitems] = [subitems] + CASE WHEN @pass > [pass] THEN @subitems ELSE 0 END,
    [pass] = CASE WHEN @pass > [pass] THEN @pass ELSE [pass] END,
    [updated_date] = SYSUTCDATETIME()
  WHERE [batch_id] = @batchId AND [order_key] = @key;
  IF NOT EXISTS (SELECT 1 FROM ${T} WHERE [batch_id] = @batchId AND [order_key] = @key)
    INSERT INTO ${T} ([batch_id], [order_key], [outcome], [pass], [subitems]) VALUES (@batchId, @key, @outcome, @pass, @subitems);
  UPDATE ${BATCH} SET
    [synced_records] = ${recount(T, 'SYNCED', '@batchId')},
    [failed_records] = ${recount(T, 'FAILED', '@batchId')}
  WHERE [batch_id] = @batchId;
  SELECT 1 AS [found];
END`,
    /** startBatch that tolerates its own earlier attempt (the insert committed, the answer was lost). */
    startBatch: `IF NOT EXISTS (SELECT 1 FROM ${BATCH} WHERE [batch_id] = @batchId)
  INSERT INTO ${BATCH} ([batch_id], [customer_name], [batch_type], [status], [config_snapshot])
  VALUES (@batchId, @customer, @batchType, 'STARTED', @config)`,
    /** The detection counters, set (not added) from the sync workflow's totals. */
    setDetectionCounters: `UPDATE ${BATCH} SET ${Object.entries(DETECTION_COUNTERS).map(([f, c]) => `[${c}] = @${f}`).join(', ')} WHERE [batch_id] = @batchId`,
  };
}

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

export function mssqlRetentionSql(schema: string): string {
  const t = (name: string): string => qualified(schema, name);
  // The latest full snapshot stays whatever its age: the collapse check compares with it (db/batch-end.ts).
  const kept = `snapshot_id NOT IN (SELECT TOP (1) snapshot_id FROM ${t('MON_SourceSnapshot')} WHERE po_filter IS NULL ORDER BY snapshot_id DESC)`;
  const slices = RULES(t, kept).map(([table, cond]) =>
    `WHILE 1 = 1 BEGIN DELETE TOP (${SLICE}) FROM ${table} WHERE ${cond}; IF @@ROWCOUNT < ${SLICE} BREAK; END;`);
  return `DECLARE @cutoff DATETIME2(3) = DATEADD(DAY, -@days, SYSUTCDATETIME());
${slices.join('\n')}
DELETE r FROM ${t('MON_SourceRow')} r WHERE NOT EXISTS (SELECT 1 FROM ${t('MON_SourceSnapshotMember')} m WHERE m.row_id = r.row_id);`;
}
