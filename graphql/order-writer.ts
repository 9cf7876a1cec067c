// Writes one order line to Monday without ever duplicating it: the item is found again by its key
// column when an earlier create may have happened, and sizes are reconciled against the parent's
// subitems before any is created. Plain data in, plain data out: the activities do the DB I/O.
import { compareIds, idempotencyKey, type MondayClient } from './client';
import { bulkArchive } from './bulk-archive';
import { documents } from './documents';
import { MondayApiError } from './errors';
import { sizeForLabel } from '../shared/sizes';

export interface ItemWrite {
  boardId: string;
  keyColumnId: string;
  orderKey: string;
  itemName: string;
  groupName: string;
  columnValues: Record<string, unknown>;
  /** The clear value of each mapped column the source holds empty (mapping/transform.ts clearedColumns): sent with every
   * update, since `change_multiple_column_values` leaves the columns it is not sent as they are. A create needs none. */
  clearedColumns?: Record<string, unknown>;
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
  /** Other active items the key look-up found for this order line (Monday's idempotency cache missed: its 30-minute
   * window passed, or its memory budget was full), archived: the oldest is kept. The caller audits them. */
  archivedDuplicates: string[];
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
      { boardId: w.boardId, itemId, columnValues: { ...w.clearedColumns, ...columnValues }, createLabelsIfMissing: w.createLabelsIfMissing },
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
      return { itemId: w.knownItemId, action: 'updated', relinked: false, groupId, archivedDuplicates: [] };
    } catch (err) {
      if (!(await isGone(client, err, w.knownItemId))) throw err;
    }
    // Deleted or archived by hand: the link is stale. Never spend the retries on it.
    if (w.onMissingItem === 'fail') {
      throw new MondayApiError(`order ${w.orderKey}: its item ${w.knownItemId} was deleted or archived on the board (MONDAY_MISSING_ITEM=fail)`, 'permanent', 'ITEM_GONE', null, null);
    }
  }
  if (w.outcomeUnknown || w.knownItemId) {
    const [found, ...extra] = await client.findItemsByKey(w.boardId, w.keyColumnId, w.orderKey);
    if (found) {
      // Never two items for one order line: the oldest stays, the others are archived (restorable; nothing is deleted).
      for (const e of extra) await client.archiveItem({ boardId: w.boardId, itemId: e.id }, idempotencyKey(w.orderKey, `archive-duplicate-item:${e.id}`, w.payloadHash));
      // The earlier attempt may have carried an older payload: bring the found item up to date.
      await update(found.id);
      return { itemId: found.id, action: 'found', relinked: w.knownItemId !== null, groupId, archivedDuplicates: extra.map((e) => e.id) };
    }
  }
  const itemId = await create();
  return { itemId, action: 'created', relinked: w.knownItemId !== null, groupId, archivedDuplicates: [] };
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
  /** What staging believes Monday holds (the sizes of this call). */
  known: { size: string; subitemId: string; qty: number | null }[];
  /** Every subitem id staging holds for the order, all sizes: a reconcile read knows a subitem by its id first, and
   * by its size label only when staging does not know it (a label spelt another way, O/S for OS, is the same size). */
  staged?: { size: string; subitemId: string }[];
  /** Read the parent's subitems first (retries, or when staging may be behind Monday). */
  reconcile: boolean;
  /**
   * An earlier attempt of this same call may have sent a create batch whose outcome it never learnt (a
   * timeout, a dropped connection, a killed worker), and Monday may still be committing it. The batches are
   * then planned from staging, exactly as that attempt planned them, and resent under the same keys: Monday
   * answers 409 while the first request runs and replays its answer afterwards. Planning from the read
   * instead would send the sizes not yet committed under a new key, and Monday would create them twice.
   */
  retry?: boolean;
  /** What to do with a size that is no longer in the order line. */
  removedSizes: 'zero' | 'archive';
  /** Aliases per request. A retry must pass what the failed attempt used, so its batches (and keys) are the same. */
  batchSize?: number;
  /** The sizes this call is responsible for (one batch of the order); null = every size of the order.
   * Sizes outside it are never removed, even when a reconcile read sees them on Monday. */
  scope?: string[] | null;
  payloadHash: string;
}

export interface SubitemSyncResult {
  created: number;
  updated: number;
  removed: number;
  /** Extra subitems of one size found by a reconcile (or made by a resend after the replay window), archived. */
  duplicatesArchived: number;
  subitems: { size: string; subitemId: string; qty: number }[];
  failures: { size: string; error: MondayApiError }[];
  /** Ids a create of this call returned (a replayed answer included): only these are the call's creations (audit). */
  createdIds: string[];
  /** Subitems this call changed the quantity of that staging did not know, with the quantity they held before. */
  updatedFrom: Record<string, number | null>;
  /** The bulk_archive_items job of each subitem archived (rollback may undo it). */
  archiveJobs: Map<string, string>;
}

interface QuantityChange { size: string; subitemId: string; columnValues: Record<string, unknown>; createLabels: boolean; done: () => void }

type Held = { subitemId: string; qty: number | null };

/**
 * Create missing sizes in aliased batches, update changed quantities, zero or archive sizes no
 * longer wanted. A permanent error is reported for its size and the rest goes on; a retryable one
 * is thrown with `partialSubitems` (what Monday holds now) so the activity can save ids first.
 * A batch whose outcome is unknown is resent identically (same sizes, same key), never re-split.
 */
export async function syncSubitems(client: MondayClient, w: SubitemWrite): Promise<SubitemSyncResult> {
  const onMonday = new Map<string, Held>();
  /** Sizes of a planned batch already seen on Monday: possibly committed by a batch still in flight. */
  const seenBeforeCreate = new Map<string, Held>();
  const result: SubitemSyncResult = { created: 0, updated: 0, removed: 0, duplicatesArchived: 0, subitems: [], failures: [], createdIds: [], updatedFrom: {}, archiveJobs: new Map() };
  const board = w.subitemsBoardId;
  const batchSize = Math.max(1, w.batchSize ?? client.subitemBatchSizeNow());
  const key = (step: string, ...extra: string[]) => idempotencyKey(w.orderKey, step, w.payloadHash, ...extra);
  /** Archives subitems in one bulk_archive_items request; true when archived (a rejection is recorded per size). */
  const archive = async (list: { size: string; subitemId: string }[], step: string): Promise<boolean> => {
    if (list.length === 0) return true;
    const ids = list.map((a) => a.subitemId);
    const jobs = await perSizes(result, list.map((a) => a.size), () => bulkArchive(client, board, ids, key(step, ...ids)));
    if (!jobs) return false;
    for (const [id, job] of jobs) result.archiveJobs.set(id, job);
    return true;
  };
  const archiveDuplicates = async (list: { size: string; subitemId: string }[]) => {
    if (await archive(list, 'archive-duplicates')) result.duplicatesArchived += list.length;
  };
  /** New quantities of subitems Monday holds, as aliased change_multiple_column_values: one request per batch. */
  const change = async (changes: QuantityChange[]) => {
    for (let i = 0; i < changes.length; i += batchSize) {
      const chunk = changes.slice(i, i + batchSize);
      const batch = client.batch(documents.changeMultipleColumnValues, chunk.length);
      const variables = batch.variables(chunk.map((c) => ({
        board_id: board, item_id: c.subitemId, column_values: JSON.stringify(c.columnValues), create_labels_if_missing: c.createLabels,
      })));
      const options = { boardId: board, idempotencyKey: key('change-subitems', ...chunk.map((c) => `${c.subitemId}=${JSON.stringify(c.columnValues)}`)), partial: true };
      const r = await client.call<Record<string, { id: string } | null>>(batch.operation, variables, options, chunk.length);
      let retryable: MondayApiError | null = null;
      for (const [j, c] of chunk.entries()) {
        const alias = batch.aliases[j]!;
        const error = r.aliasErrors.find((e) => e.alias === alias)
          ?? (r.data[alias]?.id ? null : new MondayApiError(`change_multiple_column_values ${alias} returned no id`, 'transient', 'NO_ID', 200, null, alias));
        if (!error) c.done();
        else if (error.kind === 'permanent') result.failures.push({ size: c.size, error });
        else retryable ??= error;
      }
      if (retryable) throw retryable;
    }
  };
  const updateTo = (s: SubitemWrite['wanted'][number], have: Held): QuantityChange => ({
    size: s.size, subitemId: have.subitemId, columnValues: s.columnValues, createLabels: w.createLabelsIfMissing,
    done: () => {
      // A subitem staging did not know (found by a reconcile): the audit keeps what it held, for rollback.
      if (!w.known.some((k) => k.subitemId === have.subitemId)) result.updatedFrom[have.subitemId] ??= have.qty;
      have.qty = s.qty;
      result.updated++;
    },
  });
  try {
    /**
     * Read the parent's live subitems, each under its size: the one staging links it to, else the order's size its
     * label stands for (shared/sizes.ts), else its own label. Two of one size: the one staging links stays, else the
     * oldest; the others are archived (whoever made them).
     */
    const stagedSize = new Map((w.staged ?? w.known).map((k) => [k.subitemId, k.size]));
    const orderSizes = [...new Set([...w.wanted.map((s) => s.size), ...stagedSize.values()])];
    const reconcile = async (only: Set<string> | null) => {
      const bySize = new Map<string, Held[]>();
      for (const s of await client.itemSubitems(w.parentItemId, [w.sizeColumnId, w.qtyColumnId])) {
        const label = s.values[w.sizeColumnId]?.trim();
        const size = stagedSize.get(s.id) ?? (label ? sizeForLabel(label, orderSizes) ?? label : null);
        if (!size || s.state === 'archived' || s.state === 'deleted' || (only && !only.has(size))) continue;
        bySize.set(size, [...(bySize.get(size) ?? []), { subitemId: s.id, qty: s.numbers[w.qtyColumnId] ?? null }]);
      }
      const extras: { size: string; subitemId: string }[] = [];
      for (const [size, list] of bySize) {
        list.sort((a, b) => Number(stagedSize.get(b.subitemId) === size) - Number(stagedSize.get(a.subitemId) === size) || compareIds(a.subitemId, b.subitemId));
        onMonday.set(size, list[0]!);
        extras.push(...list.slice(1).map((e) => ({ size, subitemId: e.subitemId })));
      }
      await archiveDuplicates(extras);
    };
    if (w.reconcile) {
      await reconcile(null);
    } else {
      for (const k of w.known) onMonday.set(k.size, { subitemId: k.subitemId, qty: k.qty });
    }

    const wantedSizes = new Set(w.wanted.map((s) => s.size));
    const staged = new Set(w.known.map((k) => k.size));
    const toCreate = w.wanted.filter((s) => (w.retry ? !staged.has(s.size) : !onMonday.has(s.size)));
    for (const s of toCreate) {
      const seen = onMonday.get(s.size);
      if (seen) seenBeforeCreate.set(s.size, seen);
      onMonday.delete(s.size);
    }

    // Changed quantities and sizes that left the order: aliased in as few requests as the batch size allows.
    const changes: QuantityChange[] = [];
    for (const s of w.wanted) {
      const have = onMonday.get(s.size);
      if (have && have.qty !== s.qty) changes.push(updateTo(s, have));
    }
    const inScope = w.scope ? new Set(w.scope) : null;
    const removed = [...onMonday].filter(([size]) => !wantedSizes.has(size) && (!inScope || inScope.has(size)));
    if (w.removedSizes === 'archive') {
      const gone = removed.map(([size, have]) => ({ size, subitemId: have.subitemId }));
      if (await archive(gone, 'archive-removed')) for (const g of gone) { onMonday.delete(g.size); result.removed++; }
    } else {
      for (const [size, have] of removed.filter(([, h]) => h.qty !== 0)) {
        changes.push({ size, subitemId: have.subitemId, columnValues: { [w.qtyColumnId]: '0' }, createLabels: false, done: () => { have.qty = 0; result.removed++; } });
      }
    }
    await change(changes);

    for (let i = 0; i < toCreate.length; i += batchSize) {
      const chunk = toCreate.slice(i, i + batchSize);
      const batch = client.batch(documents.createSubitem, chunk.length);
      const variables = batch.variables(chunk.map((s) => ({
        parent_item_id: w.parentItemId,
        item_name: s.name,
        column_values: JSON.stringify(s.columnValues),
        create_labels_if_missing: w.createLabelsIfMissing,
      })));
      const options = { boardId: board, idempotencyKey: key(`create-subitems:${w.parentItemId}`, ...chunk.map((s) => s.size)), partial: true };
      const { result: r, resent } = await untilOutcomeKnown(() => client.call<Record<string, { id: string } | null>>(batch.operation, variables, options, chunk.length));
      let retryable: MondayApiError | null = null;
      for (const [j, s] of chunk.entries()) {
        const alias = batch.aliases[j]!;
        const id = r.data[alias]?.id;
        const error = r.aliasErrors.find((e) => e.alias === alias)
          ?? (id ? null : new MondayApiError(`create_subitem ${alias} returned no id`, 'transient', 'NO_ID', 200, null, alias));
        if (id) {
          // A replay names the subitem the read already saw; a different id means this size now exists twice.
          const seen = seenBeforeCreate.get(s.size);
          const [keep, extra] = !seen || seen.subitemId === id ? [id, null] : compareIds(seen.subitemId, id) < 0 ? [seen.subitemId, id] : [id, seen.subitemId];
          if (extra) await archiveDuplicates([{ size: s.size, subitemId: extra }]);
          if (keep === id) {
            onMonday.set(s.size, { subitemId: id, qty: s.qty });
            result.created++;
            result.createdIds.push(id);
          } else {
            // The older subitem stays: it gets this payload's values if it holds others.
            onMonday.set(s.size, { subitemId: keep, qty: seen!.qty });
            if (seen!.qty !== s.qty) await change([updateTo(s, onMonday.get(s.size)!)]);
          }
        } else if (error?.kind === 'permanent') {
          result.failures.push({ size: s.size, error });
        } else {
          retryable ??= error;
        }
      }
      // Resent and executed afresh rather than replayed: Monday had not cached the first send (over 1 MB,
      // its cache budget spent, the 30-minute window gone), which may have committed too. Read and tidy.
      if (resent && !r.replayed) await reconcile(new Set(chunk.map((s) => s.size)));
      if (retryable) throw retryable;
    }
  } catch (err) {
    if (err instanceof MondayApiError) {
      err.partialSubitems = heldSizes(onMonday, null);
      err.partialCreated = result.createdIds;
    }
    throw err;
  }
  result.subitems = heldSizes(onMonday, new Set(w.wanted.map((s) => s.size)));
  return result;
}

/** Resends of one batch whose outcome is unknown, before the error goes up to Temporal's retry. */
const OUTCOME_UNKNOWN_RESENDS = 8;

/**
 * Send a create batch until Monday says what became of it. A timeout, a dropped connection or a 5xx
 * leaves the outcome unknown (Monday may still be committing aliases); 409 IDEMPOTENCY_CONFLICT says the
 * first send is still running. Either way the identical request goes again under the identical key,
 * after Monday's Retry-After or a short backoff, until Monday replays its answer or executes it fresh.
 */
async function untilOutcomeKnown<T>(send: () => Promise<T>): Promise<{ result: T; resent: boolean }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { result: await send(), resent: attempt > 1 };
    } catch (err) {
      if (!(err instanceof MondayApiError) || !outcomeUnknown(err) || attempt >= OUTCOME_UNKNOWN_RESENDS) throw err;
      await new Promise((r) => setTimeout(r, err.retryAfterMs ?? Math.min(250 * 2 ** attempt, 8_000)));
    }
  }
}

export function outcomeUnknown(err: MondayApiError): boolean {
  return err.code === 'TIMEOUT' || err.code === 'NETWORK_ERROR' || err.code === 'IDEMPOTENCY_CONFLICT'
    || (err.kind === 'transient' && err.httpStatus !== null && err.httpStatus >= 500);
}

/** Run one write for these sizes; a permanent error is recorded for each of them (null), anything else propagates. */
async function perSizes<T>(result: SubitemSyncResult, sizes: string[], write: () => Promise<T>): Promise<T | null> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof MondayApiError && err.kind === 'permanent') {
      for (const size of sizes) result.failures.push({ size, error: err });
      return null;
    }
    throw err;
  }
}

function heldSizes(onMonday: Map<string, Held>, only: Set<string> | null): SubitemSyncResult['subitems'] {
  return [...onMonday]
    .filter(([size]) => !only || only.has(size))
    .map(([size, s]) => ({ size, subitemId: s.subitemId, qty: s.qty ?? 0 }));
}
