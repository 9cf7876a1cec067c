// Issue 18 items 2, 4 and 6 (sync side) on the real dev server: a sync never signals an order that already runs with
// its hash; at most maxInFlight orders run, the rest wait oldest first; the hold stops Monday writes and in-flight
// orders wait through it; the sync's own deadline and a cancellation end its batch as ABANDONED, which rollback treats
// as ended; long keys get a workflow id under the server's limit.
import { createHash } from 'node:crypto';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { startStack, type Stack } from './support/stack';
import { generateOrderLines } from '../db/demo-data';
import { orderKeyOf } from '../mapping';
import { MAX_WORKFLOW_ID_BYTES, orderKeyOfWorkflow, orderWorkflowId } from '../shared/order';
import { TASK_QUEUE } from '../shared/temporal';
import { dispatchControlOf } from '../db/open';
import type { DispatchControl } from '../db/dispatch-control';
import { runSyncOnce } from '../cli/sync-once';
import type { SyncTotals, SyncWorkflowInput } from '../shared/workflow-types';
import type { OrderProgress } from '../workflows';
import type { SyncProgress } from '../workflows/sync';
import { maxInFlight, loadConfig } from '../config';
import { refusedForGood } from '../activities';

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Order lines with keys of their own (generateOrderLines numbers every set from BEN-000000). */
const lines = (count: number, seed: number, tag: string) =>
  generateOrderLines(count, seed).map((r, i) => ({ ...r, 'AAG ORDER NUMBER': `${tag}-${i}` }));

let n = 0;
const sync = (stack: Stack, input: Partial<SyncWorkflowInput> = {}): Promise<SyncTotals> =>
  stack.client.workflow.execute('syncWorkflow', { taskQueue: TASK_QUEUE, workflowId: `sync-${++n}`, args: [{ pageSize: 50, ...input }] });

const eventCount = async (h: WorkflowHandle): Promise<number> => (await h.fetchHistory()).events?.length ?? 0;
const signalsIn = async (h: WorkflowHandle): Promise<number> =>
  ((await h.fetchHistory()).events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;

describe('dispatch on a running order backlog', () => {
  let stack: Stack;
  let control: DispatchControl;
  beforeAll(async () => {
    stack = await startStack();
    control = dispatchControlOf(stack.store);
  });
  afterAll(() => stack?.stop());
  afterEach(() => control.setHold(null));

  test('a second sync adds no event to an order running with the same hash; the hold keeps it waiting, not failed', async () => {
    const [row] = lines(1, 18_001, 'HOLD');
    await stack.store.insertSourceRows([row!]);
    const key = orderKeyOf(stack.mapping, row!);
    await control.setHold('board maintenance');
    const first = await sync(stack);
    expect(first).toMatchObject({ dispatched: 1, alreadyRunning: 0 });
    const order = stack.client.workflow.getHandle(orderWorkflowId(key));
    // Held: its Monday step retries (30 s apart) and the order stays at ITEM, running.
    await waitFor('the order at its item step', async () => (await order.query<OrderProgress>('status').catch(() => null))?.step === 'ITEM');
    const before = await eventCount(order);
    const signalsBefore = await signalsIn(order);
    const second = await sync(stack);
    expect(second).toMatchObject({ dispatched: 0, alreadyRunning: 1 });
    expect(await eventCount(order)).toBe(before);
    expect(await signalsIn(order)).toBe(signalsBefore);
    expect((await order.describe()).status.name).toBe('RUNNING');
    expect((await stack.store.getStagedOrder(key))?.status).not.toBe('FAILED');
    // Its memo names the key (the id may be a hash for long keys).
    expect(orderKeyOfWorkflow(order.workflowId, (await order.describe()).memo)).toBe(key);

    await control.setHold(null);
    await expect(order.result()).resolves.toMatchObject({ status: 'SYNCED' });
    expect(await control.countInFlight()).toBe(0);
  });

  test('at most maxInFlight orders run; the rest wait and are admitted oldest first by later syncs', async () => {
    const older = lines(3, 18_002, 'OLD');
    await stack.store.insertSourceRows(older);
    await control.setHold('hold them in flight');
    const first = await sync(stack, { maxInFlight: 1 });
    expect(first).toMatchObject({ dispatched: 1, inFlight: 1, waitingForSlot: 2 });
    const newer = lines(2, 18_003, 'NEW');
    await stack.store.insertSourceRows(newer);
    const second = await sync(stack, { maxInFlight: 1 });
    expect(second).toMatchObject({ dispatched: 0, alreadyRunning: 1, inFlight: 1, waitingForSlot: 4 });
    let started = 0;
    for await (const wf of stack.client.workflow.list({ query: 'WorkflowType="orderWorkflow" AND ExecutionStatus="Running"' })) if (wf) started++;
    expect(started).toBe(1);

    await control.setHold(null);
    await waitFor('the admitted order to finish', async () => (await control.countInFlight()) === 0);
    const olderKeys = older.map((r) => orderKeyOf(stack.mapping, r));
    const third = await sync(stack, { maxInFlight: 2 });
    expect(third).toMatchObject({ dispatched: 2, waitingForSlot: 2 });
    // The two admitted are the two older lines still waiting, not the newer ones.
    const admitted = [...(await control.admissions([...olderKeys, ...newer.map((r) => orderKeyOf(stack.mapping, r))])).values()].filter((a) => a.state !== 'WAITING').map((a) => a.key);
    expect(admitted.sort()).toEqual([...olderKeys].sort());
    // Without a cap the rest go, and every line ends SYNCED with no rerun.
    await runSyncOnce(stack.client, stack.store, { pageSize: 50 });
    await waitFor('every line synced', async () => (await stack.store.countUnfinished()) === 0);
    for (const r of [...older, ...newer]) expect((await stack.store.getStagedOrder(orderKeyOf(stack.mapping, r)))?.status).toBe('SYNCED');
    expect(await control.countWaiting()).toBe(0);
  });

  test('the real server\'s refusal of an over-long workflow id is what dispatch records as a DATA error (not retried)', async () => {
    const err = await stack.client.workflow.start('orderWorkflow', { taskQueue: TASK_QUEUE, workflowId: `order:${'€'.repeat(450)}`, args: [] }).catch((e: unknown) => e);
    expect(refusedForGood(err)).toBe(true);
    expect(refusedForGood(new Error('connection refused'))).toBe(false);
  });

  test('the sync shows its batch, phase and counts', async () => {
    const handle = await stack.client.workflow.start('syncWorkflow', { taskQueue: TASK_QUEUE, workflowId: 'sync-shown', args: [{ pageSize: 50 }] });
    const totals = await handle.result() as SyncTotals;
    const shown = await handle.query<SyncProgress>('syncProgress');
    expect(shown).toMatchObject({ batchId: totals.batchId, phase: 'DONE', totals: { pages: totals.pages } });
    expect(shown.deadline).not.toBeNull();
  });
});

describe('the sync\'s lifetime', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  test('past its deadline the sync ends its batch ABANDONED (a cleanup), and rollback does not call it running', async () => {
    const batchId = 'deadline-batch';
    await stack.store.startBatch({ batchId, batchType: 'FULL_BATCH' });
    // A continued run whose deadline has passed: the first activity is cancelled at once.
    const err = await sync(stack, { batchId, cursor: null, deadlineAt: Date.now() - 1_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(String((err as WorkflowFailedError).cause?.message)).toMatch(/ABANDONED: the sync ran past its deadline/);
    const batch = await stack.store.getBatch(batchId);
    expect(batch).toMatchObject({ status: 'ABANDONED' });
    expect(batch?.endTime).not.toBeNull();
    const rollback = await stack.client.workflow.execute('rollbackWorkflow', { taskQueue: TASK_QUEUE, workflowId: 'rb-abandoned', args: [{ batchId, apply: false }] }).catch((e: unknown) => e);
    expect(String((rollback as WorkflowFailedError)?.cause?.message ?? rollback)).not.toMatch(/still running/);
  });

  test('a cancelled sync ends its batch ABANDONED and is cancelled', async () => {
    await stack.store.insertSourceRows(lines(400, 18_004, 'CANCEL'));
    const handle = await stack.client.workflow.start('syncWorkflow', { taskQueue: TASK_QUEUE, workflowId: 'sync-cancelled', args: [{ pageSize: 1 }] });
    let batchId = '';
    await waitFor('its batch to start', async () => {
      batchId = (await handle.query<SyncProgress>('syncProgress').catch(() => null))?.batchId ?? '';
      return batchId !== '' && (await stack.store.getBatch(batchId)) !== null;
    });
    await handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect(await stack.store.getBatch(batchId)).toMatchObject({ status: 'ABANDONED' });
  });

  test('the schedule starts the sync with its deadline and cap, and no execution timeout', async () => {
    const { applySchedule } = await import('../cli/schedule');
    const config = loadConfig({ ...stack.childEnv(), MAX_IN_FLIGHT: '', SYNC_EXECUTION_TIMEOUT: '90m' } as NodeJS.ProcessEnv);
    await applySchedule(stack.client, config);
    const d = await stack.client.schedule.getHandle('orders-sync-schedule').describe();
    const action = d.action as { workflowExecutionTimeout?: unknown; args?: SyncWorkflowInput[] };
    expect(action.workflowExecutionTimeout).toBeUndefined();
    expect(action.args?.[0]).toMatchObject({ deadline: '90m', maxInFlight: maxInFlight(config) });
    // Two hours of Monday capacity at the default 10M complexity a minute: 10M × 120 / (4.8 × 30,000).
    expect(maxInFlight(loadConfig({}))).toBe(8_333);
    await stack.client.schedule.getHandle('orders-sync-schedule').delete();
  });
});

test('board adopt --apply refuses to follow a running dry run', async () => {
  const stack = await startStack({ sandbox: { faults: { latencyMs: { min: 3_000, max: 3_000 } } } });
  try {
    const { runBoardAdopt, adoptWorkflowId } = await import('../cli/board');
    const boardId = stack.mapping.items.boardId;
    const dry = await stack.client.workflow.start('adoptBoardWorkflow', {
      taskQueue: TASK_QUEUE, workflowId: adoptWorkflowId(boardId), args: [{ runId: 'dry', apply: false, archiveDuplicates: false, writeKeys: false }],
    });
    const opts = { apply: true, archiveDuplicates: false, reportFile: `${stack.dir}/adopt.csv`, boardId };
    await expect(runBoardAdopt(stack.client, stack.store, opts, () => {})).rejects.toThrow(/a dry run of board adopt \(run dry\) is still running.*--apply would only follow it/);
    await dry.terminate('test over');
  } finally {
    await stack.stop();
  }
});

test('a long key of 3-byte characters gets a workflow id under the server\'s limit; short keys keep theirs', () => {
  const long = '€'.repeat(450);
  const id = orderWorkflowId(long);
  expect(Buffer.byteLength(`order:${long}`)).toBeGreaterThan(MAX_WORKFLOW_ID_BYTES);
  expect(Buffer.byteLength(id)).toBeLessThanOrEqual(MAX_WORKFLOW_ID_BYTES);
  expect(orderWorkflowId(long)).toBe(id);
  expect(orderWorkflowId(`${long.slice(1)}x`)).not.toBe(id);
  expect(orderWorkflowId('GREYSON|PO1|A')).toBe('order:GREYSON|PO1|A');
  expect(orderKeyOfWorkflow(id, { orderKey: long })).toBe(long);
  expect(orderKeyOfWorkflow('order:GREYSON|PO1|A')).toBe('GREYSON|PO1|A');
  // The hash is SHA-256 of the key's UTF-8 bytes (plain code: workflow-safe module), checked against node:crypto.
  expect(id).toBe(`order#sha256:${createHash('sha256').update(long, 'utf8').digest('hex')}`);
  const longAscii = 'K'.repeat(1_200);
  expect(orderWorkflowId(longAscii)).toBe(`order#sha256:${createHash('sha256').update(longAscii).digest('hex')}`);
});
