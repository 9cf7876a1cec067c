// Every side effect the order and sync workflows need, as Temporal activities. Dependencies come in
// through the factory (samples-typescript's dependency-injection pattern), so tests pass real or fake ones.
import { AsyncLocalStorage } from 'node:async_hooks';
import { ApplicationFailure } from '@temporalio/common';
import { Context, asyncLocalStorage, metricMeter } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { scopedStore, type StagedOrder, type Store } from '../db/store';
import { detectChangesPage, type DetectedOrder } from '../db/change-detection';
import { type Mapping, clearedColumns, createTransform, orderKeyOf } from '../mapping';
import { lookUpSourceLine } from './source-line';
import { type MondayClient, countingRequests, withAbortSignal } from '../graphql/client';
import { syncSubitems, type SubitemWrite } from '../graphql/order-writer';
import { itemLabelRules, writeItemWithinCeilings } from './label-ceiling';
import type { OperationsStore } from '../db/operations';
import { createWriteAudit } from './audit';
import { dispatchControlOf } from '../db/open';
import { endBatchOnSqlFailure, failFastStore, isSqlFailure } from './sql-failures';
import { MondayApiError, toActivityFailure } from '../graphql/errors';
import { LabelNotOnBoardError, describeDropped, resolveBoardLabels } from '../graphql/labels';
import type { ErrorCategory, OrderPayload, SourceRow } from '../shared/order';
import { orderWorkflowId } from '../shared/order';
import { TASK_QUEUE, OrderCustomer, OrderPO, AagOrderNumber, OrderSyncStatus } from '../shared/temporal';
import type { FailureInfo, OrderWorkflowInput, SyncTotals, TargetBoards } from '../shared/workflow-types';

export interface ActivityDeps {
  store: Store;
  mapping: Mapping;
  monday: MondayClient;
  /** Needed only by dispatchOrders (the sync workflow's worker). */
  temporal?: Client;
  orderDefaults: Pick<OrderWorkflowInput, 'subitemBatchSize' | 'rerunWait' | 'retryWindows' | 'selfRetryAfter'>;
  removedSizes: 'zero' | 'archive';
  /** Where every Monday write is audited (rollback); writes go unaudited without it. */
  operations?: OperationsStore;
  /** An item deleted or archived by hand: make it again (default) or fail the order (MONDAY_MISSING_ITEM). */
  missingItem?: 'recreate' | 'fail';
  /** Snapshots of batches that never end are removed after this many days (SNAPSHOT_KEEP_DAYS). */
  snapshotKeepDays?: number;
}



/** How dispatch admits order lines: at most maxInFlight order workflows (null: no cap); a targeted sync admits only its own. */
export interface Admission { maxInFlight: number | null; targeted: boolean }
/** What one dispatch did: started or signalled (`dispatched`), left alone (already running with the hash); waiting and in
 * flight are the totals after it (every batch). */
export interface DispatchResult { dispatched: number; alreadyRunning: number; waiting: number; inFlight: number }
const DISPATCH_CHUNK = 50;
/** How soon a Monday write held by `orders-sync hold on` tries again. */
const HOLD_RETRY_DELAY = '30 seconds';

/** The server refused the start itself (an invalid id, search attribute or memo): retrying cannot help. */
export function refusedForGood(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === 3) return true;   // gRPC INVALID_ARGUMENT
  }
  return false;
}

export interface StagedSummary {
  status: 'STAGED' | 'GONE';
  hash: string;
  customer: string;
  poNumber: string | null;
  aagOrderNumber: string;
  itemId: string | null;
  /** Sizes whose subitem must be created, changed or removed on Monday, in size-column order. */
  pendingSizes: string[];
}

export function createActivities(deps: ActivityDeps) {
  const { mapping } = deps;
  // SQL requests end with the activity: a cancelled activity cancels its running statement.
  // A SQL error no retry can fix ends the order or page at once (activities/sql-failures.ts).
  const store = failFastStore(scopedStore(deps.store, () => asyncLocalStorage.getStore()?.cancellationSignal));
  const transform = createTransform(mapping);
  const audit = createWriteAudit(deps.operations);
  const keyOf = (row: SourceRow) => orderKeyOf(mapping, row);
  const itemRules = itemLabelRules(mapping);
  const control = dispatchControlOf(store);

  /** Counts the Monday requests of an order line's step in the batch that staged it (api_calls_made); acceptance's
   * writes to its scratch board count nowhere. */
  const countedFor = <I extends { key: string; boards?: TargetBoards }, R>(fn: (input: I) => Promise<R>) => (input: I): Promise<R> =>
    (deps.operations && !input.boards ? countingRequests(() => fn(input), (n) => deps.operations!.addApiCalls(input.key, n)) : fn(input));

  /**
   * The order line left ORDERS_UNIFIED (read live) between detection and its workflow: nothing is sent; say so. Not
   * sticky: staging forgets the staged hash, so when the row comes back the next sync sends it (markSourceGone).
   */
  async function sourceRowGone(key: string, batchId: string | null, pass: number): Promise<void> {
    if (!(await store.getStagedOrder(key))) return;
    const message = `order ${key} is no longer in ORDERS_UNIFIED; nothing was sent to Monday`;
    await store.recordError({ scope: 'item', orderKey: key, category: 'DATA', errorType: 'SOURCE_ROW_GONE', message, batchId });
    await store.markSourceGone(key, message);
    await control.release(key);
    if (batchId) await store.recordOrderOutcome({ batchId, key, pass, outcome: 'FAILED', subitems: 0 });
  }

  async function stagedOrder(key: string) {
    const staged = await store.getStagedOrder(key);
    if (!staged) throw ApplicationFailure.nonRetryable(`order ${key} is not staged`, 'NOT_STAGED');
    return staged;
  }

  /** Starts or signals order workflows for one sync; false: the server refused the start (a DATA error row says why). */
  function orderStarter(temporal: Client, batchId: string) {
    const options = (key: string, o: { customer: string; poNumber: string | null; aagOrderNumber: string }, change: string) => ({
      workflowId: orderWorkflowId(key),
      taskQueue: TASK_QUEUE,
      args: [{ key, batchId, ...deps.orderDefaults } satisfies OrderWorkflowInput] as [OrderWorkflowInput],
      // The readable key: a long key's workflow id is a hash (shared/order.ts).
      memo: { orderKey: key },
      typedSearchAttributes: [
        { key: OrderCustomer, value: o.customer },
        { key: AagOrderNumber, value: o.aagOrderNumber },
        { key: OrderSyncStatus, value: 'PENDING' },
        ...(o.poNumber ? [{ key: OrderPO, value: o.poNumber }] : []),
      ],
      staticSummary: `${o.customer} · PO ${o.poNumber ?? '-'} · ${key} (${change})`,
    });
    const refused = async (key: string, err: unknown): Promise<false> => {
      if (!refusedForGood(err)) throw err;
      const message = `order ${key}: Temporal refused to start its workflow (${err instanceof Error ? err.message : String(err)}); the other orders go on`;
      await store.recordError({ scope: 'item', orderKey: key, category: 'DATA', errorType: 'WORKFLOW_START_REFUSED', message, batchId });
      if (await store.getStagedOrder(key)) await store.setOrderStatus(key, 'FAILED', { error: message });
      await control.release(key);
      return false;
    };
    return {
      async signal(key: string, hash: string, o: { customer: string; poNumber: string | null; aagOrderNumber: string; change?: string }): Promise<boolean> {
        try {
          await temporal.workflow.signalWithStart('orderWorkflow', { ...options(key, o, o.change ?? 'CHANGED'), signal: 'sourceChanged', signalArgs: [hash, batchId] });
          return true;
        } catch (err) {
          return refused(key, err);
        }
      },
      /** A start that finds the order's workflow running changes nothing in it (USE_EXISTING: no event). */
      async start(key: string, o: { customer: string; poNumber: string | null; aagOrderNumber: string }): Promise<boolean> {
        try {
          await temporal.workflow.start('orderWorkflow', { ...options(key, o, 'ADMITTED'), workflowIdConflictPolicy: 'USE_EXISTING' });
          return true;
        } catch (err) {
          return refused(key, err);
        }
      },
      async isRunning(key: string): Promise<boolean> {
        try {
          return (await temporal.workflow.getHandle(orderWorkflowId(key)).describe()).status.name === 'RUNNING';
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return false;
          throw err;
        }
      },
    };
  }

  /**
   * Sends one order line as this batch's: recorded first, so a dispatch retried after a crash (its start done, its
   * count lost) still counts it exactly once; forgotten again when the server refuses the start.
   */
  async function sendAsBatch(batchId: string, key: string, hash: string, send: () => Promise<boolean>): Promise<boolean> {
    const firstTime = await control.recordSent(batchId, key);
    if (!(await send())) {
      if (firstTime) await control.forgetSent(batchId, key);
      return false;
    }
    await control.markInFlight(key, hash, batchId);
    return true;
  }

  /**
   * Starts waiting order lines, oldest first, while fewer than maxInFlight run. One whose workflow already runs with
   * its hash is only marked in flight; one it never had is signalled. Resumes by itself: admitted lines are no longer
   * WAITING.
   */
  async function admit(starter: ReturnType<typeof orderStarter>, batchId: string, admission: Admission): Promise<void> {
    for (;;) {
      const free = admission.maxInFlight === null ? DISPATCH_CHUNK : Math.min(DISPATCH_CHUNK, admission.maxInFlight - (await control.countInFlight()));
      if (free <= 0) return;
      // A targeted sync's snapshot holds only its own lines: it admits only those.
      const keys = await control.oldestWaiting(free, admission.targeted ? batchId : undefined);
      if (keys.length === 0) return;
      const sent = await control.admissions(keys);
      await Promise.all(keys.map(async (key) => {
        const staged = await store.getStagedOrder(key);
        if (!staged || staged.status === 'FAILED' || (staged.status === 'SYNCED' && staged.syncedHash === staged.payload.hash)) {
          await control.release(key);   // nothing left to send (synced meanwhile, failed and waiting for a rerun, gone)
          return;
        }
        const hash = staged.payload.hash;
        if (sent.get(key)?.sentHash === hash && (await starter.isRunning(key))) {
          await control.markInFlight(key, hash, batchId);   // already has this hash: nothing to send
          return;
        }
        await sendAsBatch(batchId, key, hash, () => (sent.get(key)?.sentHash === hash ? starter.start(key, staged.payload) : starter.signal(key, hash, { ...staged.payload, change: 'ADMITTED' })));
      }));
      Context.current().heartbeat();
    }
  }

  /** Monday writes wait while `orders-sync hold on` holds them: retried (not failed) until it is lifted. */
  async function obeyHold(): Promise<void> {
    const hold = await control.getHold();
    if (hold) {
      throw ApplicationFailure.create({
        message: `Monday writes are on hold since ${hold.since} ("${hold.note}"); orders-sync hold off resumes them`,
        type: 'SYNC_HOLD', nonRetryable: false, nextRetryDelay: HOLD_RETRY_DELAY,
      });
    }
  }

  return {
    async startSyncBatch(input: { batchId: string; customer: string | null; po: string | null; scheduledBy: string }): Promise<void> {
      const batchType = input.customer || input.po ? `TARGETED${input.customer ? `_CUSTOMER_${input.customer}` : ''}${input.po ? `_PO_${input.po}` : ''}` : 'FULL_BATCH';
      await store.startBatch({ batchId: input.batchId, batchType, customer: input.customer, configSnapshot: { scheduledBy: input.scheduledBy, mapping: mapping.file } });
    },

    detectChanges: heartbeating(async (input: { batchId: string; cursor: string | null; pageSize: number; customer?: string; po?: string }) => {
      const page = await detectChangesPage({ store, transform, keyOf, isPermanent: isSqlFailure, snapshotKeepDays: deps.snapshotKeepDays }, input).catch(async (err: unknown) => {
        if (isSqlFailure(err)) await endBatchOnSqlFailure(store, input.batchId, err);
        throw err;
      });
      return { orders: page.orders, total: page.total, unchanged: page.unchanged, waiting: page.waiting, rejected: page.failed, nextCursor: page.nextCursor };
    }),

    /**
     * Hands one page of order lines detection returned (new, changed, interrupted) to their order workflows, then
     * admits waiting ones while slots are free (db/dispatch-control.ts). An order whose workflow already runs with
     * this hash is left alone: no signal, no history event. A changed hash is signalled. Everything else waits for a
     * slot (MAX_IN_FLIGHT), oldest first. A retry resumes after the last finished chunk (heartbeat details).
     * Without `admission` (a sync started by an earlier release) every order is signalled, as before.
     */
    dispatchOrders: heartbeating(async (input: { batchId: string; orders: DetectedOrder[]; admission?: Admission }): Promise<DispatchResult> => {
      const temporal = deps.temporal;
      if (!temporal) throw ApplicationFailure.nonRetryable('dispatchOrders needs a Temporal client', 'CONFIG');
      const starter = orderStarter(temporal, input.batchId);
      if (!input.admission) {
        const hashes = await store.getSyncStates(input.orders.map((o) => o.key));
        await inChunks(input.orders, 50, (order) => starter.signal(order.key, hashes.get(order.key)?.stagedHash ?? '', order));
        return { dispatched: input.orders.length, alreadyRunning: 0, waiting: 0, inFlight: 0 };
      }
      // `dispatched` is what this call added to the batch's sent order lines (MON_BatchSentOrder), counted from the
      // number before its first attempt: exact whatever a crashed attempt sent. The other counts resume by chunk.
      const resumed = Context.current().info.heartbeatDetails as { chunks?: number; counts?: DispatchResult; sentBefore?: number } | undefined;
      const sentBefore = resumed?.sentBefore ?? (await control.countSent(input.batchId));
      const counts: DispatchResult = { ...(resumed?.counts ?? { dispatched: 0, alreadyRunning: 0, waiting: 0, inFlight: 0 }) };
      let chunks = resumed?.chunks ?? 0;
      const beat = () => setHeartbeatDetails({ chunks, counts: { ...counts }, sentBefore });
      beat();
      for (; chunks * DISPATCH_CHUNK < input.orders.length; chunks++, beat()) {
        const chunk = input.orders.slice(chunks * DISPATCH_CHUNK, (chunks + 1) * DISPATCH_CHUNK);
        // Read now, not when the page was detected: an order that finished meanwhile is not started again.
        const states = await store.getSyncStates(chunk.map((o) => o.key));
        const admitted = await control.admissions(chunk.map((o) => o.key));
        const sentByThisBatch = await control.sentIn(input.batchId, chunk.map((o) => o.key));
        const toWait: string[] = [];
        await Promise.all(chunk.map(async (order) => {
          const state = states.get(order.key);
          if (!state || (state.status === 'SYNCED' && state.syncedHash === state.stagedHash)) return;
          const a = admitted.get(order.key);
          if (a?.state === 'IN_FLIGHT') {
            if (a.sentHash === state.stagedHash) {
              // Running with this hash: an earlier batch's pass (left alone), or this batch's own send (counted as sent).
              if (await starter.isRunning(order.key)) {
                if (!sentByThisBatch.has(order.key)) counts.alreadyRunning++;
                return;
              }
            } else {
              // Its workflow runs (or ran) with an older hash: the signal sends it round again with this one.
              await sendAsBatch(input.batchId, order.key, state.stagedHash, () => starter.signal(order.key, state.stagedHash, order));
              return;
            }
          }
          toWait.push(order.key);
        }));
        await control.markWaiting(input.batchId, toWait);
      }
      await admit(starter, input.batchId, input.admission);
      counts.dispatched = (await control.countSent(input.batchId)) - sentBefore;
      return { ...counts, waiting: await control.countWaiting(), inFlight: await control.countInFlight() };
    }),

    /** The sync ran out of its deadline or was cancelled: its batch ends ABANDONED (rollback then treats it as ended). */
    async abandonSyncBatch(input: { batchId: string; reason: string }): Promise<void> {
      if (await control.abandonBatch(input.batchId)) Context.current().log.warn(`batch ${input.batchId} ABANDONED: ${input.reason}`);
    },

    async finishSyncBatch(input: { batchId: string; totals: SyncTotals }): Promise<void> {
      const { total, newOrders, changed, dispatched, unchanged, rejected } = input.totals;
      await store.setDetectionCounters(input.batchId, { total, newOrders, changed, unchanged, rejected });
      await store.updateBatch(input.batchId, {}, 'staging_loaded');
      const status = dispatched + unchanged + rejected === 0 ? 'NO_RECORDS' : rejected > 0 ? 'COMPLETED_WITH_ERRORS' : 'COMPLETED';
      // The batch ends when the orders it dispatched end (db/batch-end.ts): its counters, MON_BatchProcessing and
      // `status` say "running" until then, and its snapshot stays for their workflows. How many: the order lines it
      // recorded as sent (exact across retried dispatches); a sync of an earlier release recorded none, its count holds.
      const sent = await control.countSent(input.batchId);
      await store.finishDispatch(input.batchId, sent > 0 ? sent : dispatched, status);
    },

    /**
     * Reads the order line and stages it: from the snapshot of the sync that dispatched this pass (`snapshotOf`), or
     * from the live source (a rerun after a fix must see the fixed row; absent for workflows older than snapshots).
     */
    async stageOrder(input: { key: string; batchId: string | null; pass?: number; snapshotOf?: string | null }): Promise<StagedSummary> {
      const line = await lookUpSourceLine({ store, mapping, transform }, input.key, input.snapshotOf);
      if (line.kind === 'gone') {
        await sourceRowGone(input.key, input.batchId, input.pass ?? 1);
        return { status: 'GONE', hash: '', customer: '', poNumber: null, aagOrderNumber: '', itemId: null, pendingSizes: [] };
      }
      if (line.kind === 'duplicate') {
        throw ApplicationFailure.create({ message: line.message, type: 'DUPLICATE_ORDER_KEY', nonRetryable: true, details: [{ category: 'DATA', httpStatus: null }] });
      }
      if (line.kind === 'rejected') {
        throw ApplicationFailure.create({ message: line.message, type: 'MAPPING_ERROR', nonRetryable: true, details: [{ category: 'DATA', httpStatus: null }] });
      }
      const payload = line.payload;
      // Detection staged this very payload for this batch moments ago: staging it again would change nothing.
      const batch = input.batchId ?? 'rerun';
      const before = await store.getStagedOrder(input.key);
      const unchanged = before !== null && before.payload.hash === payload.hash && before.batchId === batch && before.status !== 'FAILED';
      if (!unchanged) await store.stageOrders(batch, [payload]);
      await store.setOrderStatus(input.key, 'IN_PROGRESS');
      const staged = unchanged ? before : await stagedOrder(input.key);
      const pendingSizes = staged.subitems.filter((s) => s.subitemId === null ? s.qty > 0 : s.syncedQty !== s.qty).map((s) => s.size);
      return { status: 'STAGED', hash: payload.hash, customer: payload.customer, poNumber: payload.poNumber, aagOrderNumber: payload.aagOrderNumber, itemId: staged.itemId, pendingSizes };
    },

    /** Creates the item, or updates it when it exists; never creates a second one (see order-writer). */
    upsertItem: heartbeating(countedFor(async (input: { key: string; boards?: TargetBoards }): Promise<{ itemId: string; action: 'created' | 'updated' | 'found'; pendingSizes?: string[] }> => {
      await obeyHold();
      const staged = await stagedOrder(input.key);
      const p = staged.payload;
      try {
        // Labels resolve on the board written to (acceptance's copy has its own label ids).
        const itemsBoardId = input.boards?.itemsBoardId ?? mapping.items.boardId;
        const rememberedGroupId = await store.rememberedGroup(itemsBoardId, p.groupName);
        const { result, dropped } = await writeItemWithinCeilings(deps.monday, itemRules, {
          boardId: itemsBoardId, keyColumnId: mapping.items.keyColumnId, orderKey: p.key, itemName: p.itemName,
          groupName: p.groupName, columnValues: p.columnValues, clearedColumns: clearedColumns(mapping, p.columnValues), payloadHash: writeRevision(staged, input.boards),
          knownItemId: staged.itemId,
          // A retry, or a rerun of an order that got this far before, may follow a create whose answer was lost.
          outcomeUnknown: Context.current().info.attempt > 1 || staged.attempts > 1,
          onMissingItem: deps.missingItem ?? 'recreate',
          rememberedGroupId,
        });
        // A cell left out (its column at the label ceiling) is bad data for a person to settle, not a failed order.
        for (const d of dropped) {
          await store.recordError({ scope: 'item', orderKey: p.key, category: 'DATA', errorType: 'LABEL_CEILING', message: `order ${p.key}: ${describeDropped(d)}`, payload: { [d.columnId]: p.columnValues[d.columnId] } });
        }
        // Audited before staging learns the id: a crash in between is retried and audited again, never lost.
        await audit.item(staged, result.itemId, result.action);
        await audit.archivedItems(staged.key, result.archivedDuplicates);
        if (result.groupId && result.groupId !== rememberedGroupId) await store.rememberGroup(itemsBoardId, p.groupName, result.groupId);
        await store.setOrderStatus(input.key, 'ITEM_CREATED', { itemId: result.itemId });
        if (!result.relinked) return { itemId: result.itemId, action: result.action };
        // The linked item was gone: its subitem ids went with it, so every size is written again.
        await store.clearSubitemIds(input.key);
        const pendingSizes = (await stagedOrder(input.key)).subitems.filter((s) => s.qty > 0).map((s) => s.size);
        return { itemId: result.itemId, action: result.action, pendingSizes };
      } catch (err) {
        if (err instanceof LabelNotOnBoardError) throw labelFailure(p.key, err);
        throw toActivityFailure(err, { orderKey: p.key, step: 'upsert-item', columnValues: p.columnValues });
      }
    })),

    /** Creates, updates or removes the subitems of these sizes in one aliased request (plus a read when reconciling). */
    syncSubitemBatch: heartbeating(countedFor(async (input: { key: string; sizes: string[]; reconcile: boolean; boards?: TargetBoards }): Promise<{ created: number; updated: number; removed: number }> => {
      await obeyHold();
      const staged = await stagedOrder(input.key);
      if (!staged.itemId) throw ApplicationFailure.nonRetryable(`order ${input.key} has no Monday item yet`, 'NO_ITEM');
      const sizes = new Set(input.sizes);
      const known = staged.subitems.filter((s) => sizes.has(s.size) && s.subitemId !== null).map((s) => ({ size: s.size, subitemId: s.subitemId!, qty: s.syncedQty }));
      const { attempt } = Context.current().info;
      // The batch size this call plans with: a retry keeps the failed attempt's (heartbeat details), so it resends the
      // same batches under the same keys; the first attempt takes the client's size for Monday's current pace.
      const planned = (Context.current().info.heartbeatDetails as { batchSize?: number } | undefined)?.batchSize;
      const batchSize = attempt > 1 && planned ? planned : deps.monday.subitemBatchSizeNow();
      setHeartbeatDetails({ batchSize });
      // Read Monday's subitems first only when staging may be behind it: a retry, sizes to create (an earlier pass
      // may have made them), or a subitem whose state on Monday is not known (verify --repair found it drifted: archived
      // by hand, say, where an update by id would land unseen). Quantity changes of subitems staging knows go without a
      // read; one Monday no longer knows (deleted by hand) makes the call read and plan again.
      const toCreate = staged.subitems.some((s) => sizes.has(s.size) && s.subitemId === null && s.qty > 0);
      const unknownOnMonday = staged.subitems.some((s) => sizes.has(s.size) && s.subitemId !== null && (s.syncedQty ?? 0) < 0);
      const reconcile = attempt > 1 || (input.reconcile && (toCreate || unknownOnMonday));
      try {
        // Sizes such as `2` or `10` look like label ids: they are written by id whenever the label exists.
        let createLabelsIfMissing = false;
        const wanted: SubitemWrite['wanted'] = [];
        for (const s of staged.payload.subitems.filter((sub) => sizes.has(sub.size))) {
          const labels = await resolveBoardLabels(deps.monday, input.boards?.subitemsBoardId ?? mapping.subitems.boardId, s.columnValues, { mayCreate: () => mapping.subitems.createSizeLabels });
          createLabelsIfMissing ||= labels.createLabelsIfMissing;
          wanted.push({ ...s, columnValues: labels.columnValues });
        }
        const write = (read: boolean) => syncSubitems(deps.monday, {
          parentItemId: staged.itemId!, subitemsBoardId: input.boards?.subitemsBoardId ?? mapping.subitems.boardId, orderKey: staged.key,
          sizeColumnId: mapping.subitems.sizeColumnId, qtyColumnId: mapping.subitems.qtyColumnId,
          wanted, known, createLabelsIfMissing,
          staged: staged.subitems.flatMap((s) => (s.subitemId ? [{ size: s.size, subitemId: s.subitemId }] : [])),
          reconcile: read, removedSizes: deps.removedSizes, payloadHash: writeRevision(staged, input.boards),
          // A retry resends, unchanged, any batch the failed attempt may have left running on Monday.
          retry: attempt > 1,
          scope: input.sizes, batchSize,
        });
        let result = await write(reconcile);
        if (!reconcile && result.failures.some((f) => UNKNOWN_SUBITEM_CODES.has(f.error.code))) result = await write(true);
        // Sizes that left the order are zeroed or archived on Monday: record them at quantity 0.
        const failedSizes = new Set(result.failures.map((f) => f.size));
        const wantedSizes = new Set(wanted.map((s) => s.size));
        const removed = known.filter((k) => !wantedSizes.has(k.size) && !failedSizes.has(k.size)).map((k) => ({ size: k.size, subitemId: k.subitemId, qty: 0 }));
        await audit.subitems(staged, known, result.subitems, removed, deps.removedSizes, result);
        await store.setSubitemIds(input.key, [...result.subitems, ...removed]);
        if (result.failures.length > 0) {
          for (const f of result.failures) {
            await store.recordError({ scope: 'subitem', orderKey: staged.key, size: f.size, category: 'REJECTED', errorType: f.error.code, message: f.error.message, httpStatus: f.error.httpStatus });
          }
          const first = result.failures[0]!;
          throw ApplicationFailure.create({
            message: `order ${staged.key}: Monday rejected ${result.failures.length} subitem(s), first size ${first.size}: ${first.error.message}`,
            type: first.error.code, nonRetryable: true, details: [{ category: 'REJECTED', httpStatus: first.error.httpStatus }],
          });
        }
        return { created: result.created, updated: result.updated, removed: result.removed };
      } catch (err) {
        if (err instanceof ApplicationFailure) throw err;
        if (err instanceof LabelNotOnBoardError) throw labelFailure(staged.key, err);
        // A retryable error may carry what the batch did before it failed: keep those ids before retrying.
        if (err instanceof MondayApiError && err.partialSubitems?.length) {
          await audit.subitems(staged, known, err.partialSubitems, [], deps.removedSizes, { createdIds: err.partialCreated ?? [], updatedFrom: {} });
          await store.setSubitemIds(input.key, err.partialSubitems);
        }
        throw toActivityFailure(err, { orderKey: staged.key, step: 'subitems' });
      }
    })),

    async markOrderSynced(input: { key: string; hash: string; batchId: string | null; pass?: number; subitems: number }): Promise<void> {
      await store.markSynced(input.key, input.hash);
      await control.release(input.key);   // its admission slot (db/dispatch-control.ts)
      if (Context.current().info.attempt === 1) metricMeter.createCounter('orders_sync_orders_synced', 'orders', 'order lines synced').add(1);
      if (input.batchId) await store.recordOrderOutcome({ batchId: input.batchId, key: input.key, pass: input.pass ?? 1, outcome: 'SYNCED', subitems: input.subitems });
    },

    /** Counts an outcome in a sync that dispatched the order while it was already running for an earlier one. */
    async recordOrderOutcome(input: { key: string; batchId: string | null; pass: number; outcome: 'SYNCED' | 'FAILED'; subitems: number }): Promise<void> {
      if (input.batchId) await store.recordOrderOutcome({ ...input, batchId: input.batchId });
    },

    async recordOrderFailure(input: { key: string; batchId: string | null; pass?: number; failure: FailureInfo }): Promise<void> {
      const f = input.failure;
      await store.recordError({ scope: 'item', orderKey: input.key, category: f.category, errorType: f.type, message: f.message, httpStatus: f.httpStatus, batchId: input.batchId });
      // A line that never staged (rejected by the mapping, a duplicate key) has no staging row to mark: the error row
      // is its record. Marking it anyway failed with "No staged order", retried every 30 s for the database window.
      if (await store.getStagedOrder(input.key)) await store.setOrderStatus(input.key, 'FAILED', { error: f.message });
      await control.release(input.key);   // it waits for a fix or retries by itself, outside the in-flight count
      if (Context.current().info.attempt === 1) metricMeter.createCounter('orders_sync_orders_failed', 'orders', 'order lines failed').add(1, { category: f.category });
      if (input.batchId) await store.recordOrderOutcome({ batchId: input.batchId, key: input.key, pass: input.pass ?? 1, outcome: 'FAILED', subitems: 0 });
    },
  };
}

export type OrderActivities = ReturnType<typeof createActivities>;

/** The source rows of one order line: candidates by the first key part (compared coarser than the mapping does), then
 * the exact key as the mapping computes it. From the batch's snapshot when `snapshotOf` names one, else live. */
/** A label the board lacks in a column that may not create labels: bad data, rejected before anything is sent. */
function labelFailure(orderKey: string, err: LabelNotOnBoardError): ApplicationFailure {
  return ApplicationFailure.create({
    message: `order ${orderKey}: ${err.message}`, type: 'LABEL_NOT_ON_BOARD', nonRetryable: true,
    details: [{ category: 'DATA', httpStatus: null }],
  });
}

/**
 * What the Idempotency-Keys of an order's writes derive from: the payload and the staging attempt.
 * Retries of one attempt reuse their keys (Monday replays the first answer instead of writing twice);
 * a rerun after a fix gets fresh keys, or Monday would replay the old rejection for 30 minutes. A rerun
 * never duplicates: it looks the item up by its key column and reconciles subitems first.
 * A write to other boards (an acceptance run's scratch copy) is another write: without the board in the key,
 * a second run within 30 minutes would be answered with the first run's ids.
 */
function writeRevision(staged: StagedOrder, boards?: TargetBoards): string {
  return `${staged.payload.hash}:${staged.attempts}${boards ? `:${boards.itemsBoardId}` : ''}`;
}

/** Codes Monday answers for a subitem id it no longer knows (deleted by hand). */
const UNKNOWN_SUBITEM_CODES = new Set(['InvalidItemIdException', 'ResourceNotFoundException', 'ItemNotFound']);

/** What the running activity heartbeats (and the next attempt reads as heartbeatDetails). */
const heartbeatDetails = new AsyncLocalStorage<{ value: unknown }>();
function setHeartbeatDetails(value: unknown): void {
  const slot = heartbeatDetails.getStore();
  if (slot) slot.value = value;
  Context.current().heartbeat(value);
}

/** Heartbeats while a long activity (a Monday call and its budget wait, a page of detection) runs, so a
 * killed worker is noticed within the heartbeat timeout instead of the much longer start-to-close timeout. */
function heartbeating<A, R>(fn: (input: A) => Promise<R>): (input: A) => Promise<R> {
  return async (input) => {
    const ctx = Context.current();
    // The last attempt's details are kept until this one sets its own (a retry of a retry still knows them).
    const slot = { value: ctx.info.heartbeatDetails };
    const timer = setInterval(() => ctx.heartbeat(slot.value), HEARTBEAT_EVERY_MS);
    try {
      // Cancellation (a worker shutting down, say) ends the attempt at once, even mid budget wait, and aborts
      // its Monday request; the retry on another worker finds whatever this attempt did on Monday (idempotency
      // keys, lookups).
      return await Promise.race([heartbeatDetails.run(slot, () => withAbortSignal(ctx.cancellationSignal, () => fn(input))), ctx.cancelled]);
    } finally {
      clearInterval(timer);
    }
  };
}
const HEARTBEAT_EVERY_MS = 2_000;

async function inChunks<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}
