// One shared, in-process Monday budget for every activity of a worker. Callers wait here instead of
// sending a request the server would throttle; a 429 pauses everyone until the server's retry time,
// so concurrent workflows never turn one 429 into a storm.

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
  /** The server's remaining complexity (from `complexity.after` or the RateLimit header) and when it resets. */
  private server: { left: number; resetAt: number } | null = null;
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
      this.server = { left: o.complexityLeft, resetAt: now + (o.resetInSeconds ?? this.windowMs / 1000) * 1000 };
    }
    // RateLimit: "minuteRate";r=0;t=38, "concurrency";r=249, "complexityMinute";r=4950000;t=45
    for (const part of (o.rateLimitHeader ?? '').split(',')) {
      const name = /"([^"]+)"/.exec(part)?.[1];
      const r = Number(/;\s*r=([\d.]+)/.exec(part)?.[1] ?? NaN);
      const t = Number(/;\s*t=([\d.]+)/.exec(part)?.[1] ?? NaN);
      if (r === 0 && Number.isFinite(t)) this.pause(t * 1000);
      if (name === 'complexityMinute' && Number.isFinite(r) && o.complexityLeft == null) {
        this.server = { left: r, resetAt: now + (Number.isFinite(t) ? t * 1000 : this.windowMs) };
      }
    }
    this.pump();
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

  /** For tests and the doctor command. */
  snapshot(): { complexityUsed: number; requests: number; waiting: number; pausedForMs: number } {
    this.expire(Date.now());
    return {
      complexityUsed: this.sent.reduce((s, e) => s + e.complexity, 0),
      requests: this.sent.length,
      waiting: this.waiters.length,
      pausedForMs: Math.max(0, this.pausedUntil - Date.now()),
    };
  }

  private expire(now: number): void {
    while (this.sent.length > 0 && this.sent[0]!.at <= now - this.windowMs) this.sent.shift();
    if (this.server && now >= this.server.resetAt) this.server = null;
  }

  /** 0 when the request may go now, else how long until the global limits may allow it. */
  private globalWait(w: Waiter, now: number): number {
    if (now < this.pausedUntil) return this.pausedUntil - now;
    const oldestExpiry = (this.sent[0]?.at ?? now) + this.windowMs - now;
    if (this.sent.length >= this.requestsPerMinute) return oldestExpiry;
    const used = this.sent.reduce((s, e) => s + e.complexity, 0);
    // A request bigger than the whole budget still goes once the window is empty.
    if (used > 0 && used + w.complexity > this.complexityPerMinute) return oldestExpiry;
    if (this.server && w.complexity > this.server.left) return this.server.resetAt - now;
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
