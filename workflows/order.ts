// One durable workflow per order line: stage → create or update the item → subitems in batches → mark synced.
// Every step is an activity; after a crash the workflow resumes from the last finished step.
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { OrderActivities, FailureInfo } from '../activities';
import { MONDAY_TASK_QUEUE, OrderCustomer, OrderPO, AagOrderNumber, OrderSyncStatus } from '../shared/temporal';
import { rerunSignal, sourceChangedSignal, statusQuery, type OrderProgress } from './messages';

export interface OrderWorkflowInput {
  key: string;
  batchId: string | null;
  subitemBatchSize: number;
  /** How long a failed order waits for a rerun signal before the workflow ends as failed, e.g. '7d'. */
  rerunWait: Duration;
}

export interface OrderResult {
  key: string;
  status: 'SYNCED' | 'GONE';
  itemId: string | null;
  itemAction: 'created' | 'updated' | 'found' | null;
  subitems: number;
  passes: number;
}

const db = proxyActivities<OrderActivities>({
  // Database steps take milliseconds; a short timeout retries quickly after a worker dies.
  startToCloseTimeout: '20 seconds',
  // Database outages heal: keep retrying for a long time, never faster than every 30 s at the end.
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 100, nonRetryableErrorTypes: ['MAPPING_ERROR', 'DUPLICATE_ORDER_KEY'] },
});

const monday = proxyActivities<OrderActivities>({
  taskQueue: MONDAY_TASK_QUEUE,
  startToCloseTimeout: '5 minutes',
  // Monday activities heartbeat every 2 s: a dead worker's attempt is retried after 15 s, not 5 minutes.
  heartbeatTimeout: '15 seconds',
  // Rate limits come back with nextRetryDelay from Monday's own wait; this is the backoff for the rest.
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 30 },
});

export async function orderWorkflow(input: OrderWorkflowInput): Promise<OrderResult> {
  const progress: OrderProgress = { key: input.key, step: 'STAGE', itemId: null, subitemsTotal: 0, subitemsDone: 0, passes: 0, lastError: null };
  let latestSourceHash: string | null = null;
  let rerunRequested = false;
  setHandler(statusQuery, () => progress);
  // What the Web UI shows as the workflow's current details.
  const showProgress = () => setCurrentDetails(describeProgress(progress));
  setHandler(rerunSignal, () => void (rerunRequested = true));
  setHandler(sourceChangedSignal, (hash) => void (latestSourceHash = hash));

  for (;;) {
    progress.passes++;
    rerunRequested = false;
    try {
      const result = await syncOnce(input, progress, showProgress);
      // An order changed while it was syncing goes round again instead of being lost.
      if (result.status === 'SYNCED' && latestSourceHash !== null && latestSourceHash !== result.hash) continue;
      return { key: input.key, status: result.status, itemId: progress.itemId, itemAction: result.itemAction, subitems: progress.subitemsDone, passes: progress.passes };
    } catch (err) {
      const failure = describeFailure(err);
      progress.step = 'FAILED';
      progress.lastError = failure.message;
      await db.recordOrderFailure({ key: input.key, batchId: input.batchId, failure });
      upsertSearchAttributes([{ key: OrderSyncStatus, value: 'FAILED' }]);
      showProgress();
      const failedHash = latestSourceHash;
      const retry = await condition(() => rerunRequested || latestSourceHash !== failedHash, input.rerunWait);
      if (!retry) throw ApplicationFailure.nonRetryable(`order ${input.key} failed and was not rerun: ${failure.message}`, failure.type);
    }
  }
}

async function syncOnce(input: OrderWorkflowInput, progress: OrderProgress, showProgress: () => void) {
  progress.step = 'STAGE';
  showProgress();
  const staged = await db.stageOrder({ key: input.key, batchId: input.batchId });
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
  ]);

  progress.step = 'ITEM';
  showProgress();
  const item = await monday.upsertItem({ key: input.key });
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
    await monday.syncSubitemBatch({ key: input.key, sizes, reconcile });
    progress.subitemsDone += sizes.length;
    showProgress();
  }

  progress.step = 'MARK_SYNCED';
  await db.markOrderSynced({ key: input.key, hash: staged.hash, batchId: input.batchId, subitems: progress.subitemsDone });
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

function describeFailure(err: unknown): FailureInfo {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const details = (cause.details?.[0] ?? {}) as Partial<FailureInfo>;
    return {
      type: cause.type ?? 'Error',
      message: cause.message,
      category: details.category ?? (cause.nonRetryable ? 'REJECTED' : 'TRANSIENT_EXHAUSTED'),
      httpStatus: details.httpStatus ?? null,
    };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return { type: cause instanceof Error ? cause.name : 'Error', message, category: 'TRANSIENT_EXHAUSTED', httpStatus: null };
}
