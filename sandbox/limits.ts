// Monday's rate limits (complexity per minute, requests per minute, concurrency, daily calls), each
// a fixed window that starts with its first call like Monday's ("resets 60 seconds after the first call").
// timeScale shrinks every window: with timeScale 60 a "minute" lasts one real second.

export interface SandboxLimits {
  complexityPerMinute: number;
  mutationCost: number;
  queryCap: number;
  requestsPerMinute: number;
  maxConcurrent: number;
  dailyCalls: number;
  /** 1 = real time; 60 = a "minute" lasts 1 s. */
  timeScale: number;
  /** Monday's 60-second timeout policy, in real milliseconds (not time-scaled): see sandbox/slow-commit.ts. */
  requestTimeoutMs: number;
}

/** Personal-token defaults from Monday's rate-limit page (Pro tier for requests, concurrency and daily calls). */
export const DEFAULT_LIMITS: SandboxLimits = {
  complexityPerMinute: 10_000_000,
  mutationCost: 30_000,
  queryCap: 5_000_000,
  requestsPerMinute: 2_500,
  maxConcurrent: 100,
  dailyCalls: 10_000,
  timeScale: 1,
  requestTimeoutMs: 60_000,
};

export interface Rejection {
  code: 'COMPLEXITY_BUDGET_EXHAUSTED' | 'MINUTE_RATE_LIMIT_EXCEEDED' | 'MAX_CONCURRENCY_EXCEEDED' | 'DAILY_LIMIT_EXCEEDED';
  message: string;
  /** Real seconds to wait (fractional when timeScale > 1). */
  retryInSeconds: number;
}

class Window {
  start = 0;
  used = 0;
  constructor(private readonly lengthMs: () => number) {}

  roll(now: number): void {
    if (now - this.start >= this.lengthMs()) {
      this.start = now;
      this.used = 0;
    }
  }

  resetInMs(now: number): number {
    return Math.max(0, this.start + this.lengthMs() - now);
  }
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Concurrency has no window: Monday suggests a short wait; a quarter of a (scaled) minute. */
const CONCURRENCY_RETRY_MS = 15_000;

export class RateLimiter {
  limits: SandboxLimits;
  private inFlight = 0;
  private readonly minute = new Window(() => MINUTE_MS / this.limits.timeScale);
  private readonly complexity = new Window(() => MINUTE_MS / this.limits.timeScale);
  private readonly day = new Window(() => DAY_MS / this.limits.timeScale);
  /** Every complexity window so far, oldest first, with what it spent (benchmarks measure how full each was). */
  readonly complexityWindows: { start: number; used: number }[] = [];
  /** The spends of the last sliding minute and their sum, and the largest such sum seen: benchmarks read it to the request. */
  private readonly lastMinute: { at: number; cost: number }[] = [];
  private lastMinuteSum = 0;
  private peak = 0;

  constructor(limits: Partial<SandboxLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  setLimits(limits: Partial<SandboxLimits>): void {
    this.limits = { ...this.limits, ...limits };
  }

  reset(): void {
    for (const w of [this.minute, this.complexity, this.day]) {
      w.start = 0;
      w.used = 0;
    }
    this.complexityWindows.length = 0;
    this.lastMinute.length = 0;
    this.lastMinuteSum = 0;
    this.peak = 0;
  }

  /**
   * The most complexity spent within any sliding minute (scaled) since the last call, each request counted when it
   * was charged; then it counts afresh from now. Stricter than Monday's fixed windows (complexityWindows).
   */
  busiestMinute(): number {
    const peak = this.peak;
    this.lastMinute.length = 0;
    this.lastMinuteSum = 0;
    this.peak = 0;
    return peak;
  }

  private slide(now: number): void {
    const windowMs = MINUTE_MS / this.limits.timeScale;
    while (this.lastMinute.length > 0 && this.lastMinute[0]!.at <= now - windowMs) this.lastMinuteSum -= this.lastMinute.shift()!.cost;
  }

  /** Real seconds, rounded up: whole seconds at real time, hundredths when time is scaled. */
  seconds(ms: number): number {
    const s = ms / 1000;
    return this.limits.timeScale <= 1 ? Math.max(1, Math.ceil(s)) : Math.max(0.01, Math.ceil(s * 100) / 100);
  }

  /** Admits a request against concurrency, the minute rate and the daily calls; call `leave` when it ends. */
  enter(now: number): Rejection | null {
    this.minute.roll(now);
    this.day.roll(now);
    if (this.inFlight >= this.limits.maxConcurrent) {
      return { code: 'MAX_CONCURRENCY_EXCEEDED', message: 'Too many concurrent requests', retryInSeconds: this.seconds(CONCURRENCY_RETRY_MS / this.limits.timeScale) };
    }
    if (this.minute.used >= this.limits.requestsPerMinute) {
      return { code: 'MINUTE_RATE_LIMIT_EXCEEDED', message: 'Minute rate limit exceeded', retryInSeconds: this.seconds(this.minute.resetInMs(now)) };
    }
    if (this.day.used >= this.limits.dailyCalls) {
      return { code: 'DAILY_LIMIT_EXCEEDED', message: 'Daily limit exceeded', retryInSeconds: this.seconds(this.day.resetInMs(now)) };
    }
    this.minute.used += 1;
    this.day.used += 1;
    this.inFlight += 1;
    return null;
  }

  leave(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  /** Spends `cost` from the minute's complexity budget, or says how long until it resets. */
  spend(cost: number, now: number): { before: number; after: number; resetInSeconds: number } | Rejection {
    this.complexity.roll(now);
    const before = this.limits.complexityPerMinute - this.complexity.used;
    if (cost > before) {
      return { code: 'COMPLEXITY_BUDGET_EXHAUSTED', message: 'Complexity budget exhausted', retryInSeconds: this.seconds(this.complexity.resetInMs(now)) };
    }
    this.complexity.used += cost;
    if (this.complexityWindows.at(-1)?.start !== this.complexity.start) this.complexityWindows.push({ start: this.complexity.start, used: 0 });
    this.complexityWindows.at(-1)!.used += cost;
    this.slide(now);
    this.lastMinute.push({ at: now, cost });
    this.lastMinuteSum += cost;
    this.peak = Math.max(this.peak, this.lastMinuteSum);
    return { before, after: before - cost, resetInSeconds: this.seconds(this.complexity.resetInMs(now)) };
  }

  /** Monday's `RateLimit-Policy` and `RateLimit` headers (IETF draft format); w and t in real seconds. */
  headers(now: number): Record<string, string> {
    const l = this.limits;
    const w = Math.round((60 / l.timeScale) * 1000) / 1000;
    // Whole seconds at real time, as Monday; hundredths when time is scaled, like retry_in_seconds.
    const t = (win: Window): number => (l.timeScale <= 1 ? Math.ceil(win.resetInMs(now) / 1000) : Math.ceil(win.resetInMs(now) / 10) / 100);
    return {
      'RateLimit-Policy': `"minuteRate";q=${l.requestsPerMinute};w=${w}, "concurrency";q=${l.maxConcurrent};qu="concurrent-requests", "complexityMinute";q=${l.complexityPerMinute};w=${w};qu="content-bytes"`,
      RateLimit: `"minuteRate";r=${Math.max(0, l.requestsPerMinute - this.minute.used)};t=${t(this.minute)}, "concurrency";r=${Math.max(0, l.maxConcurrent - this.inFlight)}, "complexityMinute";r=${Math.max(0, l.complexityPerMinute - this.complexity.used)};t=${t(this.complexity)}`,
    };
  }
}
