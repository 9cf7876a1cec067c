// `rerun` and `status`: what an engineer uses to look at and fix one order line.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { lookUpSourceLine } from '../activities/source-line';
import { createTransform, loadMapping, type Mapping } from '../mapping';
import type { Store } from '../db/store';
import type { Config } from '../config';
import { openConfiguredStore } from '../worker';
import { orderWorkflowId } from '../shared/order';
import { OrderCustomer, OrderPO, OrderSyncStatus, TASK_QUEUE } from '../shared/temporal';
import { connectClient, orderDefaults } from '../worker';
import { temporalFor } from './targets';
import type { OrderProgress } from '../workflows';
import type { OrderWorkflowInput } from '../shared/workflow-types';
import { type OperationsStore } from '../db/operations';
import { operationsOf, inspectionOf } from '../db/open';
import { accountDailyCalls } from '../worker-status';

/** Wakes (or starts) one order line's workflow with a rerun signal: a waiting FAILED order tries again, an ended one gets a new run. */
async function signalRerun(client: Client, config: Config, key: string): Promise<string> {
  const handle = await client.workflow.signalWithStart('orderWorkflow', {
    workflowId: orderWorkflowId(key),
    taskQueue: TASK_QUEUE,
    args: [{ key, batchId: null, ...orderDefaults(config) } satisfies OrderWorkflowInput],
    signal: 'rerun',
    signalArgs: [],
  });
  return handle.workflowId;
}

/** Why a rerun of this line cannot succeed (the same rule staging applies), or null when it can. */
async function refusal(store: Store, mapping: Mapping, transform: ReturnType<typeof createTransform>, key: string): Promise<string | null> {
  const line = await lookUpSourceLine({ store, mapping, transform }, key);
  if (line.kind === 'found') return null;
  const why = line.kind === 'gone' ? `${key} is not in ORDERS_UNIFIED (check the key: "AAG ORDER NUMBER|CUSTOMER STYLE|CUSTOMER COLOUR DESCRIPTION")` : line.message;
  const fix = line.kind === 'gone' ? '' : '; fix the source row (or the mapping): the next sync picks the line up by itself, no rerun needed';
  return `not rerun: ${why}${fix}`;
}

export async function rerunOrder(config: Config, key: string | undefined): Promise<number> {
  if (!key) throw new Error('rerun needs an order key, e.g. orders-sync rerun "GRE-04755-01|GR1234|NAVY"');
  const store = await openConfiguredStore(config, { mustExist: true });
  try {
    const mapping = loadMapping(config.MAPPING_FILE);
    // A rejected or duplicated line fails again at once: say why instead of starting a workflow that waits RERUN_WAIT.
    const refused = await refusal(store, mapping, createTransform(mapping), key);
    if (refused) {
      console.error(refused);
      return 1;
    }
    const client = await connectClient(temporalFor(config));
    try {
      const workflowId = await signalRerun(client, config, key);
      console.log(`rerun requested for ${key} (workflow ${workflowId}); follow it with: orders-sync status "${key}"`);
    } finally {
      await client.connection.close();
    }
    return 0;
  } finally {
    await store.close();
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

/**
 * `rerun --failed`: every order line staging holds as FAILED (of one customer or PO), whether its workflow still waits
 * or has ended (after RERUN_WAIT, or a continue-as-new); each gets a rerun signal-with-start. Lines whose source row
 * would fail again (rejected, duplicated, gone) are named and left alone.
 */
export async function rerunFailed(config: Config, filter: { customer?: string; po?: string }): Promise<number> {
  const store = await openConfiguredStore(config, { mustExist: true });
  try {
    const lines = await inspectionOf(store).failedLines(filter);
    if (lines.length === 0) {
      console.log(`no FAILED order lines in staging${filter.customer || filter.po ? ' for that customer/PO' : ''}`);
      return 0;
    }
    const mapping = loadMapping(config.MAPPING_FILE);
    const transform = createTransform(mapping);
    const client = await connectClient(temporalFor(config));
    let requested = 0;
    let refused = 0;
    try {
      for (const line of lines) {
        const why = await refusal(store, mapping, transform, line.key);
        if (why) {
          refused++;
          console.log(why);
          continue;
        }
        await signalRerun(client, config, line.key);
        requested++;
        console.log(`rerun requested for ${line.key}`);
      }
    } finally {
      await client.connection.close();
    }
    console.log(`rerun requested for ${requested} order line(s)${refused ? `, ${refused} not rerun (above: why)` : ''}; follow them with: orders-sync status`);
    return refused > 0 && requested === 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}

export async function showStatus(config: Config, key: string | undefined): Promise<number> {
  const store = await openConfiguredStore(config, { mustExist: true });
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
