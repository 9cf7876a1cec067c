// One shared, in-process Monday budget for every activity of a worker. Callers wait here instead of
// sending a request the server would throttle; a 429 pauses everyone until the server's retry time,
// so concurrent workflows never turn one 429 into a storm.
//
// Several workers share one account budget, and every Monday answer says what the whole account has left
// and when its window resets (`complexity { after reset_in_x_seconds }`, or the RateLimit header). Each worker
// paces on that, not on a guess of the others:
// - it spends what the account has left evenly until the reset (after a request of c points it waits
//   c × time-to-reset ÷ left, jittered): with k workers each doing so the account's remainder shrinks faster
//   and they slow down together, the last points going near the window's end. A worker whose view of the
//   account keeps matching what Monday reports is alone on it and does not pace: it spends the window's budget
//   as fast as Monday answers and waits for the reset (Monday's budget allows 10M at once, issue 20);
// - a request goes only if it fits what is left less a reserve for what the other workers sent that this
//   worker has not heard of yet: the reserve is how far its last view was off (0 when it is alone);
// - when nothing fits it waits for the reset, plus a small jittered margin so the workers do not all come
//   back at the reset edge, where a clock or rounding difference would meet the spent window.
// It also counts calls against the account's daily allowance (MONDAY_DAILY_CALLS, Pro: 10,000 a day, reset at
// midnight UTC; developer.monday.com/api-reference/docs/rate-limits): this worker's own calls plus what the other
// workers reported (worker-status.ts). When they reach the allowance every request waits for midnight.
import { msUntilMidnightUtc } from './errors';

export interface MondayBudgetOptions {
  /** Personal tokens share 10M complexity points per minute between reads and writes. */
  complexityPerMinute?: number;
  /** Queries per minute: Pro 2,500 (the default), Enterprise 5,000, other 1,000 (rate-limits doc). */
  requestsPerMinute?: number;
  /** Calls a day for the whole account: Pro 10,000 (the default), Enterprise 25,000, Free/Basic/Standard 1,000. */
  dailyCalls?: number;
  /**
   * Mutations in flight per board: 1. "You should make all mutations one after the other. If you make multiple
   * mutations on the same board simultaneously, the data on the board can become corrupted."
   * (developer.monday.com/api-reference/docs/development-best-practices)
   */
  maxConcurrentMutationsPerBoard?: number;
  /** Divides the one-minute window (tests against a sandbox running faster than real time). */
  timeScale?: number;
  /** Random numbers in [0, 1) for the jitter (tests pass a fixed one). */
  random?: () => number;
}

export interface BudgetRequest {
  boardId?: string;
  complexity: number;
  isMutation: boolean;
}

/** What a Monday answer says about the account's budget. */
export interface BudgetObservation {
  complexityLeft?: number | null;
  resetInSeconds?: number | null;
  rateLimitHeader?: string | null;
}

/**
 * Called when the response is in, with what it said about the budget and what it cost in daily calls: 1, or 0.1
 * for a request a rate limit rejected and for a complexity-only query (rate-limits doc, "Daily call limit").
 */
export type BudgetRelease = (seen?: BudgetObservation, calls?: number) => void;

interface Waiter extends BudgetRequest {
  grant: (release: BudgetRelease) => void;
  refuse: (err: BudgetPausedError) => void;
}

/** The budget is paused for longer than callers should wait in place (see MondayBudget.pause). */
export class BudgetPausedError extends Error {
  constructor(readonly pausedForMs: number, readonly dailyCallsSpent = false) {
    super(dailyCallsSpent
      ? `the daily Monday call budget (MONDAY_DAILY_CALLS) is spent; the next request goes after midnight UTC, in ${Math.ceil(pausedForMs / 60_000)} min`
      : `Monday asked us to wait ${Math.ceil(pausedForMs / 1000)} s before the next request`);
    this.name = 'BudgetPausedError';
  }
}

/** Calls of one UTC day: this worker's, the other workers' (as they reported them) and per minute for the last hour. */
export interface DailyCalls { day: string; own: number; others: number; lastHour: number; limit: number }

/** A view of the account this far off is still one worker's own estimate error (a few hundred points a
 * request), not another worker's spend: less than half of one mutation. */
const ALONE_TOLERANCE = 15_000;

/** Waits longer than this are left to the caller's retry timer instead of being waited out in place. */
export const LONG_PAUSE_MS = 30_000;

/** After a reset, wait this part of a window and up to as much again at random (0.6 s on average at real time). */
const RESET_MARGIN = 0.005;

export class MondayBudget {
  readonly complexityPerMinute: number;
  readonly requestsPerMinute: number;
  readonly maxConcurrentMutationsPerBoard: number;
  readonly dailyCalls: number;
  readonly timeScale: number;
  private readonly windowMs: number;
  private readonly random: () => number;
  private readonly sent: { at: number; complexity: number }[] = [];
  private readonly mutationsInFlight = new Map<string, number>();
  /** This worker's requests on their way, by grant number: an answer does not count the ones sent after it. */
  private readonly inFlight = new Map<number, number>();
  private grants = 0;
  private readonly waiters: Waiter[] = [];
  private pausedUntil = 0;
  /**
   * The account's remaining complexity as last reported, less what this worker sent since; when the window
   * resets, and when this worker takes the next window to have started (the reset plus its jittered margin).
   */
  private account: { left: number; resetAt: number; freshAt: number } | null = null;
  /** Kept back for the other workers: how much less the account had than this worker's view of it. */
  private reserve = 0;
  /** Not before this time: the pace at which what the account has left lasts until its reset. */
  private nextAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private calls = { day: utcDay(Date.now()), own: 0, others: 0, perMinute: new Map<number, number>() };

  constructor(opts: MondayBudgetOptions = {}) {
    this.complexityPerMinute = opts.complexityPerMinute ?? 10_000_000;
    this.requestsPerMinute = opts.requestsPerMinute ?? 2_500;
    this.dailyCalls = opts.dailyCalls ?? 10_000;
    this.maxConcurrentMutationsPerBoard = opts.maxConcurrentMutationsPerBoard ?? 1;
    this.timeScale = opts.timeScale ?? 1;
    this.windowMs = 60_000 / this.timeScale;
    this.random = opts.random ?? Math.random;
  }

  /** Wait until the request fits the budget. Call the returned function when the response is in. */
  acquire(req: BudgetRequest): Promise<BudgetRelease> {
    const pausedForMs = this.pausedUntil - Date.now();
    if (pausedForMs > LONG_PAUSE_MS) return Promise.reject(new BudgetPausedError(pausedForMs));
    const today = this.dailyCallsToday();
    if (today.own + today.others >= today.limit) return Promise.reject(new BudgetPausedError(msUntilMidnightUtc(), true));
    return new Promise((grant, refuse) => {
      this.waiters.push({ ...req, grant, refuse });
      this.pump();
    });
  }

  /** Sync with the server's view (an answer to the latest request, or one the caller cannot tie to a request). */
  observe(o: BudgetObservation): void {
    this.learn(o, this.grants);
    this.pump();
  }

  /** What an answer to request number `grant` says about the account. */
  protected learn(o: BudgetObservation, grant: number): void {
    const now = Date.now();
    if (o.complexityLeft !== undefined && o.complexityLeft !== null) {
      this.report(o.complexityLeft, now + (o.resetInSeconds ?? this.windowMs / 1000) * 1000, grant);
    }
    // RateLimit: "minuteRate";r=0;t=38, "concurrency";r=249, "complexityMinute";r=4950000;t=45
    for (const part of (o.rateLimitHeader ?? '').split(',')) {
      const name = /"([^"]+)"/.exec(part)?.[1];
      const r = Number(/;\s*r=([\d.]+)/.exec(part)?.[1] ?? NaN);
      const t = Number(/;\s*t=([\d.]+)/.exec(part)?.[1] ?? NaN);
      if (r === 0 && Number.isFinite(t)) this.pause(t * 1000);
      if (name === 'complexityMinute' && Number.isFinite(r) && o.complexityLeft == null) {
        this.report(r, now + (Number.isFinite(t) ? t * 1000 : this.windowMs), grant);
      }
    }
  }

  /**
   * The account had `left` when Monday answered request number `grant`: this worker's requests sent after it
   * are not counted in it yet. How far the old view was above that is what the others sent meanwhile.
   */
  private report(reported: number, resetAt: number, grant: number): void {
    let notCounted = 0;
    for (const [n, complexity] of this.inFlight) if (n > grant) notCounted += complexity;
    const left = reported - notCounted;
    const prev = this.account;
    // Same window (the reset times agree within a second or a tenth of the window): the gap is the others'.
    const sameWindow = prev !== null && Math.abs(prev.resetAt - resetAt) < Math.min(1000, this.windowMs / 10);
    // Quick to rise, halving when the view was right: one stale view is likely followed by another.
    if (sameWindow) this.reserve = Math.max(prev.left - left, this.reserve / 2, 0);
    this.account = { left, resetAt, freshAt: sameWindow ? prev.freshAt : resetAt + this.resetMargin() };
  }

  private resetMargin(): number {
    return this.windowMs * RESET_MARGIN * (1 + this.random());
  }

  /** This UTC day's calls (a new day starts from zero). */
  dailyCallsToday(now = Date.now()): DailyCalls {
    const day = utcDay(now);
    if (day !== this.calls.day) this.calls = { day, own: 0, others: 0, perMinute: new Map() };
    const minute = Math.floor(now / 60_000);
    for (const m of this.calls.perMinute.keys()) if (m <= minute - 60) this.calls.perMinute.delete(m);
    const lastHour = [...this.calls.perMinute.values()].reduce((a, b) => a + b, 0);
    return { day, own: round1(this.calls.own), others: round1(this.calls.others), lastHour: round1(lastHour), limit: this.dailyCalls };
  }

  /** What the other workers on the account reported for `day` (worker-status.ts reads their rows). */
  setOthersCallsToday(day: string, calls: number): void {
    if (this.dailyCallsToday().day === day) this.calls.others = calls;
  }

  private countCall(calls: number): void {
    const now = Date.now();
    this.dailyCallsToday(now);
    this.calls.own += calls;
    const minute = Math.floor(now / 60_000);
    this.calls.perMinute.set(minute, (this.calls.perMinute.get(minute) ?? 0) + calls);
  }

  /** After a 429: nobody sends until the server's retry time. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
    // A long pause (the daily limit, say) sends everyone waiting back with the time to wait, so no caller
    // sits on a worker slot for an hour.
    if (this.pausedUntil - Date.now() > LONG_PAUSE_MS) {
      for (const w of this.waiters.splice(0)) w.refuse(new BudgetPausedError(this.pausedUntil - Date.now()));
    }
    this.pump();
  }

  /** For tests, the doctor command and the worker's status row (why the first queued request waits, and how long). */
  snapshot(): {
    complexityUsed: number; requests: number; waiting: number; pausedForMs: number; accountLeft: number | null; reserve: number;
    waitingFor: 'pause' | 'complexity' | 'requests' | 'board' | null; waitMs: number;
  } {
    const now = Date.now();
    this.expire(now);
    const first = this.waiters[0];
    const waitMs = first ? this.wait(first, now) : 0;
    const waitingFor = !first ? null : now < this.pausedUntil ? 'pause' : waitMs === 0 ? 'board' : this.sent.length >= this.requestsPerMinute ? 'requests' : 'complexity';
    return {
      complexityUsed: this.sent.reduce((s, e) => s + e.complexity, 0),
      requests: this.sent.length,
      waiting: this.waiters.length,
      pausedForMs: Math.max(0, this.pausedUntil - now),
      accountLeft: this.account?.left ?? null,
      reserve: this.reserve,
      waitingFor,
      waitMs,
    };
  }

  private expire(now: number): void {
    while (this.sent.length > 0 && this.sent[0]!.at <= now - this.windowMs) this.sent.shift();
    // A new window starts full: the whole account budget until Monday says otherwise.
    if (this.account && now >= this.account.freshAt) {
      const resetAt = now + this.windowMs;
      this.account = { left: this.complexityPerMinute, resetAt, freshAt: resetAt + this.resetMargin() };
      this.nextAt = now;
    }
  }

  /** 0 when the request may go now, else how long until it may. */
  private wait(w: Waiter, now: number): number {
    if (now < this.pausedUntil) return this.pausedUntil - now;
    // This worker's own minute: its requests always, its complexity until Monday has said what the account has.
    const oldestExpiry = (this.sent[0]?.at ?? now) + this.windowMs - now;
    if (this.sent.length >= this.requestsPerMinute) return oldestExpiry;
    // The configured budget caps this worker's own minute even when Monday reports more (an operator leaving room
    // for other integrations). A request bigger than the whole budget still goes once the window is empty.
    const used = this.sent.reduce((s, e) => s + e.complexity, 0);
    if (used > 0 && used + w.complexity > this.complexityPerMinute) return oldestExpiry;
    if (!this.account) return 0;
    // Does not fit what the account has left (a request bigger than a whole window still goes on a fresh one).
    if (w.complexity > this.account.left - this.reserve && this.account.left < this.complexityPerMinute) return this.account.freshAt - now;
    return Math.max(0, this.nextAt - now);
  }

  private boardFull(w: Waiter): boolean {
    return w.isMutation && w.boardId !== undefined
      && (this.mutationsInFlight.get(w.boardId) ?? 0) >= this.maxConcurrentMutationsPerBoard;
  }

  private pump(): void {
    const now = Date.now();
    this.expire(now);
    let wakeIn = 0;
    for (let i = 0; i < this.waiters.length; ) {
      const w = this.waiters[i]!;
      const wait = this.wait(w, now);
      if (wait > 0) { wakeIn = wait; break; } // first come, first served across boards
      if (this.boardFull(w)) { i++; continue; } // woken by a release of that board
      this.waiters.splice(i, 1);
      this.sent.push({ at: now, complexity: w.complexity });
      if (this.account) {
        // With other workers on the account: what is left, spread evenly until the reset; the jitter keeps workers
        // with the same view apart. Alone: no pacing, the budget is spent as fast as Monday answers.
        const untilReset = Math.max(0, this.account.resetAt - now);
        const alone = this.reserve < ALONE_TOLERANCE;
        this.nextAt = alone ? now : now + (w.complexity * untilReset / Math.max(this.account.left, w.complexity)) * (0.5 + this.random());
        this.account.left -= w.complexity;
      }
      w.grant(this.slotFor(w));
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = wakeIn > 0 ? setTimeout(() => { this.timer = null; this.pump(); }, Math.ceil(wakeIn) + 1) : null;
  }

  private slotFor(w: Waiter): BudgetRelease {
    const grant = ++this.grants;
    this.inFlight.set(grant, w.complexity);
    const board = w.isMutation ? w.boardId : undefined;
    if (board !== undefined) this.mutationsInFlight.set(board, (this.mutationsInFlight.get(board) ?? 0) + 1);
    let released = false;
    return (seen, calls = 1) => {
      if (released) return;
      released = true;
      this.countCall(calls);
      if (seen) this.learn(seen, grant);
      this.inFlight.delete(grant);
      if (board !== undefined) this.mutationsInFlight.set(board, (this.mutationsInFlight.get(board) ?? 1) - 1);
      this.pump();
    };
  }
}

const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const round1 = (n: number): number => Math.round(n * 10) / 10;
