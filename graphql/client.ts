// The one Monday client: graphql-request 6 over Node's fetch, raw token auth, pinned API version,
// a timeout per request, the shared budget before every call and error classification after it.
// It does not retry: Temporal retries activities, guided by the error kinds (graphql/errors.ts).
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { ClientError, GraphQLClient } from 'graphql-request';
import { BudgetPausedError, MondayBudget, type BudgetObservation } from './budget';
import { buildAliasedBatch, documents, type AliasedBatch, type MondayOperation } from './documents';
import { MondayApiError, classifyNetworkError, classifyResponse, headerValue } from './errors';

export const MONDAY_API_VERSION = '2026-10';
/**
 * First estimate of a call's cost, before a real one is observed: Monday's documented 30,000 per
 * mutation plus a margin for the selected fields (an estimate below the real cost lets a burst of
 * concurrent callers overrun the minute's budget by one).
 */
const MUTATION_COST = 31_000;
const QUERY_COST = 1_000;


export interface MondayClientOptions {
  url: string;
  token: string;
  apiVersion?: string;
  timeoutMs?: number;
  /** Share one budget between all clients of a worker; a private one is made otherwise. */
  budget?: MondayBudget;
  /** Only used when the client makes its own budget. */
  maxConcurrentMutationsPerBoard?: number;
  /**
   * Most sizes per aliased create_subitem request; default 10. Monday: "All API calls follow a 60-second timeout
   * policy" and "You cannot create more than 10 to 20 items in real time" (developer.monday.com/api-reference/docs/
   * development-best-practices). Aliases run one after another, so a request lasts its aliases' time: 10 keeps
   * it well inside 60 s even at seconds per alias, and fewer go when Monday is slower (subitemBatchSizeNow).
   * Batching saves round trips and daily calls, not complexity: 30k per subitem.
   */
  subitemBatchSize?: number;
  /** How long a create_subitem request should last at most (default BATCH_TARGET_MS; tests shorten it). */
  batchTargetMs?: number;
  /** Called after every request (metrics). */
  onRequest?: (r: RequestOutcome) => void;
}

export interface RequestOutcome {
  operation: string;
  isMutation: boolean;
  /** Complexity Monday reported for the request, when it said. */
  complexity: number | null;
  /** The first error's code, if any (e.g. COMPLEXITY_BUDGET_EXHAUSTED). */
  errorCode: string | null;
  rateLimited: boolean;
}

export interface CallOptions {
  /** The board written to: mutations are limited per board. */
  boardId?: string;
  /** Required on mutations: the same key on every retry of the same write. */
  idempotencyKey?: string;
  /** Return per-alias errors instead of throwing them (aliased batches). */
  partial?: boolean;
}

export interface CallResult<T> {
  data: T;
  /** Errors that belong to one alias of a batch; empty unless `partial`. */
  aliasErrors: MondayApiError[];
  replayed: boolean;
}

/** Deterministic Idempotency-Key: the same write gets the same key on every retry, a changed payload a new one. */
export function idempotencyKey(orderKey: string, step: string, payloadHash: string, ...extra: string[]): string {
  return createHash('sha256').update([orderKey, step, payloadHash, ...extra].join('\u0000')).digest('hex').slice(0, 40);
}

/** The caller's cancellation (an activity's): every request made inside `fn` is aborted with it. */
const callerSignal = new AsyncLocalStorage<AbortSignal>();
export function withAbortSignal<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  return callerSignal.run(signal, fn);
}

/** Requests made inside `fn` (each request sent, answered or not): MON_BatchProcessing.api_calls_made. */
const requestTally = new AsyncLocalStorage<{ requests: number }>();
export async function countingRequests<T>(fn: () => Promise<T>, onDone: (requests: number) => Promise<void>): Promise<T> {
  const tally = { requests: 0 };
  try {
    return await requestTally.run(tally, fn);
  } finally {
    await onDone(tally.requests).catch(() => undefined);
  }
}

export interface BoardPageItem {
  id: string; name: string; createdAt: string | null; groupId: string | null; groupTitle: string | null; parentItemId: string | null;
  /** Column id → Monday's display text. */
  values: Record<string, string | null>;
  /** Column id → the stored JSON value (numbers and dates compare by it: their text is formatted). */
  raw: Record<string, string | null>;
}

/** A subitem read through its parent: each column's text, and for number columns `NumbersValue.number`. */
export interface ParentSubitem { id: string; name: string; createdAt: string | null; state: string | null; values: Record<string, string | null>; numbers: Record<string, number | null> }

/** A request should last at most this long: a third of Monday's 60 s timeout policy, whatever its batch. */
export const BATCH_TARGET_MS = 20_000;
/** The default client timeout: past Monday's 60 s, so the client never gives up on a request Monday still runs. */
export const DEFAULT_TIMEOUT_MS = 65_000;
/** Parents per subitems read (Monday's items query takes at most 100 ids). */
export const PARENTS_PER_READ = 100;

interface ComplexityField { complexity?: { query?: number; after?: number; reset_in_x_seconds?: number } | null }

export class MondayClient {
  readonly budget: MondayBudget;
  readonly subitemBatchSize: number;
  readonly timeoutMs: number;
  /** Time Monday took per create_subitem alias, a moving average of what was observed; null until one was timed. */
  private perAliasMs: number | null = null;
  private readonly batchTargetMs: number;
  private readonly gql: GraphQLClient;
  private readonly token: string;
  /** Last observed complexity per operation (per alias for batches): the budget's estimate. */
  private readonly costs = new Map<string, number>();
  private readonly batches = new Map<string, AliasedBatch>();
  private readonly onRequest: (r: RequestOutcome) => void;

  constructor(opts: MondayClientOptions) {
    this.token = opts.token;
    this.onRequest = opts.onRequest ?? (() => {});
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.subitemBatchSize = opts.subitemBatchSize ?? 10;
    this.batchTargetMs = opts.batchTargetMs ?? BATCH_TARGET_MS;
    this.budget = opts.budget ?? new MondayBudget({ maxConcurrentMutationsPerBoard: opts.maxConcurrentMutationsPerBoard });
    const timeoutMs = this.timeoutMs;
    this.gql = new GraphQLClient(opts.url, {
      headers: { Authorization: opts.token, 'API-Version': opts.apiVersion ?? MONDAY_API_VERSION },
      errorPolicy: 'all', // partial data of aliased batches is ours to sort out
      // A proxy's HTML 502 must stay an HTTP error (transient), not become a JSON syntax error.
      jsonSerializer: { stringify: JSON.stringify, parse: (text: string) => { try { return JSON.parse(text) as unknown; } catch { return { error: text.slice(0, 200) }; } } },
      fetch: ((url: string, init: RequestInit) => {
        const caller = callerSignal.getStore();
        const timeout = AbortSignal.timeout(timeoutMs);
        return fetch(url, { ...init, signal: caller ? AbortSignal.any([timeout, caller]) : timeout });
      }) as never,
    });
  }

  /**
   * Sizes per create_subitem request now: the configured most, fewer when Monday takes so long per alias that
   * a request of that many would pass BATCH_TARGET_MS (the adaptive part of issue 20).
   */
  subitemBatchSizeNow(): number {
    if (this.perAliasMs === null || this.perAliasMs <= 0) return this.subitemBatchSize;
    return Math.max(1, Math.min(this.subitemBatchSize, Math.floor(this.batchTargetMs / this.perAliasMs)));
  }

  /** Learns Monday's time per alias from a create_subitem request that took `ms` (or timed out after it). */
  private timeAliases(aliasCount: number, ms: number, timedOut: boolean): void {
    const observed = ms / aliasCount;
    // Slower is believed at once (a request near Monday's 60 s cut is what must not happen twice); faster slowly.
    this.perAliasMs = this.perAliasMs === null || timedOut || observed > this.perAliasMs ? observed : 0.7 * this.perAliasMs + 0.3 * observed;
  }

  /** Batch document for `count` aliases of a one-mutation template (cached). */
  batch(template: MondayOperation, count: number): AliasedBatch {
    const key = `${template.name}:${count}`;
    let b = this.batches.get(key);
    if (!b) this.batches.set(key, (b = buildAliasedBatch(template, count)));
    return b;
  }

  async call<T>(op: MondayOperation, variables: Record<string, unknown>, opts: CallOptions = {}, aliasCount = 1): Promise<CallResult<T>> {
    if (op.isMutation && !opts.idempotencyKey) throw new Error(`${op.name}: mutations need an Idempotency-Key`);
    const costKey = aliasCount > 1 ? `${op.name.replace(/Batch\d+$/, '')}:alias` : op.name;
    const estimate = (this.costs.get(costKey) ?? (op.isMutation ? MUTATION_COST : QUERY_COST)) * aliasCount;
    // A long pause (daily limit, a long 429 wait) is not waited out here: the activity fails at once with
    // nextRetryDelay, so its slot is free and Temporal's timer brings it back when Monday will answer.
    const release = await this.budget.acquire({ boardId: opts.boardId, complexity: estimate, isMutation: op.isMutation }).catch((err: unknown) => {
      if (err instanceof BudgetPausedError) throw new MondayApiError(err.message, 'rate_limit', err.dailyCallsSpent ? 'DAILY_CALLS_BUDGET' : 'BUDGET_PAUSED', null, err.pausedForMs);
      throw err;
    });
    const sentAt = Date.now();
    let errors: MondayApiError[] = [];
    let data: unknown = null;
    let replayed = false;
    let complexity: number | null = null;
    let seen: BudgetObservation | undefined;
    try {
      const headers: Record<string, string> = opts.idempotencyKey ? { 'Idempotency-Key': opts.idempotencyKey } : {};
      const res = await this.gql.rawRequest<T>(op.document, variables, headers);
      data = res.data;
      replayed = headerValue(res.headers, 'idempotency-replayed') === 'true';
      // A replay repeats the first request's body, complexity figures included (up to 30 minutes old).
      complexity = replayed ? null : ((res.data as ComplexityField | undefined)?.complexity?.query ?? null);
      seen = this.observe(costKey, aliasCount, res.headers, replayed ? null : (res.data as ComplexityField));
      errors = classifyResponse({ httpStatus: res.status, headers: res.headers, body: { errors: res.errors } });
    } catch (err) {
      if (err instanceof ClientError) {
        const r = err.response as unknown as Record<string, unknown> & { status: number; headers: Headers };
        replayed = headerValue(r.headers, 'idempotency-replayed') === 'true';
        seen = this.observe(costKey, aliasCount, r.headers, replayed ? null : (r.data as ComplexityField));
        errors = classifyResponse({ httpStatus: r.status, headers: r.headers, body: r });
        data = r.data ?? null;
        if (errors.length === 0) errors = classifyResponse({ httpStatus: r.status === 200 ? 500 : r.status, body: 'no data' });
      } else {
        errors = [classifyNetworkError(err, this.timeoutMs)];
      }
    } finally {
      // A 429 pauses the budget before this request's slot goes to the next caller.
      const rateLimited = errors.find((e) => e.kind === 'rate_limit');
      if (rateLimited) this.budget.pause(rateLimited.retryAfterMs ?? 1000);
      // Daily calls: a rejected request and a complexity-only query count a tenth (rate-limits doc).
      release(seen, rateLimited || op.name === documents.complexity.name ? 0.1 : 1);
    }
    if (op.name.startsWith(documents.createSubitem.name) && !replayed && !errors.some((e) => e.kind === 'rate_limit')) {
      this.timeAliases(aliasCount, Date.now() - sentAt, errors.some((e) => e.code === 'TIMEOUT'));
    }
    errors = errors.map((e) => this.redact(e));
    const rateLimited = errors.some((e) => e.kind === 'rate_limit');
    this.onRequest({ operation: op.name, isMutation: op.isMutation, complexity, errorCode: errors[0]?.code ?? null, rateLimited });
    const tally = requestTally.getStore();
    if (tally) tally.requests++;
    const requestLevel = errors.find((e) => e.alias === undefined || e.alias === 'complexity' || data === null);
    if (requestLevel) throw requestLevel;
    if (errors.length > 0 && !opts.partial) throw errors[0];
    return { data: data as T, aliasErrors: errors, replayed };
  }

  /** What the answer tells the budget: the response's `complexity` when it is fresh, else (a replay) only the
   * RateLimit header, which Monday computes for this response. */
  private observe(costKey: string, aliasCount: number, headers: Headers | undefined, data: ComplexityField | null | undefined): BudgetObservation {
    const c = data?.complexity;
    if (c?.query) this.costs.set(costKey, c.query / aliasCount);
    return {
      complexityLeft: c?.after ?? null,
      resetInSeconds: c?.reset_in_x_seconds ?? null,
      rateLimitHeader: headerValue(headers, 'ratelimit'),
    };
  }

  /** Monday may echo request parts in errors; the token never leaves this class. */
  private redact(e: MondayApiError): MondayApiError {
    if (!this.token || !e.message.includes(this.token)) return e;
    const clean = new MondayApiError(e.message.split(this.token).join('[redacted]'), e.kind, e.code, e.httpStatus, e.retryAfterMs, e.alias, e.errorData);
    return clean;
  }

  /** The complexity Monday last reported for this operation, if any. */
  lastCost(operation: string): number | null {
    return this.costs.get(operation) ?? null;
  }

  // ---- typed operations -------------------------------------------------------------------

  async createItem(v: { boardId: string; itemName: string; groupId: string | null; columnValues: Record<string, unknown>; createLabelsIfMissing: boolean }, idempotencyKey: string): Promise<string> {
    const r = await this.call<{ create_item: { id: string } | null }>(documents.createItem, {
      board_id: v.boardId, item_name: v.itemName, group_id: v.groupId, column_values: JSON.stringify(v.columnValues),
      create_labels_if_missing: v.createLabelsIfMissing,
    }, { boardId: v.boardId, idempotencyKey });
    return required(r.data.create_item?.id, 'create_item');
  }

  /** Returns the item's id, its state (an archived item still takes writes) and the group it is in. */
  async changeColumnValues(v: { boardId: string; itemId: string; columnValues: Record<string, unknown>; createLabelsIfMissing: boolean }, idempotencyKey: string): Promise<{ id: string; state: string | null; group: { id: string; title: string } | null; groupTitle: string | null }> {
    const r = await this.call<{ change_multiple_column_values: { id: string; state?: string | null; group: { id: string; title: string } | null } | null }>(documents.changeMultipleColumnValues, {
      board_id: v.boardId, item_id: v.itemId, column_values: JSON.stringify(v.columnValues), create_labels_if_missing: v.createLabelsIfMissing,
    }, { boardId: v.boardId, idempotencyKey });
    const item = r.data.change_multiple_column_values;
    return { id: required(item?.id, 'change_multiple_column_values'), state: item?.state ?? null, group: item?.group ?? null, groupTitle: item?.group?.title ?? null };
  }

  /** An item's state (active, archived, deleted), or null when Monday does not return it at all. */
  async itemState(itemId: string): Promise<string | null> {
    const r = await this.call<{ items: { id: string; state: string | null }[] }>(documents.itemState, { item_id: itemId });
    return r.data.items[0]?.state ?? null;
  }

  async moveItemToGroup(v: { boardId: string; itemId: string; groupId: string }, idempotencyKey: string): Promise<void> {
    const r = await this.call<{ move_item_to_group: { id: string } | null }>(documents.moveItemToGroup, { item_id: v.itemId, group_id: v.groupId }, { boardId: v.boardId, idempotencyKey });
    required(r.data.move_item_to_group?.id, 'move_item_to_group');
  }

  async archiveItem(v: { boardId: string; itemId: string }, idempotencyKey: string): Promise<void> {
    await this.call(documents.archiveItem, { item_id: v.itemId }, { boardId: v.boardId, idempotencyKey });
  }

  async createGroup(boardId: string, groupName: string, idempotencyKey: string): Promise<string> {
    const r = await this.call<{ create_group: { id: string } | null }>(documents.createGroup, { board_id: boardId, group_name: groupName }, { boardId, idempotencyKey });
    return required(r.data.create_group?.id, 'create_group');
  }

  /**
   * Items whose key column holds exactly `key`, oldest first. Monday matches a text column's whole value
   * case-insensitively (`X|S|Black` also finds `X|S|BLACK`, another order line), so the key column's text
   * is read back and only exact matches are kept.
   */
  async findItemsByKey(boardId: string, columnId: string, key: string): Promise<{ id: string; name: string }[]> {
    type Found = { id: string; name: string; state?: string | null; column_values: { id: string; text: string | null }[] };
    const r = await this.call<{ items_page_by_column_values: { items: Found[] } }>(documents.itemsByKey, { board_id: boardId, column_id: columnId, key });
    return r.data.items_page_by_column_values.items
      // An archived (or deleted) item holding the key is not the order line's item: writes to it stay unseen.
      .filter((i) => (i.state ?? 'active') === 'active' && i.column_values.find((c) => c.id === columnId)?.text === key)
      .map(({ id, name }) => ({ id, name }))
      .sort((a, b) => compareIds(a.id, b.id));
  }

  /** A parent's subitems: each column's text, and for number columns `NumbersValue.number` (never parse `text`:
   * Monday formats it with the column's unit and precision, `4.5` reads back as `4.50` or `$4.50`). */
  async itemSubitems(itemId: string, columnIds: string[]): Promise<ParentSubitem[]> {
    const subitems = (await this.subitemsOf([itemId], columnIds)).get(itemId);
    if (!subitems) throw new MondayApiError(`item ${itemId} not found`, 'permanent', 'ItemNotFound', 200, null);
    return subitems;
  }

  /**
   * The subitems of up to 100 parents, read the one way this project reads subitems: through their parents. The
   * parents' subitems columns name their subitems' ids (SubtasksValue.subitems_ids), then the subitems are read
   * by id, 100 a request (graphql/item-subitems.graphql and subitems-by-id.graphql say why not otherwise). Parents
   * Monday does not return (deleted) are absent from the map.
   */
  async subitemsOf(parentIds: string[], columnIds: string[]): Promise<Map<string, ParentSubitem[]>> {
    if (parentIds.length > PARENTS_PER_READ) throw new Error(`subitemsOf: at most ${PARENTS_PER_READ} parents per read`);
    type Parent = { id: string; column_values: { subitems_ids?: string[] | null }[] };
    const parents = (await this.call<{ items: Parent[] }>(documents.itemSubitems, { item_ids: parentIds })).data.items;
    const out = new Map(parents.map((p) => [p.id, [] as ParentSubitem[]]));
    const ids = parents.flatMap((p) => p.column_values.flatMap((c) => c.subitems_ids ?? []));
    type Read = { id: string; name: string; created_at?: string | null; state?: string | null; parent_item: { id: string } | null; column_values: { id: string; text: string | null; number?: number | null }[] };
    for (let i = 0; i < ids.length; i += PARENTS_PER_READ) {
      const r = await this.call<{ items: Read[] }>(documents.subitemsById, { ids: ids.slice(i, i + PARENTS_PER_READ), column_ids: columnIds });
      for (const s of r.data.items) {
        out.get(s.parent_item?.id ?? '')?.push({
          id: s.id, name: s.name, createdAt: s.created_at ?? null, state: s.state ?? null,
          values: Object.fromEntries(s.column_values.map((c) => [c.id, c.text])),
          numbers: Object.fromEntries(s.column_values.filter((c) => c.number !== undefined).map((c) => [c.id, c.number ?? null])),
        });
      }
    }
    return out;
  }

  async boardStructure(boardId: string): Promise<{ columns: { id: string; title: string; type: string; settings: unknown }[]; groups: { id: string; title: string }[] }> {
    const r = await this.call<{ boards: { columns: { id: string; title: string; type: string; settings: unknown }[]; groups: { id: string; title: string }[] }[] }>(
      documents.boardStructure, { board_id: boardId });
    const board = r.data.boards[0];
    if (!board) throw new MondayApiError(`board ${boardId} not found`, 'permanent', 'InvalidBoardIdException', 200, null);
    return board;
  }

  /** items_count and items_limit of each board. */
  async boardLimits(boardIds: string[]): Promise<{ id: string; name: string; items_count: number | null; items_limit: number | null }[]> {
    const r = await this.call<{ boards: { id: string; name: string; items_count: number | null; items_limit: number | null }[] }>(documents.boardLimits, { board_ids: boardIds });
    return r.data.boards;
  }

  /** Creation times of a board's newest items, newest first (at most `limit`, up to 500). */
  async newestItemTimes(boardId: string, limit = 500): Promise<Date[]> {
    const r = await this.call<{ boards: { items_page: { items: { created_at: string | null }[] } }[] }>(documents.newestItems, { board_id: boardId, limit });
    return (r.data.boards[0]?.items_page.items ?? []).flatMap((i) => (i.created_at ? [new Date(i.created_at)] : []));
  }

  /** A structure-only copy of a board (acceptance's scratch board). */
  async duplicateBoard(boardId: string, boardName: string, idempotencyKey: string): Promise<{ id: string; name: string; isAsync: boolean }> {
    const r = await this.call<{ duplicate_board: { is_async: boolean; board: { id: string; name: string } } | null }>(
      documents.duplicateBoard, { board_id: boardId, board_name: boardName }, { boardId, idempotencyKey });
    const copy = r.data.duplicate_board;
    return { id: required(copy?.board.id, 'duplicate_board'), name: copy?.board.name ?? boardName, isAsync: copy?.is_async ?? false };
  }

  async deleteBoard(boardId: string, idempotencyKey: string): Promise<void> {
    await this.call(documents.deleteBoard, { board_id: boardId }, { boardId, idempotencyKey });
  }

  /** One page of a board's items with every column's text and value, and their subitems; cursor null at the end. */
  async boardReadBack(boardId: string, cursor: string | null): Promise<{ cursor: string | null; items: BoardItem[] }> {
    const r = await this.call<{ boards: { items_page: { cursor: string | null; items: BoardItem[] } }[] }>(documents.boardReadBack, { board_id: boardId, cursor });
    const board = r.data.boards[0];
    if (!board) throw new MondayApiError(`board ${boardId} not found`, 'permanent', 'InvalidBoardIdException', 200, null);
    return board.items_page;
  }

  /**
   * One page of a board's active items (null cursor: the first page). Items and subitems alike: a subitem
   * carries its parent's id. A cursor Monday no longer knows (60 minutes) is a permanent InvalidArgumentException.
   */
  async boardItemsPage(v: { boardId: string; cursor: string | null; limit: number; columnIds: string[] }): Promise<{ cursor: string | null; items: BoardPageItem[]; complexity: number | null }> {
    type Page = { cursor: string | null; items: { id: string; name: string; created_at: string | null; group: { id: string; title: string } | null; parent_item: { id: string } | null; column_values: { id: string; text: string | null; value?: string | null }[] }[] };
    let page: Page | undefined;
    let complexity: number | null;
    if (v.cursor === null) {
      const r = await this.call<{ boards: { items_page: Page }[] } & ComplexityField>(documents.boardItemsPage, { board_id: v.boardId, limit: v.limit, column_ids: v.columnIds });
      page = r.data.boards[0]?.items_page;
      complexity = r.data.complexity?.query ?? null;
      if (!page) throw new MondayApiError(`board ${v.boardId} not found`, 'permanent', 'InvalidBoardIdException', 200, null);
    } else {
      const r = await this.call<{ next_items_page: Page } & ComplexityField>(documents.nextItemsPage, { cursor: v.cursor, limit: v.limit, column_ids: v.columnIds });
      page = r.data.next_items_page;
      complexity = r.data.complexity?.query ?? null;
    }
    return {
      complexity,
      cursor: page.cursor,
      items: page.items.map((i) => ({
        id: i.id, name: i.name, createdAt: i.created_at, groupId: i.group?.id ?? null, groupTitle: i.group?.title ?? null,
        parentItemId: i.parent_item?.id ?? null, values: Object.fromEntries(i.column_values.map((c) => [c.id, c.text])),
        raw: Object.fromEntries(i.column_values.map((c) => [c.id, c.value ?? null])),
      })),
    };
  }

  async complexity(): Promise<{ before: number; after: number; query: number; reset_in_x_seconds: number }> {
    const r = await this.call<{ complexity: { before: number; after: number; query: number; reset_in_x_seconds: number } }>(documents.complexity, {});
    return r.data.complexity;
  }
}

/** A column value as Monday reads it back: its display text and its raw JSON value. */
export interface ReadColumnValue { id: string; type: string; text: string | null; value: string | null }

export interface BoardItem {
  id: string;
  name: string;
  group: { title: string } | null;
  column_values: ReadColumnValue[];
  subitems: { id: string; name: string; column_values: ReadColumnValue[] }[] | null;
}

function required(id: string | undefined, what: string): string {
  if (!id) throw new MondayApiError(`${what} returned no id`, 'transient', 'NO_ID', 200, null);
  return id;
}

/** Monday ids are numeric strings beyond 2^31: compare by length, then lexically. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
