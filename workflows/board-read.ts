// Reading a whole board page by page from a workflow (board adopt, verify): the cursor lives in the workflow, so a
// crash resumes from the last page read; a cursor Monday expired (60 minutes) starts that board again, a few times.
import { ApplicationFailure, ActivityFailure } from '@temporalio/workflow';
import type { BoardSide } from '../activities/adoption';

const MAX_RESTARTS = 3;

export interface BoardReadProgress {
  phase: string;
  itemsRead: number;
  subitemsRead: number;
  /** Times a board read started over because its cursor had expired. */
  restarts: number;
}

/** Items, then subitems: `readPage` stores one page (an activity) and says how many rows it read. */
export async function readBoardPages(
  progress: BoardReadProgress, readPage: (side: BoardSide, cursor: string | null) => Promise<{ cursor: string | null; read: number }>, show: () => void,
): Promise<void> {
  for (const side of ['items', 'subitems'] as BoardSide[]) {
    progress.phase = side === 'items' ? 'READ_ITEMS' : 'READ_SUBITEMS';
    const count = (n: number, reset = false) => {
      if (side === 'items') progress.itemsRead = (reset ? 0 : progress.itemsRead) + n;
      else progress.subitemsRead = (reset ? 0 : progress.subitemsRead) + n;
    };
    let cursor: string | null = null;
    do {
      try {
        const page = await readPage(side, cursor);
        cursor = page.cursor;
        count(page.read);
      } catch (err) {
        if (!(err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === 'CURSOR_EXPIRED') || progress.restarts >= MAX_RESTARTS) throw err;
        // Pages already read are kept (upserted by item id); start the board again from the first page.
        progress.restarts++;
        cursor = null;
        count(0, true);
      }
      show();
    } while (cursor !== null);
  }
}
