// `rerun` and `status`: what an engineer uses to look at and fix one order line.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Config } from '../config';
import { openConfiguredStore } from '../worker';
import { orderWorkflowId } from '../shared/order';
import { TASK_QUEUE } from '../shared/temporal';
import { connectClient } from '../worker';
import { temporalFor } from './targets';
import type { OrderProgress, OrderWorkflowInput } from '../workflows';

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
      args: [{ key, batchId: null, subitemBatchSize: config.MONDAY_SUBITEM_BATCH_SIZE, rerunWait: config.RERUN_WAIT } satisfies OrderWorkflowInput],
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

export async function showStatus(config: Config, key: string | undefined): Promise<number> {
  const store = await openConfiguredStore(config);
  try {
    if (!key) {
      const counts = await store.statusCounts();
      console.log('order lines by staging status:');
      for (const [status, n] of Object.entries(counts)) console.log(`  ${status.padEnd(13)} ${n}`);
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
