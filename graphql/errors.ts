// Monday error classification: every failure is a rate limit (wait for the server's time), transient
// (retry with backoff, same Idempotency-Key) or permanent (fix the input; retrying cannot help).
import { ApplicationFailure } from '@temporalio/common';

export type MondayErrorKind = 'rate_limit' | 'transient' | 'permanent';

export class MondayApiError extends Error {
  override name = 'MondayApiError';
  constructor(
    message: string,
    readonly kind: MondayErrorKind,
    /** Monday's code (`ColumnValueException`, `COMPLEXITY_BUDGET_EXHAUSTED`…) or ours (`NETWORK_ERROR`, `TIMEOUT`, `HTTP_502`). */
    readonly code: string,
    readonly httpStatus: number | null,
    readonly retryAfterMs: number | null,
    /** The alias (or top-level field) of a batch mutation this error belongs to; absent for request-level errors. */
    readonly alias?: string,
    /** `error_data` from Monday, e.g. `{ column_id, column_value }`. */
    readonly errorData?: Record<string, unknown>,
  ) {
    super(message);
  }
  /** Subitems already on Monday when a sync stopped on a retryable error: save them before retrying. */
  partialSubitems?: { size: string; subitemId: string; qty: number }[];
  /** Of partialSubitems, the ids a create of that call returned (the audit records only these as created). */
  partialCreated?: string[];
}

// Codes compared case- and punctuation-insensitively: Monday spells them differently across versions.
const norm = (code: string): string => code.replace(/[^a-z0-9]/gi, '').toLowerCase();
const RATE_LIMIT_CODES = new Set(
  [
    'COMPLEXITY_BUDGET_EXHAUSTED', 'ComplexityException', 'MINUTE_RATE_LIMIT_EXCEEDED', 'MAX_CONCURRENCY_EXCEEDED',
    'DAILY_LIMIT_EXCEEDED', 'IP_RATE_LIMIT_EXCEEDED', 'FIELD_LIMIT_EXCEEDED', 'tooManyRequests', 'Rate Limit Exceeded',
    // The current system logged it ("Rate limit exceeded for the field.", NOTES-current-system §7); like the
    // subgraph throttle (test/fixtures/monday/subgraph-throttle-partial-data.json) it may carry status 400.
    'FIELD_MINUTE_RATE_LIMIT_EXCEEDED',
    // Our own: the daily call budget (MONDAY_DAILY_CALLS) is spent until midnight UTC (graphql/budget.ts).
    'DAILY_CALLS_BUDGET',
  ].map(norm),
);
const TRANSIENT_CODES = new Set(
  ['IDEMPOTENCY_CONFLICT', 'API_TEMPORARILY_BLOCKED', 'InternalServerError', 'ResourceLockedException'].map(norm),
);

export function isDailyLimit(err: MondayApiError): boolean {
  return norm(err.code) === 'dailylimitexceeded' || norm(err.code) === 'dailycallsbudget';
}

/**
 * An items_page cursor Monday no longer knows: "each cursor is valid for 60 minutes after the initial request"
 * (developer.monday.com/api-reference/docs/querying-board-items). Matched by its code, never by the message:
 * public Monday clients see `CursorExpiredError` ("cursor has expired").
 */
export function isCursorExpired(err: unknown): boolean {
  return err instanceof MondayApiError && norm(err.code) === 'cursorexpirederror';
}

type HeaderSource = Headers | Record<string, string | string[] | undefined> | null | undefined;
export function headerValue(headers: HeaderSource, name: string): string | null {
  if (!headers) return null;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  const rec = headers as Record<string, string | string[] | undefined>;
  const hit = Object.keys(rec).find((k) => k.toLowerCase() === name.toLowerCase());
  const v = hit === undefined ? undefined : rec[hit];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const asNumber = (v: unknown): number | null => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : null;
};

/** The server's wait: `retry_in_seconds` in the body, legacy "reset in N seconds", then `Retry-After`. */
function retryAfterMs(sources: (Record<string, unknown> | undefined)[], message: string, headers: HeaderSource): number | null {
  for (const s of sources) {
    const secs = asNumber(s?.retry_in_seconds);
    if (secs !== null) return secs * 1000;
  }
  const legacy = /reset in ([\d.]+) seconds?/i.exec(message);
  if (legacy?.[1]) return Number(legacy[1]) * 1000;
  return retryAfterHeaderMs(headerValue(headers, 'retry-after'));
}

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3); a date in the past means now. */
export function retryAfterHeaderMs(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const seconds = asNumber(value.trim());
  if (seconds !== null) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * The code first (throttle codes are rate limits whatever the status; a few codes are known to heal), then
 * the status: Monday's `extensions.status_code` (application errors come with HTTP 200) and the HTTP status.
 * 429 → rate limit; 5xx, 408, 409, 423 → transient; anything else → permanent. An unknown code is never
 * permanent when either status says retry.
 */
function kindOf(code: string, statuses: (number | null)[], message: string): MondayErrorKind {
  const c = norm(code);
  // The per-query cap shares the ComplexityException code but no wait will make the query cheaper.
  if (/exceeds max complexity/i.test(message)) return 'permanent';
  if (RATE_LIMIT_CODES.has(c)) return 'rate_limit';
  if (TRANSIENT_CODES.has(c)) return 'transient';
  const known = statuses.filter((s): s is number => s !== null);
  if (known.includes(429)) return 'rate_limit';
  if (known.some((s) => s >= 500 || s === 409 || s === 423 || s === 408)) return 'transient';
  return 'permanent';
}

const asStatus = (v: unknown): number | null => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599 ? n : null;
};

export interface MondayResponse {
  httpStatus: number | null;
  headers?: HeaderSource;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
}

/**
 * Every error in one Monday response, classified. Empty when the response is a success.
 * Accepts the GraphQL `errors[]` shape (code in `extensions.code`), the legacy top-level
 * `error_code`/`error_message` shape (also when it arrives with HTTP 200), and non-JSON bodies.
 */
export function classifyResponse(r: MondayResponse): MondayApiError[] {
  const body = asRecord(r.body);
  const status = r.httpStatus;
  const out: MondayApiError[] = [];
  const make = (code: string, message: string, waitSources: (Record<string, unknown> | undefined)[], alias?: string, errorData?: Record<string, unknown>, statusCode: number | null = null) => {
    const m = message || code;
    out.push(new MondayApiError(m, kindOf(code, [statusCode, status], m), code, status, retryAfterMs(waitSources, m, r.headers), alias, errorData));
  };

  const legacyCode = typeof body?.error_code === 'string' ? body.error_code : null;
  if (legacyCode) {
    const data = asRecord(body?.error_data);
    make(legacyCode, String(body?.error_message ?? legacyCode), [data, body], undefined, data, asStatus(body?.status_code));
    return out; // the errors[] next to a legacy body repeats the same failure as strings
  }
  const errors = Array.isArray(body?.errors) ? body.errors : [];
  for (const e of errors) {
    const err = asRecord(e);
    if (!err) {
      make(status === 429 ? 'RATE_LIMITED' : `HTTP_${status ?? 'ERROR'}`, String(e), [body]);
      continue;
    }
    const ext = asRecord(err.extensions);
    const data = asRecord(ext?.error_data);
    const code = typeof ext?.code === 'string' ? ext.code : status && status !== 200 ? `HTTP_${status}` : 'GRAPHQL_ERROR';
    const path = Array.isArray(err.path) ? err.path : [];
    const alias = typeof path[0] === 'string' ? path[0] : undefined;
    make(code, String(err.message ?? code), [ext, data], alias, data, asStatus(ext?.status_code));
  }
  if (out.length === 0 && status !== null && status !== 200) {
    const text = typeof r.body === 'string' ? r.body : String(body?.error ?? body?.message ?? '');
    make(status === 429 ? 'RATE_LIMITED' : `HTTP_${status}`, `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`, [body]);
  }
  return out;
}

/** A request that got no response: timeouts and dropped connections are transient. */
export function classifyNetworkError(err: unknown, timeoutMs: number | null): MondayApiError {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return new MondayApiError(`Monday request timed out${timeoutMs ? ` after ${timeoutMs} ms` : ''}`, 'transient', 'TIMEOUT', null, null);
  }
  const detail = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? 'unknown';
  return new MondayApiError(`Monday request failed without a response (${detail})`, 'transient', 'NETWORK_ERROR', null, null);
}

/** Daily limits reset at midnight UTC; Temporal retries then, but re-checks at least hourly. */
export const DAILY_LIMIT_MAX_DELAY_MS = 60 * 60 * 1000;
export function msUntilMidnightUtc(now = new Date()): number {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return midnight - now.getTime();
}

/** The column a permanent error is about: from error_data, else a known column id named in the message. */
function offendingColumn(err: MondayApiError, columnValues: Record<string, unknown> | undefined): string | null {
  const d = err.errorData ?? {};
  for (const k of ['column_id', 'columnId', 'column']) {
    if (typeof d[k] === 'string') return d[k];
  }
  const ids = Object.keys(columnValues ?? {}).sort((a, b) => b.length - a.length);
  return ids.find((id) => err.message.includes(id)) ?? null;
}

export interface FailureContext {
  orderKey: string;
  step: string;
  columnValues?: Record<string, unknown>;
}

/**
 * Map any error from a Monday call to the Temporal failure the activity throws:
 * rate_limit → retryable with nextRetryDelay = the server's wait (DAILY_LIMIT_EXCEEDED: until
 * midnight UTC, at most DAILY_LIMIT_MAX_DELAY_MS); transient → retryable with the activity's backoff;
 * permanent → nonRetryable, type = Monday's code, message naming order, column and value.
 */
export function toActivityFailure(err: unknown, context: FailureContext): ApplicationFailure {
  if (!(err instanceof MondayApiError)) {
    const e = err instanceof Error ? err : new Error(String(err));
    return ApplicationFailure.create({ message: `order ${context.orderKey}, ${context.step}: ${e.message}`, type: e.name, cause: e });
  }
  const where = `order ${context.orderKey}, ${context.step}`;
  const details = [{ code: err.code, httpStatus: err.httpStatus, alias: err.alias ?? null }];
  if (err.kind === 'rate_limit') {
    const wait = isDailyLimit(err)
      ? Math.min(msUntilMidnightUtc(), DAILY_LIMIT_MAX_DELAY_MS)
      : (err.retryAfterMs ?? 1000);
    return ApplicationFailure.create({
      message: `${where}: Monday rate limit ${err.code}, retry in ${Math.ceil(wait / 1000)} s`,
      type: err.code,
      nextRetryDelay: Math.max(1, Math.ceil(wait)),
      details,
    });
  }
  if (err.kind === 'transient') {
    return ApplicationFailure.create({ message: `${where}: ${err.message}`, type: err.code, details });
  }
  const column = offendingColumn(err, context.columnValues);
  const value = column === null
    ? (err.errorData?.column_value ?? null)
    : (context.columnValues?.[column] ?? err.errorData?.column_value ?? null);
  const columnPart = column === null ? '' : ` on column ${column}`;
  const valuePart = value === null ? '' : ` with value ${JSON.stringify(value)}`;
  return ApplicationFailure.create({
    message: `${where}: Monday rejected the write${columnPart}${valuePart}: ${err.code}: ${err.message}`,
    type: err.code,
    nonRetryable: true,
    details,
  });
}
