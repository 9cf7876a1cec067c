// Writes one order line to Monday without ever duplicating it: the item is found again by its key
// column when an earlier create may have happened, and sizes are reconciled against the parent's
// subitems before any is created. Plain data in, plain data out: the activities do the DB I/O.
import { compareIds, idempotencyKey, type MondayClient } from './client';
import { documents } from './documents';
import { MondayApiError } from './errors';

export interface ItemWrite {
  boardId: string;
  keyColumnId: string;
  orderKey: string;
  itemName: string;
  groupName: string;
  columnValues: Record<string, unknown>;
  createLabelsIfMissing: boolean;
  payloadHash: string;
  /** The item id staging holds, if any. */
  knownItemId: string | null;
  /** True on a retry, or whenever an earlier attempt may have created the item. */
  outcomeUnknown: boolean;
  /** The linked item was deleted or archived by hand: make it again ('recreate', the default) or fail the order. */
  onMissingItem?: 'recreate' | 'fail';
  /** The id the order's group title was last resolved to (groups are remembered by id: a renamed group is reused). */
  rememberedGroupId?: string | null;
}

export interface ItemResult {
  itemId: string;
  action: 'created' | 'updated' | 'found';
  /** The linked item was gone from the board: staging's link (and its subitem ids) must be dropped. */
  relinked: boolean;
  /** The group id the title resolved to when it was looked up (to remember), else null. */
  groupId: string | null;
}

/** Codes Monday answers for an item id it does not know (or no longer shows). */
const UNKNOWN_ITEM_CODES = new Set(['InvalidItemIdException', 'ResourceNotFoundException', 'ItemNotFound']);

export async function upsertItem(client: MondayClient, w: ItemWrite): Promise<ItemResult> {
  // The key column is what makes the item findable again; it is always written.
  const columnValues = { ...w.columnValues, [w.keyColumnId]: w.orderKey };
  let groupId: string | null = null;
  // After Monday rejected a group id, that id stands in for the remembered one: it is not on the board, so a
  // group of the title is found or made anew (the rejected id in its Idempotency-Key: no replay of the old create).
  const group = async (rejectedId?: string) => {
    groupId = await ensureGroup(client, w.boardId, w.groupName, rejectedId ?? w.rememberedGroupId ?? null);
    return groupId;
  };
  // Update the values; the answer says which group the item is in, so a changed season moves it (one more
  // request only when it has to move). A group renamed by hand keeps its items: it is found by id.
  const update = async (itemId: string) => {
    const answer = await client.changeColumnValues(
      { boardId: w.boardId, itemId, columnValues, createLabelsIfMissing: w.createLabelsIfMissing },
      idempotencyKey(w.orderKey, `update-item:${itemId}`, w.payloadHash),
    );
    if (answer.state !== null && answer.state !== 'active') throw new ItemGoneError(itemId, answer.state);
    if (answer.group !== null && answer.group.title !== w.groupName) {
      const wanted = await group();
      if (wanted !== answer.group.id) {
        await withGroupRetry(client, w, group, (id) => client.moveItemToGroup({ boardId: w.boardId, itemId, groupId: id }, idempotencyKey(w.orderKey, `move-item:${itemId}:${id}`, w.payloadHash)), wanted);
      }
    }
  };
  const create = async (): Promise<string> => withGroupRetry(client, w, group, (id) => client.createItem(
    { boardId: w.boardId, itemName: w.itemName, groupId: id, columnValues, createLabelsIfMissing: w.createLabelsIfMissing },
    // After a stale link the key names the lost item, and it names the group: Monday caches answers, errors
    // included, so a create retried into another group (or after the item was lost) must not get the old answer.
    idempotencyKey(w.orderKey, w.knownItemId ? `create-item:after:${w.knownItemId}` : 'create-item', w.payloadHash, id),
  ), await group());

  if (w.knownItemId) {
    try {
      await update(w.knownItemId);
      return { itemId: w.knownItemId, action: 'updated', relinked: false, groupId };
    } catch (err) {
      if (!(await isGone(client, err, w.knownItemId))) throw err;
    }
    // Deleted or archived by hand: the link is stale. Never spend the retries on it.
    if (w.onMissingItem === 'fail') {
      throw new MondayApiError(`order ${w.orderKey}: its item ${w.knownItemId} was deleted or archived on the board (MONDAY_MISSING_ITEM=fail)`, 'permanent', 'ITEM_GONE', null, null);
    }
  }
  if (w.outcomeUnknown || w.knownItemId) {
    const [found] = await client.findItemsByKey(w.boardId, w.keyColumnId, w.orderKey);
    if (found) {
      // The earlier attempt may have carried an older payload: bring the found item up to date.
      await update(found.id);
      return { itemId: found.id, action: 'found', relinked: w.knownItemId !== null, groupId };
    }
  }
  const itemId = await create();
  return { itemId, action: 'created', relinked: w.knownItemId !== null, groupId };
}

/** The item is not (or no longer) on the board: archived, deleted, or an id Monday does not know. */
class ItemGoneError extends Error {
  constructor(readonly itemId: string, readonly state: string) {
    super(`item ${itemId} is ${state}`);
  }
}

/**
 * Whether a failed write to `itemId` failed because the item is gone. Real Monday may answer an unknown id
 * with HTTP 500 instead of a clear error, so a 500 (or a "not found") is checked with one read of the item.
 */
async function isGone(client: MondayClient, err: unknown, itemId: string): Promise<boolean> {
  if (err instanceof ItemGoneError) return true;
  if (!(err instanceof MondayApiError)) return false;
  if (!UNKNOWN_ITEM_CODES.has(err.code) && !(err.kind === 'transient' && err.httpStatus !== null && err.httpStatus >= 500)) return false;
  try {
    const state = await client.itemState(itemId);
    return state === null || state !== 'active';
  } catch {
    throw err; // cannot tell: the original error decides (retried as before)
  }
}

/** Runs a write into a group; if Monday rejects the group id (deleted by hand), the cache forgets it and the write goes once more. */
async function withGroupRetry<T>(client: MondayClient, w: ItemWrite, group: (rejectedId?: string) => Promise<string>, write: (groupId: string) => Promise<T>, groupId: string): Promise<T> {
  try {
    return await write(groupId);
  } catch (err) {
    if (!(err instanceof MondayApiError && err.code === 'InvalidGroupIdException')) throw err;
    forgetGroup(client, w.boardId, w.groupName);
    return write(await group(groupId));
  }
}

// Group ids by board and title, per client (so per worker). Concurrent orders share one lookup.
const groupCache = new WeakMap<MondayClient, Map<string, Promise<string>>>();

/**
 * The group for `title`: the remembered id while the board still has that group (whatever its title is now:
 * people rename groups), else a group of that title, else a new one. A remembered group that was deleted is
 * created again once (its id is part of the Idempotency-Key, so racing orders and retries share one create).
 */
export function ensureGroup(client: MondayClient, boardId: string, title: string, rememberedId: string | null = null): Promise<string> {
  let cache = groupCache.get(client);
  if (!cache) groupCache.set(client, (cache = new Map()));
  const key = `${boardId}\u0000${title}`;
  let id = cache.get(key);
  if (!id) {
    id = (async () => {
      const board = await client.boardStructure(boardId);
      if (rememberedId && board.groups.some((g) => g.id === rememberedId)) return rememberedId;
      const existing = board.groups.find((g) => g.title === title);
      return existing?.id ?? client.createGroup(boardId, title, idempotencyKey(boardId, 'create-group', title, ...(rememberedId ? [rememberedId] : [])));
    })();
    cache.set(key, id);
    id.catch(() => cache.delete(key)); // a failed lookup is retried next time, not cached
  }
  return id;
}

/** Monday rejected a cached group id (deleted by hand): look it up again next time. */
export function forgetGroup(client: MondayClient, boardId: string, title: string): void {
  groupCache.get(client)?.delete(`${boardId}\u0000${title}`);
}

export interface SubitemWrite {
  parentItemId: string;
  subitemsBoardId: string;
  orderKey: string;
  sizeColumnId: string;
  qtyColumnId: string;
  wanted: { size: string; name: string; qty: number; columnValues: Record<string, unknown> }[];
  createLabelsIfMissing: boolean;
  /** What staging believes Monday holds. */
  known: { size: string; subitemId: string; qty: number | null }[];
  /** Read the parent's subitems first (retries, or when staging may be behind Monday). */
  reconcile: boolean;
  /** What to do with a size that is no longer in the order line. */
  removedSizes: 'zero' | 'archive';
  /** The sizes this call is responsible for (one batch of the order); null = every size of the order.
   * Sizes outside it are never removed, even when a reconcile read sees them on Monday. */
  scope?: string[] | null;
  payloadHash: string;
}

export interface SubitemSyncResult {
  created: number;
  updated: number;
  removed: number;
  subitems: { size: string; subitemId: string; qty: number }[];
  failures: { size: string; error: MondayApiError }[];
}

/**
 * Create missing sizes in aliased batches, update changed quantities, zero or archive sizes no
 * longer wanted. A permanent error is reported for its size and the rest goes on; a retryable one
 * is thrown with `partialSubitems` (what Monday holds now) so the activity can save ids first.
 */
export async function syncSubitems(client: MondayClient, w: SubitemWrite): Promise<SubitemSyncResult> {
  const onMonday = new Map<string, { subitemId: string; qty: number | null }>();
  const result: SubitemSyncResult = { created: 0, updated: 0, removed: 0, subitems: [], failures: [] };
  const board = w.subitemsBoardId;
  const key = (step: string, ...extra: string[]) => idempotencyKey(w.orderKey, step, w.payloadHash, ...extra);
  try {
    if (w.reconcile) {
      for (const s of await client.itemSubitems(w.parentItemId, [w.sizeColumnId, w.qtyColumnId])) {
        const size = s.values[w.sizeColumnId];
        if (!size || s.state === 'archived' || s.state === 'deleted') continue;
        const prev = onMonday.get(size);
        if (!prev || compareIds(s.id, prev.subitemId) < 0) onMonday.set(size, { subitemId: s.id, qty: parseQty(s.values[w.qtyColumnId]) });
      }
    } else {
      for (const k of w.known) onMonday.set(k.size, { subitemId: k.subitemId, qty: k.qty });
    }

    const wantedSizes = new Set(w.wanted.map((s) => s.size));
    const toCreate = w.wanted.filter((s) => !onMonday.has(s.size));

    for (const s of w.wanted) {
      const have = onMonday.get(s.size);
      if (!have || have.qty === s.qty) continue;
      const done = await perSize(result, s.size, () => client.changeColumnValues(
        { boardId: board, itemId: have.subitemId, columnValues: s.columnValues, createLabelsIfMissing: w.createLabelsIfMissing },
        key(`update-subitem:${have.subitemId}`),
      ));
      if (done) { have.qty = s.qty; result.updated++; }
    }

    const inScope = w.scope ? new Set(w.scope) : null;
    for (const [size, have] of [...onMonday]) {
      if (wantedSizes.has(size) || (inScope && !inScope.has(size))) continue;
      if (w.removedSizes === 'archive') {
        const done = await perSize(result, size, () => client.archiveItem({ boardId: board, itemId: have.subitemId }, key(`archive-subitem:${have.subitemId}`)));
        if (done) { onMonday.delete(size); result.removed++; }
      } else if (have.qty !== 0) {
        const done = await perSize(result, size, () => client.changeColumnValues(
          { boardId: board, itemId: have.subitemId, columnValues: { [w.qtyColumnId]: '0' }, createLabelsIfMissing: false },
          key(`zero-subitem:${have.subitemId}`),
        ));
        if (done) { have.qty = 0; result.removed++; }
      }
    }

    const batchSize = Math.max(1, client.subitemBatchSize);
    for (let i = 0; i < toCreate.length; i += batchSize) {
      const chunk = toCreate.slice(i, i + batchSize);
      const batch = client.batch(documents.createSubitem, chunk.length);
      const r = await client.call<Record<string, { id: string } | null>>(batch.operation, batch.variables(chunk.map((s) => ({
        parent_item_id: w.parentItemId,
        item_name: s.name,
        column_values: JSON.stringify(s.columnValues),
        create_labels_if_missing: w.createLabelsIfMissing,
      }))), {
        boardId: board,
        idempotencyKey: key(`create-subitems:${w.parentItemId}`, ...chunk.map((s) => s.size)),
        partial: true,
      }, chunk.length);
      let retryable: MondayApiError | null = null;
      chunk.forEach((s, j) => {
        const alias = batch.aliases[j]!;
        const id = r.data[alias]?.id;
        const error = r.aliasErrors.find((e) => e.alias === alias)
          ?? (id ? null : new MondayApiError(`create_subitem ${alias} returned no id`, 'transient', 'NO_ID', 200, null, alias));
        if (id) {
          onMonday.set(s.size, { subitemId: id, qty: s.qty });
          result.created++;
        } else if (error?.kind === 'permanent') {
          result.failures.push({ size: s.size, error });
        } else {
          retryable ??= error;
        }
      });
      if (retryable) throw retryable;
    }
  } catch (err) {
    if (err instanceof MondayApiError) err.partialSubitems = heldSizes(onMonday, null);
    throw err;
  }
  result.subitems = heldSizes(onMonday, new Set(w.wanted.map((s) => s.size)));
  return result;
}

/** Run one size's write; a permanent error is recorded for that size, anything else propagates. */
async function perSize(result: SubitemSyncResult, size: string, write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (err instanceof MondayApiError && err.kind === 'permanent') {
      result.failures.push({ size, error: err });
      return false;
    }
    throw err;
  }
}

function heldSizes(onMonday: Map<string, { subitemId: string; qty: number | null }>, only: Set<string> | null): SubitemSyncResult['subitems'] {
  return [...onMonday]
    .filter(([size]) => !only || only.has(size))
    .map(([size, s]) => ({ size, subitemId: s.subitemId, qty: s.qty ?? 0 }));
}

function parseQty(text: string | null | undefined): number | null {
  if (text === null || text === undefined || text.trim() === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}
