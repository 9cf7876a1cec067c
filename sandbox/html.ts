// A read-only page at the sandbox root so a person can see what was synced: items by group, sizes nested.
import { KEY_COLUMN_ID } from './boards';
import type { Board } from './model';
import type { ItemRow, SandboxStore } from './store';

/** Item columns worth a glance (the rest is in the API). */
const ITEM_COLUMNS = [KEY_COLUMN_ID, 'text_mkr5wya6', 'dropdown_mkr542p2', 'text_mkr5ej2x', 'dropdown_mkr5tgaa', 'dropdown_mkr5677f', 'color_mkr5j5pp'];
const SUBITEM_COLUMNS = ['dropdown_mkrak7qp', 'numeric_mkra7j8e'];
const PAGE = 5000;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function cells(store: SandboxStore, item: ItemRow, board: Board, ids: string[]): string {
  const values = store.values(item.id);
  return board.columns
    .filter((c) => ids.includes(c.id))
    .map((c) => `<td>${esc(values.get(c.id)?.text ?? '')}</td>`)
    .join('');
}

function headers(board: Board, ids: string[]): string {
  return board.columns.filter((c) => ids.includes(c.id)).map((c) => `<th>${esc(c.title)}</th>`).join('');
}

export function renderBoards(store: SandboxStore, boards: Map<string, Board>): string {
  const sections: string[] = [];
  for (const board of boards.values()) {
    if (board.type === 'sub_items_board') continue; // shown nested under their parents
    const subBoard = board.subitemsBoardId ? boards.get(board.subitemsBoardId) : undefined;
    const items = store.boardItems(board.id, null, PAGE);
    const groups = store.groups(board.id).map((group) => {
      const rows = items
        .filter((i) => i.group_id === group.id)
        .map((item) => {
          const subitems = subBoard ? store.subitems(item.id) : [];
          const nested = subitems.length && subBoard
            ? `<tr class="sub"><td colspan="20"><table><tr><th>Subitem</th>${headers(subBoard, SUBITEM_COLUMNS)}</tr>${subitems
                .map((s) => `<tr><td>${esc(s.name)}</td>${cells(store, s, subBoard, SUBITEM_COLUMNS)}</tr>`)
                .join('')}</table></td></tr>`
            : '';
          return `<tr><td>${esc(item.id)}</td><td>${esc(item.name)}</td>${cells(store, item, board, ITEM_COLUMNS)}</tr>${nested}`;
        });
      if (rows.length === 0) return '';
      return `<h3>${esc(group.title)} <small>(${esc(group.id)}, ${rows.length} items)</small></h3>
<table><tr><th>Item id</th><th>Name</th>${headers(board, ITEM_COLUMNS)}</tr>${rows.join('')}</table>`;
    });
    sections.push(`<section><h2>${esc(board.name)} <small>board ${esc(board.id)}, ${items.length} active items</small></h2>${groups.join('') || '<p>No items yet.</p>'}</section>`);
  }
  return `<!doctype html><html><head><meta charset="utf-8"><title>Monday sandbox</title>
<style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse;margin:.3em 0}td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px}tr.sub>td{border:none;padding-left:2em}small{color:#666}</style>
</head><body><h1>Monday sandbox (read-only)</h1>${sections.join('')}</body></html>`;
}
