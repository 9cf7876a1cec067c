// Small pieces both adapters share: cursor format, counter/phase column names, chunking.
import { MAX_ORDER_KEY_LENGTH, ORDER_STATUSES, type OrderPayload, type OrderStatus } from '../shared/order';
import type { BatchCounters, BatchPhase, BatchRecord, ErrorRecord, StagedOrder } from './store';

/** A result row of either driver. */
export type Row = Record<string, unknown>;
export const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** MON_BatchProcessing counter columns, by BatchCounters field. */
export const BATCH_COUNTER_COLUMNS: Record<keyof BatchCounters, string> = {
  total: 'total_records', newOrders: 'new_orders', changed: 'changed_orders', unchanged: 'unchanged_orders',
  failed: 'failed_records', rejected: 'rejected_records', synced: 'synced_records', items: 'items_created', subitems: 'subitems_created',
  apiCalls: 'api_calls_made', itemsUpdated: 'items_updated', subitemsUpdated: 'subitems_updated', subitemsRemoved: 'subitems_removed',
};
export const BATCH_PHASE_COLUMNS: Record<BatchPhase, string> = {
  staging_loaded: 'staging_load_completed', items_created: 'items_creation_completed', subitems_created: 'subitems_creation_completed',
};

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/**
 * The characters a key part is compared without, in both dialects (the SQL expressions of db/mssql/statements.ts and
 * db/sqlite/migrations.ts mirror sourceKeyPart): every character the mapping's key cleaning turns into a space,
 * removes or trims (mapping/transform.ts toText: C0 and C1 controls, runs of tabs and line breaks, the Unicode spaces
 * JS trim() removes), and the space itself. U+0000 is not among them: SQLite's text functions stop at it and Babelfish
 * cannot hold it, so the mapping rejects a key part that contains one (a DATA error naming the row).
 */
export const KEY_IGNORED_CODES: readonly number[] = [
  ...range(0x01, 0x20), ...range(0x7f, 0xa0), 0x1680, ...range(0x2000, 0x200a), 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff,
];
const KEY_IGNORED = new RegExp(`[${KEY_IGNORED_CODES.map((c) => `\\u${c.toString(16).padStart(4, '0')}`).join('')}]`, 'g');

/**
 * A key part as paging and look-ups compare it: without any KEY_IGNORED_CODES character, compared binary. Coarser
 * than the mapping's key on purpose: two rows the mapping gives one key always have equal parts here (`A<TAB><TAB>B`,
 * `A B`, `A<U+0001> B<NBSP>`), so one order line is never split across pages, and a look-up by these parts followed
 * by the exact mapped key (activities: stageOrder) never misses it. Case is kept: the mapping keeps it too.
 */
export function sourceKeyPart(value: unknown): string {
  return String(value ?? '').replace(KEY_IGNORED, '');
}

/**
 * A page cursor is opaque to callers: the last joined key (db/source.ts KEY_PART_JOIN) of a page of the live source,
 * or the last key group number of a page of a batch's snapshot. Cursors of earlier releases (a tuple of three key
 * parts) still decode.
 */
export function encodeCursor(key: string | number): string {
  return Buffer.from(JSON.stringify(typeof key === 'number' ? { group: key } : { key }), 'utf8').toString('base64url');
}
export function decodeCursor(cursor: string): { key: string } | { group: number } {
  const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (Array.isArray(parsed) && parsed.length === 3 && parsed.every((v) => typeof v === 'string')) return { key: parsed.join('\u0001') };
  const { group, key } = (parsed ?? {}) as { group?: unknown; key?: unknown };
  if (typeof group === 'number' && Number.isInteger(group)) return { group };
  if (typeof key === 'string') return { key };
  throw new Error('Invalid source page cursor');
}
/** The joined key of a live-source cursor; a snapshot cursor cannot continue over the live source. */
export function decodeKeyCursor(cursor: string): string {
  const c = decodeCursor(cursor);
  if (!('key' in c)) throw new Error('This page cursor belongs to a batch snapshot that no longer exists; start the sync again');
  return c.key;
}

/**
 * Longest first key part a valid order key can have (two separators and two other non-empty parts leave 446): the
 * snapshot's indexed look-up column. On SQL Server, with the INT snapshot id, 896 bytes: inside the 900-byte index
 * key limit on every version (1,700 bytes for nonclustered indexes only from SQL Server 2016).
 */
export const MAX_FIRST_KEY_PART = MAX_ORDER_KEY_LENGTH - 4;

export function emptyStatusCounts(): Record<OrderStatus, number> {
  return Object.fromEntries(ORDER_STATUSES.map((s) => [s, 0])) as Record<OrderStatus, number>;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** JSON for a payload column; undefined stays NULL. */
export function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}
/** Longest text value an error row keeps of its payload (the source row), and longest payload it keeps at all. */
export const ERROR_VALUE_MAX = 1_000;
export const ERROR_PAYLOAD_MAX = 32_000;

/**
 * An error row's payload as stored: long text values shortened (saying how long they were), the whole kept under
 * ERROR_PAYLOAD_MAX. One rejected 10 MB cell stored whole, and written again by every sync that met it, grew the
 * embedded database by tens of MB; the message already names the field and shows the start of the value.
 */
/** An error row's message as stored: a 10 MB key part made a 10 MB message (it names the order key). */
export const ERROR_MESSAGE_MAX = 4_000;
export function shortText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 40)}… (${text.length} characters, shortened)`;
}

export function errorPayloadJson(value: unknown): string | null {
  if (value === undefined) return null;
  const json = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' && v.length > ERROR_VALUE_MAX ? `${v.slice(0, ERROR_VALUE_MAX)}… (${v.length} characters, shortened)` : v));
  return json.length <= ERROR_PAYLOAD_MAX ? json : JSON.stringify({ shortened: `payload of ${json.length} characters not kept; the source row is in ORDERS_UNIFIED`, start: json.slice(0, ERROR_VALUE_MAX) });
}

export function fromJson(text: unknown): unknown {
  return typeof text === 'string' ? JSON.parse(text) : undefined;
}

/** Last payload per key wins: a bulk call never carries the same order twice. */
export function lastPerKey<T extends { key: string }>(payloads: readonly T[]): T[] {
  return [...new Map(payloads.map((p) => [p.key, p])).values()];
}

export const UNFINISHED_STATUSES: readonly OrderStatus[] = ['PENDING', 'IN_PROGRESS', 'ITEM_CREATED'];

// Row converters shared by both adapters (the tables have the same columns in both dialects).

export function toStagedOrder(key: string, r: Row, subs: Row[]): StagedOrder {
  return {
    key, status: r.stg_status as OrderStatus, payload: fromJson(r.stg_api_payload) as OrderPayload, itemId: str(r.stg_monday_item_id),
    attempts: Number(r.stg_retry_count), syncedHash: str(r.stg_synced_hash), batchId: str(r.stg_batch_id),
    subitems: subs.map((s) => ({
      size: String(s.Size), qty: Number(s.ORDER_QTY), subitemId: str(s.stg_monday_subitem_id),
      syncedQty: s.stg_synced_qty === null ? null : Number(s.stg_synced_qty),
    })),
  };
}

export function toErrorRecord(r: Row): ErrorRecord {
  const rec: ErrorRecord = {
    scope: r.scope === 'subitem' ? 'subitem' : 'item', orderKey: String(r.order_key), category: r.category as ErrorRecord['category'],
    errorType: String(r.error_type), message: String(r.error_message),
    httpStatus: r.http_status_code === null || r.http_status_code === undefined ? null : Number(r.http_status_code),
    payload: fromJson(r.api_payload), retryCount: Number(r.retry_count), batchId: str(r.batch_id),
    id: Number(r.err_id), createdAt: isoOf(r.created_date) ?? '', resolvedAt: isoOf(r.resolved_date),
  };
  if (r.scope === 'subitem' && r.size_label !== null && r.size_label !== undefined) rec.size = String(r.size_label);
  return rec;
}

export function isoOf(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v.toISOString() : String(v);
}

export function toBatchRecord(r: Row): BatchRecord {
  const n = (c: string): number => Number(r[c] ?? 0);
  return {
    batchId: String(r.batch_id), batchType: String(r.batch_type), customer: str(r.customer_name), status: r.status as BatchRecord['status'],
    counters: {
      total: n('total_records'), newOrders: n('new_orders'), changed: n('changed_orders'), unchanged: n('unchanged_orders'),
      failed: n('failed_records'), rejected: n('rejected_records'), synced: n('synced_records'), items: n('items_created'), subitems: n('subitems_created'), apiCalls: n('api_calls_made'),
      itemsUpdated: n('items_updated'), subitemsUpdated: n('subitems_updated'), subitemsRemoved: n('subitems_removed'),
    },
    startTime: isoOf(r.start_time) ?? '', endTime: isoOf(r.end_time),
    durationSeconds: r.duration_seconds === null || r.duration_seconds === undefined ? null : Number(r.duration_seconds),
    phases: {
      staging_loaded: isoOf(r.staging_load_completed), items_created: isoOf(r.items_creation_completed), subitems_created: isoOf(r.subitems_creation_completed),
    },
    configSnapshot: fromJson(r.config_snapshot),
  };
}
