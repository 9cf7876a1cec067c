// The sandbox's board state in one SQLite file, so a restart keeps what was synced.
import Database from 'better-sqlite3';
import { BOARDS, type BoardSeed } from './boards';

/** Monday ids are numeric strings above 2^31; the sandbox counts up from here. */
const FIRST_ITEM_ID = 10_000_000_000;

export interface ItemRow {
  id: string;
  board_id: string;
  group_id: string;
  name: string;
  state: 'active' | 'archived' | 'deleted';
  parent_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface StoredValue {
  column_id: string;
  value: string | null;
  text: string;
}

export interface CachedResponse {
  status: number;
  body: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS groups (board_id TEXT NOT NULL, id TEXT NOT NULL, title TEXT NOT NULL, position INTEGER NOT NULL,
  PRIMARY KEY (board_id, id));
CREATE TABLE IF NOT EXISTS labels (board_id TEXT NOT NULL, column_id TEXT NOT NULL, label_id INTEGER NOT NULL, name TEXT NOT NULL,
  PRIMARY KEY (board_id, column_id, label_id));
CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, board_id TEXT NOT NULL, group_id TEXT NOT NULL, name TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'active', parent_id INTEGER, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS items_board ON items (board_id, state, id);
CREATE INDEX IF NOT EXISTS items_parent ON items (parent_id);
CREATE TABLE IF NOT EXISTS column_values (item_id INTEGER NOT NULL, column_id TEXT NOT NULL, value TEXT, text TEXT NOT NULL,
  PRIMARY KEY (item_id, column_id));
CREATE INDEX IF NOT EXISTS column_values_by_text ON column_values (column_id, text COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS deactivated_labels (board_id TEXT NOT NULL, column_id TEXT NOT NULL, label_id INTEGER NOT NULL,
  PRIMARY KEY (board_id, column_id, label_id));
CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, status INTEGER, body TEXT, created_at INTEGER NOT NULL,
  in_flight INTEGER NOT NULL);
`;

const ITEM_COLUMNS = `CAST(id AS TEXT) AS id, board_id, group_id, name, state, CAST(parent_id AS TEXT) AS parent_id, created_at, updated_at`;

export class SandboxStore {
  readonly db: Database.Database;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(SCHEMA);
    // Requests that were in flight when the process stopped never finished: forget them.
    this.db.prepare('DELETE FROM idempotency WHERE in_flight = 1').run();
    this.seed(BOARDS);
  }

  private seed(boards: readonly BoardSeed[]): void {
    const group = this.db.prepare('INSERT OR IGNORE INTO groups (board_id, id, title, position) VALUES (?, ?, ?, ?)');
    const label = this.db.prepare('INSERT OR IGNORE INTO labels (board_id, column_id, label_id, name) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const board of boards) {
        board.groups.forEach((g, i) => group.run(board.id, g.id, g.title, i));
        for (const [columnId, labels] of Object.entries(board.labels)) {
          for (const [id, name] of Object.entries(labels)) label.run(board.id, columnId, Number(id), name);
        }
      }
    })();
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** Prepared once per SQL text: the sandbox runs the same few statements thousands of times. */
  private sql(text: string): Database.Statement {
    let stmt = this.statements.get(text);
    if (!stmt) {
      stmt = this.db.prepare(text);
      this.statements.set(text, stmt);
    }
    return stmt;
  }

  close(): void {
    this.db.close();
  }

  /** Wipe items, their values and the idempotency cache; keep boards, groups and labels. */
  resetItems(): void {
    this.db.exec('DELETE FROM column_values; DELETE FROM items; DELETE FROM idempotency;');
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // ---- groups
  groups(boardId: string): { id: string; title: string }[] {
    return this.sql('SELECT id, title FROM groups WHERE board_id = ? ORDER BY position, id').all(boardId) as {
      id: string;
      title: string;
    }[];
  }

  group(boardId: string, groupId: string): { id: string; title: string } | undefined {
    return this.sql('SELECT id, title FROM groups WHERE board_id = ? AND id = ?').get(boardId, groupId) as
      | { id: string; title: string }
      | undefined;
  }

  createGroup(boardId: string, title: string): { id: string; title: string } {
    const row = this.sql('SELECT COUNT(*) AS n, MAX(position) AS last FROM groups WHERE board_id = ?').get(boardId) as {
      n: number;
      last: number | null;
    };
    let n = row.n;
    let id = `group_sbx${n.toString(36)}`;
    // Monday never hands out a deleted group's id again (clients may hold it, and cached answers name it).
    while (this.group(boardId, id) || this.deletedGroups.has(`${boardId}:${id}`)) id = `group_sbx${(++n).toString(36)}`;
    this.sql('INSERT INTO groups (board_id, id, title, position) VALUES (?, ?, ?, ?)').run(boardId, id, title, (row.last ?? -1) + 1);
    return { id, title };
  }

  /** A person renames a group on the board (its id stays). */
  renameGroup(boardId: string, groupId: string, title: string): void {
    this.sql('UPDATE groups SET title = ? WHERE board_id = ? AND id = ?').run(title, boardId, groupId);
  }

  /** A person deletes a group: Monday deletes its items with it. */
  private readonly deletedGroups = new Set<string>();

  deleteGroup(boardId: string, groupId: string): void {
    this.deletedGroups.add(`${boardId}:${groupId}`);
    this.sql(`UPDATE items SET state = 'deleted' WHERE board_id = ? AND group_id = ?`).run(boardId, groupId);
    this.sql('DELETE FROM groups WHERE board_id = ? AND id = ?').run(boardId, groupId);
  }

  // ---- labels
  labels(boardId: string, columnId: string): Map<number, string> {
    const rows = this.db
      .prepare('SELECT label_id, name FROM labels WHERE board_id = ? AND column_id = ? ORDER BY label_id')
      .all(boardId, columnId) as { label_id: number; name: string }[];
    return new Map(rows.map((r) => [r.label_id, r.name]));
  }

  /** Label ids a person deactivated (DropdownLabel.is_deactivated / StatusLabel.is_deactivated, 2026-10 schema). */
  deactivatedLabels(boardId: string, columnId: string): Set<number> {
    return new Set(this.sql('SELECT label_id FROM deactivated_labels WHERE board_id = ? AND column_id = ?').pluck().all(boardId, columnId) as number[]);
  }

  deactivateLabel(boardId: string, columnId: string, name: string): void {
    const id = [...this.labels(boardId, columnId)].find(([, n]) => n === name)?.[0];
    if (id === undefined) throw new Error(`no label "${name}" in column ${columnId} of board ${boardId}`);
    this.sql('INSERT OR IGNORE INTO deactivated_labels (board_id, column_id, label_id) VALUES (?, ?, ?)').run(boardId, columnId, id);
  }

  addLabel(boardId: string, columnId: string, name: string): number {
    const row = this.sql('SELECT MAX(label_id) AS last FROM labels WHERE board_id = ? AND column_id = ?').get(boardId, columnId) as {
      last: number | null;
    };
    // Status index 5 is Monday's default empty label: never hand it out for a new label.
    let id = (row.last ?? 0) + 1;
    if (id === 5) id = 6;
    this.sql('INSERT INTO labels (board_id, column_id, label_id, name) VALUES (?, ?, ?, ?)').run(boardId, columnId, id, name);
    return id;
  }

  // ---- items
  item(id: string): ItemRow | undefined {
    if (!/^\d+$/.test(id)) return undefined;
    return this.sql(`SELECT ${ITEM_COLUMNS} FROM items WHERE id = ?`).get(BigInt(id)) as ItemRow | undefined;
  }

  items(ids: string[]): ItemRow[] {
    return ids.map((id) => this.item(id)).filter((row): row is ItemRow => row !== undefined && row.state !== 'deleted');
  }

  /** Active items of a board after `afterId`, in creation order. */
  boardItems(boardId: string, afterId: string | null, limit: number): ItemRow[] {
    return this.db
      .prepare(`SELECT ${ITEM_COLUMNS} FROM items WHERE board_id = ? AND state = 'active' AND id > ? ORDER BY id LIMIT ?`)
      .all(boardId, BigInt(afterId ?? 0), limit) as ItemRow[];
  }

  countItems(boardId: string): number {
    return (this.sql(`SELECT COUNT(*) AS n FROM items WHERE board_id = ? AND state = 'active'`).get(boardId) as { n: number }).n;
  }

  subitems(parentId: string): ItemRow[] {
    return this.db
      .prepare(`SELECT ${ITEM_COLUMNS} FROM items WHERE parent_id = ? AND state = 'active' ORDER BY id`)
      .all(BigInt(parentId)) as ItemRow[];
  }

  insertItem(boardId: string, groupId: string, name: string, parentId: string | null): ItemRow {
    const now = new Date().toISOString();
    const last = (this.sql('SELECT MAX(id) AS last FROM items').get() as { last: number | bigint | null }).last;
    const id = last === null ? BigInt(FIRST_ITEM_ID) : BigInt(last) + 1n;
    this.db
      .prepare('INSERT INTO items (id, board_id, group_id, name, state, parent_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, boardId, groupId, name, 'active', parentId === null ? null : BigInt(parentId), now, now);
    const row = this.item(id.toString());
    if (!row) throw new Error('item insert failed');
    return row;
  }

  moveItem(id: string, groupId: string): void {
    this.sql('UPDATE items SET group_id = ?, updated_at = ? WHERE id = ?').run(groupId, new Date().toISOString(), BigInt(id));
  }

  renameItem(id: string, name: string): void {
    this.sql('UPDATE items SET name = ?, updated_at = ? WHERE id = ?').run(name, new Date().toISOString(), BigInt(id));
  }

  setItemState(id: string, state: ItemRow['state']): void {
    this.sql('UPDATE items SET state = ?, updated_at = ? WHERE id = ?').run(state, new Date().toISOString(), BigInt(id));
  }

  // ---- column values
  values(itemId: string): Map<string, StoredValue> {
    const rows = this.sql('SELECT column_id, value, text FROM column_values WHERE item_id = ?').all(BigInt(itemId)) as StoredValue[];
    return new Map(rows.map((r) => [r.column_id, r]));
  }

  /** Write (or clear, with value null) one column of an item. */
  writeValue(itemId: string, columnId: string, value: string | null, text: string): void {
    if (value === null) {
      this.sql('DELETE FROM column_values WHERE item_id = ? AND column_id = ?').run(BigInt(itemId), columnId);
    } else {
      this.db
        .prepare('INSERT INTO column_values (item_id, column_id, value, text) VALUES (?, ?, ?, ?) ON CONFLICT (item_id, column_id) DO UPDATE SET value = excluded.value, text = excluded.text')
        .run(BigInt(itemId), columnId, value, text);
    }
    this.sql('UPDATE items SET updated_at = ? WHERE id = ?').run(new Date().toISOString(), BigInt(itemId));
  }

  /**
   * Active items of a board whose column text matches any of `texts`, like items_page_by_column_values:
   * the whole text case-insensitively, or (dropdowns) any one of its labels; "" finds empty values.
   */
  findByText(boardId: string, columnId: string, texts: string[], matchLabels: boolean): Set<string> {
    const found = new Set<string>();
    const active = `SELECT CAST(i.id AS TEXT) AS id, cv.text AS text FROM items i`;
    for (const wanted of new Set(texts)) {
      if (wanted === '') {
        const rows = this.sql(`${active} LEFT JOIN column_values cv ON cv.item_id = i.id AND cv.column_id = ?
          WHERE i.board_id = ? AND i.state = 'active' AND (cv.text IS NULL OR cv.text = '')`).all(columnId, boardId) as { id: string }[];
        rows.forEach((r) => found.add(r.id));
      } else if (matchLabels) {
        const rows = this.sql(`${active} JOIN column_values cv ON cv.item_id = i.id AND cv.column_id = ?
          WHERE i.board_id = ? AND i.state = 'active' AND instr(lower(cv.text), lower(?)) > 0`).all(columnId, boardId, wanted) as { id: string; text: string }[];
        rows.filter((r) => r.text.split(', ').some((label) => label.toLowerCase() === wanted.toLowerCase())).forEach((r) => found.add(r.id));
      } else {
        // doc: items-page-by-column-values ("text matches the whole value, case-insensitively").
        const rows = this.sql(`${active} JOIN column_values cv ON cv.item_id = i.id
          WHERE cv.column_id = ? AND cv.text = ? COLLATE NOCASE AND i.board_id = ? AND i.state = 'active'`).all(columnId, wanted, boardId) as { id: string }[];
        rows.forEach((r) => found.add(r.id));
      }
    }
    return found;
  }

  // ---- idempotency cache
  idempotencyEntry(key: string): { status: number | null; body: string | null; created_at: number; in_flight: number } | undefined {
    return this.sql('SELECT status, body, created_at, in_flight FROM idempotency WHERE key = ?').get(key) as
      | { status: number | null; body: string | null; created_at: number; in_flight: number }
      | undefined;
  }

  markInFlight(key: string, now: number): void {
    this.sql('INSERT OR REPLACE INTO idempotency (key, status, body, created_at, in_flight) VALUES (?, NULL, NULL, ?, 1)').run(key, now);
  }

  storeResponse(key: string, response: CachedResponse, now: number): void {
    this.sql('UPDATE idempotency SET status = ?, body = ?, created_at = ?, in_flight = 0 WHERE key = ?').run(response.status, response.body, now, key);
  }

  forget(key: string): void {
    this.sql('DELETE FROM idempotency WHERE key = ?').run(key);
  }
}
