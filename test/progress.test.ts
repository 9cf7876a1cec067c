// Progress that explains itself: the reporter's rules (a fake clock), the wait reasons, and end to end the CLI
// as users run it against a worker whose Monday budget is tight, plus the summary after an interrupted sync.
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createProgress, createRateWindow, waitReasonOf } from '../cli/progress';
import type { WorkerStatus } from '../db/operations';
import { startStack, type Stack } from './support/stack';
import { runSyncOnce, summaryLine } from '../cli/sync-once';
import { generateOrderLines } from '../db/demo-data';
import { orderKeyOf } from '../mapping';
import { TASK_QUEUE } from '../shared/temporal';
import { reportFinishedSyncs } from '../cli/sync-reporter';
import { operationsOf } from '../db/open';
import { currentWaitReason } from '../cli/progress';

const ROOT = path.resolve(__dirname, '..');

function status(over: Partial<WorkerStatus> = {}): WorkerStatus {
  return {
    workerId: 'w1', updatedAt: new Date(1_000_000).toISOString(), complexityUsed: 0, complexityPerMinute: 10_000_000, requests: 0,
    requestsPerMinute: 5000, waiting: 0, waitingFor: null, waitMs: 0, pausedForMs: 0, dailyLimitUntil: null, ...over,
  };
}

describe('the progress reporter', () => {
  let t = 0;
  let lines: string[] = [];
  const reporter = () => createProgress({ log: (l) => lines.push(l), now: () => t, minIntervalMs: 3000, repeatWaitMs: 15_000 });
  beforeEach(() => { t = 0; lines = []; });

  test('prints at most every 3 s, only when the count moved', () => {
    const p = reporter();
    for (let i = 0; i <= 20; i++) { t = i * 1000; p.update({ done: Math.min(i, 10), total: 20, unit: 'order lines finished' }, null); }
    // 0, 3, 6, 9 and 12 s moved (10 by then); from then on the count stands still and there is no reason: silence.
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['0/20', '3/20', '6/20', '9/20', '10/20']);
    expect(lines[2]).toContain('1.0/s, about 14 s left');
  });

  test('a wait reason is printed at once when it appears, then repeated only every 15 s while nothing moves', () => {
    const p = reporter();
    p.update({ done: 5, total: 9, unit: 'order lines finished' }, null);
    for (let s = 1; s <= 40; s++) {
      t = s * 1000;
      p.update({ done: 5, total: 9, unit: 'order lines finished' }, s >= 2 ? `waiting for Monday's complexity budget, resets in ${60 - s} s` : null);
    }
    expect(lines).toEqual([
      '5/9 order lines finished · 5.0/s, about 1 s left',
      expect.stringMatching(/^5\/9 .* waiting for Monday's complexity budget, resets in 58 s$/),
      expect.stringMatching(/resets in 43 s$/),
      expect.stringMatching(/resets in 28 s$/),
    ]);
  });

  test('wait reasons from the workers\' status rows', () => {
    const at = 1_000_000;
    expect(waitReasonOf([], at)).toMatch(/no worker has reported/);
    expect(waitReasonOf([status()], at)).toBeNull();
    expect(waitReasonOf([status({ waiting: 3, waitingFor: 'complexity', waitMs: 38_000 })], at)).toBe("waiting for Monday's complexity budget (0 % of the minute used), resets in 38 s");
    // A row written 8 s ago: 8 s of its wait have passed.
    expect(waitReasonOf([status({ waiting: 1, waitingFor: 'complexity', waitMs: 38_000 })], at + 8000)).toBe("waiting for Monday's complexity budget (0 % of the minute used), resets in 30 s");
    expect(waitReasonOf([status({ waiting: 1, waitingFor: 'pause', waitMs: 5000, pausedForMs: 5000 })], at)).toBe('Monday asked us to pause (rate limit), resuming in 5 s');
    expect(waitReasonOf([status(), status({ workerId: 'w2', dailyLimitUntil: '2026-11-27T00:00:00.000Z', pausedForMs: 3_600_000 })], at))
      .toBe('daily call limit reached, resuming at 00:00 UTC');
  });

  test('pacing is not a reason: a moment\'s wait at 9 % of the budget, or a full write slot on the board, says nothing', () => {
    const at = 1_000_000;
    // The budget spreads the minute's points evenly: at 9 % use the next request waits a fraction of a second.
    expect(waitReasonOf([status({ waiting: 4, waitingFor: 'complexity', waitMs: 180, complexityUsed: 900_000 })], at)).toBeNull();
    expect(waitReasonOf([status({ waiting: 2, waitingFor: 'board' })], at)).toBeNull();
    expect(waitReasonOf([status({ waiting: 2, waitingFor: 'requests', waitMs: 300, requests: 120 })], at)).toBeNull();
    // The minute nearly spent: that holds the sync back, however short the wait.
    expect(waitReasonOf([status({ waiting: 4, waitingFor: 'complexity', waitMs: 900, complexityUsed: 9_100_000 })], at))
      .toBe("waiting for Monday's complexity budget (91 % of the minute used), resets in 1 s");
  });

  test('the rate window measures the last minute, and starts over when the count goes down', () => {
    const w = createRateWindow(60_000);
    w.add(0, 0);
    expect(w.rate()).toBeNull();
    w.add(10_000, 20);
    expect(w.rate()).toBe(2);
    w.add(100_000, 20);
    w.add(110_000, 40);
    // The first two samples left the minute: 20 in the last 10 s, not 40 in 110 s.
    expect(w.rate()).toBe(2);
    w.add(111_000, 3);
    expect(w.rate()).toBeNull();
  });
});

test('the summary names the order lines an earlier run\'s workflows finished when the batch counters miss them', () => {
  const line = summaryLine({ batchId: 'b-1', orders: 4, items: 1, itemsUpdated: 2, subitems: 3, subitemsUpdated: 4, subitemsRemoved: 1, failed: 0, byEarlierRun: 3, rejectedRows: 0, unchanged: 5, waiting: [], waitingTotal: 0, seconds: 2 });
  expect(line).toBe("synced 4 order lines, 0 failed in 2.0s: on Monday 1 items created, 2 updated; 3 subitems created, 4 updated, 1 removed (3 of them were under way in an earlier run; what they wrote before this sync counts in that run's batch) (batch b-1)");
});

describe('end to end, with a tight Monday budget', () => {
  let stack: Stack;
  beforeAll(async () => {
    // About one order line per (5 s) budget minute: the sync has to wait for the budget, and says so.
    stack = await startStack({ env: { MONDAY_COMPLEXITY_PER_MINUTE: '150000', MONDAY_TIME_SCALE: '12' } });
  }, 60_000);
  afterAll(() => stack?.stop());

  test('sync --once says why it waits, prints at most every 3 s, and status --watch shows the running sync', async () => {
    await stack.store.insertSourceRows(generateOrderLines(5, 3));
    const cli = (args: string[]) => spawn(process.execPath, [path.join(ROOT, 'bin/orders-sync.js'), ...args], { env: stack.childEnv() });
    const started = Date.now();
    const sync = cli(['sync', '--once']);
    const watch = cli(['status', '--watch']);
    let stderr = '';
    let stdout = '';
    let watched = '';
    sync.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    sync.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    watch.stdout.on('data', (d: Buffer) => { watched += d.toString(); });
    const code = await new Promise((r) => sync.once('exit', r));
    const seconds = (Date.now() - started) / 1000;
    watch.kill('SIGINT');
    await new Promise((r) => watch.once('exit', r));

    expect(code).toBe(0);
    expect(stdout).toMatch(/^synced 5 order lines, 0 failed in [\d.]+s: on Monday 5 items created, 0 updated; \d+ subitems created, 0 updated, 0 removed \(batch [0-9a-f-]{36}\)$/m);
    const progress = stderr.split('\n').filter((l) => /\d+\/5 order lines finished/.test(l));
    expect(stderr).toMatch(/waiting for Monday's complexity budget \(\d+ % of the minute used\), resets in \d+ s/);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(seconds / 3) + 1);
    expect(watched).toMatch(/sync [0-9a-f-]{36}: \d\/5 order lines finished/);
    // The rate and what is left, measured by the watcher while the order lines finish.
    expect(watched).toMatch(/order lines finished \(\d+ synced, \d+ failed\) · [\d.]+\/s · about [\d.]+ (s|min) left/);
    expect(watched).toMatch(/Monday budget: 1 worker\(s\), complexity [\d,]+ of 150,000 per minute/);
  }, 180_000);

  test('after an interrupted sync, the next one counts the order lines the earlier run\'s workflows finished', async () => {
    await stack.store.insertSourceRows(generateOrderLines(9, 3).slice(5));
    // The "crashed" run: its sync workflow dispatched the orders, nobody waited for them.
    const interrupted = await stack.client.workflow.execute<(input: { pageSize: number }) => Promise<{ batchId: string }>>('syncWorkflow', { taskQueue: TASK_QUEUE, workflowId: `interrupted-${Date.now()}`, args: [{ pageSize: 50 }] });
    expect((await stack.store.statusCounts()).SYNCED).toBeLessThan(9);
    const summary = await runSyncOnce(stack.client, stack.store, { pageSize: 50 });
    expect(summary.orders + summary.failed).toBe(4);
    expect(summary.failed).toBe(0);
    // The earlier run's workflows still running were dispatched again by this sync, which credits its own batch
    // (the order workflow's dispatchedBy, issue 14): the counters and the count from staging agree, no note needed.
    expect((await stack.store.getBatch(summary.batchId))?.counters).toMatchObject({ synced: 4, failed: 0 });
    expect(summary.byEarlierRun).toBe(0);
    // What was created on Monday is counted once, in the batch that staged the order line when it was written (after
    // a crash the summary said "87 items, 0 subitems" for ~290 subitems created, and both batches counted the items).
    const earlier = (await stack.store.getBatch(interrupted.batchId))!.counters;
    const now = (await stack.store.getBatch(summary.batchId))!.counters;
    let sizes = 0;
    for (const row of generateOrderLines(9, 3).slice(5)) sizes += (await stack.store.getStagedOrder(orderKeyOf(stack.mapping, row)))!.subitems.filter((x) => x.qty > 0).length;
    expect({ items: earlier.items + now.items, subitems: earlier.subitems + now.subitems }).toEqual({ items: 4, subitems: sizes });
  }, 180_000);

  test('npm start: one line per finished sync, once its order lines are done, with where to look at failures', async () => {
    const lines: string[] = [];
    const stop = reportFinishedSyncs(stack.store, { log: (l) => lines.push(l), webUiUrl: 'http://ui', everyMs: 200 });
    try {
      await stack.store.insertSourceRows(generateOrderLines(11, 3).slice(9));
      // A full board (Monday's ItemsLimitationException) rejects the second of the two new order lines.
      const held = await operationsOf(stack.store).countBoardItems();
      stack.sandbox.setItemsLimit(stack.mapping.items.boardId, held + 1);
      const summary = await runSyncOnce(stack.client, stack.store, { pageSize: 50 });
      expect(summary).toMatchObject({ orders: 1, failed: 1 });
      await new Promise((r) => setTimeout(r, 1000));
      expect(lines).toEqual([expect.stringMatching(new RegExp(
        `^sync ${summary.batchId} finished: 1 order lines synced, 1 failed, ${held} unchanged in [\\d.]+ s; on Monday 1 items created, 0 updated, \\d+ subitems created, 0 updated, 0 removed · failures: orders-sync status, ` +
        'or http://ui/namespaces/default/workflows\\?query=OrderSyncStatus%3D%22FAILED%22$'))]);
    } finally {
      stop();
    }
  }, 180_000);

  // Last in this file: the worker's budget stays paused until midnight UTC afterwards.
  test('Monday\'s daily limit reaches the CLI through the worker\'s status row', async () => {
    stack.sandbox.setLimits({ dailyCalls: 1 });
    // The call that finds the day's calls used up (the first may still be the day's one allowed call).
    const answers = [];
    for (let i = 0; i < 2; i++) answers.push(await stack.monday.boardStructure(stack.mapping.items.boardId).then(() => 'ok', (e: { code?: string }) => e.code));
    expect(answers).toContain('DAILY_LIMIT_EXCEEDED');
    const operations = operationsOf(stack.store);
    let reason: string | null = null;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline && !reason?.startsWith('daily'); await new Promise((r) => setTimeout(r, 250))) {
      reason = await currentWaitReason(operations);
    }
    expect(reason).toBe('daily call limit reached, resuming at 00:00 UTC');
  }, 60_000);
});
