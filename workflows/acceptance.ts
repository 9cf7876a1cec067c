// `orders-sync acceptance`: a sample of real order lines through the normal order workflow into a scratch copy of
// the items board, read back and compared column by column, then the copy is deleted (unless kept).
// Since issue 20 (patch ACCEPTANCE_PROBES) it also checks the token's rights first, measures on the copy what the
// design rests on (Idempotency-Key replay and conflict, key look-up delay, time per alias), keeps its check rows in
// a table the CLI reads (only counts come back through Temporal), and deletes the copy whatever happens, a
// cancellation (Ctrl-C) included.
import {
  ActivityFailure, ApplicationFailure, CancellationScope, ChildWorkflowFailure, executeChild, isCancellation, patched, proxyActivities, workflowInfo,
} from '@temporalio/workflow';
import type { AcceptanceActivities, AcceptanceCounts, AcceptanceSample, ScratchBoards } from '../activities/acceptance';
import type { CheckRow } from '../activities/acceptance-check';
import type { MondayFigures } from '../activities/acceptance-probes';
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
  /** Before issue 20: every check row. Since: empty; the rows are in the scratch store's MON_AcceptanceCheck. */
  rows: CheckRow[];
  kept: boolean;
  /** Since issue 20. */
  counts?: AcceptanceCounts;
  figures?: MondayFigures | null;
  warnings?: string[];
}

/** Issue 20: rights, probes, rows in a table, cleanup a cancellation cannot skip. */
const ACCEPTANCE_PROBES = 'acceptance-rights-probes-table-cleanup';

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
  const v2 = patched(ACCEPTANCE_PROBES);
  const sample = await db.pickAcceptanceSample({ po: input.po });
  const warnings = v2 ? (await monday.checkAcceptanceRights()).warnings : [];
  let boards: ScratchBoards | null = v2 ? null : await monday.createScratchBoard({ runId: input.runId });
  try {
    boards ??= await monday.createScratchBoard({ runId: input.runId });
    const figures = v2 && boards.columnIdsKept ? await monday.probeMonday({ runId: input.runId, boards }) : null;
    const failedOrders: { key: string; message: string }[] = [];
    // Written even when a column's type differs from the mapping (what Monday then holds is the finding), but not
    // when the copy lacks mapped column ids: every write would be refused. A failed order waits only a second
    // for a rerun: its failure is reported, not retried.
    // Each order line needs only the two board ids (before issue 20 it carried the copy's structure checks too:
    // 500 order lines made a 4 MB history).
    const scratch = v2 ? { itemsBoardId: boards.itemsBoardId, subitemsBoardId: boards.subitemsBoardId } : boards;
    const columnIdsKept = boards.columnIdsKept;
    await Promise.all((columnIdsKept ? sample.keys : []).map(async (key) => {
      const order: OrderWorkflowInput = { key, batchId: null, subitemBatchSize: input.subitemBatchSize, rerunWait: '1 second', boards: scratch, mondayTaskQueue: input.mondayTaskQueue };
      try {
        await executeChild(orderWorkflow, { workflowId: `${workflowInfo().workflowId}/order:${key}`, args: [order] });
      } catch (err) {
        if (v2 && isCancellation(err)) throw err;
        failedOrders.push({ key, message: failureMessage(err) });
      }
    }));
    const compared = await monday.compareScratchBoard({ boards, keys: sample.keys, failedOrders, ...(v2 ? { runId: input.runId } : {}) });
    if (Array.isArray(compared)) return { sample, boards, rows: compared, kept: input.keep };
    return { sample, boards, rows: [], kept: input.keep, counts: compared, figures, warnings };
  } finally {
    if (!input.keep) {
      // A cancelled run deletes its copy too: the delete runs outside the cancelled scope.
      const remove = () => monday.deleteScratchBoard({ boards, runId: input.runId });
      await (v2 ? CancellationScope.nonCancellable(remove) : remove());
    }
  }
}

function failureMessage(err: unknown): string {
  let cause: unknown = err;
  while (cause instanceof ChildWorkflowFailure || cause instanceof ActivityFailure) cause = cause.cause;
  return cause instanceof ApplicationFailure || cause instanceof Error ? cause.message : String(cause);
}
