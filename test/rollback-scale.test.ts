// Issue 18, rollback at scale, on real parts (Temporal dev server, SQLite file, the sandbox over HTTP, the worker,
// the CLI as users run it): the audit is paged in the database, a long run continues as new, the workflow returns
// counts only while the lines stay in MON_RollbackStep for the CLI, and a batch with an order workflow still running
// is refused in one line.
import { startStack, type Stack } from './support/stack';
import { runCli } from './support/cli';
import { gql } from './support/board';
import { describeRollback } from '../cli/rollback';
import { runSyncOnce } from '../cli/sync-once';
import { generateOrderLines } from '../db/demo-data';
import { orderKeyOf } from '../mapping';
import { operationsOf, rollbackStepsOf } from '../db/open';
import { orderWorkflowId } from '../shared/order';
import { TASK_QUEUE } from '../shared/temporal';
import { CONTROL_TASK_QUEUE } from '../shared/control-queue';
import { rollbackWorkflowId, type RollbackInput } from '../workflows';
import type { RollbackSummary } from '../workflows/rollback';

let stack: Stack;
const cli = (args: string[]) => runCli(stack.childEnv(), args);

beforeAll(async () => { stack = await startStack(); });
afterAll(() => stack?.stop());

test('a rollback longer than one run continues as new and returns counts only; its lines stay in the step table', async () => {
  const rows = generateOrderLines(12, 31);
  await stack.store.insertSourceRows(rows);
  const batch = await runSyncOnce(stack.client, stack.store, { pageSize: 50 });
  expect(batch.orders).toBe(12);
  const writes = await operationsOf(stack.store).listWrites(batch.batchId);
  expect(writes.length).toBeGreaterThan(50);   // more than one apply page

  // One page per run: every page after the first is in a new run of the same workflow.
  const input: RollbackInput = { batchId: batch.batchId, apply: true, pagesPerRun: 1 };
  const handle = await stack.client.workflow.start('rollbackWorkflow', { taskQueue: TASK_QUEUE, workflowId: rollbackWorkflowId(batch.batchId), args: [input] });
  const result = await handle.result() as RollbackSummary;
  expect(result).toMatchObject({ applied: true, done: writes.length, creates: writes.length, failed: 0, manual: 0, ordersMarked: 12 });
  expect(Object.values(result).every((v) => typeof v !== 'object')).toBe(true);   // counts, no lists
  const continued: string[] = [];
  for await (const wf of stack.client.workflow.list({ query: `WorkflowId="${handle.workflowId}" AND ExecutionStatus="ContinuedAsNew"` })) continued.push(wf.runId);
  expect(continued).toContain(result.runId);   // the first run's id names the steps of every run
  // Its Monday pages ran on the control queue, not behind the order backlog on the Monday queue.
  const first = await stack.client.workflow.getHandle(handle.workflowId, result.runId).fetchHistory();
  const queues = new Set((first.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name === 'rollbackPage' ? [e.activityTaskScheduledEventAttributes.taskQueue?.name] : [])));
  expect([...queues]).toEqual([CONTROL_TASK_QUEUE]);
  expect(await rollbackStepsOf(stack.store).listSteps(result.runId, 'DONE', 1)).toMatchObject({ total: writes.length });
  // What the CLI prints of it: the counts, from the result; no list of undone writes.
  const lines = await describeRollback(stack.store, result);
  expect(lines).toContain(`rolled back ${writes.length} write(s); 12 order line(s) marked in staging (not resent until ORDERS_UNIFIED or the mapping changes)`);
  expect(lines).toHaveLength(2);
  // Every item of the batch is archived on Monday.
  const items = writes.filter((w) => w.target === 'item').map((w) => w.mondayId);
  const { items: states } = await gql<{ items: { state: string }[] }>(stack.sandbox.url, 'query ($i: [ID!]) { items(ids: $i) { state } }', { i: items });
  expect(states.map((s) => s.state)).toEqual(items.map(() => 'archived'));
}, 180_000);

test('a dry run of a large audit prints the first lines and says where the rest are; its result is counts', async () => {
  const batchId = 'synthetic-large';
  await stack.store.startBatch({ batchId, batchType: 'FULL_BATCH' });
  await stack.store.finishBatch(batchId, 'COMPLETED');
  const n = 1_234;
  await operationsOf(stack.store).recordWrites(Array.from({ length: n }, (_, i) => ({
    batchId, orderKey: `K${String(i).padStart(5, '0')}`, target: 'item' as const, mondayId: `9${String(i).padStart(8, '0')}`, size: null, parentId: null,
    action: 'create' as const, newValues: null, replacedValues: null,
  })));
  const r = await cli(['rollback', '--batch', batchId]);
  expect(r.stderr).toBe('');
  expect(r.stdout).toContain(`batch ${batchId}: ${n} order lines; ${n} created item(s)/subitem(s) to archive`);
  expect(r.stdout).toContain(`K01233: archive item 900001233 the batch created`);
  expect(r.stdout).toContain(`... and ${n - 200} more (all: SELECT line FROM MON_RollbackStep WHERE run_id = `);
  expect(r.stdout).toContain('dry run: nothing was changed');
});

test('a batch with an order workflow still running is refused in one line, and rolled back once it has ended', async () => {
  const rows = generateOrderLines(14, 41).slice(12);   // keys of their own
  await stack.store.insertSourceRows(rows);
  const batch = await runSyncOnce(stack.client, stack.store, { pageSize: 50 });
  expect(batch.orders).toBe(2);
  // An order of the batch running again (here on a queue no worker polls, so it stays running).
  const key = orderKeyOf(stack.mapping, rows[1]!);
  const order = await stack.client.workflow.start('orderWorkflow', {
    taskQueue: 'nobody-polls-this', workflowId: orderWorkflowId(key),
    args: [{ key, batchId: batch.batchId, subitemBatchSize: 10, rerunWait: '1m' }],
  });
  const refused = await cli(['rollback', '--batch', batch.batchId, '--apply']);
  expect(refused.code).toBe(1);
  expect(refused.stderr.trim().split('\n')).toHaveLength(1);
  expect(refused.stderr).toContain(`batch ${batch.batchId}: 1 order workflow(s) of the batch still running (${orderWorkflowId(key)})`);
  expect((await operationsOf(stack.store).listWrites(batch.batchId)).every((w) => w.rolledBackAt === null)).toBe(true);

  await order.terminate('test: the order ended');
  const applied = await cli(['rollback', '--batch', batch.batchId, '--apply']);
  expect(applied.stderr).toBe('');
  expect(applied.stdout).toMatch(/2 order line\(s\) marked in staging/);
}, 180_000);
