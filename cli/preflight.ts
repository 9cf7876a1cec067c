// Before a worker polls (`orders-sync worker`, `start`): a token or mapping that cannot work with the boards stops
// it with one line, so no order is taken by a worker that would fail it. Monday not answering is no such proof
// (an outage heals and the activities retry): the worker starts and says so.
import { boardProblems, refusalLine } from '../activities/preflight';
import type { MondayClient } from '../graphql/client';
import type { Mapping } from '../mapping';

/** The refusal line, or null when the worker may start. */
export async function refusalBeforePolling(monday: MondayClient, mapping: Mapping, log: (line: string) => void): Promise<string | null> {
  try {
    const problems = await boardProblems(monday, mapping);
    return problems.length > 0 ? refusalLine(problems).replace('nothing was synced', 'not starting') : null;
  } catch (err) {
    log(`warning: could not check the token and the boards before starting (${(err as Error).message}); starting anyway, Monday steps retry until it answers`);
    return null;
  }
}
