// `orders-sync status --watch`: the running sync live. Done / total, rate and ETA from the batch and staging,
// Monday budget use and wait reason from the workers' status rows, the latest failures from the error tables.
import type { Store } from '../db/store';
import { operationsOf } from '../db/open';
import { LIVE_STATUS_MS, createRateWindow, formatSeconds, waitReasonOf } from './progress';

export async function watchStatus(store: Store, opts: { everyMs?: number; out?: (text: string) => void; signal?: AbortSignal } = {}): Promise<void> {
  const out = opts.out ?? ((t: string) => process.stdout.write(t));
  const operations = operationsOf(store);
  const tty = process.stdout.isTTY && !opts.out;
  let previous = '';
  const rates = createRateWindow();
  while (!opts.signal?.aborted) {
    const screen = await render(store, operations, rates);
    if (screen !== previous) {
      out(tty ? `\x1b[2J\x1b[H${screen}\n` : `${screen}\n\n`);
      previous = screen;
    }
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 2_000));
  }
}

async function render(store: Store, operations: Awaited<ReturnType<typeof operationsOf>>, rates: ReturnType<typeof createRateWindow>): Promise<string> {
  const lines: string[] = [];
  const running = await operations.runningBatch();
  const unfinished = await store.countUnfinished();
  if (running || unfinished > 0) {
    // The batch row ends when dispatch ends; its order lines go on: those still unfinished are the sync's work.
    const batchId = running?.batchId ?? (await operations.lastFinishedBatch())?.batchId;
    const done = batchId ? await operations.finishedSince(batchId) : { synced: 0, failed: 0 };
    const finished = done.synced + done.failed;
    rates.add(Date.now(), finished);
    const rate = rates.rate();
    const pace = rate === null ? ' · measuring the rate …' : rate > 0 ? ` · ${rate.toFixed(1)}/s · about ${formatSeconds(unfinished / rate)} left` : ' · no order line finished in the last minute';
    lines.push(`sync ${batchId ?? '?'}: ${finished}/${finished + unfinished} order lines finished (${done.synced} synced, ${done.failed} failed)${pace}`);
  } else {
    const last = await operations.lastFinishedBatch();
    lines.push(last ? `no sync running; the last one (${last.batchId}) finished ${last.endTime} as ${last.status}` : 'no sync has run yet');
  }
  const workers = await operations.liveWorkerStatuses(LIVE_STATUS_MS);
  const used = workers.reduce((n, w) => n + w.complexityUsed, 0);
  const limit = workers[0]?.complexityPerMinute ?? 0;
  lines.push(`Monday budget: ${workers.length} worker(s), complexity ${used.toLocaleString('en-US')} of ${limit.toLocaleString('en-US')} per minute` +
    (limit > 0 ? ` (${Math.round((100 * used) / limit)} %)` : '') + `, ${workers.reduce((n, w) => n + w.requests, 0)} requests in the last minute`);
  const reason = waitReasonOf(workers);
  if (reason) lines.push(`waiting: ${reason}`);
  const failures = await store.listErrors({ unresolvedOnly: true, limit: 3 });
  lines.push(failures.length ? 'latest failures:' : 'no unresolved failures');
  for (const f of failures) lines.push(`  ${f.createdAt ?? ''} ${f.category}/${f.errorType} ${f.orderKey}${f.size ? ` size ${f.size}` : ''}: ${f.message.slice(0, 160)}`);
  return lines.join('\n');
}
