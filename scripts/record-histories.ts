// Records workflow histories from the current workflow code into test/fixtures/histories/, which
// `npm test` replays (test/workflow-replay.test.ts) so that a non-deterministic change fails CI.
// Run it deliberately when a workflow version is released: `npm run record:histories`.
// Each scenario runs on a fresh stack (Temporal dev server, SQLite, sandbox) built like the tests'.
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { startStack, type Stack } from '../test/support/stack';
import { runSyncOnce } from '../cli/sync-once';
import { generateOrderLines } from '../db/demo-data';
import { orderKeyOf } from '../mapping';
import { orderWorkflowId } from '../shared/order';
import { TASK_QUEUE } from '../shared/temporal';
import type { OrderProgress } from '../workflows';
import { runBoardAdopt, adoptWorkflowId } from '../cli/board';
import { legacyBoard } from '../test/support/legacy-board';
import { createTransform } from '../mapping';
import { runRollback } from '../cli/rollback';
import { rollbackWorkflowId } from '../workflows/rollback';

const OUT = path.resolve(__dirname, '../test/fixtures/histories');

interface Scenario {
  name: string;
  /** Drives the stack and returns the workflow ids whose histories to keep. */
  run(stack: Stack): Promise<string[]>;
}

const scenarios: Scenario[] = [
  {
    name: 'happy-path',
    async run(stack) {
      const rows = generateOrderLines(2, 101);
      await stack.store.insertSourceRows(rows);
      await stack.client.workflow.execute('syncWorkflow', { taskQueue: TASK_QUEUE, workflowId: 'sync-happy', args: [{ pageSize: 50 }] });
      await waitForResult(stack, orderWorkflowId(orderKeyOf(stack.mapping, rows[0]!)));
      return ['sync-happy', orderWorkflowId(orderKeyOf(stack.mapping, rows[0]!))];
    },
  },
  {
    name: 'failure-then-rerun',
    async run(stack) {
      const [row] = generateOrderLines(1, 102);
      await stack.store.insertSourceRows([row!]);
      stack.sandbox.setItemsLimit(stack.mapping.items.boardId, 0); // Monday refuses: a permanent error
      const id = orderWorkflowId(orderKeyOf(stack.mapping, row!));
      await stack.client.workflow.start('syncWorkflow', { taskQueue: TASK_QUEUE, workflowId: 'sync-failure', args: [{ pageSize: 50 }] });
      const handle = stack.client.workflow.getHandle(id);
      await waitFor('the order to fail', async () => (await handle.query<OrderProgress>('status').catch(() => null))?.step === 'FAILED');
      stack.sandbox.setItemsLimit(stack.mapping.items.boardId, 10_000);
      await handle.signal('rerun');
      await handle.result();
      return [id];
    },
  },
  {
    name: 'change-during-run',
    async run(stack) {
      const [row] = generateOrderLines(1, 103);
      await stack.store.insertSourceRows([row!]);
      const id = orderWorkflowId(orderKeyOf(stack.mapping, row!));
      const size = stack.mapping.source.sizeColumns.find((s) => Number(row![s] ?? 0) > 0)!;
      stack.sandbox.setFaults({ latencyMs: { min: 400, max: 400 } });
      await stack.client.workflow.start('syncWorkflow', { taskQueue: TASK_QUEUE, workflowId: 'sync-change-1', args: [{ pageSize: 50 }] });
      const handle = stack.client.workflow.getHandle(id);
      await waitFor('the order to reach its item step', async () => (await handle.query<OrderProgress>('status').catch(() => null))?.step === 'ITEM');
      await stack.store.updateSourceRows({ 'AAG ORDER NUMBER': String(row!['AAG ORDER NUMBER']) }, { [size]: 77 });
      await stack.client.workflow.execute('syncWorkflow', { taskQueue: TASK_QUEUE, workflowId: 'sync-change-2', args: [{ pageSize: 50 }] });
      await handle.result();
      stack.sandbox.setFaults({ latencyMs: { min: 0, max: 0 } });
      return [id];
    },
  },
  {
    name: 'continue-as-new',
    async run(stack) {
      await stack.store.insertSourceRows(generateOrderLines(30, 104));
      await runSyncOnce(stack.client, stack.store, { pageSize: 1 });
      const ids: string[] = [];
      for await (const wf of stack.client.workflow.list({ query: 'WorkflowType="syncWorkflow"' })) ids.push(`${wf.workflowId}@${wf.runId}`);
      return ids;
    },
  },
  {
    name: 'board-adopt',
    async run(stack) {
      // A populated legacy board: the sync's adoption guard stops, then adopt --apply --archive-duplicates.
      const rows = generateOrderLines(6, 105);
      await stack.store.insertSourceRows(rows);
      const transform = createTransform(stack.mapping);
      const boardId = stack.mapping.items.boardId;
      stack.sandbox.seedLegacy(boardId, legacyBoard(stack.mapping, rows.map((r) => transform(r))).items);
      await stack.client.workflow.execute('syncWorkflow', { taskQueue: TASK_QUEUE, workflowId: 'sync-guarded', args: [{ pageSize: 50 }] }).catch(() => undefined);
      await runBoardAdopt(stack.client, stack.store, { apply: true, archiveDuplicates: true, reportFile: `${stack.dir}/adopt.json`, boardId }, () => {});
      return ['sync-guarded', adoptWorkflowId(boardId)];
    },
  },
  {
    name: 'rollback',
    async run(stack) {
      // A batch that changed a quantity and created an order line, rolled back with --apply.
      const rows = generateOrderLines(2, 106);
      await stack.store.insertSourceRows([rows[0]!]);
      await runSyncOnce(stack.client, stack.store, { pageSize: 50 });
      const size = stack.mapping.source.sizeColumns.find((c) => Number(rows[0]![c] ?? 0) > 0)!;
      await stack.store.updateSourceRows({ 'AAG ORDER NUMBER': String(rows[0]!['AAG ORDER NUMBER']) }, { [size]: 999 });
      await stack.store.insertSourceRows([rows[1]!]);
      const bad = await runSyncOnce(stack.client, stack.store, { pageSize: 50 });
      await runRollback(stack.client, stack.store, { batchId: bad.batchId, apply: true }, () => {});
      return [rollbackWorkflowId(bad.batchId)];
    },
  },
  {
    name: 'rollback-paged',
    async run(stack) {
      // Issue 18: a rollback paging the audit, one page per run (so it continues as new), with --apply.
      await stack.store.insertSourceRows(generateOrderLines(12, 107));
      const batch = await runSyncOnce(stack.client, stack.store, { pageSize: 50 });
      const workflowId = rollbackWorkflowId(batch.batchId);
      await stack.client.workflow.execute('rollbackWorkflow', { taskQueue: TASK_QUEUE, workflowId, args: [{ batchId: batch.batchId, apply: true, pagesPerRun: 1 }] });
      const runs: string[] = [];
      for await (const wf of stack.client.workflow.list({ query: `WorkflowId="${workflowId}"` })) runs.push(`${workflowId}@${wf.runId}`);
      return runs;
    },
  },
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  fs.mkdirSync(OUT, { recursive: true });
  for (const scenario of scenarios.filter((s) => only.length === 0 || only.includes(s.name))) {
    const stack = await startStack();
    try {
      const ids = await scenario.run(stack);
      for (const [i, ref] of ids.entries()) {
        const [workflowId, runId] = ref.split('@');
        const history = await stack.client.workflow.getHandle(workflowId!, runId).fetchHistory();
        const file = path.join(OUT, `${scenario.name}-${i + 1}.json`);
        fs.writeFileSync(file, historyToJSON(history));
        console.log(`recorded ${path.relative(process.cwd(), file)} (${workflowId}, ${history.events?.length} events)`);
      }
    } finally {
      await stack.stop();
    }
  }
}

async function waitForResult(stack: Stack, workflowId: string): Promise<void> {
  await stack.client.workflow.getHandle(workflowId).result();
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
