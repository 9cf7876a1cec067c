// What a token may do on the boards, and what on a board besides this sync uses the key column. Small functions
// over the one client, shared by `doctor`, the sync's pre-flight check and `orders-sync acceptance`.
import type { MondayClient } from './client';
import { documents } from './documents';
import { MondayApiError } from './errors';

export interface TokenRights {
  userId: string;
  userName: string;
  /** Monday's `User.kind` (admin, member, guest, view_only...), as Monday spells it. */
  kind: string;
  boards: { id: string; name: string; access: string | null; owner: boolean }[];
}

export interface RightsVerdict {
  /** Certain: nothing of that kind can succeed (a view-only board, a user who cannot create boards). */
  problems: string[];
  /** Likely: Monday may refuse (labels on a board the user does not own). */
  warnings: string[];
}

/** Who the token is and its access to each board; a board Monday does not return is absent (no access at all). */
export async function probeTokenRights(client: MondayClient, boardIds: string[]): Promise<TokenRights> {
  type Answer = { me: { id: string; name: string; kind: string | null } | null; boards: { id: string; name: string; access_level: string | null; owners: ({ id: string } | null)[] | null }[] };
  const r = await client.call<Answer>(documents.tokenRights, { board_ids: boardIds });
  const me = r.data.me;
  if (!me) throw new MondayApiError('Monday did not say who the token belongs to (me is null)', 'permanent', 'NO_USER', 200, null);
  return {
    userId: me.id, userName: me.name, kind: (me.kind ?? '').toLowerCase(),
    boards: r.data.boards.map((b) => ({ id: b.id, name: b.name, access: b.access_level, owner: (b.owners ?? []).some((o) => o?.id === me.id) })),
  };
}

const isAdmin = (kind: string) => kind === 'admin';
/** Guests and viewers cannot create boards (Monday's user kinds, UserKindFilter in the 2026-10 schema). */
const mayCreateBoards = (kind: string) => !/guest|view/.test(kind);

/** What the rights mean for a sync writing `boardIds` (creating labels when `labels`), or for acceptance's scratch copy. */
export function judgeRights(rights: TokenRights, boardIds: string[], needs: { labels: boolean; boardCreation: boolean }): RightsVerdict {
  const problems: string[] = [];
  const warnings: string[] = [];
  const who = `the token's user ${rights.userName} (${rights.userId}, ${rights.kind || 'kind not given'})`;
  for (const id of boardIds) {
    const b = rights.boards.find((x) => x.id === id);
    if (!b) problems.push(`${who} cannot see board ${id}: share the board with that user, or use a token of a user who can`);
    else if (b.access !== 'edit') problems.push(`${who} can only view board ${id} (${b.name}): no write to it can succeed; give that user edit rights`);
    else if (needs.labels && !b.owner && !isAdmin(rights.kind)) {
      warnings.push(`${who} is not an owner of board ${id} (${b.name}): Monday may refuse to create labels there (creating one "requires permission to change board structure")`);
    }
  }
  if (needs.boardCreation && !mayCreateBoards(rights.kind)) problems.push(`${who} cannot create boards (a ${rights.kind} user): acceptance needs to copy the board`);
  return { problems, warnings };
}

/**
 * Where the board's automations mention `columnId` (the order key column): an automation that writes or clears it
 * would make the sync lose track of its items. Only what the API shows is seen (board_automations; legacy
 * automations as Monday describes them); relations from other boards are not visible from this one.
 */
export async function automationsUsingColumn(client: MondayClient, boardId: string, columnId: string): Promise<{ automations: number; using: string[] }> {
  type Answer = { board_automations: { items: { id: string; title: string | null; active: boolean | null; workflow_blocks: unknown; workflow_variables: unknown }[] | null; legacy_automations: unknown } | null };
  const r = await client.call<Answer>(documents.boardAutomations, { board_id: boardId });
  const page = r.data.board_automations;
  const items = page?.items ?? [];
  const mentions = (v: unknown) => JSON.stringify(v ?? null).includes(columnId);
  const using = items.filter((a) => mentions(a.workflow_blocks) || mentions(a.workflow_variables))
    .map((a) => `automation ${a.id} "${a.title ?? ''}"${a.active === false ? ' (inactive)' : ''}`);
  if (mentions(page?.legacy_automations)) using.push('a legacy automation (Monday lists it without an id)');
  return { automations: items.length, using };
}
