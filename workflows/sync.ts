// The scheduled sync: detect new and changed order lines page by page and hand each to its order workflow.
// Continue-as-new keeps the history bounded however large the backlog is.
import { ActivityFailure, ApplicationFailure, continueAsNew, patched, proxyActivities, uuid4, workflowInfo } from '@temporalio/workflow';
import type { OrderActivities } from '../activities';
import type { AdoptionActivities } from '../activities/adoption';

export interface SyncWorkflowInput {
  pageSize: number;
  customer?: string;
  po?: string;
  /** Carried across continue-as-new. */
  batchId?: string;
  cursor?: string | null;
  totals?: SyncTotals;
}

export interface SyncTotals {
  batchId: string;
  dispatched: number;
  unchanged: number;
  rejected: number;
  pages: number;
}

const PAGES_PER_RUN = 25;

const db = proxyActivities<OrderActivities & AdoptionActivities>({
  startToCloseTimeout: '5 minutes',
  // Detection and dispatch heartbeat: a page is retried 30 s after its worker died, not 5 minutes.
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 100 },
});

export async function syncWorkflow(input: SyncWorkflowInput): Promise<SyncTotals> {
  const batchId = input.batchId ?? uuid4();
  const totals: SyncTotals = input.totals ?? { batchId, dispatched: 0, unchanged: 0, rejected: 0, pages: 0 };
  if (!input.batchId) {
    // Never create items on a populated board nobody adopted: fails the run with one line saying what to do.
    // (patched: a sync that started before this step existed replays without it.)
    if (patched('adoption-guard')) await db.checkBoardAdopted().catch((err: unknown) => {
      // The workflow fails with the guard's own line, so the Web UI and the CLI show what to do.
      const cause = err instanceof ActivityFailure ? err.cause : null;
      if (cause instanceof ApplicationFailure && cause.type === 'BOARD_NOT_ADOPTED') throw ApplicationFailure.nonRetryable(cause.message, cause.type);
      throw err;
    });
    await db.startSyncBatch({ batchId, customer: input.customer ?? null, po: input.po ?? null, scheduledBy: workflowInfo().workflowId });
  }
  let cursor = input.cursor ?? null;
  for (let pagesThisRun = 0; ; pagesThisRun++) {
    if (pagesThisRun >= PAGES_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof syncWorkflow>({ ...input, batchId, cursor, totals });
    }
    const page = await db.detectChanges({ batchId, cursor, pageSize: input.pageSize, customer: input.customer, po: input.po });
    totals.pages++;
    totals.unchanged += page.unchanged;
    totals.rejected += page.rejected;
    if (page.orders.length > 0) {
      await db.dispatchOrders({ batchId, orders: page.orders });
      totals.dispatched += page.orders.length;
    }
    cursor = page.nextCursor;
    if (cursor === null) break;
  }
  await db.finishSyncBatch({ batchId, totals });
  return totals;
}
