// The doctor's checks of what the Monday account allows: room left in each label column, the token's rights, and
// automations that use the order key column. Each returns the check's line or throws with what to fix.
import { automationsUsingColumn } from '../graphql/board-checks';
import { judgeRights, probeTokenRights } from '../graphql/token-rights';
import type { MondayClient } from '../graphql/client';
import { boardLabelCount, labelCeilingOf, type BoardColumns, type Mapping } from '../mapping';

/** Warn this close to a column's ceiling: a few syncs of new styles can fill the rest. */
const NEAR_CEILING = 0.9;

/**
 * Each label column's labels against its ceiling (mapping `labelCeiling`, default 500 for a dropdown, 40 for a
 * status), with the labels a sync of the source would create. Fails when a column is at its ceiling or the sync
 * would take it past; warns from 90 %.
 */
export function labelRoom(mapping: Mapping, boards: BoardColumns[], labelsToCreate: { columnId: string }[]): string {
  const columns = [
    ...mapping.items.columns.filter((c) => c.type === 'dropdown' || c.type === 'status').map((c) => ({ ...c, on: boards[0] })),
    { id: mapping.subitems.sizeColumnId, title: 'Size', type: 'dropdown' as const, createLabels: mapping.subitems.createSizeLabels, on: boards[1] },
  ];
  const full: string[] = [];
  const near: string[] = [];
  const fine: string[] = [];
  for (const c of columns) {
    const onBoard = c.on?.columns.find((b) => b.id === c.id);
    const count = onBoard ? boardLabelCount(onBoard) : undefined;
    const ceiling = labelCeilingOf(c);
    if (count === undefined || ceiling === null) continue;
    const adding = labelsToCreate.filter((l) => l.columnId === c.id).length;
    const line = `${c.id} (${c.title}): ${count} of ${ceiling} labels${adding ? `, a sync would add ${adding}` : ''}`;
    if (c.createLabels && (count >= ceiling || count + adding > ceiling)) full.push(line);
    else if (c.createLabels && count + adding >= NEAR_CEILING * ceiling) near.push(line);
    else fine.push(line);
  }
  if (full.length) {
    throw new Error(`label columns at their ceiling: new labels there are left out of the items and recorded as DATA errors:\n    ${full.join('\n    ')}\n  Move the column to text (docs/RUNBOOK.md, "A label column at its ceiling") or delete unused labels on the board.`);
  }
  const warning = near.length ? `\n    WARNING, near the ceiling (docs/RUNBOOK.md, "A label column at its ceiling"):\n    ${near.join('\n    ')}` : '';
  return `${fine.length + near.length} label columns have room${warning}`;
}

/** The token's rights on both boards (writes, labels, board creation for acceptance) and automations using the key column. */
export async function tokenRightsAndAutomations(monday: MondayClient, mapping: Mapping): Promise<string> {
  const boards = [{ id: mapping.items.boardId, role: 'items' }, { id: mapping.subitems.boardId, role: 'subitems' }];
  const rights = await probeTokenRights(monday, boards.map((b) => b.id));
  const needsLabels = mapping.items.columns.some((c) => c.createLabels) || mapping.subitems.createSizeLabels;
  const sync = judgeRights(rights, boards, { labels: needsLabels, boardCreation: false });
  if (sync.problems.length) throw new Error(`the Monday token cannot do what the sync needs:\n    ${sync.problems.join('\n    ')}`);
  const acceptance = judgeRights(rights, [], { labels: false, boardCreation: true });
  const keyUse = await automationsUsingColumn(monday, mapping.items.boardId, mapping.items.keyColumnId);
  const warnings = [
    ...sync.warnings,
    ...acceptance.problems.map((p) => `${p} (orders-sync acceptance will not run)`),
    ...keyUse.using.map((u) => `${u} on board ${mapping.items.boardId} uses the order key column ${mapping.items.keyColumnId}: if it writes or clears it, the sync loses track of items (docs/RUNBOOK.md, "Monday errors and what to do")`),
  ];
  const head = `${rights.user?.name} (${rights.user?.kind || 'kind not given'}) may edit both boards; ${keyUse.automations} automation(s) on the items board, ${keyUse.using.length} using the key column`;
  return warnings.length ? `${head}\n    WARNING: ${warnings.join('\n    WARNING: ')}` : head;
}
