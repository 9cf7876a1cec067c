// Orchestration on the real dev server: a worker killed mid fan-out, a failed order fixed and rerun,
// the schedule's trigger and overlap policy, and replay of recorded histories.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { startStack, type Stack } from './support/stack';
import { readBoard } from './support/board';
import { runSyncOnce } from '../cli/sync-once';
import { applySchedule } from '../cli/schedule';
import { generateOrderLines } from '../db/demo-data';
import { workflowBundle } from '../worker';
import { orderWorkflowId } from '../shared/order';
import { orderKeyOf } from '../mapping';
import { SCHEDULE_ID, TASK_QUEUE } from '../shared/temporal';
import type { OrderProgress } from '../workflows';
import type { SourceRow } from '../shared/order';

const ROOT = path.resolve(__dirname, '..');

function startWorkerProcess(stack: Stack, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [path.join(ROOT, 'bin/orders-sync.js'), 'worker'], { env: { ...stack.childEnv(), ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function expectNoDuplicates(stack: Stack, orderCount: number): Promise<void> {
  const board = await readBoard(stack.sandbox.url, stack.mapping.items.boardId);
  const keys = board.map((i) => i.values[stack.mapping.items.keyColumnId]?.text);
  expect(new Set(keys).size).toBe(keys.length);
  expect(board).toHaveLength(orderCount);
  for (const item of board) {
    const sizes = item.subitems.map((s) => s.values[stack.mapping.subitems.sizeColumnId]?.text);
    expect(new Set(sizes).size).toBe(sizes.length);
  }
}

/** Every order line's item holds exactly its sizes with their quantities. */
async function expectBoardMatches(stack: Stack, rows: SourceRow[]): Promise<void> {
  const board = await readBoard(stack.sandbox.url, stack.mapping.items.boardId);
  const byKey = new Map(board.map((i) => [i.values[stack.mapping.items.keyColumnId]?.text, i]));
  for (const row of rows) {
    const item = byKey.get(orderKeyOf(stack.mapping, row));
    const wanted = stack.mapping.source.sizeColumns.filter((s) => Number(row[s] ?? 0) > 0).map((s) => [s, Number(row[s])]);
    const held = (item?.subitems ?? []).map((s) => [s.values[stack.mapping.subitems.sizeColumnId]?.text, Number(s.values[stack.mapping.subitems.qtyColumnId]?.text)]);
    expect(held.sort()).toEqual(wanted.sort());
  }
}

describe('a worker killed during the subitem fan-out', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ worker: false, sandbox: { faults: { latencyMs: { min: 40, max: 80 } } }, env: { MONDAY_SUBITEM_BATCH_SIZE: '2' } });
  });
  afterAll(() => stack?.stop());

  test('a new worker finishes every order with no duplicate item or subitem', async () => {
    const rows = generateOrderLines(12, 7);
    await stack.store.insertSourceRows(rows);
    let worker = startWorkerProcess(stack);
    const sync = runSyncOnce(stack.client, stack.store, { pageSize: 50 });
    // Kill it once subitems are being written, i.e. in the middle of the fan-out.
    await waitFor('the subitem fan-out', () => stack.sandbox.stats().mutations > 20);
    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('exit', r));
    const mutationsAtKill = stack.sandbox.stats().mutations;
    worker = startWorkerProcess(stack);
    try {
      const summary = await sync;
      expect(summary).toMatchObject({ orders: 12, failed: 0 });
      expect(stack.sandbox.stats().mutations).toBeGreaterThan(mutationsAtKill);
      await expectNoDuplicates(stack, 12);
      await expectBoardMatches(stack, rows);
    } finally {
      worker.kill('SIGTERM');
      await new Promise((r) => worker.once('exit', r));
    }
  });
});

describe('a worker stopped with SIGTERM', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ worker: false, sandbox: { faults: { latencyMs: { min: 40, max: 80 } } }, env: { MONDAY_SUBITEM_BATCH_SIZE: '2' } });
  });
  afterAll(() => stack?.stop());

  test('drains within its grace time, and the next worker finishes the work', async () => {
    const rows = generateOrderLines(12, 9);
    await stack.store.insertSourceRows(rows);
    let worker = startWorkerProcess(stack, { WORKER_SHUTDOWN_GRACE: '2s' });
    const sync = runSyncOnce(stack.client, stack.store, { pageSize: 50 });
    await waitFor('the subitem fan-out', () => stack.sandbox.stats().mutations > 15);
    const stoppedAt = Date.now();
    worker.kill('SIGTERM');
    const code = await new Promise((r) => worker.once('exit', r));
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(code).toBe(0);
    worker = startWorkerProcess(stack);
    try {
      expect(await sync).toMatchObject({ orders: 12, failed: 0 });
      await expectNoDuplicates(stack, 12);
      await expectBoardMatches(stack, rows);
    } finally {
      worker.kill('SIGTERM');
      await new Promise((r) => worker.once('exit', r));
    }
  });
});

describe('failure, fix and rerun', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  test('an order Monday rejects is FAILED, waits, and rerun after the fix brings it to SYNCED', async () => {
    const [row] = generateOrderLines(1, 11);
    await stack.store.insertSourceRows([row!]);
    // The board is full: Monday refuses the item (ItemsLimitationException, not retryable).
    stack.sandbox.setItemsLimit(stack.mapping.items.boardId, 0);
    const key = orderKeyOf(stack.mapping, row!);
    const first = await runSyncOnce(stack.client, stack.store, { pageSize: 10 });
    expect(first).toMatchObject({ orders: 0, failed: 1 });
    const handle = stack.client.workflow.getHandle(orderWorkflowId(key));
    const progress = await handle.query<OrderProgress>('status');
    expect(progress.step).toBe('FAILED');
    expect(progress.lastError).toContain('ItemsLimitationException');
    expect((await stack.store.getStagedOrder(key))?.status).toBe('FAILED');
    const errors = await stack.store.listErrors({ orderKey: key, unresolvedOnly: true });
    expect(errors[0]).toMatchObject({ category: 'REJECTED', errorType: 'ItemsLimitationException' });

    // The fix: room on the board (ops archived old items), and a quantity corrected in ORDERS_UNIFIED meanwhile:
    // the rerun reads the source itself, not the first sync's snapshot.
    stack.sandbox.setItemsLimit(stack.mapping.items.boardId, 10_000);
    const size = stack.mapping.source.sizeColumns.find((s) => Number(row![s] ?? 0) > 0)!;
    await stack.store.updateSourceRows({ 'AAG ORDER NUMBER': String(row!['AAG ORDER NUMBER']) }, { [size]: 13 });
    await handle.signal('rerun');
    await expect(handle.result()).resolves.toMatchObject({ status: 'SYNCED', passes: 2 });
    expect((await stack.store.getStagedOrder(key))?.status).toBe('SYNCED');
    expect((await stack.store.getStagedOrder(key))?.subitems.find((s) => s.size === size)).toMatchObject({ qty: 13, syncedQty: 13 });
    expect(await stack.store.listErrors({ orderKey: key, unresolvedOnly: true })).toHaveLength(0);
    await expectNoDuplicates(stack, 1);
  });
});

describe('the schedule', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sandbox: { faults: { latencyMs: { min: 200, max: 200 } } }, env: { SYNC_INTERVAL: '1h' } });
  });
  afterAll(() => stack?.stop());

  test('a trigger runs a sync; a trigger while it runs is skipped', async () => {
    await stack.store.insertSourceRows(generateOrderLines(3, 5));
    expect(await applySchedule(stack.client, stack.config)).toBe('created');
    expect(await applySchedule(stack.client, stack.config)).toBe('updated');
    const handle = stack.client.schedule.getHandle(SCHEDULE_ID);
    await handle.trigger(ScheduleOverlapPolicy.SKIP);
    await waitFor('the scheduled sync to start', async () => (await handle.describe()).info.runningActions.length === 1, 20_000);
    await handle.trigger(ScheduleOverlapPolicy.SKIP);
    await waitFor('three synced orders', async () => (await stack.store.statusCounts()).SYNCED === 3, 60_000);
    await waitFor('the scheduled sync to finish', async () => (await handle.describe()).info.runningActions.length === 0, 20_000);
    const described = await handle.describe();
    expect(described.info.numActionsTaken).toBe(1);
    expect(described.info.numActionsSkippedOverlap).toBe(1);
    expect(described.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
  });

  test('recorded histories replay without non-determinism errors', async () => {
    const histories = [];
    for await (const wf of stack.client.workflow.list({ query: `TaskQueue="${TASK_QUEUE}"` })) {
      histories.push({ workflowId: wf.workflowId, history: await stack.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory() });
    }
    expect(histories.length).toBeGreaterThanOrEqual(4); // the sync and three orders
    const results = Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories);
    for await (const r of results) expect(r.error).toBeUndefined();
  });
});

describe('backlogs and changes', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  test('a backlog longer than one run of the sync workflow continues as new and dispatches every order', async () => {
    await stack.store.insertSourceRows(generateOrderLines(140, 21));
    const summary = await runSyncOnce(stack.client, stack.store, { pageSize: 5 });
    expect(summary).toMatchObject({ orders: 140, failed: 0 });
    const continued = [];
    for await (const wf of stack.client.workflow.list({ query: 'WorkflowType="syncWorkflow" AND ExecutionStatus="ContinuedAsNew"' })) continued.push(wf);
    expect(continued.length).toBeGreaterThanOrEqual(1);
    await expectNoDuplicates(stack, 140);
  });

  test('an order changed while its workflow runs is picked up, not lost', async () => {
    await stack.client.workflow.execute('syncWorkflow', { taskQueue: TASK_QUEUE, workflowId: 'settle', args: [{ pageSize: 500 }] });
    const [row] = generateOrderLines(1, 8080);
    const sizes = stack.mapping.source.sizeColumns.filter((s) => Number(row![s] ?? 0) > 0);
    row![sizes[0]!] = 5;
    await stack.store.insertSourceRows([row!]);
    const key = orderKeyOf(stack.mapping, row!);
    stack.sandbox.setFaults({ latencyMs: { min: 400, max: 400 } });
    await stack.client.workflow.start('syncWorkflow', { taskQueue: TASK_QUEUE, workflowId: 'first-sync', args: [{ pageSize: 500 }] });
    const handle = stack.client.workflow.getHandle(orderWorkflowId(key));
    await waitFor('the order to reach its item step', async () => (await handle.query<OrderProgress>('status').catch(() => null))?.step === 'ITEM');
    await stack.store.updateSourceRows({ 'AAG ORDER NUMBER': String(row!['AAG ORDER NUMBER']) }, { [sizes[0]!]: 12 });
    await stack.client.workflow.execute('syncWorkflow', { taskQueue: TASK_QUEUE, workflowId: 'second-sync', args: [{ pageSize: 500 }] });
    const result = await handle.result();
    stack.sandbox.setFaults({ latencyMs: { min: 0, max: 0 } });
    expect(result).toMatchObject({ status: 'SYNCED', passes: 2 });
    const board = await readBoard(stack.sandbox.url, stack.mapping.items.boardId);
    const item = board.filter((i) => i.values[stack.mapping.items.keyColumnId]?.text === key);
    expect(item).toHaveLength(1);
    const sub = item[0]!.subitems.filter((s) => s.values[stack.mapping.subitems.sizeColumnId]?.text === sizes[0]);
    expect(sub.map((s) => Number(s.values[stack.mapping.subitems.qtyColumnId]?.text))).toEqual([12]);
    expect((await stack.store.getStagedOrder(key))?.status).toBe('SYNCED');
  });

  test('a one-off sync while an earlier sync\'s orders still run ends when they do', async () => {
    const rows = generateOrderLines(2, 4242);
    await stack.store.insertSourceRows(rows);
    stack.sandbox.setFaults({ latencyMs: { min: 300, max: 300 } });
    await stack.client.workflow.execute('syncWorkflow', { taskQueue: TASK_QUEUE, workflowId: 'scheduled-like', args: [{ pageSize: 500 }] });
    const summary = await runSyncOnce(stack.client, stack.store, { pageSize: 500 });
    stack.sandbox.setFaults({ latencyMs: { min: 0, max: 0 } });
    expect(summary.failed).toBe(0);
    expect(await stack.store.countUnfinished()).toBe(0);
    for (const r of rows) {
      const key = orderKeyOf(stack.mapping, r);
      expect((await stack.store.getStagedOrder(key))?.status).toBe('SYNCED');
    }
  });
});
