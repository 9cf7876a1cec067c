// `orders-sync acceptance`: the live check before go-live. Runs its own worker on task queues of its own (so no
// production worker takes its tasks), with a scratch staging database, and prints a pass/fail table.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config';
import { openStore } from '../db/open';
import { operationsOf } from '../db/operations';
import { createAcceptanceActivities } from '../activities/acceptance';
import { summarise, type CheckRow } from '../activities/acceptance-check';
import { activityDeps, createWorkers, openServices } from '../worker';
import type { AcceptanceInput, AcceptanceResult } from '../workflows';
import { mondayFor, temporalFor } from './targets';

export async function runAcceptance(config: Config, opts: { po?: string; keep: boolean; log: (line: string) => void }): Promise<number> {
  const runId = `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-sync-acceptance-'));
  const target = temporalFor(config);
  const services = await openServices(config, target, mondayFor(config));
  const scratch = await openStore({ sqliteFile: path.join(dir, 'staging.db') });
  const queues = {
    main: `orders-sync-acceptance-${runId}`,
    monday: `orders-sync-acceptance-${runId}-monday`,
    extraActivities: createAcceptanceActivities({ source: services.store, scratch, mapping: services.mapping, monday: services.monday }),
  };
  // The order activities read and write staging in the scratch store, never in the configured database; their
  // write audit goes there too (the scratch board's writes are no batch to roll back), and this worker writes no
  // status row (it is not one of the sync's workers: status --watch and progress lines must not count it).
  const deps = { ...activityDeps(config, services), store: scratch, operations: operationsOf(scratch), workerStatus: undefined, temporal: undefined };
  const workers = await createWorkers(config, target, deps, queues);
  const running = workers.run();
  try {
    opts.log(`acceptance ${runId}: copying board ${services.mapping.items.boardId}'s structure and syncing ${opts.po ? `PO ${opts.po}` : 'the first PO'} into the copy`);
    const input: AcceptanceInput = { runId, po: opts.po ?? null, keep: opts.keep, subitemBatchSize: config.MONDAY_SUBITEM_BATCH_SIZE, mondayTaskQueue: queues.monday };
    let result: AcceptanceResult;
    try {
      result = await services.client.workflow.execute<(i: AcceptanceInput) => Promise<AcceptanceResult>>('acceptanceWorkflow', {
        taskQueue: queues.main, workflowId: `acceptance-${runId}`, args: [input],
        // Its worker lives in this process: if the process dies, the run must not wait in Temporal forever.
        workflowExecutionTimeout: '2 hours',
      });
    } catch (err) {
      console.log(`FAIL: acceptance did not finish: ${describe(err)}`);
      return 1;
    }
    console.log(report(result));
    return result.rows.length > 0 && result.rows.every((r) => r.ok) ? 0 : 1;
  } finally {
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
export function report(result: AcceptanceResult): string {
  const { sample, boards, rows } = result;
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
  return [
    `PO ${sample.po}: ${sample.keys.length} order line(s) synced into scratch board ${boards.itemsBoardId} "${boards.name}" (subitems board ${boards.subitemsBoardId}), ${result.kept ? 'kept' : 'deleted'}`,
    ...sample.rejected.map((m) => `not sent (the mapping rejects the row): ${m}`),
    '',
    ...table('column', 'column'),
    '',
    ...table('size', 'size'),
    '',
    failed === 0 && rows.length > 0 ? `PASS: all ${rows.length} checks matched` : `FAIL: ${failed} of ${rows.length} checks differ`,
  ].join('\n');
}
