// dispatchOrders against a real SQLite file and a Temporal client that refuses one start: the refused order gets a
// DATA error row and the rest go on; a dispatch retried after a crash sends nothing twice and counts every order line
// it sent exactly once (the batch ends when that many have an outcome).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Store } from '../db/store';
import { openStore } from '../db/open';
import { generateOrderLines } from '../db/demo-data';
import { loadMapping } from '../mapping';
import { createActivities, type DispatchResult } from '../activities';
import type { DetectedOrder } from '../db/change-detection';

type Page = { orders: DetectedOrder[] };
import type { MondayClient } from '../graphql/client';
import { orderWorkflowId } from '../shared/order';
import { dispatchControlOf } from '../db/open';

/** Records every start and signal; refuses the workflow ids in `refuse` as the server does an invalid argument. */
function fakeTemporal(refuse: Set<string>) {
  const calls: string[] = [];
  const send = async (_type: string, o: { workflowId: string }) => {
    calls.push(o.workflowId);
    if (refuse.has(o.workflowId)) throw Object.assign(new Error('3 INVALID_ARGUMENT: WorkflowId length exceeds limit.'), { code: 3 });
    return {};
  };
  const client = {
    workflow: {
      signalWithStart: send, start: send,
      getHandle: () => ({ describe: async () => { throw new WorkflowNotFoundError('not found', 'x', undefined); } }),
    },
  };
  return { client: client as unknown as Client, calls };
}

describe('dispatchOrders', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dispatch-'));
    store = await openStore({ sqliteFile: path.join(dir, 'd.db') });
    await store.migrate();
    await store.insertSourceRows(generateOrderLines(60, 1818));
    await store.startBatch({ batchId: 'b1', batchType: 'FULL_BATCH' });
  });
  afterEach(async () => { await store.close(); fs.rmSync(dir, { recursive: true, force: true }); });

  const activities = (temporal: Client) => createActivities({ store, mapping: loadMapping(), monday: {} as MondayClient, temporal, orderDefaults: { subitemBatchSize: 10, rerunWait: '1d' }, removedSizes: 'zero' });

  test('a start the server refuses becomes a DATA error row and the other orders are dispatched', async () => {
    const probe = activities(fakeTemporal(new Set()).client);
    const page = await new MockActivityEnvironment().run(probe.detectChanges, { batchId: 'b1', cursor: null, pageSize: 100 }) as Page;
    const orders = page.orders.slice(0, 5);
    const refused = orders[2]!.key;
    const fake = fakeTemporal(new Set([orderWorkflowId(refused)]));
    const result = await new MockActivityEnvironment().run(activities(fake.client).dispatchOrders, { batchId: 'b1', orders, admission: { maxInFlight: null, targeted: false } }) as DispatchResult;
    expect(result).toMatchObject({ dispatched: 4, waiting: 0, inFlight: 4 });
    expect(new Set(fake.calls)).toEqual(new Set(orders.map((o) => orderWorkflowId(o.key))));
    const errors = await store.listErrors({ orderKey: refused });
    expect(errors).toEqual([expect.objectContaining({ category: 'DATA', errorType: 'WORKFLOW_START_REFUSED', batchId: 'b1' })]);
    expect(errors[0]!.message).toContain('INVALID_ARGUMENT');
    expect((await store.getStagedOrder(refused))?.status).toBe('FAILED');
    expect((await dispatchControlOf(store).admissions([refused])).get(refused)?.state).toBe('DONE');
  });

  test('a dispatch that crashed mid-way and is retried counts every order line it sent exactly once', async () => {
    const probe = activities(fakeTemporal(new Set()).client);
    const page = await new MockActivityEnvironment().run(probe.detectChanges, { batchId: 'b1', cursor: null, pageSize: 100 }) as Page;
    expect(page.orders).toHaveLength(60);
    const input = { batchId: 'b1', orders: page.orders, admission: { maxInFlight: null, targeted: false } };
    // The first attempt's connection breaks at its 31st start: 30 order lines were sent (one more recorded as sent).
    const first = fakeTemporal(new Set());
    const breaking = { workflow: { ...first.client.workflow, signalWithStart: async (t: string, o: { workflowId: string }) => {
      if (first.calls.length === 30) throw new Error('14 UNAVAILABLE: connection reset');
      return first.client.workflow.signalWithStart(t as never, o as never);
    } } } as unknown as Client;
    const env1 = new MockActivityEnvironment();
    let details: unknown;
    env1.on('heartbeat', (d: unknown) => { if (d !== undefined) details = d; });
    await expect(env1.run(activities(breaking).dispatchOrders, input)).rejects.toThrow(/UNAVAILABLE/);
    await new Promise((r) => setTimeout(r, 200)); // the chunk's other sends settle
    // The retry gets the first attempt's last heartbeat details, as Temporal gives them.
    const second = fakeTemporal(new Set());
    const result = await new MockActivityEnvironment({ attempt: 2, heartbeatDetails: details }).run(activities(second.client).dispatchOrders, input) as DispatchResult;
    const sentOnce = new Set([...first.calls, ...second.calls]);
    expect(sentOnce).toEqual(new Set(page.orders.map((o) => orderWorkflowId(o.key))));
    // Nothing the first attempt sent is sent again, and the batch counts 60 order lines: its end waits for 60 outcomes.
    expect(second.calls.filter((id) => first.calls.includes(id))).toEqual([]);
    expect(result.dispatched).toBe(60);
    expect(result.alreadyRunning).toBe(0);
    expect(await dispatchControlOf(store).countSent('b1')).toBe(60);
  });
});
