// What running the sync needs beyond the Store: the audit of every Monday write (for rollback), the
// batch figures the dashboard shows, and each worker's live budget state (the CLI's window into it).
// Separate from Store so each concern stays small; it shares the Store's connection.
import { fromJson, isoOf, str, type Row } from './common';
// Loads no driver: it runs its statements through the MssqlStore (its pool, retries and schema).

export type WriteTarget = 'item' | 'subitem';
/** create: the batch made it (rollback archives it); update / zero: the batch replaced values (rollback writes them back);
 * archive: the batch archived a subitem (Monday's API cannot unarchive: rollback reports it). */
export type WriteAction = 'create' | 'update' | 'zero' | 'archive';

/** Item values as written: the group and the column values (Monday's write format). */
export interface ItemValues { groupName: string; columnValues: Record<string, unknown> }
/** Subitem values as written: the quantity. */
export interface SubitemValues { qty: number }
/** An archive made through bulk_archive_items: its job, which rollback may undo (undo_action). */
export interface ArchiveValues { archiveJobId: string }

export interface MondayWrite {
  /** The sync batch, or `rerun` for a rerun outside any batch. */
  batchId: string;
  orderKey: string;
  target: WriteTarget;
  mondayId: string;
  /** Subitems: the size; the parent item id goes in parentId. */
  size: string | null;
  parentId: string | null;
  action: WriteAction;
  newValues: ItemValues | SubitemValues | ArchiveValues | null;
  /** What the write replaced, when known (see activities/audit.ts for where it comes from). */
  replacedValues: ItemValues | SubitemValues | null;
}

export interface AuditedWrite extends MondayWrite {
  auditId: number;
  writtenAt: string;
  rolledBackAt: string | null;
  rollbackNote: string | null;
}

export interface FinishedBatch { batchId: string; status: string; endTime: string; durationSeconds: number | null }
export interface RunningBatch { batchId: string; startTime: string; dispatched: number; synced: number; failed: number }

/** A worker's budget state, written every few seconds by each worker (worker-status.ts). */
export interface WorkerStatus {
  workerId: string;
  updatedAt: string;
  complexityUsed: number;
  complexityPerMinute: number;
  requests: number;
  requestsPerMinute: number;
  /** Requests queued in this worker's budget. */
  waiting: number;
  /** Why the first queued request waits, and for how long (ms). */
  waitingFor: 'pause' | 'complexity' | 'requests' | 'board' | null;
  waitMs: number;
  /** A 429 or the daily limit paused every request of this worker for this long (ms). */
  pausedForMs: number;
  /** Set while Monday's daily call limit holds this worker: when it resumes (ISO). */
  dailyLimitUntil: string | null;
  /** Monday calls this worker made on `callsDay` (UTC, YYYY-MM-DD) and in its last hour; absent in older rows. */
  callsDay?: string;
  callsToday?: number;
  callsLastHour?: number;
  /** MONDAY_DAILY_CALLS: the account's allowance as this worker knows it. */
  dailyCalls?: number;
}

export interface OperationsStore {
  /** Records writes; one row per batch, order, Monday id and action (a retried write updates newValues, keeps the first replaced values). */
  recordWrites(writes: MondayWrite[]): Promise<void>;
  /** Adds Monday requests made for this order line to the batch that staged it (MON_BatchProcessing.api_calls_made). */
  addApiCalls(orderKey: string, n: number): Promise<void>;
  /** The newest values written to a Monday item or subitem outside this batch and not rolled back: what Monday holds. */
  lastWrittenValues(mondayId: string, exceptBatchId: string): Promise<ItemValues | SubitemValues | null>;
  listWrites(batchId: string): Promise<AuditedWrite[]>;
  /** Monday ids this batch wrote that a later batch wrote again. */
  supersededIds(batchId: string): Promise<string[]>;
  markWriteRolledBack(auditId: number, note: string): Promise<void>;
  /** After a rollback: staging says the batch's payload is synced (so the next sync skips it until the source or mapping changes),
   * forgets ids of what was archived and holds the quantities Monday holds again. */
  markOrderRolledBack(input: { batchId: string; orderKey: string; archivedIds: string[]; restoredQty: { subitemId: string; qty: number }[] }): Promise<void>;
  /** The batch that last staged this order line (stg_batch_id): the batch its writes belong to. */
  stagedBatchId(orderKey: string): Promise<string | null>;
  lastFinishedBatch(): Promise<FinishedBatch | null>;
  /** The newest batch that has not finished, with its counters. */
  runningBatch(): Promise<RunningBatch | null>;
  /** Order lines staged by this batch's detection (touched since it started) that are now SYNCED or FAILED, whichever
   * workflow finished them: an order still running for an earlier sync counts in that sync's batch counters. */
  finishedSince(batchId: string): Promise<{ synced: number; failed: number }>;
  /** Order lines with a Monday item in staging (the items this sync holds on the board). */
  countBoardItems(): Promise<number>;
  saveWorkerStatus(status: WorkerStatus): Promise<void>;
  /** Statuses written within the last maxAgeMs. */
  liveWorkerStatuses(maxAgeMs: number): Promise<WorkerStatus[]>;
}

// Rows of both dialects into records.

export function rolledBackNote(batchId: string, at: string): string {
  return `rolled back with batch ${batchId} at ${at}: Monday holds the earlier values until ORDERS_UNIFIED or the mapping changes`;
}

export function toAuditedWrite(r: Row): AuditedWrite {
  return {
    auditId: Number(r.audit_id), batchId: String(r.batch_id), orderKey: String(r.order_key), target: r.target as AuditedWrite['target'],
    mondayId: String(r.monday_id), size: str(r.size_label), parentId: str(r.parent_id), action: r.action as AuditedWrite['action'],
    newValues: (fromJson(r.new_values) as AuditedWrite['newValues'] | undefined) ?? null,
    replacedValues: (fromJson(r.replaced_values) as AuditedWrite['replacedValues'] | undefined) ?? null,
    writtenAt: isoOf(r.written_at) ?? '', rolledBackAt: isoOf(r.rolled_back_at), rollbackNote: str(r.rollback_note),
  };
}

/** Dispatched order lines are the new and changed ones the batch staged. */
export function toRunningBatch(r: Row): RunningBatch {
  return {
    batchId: String(r.batch_id), startTime: isoOf(r.start_time) ?? '', dispatched: Number(r.new_orders) + Number(r.changed_orders),
    synced: Number(r.synced_records), failed: Number(r.failed_records),
  };
}
