// RETENTION_DAYS: error, write-audit, batch-outcome and snapshot rows older than that are deleted, after a sync has
// taken its snapshot (at most once an hour per process). Deletes go in slices so no one statement holds locks long.
// A batch's audit older than the retention can no longer be rolled back (docs/RUNBOOK.md says so).
import { qualified } from './mssql/identifiers';

export const DEFAULT_RETENTION_DAYS = 90;
const SLICE = 5000;

/** [table, condition on rows older than @cutoff]; a snapshot's members go with it, orphaned rows after. */
const RULES = (t: (name: string) => string, snapshotKept: string): [string, string][] => [
  [t('ERR_MON_CustMasterSchedule'), 'COALESCE(resolved_date, last_retry_date, created_date) < @cutoff'],
  [t('ERR_MON_CustMasterSchedule_Subitems'), 'COALESCE(resolved_date, last_retry_date, created_date) < @cutoff'],
  [t('MON_WriteAudit'), 'written_at < @cutoff'],
  [t('MON_BatchOrderOutcome'), 'updated_date < @cutoff'],
  [t('MON_SourceSnapshotMember'), `snapshot_id IN (SELECT snapshot_id FROM ${t('MON_SourceSnapshot')} WHERE taken_at < @cutoff AND ${snapshotKept})`],
  [t('MON_SourceSnapshot'), `taken_at < @cutoff AND ${snapshotKept}`],
];

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

/** SQLite: one statement per table (one writer, in-process: no slicing needed); @cutoff is an ISO timestamp. */
export function sqliteRetentionSql(): string[] {
  const kept = `snapshot_id NOT IN (SELECT snapshot_id FROM MON_SourceSnapshot WHERE po_filter IS NULL ORDER BY snapshot_id DESC LIMIT 1)`;
  return [
    ...RULES((n) => n, kept).map(([table, cond]) => `DELETE FROM ${table} WHERE ${cond}`),
    'DELETE FROM MON_SourceRow WHERE NOT EXISTS (SELECT 1 FROM MON_SourceSnapshotMember m WHERE m.row_id = MON_SourceRow.row_id)',
  ];
}
