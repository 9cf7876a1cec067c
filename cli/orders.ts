// `rerun` and `status`: what an engineer uses to look at and fix one order line.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Store } from '../db/store';
import type { Config } from '../config';
import { openConfiguredStore } from '../worker';
import { orderWorkflowId } from '../shared/order';
import { OrderCustomer, OrderPO, OrderSyncStatus, TASK_QUEUE } from '../shared/temporal';
import { connectClient, orderDefaults } from '../worker';
import { temporalFor } from './targets';
import { rerunSignal } from '../workflows/messages';
import type { OrderProgress } from '../workflows';
import type { OrderWorkflowInput } from '../shared/workflow-types';
import { operationsOf, type OperationsStore } from '../db/operations';
import { accountDailyCalls } from '../worker-status';

export async function rerunOrder(config: Config, key: string | undefined): Promise<number> {
  if (!key) throw new Error('rerun needs an order key, e.g. orders-sync rerun "GRE-04755-01|GR1234|NAVY"');
  const store = await openConfiguredStore(config);
  const client = await connectClient(temporalFor(config));
  try {
    const staged = await store.getStagedOrder(key);
    if (!staged) console.error(`note: ${key} is not staged yet; the workflow will stage it from ORDERS_UNIFIED`);
    const handle = await client.workflow.signalWithStart('orderWorkflow', {
      workflowId: orderWorkflowId(key),
      taskQueue: TASK_QUEUE,
      args: [{ key, batchId: null, ...orderDefaults(config) } satisfies OrderWorkflowInput],
      signal: 'rerun',
      signalArgs: [],
    });
    console.log(`rerun requested for ${key} (workflow ${handle.workflowId}); follow it with: orders-sync status "${key}"`);
    return 0;
  } finally {
    await store.close();
    await client.connection.close();
  }
}

export interface WaitingOrder { key: string; error: string | null }

/** The Web UI's query for order lines waiting for a rerun, optionally of one customer and/or PO. */
export function waitingQuery(filter: { customer?: string; po?: string }): string {
  const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return [
    'WorkflowType="orderWorkflow"', 'ExecutionStatus="Running"', `${OrderSyncStatus.name}="FAILED"`,
    ...(filter.customer !== undefined ? [`${OrderCustomer.name}=${quote(filter.customer.trim().toUpperCase())}`] : []),
    ...(filter.po !== undefined ? [`${OrderPO.name}=${quote(filter.po.trim())}`] : []),
  ].join(' AND ');
}

/** Order lines whose workflow waits FAILED (from visibility), the first `limit` with their last error. */
export async function waitingOrders(client: Client, store: Store, filter: { customer?: string; po?: string }, limit: number): Promise<{ total: number; orders: WaitingOrder[] }> {
  const keys: string[] = [];
  for await (const wf of client.workflow.list({ query: waitingQuery(filter) })) keys.push(wf.workflowId.slice(orderWorkflowId('').length));
  const orders: WaitingOrder[] = [];
  for (const key of keys.slice(0, limit)) orders.push({ key, error: (await store.listErrors({ orderKey: key, unresolvedOnly: true, limit: 1 }))[0]?.message ?? null });
  return { total: keys.length, orders };
}

/** `rerun --failed`: a rerun signal to every waiting FAILED order line that matches, found as the Web UI finds them. */
export async function rerunFailed(config: Config, filter: { customer?: string; po?: string }): Promise<number> {
  const client = await connectClient(temporalFor(config));
  try {
    let n = 0;
    for await (const wf of client.workflow.list({ query: waitingQuery(filter) })) {
      // The running workflow is signalled directly: a failed order that ended meanwhile is left to `rerun <key>`.
      await client.workflow.getHandle(wf.workflowId, wf.runId).signal(rerunSignal).then(() => n++, (err: unknown) => {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      });
      console.log(`rerun requested for ${wf.workflowId.slice(orderWorkflowId('').length)}`);
    }
    console.log(n === 0 ? `no waiting FAILED order lines match (${waitingQuery(filter)})` : `rerun requested for ${n} order line(s); follow them with: orders-sync status`);
    return 0;
  } finally {
    await client.connection.close();
  }
}

export async function showStatus(config: Config, key: string | undefined): Promise<number> {
  const store = await openConfiguredStore(config);
  try {
    if (!key) {
      const counts = await store.statusCounts();
      console.log('order lines by staging status:');
      for (const [status, n] of Object.entries(counts)) console.log(`  ${status.padEnd(13)} ${n}`);
      console.log(await describeDailyCalls(operationsOf(store)));
      const failures = await store.listErrors({ unresolvedOnly: true, limit: 10 });
      console.log(failures.length ? '\nlatest unresolved failures:' : '\nno unresolved failures');
      for (const f of failures) {
        console.log(`  ${f.createdAt ?? ''}  ${f.category}/${f.errorType}  ${f.orderKey}${f.size ? ` size ${f.size}` : ''}\n      ${f.message}`);
      }
      return 0;
    }
    const staged = await store.getStagedOrder(key);
    if (!staged) console.log(`${key}: not staged`);
    else {
      const done = staged.subitems.filter((s) => s.subitemId !== null && s.syncedQty === s.qty).length;
      console.log(`${key}: ${staged.status}, Monday item ${staged.itemId ?? '-'}, subitems ${done}/${staged.subitems.length} synced, attempts ${staged.attempts}`);
    }
    const client = await connectClient(temporalFor(config)).catch(() => null);
    if (client) {
      try {
        const progress = await client.workflow.getHandle(orderWorkflowId(key)).query<OrderProgress>('status');
        console.log(`workflow: step ${progress.step}, subitems ${progress.subitemsDone}/${progress.subitemsTotal}, passes ${progress.passes}${progress.lastError ? `, last error: ${progress.lastError}` : ''}`);
      } catch (err) {
        console.log(err instanceof WorkflowNotFoundError ? 'workflow: none' : `workflow: could not be queried (${(err as Error).message})`);
      } finally {
        await client.connection.close();
      }
    }
    for (const e of await store.listErrors({ orderKey: key, limit: 5 })) {
      console.log(`  error ${e.createdAt ?? ''} ${e.category}/${e.errorType}${e.resolvedAt ? ' (resolved)' : ''}: ${e.message}`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

/** One line: the account's Monday calls today against MONDAY_DAILY_CALLS, and where the last hour's pace ends the day. */
export async function describeDailyCalls(operations: OperationsStore, now = new Date()): Promise<string> {
  const sinceMidnight = now.getTime() - Date.parse(now.toISOString().slice(0, 10));
  const calls = accountDailyCalls(await operations.liveWorkerStatuses(sinceMidnight + 1000), now);
  if (!calls) return 'Monday calls today (UTC): none recorded by a worker yet';
  const share = (n: number) => `${Math.round((100 * n) / Math.max(calls.limit, 1))} %`;
  const warn = calls.forecast > calls.limit ? ' (WARNING: past the allowance: the sync will wait for midnight UTC)' : '';
  return `Monday calls today (UTC): ${calls.used.toLocaleString('en')} of ${calls.limit.toLocaleString('en')} (${share(calls.used)}) by ${calls.workers} worker(s); at the last hour's pace ${calls.forecast.toLocaleString('en')} by midnight UTC (${share(calls.forecast)})${warn}`;
}
