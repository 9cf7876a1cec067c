// The one interface the pipeline uses for SQL: SQLite (embedded default) and SQL Server implement it alike.
import type { OrderPayload, OrderStatus, ErrorCategory, SourceRow } from '../shared/order';
import type { DetectionCounters, OrderOutcome } from './batch-outcomes';
import type { BatchEndStatus } from './batch-end';

export interface SourcePage { rows: SourceRow[]; nextCursor: string | null }
export interface SyncState { key: string; status: OrderStatus; stagedHash: string; syncedHash: string | null; itemId: string | null }
export interface StagedSubitem { size: string; qty: number; subitemId: string | null; syncedQty: number | null }
export interface StagedOrder {
  key: string; status: OrderStatus; payload: OrderPayload; itemId: string | null; attempts: number; syncedHash: string | null; subitems: StagedSubitem[];
  /** The batch that last staged it (stg_batch_id; 'rerun' outside a sync); absent from stores of earlier releases. */
  batchId?: string | null;
}
export interface ErrorRecord {
  scope: 'item' | 'subitem';              // which ERR_ table
  orderKey: string; size?: string;        // size for subitem errors
  category: ErrorCategory; errorType: string;  // errorType e.g. MAPPING_ERROR, DUPLICATE_ORDER_KEY, ColumnValueException
  message: string; httpStatus?: number | null; payload?: unknown; retryCount?: number; batchId?: string | null;
  // filled when read back:
  id?: number; createdAt?: string; resolvedAt?: string | null;
}
/**
 * MON_BatchProcessing's counters (what each means: docs/RUNBOOK.md §5). Detection figures (total … rejected) are set
 * once from the sync's totals; synced/failed are recounted from the order lines' outcomes (db/batch-outcomes.ts);
 * items/subitems created, updated, removed count the batch's audited Monday writes (one per Monday id and action,
 * so retries count once); apiCalls counts the Monday requests of its order lines' item and subitem steps.
 */
export interface BatchCounters {
  total?: number; newOrders?: number; changed?: number; unchanged?: number; failed?: number; rejected?: number; synced?: number;
  /** Items the batch created on Monday (items_created). */
  items?: number;
  /** Subitems the batch created on Monday (subitems_created). */
  subitems?: number;
  apiCalls?: number; itemsUpdated?: number; subitemsUpdated?: number; subitemsRemoved?: number;
}
export type BatchPhase = 'staging_loaded' | 'items_created' | 'subitems_created';
/** ABANDONED: the sync ran out of its deadline or was cancelled before it dispatched everything (db/dispatch-control.ts). */
export type BatchStatus = 'STARTED' | 'STAGING_LOADED' | 'COMPLETED' | 'COMPLETED_WITH_ERRORS' | 'FAILED' | 'NO_RECORDS' | 'ABANDONED';

/** One MON_BatchProcessing row as read back (addition to the brief's interface: used by status and tests). */
export interface BatchRecord {
  batchId: string; batchType: string; customer: string | null; status: BatchStatus;
  counters: Required<BatchCounters>;
  startTime: string; endTime: string | null; durationSeconds: number | null;
  phases: Record<BatchPhase, string | null>;
  configSnapshot: unknown;
}

/** What `doctor` reports about the database beyond reachability. */
export interface DatabaseInfo {
  ownTables: string;              // where this project's tables live, e.g. "orders_sync.*"
  legacyTables: string[];         // the current system's tables of the same names (SQL Server dbo), left untouched
  sourceColumns: string[];        // the source's columns as the catalog has them (real names)
  sourceName: string;             // the source read (MSSQL_SOURCE, or the SQLite table)
}
/** One item or subitem as `board adopt` read it (MON_AdoptionBoardRead). */
export interface BoardReadRow {
  itemId: string;
  /** Null for an item; the parent item's id for a subitem. */
  parentItemId: string | null;
  name: string;
  createdAt: string | null;
  groupId: string | null;
  groupTitle: string | null;
  /** Column id → displayed text, only the columns adoption reads. */
  values: Record<string, string | null>;
}
/** One `board adopt` run (MON_AdoptionRun). status: READING → PLANNED (dry run) → APPLIED; EMPTY for an empty board. */
export interface AdoptionRun { runId: string; boardId: string; status: 'READING' | 'PLANNED' | 'APPLIED' | 'EMPTY'; report: unknown; startedAt: string; finishedAt: string | null }
/** One archived Monday item or subitem (MON_AdoptionArchive): restorable from the board's archive. */
export interface ArchiveRecord { runId: string; boardId: string; itemId: string; parentItemId: string | null; orderKey: string | null; reason: string; archivedAt: string }

export interface Store {
  readonly dialect: 'sqlite' | 'mssql';
  migrate(): Promise<void>;                 // idempotent
  close(): Promise<void>;
  ping(): Promise<void>;                    // throws if unreachable (doctor, chaos tests)
  inspect(): Promise<DatabaseInfo>;         // doctor
  /** The same store whose running requests are cancelled when `signal` aborts (an activity's cancellation). */
  withSignal(signal: AbortSignal): Store;
  // ORDERS_UNIFIED
  insertSourceRows(rows: SourceRow[]): Promise<void>;   // embedded DB, demo data and tests
  updateSourceRows(where: Record<string, string>, set: SourceRow): Promise<number>;  // tests/demo: fix or change rows
  deleteSourceRows(where: Record<string, string>): Promise<number>;  // tests/demo: an order line leaves the source
  /**
   * Copies the batch's source rows (ORDERS_UNIFIED, PO-filtered for a targeted sync) into its snapshot, once: a repeat
   * call (an activity retry) finds it and copies nothing. Returns the snapshot's row count.
   */
  snapshotSource(batchId: string, filter?: { po?: string }): Promise<number>;
  /** Removes the snapshots of batches that have ended, and any taken more than `keepDays` ago, each whole (db/batch-end.ts). */
  pruneSnapshots(keepDays: number): Promise<number>;
  /** Whole key groups per page; `snapshotOf` pages the batch's snapshot (the live source when the batch has none). */
  readSourcePage(cursor: string | null, limit: number, filter?: { po?: string; customerNames?: string[]; snapshotOf?: string }): Promise<SourcePage>;
  /** Every row whose key parts equal these values as key parts (db/common.ts sourceKeyPart: a superset of the rows
   * with that mapped key; callers keep those whose mapped key matches); from the batch's snapshot when `snapshotOf`
   * names one that exists, else from the live source. */
  readSourceRowsByKey(keyColumns: string[], keyValues: string[], snapshotOf?: string | null): Promise<SourceRow[]>;
  countSourceRows(): Promise<number>;       // addition: seeding and doctor
  // staging
  getSyncStates(keys: string[]): Promise<Map<string, SyncState>>;
  stageOrders(batchId: string, payloads: OrderPayload[]): Promise<void>;  // bulk upsert; keeps Monday ids; a changed hash (or FAILED row) goes back to PENDING; removed sizes stay with qty 0 so they can be zeroed/archived on Monday
  getStagedOrder(key: string): Promise<StagedOrder | null>;
  setOrderStatus(key: string, status: OrderStatus, fields?: { itemId?: string; error?: string }): Promise<void>;  // IN_PROGRESS increments attempts
  setSubitemIds(key: string, rows: { size: string; subitemId: string; qty: number }[]): Promise<void>;  // records what Monday now holds
  markSynced(key: string, hash: string): Promise<void>;   // SYNCED, syncedHash = hash, processed time; its open errors resolved
  /** Its source row is gone (read live): FAILED with this message, and a staged hash no payload has, so the row is new to
   * detection when it comes back (not sticky). Its Monday ids are kept: the item is updated, not made again. */
  markSourceGone(key: string, message: string): Promise<void>;
  // errors, batches, status
  recordError(e: ErrorRecord): Promise<void>;
  listErrors(filter?: { orderKey?: string; unresolvedOnly?: boolean; limit?: number }): Promise<ErrorRecord[]>;
  startBatch(batch: { batchId: string; batchType: string; customer?: string | null; configSnapshot?: unknown }): Promise<void>;  // a second call for the same batch is a no-op (activity retry)
  updateBatch(batchId: string, counters: BatchCounters, phase?: BatchPhase): Promise<void>;  // counters add up
  /** An order line's latest outcome in a batch (idempotent per pass); synced/failed/items/subitems are recomputed from these.
   * The outcome that completes a dispatched batch ends it and removes its snapshot (finishDispatch). */
  recordOrderOutcome(o: { batchId: string; key: string; pass: number; outcome: OrderOutcome; subitems: number }): Promise<void>;
  /** Sets (not adds) the detection counters from the sync's totals. */
  setDetectionCounters(batchId: string, counters: DetectionCounters): Promise<void>;
  finishBatch(batchId: string, status: 'COMPLETED' | 'COMPLETED_WITH_ERRORS' | 'FAILED' | 'NO_RECORDS'): Promise<void>;
  /** The sync dispatched `dispatched` order lines: the batch ends with `status` when they all have an outcome (now, if
   * they already have), and its snapshot goes with the end (db/batch-end.ts). Idempotent. */
  finishDispatch(batchId: string, dispatched: number, status: BatchEndStatus): Promise<void>;
  getBatch(batchId: string): Promise<BatchRecord | null>;  // addition
  statusCounts(): Promise<Record<OrderStatus, number>>;
  countUnfinished(keys?: string[]): Promise<number>;   // staged orders not SYNCED and not FAILED
  // board adoption (orders-sync board adopt)
  saveAdoptionRun(run: { runId: string; boardId: string; status: AdoptionRun['status']; report?: unknown }): Promise<void>;  // upsert; report kept unless given
  getAdoptionRun(runId: string): Promise<AdoptionRun | null>;
  isBoardAdopted(boardId: string): Promise<boolean>;     // an APPLIED or EMPTY run exists
  saveBoardRead(runId: string, rows: BoardReadRow[]): Promise<void>;   // upsert by (run, item id): a re-read page writes nothing twice
  readBoardSnapshot(runId: string): Promise<BoardReadRow[]>;
  recordArchive(a: Omit<ArchiveRecord, 'archivedAt'>): Promise<boolean>;   // false when that item was already recorded
  listArchives(filter?: { runId?: string }): Promise<ArchiveRecord[]>;
  // hand edits on the board
  rememberedGroup(boardId: string, title: string): Promise<string | null>;   // MON_BoardGroups: the group id a title resolved to
  rememberGroup(boardId: string, title: string, groupId: string): Promise<void>;
  clearSubitemIds(key: string): Promise<void>;   // the order's item is gone: its sizes are unsynced again (qty 0 rows dropped)
}

/**
 * The store as activities use it: each call runs with the cancellation signal of the activity it is made from
 * (`signalOf` returns it, or undefined outside an activity), so a cancelled activity stops its SQL requests too.
 */
export function scopedStore(store: Store, signalOf: () => AbortSignal | undefined): Store {
  return new Proxy(store, {
    get(target, prop) {
      const signal = signalOf();
      const scoped = signal ? target.withSignal(signal) : target;
      const value: unknown = Reflect.get(scoped, prop);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(scoped) : value;
    },
  });
}
