// SQL errors that no retry can fix: a missing column or table, data that does not fit, a refused permission. They
// end the order (or the page, or the command) at once with one line naming the statement, table and column; only
// transient ones (deadlocks, failovers, timeouts, dropped connections) are worth retrying.
import type { ErrorCategory } from '../shared/order';

export interface PermanentSqlError {
  category: Extract<ErrorCategory, 'CONFIG' | 'DATA'>;
  number: number | null;
  table: string | null;
  column: string | null;
  /** What to do about it. */
  hint: string;
}

const SCHEMA_HINT = 'fix MSSQL_SOURCE or the mapping (orders-sync doctor names the exact column), or run `orders-sync db migrate`';
const PERMISSION_HINT = 'grant the worker login what docs/RUNBOOK.md lists under "SQL Server logins"';
const DATA_HINT = 'the value does not fit the column; fix the source row, then rerun';

/**
 * SQL Server error numbers (sys.messages): 207 invalid column, 208 invalid object, 4104 multi-part identifier, 209
 * ambiguous column, 213 column count, 102/156 syntax, 195 unknown function, 8144/8178 parameters, 229/230/262/300
 * permissions, 3952 snapshot isolation not allowed; data: 245/8114/241/242/295 conversion, 8115/220/232 overflow,
 * 515 NULL, 547 constraint, 2628/8152/4815 truncation (4815: a bulk load's), 1946 index key too long. Not 2601/2627 (a unique key): a
 * concurrent writer explains those, and a retry succeeds.
 */
const MSSQL_NUMBERS: Record<number, { category: 'CONFIG' | 'DATA'; hint: string }> = {
  ...Object.fromEntries([207, 208, 4104, 209, 213, 102, 156, 195, 8144, 8178, 3952].map((n) => [n, { category: 'CONFIG', hint: SCHEMA_HINT }])),
  ...Object.fromEntries([229, 230, 262, 300].map((n) => [n, { category: 'CONFIG', hint: PERMISSION_HINT }])),
  ...Object.fromEntries([245, 8114, 241, 242, 295, 8115, 220, 232, 515, 547, 2628, 8152, 4815, 1946].map((n) => [n, { category: 'DATA', hint: DATA_HINT }])),
};

/**
 * The test engine (Babelfish) reports several of these as Msg 33557097 with PostgreSQL's text; SQL Server never
 * uses that number. Matched by text so the behaviour can be tested there (the numbers above are SQL Server's).
 */
const BABELFISH_GENERIC = 33557097;
const BABELFISH_TEXTS: [RegExp, number][] = [
  [/column "[^"]*" does not exist/, 207], [/relation "[^"]*" does not exist/, 208], [/invalid input syntax for type/, 245],
  [/syntax error at or near/, 102], [/permission denied/, 229],
];

/** SQLite's (better-sqlite3) codes and texts for the same kinds of error. */
const SQLITE_CODES: [RegExp, 'CONFIG' | 'DATA', string][] = [
  [/^SQLITE_CONSTRAINT/, 'DATA', DATA_HINT], [/^SQLITE_(MISMATCH|TOOBIG|RANGE)$/, 'DATA', DATA_HINT],
  [/^SQLITE_(READONLY|AUTH|PERM)/, 'CONFIG', 'the worker cannot write the SQLite file; check its permissions'],
];
const SQLITE_SCHEMA_TEXT = /no such (column|table)|has no column named|syntax error/;

interface DriverError { number?: number; code?: string; message?: string; originalError?: DriverError; permanent?: unknown; failFast?: PermanentSqlError | null }

export function permanentSqlError(e: unknown, sqlText?: string): PermanentSqlError | null {
  const err = (e ?? {}) as DriverError;
  if (err.failFast) return err.failFast;   // classified where it was thrown (MssqlError, with its statement's text)
  const message = String(err.message ?? '');
  let number = err.number ?? err.originalError?.number;
  if (number === BABELFISH_GENERIC) number = BABELFISH_TEXTS.find(([re]) => re.test(message))?.[1] ?? number;
  const where = { table: tableOf(message) ?? (sqlText ? firstTable(sqlText) : null), column: columnOf(message) };
  if (number !== undefined && MSSQL_NUMBERS[number]) return { ...MSSQL_NUMBERS[number]!, number, ...where };
  if (typeof err.code === 'string' && err.code.startsWith('SQLITE_')) {
    const code = err.code;
    const found = SQLITE_CODES.find(([re]) => re.test(code));
    if (found) return { category: found[1], number: null, hint: found[2], ...where };
    if (code === 'SQLITE_ERROR' && SQLITE_SCHEMA_TEXT.test(message)) return { category: 'CONFIG', number: null, hint: SCHEMA_HINT, ...where };
  }
  // Errors of this project that say so themselves (a source column the mapping reads is missing).
  if (err.permanent === true) return { category: 'CONFIG', number: null, hint: SCHEMA_HINT, table: null, column: null };
  return null;
}

/** One line: what failed, where, and what to do. */
export function describePermanent(e: unknown, p: PermanentSqlError, statement?: string): string {
  const message = e instanceof Error ? e.message : String(e);
  const at = [statement && !message.includes(statement) ? `in ${statement}` : '', p.table ? `table ${p.table}` : '', p.column ? `column ${p.column}` : '']
    .filter(Boolean).join(', ');
  return `${message}${at && !message.includes(at) ? ` [${at}]` : ''} — no retry can fix this: ${p.hint}`;
}

function columnOf(message: string): string | null {
  return /column (?:name )?['"]([^'"]+)['"]/i.exec(message)?.[1] ?? /constraint failed: [^.\s]+\.(\S+)/.exec(message)?.[1]
    ?? /no such column: (\S+)/.exec(message)?.[1] ?? null;
}
function tableOf(message: string): string | null {
  return /(?:object name|table|relation) ['"]([^'"]+)['"]/i.exec(message)?.[1] ?? /no such table: (\S+)/.exec(message)?.[1]
    ?? /constraint failed: ([^.\s]+)\./.exec(message)?.[1] ?? null;
}
/** The first schema-qualified table a statement names (its target, or the source it reads). */
function firstTable(sqlText: string): string | null {
  return /\b(?:INTO|UPDATE|FROM|JOIN)\s+(\[[^\]]+\]\.\[[^\]]+\])/i.exec(sqlText)?.[1] ?? null;
}
