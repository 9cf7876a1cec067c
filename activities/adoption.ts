// The activities of `orders-sync board adopt` (workflows/adopt.ts) and of the sync's adoption guard.
// Reads are paged and paced to at most a share of the minute's complexity budget; every write has a stable
// Idempotency-Key and the activities resume from their heartbeat, so a killed worker repeats no write.
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { heartbeating } from './heartbeat';
import type { BoardReadRow, Store } from '../db/store';
import { type Mapping, MappingError, createTransform } from '../mapping';
import { matchColumns, planAdoption, summarise, type AdoptionPlan, type AdoptionSummary } from '../mapping/adoption-match';
import { PARENTS_PER_READ, idempotencyKey, type BoardPageItem, type MondayClient } from '../graphql/client';
import { ARCHIVES_PER_REQUEST, bulkArchive } from '../graphql/bulk-archive';
import { isCursorExpired, toActivityFailure } from '../graphql/errors';
import type { OrderPayload } from '../shared/order';

export interface AdoptionDeps {
  store: Store;
  mapping: Mapping;
  monday: MondayClient;
  /** Stop a sync that would create items on a board that holds items and was never adopted (ADOPTION_GUARD). */
  adoptionGuard: boolean;
  /** Share of the minute's complexity budget adoption may use, reads and writes (other integrations share the rest). */
  readShare?: number;
  /** Items per page (Monday allows up to 500). */
  pageSize?: number;
}

export type BoardSide = 'items' | 'subitems';

const WRITES_PER_HEARTBEAT = 1;
/** Monday's documented 30,000 per mutation, plus the selected fields. */
const MUTATION_ESTIMATE = 30_100;

export function createAdoptionActivities(deps: AdoptionDeps) {
  const { store, mapping, monday } = deps;
  const columns = matchColumns(mapping);
  const pace = new ReadPacer(monday.budget.complexityPerMinute * (deps.readShare ?? 0.5), 60_000 / timeScaleOf(monday));
  const itemColumns = [columns.keyColumnId, ...columns.keyPartColumnIds, ...(columns.customerColumnId ? [columns.customerColumnId] : [])];
  const subitemColumns = [columns.sizeColumnId, columns.qtyColumnId];

  async function loadPlan(runId: string): Promise<AdoptionPlan> {
    const run = await store.getAdoptionRun(runId);
    const plan = (run?.report as { plan?: AdoptionPlan } | null)?.plan;
    if (!plan) throw ApplicationFailure.nonRetryable(`adoption run ${runId} has no plan`, 'NO_PLAN');
    return plan;
  }

  /**
   * Which group each group title lives in on the board, by id: the group most of its adopted items sit in.
   * So a group people renamed keeps its items instead of the sync making a new group with the old title.
   */
  async function rememberGroups(runId: string, lines: Pick<OrderPayload, 'key' | 'groupName'>[], matched: Map<string, AdoptionPlan['matched'][number]>): Promise<void> {
    const groupOf = new Map((await store.readBoardSnapshot(runId)).filter((r) => r.parentItemId === null).map((r) => [r.itemId, r.groupId]));
    const votes = new Map<string, Map<string, number>>();
    for (const line of lines) {
      const groupId = groupOf.get(matched.get(line.key)?.itemId ?? '');
      if (!groupId) continue;
      const forTitle = votes.get(line.groupName) ?? new Map<string, number>();
      forTitle.set(groupId, (forTitle.get(groupId) ?? 0) + 1);
      votes.set(line.groupName, forTitle);
    }
    for (const [title, forTitle] of votes) {
      if (await store.rememberedGroup(mapping.items.boardId, title)) continue;
      const [groupId] = [...forTitle].sort((a, b) => b[1] - a[1])[0]!;
      await store.rememberGroup(mapping.items.boardId, title, groupId);
    }
  }

  return {
    async startAdoption(input: { runId: string }): Promise<{ boardId: string }> {
      await store.saveAdoptionRun({ runId: input.runId, boardId: mapping.items.boardId, status: 'READING' });
      return { boardId: mapping.items.boardId };
    },

    /**
     * One page of the items board into MON_AdoptionBoardRead: its items ('items'), or the subitems of its items
     * ('subitems'), read nested under their parents 100 at a time, the one way subitems are read (MondayClient.
     * subitemsOf): the subitems board itself is never queried. An expired cursor is CURSOR_EXPIRED: start again.
     */
    async readBoardPage(input: { runId: string; side: BoardSide; cursor: string | null }): Promise<{ cursor: string | null; read: number }> {
      const page = await readBoardItems(monday, pace, { boardId: mapping.items.boardId, side: input.side, cursor: input.cursor, limit: deps.pageSize ?? 500, columnIds: input.side === 'items' ? itemColumns : subitemColumns, what: '(board adopt)' });
      const rows: BoardReadRow[] = page.items
        .map((i) => ({ itemId: i.id, parentItemId: i.parentItemId, name: i.name, createdAt: i.createdAt, groupId: i.groupId, groupTitle: i.groupTitle, values: i.values }));
      await store.saveBoardRead(input.runId, rows);
      return { cursor: page.cursor, read: rows.length };
    },

    /** Match what was read against every order line; the full plan is kept with the run, a summary returned.
     * Heartbeats; a retry after the plan was saved (its last heartbeat says so) returns it instead of matching again. */
    async planAdoption(input: { runId: string }): Promise<AdoptionSummary & { boardItems: number }> {
      if ((Context.current().info.heartbeatDetails as { planned?: boolean } | undefined)?.planned) {
        const report = (await store.getAdoptionRun(input.runId))?.report as { summary?: AdoptionSummary; boardItems?: number } | null;
        if (report?.summary && report.boardItems !== undefined) return { ...report.summary, boardItems: report.boardItems };
      }
      let planned = false;
      return heartbeating(async () => {
        const snapshot = await store.readBoardSnapshot(input.runId);
        const rejected = new Map<string, string>();
        const lines = await orderLinesForMatching(store, mapping, (key, reason) => rejected.set(key, reason));
        const plan = planAdoption({
          lines,
          items: snapshot.filter((r) => r.parentItemId === null),
          subitems: snapshot.filter((r) => r.parentItemId !== null),
          columns, customers: mapping.customers,
          rejected: [...rejected].map(([key, reason]) => ({ key, reason })),
        });
        const summary = summarise(plan);
        const boardItems = snapshot.filter((r) => r.parentItemId === null).length;
        await store.saveAdoptionRun({ runId: input.runId, boardId: mapping.items.boardId, status: boardItems === 0 ? 'EMPTY' : 'PLANNED', report: { summary, boardItems, plan } });
        planned = true;
        Context.current().heartbeat({ planned });
        return { ...summary, boardItems };
      }, () => ({ planned }));
    },

    /**
     * Link every matched order line to its item and sizes in staging, so the next sync updates instead of
     * creating. A linked line is left unsynced (ITEM_CREATED, no synced hash): the next sync sees it as RETRY and
     * updates its item, writing the key column in that same mutation. Matched lines that cannot be linked (their
     * source row gone, duplicated or rejected by the mapping since the plan) are named: they would never get a key.
     * Heartbeats the lines linked: a retry skips the lines an earlier attempt linked (settled) and counts on from its last heartbeat.
     */
    async linkAdoptedOrders(input: { runId: string }): Promise<{ linked: number; awaitingSync: number; notLinked: { key: string; reason: string }[] }> {
      const before = Context.current().info.heartbeatDetails;
      let linked = typeof before === 'number' ? before : 0;
      return heartbeating(async () => {
        const plan = await loadPlan(input.runId);
        const matched = new Map(plan.matched.map((m) => [m.key, m]));
        const states = await store.getSyncStates([...matched.keys()]);
        // A line already linked to this item is left as it is when the next sync will send it anyway, or when it was
        // synced and its item holds its key: a second run changes nothing. A synced line whose key column was
        // cleared by hand is linked again, so the sync writes the key back.
        const settled = (m: AdoptionPlan['matched'][number]) => {
          const state = states.get(m.key);
          return state?.itemId === m.itemId && (state.status === 'ITEM_CREATED' || (state.status === 'SYNCED' && m.keyColumnHolds === m.key));
        };
        const todo = new Set([...matched.values()].filter((m) => !settled(m)).map((m) => m.key));
        const seen = new Set<string>();
        const rejected = new Map<string, string>();
        await rememberGroups(input.runId, await orderLinesForMatching(store, mapping), matched);
        await forEachOrderLinePage(store, mapping, async (page) => {
          for (const l of page) seen.add(l.key);
          const part = page.filter((l) => todo.has(l.key));
          if (part.length === 0) return;
          await store.stageOrders(`adopt:${input.runId}`, part);
          for (const line of part) {
            const m = matched.get(line.key)!;
            await store.setOrderStatus(line.key, 'ITEM_CREATED', { itemId: m.itemId });
            // Monday's quantity is recorded as synced (-1 when it holds none): the next sync changes only the sizes that differ.
            await store.setSubitemIds(line.key, m.sizes.map((s) => ({ size: s.size, subitemId: s.subitemId, qty: s.qty ?? -1 })));
            linked++;
          }
          Context.current().heartbeat(linked);
        }, (key, reason) => rejected.set(key, reason));
        const notLinked = [...matched.keys()].filter((k) => !seen.has(k)).map((key) => ({ key, reason: rejected.get(key) ?? 'its source row is gone' }));
        const after = await store.getSyncStates([...matched.keys()]);
        const awaitingSync = [...matched.values()].filter((m) => after.get(m.key)?.itemId === m.itemId && after.get(m.key)?.status !== 'SYNCED').length;
        const run = await store.getAdoptionRun(input.runId);
        await store.saveAdoptionRun({ runId: input.runId, boardId: mapping.items.boardId, status: run?.status ?? 'PLANNED', report: { ...(run?.report as object), notLinked } });
        return { linked, awaitingSync, notLinked };
      }, () => linked);
    },

    /**
     * --write-keys: write the key column now on every adopted item that does not hold its key yet, one mutation
     * each (resumes from its heartbeat). Without it the next sync's update writes it in the mutation it makes anyway.
     */
    async writeKeyColumns(input: { runId: string }): Promise<{ written: number }> {
      const plan = await loadPlan(input.runId);
      const todo = plan.matched.filter((m) => m.keyColumnHolds !== m.key);
      return resumable(todo, async (m) => {
        await pace.wait(monday.lastCost('ChangeMultipleColumnValues') ?? MUTATION_ESTIMATE);
        try {
          await monday.changeColumnValues(
            { boardId: mapping.items.boardId, itemId: m.itemId, columnValues: { [columns.keyColumnId]: m.key }, createLabelsIfMissing: false },
            idempotencyKey(m.key, 'adopt-key', m.itemId),
          );
          pace.spent(monday.lastCost('ChangeMultipleColumnValues'));
        } catch (err) {
          throw toActivityFailure(err, { orderKey: m.key, step: 'adopt-key' });
        }
      }).then((written) => ({ written }));
    },

    /**
     * Archive the extra items and duplicate-size subitems, up to 100 of a board in one bulk_archive_items request
     * (one daily call and one mutation's complexity where archive_item cost one each); each archive gets an audit
     * row. Nothing is deleted.
     */
    async archiveDuplicates(input: { runId: string }): Promise<{ archived: number }> {
      const plan = await loadPlan(input.runId);
      const todo = [
        ...plan.duplicates.map((d) => ({ boardId: mapping.items.boardId, itemId: d.itemId, parentItemId: null, key: d.key, reason: d.reason })),
        ...plan.duplicateSizes.map((d) => ({ boardId: mapping.subitems.boardId, itemId: d.subitemId, parentItemId: d.parentItemId, key: d.key, reason: d.reason })),
      ];
      // A chunk holds one board's items, so it is one request.
      const chunks: (typeof todo)[] = [];
      for (const board of [mapping.items.boardId, mapping.subitems.boardId]) {
        const mine = todo.filter((a) => a.boardId === board);
        for (let i = 0; i < mine.length; i += ARCHIVES_PER_REQUEST) chunks.push(mine.slice(i, i + ARCHIVES_PER_REQUEST));
      }
      await resumable(chunks, async (chunk) => {
        await pace.wait(monday.lastCost('BulkArchiveItems') ?? MUTATION_ESTIMATE);
        try {
          await bulkArchive(monday, chunk[0]!.boardId, chunk.map((a) => a.itemId), idempotencyKey(input.runId, 'adopt-archive', chunk[0]!.boardId));
          pace.spent(monday.lastCost('BulkArchiveItems'));
        } catch (err) {
          throw toActivityFailure(err, { orderKey: chunk[0]!.key, step: 'adopt-archive' });
        }
        for (const a of chunk) await store.recordArchive({ runId: input.runId, boardId: a.boardId, itemId: a.itemId, parentItemId: a.parentItemId, orderKey: a.key, reason: a.reason });
      });
      return { archived: todo.length };
    },

    async finishAdoption(input: { runId: string; applied: boolean }): Promise<void> {
      const run = await store.getAdoptionRun(input.runId);
      if (input.applied && run?.status === 'PLANNED') await store.saveAdoptionRun({ runId: input.runId, boardId: run.boardId, status: 'APPLIED' });
    },

    /**
     * The guard: a sync may create items only on a board that was adopted or is empty (an empty board counts
     * as adopted from then on, so the demo needs no extra step).
     */
    async checkBoardAdopted(): Promise<void> {
      const boardId = mapping.items.boardId;
      if (!deps.adoptionGuard || (await store.isBoardAdopted(boardId))) return;
      let held: number;
      try {
        held = (await monday.boardItemsPage({ boardId, cursor: null, limit: 1, columnIds: [] })).items.length;
      } catch (err) {
        throw toActivityFailure(err, { orderKey: '(adoption guard)', step: 'adoption-guard' });
      }
      if (held === 0) {
        await store.saveAdoptionRun({ runId: `empty-board:${boardId}`, boardId, status: 'EMPTY' });
        return;
      }
      throw ApplicationFailure.create({
        message: `board ${boardId} already holds items and has not been adopted: run \`orders-sync board adopt\` first (nothing was created)`,
        type: 'BOARD_NOT_ADOPTED', nonRetryable: true, details: [{ category: 'CONFIG', httpStatus: null }],
      });
    },
  };
}

export type AdoptionActivities = ReturnType<typeof createAdoptionActivities>;

/**
 * One page of the items board's active items ('items'), or the active subitems of that page's items ('subitems'),
 * paced to the reader's share of the budget. Subitems are read nested under their parents, 100 parents at a time
 * (MondayClient.subitemsOf, the one way subitems are read: the subitems board itself is never queried). An expired
 * cursor is CURSOR_EXPIRED: the caller starts that board again. Board adopt and verify read the board this way.
 */
export async function readBoardItems(
  monday: MondayClient, pace: ReadPacer, v: { boardId: string; side: BoardSide; cursor: string | null; limit: number; columnIds: string[]; what: string },
): Promise<{ cursor: string | null; items: BoardPageItem[] }> {
  // Heartbeats while it waits for the pacer or a slow answer (a page read never heartbeat: issue 18).
  return heartbeating(() => readBoardItemsNow(monday, pace, v));
}

async function readBoardItemsNow(
  monday: MondayClient, pace: ReadPacer, v: { boardId: string; side: BoardSide; cursor: string | null; limit: number; columnIds: string[]; what: string },
): Promise<{ cursor: string | null; items: BoardPageItem[] }> {
  const items = v.side === 'items';
  await pace.wait(estimateCost(monday, v.limit));
  try {
    const page = await monday.boardItemsPage({ boardId: v.boardId, cursor: v.cursor, limit: v.limit, columnIds: items ? v.columnIds : [] });
    pace.spent(page.complexity);
    if (items) return { cursor: page.cursor, items: page.items.filter((i) => i.parentItemId === null) };
    const subitems: BoardPageItem[] = [];
    for (let i = 0; i < page.items.length; i += PARENTS_PER_READ) {
      const parents = page.items.slice(i, i + PARENTS_PER_READ).map((p) => p.id);
      // Paced as one read: the parents' ids request and the reads by id are cheap (a few thousand each).
      await pace.wait((monday.lastCost('ItemSubitems') ?? 5_000) + 5 * (monday.lastCost('SubitemsById') ?? 5_000));
      const byParent = await monday.subitemsOf(parents, v.columnIds);
      pace.spent(null);
      for (const [parentItemId, list] of byParent) {
        for (const s of list.filter((x) => (x.state ?? 'active') === 'active')) {
          // A number column's stored value, as items_page gives it (verify compares quantities by it).
          const raw = Object.fromEntries(Object.entries(s.numbers).map(([c, n]) => [c, n === null ? null : JSON.stringify(String(n))]));
          subitems.push({ id: s.id, name: s.name, createdAt: s.createdAt, groupId: null, groupTitle: null, parentItemId, values: s.values, raw });
        }
      }
    }
    return { cursor: page.cursor, items: subitems };
  } catch (err) {
    if (v.cursor !== null && isCursorExpired(err)) throw ApplicationFailure.nonRetryable(`the items_page cursor expired: ${(err as Error).message}`, 'CURSOR_EXPIRED');
    throw toActivityFailure(err, { orderKey: v.what, step: `read-${v.side}` });
  }
}

/**
 * Runs one write per entry in order, heartbeating the number done; a retry (say after the worker was killed)
 * starts after the last entry the dead attempt reported. The one write in flight at the kill is sent again
 * with the same Idempotency-Key, so Monday answers it from its cache instead of writing twice.
 */
export async function resumable<T>(todo: T[], write: (t: T) => Promise<void>): Promise<number> {
  const ctx = Context.current();
  const from = typeof ctx.info.heartbeatDetails === 'number' ? ctx.info.heartbeatDetails : 0;
  let done = from;
  const timer = setInterval(() => ctx.heartbeat(done), 2_000);
  try {
    for (let i = from; i < todo.length; i++) {
      await Promise.race([write(todo[i]!), ctx.cancelled]);
      done = i + 1;
      if (done % WRITES_PER_HEARTBEAT === 0) ctx.heartbeat(done);
    }
  } finally {
    clearInterval(timer);
  }
  ctx.heartbeat(done);
  return todo.length;
}

/**
 * Every order line the mapping can turn into a payload, one source page at a time (a page never cuts an order
 * key, so a key on several rows is seen whole: such lines are never synced, DUPLICATE_ORDER_KEY, nor adopted).
 */
export async function forEachOrderLinePage(
  store: Store, mapping: Mapping, onPage: (lines: OrderPayload[]) => Promise<void>, onRejected?: (key: string, reason: string) => void,
): Promise<void> {
  const transform = createTransform(mapping);
  let cursor: string | null = null;
  do {
    const page = await store.readSourcePage(cursor, 1000);
    const lines = new Map<string, OrderPayload | null>();
    for (const row of page.rows) {
      try {
        const p = transform(row);
        lines.set(p.key, lines.has(p.key) ? null : p);
      } catch (err) {
        if (!(err instanceof MappingError)) throw err;
        onRejected?.(err.orderKey, `the mapping rejects its source row: ${err.message}`);
      }
    }
    for (const [key, line] of lines) if (line === null) onRejected?.(key, 'its order key is on several source rows (DUPLICATE_ORDER_KEY)');
    await onPage([...lines.values()].filter((p): p is OrderPayload => p !== null));
    cursor = page.nextCursor;
  } while (cursor !== null);
}

/** What matching needs of every order line, without the column values (a 10,000-line board fits a small worker heap). */
async function orderLinesForMatching(store: Store, mapping: Mapping, onRejected?: (key: string, reason: string) => void): Promise<OrderPayload[]> {
  const out: OrderPayload[] = [];
  await forEachOrderLinePage(store, mapping, async (lines) => {
    for (const l of lines) out.push({ ...l, columnValues: {}, subitems: l.subitems.map((s) => ({ ...s, columnValues: {} })) });
  }, onRejected);
  return out;
}

export function timeScaleOf(monday: MondayClient): number {
  return monday.budget.timeScale;
}

/** First estimate of a page's cost before one was seen (the sandbox and Monday report the real one). */
function estimateCost(monday: MondayClient, limit: number): number {
  return monday.lastCost('NextItemsPage') ?? monday.lastCost('BoardItemsPage') ?? limit * 40;
}

/**
 * Keeps adoption's reads within a share of the minute's complexity budget over any sliding minute, so
 * other integrations on the same account keep the rest. The shared MondayBudget still paces everything.
 */
export class ReadPacer {
  private readonly sent: { at: number; cost: number }[] = [];
  constructor(private readonly perWindow: number, private readonly windowMs: number) {}

  async wait(estimate: number): Promise<void> {
    for (;;) {
      const now = Date.now();
      while (this.sent.length > 0 && this.sent[0]!.at <= now - this.windowMs) this.sent.shift();
      const used = this.sent.reduce((s, e) => s + e.cost, 0);
      if (used === 0 || used + estimate <= this.perWindow) break;
      await new Promise((r) => setTimeout(r, this.sent[0]!.at + this.windowMs - now + 1));
    }
    this.sent.push({ at: Date.now(), cost: estimate });
  }

  /**
   * The last request was answered: replace its estimate by what Monday reported, and count it from now on.
   * Monday charges it somewhere between sending and answering; counted from the answer, two requests a paced
   * minute apart never land in one of Monday's minutes because the first one travelled slower
   * (measured: 50.4 % of the budget in the busiest minute when counted from the send).
   */
  spent(actual: number | null): void {
    const last = this.sent[this.sent.length - 1];
    if (!last) return;
    last.at = Date.now();
    if (actual !== null) last.cost = actual;
  }
}
