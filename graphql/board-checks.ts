// What on a board besides this sync uses the key column (automations), for `doctor` and `orders-sync acceptance`.
import type { MondayClient } from './client';
import { documents } from './documents';

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
