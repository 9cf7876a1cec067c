// What operators read (`orders-sync batches`, `errors`, `rerun --failed`), on either database: the same queries for
// SQLite and SQL Server, read-only, on the Store's own connection; each dialect gives its names and TOP/LIMIT
// (sqlite/inspection.ts, mssql/inspection.ts).
import type { BatchRecord, ErrorRecord } from './store';
import { isoOf, str, toBatchRecord, toErrorRecord, type Row } from './common';

/** A staged order line whose latest pass failed: what `rerun --failed` reruns, whether its workflow still waits or ended. */
export interface FailedLine { key: string; customer: string | null; poNumber: string | null; error: string | null }

/** An error row with the customer and PO of its order line (from staging; a row that never staged has none). */
export interface ErrorView extends ErrorRecord { customer: string | null; poNumber: string | null; lastSeen: string }

export interface InspectionStore {
  recentBatches(limit: number): Promise<BatchRecord[]>;
  failedLines(filter: { customer?: string; po?: string }): Promise<FailedLine[]>;
  /** Error rows first seen or seen again since `since` (ISO), newest first; unresolved ones only unless `all`. */
  errors(filter: { since: string | null; all: boolean }): Promise<ErrorView[]>;
  /** When an order line last turned SYNCED (ISO), null when none ever did. */
  lastSyncedAt(): Promise<string | null>;
}

export type Query = (sql: string, params: Record<string, string | number | null>) => Promise<Row[]>;

/** How a dialect names tables and columns, limits rows, and writes an ISO instant for comparison with its dates. */
export interface InspectionDialect {
  name: (table: string) => string;
  col: (c: string) => string;
  top: (n: string) => { head: string; tail: string };
  instant: (iso: string) => string;
}

/** The statements, with the dialect's names, TOP/LIMIT and parameter style (both drivers take @name). */
function statements({ name, col, top }: InspectionDialect) {
  const STG = name('STG_MON_CustMasterSchedule');
  const errCols = ['err_id', 'batch_id', 'order_key', 'category', 'error_type', 'error_message', 'http_status_code', 'api_payload', 'retry_count', 'created_date', 'last_retry_date', 'resolved_date'].map(col).join(', ');
  const recent = top('@limit');
  const errorsFrom = (table: string, scope: string, size: string) => `SELECT '${scope}' AS scope, ${size} AS size_label, ${errCols.split(', ').map((c) => `e.${c}`).join(', ')},
      s.${col('CUSTOMER')} AS customer, s.${col('PO NUMBER')} AS po_number
    FROM ${name(table)} e LEFT JOIN ${STG} s ON s.${col('order_key')} = e.${col('order_key')}
    WHERE (@all = 1 OR e.${col('resolved_date')} IS NULL)
      AND (@since IS NULL OR e.${col('created_date')} >= @since OR e.${col('last_retry_date')} >= @since)`;
  return {
    recentBatches: `SELECT ${recent.head} * FROM ${name('MON_BatchProcessing')} ORDER BY ${col('start_time')} DESC ${recent.tail}`,
    failedLines: `SELECT ${col('order_key')} AS order_key, ${col('CUSTOMER')} AS customer, ${col('PO NUMBER')} AS po_number, ${col('stg_error_message')} AS error
      FROM ${STG} WHERE ${col('stg_status')} = 'FAILED'
        AND (@customer IS NULL OR UPPER(LTRIM(RTRIM(${col('CUSTOMER')}))) = @customer)
        AND (@po IS NULL OR LTRIM(RTRIM(${col('PO NUMBER')})) = @po)
      ORDER BY ${col('order_key')}`,
    lastSyncedAt: `SELECT MAX(${col('stg_processed_date')}) AS at FROM ${STG} WHERE ${col('stg_status')} = 'SYNCED'`,
    errors: `SELECT * FROM (${errorsFrom('ERR_MON_CustMasterSchedule', 'item', 'NULL')}
      UNION ALL ${errorsFrom('ERR_MON_CustMasterSchedule_Subitems', 'subitem', `e.${col('size_label')}`)}) u
      ORDER BY ${col('err_id')} DESC`,
  };
}

export function inspectionStore(query: Query, dialect: InspectionDialect): InspectionStore {
  const s = statements(dialect);
  const norm = (v: string | undefined) => (v === undefined ? null : v.trim());
  return {
    async recentBatches(limit) {
      return (await query(s.recentBatches, { limit })).map(toBatchRecord);
    },
    async failedLines(filter) {
      const rows = await query(s.failedLines, { customer: norm(filter.customer)?.toUpperCase() ?? null, po: norm(filter.po) });
      return rows.map((r) => ({ key: String(r.order_key), customer: str(r.customer), poNumber: str(r.po_number), error: str(r.error) }));
    },
    async lastSyncedAt() {
      return isoOf((await query(s.lastSyncedAt, {}))[0]?.at);
    },
    async errors(filter) {
      const since = filter.since === null ? null : dialect.instant(filter.since);
      const rows = await query(s.errors, { since, all: filter.all ? 1 : 0 });
      return rows.map((r) => ({ ...toErrorRecord(r), customer: str(r.customer), poNumber: str(r.po_number), lastSeen: isoOf(r.last_retry_date) ?? isoOf(r.created_date) ?? '' }));
    },
  };
}
