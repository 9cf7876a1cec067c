// One shared, in-process Monday budget for every activity of a worker. Callers wait here instead of
// sending a request the server would throttle; a 429 pauses everyone until the server's retry time,
// so concurrent workflows never turn one 429 into a storm.
//
// Several workers share one account budget. Monday's answers say what the whole account has left
// (`complexity.after`, the RateLimit header); the gap between two answers, less what this worker sent
// in between, is what the other workers spent. From that rate each worker predicts what is left right
// now and sends only what still fits; and it paces its own sending to its share of the budget (its rate over
// everyone's), so k workers stay within the one budget, even at a window's start, with no per-worker setting.

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
}

export interface BudgetRequest {
  boardId?: string;
  complexity: number;
  isMutation: boolean;
}

interface Waiter extends BudgetRequest {
  grant: (release: () => void) => void;
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

export class MondayBudget {
  readonly complexityPerMinute: number;
  readonly requestsPerMinute: number;
  readonly maxConcurrentMutationsPerBoard: number;
  readonly timeScale: number;
  private readonly windowMs: number;
  private readonly sent: { at: number; complexity: number }[] = [];
  private readonly mutationsInFlight = new Map<string, number>();
  private readonly waiters: Waiter[] = [];
  private pausedUntil = 0;
  /**
   * The account's remaining complexity as last reported (`complexity.after` or the RateLimit header), less what
   * this worker sent since; when it was reported and when the window resets.
   */
  private server: { left: number; resetAt: number; at: number; reported: number } | null = null;
  /** What the other workers on this account spend, and what this one spends, points per ms, from successive answers. */
  private othersRate = 0;
  private ownRate = 0;
  /** Complexity this worker has sent, all time (to tell its own spending from the others'). */
  private ownSent = 0;
  private ownSentAtReport = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(opts: MondayBudgetOptions = {}) {
    this.complexityPerMinute = opts.complexityPerMinute ?? 10_000_000;
    this.requestsPerMinute = opts.requestsPerMinute ?? 5000;
    this.maxConcurrentMutationsPerBoard = opts.maxConcurrentMutationsPerBoard ?? 4;
    this.timeScale = opts.timeScale ?? 1;
    this.windowMs = 60_000 / this.timeScale;
  }

  /** Wait until the request fits the budget. Call the returned function when the response is in. */
  acquire(req: BudgetRequest): Promise<() => void> {
    const pausedForMs = this.pausedUntil - Date.now();
    if (pausedForMs > LONG_PAUSE_MS) return Promise.reject(new BudgetPausedError(pausedForMs));
    return new Promise((grant, refuse) => {
      this.waiters.push({ ...req, grant, refuse });
      this.pump();
    });
  }

  /** Sync with the server's view after every response. */
  observe(o: { complexityLeft?: number | null; resetInSeconds?: number | null; rateLimitHeader?: string | null }): void {
    const now = Date.now();
    if (o.complexityLeft !== undefined && o.complexityLeft !== null) {
      this.report(o.complexityLeft, now + (o.resetInSeconds ?? this.windowMs / 1000) * 1000, now);
    }
    // RateLimit: "minuteRate";r=0;t=38, "concurrency";r=249, "complexityMinute";r=4950000;t=45
    for (const part of (o.rateLimitHeader ?? '').split(',')) {
      const name = /"([^"]+)"/.exec(part)?.[1];
      const r = Number(/;\s*r=([\d.]+)/.exec(part)?.[1] ?? NaN);
      const t = Number(/;\s*t=([\d.]+)/.exec(part)?.[1] ?? NaN);
      if (r === 0 && Number.isFinite(t)) this.pause(t * 1000);
      if (name === 'complexityMinute' && Number.isFinite(r) && o.complexityLeft == null) {
        this.report(r, now + (Number.isFinite(t) ? t * 1000 : this.windowMs), now);
      }
    }
    this.pump();
  }

  /** A new figure for the account's remaining complexity: learn the other workers' rate from the last two. */
  private report(left: number, resetAt: number, now: number): void {
    const prev = this.server;
    // Same window (the reset time agrees within a second or a tenth of the window): the drop is real spending.
    if (prev && Math.abs(prev.resetAt - resetAt) < Math.min(1000, this.windowMs / 10) && now > prev.at) {
      const accountSpent = prev.reported - left;
      const ownSpent = this.ownSent - this.ownSentAtReport;
      const rate = Math.max(0, accountSpent - ownSpent) / (now - prev.at);
      // Smoothed, but quick to rise: a new worker joining must be noticed within a few answers. Erring high on
      // the others keeps 429s rare (measured: symmetric smoothing gave 6% 429s with three workers, this under 1%).
      this.othersRate = rate > this.othersRate ? (this.othersRate + rate) / 2 : this.othersRate * 0.8 + rate * 0.2;
      this.ownRate = this.ownRate * 0.8 + (ownSpent / (now - prev.at)) * 0.2;
    }
    this.server = { left, resetAt, at: now, reported: left };
    this.ownSentAtReport = this.ownSent;
  }

  /** This worker's part of the account budget: all of it while alone, else its rate over everyone's. */
  private share(): number {
    if (this.othersRate === 0) return 1;
    // Never below a tenth, so a worker that just started (no rate of its own yet) can still get going.
    return Math.max(0.1, this.ownRate / (this.ownRate + this.othersRate));
  }

  /** What the account has left now: the last report, less what we and (by their rate) the others sent since. */
  private predictedLeft(now: number): number {
    if (!this.server) return Infinity;
    return this.server.left - this.othersRate * (now - this.server.at);
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

  /** For tests, the doctor command and the worker's status row (why the first queued request waits, and how long;
   * `complexity` covers this worker's share of the account budget too). */
  snapshot(): {
    complexityUsed: number; requests: number; waiting: number; pausedForMs: number; othersPerMinute: number; share: number;
    waitingFor: 'pause' | 'complexity' | 'requests' | 'board' | null; waitMs: number;
  } {
    const now = Date.now();
    this.expire(now);
    const first = this.waiters[0];
    const waitMs = first ? this.globalWait(first, now) : 0;
    const waitingFor = !first ? null : now < this.pausedUntil ? 'pause' : waitMs === 0 ? 'board' : this.sent.length >= this.requestsPerMinute ? 'requests' : 'complexity';
    return {
      complexityUsed: this.sent.reduce((s, e) => s + e.complexity, 0),
      requests: this.sent.length,
      waiting: this.waiters.length,
      pausedForMs: Math.max(0, this.pausedUntil - now),
      othersPerMinute: Math.round(this.othersRate * this.windowMs),
      share: this.share(),
      waitingFor,
      waitMs,
    };
  }

  private expire(now: number): void {
    while (this.sent.length > 0 && this.sent[0]!.at <= now - this.windowMs) this.sent.shift();
    // A new window starts full: assume the whole account budget until Monday says otherwise, so the
    // other workers' rate keeps applying from its first request on.
    if (this.server && now >= this.server.resetAt) {
      this.server = { left: this.complexityPerMinute, reported: this.complexityPerMinute, resetAt: now + this.windowMs, at: now };
      this.ownSentAtReport = this.ownSent;
    }
  }

  /** 0 when the request may go now, else how long until the global limits may allow it. */
  private globalWait(w: Waiter, now: number): number {
    if (now < this.pausedUntil) return this.pausedUntil - now;
    const oldestExpiry = (this.sent[0]?.at ?? now) + this.windowMs - now;
    if (this.sent.length >= this.requestsPerMinute) return oldestExpiry;
    const used = this.sent.reduce((s, e) => s + e.complexity, 0);
    // A request bigger than the whole budget still goes once the window is empty.
    if (used > 0 && used + w.complexity > this.complexityPerMinute * this.share()) return oldestExpiry;
    if (this.server && w.complexity > this.predictedLeft(now)) return this.server.resetAt - now;
    return 0;
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
      const wait = this.globalWait(w, now);
      if (wait > 0) { wakeIn = wait; break; } // first come, first served across boards
      if (this.boardFull(w)) { i++; continue; } // woken by a release of that board
      this.waiters.splice(i, 1);
      this.sent.push({ at: now, complexity: w.complexity });
      this.ownSent += w.complexity;
      if (this.server) this.server.left -= w.complexity;
      w.grant(this.slotFor(w));
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = wakeIn > 0 ? setTimeout(() => { this.timer = null; this.pump(); }, Math.ceil(wakeIn) + 1) : null;
  }

  private slotFor(w: Waiter): () => void {
    if (!w.isMutation || w.boardId === undefined) return () => {};
    const board = w.boardId;
    this.mutationsInFlight.set(board, (this.mutationsInFlight.get(board) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.mutationsInFlight.set(board, (this.mutationsInFlight.get(board) ?? 1) - 1);
      this.pump();
    };
  }
}
