// RETENTION_DAYS: error, write-audit, rollback-step, batch-sent, batch-outcome and snapshot rows older than that are deleted, after a sync has
// taken its snapshot (at most once an hour per process). Deletes go in slices so no one statement holds locks long.
// A batch's audit older than the retention can no longer be rolled back (docs/RUNBOOK.md says so). The statements:
// sqlite/batch-sql.ts, mssql/batch-sql.ts.
export const DEFAULT_RETENTION_DAYS = 90;
export const SLICE = 5000;

/** [table, condition on rows older than @cutoff]; a snapshot's members go with it, orphaned rows after. */
export const RULES = (t: (name: string) => string, snapshotKept: string): [string, string][] => [
  [t('ERR_MON_CustMasterSchedule'), 'COALESCE(resolved_date, last_retry_date, created_date) < @cutoff'],
  [t('ERR_MON_CustMasterSchedule_Subitems'), 'COALESCE(resolved_date, last_retry_date, created_date) < @cutoff'],
  [t('MON_WriteAudit'), 'written_at < @cutoff'],
  [t('MON_RollbackStep'), 'recorded_at < @cutoff'],
  [t('MON_BatchSentOrder'), 'sent_at < @cutoff'],
  [t('MON_BatchOrderOutcome'), 'updated_date < @cutoff'],
  [t('MON_SourceSnapshotMember'), `snapshot_id IN (SELECT snapshot_id FROM ${t('MON_SourceSnapshot')} WHERE taken_at < @cutoff AND ${snapshotKept})`],
  [t('MON_SourceSnapshot'), `taken_at < @cutoff AND ${snapshotKept}`],
];
