// Boards and columns as the sandbox sees them (static structure from the seed; labels live in SQLite).
import { BOARDS, SUBTASKS_COLUMN_ID } from './boards';

export interface Column {
  id: string;
  title: string;
  type: string;
}

export interface Board {
  id: string;
  name: string;
  type: 'board' | 'sub_items_board';
  itemsLimit: number;
  columns: Column[];
  /** For an items board: the board its subitems live on (the subtasks column's settings.boardIds). */
  subitemsBoardId: string | null;
}

export function loadBoards(): Map<string, Board> {
  const boards = new Map<string, Board>();
  const subitemsBoard = BOARDS.find((b) => b.type === 'sub_items_board');
  for (const seed of BOARDS) {
    // `name` is listed like on Monday; items carry it as their name, not as a column value.
    const columns = seed.columns.map(([id, title, type]) => ({ id, title, type }));
    const hasSubtasks = columns.some((c) => c.id === SUBTASKS_COLUMN_ID);
    boards.set(seed.id, {
      id: seed.id,
      name: seed.name,
      type: seed.type,
      itemsLimit: seed.itemsLimit,
      columns,
      subitemsBoardId: hasSubtasks && subitemsBoard ? subitemsBoard.id : null,
    });
  }
  return boards;
}
