// The scheduled sync: detect new and changed order lines page by page and hand each to its order workflow.
// Continue-as-new keeps the history bounded however large the backlog is.
import {
  ActivityFailure, ApplicationFailure, CancellationScope, continueAsNew, defineQuery, isCancellation, patched, proxyActivities, setCurrentDetails,
  setHandler, uuid4, workflowInfo,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { OrderActivities } from '../activities';
import type { AdoptionActivities } from '../activities/adoption';
import type { PreflightActivities } from '../activities/preflight';
import { DEFAULT_RETRY_WINDOWS, type SyncTotals, type SyncWorkflowInput } from '../shared/workflow-types';



const PAGES_PER_RUN = 25;
/** Issue 18: the sync keeps its own deadline (no workflow execution timeout) and ends its batch as ABANDONED when it
 * runs out or is cancelled; dispatch admits orders (MAX_IN_FLIGHT) and never signals one that has its hash. */
const SYNC_LIFETIME = 'sync-deadline-abandon-admission';
const PAST_DEADLINE = 'SYNC_PAST_DEADLINE';
/** When the caller gives none (SYNC_EXECUTION_TIMEOUT's default). */
const DEFAULT_DEADLINE: Duration = '2h';

export type SyncPhase = 'CHECKING_BOARDS' | 'DETECTING' | 'DISPATCHING' | 'FINISHING' | 'DONE' | 'ABANDONING';
export interface SyncProgress { batchId: string; phase: SyncPhase; deadline: string | null; totals: SyncTotals }
/** The sync's batch id, phase and counts (also its current details in the Web UI). */
export const syncProgressQuery = defineQuery<SyncProgress>('syncProgress');

function activitiesFor(window: Duration, deadlineAt?: number) {
  const retry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' } as const;
  // Every activity's window ends by the sync's deadline (the cleanup below has its own).
  if (deadlineAt !== undefined) window = Math.max(1_000, Math.min(msToNumber(window), deadlineAt - Date.now()));
  return {
    // Detection and dispatch heartbeat: a page is retried 30 s after its worker died, not 5 minutes.
    paged: proxyActivities<OrderActivities>({ startToCloseTimeout: '5 minutes', heartbeatTimeout: '30 seconds', scheduleToCloseTimeout: window, retry }),
    // Batch bookkeeping is one statement each and does not heartbeat.
    bookkeeping: proxyActivities<OrderActivities>({ startToCloseTimeout: '30 seconds', scheduleToCloseTimeout: window, retry }),
    // The adoption guard reads one item of the board (one Monday request, maybe a budget wait).
    guard: proxyActivities<AdoptionActivities & PreflightActivities>({ startToCloseTimeout: '2 minutes', scheduleToCloseTimeout: window, retry }),
  };
}

/** The workflow fails with a refusing check's own line, so the Web UI and the CLI show what to do. */
function refusal(err: unknown): never {
  const cause = err instanceof ActivityFailure ? err.cause : null;
  if (cause instanceof ApplicationFailure && (cause.type === 'BOARD_NOT_ADOPTED' || cause.type === 'BOARD_UNUSABLE')) throw ApplicationFailure.nonRetryable(cause.message, cause.type);
  throw err;
}

export async function syncWorkflow(input: SyncWorkflowInput): Promise<SyncTotals> {
  if (!patched(SYNC_LIFETIME)) return runSync(input, input.batchId ?? uuid4());
  const batchId = input.batchId ?? uuid4();
  const deadlineAt = input.deadlineAt ?? Date.now() + msToNumber(input.deadline ?? DEFAULT_DEADLINE);
  try {
    // The deadline cancels this scope (at least 1 ms: a timeout of 0 would mean none): the running activity is cancelled, and the cleanup below runs.
    return await CancellationScope.withTimeout(Math.max(1, deadlineAt - Date.now()), () => runSync({ ...input, deadlineAt }, batchId));
  } catch (err) {
    if (!isCancellation(err) && !(err instanceof ApplicationFailure && err.type === PAST_DEADLINE)) throw err;
    const cancelled = CancellationScope.current().consideredCancelled;
    const reason = cancelled ? 'the sync was cancelled' : `the sync ran past its deadline (${new Date(deadlineAt).toISOString()}, SYNC_EXECUTION_TIMEOUT)`;
    // Not cancellable: a cancelled workflow still closes its batch, so rollback and status see it ended.
    await CancellationScope.nonCancellable(async () => {
      const { bookkeeping } = activitiesFor(input.databaseRetryWindow ?? DEFAULT_RETRY_WINDOWS.database);
      await bookkeeping.abandonSyncBatch({ batchId, reason });
    });
    if (cancelled) throw err;
    throw ApplicationFailure.nonRetryable(`batch ${batchId} ABANDONED: ${reason}; the orders it dispatched go on, the next sync picks up the rest`, 'SYNC_DEADLINE');
  }
}

async function runSync(input: SyncWorkflowInput, batchId: string): Promise<SyncTotals> {
  const lifetime = input.deadlineAt !== undefined;
  const { paged, bookkeeping, guard } = activitiesFor(input.databaseRetryWindow ?? DEFAULT_RETRY_WINDOWS.database, input.deadlineAt);
  const totals: SyncTotals = { batchId, total: 0, dispatched: 0, newOrders: 0, changed: 0, unchanged: 0, waiting: 0, rejected: 0, pages: 0, ...input.totals };
  const progress: SyncProgress = { batchId, phase: input.batchId ? 'DETECTING' : 'CHECKING_BOARDS', deadline: lifetime ? new Date(input.deadlineAt!).toISOString() : null, totals };
  setHandler(syncProgressQuery, () => progress);
  const show = (phase: SyncPhase) => {
    progress.phase = phase;
    setCurrentDetails(describeSync(progress));
  };
  show(progress.phase);
  if (!input.batchId) {
    // A token or mapping that cannot work with the boards stops the run before any order is touched.
    // (patched, like the guard below: a sync that started before this step existed replays without it.)
    if (patched('preflight-boards')) await guard.checkBoardsUsable().catch(refusal);
    // Never create items on a populated board nobody adopted: fails the run with one line saying what to do.
    // (patched: a sync that started before this step existed replays without it.)
    if (patched('adoption-guard')) await guard.checkBoardAdopted().catch(refusal);
    await bookkeeping.startSyncBatch({ batchId, customer: input.customer ?? null, po: input.po ?? null, scheduledBy: workflowInfo().workflowId });
  }
  let cursor = input.cursor ?? null;
  for (let pagesThisRun = 0; ; pagesThisRun++) {
    if (pagesThisRun >= PAGES_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof syncWorkflow>({ ...input, batchId, cursor, totals });
    }
    // The timer cancels a running activity; between activities the deadline is checked here (a quick activity may
    // finish in the very task the timer fires in).
    if (lifetime && Date.now() >= input.deadlineAt!) throw ApplicationFailure.nonRetryable('past the sync deadline', PAST_DEADLINE);
    show('DETECTING');
    const page = await paged.detectChanges({ batchId, cursor, pageSize: input.pageSize, customer: input.customer, po: input.po });
    totals.pages++;
    totals.total += page.total;
    totals.newOrders += page.orders.filter((o) => o.change === 'NEW').length;
    totals.changed += page.orders.filter((o) => o.change === 'CHANGED').length;
    totals.unchanged += page.unchanged;
    totals.waiting += page.waiting;
    totals.rejected += page.rejected;
    if (page.orders.length > 0) {
      show('DISPATCHING');
      if (lifetime) {
        const admission = { maxInFlight: input.maxInFlight ?? null, targeted: Boolean(input.customer || input.po) };
        const r = await paged.dispatchOrders({ batchId, orders: page.orders, admission });
        totals.dispatched += r.dispatched;
        totals.alreadyRunning = (totals.alreadyRunning ?? 0) + r.alreadyRunning;
        totals.waitingForSlot = r.waiting;
        totals.inFlight = r.inFlight;
      } else {
        await paged.dispatchOrders({ batchId, orders: page.orders });
        totals.dispatched += page.orders.length;
      }
    }
    cursor = page.nextCursor;
    if (cursor === null) break;
  }
  // The counters come from these totals, written once: a retried page never counts twice.
  show('FINISHING');
  await bookkeeping.finishSyncBatch({ batchId, totals });
  show('DONE');
  return totals;
}

function describeSync(p: SyncProgress): string {
  const t = p.totals;
  return [
    `**${p.phase}** · batch ${p.batchId}${p.deadline ? ` · deadline ${p.deadline}` : ''}`,
    `pages ${t.pages} · rows ${t.total} · new ${t.newOrders} · changed ${t.changed} · unchanged ${t.unchanged} · rejected ${t.rejected}`,
    `dispatched ${t.dispatched} · already running ${t.alreadyRunning ?? 0} · waiting for a slot ${t.waitingForSlot ?? 0} · in flight ${t.inFlight ?? 0}`,
  ].join('\n\n');
}
