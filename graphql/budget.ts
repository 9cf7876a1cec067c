// One shared, in-process Monday budget for every activity of a worker. Callers wait here instead of
// sending a request the server would throttle; a 429 pauses everyone until the server's retry time,
// so concurrent workflows never turn one 429 into a storm.
//
// Several workers share one account budget, and every Monday answer says what the whole account has left
// and when its window resets (`complexity { after reset_in_x_seconds }`, or the RateLimit header). Each worker
// paces on that, not on a guess of the others:
// - it spends what the account has left evenly until the reset (after a request of c points it waits
//   c × time-to-reset ÷ left, jittered): alone it spreads the window's budget over the window; with k workers
//   each doing so the account's remainder shrinks faster and they slow down together, the last points going
//   near the window's end;
// - a request goes only if it fits what is left less a reserve for what the other workers sent that this
//   worker has not heard of yet: the reserve is how far its last view was off (0 when it is alone);
// - when nothing fits it waits for the reset, plus a small jittered margin so the workers do not all come
//   back at the reset edge, where a clock or rounding difference would meet the spent window.

export interface MondayBudgetOptions {
  /** Personal tokens share 10M complexity points per minute between reads and writes. */
  complexityPerMinute?: number;
  /** Enterprise minute limit (Pro 2,500, other 1,000). */
  requestsPerMinute?: number;
  /**
   * Mutations in flight per board. Monday warns that concurrent writes to one board can corrupt
   * it; 4 keeps a board's writes nearly serial while hiding one round trip of latency.
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

/** Called when the response is in, with what it said about the budget. */
export type BudgetRelease = (seen?: BudgetObservation) => void;

interface Waiter extends BudgetRequest {
  grant: (release: BudgetRelease) => void;
  refuse: (err: BudgetPausedError) => void;
}

/** The budget is paused for longer than callers should wait in place (see MondayBudget.pause). */
export class BudgetPausedError extends Error {
  constructor(readonly pausedForMs: number) {
    super(`Monday asked us to wait ${Math.ceil(pausedForMs / 1000)} s before the next request`);
    this.name = 'BudgetPausedError';
  }
}

/** Waits longer than this are left to the caller's retry timer instead of being waited out in place. */
export const LONG_PAUSE_MS = 30_000;

/** After a reset, wait this part of a window and up to as much again at random (0.6 s on average at real time). */
const RESET_MARGIN = 0.005;

export class MondayBudget {
  readonly complexityPerMinute: number;
  readonly requestsPerMinute: number;
  readonly maxConcurrentMutationsPerBoard: number;
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

  constructor(opts: MondayBudgetOptions = {}) {
    this.complexityPerMinute = opts.complexityPerMinute ?? 10_000_000;
    this.requestsPerMinute = opts.requestsPerMinute ?? 5000;
    this.maxConcurrentMutationsPerBoard = opts.maxConcurrentMutationsPerBoard ?? 4;
    this.timeScale = opts.timeScale ?? 1;
    this.windowMs = 60_000 / this.timeScale;
    this.random = opts.random ?? Math.random;
  }

  /** Wait until the request fits the budget. Call the returned function when the response is in. */
  acquire(req: BudgetRequest): Promise<BudgetRelease> {
    const pausedForMs = this.pausedUntil - Date.now();
    if (pausedForMs > LONG_PAUSE_MS) return Promise.reject(new BudgetPausedError(pausedForMs));
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
        // What is left, spread evenly until the reset; the jitter keeps workers with the same view apart.
        const untilReset = Math.max(0, this.account.resetAt - now);
        this.nextAt = now + (w.complexity * untilReset / Math.max(this.account.left, w.complexity)) * (0.5 + this.random());
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
    return (seen) => {
      if (released) return;
      released = true;
      if (seen) this.learn(seen, grant);
      this.inFlight.delete(grant);
      if (board !== undefined) this.mutationsInFlight.set(board, (this.mutationsInFlight.get(board) ?? 1) - 1);
      this.pump();
    };
  }
}
