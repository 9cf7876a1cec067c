// `orders-sync acceptance`: a sample of real order lines through the normal order workflow into a scratch copy of
// the items board, read back and compared column by column, then the copy is deleted (unless kept).
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { AcceptanceActivities, AcceptanceSample, ScratchBoards } from '../activities/acceptance';
import type { CheckRow } from '../activities/acceptance-check';
import { orderWorkflow } from './order';
import type { OrderWorkflowInput } from '../shared/workflow-types';

export interface AcceptanceInput {
  runId: string;
  po: string | null;
  keep: boolean;
  subitemBatchSize: number;
  /** The acceptance worker's own Monday queue: a production worker must not pick up these writes. */
  mondayTaskQueue: string;
}

export interface AcceptanceResult {
  sample: AcceptanceSample;
  boards: ScratchBoards;
  rows: CheckRow[];
  kept: boolean;
}

const db = proxyActivities<AcceptanceActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 5 },
});

export async function acceptanceWorkflow(input: AcceptanceInput): Promise<AcceptanceResult> {
  const monday = proxyActivities<AcceptanceActivities>({
    taskQueue: input.mondayTaskQueue,
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: '30 seconds',
    // duplicate_board is limited to 40 a minute: a rate-limit answer retries after Monday's wait.
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
  });
  const sample = await db.pickAcceptanceSample({ po: input.po });
  const boards = await monday.createScratchBoard({ runId: input.runId });
  try {
    const failedOrders: { key: string; message: string }[] = [];
    // Written even when a column's type differs from the mapping (what Monday then holds is the finding), but not
    // when the copy lacks mapped column ids: every write would be refused. A failed order waits only a second
    // for a rerun: its failure is reported, not retried.
    await Promise.all((boards.columnIdsKept ? sample.keys : []).map(async (key) => {
      const order: OrderWorkflowInput = { key, batchId: null, subitemBatchSize: input.subitemBatchSize, rerunWait: '1 second', boards, mondayTaskQueue: input.mondayTaskQueue };
      try {
        await executeChild(orderWorkflow, { workflowId: `${workflowInfo().workflowId}/order:${key}`, args: [order] });
      } catch (err) {
        failedOrders.push({ key, message: failureMessage(err) });
      }
    }));
    const rows = await monday.compareScratchBoard({ boards, keys: sample.keys, failedOrders });
    return { sample, boards, rows, kept: input.keep };
  } finally {
    if (!input.keep) await monday.deleteScratchBoard({ boards, runId: input.runId });
  }
}

function failureMessage(err: unknown): string {
  let cause: unknown = err;
  while (cause instanceof ChildWorkflowFailure || cause instanceof ActivityFailure) cause = cause.cause;
  return cause instanceof ApplicationFailure || cause instanceof Error ? cause.message : String(cause);
}
