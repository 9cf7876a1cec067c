// `orders-sync acceptance`: the live check before go-live. Runs its own worker on task queues of its own (so no
// production worker takes its tasks), with a scratch staging database, and prints a pass/fail table.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config';
import { openStore, acceptanceChecksOf } from '../db/open';
import { operationsOf } from '../db/open';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { createAcceptanceActivities } from '../activities/acceptance';
import { summarise, type CheckRow } from '../activities/acceptance-check';
import { judgeFigures } from '../activities/acceptance-probes';
import { activityDeps, createWorkers, openServices } from '../worker';
import type { AcceptanceInput, AcceptanceResult } from '../workflows';
import { mondayFor, temporalFor } from './targets';

export async function runAcceptance(config: Config, opts: { po?: string; keep: boolean; log: (line: string) => void }): Promise<number> {
  const runId = `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-sync-acceptance-'));
  const target = temporalFor(config);
  const services = await openServices(config, target, mondayFor(config));
  const scratch = await openStore({ sqliteFile: path.join(dir, 'staging.db') });
  const checks = acceptanceChecksOf(scratch);
  const queues = {
    main: `orders-sync-acceptance-${runId}`,
    monday: `orders-sync-acceptance-${runId}-monday`,
    extraActivities: createAcceptanceActivities({ source: services.store, scratch, mapping: services.mapping, monday: services.monday, checks }),
  };
  // The order activities read and write staging in the scratch store, never in the configured database; their
  // write audit goes there too (the scratch board's writes are no batch to roll back), and this worker writes no
  // status row (it is not one of the sync's workers: status --watch and progress lines must not count it).
  const deps = { ...activityDeps(config, services), store: scratch, operations: operationsOf(scratch), workerStatus: undefined, temporal: undefined };
  const workers = await createWorkers(config, target, deps, queues);
  const running = workers.run();
  // Ctrl-C / SIGTERM: cancel the run; its workflow deletes the scratch board (a step a cancellation cannot skip)
  // and ends, then this process stops its worker and removes its temp directory. A second signal stops waiting.
  let handle: WorkflowHandle | null = null;
  let stopping: string | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      opts.log(`${signal} again: stopping now; the scratch board may be left (its name: orders-sync acceptance ${runId})`);
      process.exit(130);
    }
    stopping = signal;
    opts.log(`${signal}: deleting the scratch board and stopping (a second Ctrl-C stops at once)`);
    void handle?.cancel().catch(() => undefined);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    opts.log(`acceptance ${runId}: copying board ${services.mapping.items.boardId}'s structure and syncing ${opts.po ? `PO ${opts.po}` : 'the first PO'} into the copy`);
    const input: AcceptanceInput = { runId, po: opts.po ?? null, keep: opts.keep, subitemBatchSize: config.MONDAY_SUBITEM_BATCH_SIZE, mondayTaskQueue: queues.monday };
    let result: AcceptanceResult;
    try {
      handle = await services.client.workflow.start<(i: AcceptanceInput) => Promise<AcceptanceResult>>('acceptanceWorkflow', {
        taskQueue: queues.main, workflowId: `acceptance-${runId}`, args: [input],
        // Its worker lives in this process: if the process dies, the run must not wait in Temporal forever.
        workflowExecutionTimeout: '2 hours',
      });
      if (stopping) await handle.cancel();
      result = await handle.result();
    } catch (err) {
      if (stopping && err instanceof WorkflowFailedError) {
        console.log(`stopped by ${stopping}: the scratch board was deleted${opts.keep ? ' (--keep: it was left)' : ''}; nothing else runs`);
        return 130;
      }
      console.log(`FAIL: acceptance did not finish: ${describe(err)}`);
      return 1;
    }
    const rows = result.counts ? await checks.read(runId) : result.rows;
    const figuresOk = result.figures ? judgeFigures(result.figures, config.MONDAY_SUBITEM_BATCH_SIZE).every((f) => f.ok) : true;
    console.log(report(result, rows, config.MONDAY_SUBITEM_BATCH_SIZE));
    return rows.length > 0 && rows.every((r) => r.ok) && figuresOk ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    workers.shutdown();
    await running;
    await scratch.close();
    await services.store.close();
    await services.client.connection.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function describe(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

/** The table people read: one line per column and per size, the first difference of a failing one. */
export function report(result: AcceptanceResult, rows: CheckRow[], batchSize: number): string {
  const { sample, boards } = result;
  const lines = summarise(rows);
  const table = (scope: CheckRow['scope'], heading: string) => {
    const mine = lines.filter((l) => l.scope === scope);
    const width = Math.max(heading.length, ...mine.map((l) => l.subject.length));
    return [
      `${heading.padEnd(width)}  checked  result`,
      ...mine.map((l) => {
        const f = l.firstFailure;
        const detail = f ? `  ${l.failed} differ; ${f.orderKey}: expected ${f.expected}, Monday has ${f.actual}` : '';
        return `${l.subject.padEnd(width)}  ${String(l.checked).padStart(7)}  ${f ? 'FAIL' : 'pass'}${detail}`;
      }),
    ];
  };
  const failed = rows.filter((r) => !r.ok).length;
  const figures = result.figures ? judgeFigures(result.figures, batchSize) : [];
  // A copy may carry the board's automations: they act on what the sync writes into it (say so either way).
  const automations = boards.automations === undefined ? [] : [boards.automations > 0
    ? `WARNING: the copy carries ${boards.automations} automation(s) of the board: they ran on what the sync wrote into it (docs/RUNBOOK.md 8.1)`
    : 'the copy carries no automations (a copy may carry the board\'s automations: docs/RUNBOOK.md 8.1)'];
  return [
    `PO ${sample.po}: ${sample.keys.length} order line(s) synced into scratch board ${boards.itemsBoardId} "${boards.name}" (subitems board ${boards.subitemsBoardId}), ${result.kept ? 'kept' : 'deleted'}`,
    ...sample.rejected.map((m) => `not sent: ${m}`),
    ...(result.warnings ?? []).map((w) => `WARNING: ${w}`),
    ...automations,
    ...(figures.length ? ['', 'Monday on this account (what the design rests on; docs/RUNBOOK.md 8.1 says what to do when one differs):', ...figures.map((f) => `  ${f.ok ? 'pass' : 'FAIL'}  ${f.line}`)] : []),
    '',
    ...table('column', 'column'),
    '',
    ...table('size', 'size'),
    '',
    failed === 0 && rows.length > 0 ? `PASS: all ${rows.length} checks matched` : `FAIL: ${failed} of ${rows.length} checks differ`,
  ].join('\n');
}
