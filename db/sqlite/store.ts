// The embedded default: better-sqlite3, one file, WAL. Every bulk call is one transaction over prepared statements.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { OrderPayload, OrderStatus, SourceRow } from '../../shared/order';
import { MAX_ORDER_KEY_LENGTH } from '../../shared/order';
import type { AdoptionRun, ArchiveRecord, BatchCounters, BatchPhase, BatchRecord, BoardReadRow, DatabaseInfo, ErrorRecord, SourcePage, StagedOrder, Store, SyncState } from '../store';
import { SQLITE_MIGRATIONS } from './migrations';
import type { DetectionCounters, OrderOutcome } from '../batch-outcomes';
import { SQLITE_BATCH_END_SQL, SQLITE_OUTCOME_SQL, SQLITE_SET_DETECTION_SQL, sqliteRetentionSql } from './batch-sql';
import {
  BATCH_COUNTER_COLUMNS, BATCH_PHASE_COLUMNS, UNFINISHED_STATUSES, chunk, emptyStatusCounts, ERROR_MESSAGE_MAX, errorPayloadJson, lastPerKey, shortText, str, toBatchRecord, toErrorRecord, toJson, toStagedOrder, type Row,
} from '../common';
import { toAdoptionRun, toArchiveRecord, toBoardReadRow } from '../adoption-rows';
import { DEFAULT_COLLAPSE_RULE, DEFAULT_SOURCE_SPEC, type CollapseRule, type SourceSpec } from '../source';
import { SqliteSource, q } from './source-reader';
import { DEFAULT_RETENTION_DAYS } from '../retention';
import type { BatchEndStatus } from '../batch-end';
import { DROP_REMOVED_SIZES_SQL, UPSERT_ORDER_SQL, UPSERT_SIZE_SQL, ZERO_REMOVED_SIZES_SQL } from './staging-sql';

const now = (): string => new Date().toISOString();

export class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  readonly db: Database.Database;
  private readonly source: SqliteSource;
  private readonly retentionDays: number;
  private retainedAt = 0;

  /** `source`: the table read (the embedded ORDERS_UNIFIED), the mapping's columns, the collapsed-snapshot rule. */
  constructor(file: string, source: { table?: string; spec?: SourceSpec; collapse?: CollapseRule; retentionDays?: number } = {}) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 10000');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('synchronous = NORMAL');
    this.retentionDays = source.retentionDays ?? DEFAULT_RETENTION_DAYS;
    this.source = new SqliteSource(this.db, { table: source.table ?? 'ORDERS_UNIFIED', spec: source.spec ?? DEFAULT_SOURCE_SPEC, collapse: source.collapse ?? DEFAULT_COLLAPSE_RULE });
  }

  async migrate(): Promise<void> {
    this.db.exec('CREATE TABLE IF NOT EXISTS MON_SchemaMigrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    const applied = new Set(this.db.prepare('SELECT version FROM MON_SchemaMigrations').pluck().all() as string[]);
    for (const m of SQLITE_MIGRATIONS) {
      if (applied.has(m.version)) continue;
      this.db.transaction(() => {
        for (const s of m.statements) this.db.exec(s);
        this.db.prepare('INSERT OR IGNORE INTO MON_SchemaMigrations (version, applied_at) VALUES (?, ?)').run(m.version, now());
      }).immediate();
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async inspect(): Promise<DatabaseInfo> {
    return { ownTables: 'main', legacyTables: [], sourceColumns: this.source.catalog().map((c) => c.name), sourceName: this.source.name };
  }

  /** SQLite calls are synchronous and short: there is no running request to cancel. */
  withSignal(): Store {
    return this;
  }

  // ---- ORDERS_UNIFIED ----

  async insertSourceRows(rows: SourceRow[]): Promise<void> {
    // Every column of the table (the demo's record_uuid too), not only those the mapping reads.
    const columns = this.source.catalog().map((c) => c.name);
    const known = new Set(columns);
    for (const row of rows) for (const name of Object.keys(row)) if (!known.has(name)) throw new Error(`Unknown source column: ${JSON.stringify(name)}`);
    const insert = this.db.prepare(`INSERT INTO ${q(this.source.name)} (${columns.map(q).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    this.db.transaction(() => {
      for (const row of rows) insert.run(columns.map((c) => (c === 'record_uuid' ? (row[c] ?? randomUUID()) : (row[c] ?? null))));
    })();
  }

  async updateSourceRows(where: Record<string, string>, set: SourceRow): Promise<number> {
    const known = new Set(this.source.catalog().map((c) => c.name));
    const whereCols = Object.keys(where);
    const setCols = Object.keys(set);
    for (const c of [...whereCols, ...setCols]) if (!known.has(c)) throw new Error(`Unknown source column: ${JSON.stringify(c)}`);
    if (whereCols.length === 0 || setCols.length === 0) throw new Error('updateSourceRows needs at least one where and one set column');
    const sql = `UPDATE ${q(this.source.name)} SET ${setCols.map((c) => `${q(c)} = ?`).join(', ')} WHERE ${whereCols.map((c) => `${q(c)} = ?`).join(' AND ')}`;
    return this.db.prepare(sql).run(...setCols.map((c) => set[c] ?? null), ...whereCols.map((c) => where[c])).changes;
  }

  async deleteSourceRows(where: Record<string, string>): Promise<number> {
    const known = new Set(this.source.catalog().map((c) => c.name));
    const whereCols = Object.keys(where);
    for (const c of whereCols) if (!known.has(c)) throw new Error(`Unknown source column: ${JSON.stringify(c)}`);
    if (whereCols.length === 0) throw new Error('deleteSourceRows needs at least one where column');
    return this.db.prepare(`DELETE FROM ${q(this.source.name)} WHERE ${whereCols.map((c) => `${q(c)} = ?`).join(' AND ')}`).run(...whereCols.map((c) => where[c])).changes;
  }

  async snapshotSource(batchId: string, filter?: { po?: string }): Promise<number> {
    const rows = this.source.snapshot(batchId, filter);
    // RETENTION_DAYS (db/retention.ts), at most once an hour.
    if (this.retentionDays > 0 && Date.now() - this.retainedAt >= 60 * 60_000) {
      this.retainedAt = Date.now();
      const cutoff = new Date(Date.now() - this.retentionDays * 86_400_000).toISOString();
      this.db.transaction(() => { for (const statement of sqliteRetentionSql()) this.db.prepare(statement).run({ cutoff }); })();
    }
    return rows;
  }

  async pruneSnapshots(keepDays: number): Promise<number> {
    const cutoff = new Date(Date.now() - keepDays * 86_400_000).toISOString();
    return this.db.transaction(() => this.runAll(SQLITE_BATCH_END_SQL.pruneStale, { cutoff })).immediate();
  }

  async readSourcePage(cursor: string | null, limit: number, filter?: { po?: string; customerNames?: string[]; snapshotOf?: string }): Promise<SourcePage> {
    return this.source.page(cursor, limit, filter);
  }

  async readSourceRowsByKey(keyColumns: string[], keyValues: string[], snapshotOf?: string | null): Promise<SourceRow[]> {
    return this.source.byKey(keyColumns, keyValues, snapshotOf);
  }

  async countSourceRows(): Promise<number> {
    return this.db.prepare(`SELECT COUNT(*) FROM ${q(this.source.name)}`).pluck().get() as number;
  }

  // ---- staging ----

  async getSyncStates(keys: string[]): Promise<Map<string, SyncState>> {
    const out = new Map<string, SyncState>();
    const stmt = this.db.prepare(`SELECT order_key, stg_status, stg_payload_hash, stg_synced_hash, stg_monday_item_id
      FROM STG_MON_CustMasterSchedule WHERE order_key IN (SELECT value FROM json_each(?))`);
    for (const part of chunk([...new Set(keys)], 5000)) {
      for (const r of stmt.all(JSON.stringify(part)) as Row[]) {
        out.set(String(r.order_key), {
          key: String(r.order_key), status: r.stg_status as OrderStatus, stagedHash: String(r.stg_payload_hash),
          syncedHash: str(r.stg_synced_hash), itemId: str(r.stg_monday_item_id),
        });
      }
    }
    return out;
  }

  async stageOrders(batchId: string, payloads: OrderPayload[]): Promise<void> {
    const upsertOrder = this.db.prepare(UPSERT_ORDER_SQL).pluck();
    const upsertSize = this.db.prepare(UPSERT_SIZE_SQL);
    const dropRemoved = this.db.prepare(DROP_REMOVED_SIZES_SQL);
    const zeroRemoved = this.db.prepare(ZERO_REMOVED_SIZES_SQL);
    const ts = now();
    this.db.transaction(() => {
      for (const p of lastPerKey(payloads)) {
        const parent = upsertOrder.get({
          key: p.key, batchId, title: p.itemName, group: p.groupName, customer: p.customer, aag: p.aagOrderNumber,
          po: p.poNumber, hash: p.hash, payload: JSON.stringify(p), now: ts,
        }) as number;
        for (const s of p.subitems) {
          upsertSize.run({ parent, batchId, size: s.size, label: s.name, qty: s.qty, payload: JSON.stringify(s), now: ts });
        }
        const sizes = JSON.stringify(p.subitems.map((s) => s.size));
        dropRemoved.run(parent, sizes);
        zeroRemoved.run(ts, parent, sizes);
      }
    }).immediate();
  }

  async getStagedOrder(key: string): Promise<StagedOrder | null> {
    const r = this.db.prepare('SELECT * FROM STG_MON_CustMasterSchedule WHERE order_key = ?').get(key) as Row | undefined;
    if (!r) return null;
    const subs = this.db.prepare(`SELECT "Size", "ORDER_QTY", stg_monday_subitem_id, stg_synced_qty
      FROM STG_MON_CustMasterSchedule_Subitems WHERE stg_parent_stg_id = ? ORDER BY stg_id`).all(r.stg_id) as Row[];
    return toStagedOrder(key, r, subs);
  }

  async setOrderStatus(key: string, status: OrderStatus, fields?: { itemId?: string; error?: string }): Promise<void> {
    const ts = now();
    this.db.transaction(() => {
      const changed = this.db.prepare(`UPDATE STG_MON_CustMasterSchedule SET stg_status = @status,
          stg_retry_count = stg_retry_count + CASE WHEN @status = 'IN_PROGRESS' THEN 1 ELSE 0 END,
          stg_monday_item_id = COALESCE(@itemId, stg_monday_item_id),
          stg_error_message = CASE WHEN @error IS NOT NULL THEN @error WHEN @status = 'FAILED' THEN stg_error_message ELSE NULL END,
          stg_updated_date = @now
        WHERE order_key = @key`).run({ status, itemId: fields?.itemId ?? null, error: fields?.error ?? null, now: ts, key }).changes;
      if (changed === 0) throw new Error(`No staged order for key ${JSON.stringify(key)}`);
      if (fields?.itemId !== undefined) {
        this.db.prepare(`UPDATE STG_MON_CustMasterSchedule_Subitems SET stg_monday_parent_item_id = ?
          WHERE stg_parent_stg_id = (SELECT stg_id FROM STG_MON_CustMasterSchedule WHERE order_key = ?)`).run(fields.itemId, key);
      }
    })();
  }

  async setSubitemIds(key: string, rows: { size: string; subitemId: string; qty: number }[]): Promise<void> {
    const parent = this.db.prepare('SELECT stg_id, stg_monday_item_id FROM STG_MON_CustMasterSchedule WHERE order_key = ?').get(key) as Row | undefined;
    if (!parent) throw new Error(`No staged order for key ${JSON.stringify(key)}`);
    const ts = now();
    const upsert = this.db.prepare(`INSERT INTO STG_MON_CustMasterSchedule_Subitems
        (stg_parent_stg_id, "Size", "ORDER_QTY", stg_status, stg_monday_subitem_id, stg_monday_parent_item_id, stg_synced_qty, stg_created_date, stg_updated_date)
        VALUES (@parent, @size, @qty, 'SYNCED', @subitemId, @itemId, @qty, @now, @now)
      ON CONFLICT (stg_parent_stg_id, "Size") DO UPDATE SET stg_monday_subitem_id = excluded.stg_monday_subitem_id,
        stg_monday_parent_item_id = excluded.stg_monday_parent_item_id, stg_synced_qty = excluded.stg_synced_qty,
        stg_status = CASE WHEN "ORDER_QTY" = excluded.stg_synced_qty THEN 'SYNCED' ELSE 'PENDING' END, stg_updated_date = excluded.stg_updated_date`);
    this.db.transaction(() => {
      for (const r of rows) upsert.run({ parent: parent.stg_id, size: r.size, qty: r.qty, subitemId: r.subitemId, itemId: parent.stg_monday_item_id ?? null, now: ts });
    })();
  }

  async markSynced(key: string, hash: string): Promise<void> {
    const ts = now();
    this.db.transaction(() => {
      const changed = this.db.prepare(`UPDATE STG_MON_CustMasterSchedule SET stg_status = 'SYNCED', stg_synced_hash = ?,
        stg_processed_date = ?, stg_updated_date = ?, stg_error_message = NULL WHERE order_key = ?`).run(hash, ts, ts, key).changes;
      if (changed === 0) throw new Error(`No staged order for key ${JSON.stringify(key)}`);
      for (const t of ['ERR_MON_CustMasterSchedule', 'ERR_MON_CustMasterSchedule_Subitems']) {
        this.db.prepare(`UPDATE ${t} SET resolved_date = ? WHERE order_key = ? AND resolved_date IS NULL`).run(ts, key);
      }
    })();
  }

  async markSourceGone(key: string, message: string): Promise<void> {
    this.db.prepare(`UPDATE STG_MON_CustMasterSchedule SET stg_status = 'FAILED', stg_error_message = ?, stg_payload_hash = '', stg_updated_date = ?
      WHERE order_key = ?`).run(message, now(), key);
  }

  // ---- errors, batches, status ----

  async recordError(e: ErrorRecord): Promise<void> {
    const table = e.scope === 'subitem' ? 'ERR_MON_CustMasterSchedule_Subitems' : 'ERR_MON_CustMasterSchedule';
    const sizeCond = e.scope === 'subitem' ? ' AND COALESCE(size_label, \'\') = COALESCE(@size, \'\')' : '';
    const ts = now();
    const p = {
      // Long keys and messages (a rejected 10 MB key part) are shortened as on SQL Server: the error names the row.
      batchId: e.batchId ?? null, key: shortText(e.orderKey, MAX_ORDER_KEY_LENGTH), size: e.size ?? null, category: e.category, errorType: e.errorType,
      message: shortText(e.message, ERROR_MESSAGE_MAX), http: e.httpStatus ?? null, payload: errorPayloadJson(e.payload), retry: e.retryCount ?? 0, now: ts,
    };
    this.db.transaction(() => {
      // The same open error seen again (e.g. the bad row on every run) updates its row instead of piling up copies.
      const again = this.db.prepare(`UPDATE ${table} SET batch_id = @batchId, http_status_code = @http, api_payload = @payload,
          retry_count = @retry, last_retry_date = @now
        WHERE order_key = @key AND error_type = @errorType AND error_message = @message AND category = @category
          AND resolved_date IS NULL${sizeCond}`).run(p).changes;
      if (again > 0) return;
      const cols = e.scope === 'subitem' ? ', size_label' : '';
      const vals = e.scope === 'subitem' ? ', @size' : '';
      this.db.prepare(`INSERT INTO ${table} (batch_id, order_key${cols}, category, error_type, error_message, http_status_code, api_payload, retry_count, created_date)
        VALUES (@batchId, @key${vals}, @category, @errorType, @message, @http, @payload, @retry, @now)`).run(p);
    })();
  }

  async listErrors(filter?: { orderKey?: string; unresolvedOnly?: boolean; limit?: number }): Promise<ErrorRecord[]> {
    const conds = ['1 = 1'];
    if (filter?.orderKey !== undefined) conds.push('order_key = @key');
    if (filter?.unresolvedOnly) conds.push('resolved_date IS NULL');
    const where = conds.join(' AND ');
    const cols = 'err_id, batch_id, order_key, category, error_type, error_message, http_status_code, api_payload, retry_count, created_date, resolved_date';
    const rows = this.db.prepare(`SELECT * FROM (
        SELECT 'item' AS scope, NULL AS size_label, ${cols} FROM ERR_MON_CustMasterSchedule WHERE ${where}
        UNION ALL SELECT 'subitem' AS scope, size_label, ${cols} FROM ERR_MON_CustMasterSchedule_Subitems WHERE ${where})
      ORDER BY created_date DESC, err_id DESC LIMIT @limit`).all({ key: filter?.orderKey ?? null, limit: filter?.limit ?? -1 }) as Row[];
    return rows.map(toErrorRecord);
  }

  async startBatch(batch: { batchId: string; batchType: string; customer?: string | null; configSnapshot?: unknown }): Promise<void> {
    this.db.prepare(`INSERT INTO MON_BatchProcessing (batch_id, customer_name, batch_type, status, start_time, config_snapshot)
      VALUES (?, ?, ?, 'STARTED', ?, ?) ON CONFLICT (batch_id) DO NOTHING`).run(batch.batchId, batch.customer ?? null, batch.batchType, now(), toJson(batch.configSnapshot));
  }

  async updateBatch(batchId: string, counters: BatchCounters, phase?: BatchPhase): Promise<void> {
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [field, column] of Object.entries(BATCH_COUNTER_COLUMNS)) {
      const n = counters[field as keyof BatchCounters];
      if (n) { sets.push(`${column} = ${column} + ?`); params.push(n); }
    }
    if (phase) {
      sets.push(`${BATCH_PHASE_COLUMNS[phase]} = COALESCE(${BATCH_PHASE_COLUMNS[phase]}, ?)`);
      params.push(now());
      if (phase === 'staging_loaded') sets.push(`status = CASE WHEN status = 'STARTED' THEN 'STAGING_LOADED' ELSE status END`);
    }
    if (sets.length === 0) return;
    const changed = this.db.prepare(`UPDATE MON_BatchProcessing SET ${sets.join(', ')} WHERE batch_id = ?`).run(...params, batchId).changes;
    if (changed === 0) throw new Error(`No batch ${JSON.stringify(batchId)}`);
  }

  async recordOrderOutcome(o: { batchId: string; key: string; pass: number; outcome: OrderOutcome; subitems: number }): Promise<void> {
    const upsert = this.db.prepare(SQLITE_OUTCOME_SQL.upsert);
    const recount = this.db.prepare(SQLITE_OUTCOME_SQL.recount);
    this.db.transaction(() => {
      upsert.run({ batchId: o.batchId, key: o.key, outcome: o.outcome, pass: o.pass, subitems: o.subitems, now: now() });
      if (recount.run({ batchId: o.batchId }).changes === 0) throw new Error(`No batch ${JSON.stringify(o.batchId)}`);
      this.endBatchWhenDone(o.batchId);
    }).immediate();
  }

  async finishDispatch(batchId: string, dispatched: number, status: BatchEndStatus): Promise<void> {
    this.db.transaction(() => {
      if (!this.db.prepare('SELECT 1 FROM MON_BatchProcessing WHERE batch_id = ?').get(batchId)) throw new Error(`No batch ${JSON.stringify(batchId)}`);
      this.db.prepare(SQLITE_BATCH_END_SQL.dispatch).run({ batchId, dispatched, status, now: now() });
      this.endBatchWhenDone(batchId);
    }).immediate();
  }

  /** Inside the caller's transaction: ends the batch if its orders all have an outcome, and removes its snapshot then. */
  private endBatchWhenDone(batchId: string): void {
    if (this.db.prepare(SQLITE_BATCH_END_SQL.endWhenDone).run({ batchId, now: now() }).changes === 0) return;
    this.runAll(SQLITE_BATCH_END_SQL.pruneOf, { batchId });
  }

  /** Statements of one unit (in the caller's transaction); answers the first one's changes. */
  private runAll(statements: readonly string[], params: Record<string, unknown>): number {
    return statements.map((statement) => this.db.prepare(statement).run(params).changes)[0] ?? 0;
  }

  async setDetectionCounters(batchId: string, counters: DetectionCounters): Promise<void> {
    if (this.db.prepare(SQLITE_SET_DETECTION_SQL).run({ batchId, ...counters }).changes === 0) throw new Error(`No batch ${JSON.stringify(batchId)}`);
  }

  async finishBatch(batchId: string, status: 'COMPLETED' | 'COMPLETED_WITH_ERRORS' | 'FAILED' | 'NO_RECORDS'): Promise<void> {
    const end = new Date();
    const row = this.db.prepare('SELECT start_time FROM MON_BatchProcessing WHERE batch_id = ?').get(batchId) as Row | undefined;
    if (!row) throw new Error(`No batch ${JSON.stringify(batchId)}`);
    const seconds = (end.getTime() - Date.parse(String(row.start_time))) / 1000;
    this.db.prepare('UPDATE MON_BatchProcessing SET status = ?, end_time = ?, duration_seconds = ? WHERE batch_id = ?')
      .run(status, end.toISOString(), seconds, batchId);
  }

  async getBatch(batchId: string): Promise<BatchRecord | null> {
    const r = this.db.prepare('SELECT * FROM MON_BatchProcessing WHERE batch_id = ?').get(batchId) as Row | undefined;
    return r ? toBatchRecord(r) : null;
  }

  async statusCounts(): Promise<Record<OrderStatus, number>> {
    const counts = emptyStatusCounts();
    for (const r of this.db.prepare('SELECT stg_status, COUNT(*) AS n FROM STG_MON_CustMasterSchedule GROUP BY stg_status').all() as Row[]) {
      counts[r.stg_status as OrderStatus] = Number(r.n);
    }
    return counts;
  }

  async countUnfinished(keys?: string[]): Promise<number> {
    const statuses = JSON.stringify(UNFINISHED_STATUSES);
    if (!keys) {
      return this.db.prepare('SELECT COUNT(*) FROM STG_MON_CustMasterSchedule WHERE stg_status IN (SELECT value FROM json_each(?))').pluck().get(statuses) as number;
    }
    const stmt = this.db.prepare(`SELECT COUNT(*) FROM STG_MON_CustMasterSchedule
      WHERE stg_status IN (SELECT value FROM json_each(?)) AND order_key IN (SELECT value FROM json_each(?))`).pluck();
    return chunk([...new Set(keys)], 5000).reduce((sum, part) => sum + (stmt.get(statuses, JSON.stringify(part)) as number), 0);
  }

  // ---- board adoption ----

  async saveAdoptionRun(run: { runId: string; boardId: string; status: AdoptionRun['status']; report?: unknown }): Promise<void> {
    const done = run.status === 'READING' ? null : now();
    this.db.prepare(`INSERT INTO MON_AdoptionRun (run_id, board_id, status, report, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, report = COALESCE(excluded.report, report), finished_at = excluded.finished_at`)
      .run(run.runId, run.boardId, run.status, run.report === undefined ? null : JSON.stringify(run.report), now(), done);
  }

  async getAdoptionRun(runId: string): Promise<AdoptionRun | null> {
    const r = this.db.prepare('SELECT * FROM MON_AdoptionRun WHERE run_id = ?').get(runId) as Row | undefined;
    return r ? toAdoptionRun(r) : null;
  }

  async isBoardAdopted(boardId: string): Promise<boolean> {
    return this.db.prepare(`SELECT 1 FROM MON_AdoptionRun WHERE board_id = ? AND status IN ('APPLIED', 'EMPTY') LIMIT 1`).get(boardId) !== undefined;
  }

  async saveBoardRead(runId: string, rows: BoardReadRow[]): Promise<void> {
    const upsert = this.db.prepare(`INSERT INTO MON_AdoptionBoardRead (run_id, item_id, parent_item_id, name, created_at, group_id, group_title, column_values)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, item_id) DO UPDATE SET parent_item_id = excluded.parent_item_id, name = excluded.name,
      created_at = excluded.created_at, group_id = excluded.group_id, group_title = excluded.group_title, column_values = excluded.column_values`);
    this.db.transaction(() => {
      for (const r of rows) upsert.run(runId, r.itemId, r.parentItemId, r.name, r.createdAt, r.groupId, r.groupTitle, JSON.stringify(r.values));
    })();
  }

  async readBoardSnapshot(runId: string): Promise<BoardReadRow[]> {
    const rows = this.db.prepare('SELECT * FROM MON_AdoptionBoardRead WHERE run_id = ? ORDER BY LENGTH(item_id), item_id').all(runId) as Row[];
    return rows.map(toBoardReadRow);
  }

  async recordArchive(a: Omit<ArchiveRecord, 'archivedAt'>): Promise<boolean> {
    return this.db.prepare(`INSERT OR IGNORE INTO MON_AdoptionArchive (run_id, board_id, item_id, parent_item_id, order_key, reason, archived_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)`).run(a.runId, a.boardId, a.itemId, a.parentItemId, a.orderKey, a.reason, now()).changes > 0;
  }

  async rememberedGroup(boardId: string, title: string): Promise<string | null> {
    return str(this.db.prepare('SELECT group_id FROM MON_BoardGroups WHERE board_id = ? AND group_title = ?').pluck().get(boardId, title));
  }

  async rememberGroup(boardId: string, title: string, groupId: string): Promise<void> {
    this.db.prepare(`INSERT INTO MON_BoardGroups (board_id, group_title, group_id, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (board_id, group_title) DO UPDATE SET group_id = excluded.group_id, updated_at = excluded.updated_at`).run(boardId, title, groupId, now());
  }

  async clearSubitemIds(key: string): Promise<void> {
    const parent = `(SELECT stg_id FROM STG_MON_CustMasterSchedule WHERE order_key = ?)`;
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM STG_MON_CustMasterSchedule_Subitems WHERE stg_parent_stg_id = ${parent} AND "ORDER_QTY" = 0`).run(key);
      this.db.prepare(`UPDATE STG_MON_CustMasterSchedule_Subitems SET stg_monday_subitem_id = NULL, stg_monday_parent_item_id = NULL,
        stg_synced_qty = NULL, stg_status = 'PENDING', stg_updated_date = ? WHERE stg_parent_stg_id = ${parent}`).run(now(), key);
    })();
  }

  async listArchives(filter?: { runId?: string }): Promise<ArchiveRecord[]> {
    const rows = this.db.prepare(`SELECT * FROM MON_AdoptionArchive WHERE (? IS NULL OR run_id = ?) ORDER BY archive_id`)
      .all(filter?.runId ?? null, filter?.runId ?? null) as Row[];
    return rows.map(toArchiveRecord);
  }
}
