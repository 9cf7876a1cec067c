// Rolls one sync batch back (orders-sync rollback): page through the batch's audit, newest write first; each page
// decides every write's step and, with apply, undoes it on Monday; then mark staging, page by page. Durable: a crashed
// worker resumes where it stopped; the audit and MON_RollbackStep remember what is done. Issue 18: pages are read in
// the database (never the whole plan as one payload), the run continues as new before its history grows large, and
// it returns counts only: the lines (planned, undone, refused, manual) stay in MON_RollbackStep for the CLI.
import { continueAsNew, defineQuery, patched, proxyActivities, setHandler, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { RollbackActivities, RollbackPlan } from '../activities/rollback';
import { MONDAY_TASK_QUEUE } from '../shared/temporal';
import { CONTROL_TASK_QUEUE } from '../shared/control-queue';
import type { RollbackCounts } from '../shared/workflow-types';

export interface RollbackInput {
  batchId: string;
  /** false: only the plan (dry run). */
  apply: boolean;
  /** Pages per run before it continues as new (default 500); tests and benches set fewer. */
  pagesPerRun?: number;
  /** Set when the run continues as new: where it stands. */
  resume?: RollbackState;
}


interface RollbackState {
  /** MON_RollbackStep's run id: the first run's id, kept across continue-as-new. */
  runId: string;
  phase: 'UNDO' | 'MARK';
  /** UNDO: the audit id the next page reads below (null: the newest); MARK: the one it reads above. */
  cursor: number | null;
  total: number;
  orders: number;
  processed: number;
  counts: RollbackCounts;
}

export interface RollbackProgress {
  batchId: string;
  phase: 'PLANNING' | 'APPLYING' | 'MARKING_STAGING' | 'DONE';
  total: number;
  done: number;
  failed: number;
}

/** What a rollback returns: counts, and the run id its lines are recorded under. */
export interface RollbackSummary extends RollbackCounts {
  runId: string;
  batchId: string;
  applied: boolean;
  /** Audit rows still to undo when the run began, and the batch's order lines. */
  total: number;
  orders: number;
}

/** What rollbacks of earlier releases returned (the whole plan: issue 18). */
export interface LegacyRollbackResult {
  plan: RollbackPlan;
  applied: boolean;
  done: number;
  failed: string[];
  ordersMarked: number;
}

export type RollbackResult = RollbackSummary | LegacyRollbackResult;

export const rollbackStatusQuery = defineQuery<RollbackProgress>('rollbackStatus');

/** Writes undone per activity: small enough that a retry repeats little, large enough to keep the history short. */
const STEPS_PER_ACTIVITY = 20;
const PAGED = 'rollback-pages-audit-in-database';
/** Audit rows per page: with apply each is a Monday write (a page takes a minute or so at Monday's pace). */
const APPLY_PAGE = 50;
const PLAN_PAGE = 500;
const MARK_PAGE = 500;
/** Pages per run before continuing as new: about 3,000 history events, far from the 51,200 limit. */
const PAGES_PER_RUN = 500;

const db = proxyActivities<RollbackActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 100, nonRetryableErrorTypes: ['UNKNOWN_BATCH', 'BATCH_RUNNING'] },
});
const monday = proxyActivities<RollbackActivities>({
  taskQueue: MONDAY_TASK_QUEUE,
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 30 },
});
/** Paged activities heartbeat every 2 s (a dead worker's page is retried after a minute). */
const paged: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 30, nonRetryableErrorTypes: ['UNKNOWN_BATCH', 'BATCH_RUNNING', 'ORDERS_RUNNING'] },
};
const pagedDb = proxyActivities<RollbackActivities>(paged);
const control = proxyActivities<RollbackActivities>({ ...paged, taskQueue: CONTROL_TASK_QUEUE });

export function rollbackWorkflowId(batchId: string): string {
  return `rollback:${batchId}`;
}

export async function rollbackWorkflow(input: RollbackInput): Promise<RollbackResult> {
  const progress: RollbackProgress = { batchId: input.batchId, phase: 'PLANNING', total: 0, done: 0, failed: 0 };
  setHandler(rollbackStatusQuery, () => progress);
  if (!patched(PAGED)) return legacyRollback(input, progress);

  const s: RollbackState = input.resume ?? await (async () => {
    const c = await pagedDb.beginRollback({ batchId: input.batchId });
    const counts = { creates: 0, restores: 0, alreadyRolledBack: 0, manual: 0, done: 0, failed: 0, ordersMarked: 0 };
    return { runId: workflowInfo().firstExecutionRunId, phase: 'UNDO', cursor: null, total: c.open, orders: c.orders, processed: 0, counts } satisfies RollbackState;
  })();
  const show = () => {
    progress.phase = s.phase === 'MARK' ? 'MARKING_STAGING' : input.apply ? 'APPLYING' : 'PLANNING';
    progress.total = s.total;
    progress.done = s.processed;
    progress.failed = s.counts.failed;
  };
  let pages = 0;
  const continueIfLong = async () => {
    if (++pages >= (input.pagesPerRun ?? PAGES_PER_RUN) || workflowInfo().continueAsNewSuggested) await continueAsNew<typeof rollbackWorkflow>({ ...input, resume: s });
  };
  show();
  while (s.phase === 'UNDO') {
    const page = await (input.apply ? control : pagedDb).rollbackPage({ runId: s.runId, batchId: input.batchId, apply: input.apply, before: s.cursor, limit: input.apply ? APPLY_PAGE : PLAN_PAGE });
    for (const k of ['creates', 'restores', 'alreadyRolledBack', 'manual', 'done', 'failed'] as const) s.counts[k] += page[k];
    s.processed += page.read - page.alreadyRolledBack;
    s.cursor = page.next;
    show();
    if (page.next === null) break;
    await continueIfLong();
  }
  if (input.apply) {
    if (s.phase === 'UNDO') Object.assign(s, { phase: 'MARK', cursor: 0 });
    show();
    for (;;) {
      const m = await pagedDb.markStagingPage({ batchId: input.batchId, after: s.cursor ?? 0, limit: MARK_PAGE });
      if (m.next === null) { s.counts.ordersMarked = m.ordersMarked; break; }
      s.cursor = m.next;
      await continueIfLong();
    }
  }
  progress.phase = 'DONE';
  return { runId: s.runId, batchId: input.batchId, applied: input.apply, total: s.total, orders: s.orders, ...s.counts };
}

/** Rollbacks started before issue 18 replay as they ran: the whole plan in one payload, no continue-as-new. */
async function legacyRollback(input: RollbackInput, progress: RollbackProgress): Promise<LegacyRollbackResult> {
  const plan = await db.planRollback({ batchId: input.batchId });
  progress.total = plan.auditIds.length;
  if (!input.apply) {
    progress.phase = 'DONE';
    return { plan, applied: false, done: 0, failed: [], ordersMarked: 0 };
  }
  progress.phase = 'APPLYING';
  const failed: string[] = [];
  for (let i = 0; i < plan.auditIds.length; i += STEPS_PER_ACTIVITY) {
    const r = await monday.applyRollbackSteps({ batchId: input.batchId, auditIds: plan.auditIds.slice(i, i + STEPS_PER_ACTIVITY) });
    progress.done += r.done;
    failed.push(...r.failed);
    progress.failed = failed.length;
  }
  progress.phase = 'MARKING_STAGING';
  const ordersMarked = await db.markOrdersRolledBack({ batchId: input.batchId });
  progress.phase = 'DONE';
  return { plan, applied: true, done: progress.done, failed, ordersMarked };
}
