// The inputs and results the workflows, their activities and the CLI exchange. Dependency-free (types from
// @temporalio/common only), so imports run one way: workflows → activities → db / mapping / graphql, and all of
// them may import this.
import type { Duration } from '@temporalio/common';
import type { ErrorCategory } from './order';

export interface OrderWorkflowInput {
  key: string;
  batchId: string | null;
  subitemBatchSize: number;
  /** How long an order that failed for good (Monday rejected it, the row cannot be mapped) waits for a rerun, e.g. '7d'. */
  rerunWait: Duration;
  /**
   * How long an activity keeps retrying a transient failure (attempts are not capped, only this time is).
   * Optional so workflows started before these fields existed replay unchanged.
   */
  retryWindows?: RetryWindows;
  /** First wait before the order tries again by itself after a retry window ran out; doubles up to 1 h. */
  selfRetryAfter?: Duration;
  /** Passes made before a continue-as-new (batch outcomes are idempotent per pass, so the count goes on). */
  passes?: number;
  /** Write to these boards instead of the mapping's (the scratch board of `orders-sync acceptance`). */
  boards?: TargetBoards;
  /** The Monday activities' task queue, when not the shared one (acceptance runs its own worker). */
  mondayTaskQueue?: string;
  /** The sync whose source snapshot the next pass stages from; null: the live source. Absent: `batchId`'s. */
  snapshotOf?: string | null;
  /** How long the order keeps trying again by itself after retry windows ran out before it waits for a rerun as
   * TRANSIENT_GAVE_UP, e.g. '7d' (SELF_RETRY_LIMIT). Absent: 7 days. */
  selfRetryLimit?: Duration;
  /** Workflow time (ms) the current streak of self-retries began; carried across continue-as-new. */
  selfRetryingSince?: number;
}

export interface RetryWindows {
  /** Covers Monday's daily call limit (reset at midnight UTC) and long outages, e.g. '26h'. */
  monday: Duration;
  /** Covers a long database outage or failover, e.g. '6h'. */
  database: Duration;
}

export const DEFAULT_RETRY_WINDOWS: RetryWindows = { monday: '26h', database: '6h' };

/** What a failed order leaves behind in the error table; also travels in ApplicationFailure details. */
export interface FailureInfo {
  type: string;
  message: string;
  category: ErrorCategory;
  httpStatus: number | null;
}

/** The boards an order is written to: the mapping's, or a scratch copy's for `orders-sync acceptance`. */
export interface TargetBoards {
  itemsBoardId: string;
  subitemsBoardId: string;
}

export interface SyncWorkflowInput {
  pageSize: number;
  customer?: string;
  po?: string;
  /** How long database steps retry a transient failure (no attempt cap); optional for older callers. */
  databaseRetryWindow?: Duration;
  /** The most order workflows in flight (MAX_IN_FLIGHT); absent: no cap. */
  maxInFlight?: number;
  /** How long the sync may run (SYNC_EXECUTION_TIMEOUT) before it ends its batch as ABANDONED; absent: 2 h. */
  deadline?: Duration;
  /** Carried across continue-as-new. */
  deadlineAt?: number;
  batchId?: string;
  cursor?: string | null;
  totals?: SyncTotals;
}

export interface SyncTotals {
  batchId: string;
  /** Source rows read. */
  total: number;
  dispatched: number;
  newOrders: number;
  changed: number;
  unchanged: number;
  /** Failed order lines whose row and mapping did not change: left waiting for a rerun, not signalled. */
  waiting: number;
  rejected: number;
  pages: number;
  /** Order lines whose workflow already ran with their hash: left alone (no signal). */
  alreadyRunning?: number;
  /** After the sync: order lines waiting for an in-flight slot (MAX_IN_FLIGHT), and order workflows in flight. */
  waitingForSlot?: number;
  inFlight?: number;
}

/** What a rollback run counts; a page (activities/rollback.ts RollbackPageResult) counts the same but ordersMarked. */
export interface RollbackCounts {
  /** Writes the run undoes (or would, in a dry run): creations to archive, replaced values to write back. */
  creates: number;
  restores: number;
  alreadyRolledBack: number;
  manual: number;
  done: number;
  failed: number;
  ordersMarked: number;
}
