// `orders-sync verify`: read the whole board (items, then subitems) page by page, compare it with what the mapping makes
// of ORDERS_UNIFIED, and with --repair archive duplicates and orphans and send every drifting order line through its
// order workflow, then wait for them. Every step is an activity and the cursor lives in the workflow, so a crash
// resumes from the last page read (as `board adopt` does, workflows/adopt.ts).
import { continueAsNew, defineQuery, patched, proxyActivities, setCurrentDetails, setHandler, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { VerifyActivities } from '../activities/verify';
import { readBoardPages } from './board-read';
import type { VerifyScope, VerifySummary } from '../shared/verify';
import { MONDAY_TASK_QUEUE } from '../shared/temporal';
import { CONTROL_TASK_QUEUE } from '../shared/control-queue';

export interface VerifyInput {
  /** Empty for a scheduled run: its first run id names it. */
  runId: string;
  scope: VerifyScope;
  repair: boolean;
  /** Where a continued run picks up (the repair's wait can outlast one history). */
  resume?: { summary: VerifySummary; batchId: string; archived: number; dispatched: number };
}

export interface VerifyProgress {
  runId: string;
  phase: 'READ_ITEMS' | 'READ_SUBITEMS' | 'COMPARE' | 'REPAIR' | 'WAIT_FOR_REPAIRS' | 'DONE';
  itemsRead: number;
  subitemsRead: number;
  restarts: number;
  summary: VerifySummary | null;
}

export const verifyProgressQuery = defineQuery<VerifyProgress>('verifyProgress');

const db = proxyActivities<VerifyActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 100, nonRetryableErrorTypes: ['NO_BATCH', 'CONFIG'] },
});

const mondayOptions: ActivityOptions = {
  taskQueue: MONDAY_TASK_QUEUE,
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 30, nonRetryableErrorTypes: ['CURSOR_EXPIRED'] },
};
/** Issue 18: verify's Monday work runs on the control queue, not behind the order backlog; runs started before replay on the Monday queue. */
const CONTROL_QUEUE = 'verify-on-control-queue';
const mondayQueue = proxyActivities<VerifyActivities>(mondayOptions);
const controlQueue = proxyActivities<VerifyActivities>({ ...mondayOptions, taskQueue: CONTROL_TASK_QUEUE });

export async function verifyWorkflow(scheduled: VerifyInput): Promise<VerifySummary> {
  const input = { ...scheduled, runId: scheduled.runId || workflowInfo().firstExecutionRunId };
  const progress: VerifyProgress = { runId: input.runId, phase: 'READ_ITEMS', itemsRead: 0, subitemsRead: 0, restarts: 0, summary: input.resume?.summary ?? null };
  setHandler(verifyProgressQuery, () => progress);
  const monday = patched(CONTROL_QUEUE) ? controlQueue : mondayQueue;
  const show = () => setCurrentDetails(describe(progress, input));
  show();

  let summary: VerifySummary;
  let repair = input.resume;
  if (!repair) {
    await db.startVerify({ runId: input.runId, scope: input.scope });
    await readBoardPages(progress, (side, cursor) => monday.readVerifyPage({ runId: input.runId, side, cursor }), show);
    progress.phase = 'COMPARE';
    show();
    summary = await monday.compareBoard({ runId: input.runId, scope: input.scope });
    progress.summary = summary;
    const drifting = summary.driftingLines + summary.counts.orphan_item;
    if (input.repair && drifting > 0) {
      progress.phase = 'REPAIR';
      show();
      const { archived } = await monday.repairBoard({ runId: input.runId });
      const { batchId, dispatched } = await db.dispatchRepairs({ runId: input.runId });
      repair = { summary, batchId, archived, dispatched };
    }
  } else {
    summary = repair.summary;
  }
  if (repair) {
    progress.phase = 'WAIT_FOR_REPAIRS';
    for (;;) {
      const p = await db.repairProgress({ batchId: repair.batchId });
      summary = { ...summary, repair: { batchId: repair.batchId, dispatched: repair.dispatched, archived: repair.archived, ...p } };
      progress.summary = summary;
      show();
      if (p.ended) break;
      if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof verifyWorkflow>({ ...input, resume: { ...repair, summary } });
    }
  }
  await db.finishVerify({ runId: input.runId, scope: input.scope, summary });
  progress.phase = 'DONE';
  show();
  return summary;
}

function describe(p: VerifyProgress, input: VerifyInput): string {
  const scope = [input.scope.customer && `customer ${input.scope.customer}`, input.scope.po && `PO ${input.scope.po}`].filter(Boolean).join(', ') || 'whole board';
  const lines = [`**verify ${p.phase}** · ${scope}${input.repair ? ' · repair' : ''}`, `read ${p.itemsRead} items, ${p.subitemsRead} subitems${p.restarts ? ` (${p.restarts} restart(s) after an expired cursor)` : ''}`];
  const s = p.summary;
  if (s) {
    const counts = Object.entries(s.counts).filter(([, n]) => n > 0).map(([c, n]) => `${c} ${n}`).join(' · ');
    lines.push(`compared ${s.lines} order lines: ${counts || 'no drift'}`);
    if (s.repair) lines.push(`repair ${s.repair.batchId}: ${s.repair.archived} archived, ${s.repair.synced + s.repair.failed}/${s.repair.dispatched} order lines done (${s.repair.failed} failed)`);
  }
  return lines.join('\n\n');
}
