// Rolls one sync batch back (orders-sync rollback): plan from the audit, then, with apply, undo the writes on Monday
// in small groups and mark staging. Durable: a crashed worker resumes where it stopped; the audit remembers what is done.
import { defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import type { RollbackActivities, RollbackPlan } from '../activities/rollback';
import { MONDAY_TASK_QUEUE } from '../shared/temporal';

export interface RollbackInput {
  batchId: string;
  /** false: only the plan (dry run). */
  apply: boolean;
}

export interface RollbackProgress {
  batchId: string;
  phase: 'PLANNING' | 'APPLYING' | 'MARKING_STAGING' | 'DONE';
  total: number;
  done: number;
  failed: string[];
}

export interface RollbackResult {
  plan: RollbackPlan;
  applied: boolean;
  done: number;
  failed: string[];
  ordersMarked: number;
}

export const rollbackStatusQuery = defineQuery<RollbackProgress>('rollbackStatus');

/** Writes undone per activity: small enough that a retry repeats little, large enough to keep the history short. */
const STEPS_PER_ACTIVITY = 20;

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

export function rollbackWorkflowId(batchId: string): string {
  return `rollback:${batchId}`;
}

export async function rollbackWorkflow(input: RollbackInput): Promise<RollbackResult> {
  const progress: RollbackProgress = { batchId: input.batchId, phase: 'PLANNING', total: 0, done: 0, failed: [] };
  setHandler(rollbackStatusQuery, () => progress);
  const plan = await db.planRollback({ batchId: input.batchId });
  progress.total = plan.auditIds.length;
  if (!input.apply) {
    progress.phase = 'DONE';
    return { plan, applied: false, done: 0, failed: [], ordersMarked: 0 };
  }
  progress.phase = 'APPLYING';
  for (let i = 0; i < plan.auditIds.length; i += STEPS_PER_ACTIVITY) {
    const r = await monday.applyRollbackSteps({ batchId: input.batchId, auditIds: plan.auditIds.slice(i, i + STEPS_PER_ACTIVITY) });
    progress.done += r.done;
    progress.failed.push(...r.failed);
  }
  progress.phase = 'MARKING_STAGING';
  const ordersMarked = await db.markOrdersRolledBack({ batchId: input.batchId });
  progress.phase = 'DONE';
  return { plan, applied: true, done: progress.done, failed: progress.failed, ordersMarked };
}
