// Issue 18 item 3 on a real dev server: the order workflow catches only activity failures. A cancellation ends it
// cancelled with staging saying so, a workflow bug fails the workflow task (not swallowed into a "transient" loop),
// and the self-retry loop gives up after SELF_RETRY_LIMIT. Item 6: key, customer and PO in the memo, the batch id
// in OrderBatchId. Test-only activities stand in for a bug's bad result and for an outage that never ends.
import Database from 'better-sqlite3';
import { ApplicationFailure } from '@temporalio/activity';
import { CancelledFailure, WorkflowFailedError, type WorkflowHandleWithSignaledRunId } from '@temporalio/client';
import { startStack, type Stack } from './support/stack';
import { activityDeps, createWorkers, temporalTarget, type OrderWorkers } from '../worker';
import { generateOrderLines } from '../db/demo-data';
import { orderKeyOf } from '../mapping';
import { orderWorkflowId } from '../shared/order';
import { MONDAY_TASK_QUEUE, OrderBatchId, OrderCustomer, OrderKey, OrderPO, OrderFailureCategory, OrderSyncStatus, TASK_QUEUE } from '../shared/temporal';
import { runSyncOnce } from '../cli/sync-once';
import { CANCELLED_MESSAGE } from '../activities/order-cleanup';
import type { OrderProgress } from '../workflows';

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Workers whose activities are the real ones with some replaced (the test's stand-ins). */
async function workersWith(stack: Stack, replaced: object): Promise<{ stop(): Promise<void> }> {
  const workers: OrderWorkers = await createWorkers(stack.config, temporalTarget(stack.config, stack.temporal.address), activityDeps(stack.config, stack), {
    main: TASK_QUEUE, monday: MONDAY_TASK_QUEUE, extraActivities: replaced,
  });
  const running = workers.run();
  return { async stop() { workers.shutdown(); await running; } };
}

function stagingRow(stack: Stack, key: string): { stg_status: string; stg_error_message: string | null } {
  const db = new Database(stack.config.SQLITE_FILE, { readonly: true });
  try {
    return db.prepare('SELECT stg_status, stg_error_message FROM STG_MON_CustMasterSchedule WHERE order_key = ?').get(key) as { stg_status: string; stg_error_message: string | null };
  } finally {
    db.close();
  }
}

async function startOrder(stack: Stack, key: string, batchId: string) {
  await stack.store.startBatch({ batchId, batchType: 'FULL_BATCH' });
  return stack.client.workflow.signalWithStart('orderWorkflow', {
    workflowId: orderWorkflowId(key), taskQueue: TASK_QUEUE, signal: 'sourceChanged', signalArgs: ['', batchId],
    args: [{ key, batchId, subitemBatchSize: 10, rerunWait: '10m', retryWindows: { monday: '2s', database: '20s' }, selfRetryAfter: '1s', selfRetryLimit: '3s' }],
  });
}

describe('honest failures of the order workflow', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  test('a synced order carries its key, customer and PO in the memo, its key in OrderKey and its batch in OrderBatchId', async () => {
    const [row] = generateOrderLines(1, 201);
    await stack.store.insertSourceRows([row!]);
    const key = orderKeyOf(stack.mapping, row!);
    const summary = await runSyncOnce(stack.client, stack.store, { pageSize: 50 });
    // Staging says SYNCED a workflow task before the search attribute does: the attributes are final once it ends.
    const handle = stack.client.workflow.getHandle(orderWorkflowId(key));
    await handle.result();
    const d = await handle.describe();
    expect(d.memo).toMatchObject({ key, customer: d.typedSearchAttributes.get(OrderCustomer), po: d.typedSearchAttributes.get(OrderPO) ?? null });
    expect(d.typedSearchAttributes.get(OrderBatchId)).toBe(summary.batchId);
    expect(d.typedSearchAttributes.get(OrderSyncStatus)).toBe('SYNCED');
    expect(d.typedSearchAttributes.get(OrderKey)).toBe(key);
    // Ops find the order by its readable key, whatever its workflow id (a hash when the key is long).
    await waitFor('the key in visibility', async () => {
      const ids: string[] = [];
      for await (const wf of stack.client.workflow.list({ query: `OrderKey="${key}"` })) ids.push(wf.workflowId);
      return ids.length === 1 && ids[0] === orderWorkflowId(key);
    });
  });

  test('cancelled from the client, the order ends cancelled and staging says so', async () => {
    const [row] = generateOrderLines(1, 202);
    await stack.store.insertSourceRows([row!]);
    const key = orderKeyOf(stack.mapping, row!);
    // Monday answers slowly: the order is still at its item step when it is cancelled.
    stack.sandbox.setFaults({ latencyMs: { min: 5_000, max: 5_000 } });
    try {
      const handle = await startOrder(stack, key, 'batch-cancel');
      await waitFor('the item step', async () => (await handle.query<OrderProgress>('status').catch(() => null))?.step === 'ITEM');
      await handle.cancel();
      const err = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
      const d = await handle.describe();
      expect(d.status.name).toBe('CANCELLED');
      expect(d.typedSearchAttributes.get(OrderSyncStatus)).toBe('CANCELLED');
      expect(stagingRow(stack, key)).toEqual({ stg_status: 'FAILED', stg_error_message: CANCELLED_MESSAGE });
      const history = await handle.fetchHistory();
      const scheduled = history.events!.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
      expect(scheduled).toContain('recordOrderCancelled');
      expect(scheduled).not.toContain('recordOrderFailure');
    } finally {
      stack.sandbox.setFaults({ latencyMs: { min: 0, max: 0 } });
    }
  });

  describe('with test stand-in activities', () => {
    beforeAll(async () => {
      await stack.stopWorker();
    });
    afterAll(async () => {
      await stack.startWorker();
    });

    test('a workflow bug (an activity result the code cannot handle) fails the workflow task instead of being caught', async () => {
      const [row] = generateOrderLines(1, 203);
      await stack.store.insertSourceRows([row!]);
      const key = orderKeyOf(stack.mapping, row!);
      // pendingSizes missing: the workflow's own code throws a TypeError reading it.
      const workers = await workersWith(stack, {
        stageOrder: async () => ({ status: 'STAGED', hash: 'h', customer: 'C', poNumber: null, aagOrderNumber: 'A', itemId: null }),
        upsertItem: async () => ({ itemId: '1', action: 'created' }),
      });
      try {
        const handle = await startOrder(stack, key, 'batch-bug');
        let failedTask: string | undefined;
        await waitFor('a failed workflow task', async () => {
          const h = await handle.fetchHistory();
          failedTask = h.events!.find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes?.failure?.message ?? undefined;
          return failedTask !== undefined;
        });
        expect(failedTask).toMatch(/length|undefined/);
        const d = await handle.describe();
        expect(d.status.name).toBe('RUNNING');
        const names = (await handle.fetchHistory()).events!.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
        expect(names).not.toContain('recordOrderFailure');
        await handle.terminate('test done');
      } finally {
        await workers.stop();
      }
    });

    /** One order line whose item step always throws `failure` (test workers); `attempts()` counts its calls. */
    async function orderFailingWith(seed: number, batchId: string, failure: () => Error, check: (handle: WorkflowHandleWithSignaledRunId, attempts: () => number) => Promise<void>) {
      const [row] = generateOrderLines(1, seed);
      await stack.store.insertSourceRows([row!]);
      let attempts = 0;
      const workers = await workersWith(stack, { upsertItem: async () => { attempts++; throw failure(); } });
      try {
        const handle = await startOrder(stack, orderKeyOf(stack.mapping, row!), batchId);
        await check(handle, () => attempts);
        await handle.terminate('test done');
      } finally {
        await workers.stop();
      }
    }

    test('an outage that never ends: self-retries stop after SELF_RETRY_LIMIT and the order waits as TRANSIENT_GAVE_UP', async () => {
      await orderFailingWith(204, 'batch-outage', () => ApplicationFailure.retryable('Monday is down (test stand-in)', 'MONDAY_DOWN'), async (handle, attempts) => {
        await waitFor('the order to give up', async () => (await handle.describe()).typedSearchAttributes.get(OrderFailureCategory) === 'TRANSIENT_GAVE_UP');
        const progress = await handle.query<OrderProgress>('status');
        expect(progress.step).toBe('FAILED');
        expect(progress.lastError).toMatch(/^gave up retrying by itself after 3s: /);
        expect(progress.passes).toBeGreaterThanOrEqual(2); // it did retry by itself before giving up
        expect((await handle.describe()).status.name).toBe('RUNNING'); // waiting for a rerun, not ended
        const before = attempts();
        // A rerun wakes it: it tries again (once more at least) instead of staying given up.
        await handle.signal('rerun');
        await waitFor('another attempt after the rerun', async () => attempts() > before);
      });
    });

    test('a deterministic (non-retryable) activity error is not retried: one attempt, then the rerun wait', async () => {
      await orderFailingWith(205, 'batch-deterministic', () => ApplicationFailure.nonRetryable('the board refuses this item (test stand-in)', 'BOARD_REFUSES'), async (handle, attempts) => {
        await waitFor('the order to fail', async () => (await handle.query<OrderProgress>('status').catch(() => null))?.step === 'FAILED');
        await waitFor('the category', async () => (await handle.describe()).typedSearchAttributes.get(OrderFailureCategory) !== undefined);
        expect((await handle.describe()).typedSearchAttributes.get(OrderFailureCategory)).toBe('REJECTED');
        expect(attempts()).toBe(1);
        expect((await handle.query<OrderProgress>('status')).passes).toBe(1);
      });
    });
  });
});
