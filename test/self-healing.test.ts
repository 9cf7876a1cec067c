// Outages heal by themselves, on the real dev server: an outage longer than the retry window ends with every
// order synced and no rerun; a permanent failure waits untouched by later syncs; `rerun --failed` wakes it.
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startStack, type Stack } from './support/stack';
import { readBoard } from './support/board';
import { runSyncOnce, waitingLines } from '../cli/sync-once';
import { generateOrderLines } from '../db/demo-data';
import { orderWorkflowId } from '../shared/order';
import { orderKeyOf } from '../mapping';
import type { OrderProgress } from '../workflows';

const ROOT = path.resolve(__dirname, '..');

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Signals named `name` in an order workflow's history (all runs of its chain are one id). */
async function signalsIn(stack: Stack, key: string, name: string): Promise<number> {
  const history = await stack.client.workflow.getHandle(orderWorkflowId(key)).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === name).length;
}

describe('a Monday outage longer than the activities\' retry window', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { MONDAY_RETRY_WINDOW: '3s', ORDER_SELF_RETRY_AFTER: '1s' } });
  });
  afterAll(() => stack?.stop());

  test('heals with no rerun: the orders wait on a timer, then sync once Monday answers again', async () => {
    // The deployment has synced before (its first sync found the board empty, so the adoption guard is settled):
    // a fresh deployment's first sync waits for Monday at the guard instead.
    await runSyncOnce(stack.client, stack.store, { pageSize: 50 });
    const rows = generateOrderLines(3, 1401);
    await stack.store.insertSourceRows(rows);
    const keys = rows.map((r) => orderKeyOf(stack.mapping, r));
    stack.sandbox.setFaults({ serverErrorRate: 1 });
    const outageStart = Date.now();
    // sync --once ends even now: every order it dispatched has failed (transiently) and waits.
    const summary = await runSyncOnce(stack.client, stack.store, { pageSize: 50 });
    expect(summary).toMatchObject({ orders: 0, failed: 3 });
    const errors = await stack.store.listErrors({ unresolvedOnly: true });
    expect(errors.map((e) => e.category)).toEqual(['TRANSIENT_EXHAUSTED', 'TRANSIENT_EXHAUSTED', 'TRANSIENT_EXHAUSTED']);
    // The outage lasts well past the 3 s window.
    await new Promise((r) => setTimeout(r, Math.max(0, 8000 - (Date.now() - outageStart))));
    expect((await stack.store.statusCounts()).SYNCED).toBe(0);
    stack.sandbox.setFaults({ serverErrorRate: 0 });

    await waitFor('every order synced after Monday recovered', async () => (await stack.store.statusCounts()).SYNCED === 3, 60_000);
    for (const key of keys) {
      expect(await signalsIn(stack, key, 'rerun')).toBe(0);
      const result = await stack.client.workflow.getHandle(orderWorkflowId(key)).result() as { passes: number };
      expect(result.passes).toBeGreaterThanOrEqual(2);
    }
    expect(await stack.store.listErrors({ unresolvedOnly: true })).toHaveLength(0);
    const board = await readBoard(stack.sandbox.url, stack.mapping.items.boardId);
    expect(board.map((i) => i.values[stack.mapping.items.keyColumnId]?.text).sort()).toEqual([...keys].sort());
  });
});

describe('a permanent failure', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  test('is not woken by a later sync of an unchanged source, sync --once ends naming it, and rerun --failed brings it to SYNCED', async () => {
    const rows = generateOrderLines(3, 1402);
    await stack.store.insertSourceRows(rows);
    // Room for two items: Monday refuses the third (ItemsLimitationException, not retryable).
    stack.sandbox.setItemsLimit(stack.mapping.items.boardId, 2);
    const first = await runSyncOnce(stack.client, stack.store, { pageSize: 50 });
    expect(first).toMatchObject({ orders: 2, failed: 1 });
    const counts = await stack.store.statusCounts();
    expect(counts).toMatchObject({ SYNCED: 2, FAILED: 1 });
    await waitFor('the failed order to be visible as FAILED', async () => (await runSyncOnceWaiting()).length === 1);
    const [waitingKey] = await runSyncOnceWaiting();
    expect((await stack.store.getStagedOrder(waitingKey!))?.status).toBe('FAILED');
    // Its failure bookkeeping (the activity that wrote FAILED) completes a moment later: count its history after that.
    await waitFor('the failed order to settle', async () => {
      const d = await stack.client.workflow.getHandle(orderWorkflowId(waitingKey!)).describe();
      return (d.raw.pendingActivities?.length ?? 0) === 0 && !d.raw.pendingWorkflowTask;
    });

    // A scheduled-like sync with nothing changed: no Monday call for the waiting order (the sync's own check of the
    // token and the boards is its one request), no signal, staging stays FAILED, and it ends naming it.
    const requestsBefore = stack.sandbox.stats().requests;
    const historyBefore = (await stack.client.workflow.getHandle(orderWorkflowId(waitingKey!)).fetchHistory()).events?.length;
    const second = await runSyncOnce(stack.client, stack.store, { pageSize: 50 });
    expect(second).toMatchObject({ orders: 0, failed: 0, waitingTotal: 1 });
    expect(second.waiting[0]).toMatchObject({ key: waitingKey });
    expect(second.waiting[0]!.error).toContain('ItemsLimitationException');
    expect(waitingLines(second).join('\n')).toContain(waitingKey);
    expect(stack.sandbox.stats().requests).toBe(requestsBefore + 1);
    expect((await stack.client.workflow.getHandle(orderWorkflowId(waitingKey!)).fetchHistory()).events?.length).toBe(historyBefore);
    expect((await stack.store.getStagedOrder(waitingKey!))?.status).toBe('FAILED');
    expect((await stack.client.workflow.getHandle(orderWorkflowId(waitingKey!)).query<OrderProgress>('status')).step).toBe('FAILED');

    // The fix (room on the board), then the command people type, as a child process.
    stack.sandbox.setItemsLimit(stack.mapping.items.boardId, 10_000);
    const cli = (...args: string[]) => promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/orders-sync.js'), ...args], { env: stack.childEnv() });
    const other = await cli('rerun', '--failed', '--customer', 'NO SUCH CUSTOMER');
    expect(other.stdout).toContain('no FAILED order lines in staging for that customer/PO');
    const staged = await stack.store.getStagedOrder(waitingKey!);
    const out = await cli('rerun', '--failed', '--customer', staged!.payload.customer);
    expect(out.stdout).toContain(`rerun requested for ${waitingKey}`);
    await expect(stack.client.workflow.getHandle(orderWorkflowId(waitingKey!)).result()).resolves.toMatchObject({ status: 'SYNCED', passes: 2 });
    expect(await stack.store.statusCounts()).toMatchObject({ SYNCED: 3, FAILED: 0 });
  });

  async function runSyncOnceWaiting(): Promise<string[]> {
    const keys: string[] = [];
    for await (const wf of stack.client.workflow.list({ query: 'WorkflowType="orderWorkflow" AND ExecutionStatus="Running" AND OrderSyncStatus="FAILED"' })) keys.push(wf.workflowId.slice('order:'.length));
    return keys;
  }
});
