// `orders-sync verify`: runs the verify workflow on a running worker, prints its progress, one summary line with the
// counts per drift class and a few examples of each, and writes the full report on request (CSV, or JSON).
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Store } from '../db/store';
import { verifyStoreOf } from '../db/open';
import { csvText } from '../shared/csv';
import { TASK_QUEUE } from '../shared/temporal';
import { DRIFT_CLASSES, type VerifyScope, type VerifySummary } from '../shared/verify';
import type { Drift } from '../activities/verify-drift';
import type { VerifyInput, VerifyProgress } from '../workflows';

export interface VerifyOptions { scope: VerifyScope; repair: boolean; reportFile: string | null; boardId: string }

/** One verify per board at a time: two would read the board twice and a repair could race another. */
export function verifyWorkflowId(boardId: string): string {
  return `board-verify:${boardId}`;
}

export async function runVerify(client: Client, store: Store, opts: VerifyOptions, print: (line: string) => void): Promise<{ summary: VerifySummary; lines: string[]; drift: Drift[] }> {
  const input: VerifyInput = { runId: randomUUID(), scope: opts.scope, repair: opts.repair };
  let handle;
  try {
    handle = await client.workflow.start('verifyWorkflow', { taskQueue: TASK_QUEUE, workflowId: verifyWorkflowId(opts.boardId), args: [input], workflowIdConflictPolicy: 'FAIL' });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    throw new Error(`a verify of board ${opts.boardId} is already running (workflow ${verifyWorkflowId(opts.boardId)}); wait for it to end (Web UI) and run this again`);
  }
  let last = '';
  const timer = setInterval(() => {
    handle.query<VerifyProgress>('verifyProgress').then((p) => {
      const line = progressLine(p);
      if (line !== last) print(line);
      last = line;
    }, () => {});
  }, 2000);
  let summary: VerifySummary;
  try {
    summary = await handle.result();
  } finally {
    clearInterval(timer);
  }
  const drift = await verifyStoreOf(store).listDrift(input.runId);
  if (opts.reportFile) fs.writeFileSync(opts.reportFile, opts.reportFile.endsWith('.json') ? JSON.stringify({ runId: input.runId, scope: opts.scope, summary, drift }, null, 2) : driftCsv(drift));
  return { summary, drift, lines: reportLines(input.runId, summary, drift, opts) };
}

function progressLine(p: VerifyProgress): string {
  const r = p.summary?.repair;
  return `${p.phase}: read ${p.itemsRead} items, ${p.subitemsRead} subitems${r ? `; repairs ${r.synced + r.failed}/${r.dispatched} done, ${r.archived} archived` : ''}`;
}

export function driftCsv(drift: Drift[]): string {
  return csvText([['class', 'order_key', 'item_id', 'subitem_id', 'kept_item_id', 'subject', 'expected', 'actual'],
    ...drift.map((d) => [d.class, d.orderKey ?? '', d.itemId ?? '', d.subitemId ?? '', d.keptItemId ?? '', d.subject, d.expected, d.actual])]);
}

/** The summary line (counts per class), a few examples of each class, what --repair did, and where the report is. */
export function reportLines(runId: string, s: VerifySummary, drift: Drift[], opts: VerifyOptions): string[] {
  const total = DRIFT_CLASSES.reduce((n, c) => n + s.counts[c], 0);
  const counts = DRIFT_CLASSES.map((c) => `${c} ${s.counts[c]}`).join(', ');
  const lines = [`verify ${runId}: ${total === 0 ? 'no drift' : `${total} drift`} in ${s.lines} order lines (${s.items} items, ${s.subitems} subitems read${s.unverified ? `, ${s.unverified} items of source rows the mapping rejects not compared` : ''}): ${counts}`];
  for (const c of DRIFT_CLASSES) {
    for (const d of drift.filter((x) => x.class === c).slice(0, 3)) {
      lines.push(`  e.g. ${c}: ${d.orderKey ?? '(no order line)'} item ${d.itemId ?? '-'}${d.subitemId ? ` subitem ${d.subitemId}` : ''} ${d.subject}: expected ${d.expected}, board has ${d.actual}`);
    }
  }
  const r = s.repair;
  if (r) {
    lines.push(`repair (batch ${r.batchId}): ${r.archived} duplicate/orphan items archived (audited; restorable from the board's archive), ${r.synced} of ${r.dispatched} order lines synced, ${r.failed} failed${r.failed ? ' (orders-sync status; fix, then orders-sync rerun --failed)' : ''}; run orders-sync verify again to confirm`);
  } else if (total > 0 && !opts.repair) {
    lines.push('to repair: orders-sync verify --repair (drifting order lines go through the order workflow; duplicates and orphans are archived, never deleted)');
  }
  if (opts.reportFile) lines.push(`full report: ${opts.reportFile}`);
  return lines;
}

/** Exit code: 0 only with no drift; after --repair, 0 when every drifting order line was repaired. */
export function verifyExitCode(s: VerifySummary): number {
  if (s.repair) return s.repair.failed === 0 && s.repair.ended ? 0 : 1;
  return DRIFT_CLASSES.every((c) => s.counts[c] === 0) ? 0 : 1;
}
