// When a sync batch ends, when its source snapshot goes, and an order line whose source row is gone: the rules both
// dialects share (their statements: sqlite/batch-sql.ts, mssql/batch-sql.ts).
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
export type BatchEndStatus = 'COMPLETED' | 'COMPLETED_WITH_ERRORS' | 'NO_RECORDS';

/** Snapshots whose batch has ended, or taken before @cutoff (SNAPSHOT_KEEP_DAYS): `s` is the snapshot header. */
export const stale = (batch: string) => `(EXISTS (SELECT 1 FROM ${batch} x WHERE x.[batch_id] = s.[batch_id] AND x.[end_time] IS NOT NULL) OR s.[taken_at] < @cutoff)`;
