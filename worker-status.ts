// What a worker tells the outside while it runs. Two channels, both honest about where the numbers live:
// - a row per worker in MON_WorkerStatus every few seconds: its Monday budget (used, queued, why and how long it
//   waits, the daily limit). The budget lives in the worker process; the CLI (progress lines, status --watch) reads
//   these rows from the database every client already reaches.
// - Prometheus gauges on the worker's /metrics (METRICS_PORT) for the dashboard and alerts: the same budget
//   figures, plus what only the database knows (orders waiting for rerun, age of the last finished batch, items held).
import os from 'node:os';
import type { MetricMeter } from '@temporalio/common';
import type { MondayBudget } from './graphql/budget';
import type { RequestOutcome } from './graphql/client';
import { msUntilMidnightUtc } from './graphql/errors';
import type { OperationsStore, WorkerStatus } from './db/operations';
import type { Store } from './db/store';
import { verifyStoreOf } from './db/open';
import { DRIFT_CLASSES } from './shared/verify';
import type { Client } from '@temporalio/client';
import { createOperatorGauges } from './operator-gauges';

const STATUS_EVERY_MS = 2_000;
const GAUGES_EVERY_MS = 15_000;

export interface WorkerStatusReporter {
  /** Hook for the Monday client's onRequest: notices the daily limit. */
  onRequest(r: RequestOutcome): void;
  /** Starts writing the status row and the gauges; the returned function stops it. */
  start(deps: { store: Store; operations: OperationsStore; meter: MetricMeter; boardId?: string; temporal?: Client }): () => Promise<void>;
}

/** The account's Monday calls today, from every worker's status row: used, the last hour's pace, the forecast at midnight UTC. */
export function accountDailyCalls(statuses: WorkerStatus[], now = new Date()): { used: number; lastHour: number; limit: number; forecast: number; workers: number } | null {
  const day = now.toISOString().slice(0, 10);
  const today = statuses.filter((w) => w.callsDay === day);
  if (today.length === 0) return null;
  const used = today.reduce((n, w) => n + (w.callsToday ?? 0), 0);
  // Only rows still written lately pace the rest of the day; a worker that stopped spends nothing more.
  const lastHour = today.filter((w) => now.getTime() - Date.parse(w.updatedAt) < 60_000).reduce((n, w) => n + (w.callsLastHour ?? 0), 0);
  const hoursLeft = msUntilMidnightUtc(now) / 3_600_000;
  return { used: Math.round(used), lastHour: Math.round(lastHour), limit: Math.max(...today.map((w) => w.dailyCalls ?? 0)), forecast: Math.round(used + lastHour * hoursLeft), workers: today.length };
}

const msSinceMidnightUtc = (now = new Date()): number => 86_400_000 - msUntilMidnightUtc(now);

export function createWorkerStatus(budget: MondayBudget, workerId = `${os.hostname()}:${process.pid}`): WorkerStatusReporter {
  let dailyLimitUntil: number | null = null;

  const status = (): WorkerStatus => {
    const s = budget.snapshot();
    const calls = budget.dailyCallsToday();
    if (dailyLimitUntil !== null && Date.now() >= dailyLimitUntil) dailyLimitUntil = null;
    return {
      callsDay: calls.day, callsToday: calls.own, callsLastHour: calls.lastHour, dailyCalls: calls.limit,
      workerId, updatedAt: new Date().toISOString(),
      complexityUsed: s.complexityUsed, complexityPerMinute: budget.complexityPerMinute,
      requests: s.requests, requestsPerMinute: budget.requestsPerMinute,
      waiting: s.waiting, waitingFor: s.waitingFor, waitMs: s.waitMs, pausedForMs: s.pausedForMs,
      dailyLimitUntil: dailyLimitUntil === null ? null : new Date(dailyLimitUntil).toISOString(),
    };
  };

  return {
    onRequest(r) {
      // Monday resets the daily limit at midnight UTC. One clock reading: two could straddle a millisecond and give 23:59:59.999.
      if (r.errorCode === 'DAILY_LIMIT_EXCEEDED') {
        const now = new Date();
        dailyLimitUntil = now.getTime() + msUntilMidnightUtc(now);
      }
    },
    start({ store, operations, meter, boardId, temporal }) {
      const operator = createOperatorGauges(meter);
      const g = {
        complexityUsed: meter.createGauge('orders_sync_monday_budget_complexity_used', 'int', 'points', 'Monday complexity sent in the last minute (this worker)'),
        complexityLimit: meter.createGauge('orders_sync_monday_budget_complexity_limit', 'int', 'points', 'Monday complexity budget per minute (MONDAY_COMPLEXITY_PER_MINUTE)'),
        waiting: meter.createGauge('orders_sync_monday_budget_waiting', 'int', 'requests', 'Monday requests queued in the budget'),
        paused: meter.createGauge('orders_sync_monday_budget_paused_seconds', 'float', 's', 'Seconds left of a pause Monday asked for (429, daily limit)'),
        dailyLimit: meter.createGauge('orders_sync_monday_daily_limit_reached', 'int', '', '1 while Monday\'s daily call limit holds this worker'),
        failedWaiting: meter.createGauge('orders_sync_orders_waiting_for_rerun', 'int', 'orders', 'Order lines FAILED in staging, waiting for a fix and rerun'),
        unfinished: meter.createGauge('orders_sync_orders_unfinished', 'int', 'orders', 'Order lines staged and not yet SYNCED or FAILED'),
        lastBatchEnd: meter.createGauge('orders_sync_last_batch_finished_timestamp_seconds', 'float', 's', 'Unix time the last sync batch finished'),
        lastBatchDuration: meter.createGauge('orders_sync_last_batch_duration_seconds', 'float', 's', 'How long the last finished sync batch took'),
        boardItems: meter.createGauge('orders_sync_board_items', 'int', 'items', 'Order lines holding a Monday item (items this sync keeps on the board)'),
        // From the last whole-board `orders-sync verify` (absent until one has run).
        drift: meter.createGauge('orders_sync_board_drift', 'int', 'cells', 'Drift the last whole-board verify found, by class (orders-sync verify)'),
        verifiedAt: meter.createGauge('orders_sync_board_verified_timestamp_seconds', 'float', 's', 'Unix time the last whole-board verify finished'),
        callsToday: meter.createGauge('orders_sync_monday_daily_calls', 'float', 'calls', 'Monday calls this worker made today (UTC)'),
        callsLastHour: meter.createGauge('orders_sync_monday_daily_calls_last_hour', 'float', 'calls', 'Monday calls this worker made in the last hour'),
        callsLimit: meter.createGauge('orders_sync_monday_daily_calls_limit', 'int', 'calls', 'The account\'s daily Monday calls (MONDAY_DAILY_CALLS)'),
      };
      const writeStatus = async () => {
        const s = status();
        g.complexityUsed.set(s.complexityUsed);
        g.complexityLimit.set(s.complexityPerMinute);
        g.waiting.set(s.waiting);
        g.paused.set(s.pausedForMs / 1000);
        g.dailyLimit.set(s.dailyLimitUntil ? 1 : 0);
        g.callsToday.set(s.callsToday ?? 0);
        g.callsLastHour.set(s.callsLastHour ?? 0);
        g.callsLimit.set(s.dailyCalls ?? 0);
        await operations.saveWorkerStatus(s);
        // The other workers' calls today count against the same allowance.
        const others = (await operations.liveWorkerStatuses(msSinceMidnightUtc())).filter((w) => w.workerId !== workerId && w.callsDay === s.callsDay);
        budget.setOthersCallsToday(s.callsDay!, others.reduce((n, w) => n + (w.callsToday ?? 0), 0));
      };
      const readDatabase = async () => {
        const counts = await store.statusCounts();
        g.failedWaiting.set(counts.FAILED);
        g.unfinished.set(counts.PENDING + counts.IN_PROGRESS + counts.ITEM_CREATED);
        const last = await operations.lastFinishedBatch();
        if (last) {
          g.lastBatchEnd.set(Date.parse(last.endTime) / 1000);
          g.lastBatchDuration.set(last.durationSeconds ?? 0);
        }
        g.boardItems.set(await operations.countBoardItems());
        const verified = boardId ? await verifyStoreOf(store).latestWholeBoardRun(boardId) : null;
        if (verified?.summary && verified.finishedAt) {
          for (const c of DRIFT_CLASSES) g.drift.set(verified.summary.counts[c], { class: c });
          g.verifiedAt.set(Date.parse(verified.finishedAt) / 1000);
        }
        await operator.readDatabase(store, operations);
      };
      // The database not answering is said (the gauges above keep their last value: stale), then the tick carries on.
      const readDatabaseOrMarkDown = () => readDatabase().catch((err: unknown) => {
        operator.databaseDown();
        throw err;
      });
      const readSchedule = async () => { if (temporal) await operator.readSchedule(temporal); };
      // A database hiccup must not stop the worker: the next tick tries again.
      const tick = (fn: () => Promise<void>) => () => void fn().catch(() => undefined);
      let running = Promise.all([writeStatus(), readDatabaseOrMarkDown(), readSchedule()]).catch(() => undefined);
      const timers = [
        setInterval(tick(writeStatus), STATUS_EVERY_MS), setInterval(tick(readDatabaseOrMarkDown), GAUGES_EVERY_MS), setInterval(tick(readSchedule), GAUGES_EVERY_MS),
      ];
      return async () => {
        timers.forEach(clearInterval);
        await running;
        running = Promise.resolve(undefined);
      };
    },
  };
}
