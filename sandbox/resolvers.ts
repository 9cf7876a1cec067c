// The root value graphql-js executes against: one method per Monday root field the sandbox serves.
// Nested objects (Board, Item, Group, Column) are plain objects whose methods resolve their own fields.
import { checkItemName, readValue, validateColumnValues, type ColumnWrite } from './columns';
import { mondayError } from './errors';
import type { BoardCopies } from './board-copies';
import { ADMIN, type Account, type SandboxUser } from './account';
import type { Board, Column } from './model';
import type { ItemRow, SandboxStore } from './store';

const ITEMS_PAGE_MAX = 500;
const ITEMS_IDS_MAX = 100;

export interface ComplexityInfo {
  before: number;
  after: number;
  query: number;
  reset_in_x_seconds: number;
}

export interface ExecutionContext {
  store: SandboxStore;
  boards: Map<string, Board>;
  complexity: ComplexityInfo;
  /** Counts executed mutation fields (for SandboxStats.mutations). */
  onMutation: () => void;
  /** duplicate_board / delete_board (sandbox/board-copies.ts). */
  boardCopies: BoardCopies;
  /** Users, bulk jobs and automations (sandbox/account.ts). */
  account: Account;
  /** Who the request's token is. */
  user: SandboxUser;
  /** A Monday minute in real milliseconds (time-scaled sandboxes): cursors live 60 of them. */
  minuteMs: number;
}

type Args = Record<string, unknown>;

/** A page cursor is opaque to clients; here it carries the board, filter and last item id. */
interface CursorState {
  board: string;
  after: string;
  filter?: { column_id: string; column_values: string[] }[];
  /** When the request that made it ran: "each cursor is valid for 60 minutes after the initial request"
   * (developer.monday.com/api-reference/docs/querying-board-items). */
  at?: number;
}

const CURSOR_LIFE_MINUTES = 60;

function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

function decodeCursor(cursor: string, ctx?: ExecutionContext): CursorState {
  let state: CursorState | null = null;
  try {
    state = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorState;
  } catch {
    // fall through
  }
  if (!state || typeof state.board !== 'string' || typeof state.after !== 'string') throw mondayError('InvalidArgumentException', 'The cursor is invalid', { cursor });
  // An expired cursor's code is CursorExpiredError, as public Monday clients match it ("cursor has expired").
  if (ctx && state.at !== undefined && Date.now() - state.at > CURSOR_LIFE_MINUTES * ctx.minuteMs) {
    throw mondayError('CursorExpiredError', 'The cursor has expired', { cursor });
  }
  return state;
}

function pageLimit(limit: unknown): number {
  const n = typeof limit === 'number' ? limit : 25;
  if (n < 1 || n > ITEMS_PAGE_MAX) throw mondayError('InvalidArgumentException', `limit must be between 1 and ${ITEMS_PAGE_MAX}`, { limit: n });
  return n;
}

export function columnObject(ctx: ExecutionContext, board: Board, column: Column): Record<string, unknown> {
  const settings = (): Record<string, unknown> => {
    if (column.type === 'subtasks') {
      return { allowMultipleItems: true, itemTypeName: 'column.subtasks.title', displayType: 'BOARD_INLINE', boardIds: board.subitemsBoardId ? [Number(board.subitemsBoardId)] : [] };
    }
    const labels = [...ctx.store.labels(board.id, column.id)];
    if (column.type === 'status') return { labels: Object.fromEntries(labels), done_colors: [1] };
    const deactivated = ctx.store.deactivatedLabels(board.id, column.id);
    if (column.type === 'dropdown') return { labels: labels.map(([id, name]) => ({ id, name, ...(deactivated.has(id) ? { is_deactivated: true } : {}) })) };
    return {};
  };
  return {
    id: column.id,
    title: column.title,
    type: column.type,
    archived: false,
    description: null,
    width: null,
    settings,
    settings_str: () => JSON.stringify(settings()),
  };
}

function userObject(user: SandboxUser): Record<string, unknown> {
  // `status` (ACTIVE / INACTIVE / PENDING) and `is_deleted` are the 2026-07 User fields (changelog "Major user entity update").
  return { id: user.id, name: user.name, kind: user.kind, email: `${user.kind}@sandbox.monday.local`, enabled: true, status: 'ACTIVE', is_deleted: false };
}

function boardObject(ctx: ExecutionContext, board: Board): Record<string, unknown> {
  return {
    id: board.id,
    name: board.name,
    type: board.type,
    state: 'active',
    board_kind: 'public',
    access_level: ctx.user.kind === 'view_only' ? 'view' : 'edit',
    owners: () => [userObject(ADMIN)],
    items_limit: board.itemsLimit,
    items_count: () => ctx.store.countItems(board.id),
    columns: (args: Args) => {
      const ids = args.ids as string[] | null | undefined;
      const types = args.types as string[] | null | undefined;
      return board.columns
        .filter((c) => (!ids || ids.includes(c.id)) && (!types || types.includes(c.type)))
        .map((c) => columnObject(ctx, board, c));
    },
    groups: (args: Args) => {
      const ids = args.ids as string[] | null | undefined;
      return ctx.store.groups(board.id).filter((g) => !ids || ids.includes(g.id)).map((g) => groupObject(board, g));
    },
    items_page: (args: Args) => {
      const limit = pageLimit(args.limit);
      // Newest first by creation (order_by __creation_log__ desc; Monday changelog "Ability to sort items_page
      // results by creation or last updated date"). One page only: the sandbox pages in ascending order.
      const [order] = ((args.query_params as { order_by?: { column_id: string; direction?: string }[] } | null)?.order_by ?? []);
      if (order?.column_id === '__creation_log__' && order.direction === 'desc' && typeof args.cursor !== 'string') {
        const newest = ctx.store.boardItems(board.id, null, Number.MAX_SAFE_INTEGER).reverse().slice(0, limit);
        return { cursor: null, items: newest.map((row) => itemObject(ctx, row)) };
      }
      // Subitems are read through their parents: Monday's error-handling doc lists InvalidArgumentException for
      // "querying a subitem board ID".
      if (board.type === 'sub_items_board') throw mondayError('InvalidArgumentException', 'items_page is not supported on a subitems board; query the subitems through their parent items', { board_id: board.id });
      const after = typeof args.cursor === 'string' ? decodeCursor(args.cursor, ctx).after : null;
      return itemsPage(ctx, board, after, limit);
    },
  };
}

function groupObject(board: Board, group: { id: string; title: string }): Record<string, unknown> {
  return { id: group.id, title: group.title, color: '#579bfc', archived: false, deleted: false, position: '0', board_id: board.id };
}

function itemObject(ctx: ExecutionContext, item: ItemRow): Record<string, unknown> {
  const board = ctx.boards.get(item.board_id);
  if (!board) throw new Error(`item ${item.id} is on an unknown board`);
  return {
    id: item.id,
    name: item.name,
    state: item.state,
    created_at: item.created_at,
    updated_at: item.updated_at,
    url: `https://sandbox.monday.local/boards/${board.id}/pulses/${item.id}`,
    board: () => boardObject(ctx, board),
    group: () => {
      const group = ctx.store.group(board.id, item.group_id);
      return group ? groupObject(board, group) : null;
    },
    parent_item: () => {
      const parent = item.parent_id ? ctx.store.item(item.parent_id) : undefined;
      return parent ? itemObject(ctx, parent) : null;
    },
    subitems: () => ctx.store.subitems(item.id).map((s) => itemObject(ctx, s)),
    column_values: (args: Args) => {
      const ids = args.ids as string[] | null | undefined;
      const types = args.types as string[] | null | undefined;
      const stored = ctx.store.values(item.id);
      return board.columns
        .filter((c) => c.type !== 'name' && (!ids || ids.includes(c.id)) && (!types || types.includes(c.type)))
        .map((c) => ({ ...readValue(ctx.store, item, c, stored.get(c.id)), column: columnObject(ctx, board, c) }));
    },
  };
}

function itemsPage(ctx: ExecutionContext, board: Board, after: string | null, limit: number, filter?: CursorState['filter']) {
  let rows: ItemRow[];
  if (filter) {
    // AND across columns, ANY OF within one column's values.
    const isDropdown = (id: string) => board.columns.some((c) => c.id === id && c.type === 'dropdown');
    const sets = filter.map((f) => ctx.store.findByText(board.id, f.column_id, f.column_values, isDropdown(f.column_id)));
    const matching = sets.reduce<Set<string>>((acc, found) => new Set([...acc].filter((id) => found.has(id))), sets[0] ?? new Set());
    const ids = [...matching].map(BigInt).filter((id) => id > BigInt(after ?? 0)).sort((a, b) => (a < b ? -1 : 1));
    rows = ctx.store.items(ids.slice(0, limit + 1).map(String));
  } else {
    rows = ctx.store.boardItems(board.id, after, limit + 1);
  }
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const cursor = rows.length > limit && last ? encodeCursor({ board: board.id, after: last.id, ...(filter ? { filter } : {}), at: Date.now() }) : null;
  return { cursor, items: page.map((row) => itemObject(ctx, row)) };
}

function requireBoard(ctx: ExecutionContext, id: unknown): Board {
  const board = ctx.boards.get(String(id));
  if (!board) throw mondayError('InvalidBoardIdException', `Board not found: ${String(id)}`, { board_id: String(id) }, 200);
  return board;
}

function requireItem(ctx: ExecutionContext, id: unknown): ItemRow {
  const item = typeof id === 'string' ? ctx.store.item(id) : undefined;
  if (!item || item.state === 'deleted') throw mondayError('InvalidItemIdException', `Item not found: ${String(id)}`, { item_id: String(id) }, 200);
  return item;
}

function writeAll(ctx: ExecutionContext, itemId: string, writes: ColumnWrite[]): void {
  for (const w of writes) ctx.store.writeValue(itemId, w.columnId, w.value, w.text);
}

function createItemOn(ctx: ExecutionContext, board: Board, groupId: string, args: Args, parentId: string | null): Record<string, unknown> {
  const name = String(args.item_name);
  checkItemName(name);
  if (ctx.store.countItems(board.id) >= board.itemsLimit) {
    throw mondayError('ItemsLimitationException', `You have exceeded the limit of ${board.itemsLimit} items per board`, { board_id: board.id, items_limit: board.itemsLimit });
  }
  return ctx.store.transaction(() => {
    const { writes, name: rename } = validateColumnValues(ctx.store, board, args.column_values, args.create_labels_if_missing === true);
    const item = ctx.store.insertItem(board.id, groupId, rename ?? name, parentId);
    writeAll(ctx, item.id, writes);
    ctx.onMutation();
    return itemObject(ctx, requireItem(ctx, item.id));
  });
}

/** The root value: Query and Mutation fields share it, as graphql-js reads both from rootValue. */
export const root = {
  // ---- queries
  boards(args: Args, ctx: ExecutionContext) {
    const ids = args.ids as string[] | null | undefined;
    const limit = typeof args.limit === 'number' ? args.limit : 25;
    let boards = ids ? ids.map((id) => ctx.boards.get(id)).filter((b): b is Board => b !== undefined) : [...ctx.boards.values()];
    // order_by created_at: "The rank order of the board creation time (desc)" (BoardsOrderBy); copies are made last.
    if (args.order_by === 'created_at') boards = [...boards].reverse();
    return boards.slice(0, limit).map((b) => boardObject(ctx, b));
  },
  items(args: Args, ctx: ExecutionContext) {
    const ids = (args.ids as string[] | null | undefined) ?? [];
    if (ids.length > ITEMS_IDS_MAX) throw mondayError('InvalidArgumentException', `items query accepts at most ${ITEMS_IDS_MAX} ids`, { ids: ids.length });
    return ctx.store.items(ids).map((row) => itemObject(ctx, row));
  },
  items_page_by_column_values(args: Args, ctx: ExecutionContext) {
    const board = requireBoard(ctx, args.board_id);
    const limit = pageLimit(args.limit);
    const columns = args.columns as { column_id: string; column_values: (string | null)[] }[] | null | undefined;
    if (typeof args.cursor === 'string') {
      if (columns) throw mondayError('InvalidArgumentException', 'columns and cursor cannot be used together', {});
      const state = decodeCursor(args.cursor, ctx);
      return itemsPage(ctx, board, state.after, limit, state.filter);
    }
    if (board.type === 'sub_items_board') throw mondayError('InvalidArgumentException', 'items_page_by_column_values does not support subitem boards', { board_id: board.id });
    const filter = (columns ?? []).map((c) => {
      const column = board.columns.find((col) => col.id === c.column_id);
      if (!column) throw mondayError('InvalidColumnIdException', `This column ID doesn't exist for the board: ${c.column_id}`, { column_id: c.column_id });
      if (['mirror', 'formula', 'item_id', 'board_relation', 'last_updated', 'subtasks'].includes(column.type)) {
        throw mondayError('InvalidArgumentException', `Column type ${column.type} is not supported for items_page_by_column_values`, { column_id: column.id });
      }
      return { column_id: c.column_id, column_values: c.column_values.map((v) => v ?? '') };
    });
    return itemsPage(ctx, board, null, limit, filter);
  },
  next_items_page(args: Args, ctx: ExecutionContext) {
    const state = decodeCursor(String(args.cursor), ctx);
    return itemsPage(ctx, requireBoard(ctx, state.board), state.after, pageLimit(args.limit), state.filter);
  },
  // doc: https://developer.monday.com/api-reference/reference/me (the user the token belongs to; an unknown token
  // never gets here: 401 first).
  me(_args: Args, ctx: ExecutionContext) {
    return userObject(ctx.user);
  },
  job_status(args: Args, ctx: ExecutionContext) {
    return ctx.account.jobStatus(String(args.job_id), Date.now());
  },
  board_automations(args: Args, ctx: ExecutionContext) {
    const [boardId] = (args.board_ids as string[] | null | undefined) ?? [];
    const items = boardId ? ctx.account.boardAutomations(boardId) : [];
    return { cursor: null, items, legacy_automations: null };
  },
  complexity(_args: Args, ctx: ExecutionContext) {
    return ctx.complexity;
  },
  version() {
    return { kind: 'current', value: '2026-10', display_name: '2026-10' };
  },

  // ---- mutations
  create_item(args: Args, ctx: ExecutionContext) {
    const board = requireBoard(ctx, args.board_id);
    if (board.type === 'sub_items_board') throw mondayError('InvalidBoardIdException', 'Use create_subitem to add items to a subitems board', { board_id: board.id });
    const groupId = typeof args.group_id === 'string' ? args.group_id : ctx.store.groups(board.id)[0]?.id;
    if (!groupId || !ctx.store.group(board.id, groupId)) throw mondayError('InvalidGroupIdException', `Group not found: ${String(args.group_id)}`, { group_id: args.group_id ?? null });
    return createItemOn(ctx, board, groupId, args, null);
  },
  create_subitem(args: Args, ctx: ExecutionContext) {
    const parent = requireItem(ctx, args.parent_item_id);
    const parentBoard = requireBoard(ctx, parent.board_id);
    // Subitems live on the separate board named by the parent board's subtasks column (nested subitems: same board).
    const boardId = parentBoard.type === 'sub_items_board' ? parentBoard.id : parentBoard.subitemsBoardId;
    if (!boardId) throw mondayError('InvalidArgumentException', 'The parent board has no subitems column', { board_id: parentBoard.id });
    const board = requireBoard(ctx, boardId);
    const groupId = ctx.store.groups(board.id)[0]?.id ?? 'topics';
    return createItemOn(ctx, board, groupId, args, parent.id);
  },
  change_multiple_column_values(args: Args, ctx: ExecutionContext) {
    return changeValues(ctx, args, args.column_values);
  },
  change_column_value(args: Args, ctx: ExecutionContext) {
    return changeValues(ctx, args, { [String(args.column_id)]: parseSingle(args.value) });
  },
  change_simple_column_value(args: Args, ctx: ExecutionContext) {
    return changeValues(ctx, args, { [String(args.column_id)]: args.value ?? null });
  },
  archive_item(args: Args, ctx: ExecutionContext) {
    const item = requireItem(ctx, args.item_id);
    ctx.store.setItemState(item.id, 'archived');
    ctx.onMutation();
    return itemObject(ctx, requireItem(ctx, item.id));
  },
  delete_item(args: Args, ctx: ExecutionContext) {
    const item = requireItem(ctx, args.item_id);
    ctx.store.setItemState(item.id, 'deleted');
    ctx.onMutation();
    return itemObject(ctx, { ...item, state: 'deleted' });
  },
  move_item_to_group(args: Args, ctx: ExecutionContext) {
    const item = requireItem(ctx, args.item_id);
    const groupId = String(args.group_id);
    if (!ctx.store.group(item.board_id, groupId)) throw mondayError('InvalidGroupIdException', `Group ${groupId} does not exist on board ${item.board_id}`, { group_id: groupId });
    ctx.store.moveItem(item.id, groupId);
    ctx.onMutation();
    return itemObject(ctx, requireItem(ctx, item.id));
  },
  create_group(args: Args, ctx: ExecutionContext) {
    const board = requireBoard(ctx, args.board_id);
    const title = String(args.group_name);
    if (title.length < 1 || title.length > 255) throw mondayError('InvalidArgumentException', 'Group name must be between 1 and 255 characters long', {});
    const group = ctx.store.createGroup(board.id, title);
    ctx.onMutation();
    return groupObject(board, group);
  },
  bulk_archive_items(args: Args, ctx: ExecutionContext) {
    const board = requireBoard(ctx, args.board_id);
    const ids = ((args.item_ids as string[] | null) ?? []).map(String);
    for (const id of ids) {
      const item = requireItem(ctx, id);
      if (item.board_id !== board.id) throw mondayError('InvalidItemIdException', `Item ${id} is not on board ${board.id}`, { item_id: id });
    }
    const jobId = ctx.account.startJob(ids, (archive) => {
      for (const id of archive) if (ctx.store.item(id)?.state === 'active') ctx.store.setItemState(id, 'archived');
    }, Date.now());
    ctx.onMutation();
    return { job_id: jobId };
  },
  undo_action(args: Args, ctx: ExecutionContext) {
    const result = ctx.account.undo(String(args.job_id), (ids) => {
      for (const id of ids) if (ctx.store.item(id)?.state === 'archived') ctx.store.setItemState(id, 'active');
    });
    ctx.onMutation();
    return result;
  },
  duplicate_board(args: Args, ctx: ExecutionContext) {
    ctx.account.assertMayCreateBoards(ctx.user);
    const name = typeof args.board_name === 'string' ? args.board_name : null;
    const copy = ctx.boardCopies.duplicate(String(args.board_id), String(args.duplicate_type), name);
    ctx.account.copyAutomations(String(args.board_id), copy.board.id);
    ctx.onMutation();
    return { board: boardObject(ctx, copy.board), is_async: copy.isAsync };
  },
  delete_board(args: Args, ctx: ExecutionContext) {
    const board = ctx.boardCopies.delete(String(args.board_id));
    ctx.onMutation();
    return { ...boardObject(ctx, board), state: 'deleted' };
  },
};

function parseSingle(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw mondayError('JsonParseException', 'value is not valid JSON', {}, 400);
  }
}

function changeValues(ctx: ExecutionContext, args: Args, columnValues: unknown) {
  const board = requireBoard(ctx, args.board_id);
  const item = requireItem(ctx, args.item_id);
  if (item.board_id !== board.id) throw mondayError('InvalidItemIdException', `Item ${item.id} is not on board ${board.id}`, { item_id: item.id });
  return ctx.store.transaction(() => {
    const { writes, name } = validateColumnValues(ctx.store, board, columnValues, args.create_labels_if_missing === true);
    if (name !== undefined) ctx.store.renameItem(item.id, name);
    writeAll(ctx, item.id, writes);
    ctx.onMutation();
    return itemObject(ctx, requireItem(ctx, item.id));
  });
}
