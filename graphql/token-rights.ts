// What the Monday token may do, asked before any order is touched (the sync, `start`, each worker at start).
// One request (token-rights.graphql). It names what Monday's documentation lets us know without writing:
// - an unknown or revoked token is answered 401 `Unauthorized` (NOTES-monday-api §error codes);
// - a user who is not ACTIVE, or deleted, cannot write (`USER_ACCESS_DENIED`: "inactive, view-only or unconfirmed");
// - a board the token's user cannot see is missing from `boards(ids:)`; an archived or deleted one has that `state`.
// Whether a member may edit a board whose permissions restrict editing is not readable without writing: not checked.
// (Issue 21 built this small probe; issue 20's doctor probe is meant to merge with it.)
import type { MondayClient } from './client';
import { documents } from './documents';
import { MondayApiError } from './errors';

interface TokenRightsAnswer {
  me: { id: string; name: string; status: string | null; is_deleted: boolean | null } | null;
  boards: { id: string; name: string; state: string; columns: { id: string; title: string; type: string; settings: unknown }[] }[];
}

export interface TokenRights {
  /** Empty when the token can read and write the boards as far as Monday lets us see. */
  problems: string[];
  /** Whose token it is, for the line that says so. */
  user: string | null;
  /** The boards as the token sees them, in the order asked (null when a problem stops the check). */
  boards: { id: string; columns: { id: string; title: string; type: string; settings: unknown }[] }[] | null;
}

/** Throws only what is not an answer about rights (Monday unreachable, 5xx, rate limits): the caller decides. */
export async function probeTokenRights(monday: MondayClient, boards: { id: string; role: string }[]): Promise<TokenRights> {
  let answer: TokenRightsAnswer;
  try {
    answer = (await monday.call<TokenRightsAnswer>(documents.tokenRights, { board_ids: boards.map((b) => b.id) })).data;
  } catch (err) {
    if (err instanceof MondayApiError && err.kind === 'permanent' && (err.httpStatus === 401 || err.httpStatus === 403 || /unauthori[sz]ed|access_denied/i.test(err.code))) {
      return { problems: [`Monday refuses the token (${err.code}${err.httpStatus ? `, HTTP ${err.httpStatus}` : ''}): check MONDAY_API_TOKEN (a personal V2 or app token, sent without "Bearer")`], user: null, boards: null };
    }
    throw err;
  }
  const problems: string[] = [];
  const me = answer.me;
  if (me && (me.is_deleted || (me.status && me.status !== 'ACTIVE'))) {
    problems.push(`the token belongs to ${me.name} (user ${me.id}), who is ${me.is_deleted ? 'deleted' : me.status}: Monday refuses their writes; use an active user's token`);
  }
  for (const b of boards) {
    const seen = answer.boards.find((x) => String(x.id) === b.id);
    if (!seen) problems.push(`${b.role} board ${b.id} is not visible to the token: the mapping names the wrong board, or the token's user is not a member of it`);
    else if (seen.state !== 'active') problems.push(`${b.role} board ${b.id} ("${seen.name}") is ${seen.state}: restore it or point the mapping at the live board`);
  }
  const seen = boards.map((b) => answer.boards.find((x) => String(x.id) === b.id));
  return {
    problems, user: me ? `${me.name} (user ${me.id})` : null,
    boards: problems.length === 0 ? seen.map((b) => ({ id: String(b!.id), columns: b!.columns })) : null,
  };
}
