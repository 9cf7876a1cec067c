// `orders-sync board adopt`: runs the adoption workflow on a running worker, prints its progress and the
// short report, and writes the full report (CSV, or JSON when the file name ends in .json).
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Store } from '../db/store';
import { TASK_QUEUE } from '../shared/temporal';
import { reportCsv, type AdoptionPlan, type AdoptionSummary } from '../mapping/adoption-match';
import type { AdoptInput, AdoptProgress } from '../workflows';
import { createProgress } from './progress';

export interface AdoptOptions {
  apply: boolean;
  archiveDuplicates: boolean;
  /** Write the key column during --apply (one mutation per item) instead of leaving it to the next sync. */
  writeKeys?: boolean;
  reportFile: string;
  boardId: string;
}

/** One adoption per board at a time: a second `board adopt` while one runs follows the running one. */
export function adoptWorkflowId(boardId: string): string {
  return `board-adopt:${boardId}`;
}

/** The input of the adoption running on this board, or null when none runs. */
async function runningAdoption(client: Client, boardId: string): Promise<AdoptInput | null> {
  const handle = client.workflow.getHandle(adoptWorkflowId(boardId));
  try {
    if ((await handle.describe()).status.name !== 'RUNNING') return null;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
  const first = (await handle.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return first ? defaultPayloadConverter.fromPayload<AdoptInput>(first) : null;
}

export async function runBoardAdopt(client: Client, store: Store, opts: AdoptOptions, print: (line: string) => void): Promise<AdoptProgress> {
  if (opts.archiveDuplicates && !opts.apply) throw new Error('--archive-duplicates needs --apply (a dry run changes nothing)');
  if (opts.writeKeys && !opts.apply) throw new Error('--write-keys needs --apply (a dry run changes nothing)');
  // One adoption per board runs at a time and a second start follows it: an --apply must not silently follow a dry run.
  const running = opts.apply ? await runningAdoption(client, opts.boardId) : null;
  if (running && !running.apply) {
    throw new Error(`a dry run of board adopt (run ${running.runId}) is still running on board ${opts.boardId}; --apply would only follow it. Wait for it to finish (orders-sync board adopt follows it), then run --apply again.`);
  }
  const input: AdoptInput = { runId: randomUUID(), apply: opts.apply, archiveDuplicates: opts.archiveDuplicates, writeKeys: opts.writeKeys === true };
  const handle = await client.workflow.start('adoptBoardWorkflow', {
    taskQueue: TASK_QUEUE, workflowId: adoptWorkflowId(opts.boardId), args: [input], workflowIdConflictPolicy: 'USE_EXISTING',
  });
  let last = '';
  // Archiving is one long, paced activity: its count comes from the audit table each archive is written to.
  let archiving: ReturnType<typeof createProgress> | null = null;
  const timer = setInterval(() => {
    handle.query<AdoptProgress>('adoptProgress').then(async (p) => {
      if (p.phase === 'ARCHIVE' && p.summary) {
        archiving ??= createProgress({ log: print, minIntervalMs: 10_000 });
        const archived = (await store.listArchives({ runId: p.runId })).length;
        archiving.update({ done: archived, total: p.summary.duplicates + p.summary.duplicateSizes, unit: 'duplicates archived' }, ARCHIVE_PACE);
        return;
      }
      const line = progressLine(p);
      if (line !== last) print(line);
      last = line;
    }, () => {});
  }, 2000);
  let result: AdoptProgress;
  try {
    result = await handle.result();
  } finally {
    clearInterval(timer);
  }
  const run = await store.getAdoptionRun(result.runId);
  const report = run?.report as { summary: AdoptionSummary; plan: AdoptionPlan; notLinked?: { key: string; reason: string }[] } | null;
  if (report) {
    fs.writeFileSync(opts.reportFile, opts.reportFile.endsWith('.json') ? JSON.stringify(report, null, 2) : reportCsv(report.plan, report.notLinked));
  }
  return result;
}

/** Why archiving takes minutes: each archive is a mutation (Monday's documented 30,000), paced to a share of the budget. */
const ARCHIVE_PACE = 'up to 100 a bulk_archive_items request, paced to ADOPT_READ_SHARE of the complexity budget';

export function progressLine(p: AdoptProgress): string {
  return `${p.phase}: read ${p.itemsRead} items, ${p.subitemsRead} subitems${p.phase === 'LINK' || p.phase === 'WRITE_KEYS' || p.phase === 'ARCHIVE' ? `; linked ${p.linked}, key columns written ${p.keysWritten}, archived ${p.archived}` : ''}`;
}

/** The short report: counts, and a few examples of each class. */
export function reportLines(p: AdoptProgress, opts: AdoptOptions): string[] {
  const s = p.summary;
  if (!s) return ['no report'];
  if (s.boardItems === 0) return ['the board is empty: nothing to adopt (the sync may create items on it)'];
  const m = s.matched;
  const lines = [
    `board items read: ${s.boardItems} (subitems ${p.subitemsRead})`,
    `matched order lines: ${m.key + m.values + m.name} (by key column ${m.key}, by AAG/STYLE/COLOR ${m.values}, by item name ${m.name})`,
    `duplicate items: ${s.duplicates}${opts.archiveDuplicates ? ` (archived ${p.archived} items and sizes)` : ''}`,
    `duplicate sizes: ${s.duplicateSizes}`,
    `orphans (board items with no order line, left alone): ${s.orphans}`,
    `order lines with no item (the next sync creates them): ${s.missing}`,
    `ambiguous (left alone): ${s.ambiguous}`,
    `source rows the mapping rejects (no order line; their items stay orphans without a key; fix them and adopt again): ${s.rejected}`,
  ];
  for (const [name, examples] of Object.entries(s.examples)) for (const e of examples) lines.push(`  e.g. ${name}: ${e}`);
  if (!opts.apply) {
    lines.push(`dry run: nothing was changed. Read ${opts.reportFile}, then run: orders-sync board adopt --apply --archive-duplicates`);
  } else {
    for (const n of p.notLinked.slice(0, 3)) lines.push(`  e.g. not linked: ${n.key}: ${n.reason}`);
    lines.push(`applied: ${p.linked} order lines linked in staging${p.notLinked.length ? `, ${p.notLinked.length} matched lines NOT linked (they never get a key until fixed; see the report)` : ''}${opts.writeKeys ? `, ${p.keysWritten} key columns written` : ''}`);
    // The key column is written by the sync's update of each adopted item (the mutation it makes anyway).
    lines.push(`next: the next sync writes the key column on ${p.keysAwaitingSync} adopted items (it updates each of them once); start it with orders-sync schedule apply or orders-sync sync --once`);
  }
  lines.push(`full report: ${opts.reportFile}`);
  return lines;
}
