// `orders-sync rollback --batch <id> [--apply]`: runs rollbackWorkflow on a worker and follows it.
import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import type { Store } from '../db/store';
import { operationsOf, rollbackStepsOf } from '../db/open';
import type { StepOutcome } from '../db/rollback-steps';
import { TASK_QUEUE } from '../shared/temporal';
import { rollbackWorkflowId, type RollbackInput, type RollbackProgress, type RollbackResult } from '../workflows';
import type { LegacyRollbackResult, RollbackSummary } from '../workflows/rollback';
import { createProgress, currentWaitReason } from './progress';

export async function runRollback(client: Client, store: Store, input: RollbackInput, log: (line: string) => void): Promise<RollbackResult> {
  // One apply per batch at a time: a second call (or one after the CLI died) follows the running rollback.
  const handle = await client.workflow.start('rollbackWorkflow', {
    taskQueue: TASK_QUEUE,
    workflowId: input.apply ? rollbackWorkflowId(input.batchId) : `${rollbackWorkflowId(input.batchId)}:plan:${Date.now()}`,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    args: [input],
  });
  const operations = operationsOf(store);
  const progress = createProgress({ log });
  const result = handle.result() as Promise<RollbackResult>;
  let finished = false;
  void result.finally(() => { finished = true; }).catch(() => undefined);
  while (!finished) {
    await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, 500))]);
    if (finished) break;
    const p = await handle.query<RollbackProgress>('rollbackStatus').catch(() => null);
    if (p?.phase === 'APPLYING') progress.update({ done: p.done, total: p.total, unit: 'writes undone' }, await currentWaitReason(operations));
  }
  return result.catch((err: unknown) => {
    // "Workflow execution failed" says nothing: pass on the activity's own message (e.g. an unknown batch id).
    let cause = err as Error & { cause?: unknown };
    while (cause.cause instanceof Error) cause = cause.cause as Error & { cause?: unknown };
    throw new Error(cause.message);
  });
}

/** Lines of each list printed; the rest stay in MON_RollbackStep (the last line says how to read them). */
const LIST_LINES = 200;

/** Writes Monday refused (the exit code is 1 when there are any). */
export function rollbackFailures(r: RollbackResult): number {
  return 'plan' in r ? r.failed.length : r.failed;
}

/** The result, with the run's lines read from MON_RollbackStep (the workflow returns counts only). */
export async function describeRollback(store: Store, r: RollbackResult): Promise<string[]> {
  if ('plan' in r) return describeLegacy(r);
  const steps = rollbackStepsOf(store);
  const list = async (outcome: StepOutcome, heading: (n: number) => string): Promise<string[]> => {
    const { lines, total } = await steps.listSteps(r.runId, outcome, LIST_LINES);
    if (total === 0) return [];
    const more = total > lines.length ? [`  ... and ${total - lines.length} more (all: SELECT line FROM MON_RollbackStep WHERE run_id = '${r.runId}' AND outcome = '${outcome}')`] : [];
    return [heading(total), ...lines.map((l) => `  ${l}`), ...more];
  };
  const lines = [
    `batch ${r.batchId}: ${r.orders} order lines; ${r.creates} created item(s)/subitem(s) to archive, ${r.restores} replaced value(s) to write back` +
      (r.alreadyRolledBack ? `; ${r.alreadyRolledBack} write(s) already rolled back` : ''),
  ];
  if (!r.applied) lines.push(...await list('PLANNED', () => 'would do:'));
  lines.push(...await list('MANUAL', (n) => `${n} write(s) need a person:`));
  if (r.applied) {
    lines.push(`rolled back ${r.done} write(s); ${r.ordersMarked} order line(s) marked in staging (not resent until ORDERS_UNIFIED or the mapping changes)`);
    lines.push(...await list('FAILED', (n) => `${n} write(s) Monday refused (run the rollback again after fixing):`));
  } else {
    lines.push('dry run: nothing was changed. Run again with --apply to roll back.');
  }
  return lines;
}

/** A rollback started by a release before issue 18 (its result holds the whole plan). */
function describeLegacy(r: LegacyRollbackResult): string[] {
  const p = r.plan;
  const lines = [
    `batch ${p.batchId}: ${p.orders} order lines; ${p.creates} created item(s)/subitem(s) to archive, ${p.restores} replaced value(s) to write back` +
      (p.alreadyRolledBack ? `; ${p.alreadyRolledBack} write(s) already rolled back` : ''),
  ];
  if (!r.applied) {
    lines.push(...p.preview.map((l) => `  ${l}`));
    if (p.auditIds.length > p.preview.length) lines.push(`  ... and ${p.auditIds.length - p.preview.length} more`);
  }
  if (p.manual.length) lines.push(`${p.manual.length} write(s) need a person:`, ...p.manual.map((m) => `  ${m}`));
  if (r.applied) {
    lines.push(`rolled back ${r.done} write(s); ${r.ordersMarked} order line(s) marked in staging (not resent until ORDERS_UNIFIED or the mapping changes)`);
    if (r.failed.length) lines.push(`${r.failed.length} write(s) Monday refused (run the rollback again after fixing):`, ...r.failed.map((f) => `  ${f}`));
  } else {
    lines.push('dry run: nothing was changed. Run again with --apply to roll back.');
  }
  return lines;
}
