import { RateLimiter } from '../sandbox/limits';

// The figure benchmarks report as "busiest minute": every charge counted at its own time, any 60-second span.
describe('busiest sliding minute', () => {
  test('is exact to the request across Monday windows, and counts afresh once read', () => {
    const limiter = new RateLimiter({ complexityPerMinute: 1_000 });
    limiter.spend(300, 0);
    limiter.spend(300, 50_000);           // window 1: 600
    limiter.spend(300, 61_000);           // window 2 starts; the sliding minute 50 s–61 s holds 600 (the 0 s charge left at 60 s)
    limiter.spend(300, 70_000);           // 50 s–70 s: 900, though no Monday window holds more than 600
    expect(limiter.complexityWindows.map((w) => w.used)).toEqual([600, 600]);
    expect(limiter.busiestMinute()).toBe(900);
    expect(limiter.busiestMinute()).toBe(0);           // nothing since: counts afresh
    limiter.spend(100, 75_000);
    expect(limiter.busiestMinute()).toBe(100);         // the spends before the last reading no longer count
  });
});
