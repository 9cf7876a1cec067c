// Seeds a board as another system left it before the sync went live: items written straight into the
// store (no mutation, no complexity), with whatever values, names, groups and states the test wants.
// Used by the adoption tests and benchmark; the values go through the same column rules as create_item.
import { validateColumnValues } from './columns';
import type { Board } from './model';
import type { SandboxStore } from './store';

export interface LegacyItem {
  name: string;
  /** Group title; a group of that title is created when the board has none. */
  group: string;
  /** In Monday's write format, e.g. { text_x: "A", dropdown_y: { labels: ["B"] } }. */
  columnValues: Record<string, unknown>;
  state?: 'active' | 'archived' | 'deleted';
  subitems?: { name: string; columnValues: Record<string, unknown>; state?: 'active' | 'archived' | 'deleted' }[];
}

/** Returns the ids of the items created, in order (subitem ids under `subitemIds`). */
export function seedLegacyItems(store: SandboxStore, boards: Map<string, Board>, boardId: string, items: LegacyItem[]): { id: string; subitemIds: string[] }[] {
  const board = boards.get(boardId);
  if (!board || board.type === 'sub_items_board') throw new Error(`no items board ${boardId}`);
  const subBoard = board.subitemsBoardId ? boards.get(board.subitemsBoardId) : undefined;
  return store.transaction(() => items.map((item) => {
    const groupId = store.groups(board.id).find((g) => g.title === item.group)?.id ?? store.createGroup(board.id, item.group).id;
    const { writes } = validateColumnValues(store, board, item.columnValues, true);
    const row = store.insertItem(board.id, groupId, item.name, null);
    for (const w of writes) store.writeValue(row.id, w.columnId, w.value, w.text);
    if (item.state && item.state !== 'active') store.setItemState(row.id, item.state);
    const subitemIds = (item.subitems ?? []).map((s) => {
      if (!subBoard) throw new Error(`board ${boardId} has no subitems board`);
      const sub = validateColumnValues(store, subBoard, s.columnValues, true);
      const subRow = store.insertItem(subBoard.id, store.groups(subBoard.id)[0]?.id ?? 'topics', s.name, row.id);
      for (const w of sub.writes) store.writeValue(subRow.id, w.columnId, w.value, w.text);
      if (s.state && s.state !== 'active') store.setItemState(subRow.id, s.state);
      return subRow.id;
    });
    return { id: row.id, subitemIds };
  }));
}
