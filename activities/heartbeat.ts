// Heartbeats while an activity waits: on Monday's budget, a slow Monday answer (17 s under a 15 s heartbeat timeout
// timed every attempt of board adopt's reads out: issue 18) or a long database read.
import { Context } from '@temporalio/activity';

const EVERY_MS = 2_000;

/** Runs `work`, heartbeating every 2 s (with `details()`, when given, so a retry can resume from them). */
export async function heartbeating<T>(work: () => Promise<T>, details?: () => unknown): Promise<T> {
  const ctx = Context.current();
  const beat = () => (details ? ctx.heartbeat(details()) : ctx.heartbeat());
  const timer = setInterval(beat, EVERY_MS);
  try {
    beat();
    return await work();
  } finally {
    clearInterval(timer);
  }
}
