// The scheduled sync: detect new and changed order lines page by page and hand each to its order workflow.
// Continue-as-new keeps the history bounded however large the backlog is.
import { ActivityFailure, ApplicationFailure, continueAsNew, patched, proxyActivities, uuid4, workflowInfo } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { OrderActivities } from '../activities';
import type { AdoptionActivities } from '../activities/adoption';
import type { PreflightActivities } from '../activities/preflight';
import { DEFAULT_RETRY_WINDOWS, type SyncTotals, type SyncWorkflowInput } from '../shared/workflow-types';



const PAGES_PER_RUN = 25;

function activitiesFor(window: Duration) {
  const retry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' } as const;
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
  const { paged, bookkeeping, guard } = activitiesFor(input.databaseRetryWindow ?? DEFAULT_RETRY_WINDOWS.database);
  const batchId = input.batchId ?? uuid4();
  const totals: SyncTotals = { batchId, total: 0, dispatched: 0, newOrders: 0, changed: 0, unchanged: 0, waiting: 0, rejected: 0, pages: 0, ...input.totals };
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
    const page = await paged.detectChanges({ batchId, cursor, pageSize: input.pageSize, customer: input.customer, po: input.po });
    totals.pages++;
    totals.total += page.total;
    totals.newOrders += page.orders.filter((o) => o.change === 'NEW').length;
    totals.changed += page.orders.filter((o) => o.change === 'CHANGED').length;
    totals.unchanged += page.unchanged;
    totals.waiting += page.waiting;
    totals.rejected += page.rejected;
    if (page.orders.length > 0) {
      await paged.dispatchOrders({ batchId, orders: page.orders });
      totals.dispatched += page.orders.length;
    }
    cursor = page.nextCursor;
    if (cursor === null) break;
  }
  // The counters come from these totals, written once: a retried page never counts twice.
  await bookkeeping.finishSyncBatch({ batchId, totals });
  return totals;
}
