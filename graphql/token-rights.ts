// What the Monday token may do, asked before any order is touched (the sync's pre-flight, `start`, each worker at
// start), by `doctor` and by `orders-sync acceptance`. One request (token-rights.graphql), judged by what Monday's
// documentation lets us know without writing:
// - an unknown or revoked token is answered 401 `Unauthorized` (NOTES-monday-api §error codes);
// - a user who is not ACTIVE, or deleted, cannot write (`USER_ACCESS_DENIED`: "inactive, view-only or unconfirmed");
// - a board the token's user cannot see is missing from `boards(ids:)`; an archived or deleted one has that `state`;
// - `access_level` is "The user's permission level for this board (view / edit)";
// - creating a label "requires permission to change board structure": owners (and admins) have it;
// - guests and viewers cannot create boards (Monday's user kinds, UserKindFilter in the 2026-10 schema).
// Whether a member may edit a board whose permissions restrict editing is not readable without writing: not checked.
import type { MondayClient } from './client';
import { documents } from './documents';
import { MondayApiError } from './errors';

interface TokenRightsAnswer {
  me: { id: string; name: string; kind: string | null; status: string | null; is_deleted: boolean | null } | null;
  boards: { id: string; name: string; state: string; access_level: string | null; owners: ({ id: string } | null)[] | null; columns: BoardColumn[] }[];
}

export interface BoardColumn { id: string; title: string; type: string; settings: unknown }

/** The token's user and the boards as that user sees them; `refused` when Monday would not say (bad token). */
export interface TokenRights {
  refused: string | null;
  user: { id: string; name: string; kind: string; status: string | null; deleted: boolean } | null;
  boards: { id: string; name: string; state: string; access: string | null; owner: boolean; columns: BoardColumn[] }[];
}

export interface RightsVerdict {
  /** Certain: nothing of that kind can succeed (a bad token, an inactive user, a missing or view-only board). */
  problems: string[];
  /** Likely: Monday may refuse (labels on a board the user does not own). */
  warnings: string[];
}

/** Throws only what is not an answer about rights (Monday unreachable, 5xx, rate limits): the caller decides. */
export async function probeTokenRights(monday: MondayClient, boardIds: string[]): Promise<TokenRights> {
  let answer: TokenRightsAnswer;
  try {
    answer = (await monday.call<TokenRightsAnswer>(documents.tokenRights, { board_ids: boardIds })).data;
  } catch (err) {
    if (err instanceof MondayApiError && err.kind === 'permanent' && (err.httpStatus === 401 || err.httpStatus === 403 || /unauthori[sz]ed|access_denied/i.test(err.code))) {
      return { refused: `Monday refuses the token (${err.code}${err.httpStatus ? `, HTTP ${err.httpStatus}` : ''}): check MONDAY_API_TOKEN (a personal V2 or app token, sent without "Bearer")`, user: null, boards: [] };
    }
    throw err;
  }
  const me = answer.me;
  return {
    refused: null,
    user: me && { id: String(me.id), name: me.name, kind: (me.kind ?? '').toLowerCase(), status: me.status, deleted: me.is_deleted === true },
    boards: answer.boards.map((b) => ({
      id: String(b.id), name: b.name, state: b.state, access: b.access_level, columns: b.columns,
      owner: me !== null && (b.owners ?? []).some((o) => o?.id === me.id),
    })),
  };
}

/** What the rights mean for writing `boards` (creating labels when `labels`), or for acceptance's scratch copy. */
export function judgeRights(rights: TokenRights, boards: { id: string; role: string }[], needs: { labels: boolean; boardCreation: boolean }): RightsVerdict {
  if (rights.refused) return { problems: [rights.refused], warnings: [] };
  const problems: string[] = [];
  const warnings: string[] = [];
  const user = rights.user;
  const who = user ? `the token's user ${user.name} (${user.id}, ${user.kind || 'kind not given'})` : "the token's user";
  if (user && (user.deleted || (user.status && user.status !== 'ACTIVE'))) {
    problems.push(`the token belongs to ${user.name} (user ${user.id}), who is ${user.deleted ? 'deleted' : user.status}: Monday refuses their writes; use an active user's token`);
  }
  for (const { id, role } of boards) {
    const b = rights.boards.find((x) => x.id === id);
    if (!b) problems.push(`${role} board ${id} is not visible to ${who}: the mapping names the wrong board, or share the board with that user`);
    else if (b.state !== 'active') problems.push(`${role} board ${id} ("${b.name}") is ${b.state}: restore it or point the mapping at the live board`);
    else if (b.access !== null && b.access !== 'edit') problems.push(`${who} can only view ${role} board ${id} ("${b.name}"): no write to it can succeed; give that user edit rights`);
    else if (needs.labels && !b.owner && user?.kind !== 'admin') {
      warnings.push(`${who} is not an owner of ${role} board ${id} ("${b.name}"): Monday may refuse to create labels there (creating one "requires permission to change board structure")`);
    }
  }
  if (needs.boardCreation && user && /guest|view/.test(user.kind)) problems.push(`${who} cannot create boards (a ${user.kind} user): acceptance needs to copy the board`);
  return { problems, warnings };
}
