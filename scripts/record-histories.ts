// Records workflow histories from the current workflow code into test/fixtures/histories/, which
// `npm test` replays (test/workflow-replay.test.ts) so that a non-deterministic change fails CI.
// Run it deliberately when a workflow version is released: `npm run record:histories`.
// Each scenario runs on a fresh stack (Temporal dev server, SQLite, sandbox) built like the tests'.
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { startStack, type Stack } from '../test/support/stack';
import { runSyncOnce } from '../cli/sync-once';
import { generateOrderLines, seedDemoData } from '../db/demo-data';
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
  /** Stack options: configuration and dev server flags the scenario needs. */
  stack?: Parameters<typeof startStack>[0];
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
    name: 'order-self-retry',
    // Monday answers 500 for longer than the (tiny) retry window: TRANSIENT_EXHAUSTED, a self-retry timer, then synced.
    stack: { env: { MONDAY_RETRY_WINDOW: '3s', ORDER_SELF_RETRY_AFTER: '2s' } },
    async run(stack) {
      const [row] = generateOrderLines(1, 107);
      await stack.store.insertSourceRows([row!]);
      const id = orderWorkflowId(orderKeyOf(stack.mapping, row!));
      // The outage starts once the order is at its item step (the sync itself must reach Monday first).
      stack.sandbox.setFaults({ latencyMs: { min: 400, max: 400 } });
      await stack.client.workflow.start('syncWorkflow', { taskQueue: TASK_QUEUE, workflowId: 'sync-self-retry', args: [{ pageSize: 50 }] });
      const handle = stack.client.workflow.getHandle(id);
      await waitFor('the order to reach its item step', async () => (await handle.query<OrderProgress>('status').catch(() => null))?.step === 'ITEM');
      stack.sandbox.setFaults({ serverErrorRate: 1, latencyMs: { min: 0, max: 0 } });
      await waitFor('the order to fail', async () => (await handle.query<OrderProgress>('status').catch(() => null))?.step === 'FAILED');
      stack.sandbox.setFaults({ serverErrorRate: 0 });
      await handle.result();
      return [id];
    },
  },
  {
    name: 'order-rerun-wait-expiry',
    // Monday refuses for good and nobody reruns it: the workflow ends failed after RERUN_WAIT.
    stack: { env: { RERUN_WAIT: '3s' } },
    async run(stack) {
      const [row] = generateOrderLines(1, 108);
      await stack.store.insertSourceRows([row!]);
      stack.sandbox.setItemsLimit(stack.mapping.items.boardId, 0);
      const id = orderWorkflowId(orderKeyOf(stack.mapping, row!));
      await stack.client.workflow.start('syncWorkflow', { taskQueue: TASK_QUEUE, workflowId: 'sync-expiry', args: [{ pageSize: 50 }] });
      await waitFor('the order workflow to end', async () => {
        const d = await stack.client.workflow.getHandle(id).describe().catch(() => null);
        return d !== null && d.status.name !== 'RUNNING';
      });
      return [id];
    },
  },
  {
    name: 'order-continue-as-new',
    // A failed pass, then a rerun: with the server suggesting continue-as-new early, the order continues as new.
    stack: { devServerArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=10'] },
    async run(stack) {
      const [row] = generateOrderLines(1, 109);
      await stack.store.insertSourceRows([row!]);
      stack.sandbox.setItemsLimit(stack.mapping.items.boardId, 0);
      const id = orderWorkflowId(orderKeyOf(stack.mapping, row!));
      await stack.client.workflow.start('syncWorkflow', { taskQueue: TASK_QUEUE, workflowId: 'sync-order-can', args: [{ pageSize: 50 }] });
      const first = stack.client.workflow.getHandle(id);
      await waitFor('the order to fail', async () => (await first.query<OrderProgress>('status').catch(() => null))?.step === 'FAILED');
      const { runId } = await first.describe();
      stack.sandbox.setItemsLimit(stack.mapping.items.boardId, 10_000);
      await first.signal('rerun');
      await stack.client.workflow.getHandle(id).result();
      const last = await stack.client.workflow.getHandle(id).describe();
      if (last.runId === runId) throw new Error('the order did not continue as new');
      return [`${id}@${runId}`, `${id}@${last.runId}`];
    },
  },
  {
    name: 'order-gone',
    // An order whose source row is gone by the time it stages.
    async run(stack) {
      const [row] = generateOrderLines(1, 110);
      const key = orderKeyOf(stack.mapping, row!);
      const id = orderWorkflowId(key);
      await stack.client.workflow.signalWithStart('orderWorkflow', {
        workflowId: id, taskQueue: TASK_QUEUE, signal: 'sourceChanged', signalArgs: ['', 'batch-gone'],
        args: [{ key, batchId: 'batch-gone', subitemBatchSize: 10, rerunWait: '10m', retryWindows: { monday: '26h', database: '6h' }, selfRetryAfter: '1m' }],
      });
      await stack.client.workflow.getHandle(id).result();
      return [id];
    },
  },
  {
    name: 'board-adopt-write-keys',
    // `board adopt --apply --write-keys`: the path every adoption took before the key was left to the sync.
    async run(stack) {
      const rows = generateOrderLines(4, 111);
      await stack.store.insertSourceRows(rows);
      const transform = createTransform(stack.mapping);
      const boardId = stack.mapping.items.boardId;
      stack.sandbox.seedLegacy(boardId, legacyBoard(stack.mapping, rows.map((r) => transform(r))).items);
      await runBoardAdopt(stack.client, stack.store, { apply: true, archiveDuplicates: false, writeKeys: true, reportFile: `${stack.dir}/adopt.json`, boardId } as never, () => {});
      return [adoptWorkflowId(boardId)];
    },
  },
  {
    name: 'verify',
    // `board verify` (a release newer than 8c98f87: loaded only where cli/verify.ts exists).
    async run(stack) {
      const rows = generateOrderLines(3, 112);
      await stack.store.insertSourceRows(rows);
      await runSyncOnce(stack.client, stack.store, { pageSize: 50 });
      const verify = require('../cli/verify') as typeof import('../cli/verify');
      const boardId = stack.mapping.items.boardId;
      await verify.runVerify(stack.client, stack.store, { scope: 'full', repair: false, reportFile: null, boardId } as never, () => {});
      return [verify.verifyWorkflowId(boardId)];
    },
  },
  {
    name: 'acceptance',
    // `orders-sync acceptance` on the demo's first PO: its own worker on its own queues; the copy deleted at the end.
    async run(stack) {
      await seedDemoData(stack.store);
      const { runAcceptance } = require('../cli/acceptance') as typeof import('../cli/acceptance');
      const code = await runAcceptance(stack.config, { keep: false, log: () => {} });
      if (code !== 0) throw new Error(`acceptance exited ${code}`);
      const ids: string[] = [];
      await waitFor('the acceptance run in visibility', async () => {
        for await (const wf of stack.client.workflow.list({ query: 'WorkflowType="acceptanceWorkflow"' })) ids.push(wf.workflowId);
        return ids.length > 0;
      });
      return ids;
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

/** Release prefix of the files (e.g. `v3-` for histories recorded on an earlier release's checkout). */
const PREFIX = process.env.HISTORY_PREFIX ?? '';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  fs.mkdirSync(OUT, { recursive: true });
  for (const scenario of scenarios.filter((s) => only.length === 0 || only.includes(s.name))) {
    const stack = await startStack(scenario.stack);
    try {
      const ids = await scenario.run(stack);
      for (const [i, ref] of ids.entries()) {
        const [workflowId, runId] = ref.split('@');
        const history = await stack.client.workflow.getHandle(workflowId!, runId).fetchHistory();
        const file = path.join(OUT, `${PREFIX}${scenario.name}-${i + 1}.json`);
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
