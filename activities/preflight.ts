// Refuse what cannot work before any order is touched: the token's rights (graphql/token-rights.ts) and the
// mapping against the boards (mapping/board-check.ts). Asked by the sync workflow before it detects anything,
// by `orders-sync worker` and `start` before their workers poll, and by doctor.
import { ApplicationFailure } from '@temporalio/common';
import type { MondayClient } from '../graphql/client';
import { judgeRights, probeTokenRights } from '../graphql/token-rights';
import { MondayApiError, toActivityFailure } from '../graphql/errors';
import { checkMappingAgainstBoards, type BoardColumns, type Mapping } from '../mapping';

/** What stops the sync (empty when nothing does) and the boards as read (one request). Throws when Monday gives no answer (unreachable, 5xx, 429). */
export async function checkBoards(monday: MondayClient, mapping: Mapping): Promise<{ problems: string[]; boards: BoardColumns[] | null }> {
  // One request (the probe reads the boards' columns too): a sync every 10 minutes spends 144 of the daily calls.
  const wanted = [{ id: mapping.items.boardId, role: 'items' }, { id: mapping.subitems.boardId, role: 'subitems' }];
  const rights = await probeTokenRights(monday, wanted.map((b) => b.id));
  const { problems } = judgeRights(rights, wanted, { labels: false, boardCreation: false });
  if (problems.length) return { problems, boards: null };
  const boards = wanted.map((w) => rights.boards.find((b) => b.id === w.id)!);
  return { problems: checkMappingAgainstBoards(mapping, boards).problems.map((p) => `${p} (mapping ${mapping.file})`), boards };
}

export async function boardProblems(monday: MondayClient, mapping: Mapping): Promise<string[]> {
  return (await checkBoards(monday, mapping)).problems;
}

/** The one line that says why nothing was synced and what to do. */
export function refusalLine(problems: string[]): string {
  return `nothing was synced: ${problems.join('; ')}. Fix that, then check with: orders-sync doctor`;
}

export function createPreflightActivities(deps: { monday: MondayClient; mapping: Mapping }) {
  return {
    /** Fails the sync (not retried) when the token or the mapping cannot work with the boards. */
    async checkBoardsUsable(): Promise<void> {
      let problems: string[];
      try {
        problems = await boardProblems(deps.monday, deps.mapping);
      } catch (err) {
        // Monday answered, and the answer is final: that is the reason.
        if (err instanceof MondayApiError && err.kind === 'permanent') problems = [`Monday answers ${err.code}: ${err.message}`];
        // No answer (an outage, a 429) proves nothing: the sync goes on and its orders wait for Monday on their own
        // timers, as they did before this check (a sync held here would dispatch nothing until Monday is back).
        else if (err instanceof MondayApiError) return;
        else throw toActivityFailure(err, { orderKey: '(preflight)', step: 'preflight' });
      }
      if (problems.length === 0) return;
      throw ApplicationFailure.create({ message: refusalLine(problems), type: 'BOARD_UNUSABLE', nonRetryable: true, details: [{ category: 'CONFIG', httpStatus: null }] });
    },
  };
}

export type PreflightActivities = ReturnType<typeof createPreflightActivities>;
