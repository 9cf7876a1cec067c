// Progress lines for long commands (start --once, sync --once, rollback, board adopt): at most one every few
// seconds, only when the count moved or with the reason it waits. The reason comes from the workers' status rows
// (MON_WorkerStatus, written by worker-status.ts), because the Monday budget lives in the worker processes.
import type { OperationsStore, WorkerStatus } from '../db/operations';

export interface ProgressCount {
  done: number;
  /** null while the total is not known yet. */
  total: number | null;
  /** e.g. "order lines finished". */
  unit: string;
}

export interface ProgressOptions {
  log: (line: string) => void;
  /** Shortest gap between two lines. */
  minIntervalMs?: number;
  /** A waiting line with an unchanged reason is repeated at most this often. */
  repeatWaitMs?: number;
  now?: () => number;
}

export interface ProgressReporter {
  /** Call as often as you like; prints only when it should. */
  update(count: ProgressCount, waitReason: string | null): void;
}

export function createProgress(opts: ProgressOptions): ProgressReporter {
  const now = opts.now ?? Date.now;
  const minInterval = opts.minIntervalMs ?? 3_000;
  const repeatWait = opts.repeatWaitMs ?? 15_000;
  const startedAt = now();
  let lastAt = -Infinity;
  let lastDone: number | null = null;
  let lastReasonKind: string | null = null;
  return {
    update(count, waitReason) {
      const t = now();
      const moved = count.done !== lastDone;
      // "resets in 38 s" counts down: the reason is the same reason whatever its numbers say.
      const reasonKind = waitReason?.replace(/\d+/g, '#') ?? null;
      const newReason = reasonKind !== lastReasonKind;
      if (t - lastAt < minInterval && !(newReason && reasonKind !== null)) return;
      if (!moved && !newReason && (reasonKind === null || t - lastAt < repeatWait)) return;
      const parts = [`${count.done}${count.total !== null ? `/${count.total}` : ''} ${count.unit}`];
      const rate = count.done / Math.max(1, (t - startedAt) / 1000);
      if (count.done > 0 && count.total !== null && count.done < count.total) {
        parts.push(`${rate.toFixed(1)}/s, about ${formatSeconds((count.total - count.done) / rate)} left`);
      }
      if (waitReason) parts.push(waitReason);
      else if (!moved) parts.push('no change');
      opts.log(parts.join(' · '));
      lastAt = t;
      lastDone = count.done;
      lastReasonKind = reasonKind;
    },
  };
}

/** Worker status rows older than this belong to a worker that is gone. */
export const LIVE_STATUS_MS = 10_000;

/** A budget wait this long, or a minute's budget this used up, is what holds the sync back; shorter waits are pacing. */
const HOLDING_WAIT_MS = 5_000;
const HOLDING_SHARE = 0.8;

/**
 * Why the work waits, from the live workers' status rows; null when nothing holds it back. Monday's budget is
 * spent evenly over its minute (graphql/budget.ts), so some request nearly always waits a moment: that is the
 * normal pace, as is a full write slot on the board. A reason is given only for a wait that holds the sync back: a
 * pause Monday asked for, the daily limit, or a minute's budget (complexity or requests) used up or long to reset.
 * "no worker" is a reason too: a sync with no worker polling never moves.
 */
export function waitReasonOf(statuses: WorkerStatus[], at = Date.now()): string | null {
  if (statuses.length === 0) return `no worker has reported in the last ${LIVE_STATUS_MS / 1000} s: is a worker running?`;
  const daily = statuses.map((s) => s.dailyLimitUntil).filter((d): d is string => d !== null).sort()[0];
  if (daily) return `daily call limit reached, resuming at ${daily.slice(11, 16)} UTC`;
  const leftMs = (s: WorkerStatus) => s.waitMs - (at - Date.parse(s.updatedAt));
  const left = (s: WorkerStatus) => Math.max(1, Math.ceil(leftMs(s) / 1000));
  const holding = (s: WorkerStatus, used: number, limit: number) => leftMs(s) >= HOLDING_WAIT_MS || used >= HOLDING_SHARE * limit;
  const by = (kind: WorkerStatus['waitingFor']) => statuses.find((s) => s.waiting > 0 && s.waitingFor === kind);
  const paused = statuses.find((s) => s.pausedForMs > 0 && s.waitingFor === 'pause') ?? by('pause');
  if (paused) return `Monday asked us to pause (rate limit), resuming in ${left(paused)} s`;
  const complexity = by('complexity');
  if (complexity && holding(complexity, complexity.complexityUsed, complexity.complexityPerMinute)) {
    return `waiting for Monday's complexity budget (${Math.round((100 * complexity.complexityUsed) / complexity.complexityPerMinute)} % of the minute used), resets in ${left(complexity)} s`;
  }
  const requests = by('requests');
  if (requests && holding(requests, requests.requests, requests.requestsPerMinute)) return `waiting for Monday's per-minute request limit, resets in ${left(requests)} s`;
  return null;
}

/** The current wait reason as the database tells it. */
export async function currentWaitReason(operations: OperationsStore): Promise<string | null> {
  return waitReasonOf(await operations.liveWorkerStatuses(LIVE_STATUS_MS));
}

/**
 * Finishing rate over the last minute of samples (a watcher's own observations: the batch row ends with dispatch, long
 * before its order lines finish, so "since the batch started" gave no rate at all). Null until two samples a second apart.
 */
export function createRateWindow(windowMs = 60_000): { add(at: number, done: number): void; rate(): number | null } {
  const samples: { at: number; done: number }[] = [];
  return {
    add(at, done) {
      // A count that went down belongs to another sync: start over.
      if (samples.length > 0 && done < samples[samples.length - 1]!.done) samples.length = 0;
      samples.push({ at, done });
      while (samples.length > 2 && samples[0]!.at < at - windowMs) samples.shift();
    },
    rate() {
      const first = samples[0];
      const last = samples[samples.length - 1];
      if (!first || !last || last.at - first.at < 1000) return null;
      return (last.done - first.done) / ((last.at - first.at) / 1000);
    },
  };
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 90) return `${Math.ceil(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
