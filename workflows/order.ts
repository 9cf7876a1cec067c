// One durable workflow per order line: stage → create or update the item → subitems in batches → mark synced.
// Every step is an activity; after a crash the workflow resumes from the last finished step.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { OrderActivities } from '../activities';
import type { OrderCleanupActivities } from '../activities/order-cleanup';
import { DEFAULT_RETRY_WINDOWS, type FailureInfo, type OrderWorkflowInput, type RetryWindows } from '../shared/workflow-types';
import { MONDAY_TASK_QUEUE, OrderBatchId, OrderCustomer, OrderFailureCategory, OrderKey, OrderPO, AagOrderNumber, OrderSyncStatus } from '../shared/temporal';
import { rerunSignal, sourceChangedSignal, statusQuery, type OrderProgress } from './messages';

const DEFAULT_SELF_RETRY_AFTER: Duration = '1m';
const DEFAULT_SELF_RETRY_LIMIT: Duration = '7d';
const MAX_SELF_RETRY_AFTER_MS = 60 * 60_000;

export interface OrderResult {
  key: string;
  status: 'SYNCED' | 'GONE';
  itemId: string | null;
  itemAction: 'created' | 'updated' | 'found' | null;
  subitems: number;
  passes: number;
}

const SEARCH_ATTRIBUTE_BEFORE_ERROR_ROW = 'failed-search-attribute-before-error-row';
/** Issue 17: a batch ends when every order it dispatched has an outcome in it (db/batch-end.ts). A pass that a newer
 * sync's dispatch overtook (the order was running) ends in both batches, whatever its result. */
const OUTCOME_IN_EVERY_DISPATCHING_BATCH = 'outcome-in-every-dispatching-batch';
/** A pass goes round again only for a source change signalled while it ran (older orders replay the old rule). */
const ROUND_AGAIN_ONLY_FOR_NEWER_SIGNALS = 'round-again-only-for-signals-during-the-pass';

/**
 * Orders started by the first release (its dispatcher passed no retryWindows) ran code that never recorded an outcome
 * in a later dispatching batch and never continued-as-new; the release after it (16d0926) did both without a patch.
 * Their histories replay as they ran; from here on they take the new path behind this patch.
 */
const FIRST_RELEASE_ORDER_CATCHES_UP = 'first-release-order-catches-up';
/** Issue 18: the order catches only activity failures; a cancellation ends it as cancelled after a cleanup; a
 * workflow bug fails the workflow task; only a timed-out retry window counts as transient. */
const HONEST_FAILURES = 'honest-failures';
/** Issue 18: self-retries stop after SELF_RETRY_LIMIT; the order then waits for a rerun as TRANSIENT_GAVE_UP. */
const SELF_RETRY_LIMIT = 'self-retry-limit';
/** Issue 18: key, customer and PO in the memo (carried across continue-as-new). */
const ORDER_MEMO = 'order-memo';
/** Issue 18: the readable key as a search attribute too (OrderKey), so a hashed workflow id is found by its key. */
const ORDER_KEY_SEARCH_ATTRIBUTE = 'order-key-search-attribute';

/** Errors that are the data's or the configuration's fault: retrying them cannot help, a fix and a rerun can. */
const PERMANENT_ERROR_TYPES = ['MAPPING_ERROR', 'DUPLICATE_ORDER_KEY', 'NOT_STAGED', 'NO_ITEM', 'CONFIG'];

/** The Monday activities run on the shared Monday queue, or on acceptance's own. */
function activitiesFor(windows: RetryWindows, mondayTaskQueue: string = MONDAY_TASK_QUEUE) {
  const db = proxyActivities<OrderActivities>({
    // Database steps take milliseconds; a short timeout retries quickly after a worker dies.
    startToCloseTimeout: '20 seconds',
    // Database outages heal: retry without an attempt cap for the whole window, never slower than every 30 s.
    scheduleToCloseTimeout: windows.database,
    // Up to 2 minutes apart: a long outage costs a retry every 2 minutes per order, not every 30 s.
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '2 minutes', nonRetryableErrorTypes: PERMANENT_ERROR_TYPES },
  });
  const monday = proxyActivities<OrderActivities>({
    taskQueue: mondayTaskQueue,
    startToCloseTimeout: '5 minutes',
    // Monday activities heartbeat every 2 s: a dead worker's attempt is retried after 15 s, not 5 minutes.
    heartbeatTimeout: '15 seconds',
    // No attempt cap: 429s and budget pauses come back with Monday's own wait (nextRetryDelay) and only use
    // up time; the window outlasts the daily limit's reset. Backoff for everything else reaches 5 minutes after about
    // 8 minutes of failures: a long outage costs each waiting order a request every 5 minutes, not every minute.
    scheduleToCloseTimeout: windows.monday,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: PERMANENT_ERROR_TYPES },
  });
  // Runs in a non-cancellable scope after a cancellation: it must not be cancelled itself, and it is quick.
  const cleanup = proxyActivities<OrderCleanupActivities>({
    startToCloseTimeout: '20 seconds', scheduleToCloseTimeout: windows.database,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '2 minutes' },
  });
  return { db, monday, cleanup };
}
type Activities = ReturnType<typeof activitiesFor>;

export async function orderWorkflow(input: OrderWorkflowInput): Promise<OrderResult> {
  const acts = activitiesFor(input.retryWindows ?? DEFAULT_RETRY_WINDOWS, input.mondayTaskQueue);
  const progress: OrderProgress = { key: input.key, step: 'STAGE', itemId: null, subitemsTotal: 0, subitemsDone: 0, passes: input.passes ?? 0, lastError: null };
  let latestSourceHash: string | null = null;
  // The sync that last dispatched this order: its batch counts the order's outcome.
  let batchId = input.batchId;
  // The snapshot the next pass reads: that of the sync that dispatched it. A rerun after a fix, and any pass after a
  // failure, read the live source: the fix is newer than every snapshot.
  let snapshotOf = input.snapshotOf !== undefined ? input.snapshotOf : input.batchId;
  let rerunRequested = false;
  let selfRetryAfterMs = msToNumber(input.selfRetryAfter ?? DEFAULT_SELF_RETRY_AFTER);
  let selfRetryingSince = input.selfRetryingSince ?? null;
  // See FIRST_RELEASE_ORDER_CATCHES_UP: orders started since the second release take these paths unconditionally.
  const laterRelease = () => input.retryWindows !== undefined || patched(FIRST_RELEASE_ORDER_CATCHES_UP);
  setHandler(statusQuery, () => progress);
  // What the Web UI shows as the workflow's current details.
  const showProgress = () => setCurrentDetails(describeProgress(progress));
  setHandler(rerunSignal, () => {
    rerunRequested = true;
    snapshotOf = null;
  });
  // Senders of every release: (hash) from the first, (hash, batchId) since; anything else is taken as "changed".
  setHandler(sourceChangedSignal, (hash?: unknown, dispatchedBy?: unknown) => {
    latestSourceHash = typeof hash === 'string' ? hash : '';
    const by = typeof dispatchedBy === 'string' && dispatchedBy !== '' ? dispatchedBy : undefined;
    if (by) batchId = by;
    snapshotOf = by ?? null;
  });

  try {
    for (;;) {
      // A long-waiting order with many passes starts a fresh history; the new run stages the row again anyway.
      if (progress.passes > (input.passes ?? 0) && workflowInfo().continueAsNewSuggested && laterRelease()) {
        // The memo (key, customer, PO) would not survive by itself; search attributes do.
        await makeContinueAsNewFunc<typeof orderWorkflow>({ memo: workflowInfo().memo })({
          ...input, batchId, passes: progress.passes, snapshotOf, ...(selfRetryingSince !== null ? { selfRetryingSince } : {}),
        });
      }
      progress.passes++;
      rerunRequested = false;
      const passBatch = batchId;
      const signalledBefore = latestSourceHash;
      try {
        const result = await syncOnce(acts, { ...input, batchId: passBatch, snapshotOf }, progress, showProgress);
        selfRetryingSince = null;
        // A sync that dispatched this order while the pass ran counts it too (it may wait for it).
        if (batchId !== passBatch && laterRelease() && (result.status === 'SYNCED' || patched(OUTCOME_IN_EVERY_DISPATCHING_BATCH))) {
          await acts.db.recordOrderOutcome({ key: input.key, batchId, pass: progress.passes, outcome: result.status === 'SYNCED' ? 'SYNCED' : 'FAILED', subitems: 0 });
        }
        // An order changed while it was syncing goes round again instead of being lost. A hash signalled before the pass
        // began is no newer than what the pass read (that sync's snapshot, or the live source): going round for it
        // would read the same row again, and again.
        if (result.status === 'SYNCED' && latestSourceHash !== null && latestSourceHash !== result.hash
          && (latestSourceHash !== signalledBefore || !patched(ROUND_AGAIN_ONLY_FOR_NEWER_SIGNALS))) continue;
        return { key: input.key, status: result.status, itemId: progress.itemId, itemAction: result.itemAction, subitems: progress.subitemsDone, passes: progress.passes };
      } catch (err) {
        // Only an activity's failure is the order's: a cancellation ends the workflow (below), and anything else is a
        // bug in this code that fails the workflow task (visible in the Web UI, fixed by a deploy) instead of
        // looping as "transient" for ever.
        if (!(err instanceof ActivityFailure) || isCancellation(err)) {
          if (patched(HONEST_FAILURES)) throw err;
        }
        snapshotOf = null;
        const failure = describeFailure(err, () => patched(HONEST_FAILURES));
        progress.step = 'FAILED';
        progress.lastError = failure.message;
        // Findable in the Web UI first: recording the error needs the database, which may be what is down.
        // (Orders that failed before this order of steps existed replay the old one.)
        const markedFirst = patched(SEARCH_ATTRIBUTE_BEFORE_ERROR_ROW);
        if (markedFirst) upsertSearchAttributes([{ key: OrderSyncStatus, value: 'FAILED' }, { key: OrderFailureCategory, value: failure.category }]);
        showProgress();
        try {
          await acts.db.recordOrderFailure({ key: input.key, batchId, pass: progress.passes, failure });
          if (passBatch !== batchId && patched(OUTCOME_IN_EVERY_DISPATCHING_BATCH)) {
            await acts.db.recordOrderOutcome({ key: input.key, batchId: passBatch, pass: progress.passes, outcome: 'FAILED', subitems: 0 });
          }
        } catch (recordErr) {
          // The database stayed down for its whole window: the order still waits (and retries) below.
          if (isCancellation(recordErr) && patched(HONEST_FAILURES)) throw recordErr;
        }
        if (!markedFirst) upsertSearchAttributes([{ key: OrderSyncStatus, value: 'FAILED' }]);
        const failedHash = latestSourceHash;
        const woken = () => rerunRequested || latestSourceHash !== failedHash;
        if (failure.category === 'TRANSIENT_EXHAUSTED') {
          selfRetryingSince ??= Date.now();
          const limitMs = msToNumber(input.selfRetryLimit ?? DEFAULT_SELF_RETRY_LIMIT);
          if (!(Date.now() - selfRetryingSince >= limitMs && patched(SELF_RETRY_LIMIT))) {
            // Even the retry window ran out (a very long outage): try again by itself, later and later.
            await condition(woken, selfRetryAfterMs);
            selfRetryAfterMs = Math.min(selfRetryAfterMs * 2, MAX_SELF_RETRY_AFTER_MS);
            continue;
          }
          // Tried by itself for SELF_RETRY_LIMIT: stop spending Monday's budget on it; wait for a fix or a rerun.
          failure.message = `gave up retrying by itself after ${input.selfRetryLimit ?? DEFAULT_SELF_RETRY_LIMIT}: ${failure.message}`;
          progress.lastError = failure.message;
          upsertSearchAttributes([{ key: OrderFailureCategory, value: 'TRANSIENT_GAVE_UP' }]);
          showProgress();
        }
        selfRetryingSince = null;
        // Rejected for good: only a fix (a changed row or mapping, seen by the sync) or a rerun wakes it.
        if (!(await condition(woken, input.rerunWait))) throw ApplicationFailure.nonRetryable(`order ${input.key} failed and was not rerun: ${failure.message}`, failure.type);
      }
    }
  } catch (err) {
    // Cancelled (Web UI, `temporal workflow cancel`): staging and the batch say so before the workflow ends cancelled.
    if (isCancellation(err) && patched(HONEST_FAILURES)) {
      await CancellationScope.nonCancellable(() => acts.cleanup.recordOrderCancelled({ key: input.key, batchId, pass: progress.passes }));
      upsertSearchAttributes([{ key: OrderSyncStatus, value: 'CANCELLED' }, { key: OrderFailureCategory, value: 'CANCELLED' }]);
    }
    throw err;
  }
}

async function syncOnce({ db, monday }: Activities, input: OrderWorkflowInput, progress: OrderProgress, showProgress: () => void) {
  progress.step = 'STAGE';
  showProgress();
  const staged = await db.stageOrder({ key: input.key, batchId: input.batchId, pass: progress.passes, snapshotOf: input.snapshotOf ?? null });
  if (staged.status === 'GONE') {
    progress.step = 'GONE';
    upsertSearchAttributes([{ key: OrderSyncStatus, value: 'GONE' }]);
    showProgress();
    return { status: 'GONE' as const, hash: null, itemAction: null };
  }
  upsertSearchAttributes([
    { key: OrderCustomer, value: staged.customer },
    { key: AagOrderNumber, value: staged.aagOrderNumber },
    { key: OrderSyncStatus, value: 'IN_PROGRESS' },
    ...(staged.poNumber ? [{ key: OrderPO, value: staged.poNumber }] : []),
    ...(input.batchId ? [{ key: OrderBatchId, value: input.batchId }] : []),
  ]);
  // The readable key, customer and PO travel with the workflow (the Web UI's memo), also after continue-as-new.
  if (patched(ORDER_MEMO)) upsertMemo({ key: input.key, customer: staged.customer, po: staged.poNumber ?? null });
  if (patched(ORDER_KEY_SEARCH_ATTRIBUTE)) upsertSearchAttributes([{ key: OrderKey, value: input.key }]);

  progress.step = 'ITEM';
  showProgress();
  const item = await monday.upsertItem({ key: input.key, boards: input.boards });
  progress.itemId = item.itemId;

  progress.step = 'SUBITEMS';
  // An item deleted by hand and made again needs every size, not only the changed ones.
  const pendingSizes = item.pendingSizes ?? staged.pendingSizes;
  progress.subitemsTotal = pendingSizes.length;
  progress.subitemsDone = 0;
  // A freshly created item has no subitems yet; anything else is reconciled against Monday first.
  const reconcile = item.action !== 'created';
  for (let i = 0; i < pendingSizes.length; i += input.subitemBatchSize) {
    const sizes = pendingSizes.slice(i, i + input.subitemBatchSize);
    await monday.syncSubitemBatch({ key: input.key, sizes, reconcile, boards: input.boards });
    progress.subitemsDone += sizes.length;
    showProgress();
  }

  progress.step = 'MARK_SYNCED';
  await db.markOrderSynced({ key: input.key, hash: staged.hash, batchId: input.batchId, pass: progress.passes, subitems: progress.subitemsDone });
  upsertSearchAttributes([{ key: OrderSyncStatus, value: 'SYNCED' }]);
  progress.step = 'SYNCED';
  progress.lastError = null;
  showProgress();
  return { status: 'SYNCED' as const, hash: staged.hash, itemAction: item.action };
}

function describeProgress(p: OrderProgress): string {
  const lines = [
    `**${p.step}** · pass ${p.passes}`,
    `Monday item: ${p.itemId ?? '–'} · subitems ${p.subitemsDone}/${p.subitemsTotal}`,
  ];
  if (p.step === 'FAILED') lines.push(`Last error: ${p.lastError ?? ''}`, 'Fix the cause, then: `orders-sync rerun "<order key>"` (or send the signal `rerun`).');
  return lines.join('\n\n');
}

/** `strict`: only a retry window that ran out (or an attempt cap) is transient; any other end of retrying is not. */
function describeFailure(err: unknown, strict: () => boolean): FailureInfo {
  // Temporal says whether retrying stopped because the error is permanent or because the window ran out.
  const state = err instanceof ActivityFailure ? err.retryState : undefined;
  const permanent = state === 'NON_RETRYABLE_FAILURE'
    || (err instanceof ActivityFailure && state !== 'TIMEOUT' && state !== 'MAXIMUM_ATTEMPTS_REACHED' && strict());
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const details = (cause.details?.[0] ?? {}) as Partial<FailureInfo>;
    return {
      type: cause.type ?? 'Error',
      message: cause.message,
      category: permanent ? (details.category ?? 'REJECTED') : 'TRANSIENT_EXHAUSTED',
      httpStatus: details.httpStatus ?? null,
    };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return { type: cause instanceof Error ? cause.name : 'Error', message, category: permanent ? 'REJECTED' : 'TRANSIENT_EXHAUSTED', httpStatus: null };
}
