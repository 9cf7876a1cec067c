// duplicate_board and delete_board, as `orders-sync acceptance` uses them to make and remove a scratch board.
// What rests on what:
// - Arguments and return types: Monday's 2026-10 SDL (shared/reference/monday-schema.graphql):
//   duplicate_board(board_id: ID!, duplicate_type: DuplicateBoardType!, board_name: String, workspace_id: ID,
//   folder_id: ID, keep_subscribers: Boolean): BoardDuplication { board: Board!, is_async: Boolean! };
//   delete_board(board_id: ID!): Board. board_name "if omitted then automatically generated" (SDL).
// - "Structure only" copies the board's frame: groups and columns (types, titles, settings such as labels), no
//   items and no values (monday support, "How to duplicate a board", support.monday.com/hc/articles/360000304399).
// - 40 duplicate_board calls per minute per account (developer.monday.com/api-reference/docs/rate-limits,
//   "endpoint-specific limits"). The error body for this limit is not documented: the sandbox answers like its
//   other rate limits (HTTP 429, as "other statuses will be returned for transport-layer errors (500, 429, 400)",
//   error-codes page), code RATE_LIMIT_EXCEEDED with retry_in_seconds and a Retry-After header.
// - delete_board answers the deleted board (changelog "New feature: delete a board via the API":
//   `delete_board (board_id: ...) { id }`); an unknown board is InvalidBoardIdException like every board argument.
// Not documented: whether a copy keeps the column ids, and what becomes of the subitems board. The sandbox keeps
// the ids (or, after setCopyColumnIds('new'), gives the copy ids of its own, to play the other case) and copies
// the subitems board (a new board named by the copy's subtasks column). `orders-sync acceptance` checks both on
// the copy before it writes, so a Monday that behaves otherwise stops the run with the columns named.
import type Database from 'better-sqlite3';
import { mondayError } from './errors';
import type { Board } from './model';
import type { SandboxStore } from './store';

export const DUPLICATES_PER_MINUTE = 40;
/** Copies get ids above the seeded boards', counting up like Monday's numeric ids. */
const FIRST_COPY_ID = 9_300_000_000;

const SCHEMA = `CREATE TABLE IF NOT EXISTS board_copies (id TEXT PRIMARY KEY, board TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0)`;

/** Copies made by earlier runs of a sandbox with a database file come back after a restart. */
export function restoreBoardCopies(store: SandboxStore, boards: Map<string, Board>): void {
  store.db.exec(SCHEMA);
  const rows = store.db.prepare('SELECT board FROM board_copies WHERE deleted = 0 ORDER BY CAST(id AS INTEGER)').all() as { board: string }[];
  for (const row of rows) {
    const board = JSON.parse(row.board) as Board;
    boards.set(board.id, board);
  }
}

export class BoardCopies {
  private calls: number[] = [];
  /** 'new': copies get column ids of their own (the case Monday's documentation leaves open). */
  columnIds: 'keep' | 'new' = 'keep';
  /**
   * > 0: duplicate_board answers `is_async: true` and the copy (with its subitems board) appears only this long
   * after. BoardDuplication.is_async (2026-10 schema) says Monday may still be copying when it answers; how long
   * it takes is not documented.
   */
  asyncCopyMs = 0;

  constructor(private readonly store: SandboxStore, private readonly boards: Map<string, Board>, private readonly minuteMs: () => number) {
    store.db.exec(SCHEMA);
  }

  /**
   * Admits `count` duplicate_board fields of one request, or says how many seconds until the minute has room.
   * Checked before the request runs, like Monday's other rate limits (an HTTP 429 that no Idempotency-Key keeps).
   */
  admit(count: number, now: number): number | null {
    if (count === 0) return null;
    this.calls = this.calls.filter((t) => now - t < this.minuteMs());
    if (this.calls.length + count > DUPLICATES_PER_MINUTE) return Math.max(1, Math.ceil(((this.calls[0] ?? now) + this.minuteMs() - now) / 1000));
    for (let i = 0; i < count; i++) this.calls.push(now);
    return null;
  }

  /** Forget the calls of the current minute (the sandbox's reset). */
  resetWindow(): void {
    this.calls = [];
  }

  duplicate(boardId: string, duplicateType: string, boardName: string | null): { board: Board; isAsync: boolean } {
    const source = this.requireBoard(boardId);
    if (duplicateType !== 'duplicate_board_with_structure') {
      // Copying items is not something the sandbox's callers need; say so rather than copy half of it.
      throw mondayError('InvalidArgumentException', `The sandbox duplicates structure only, not ${duplicateType}`, { duplicate_type: duplicateType });
    }
    if (source.type === 'sub_items_board') throw mondayError('InvalidBoardIdException', 'A subitems board cannot be duplicated on its own', { board_id: boardId });
    return this.store.transaction(() => {
      const subitemsSource = source.subitemsBoardId ? this.boards.get(source.subitemsBoardId) : undefined;
      const subitems = subitemsSource ? this.copy(subitemsSource, `Subitems of ${boardName ?? `Duplicate of ${source.name}`}`, null) : undefined;
      const board = this.copy(source, boardName ?? `Duplicate of ${source.name}`, subitems?.id ?? null);
      if (this.asyncCopyMs <= 0) return { board, isAsync: false };
      // Not there yet: queries by its id find nothing until the copy is done.
      const copies = [board, ...(subitems ? [subitems] : [])];
      for (const c of copies) this.boards.delete(c.id);
      setTimeout(() => { for (const c of copies) this.boards.set(c.id, c); }, this.asyncCopyMs).unref();
      return { board, isAsync: true };
    });
  }

  delete(boardId: string): Board {
    const board = this.requireBoard(boardId);
    this.store.transaction(() => {
      for (const id of [board.id, board.subitemsBoardId].filter((b): b is string => b !== null)) {
        this.boards.delete(id);
        this.store.db.prepare('UPDATE board_copies SET deleted = 1 WHERE id = ?').run(id);
        this.store.db.prepare(`UPDATE items SET state = 'deleted' WHERE board_id = ?`).run(id);
      }
    });
    return board;
  }

  private requireBoard(id: string): Board {
    const board = this.boards.get(id);
    if (!board) throw mondayError('InvalidBoardIdException', `Board not found: ${id}`, { board_id: id });
    return board;
  }

  private copy(source: Board, name: string, subitemsBoardId: string | null): Board {
    const id = this.nextId();
    // 'name' is every board's item-name column; in 'new' mode other columns get ids like Monday's (type_suffix).
    const ids = new Map(source.columns.map((c, i) => [c.id, this.columnIds === 'keep' || c.id === 'name' ? c.id : `${c.id.replace(/_[a-z0-9]+$/, '')}_c${i}x${id.slice(-3)}`]));
    const newId = (columnId: string) => ids.get(columnId) ?? columnId;
    const board: Board = { ...source, id, name, columns: source.columns.map((c) => ({ ...c, id: newId(c.id) })), subitemsBoardId };
    const db: Database.Database = this.store.db;
    db.prepare('INSERT INTO groups (board_id, id, title, position) SELECT ?, id, title, position FROM groups WHERE board_id = ?').run(id, source.id);
    const labels = db.prepare('SELECT column_id, label_id, name FROM labels WHERE board_id = ?').all(source.id) as { column_id: string; label_id: number; name: string }[];
    const insertLabel = db.prepare('INSERT INTO labels (board_id, column_id, label_id, name) VALUES (?, ?, ?, ?)');
    for (const l of labels) insertLabel.run(id, newId(l.column_id), l.label_id, l.name);
    db.prepare('INSERT INTO board_copies (id, board) VALUES (?, ?)').run(id, JSON.stringify(board));
    this.boards.set(id, board);
    return board;
  }

  private nextId(): string {
    const last = (this.store.db.prepare('SELECT MAX(CAST(id AS INTEGER)) AS last FROM board_copies').get() as { last: number | null }).last;
    return String(Math.max(FIRST_COPY_ID, (last ?? 0) + 1));
  }
}
