// SQL Server for tests: the engine global-setup provides (Babelfish, or a real server via MSSQL_URL), a fresh
// database per test file, and the check that no #temp table is used by a request other than the one creating it.
import { randomUUID } from 'node:crypto';
import sql from 'mssql';
import { MSSQL_ORDERS_UNIFIED_DDL } from '../../db/mssql/migrations';
import { parseMssqlUrl } from '../../db/open';

/** The URL of the test SQL Server, or undefined (then the tests say the SQL Server part was skipped). */
export const TEST_MSSQL_URL = process.env.ORDERS_SYNC_TEST_MSSQL_URL;
/** 'babelfish' or 'sqlserver': where the engine differs from SQL Server, tests say so. */
export const TEST_MSSQL_ENGINE = process.env.ORDERS_SYNC_TEST_MSSQL_ENGINE;

export function skippedNotice(what: string): void {
  if (!TEST_MSSQL_URL) console.warn(`${what} SKIPPED: no SQL Server (set MSSQL_URL, or keep ../shared/tools/babelfish/ beside the project)`);
}

/** A database of its own with an (empty) ORDERS_UNIFIED, as production has; dropped by `drop()`. */
export async function freshMssqlDatabase(label: string, serverUrl = TEST_MSSQL_URL): Promise<{ url: string; drop(): Promise<void> }> {
  if (!serverUrl) throw new Error('no test SQL Server');
  const name = `t_${label}_${randomUUID().slice(0, 8)}`;
  const admin = await new sql.ConnectionPool({ ...parseMssqlUrl(serverUrl), database: undefined }).connect();
  try {
    await admin.request().batch(`CREATE DATABASE [${name}]`);
  } finally {
    await admin.close();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const db = await new sql.ConnectionPool(parseMssqlUrl(u.toString())).connect();
  try {
    await db.request().batch(MSSQL_ORDERS_UNIFIED_DDL);
  } finally {
    await db.close();
  }
  return {
    url: u.toString(),
    async drop() {
      const pool = await new sql.ConnectionPool({ ...parseMssqlUrl(serverUrl), database: undefined }).connect();
      try {
        // A closed pool's sessions can take a moment to end on the server ("currently in use").
        for (let attempt = 1; ; attempt++) {
          try {
            await pool.request().batch(`DROP DATABASE [${name}]`);
            return;
          } catch (err) {
            if (attempt >= 20) throw err;
            await new Promise((r) => setTimeout(r, 250));
          }
        }
      } finally {
        await pool.close();
      }
    },
  };
}

/**
 * SQL Server drops a #temp table created inside sp_executesql (every request.query()) when that call returns;
 * Babelfish keeps it for the session, so a run on Babelfish cannot show the bug. This names every request that
 * uses a #temp table it did not create itself.
 */
export function tempTablesCrossingRequests(requests: string[]): string[] {
  const problems: string[] = [];
  for (const text of requests) {
    // Created here: CREATE TABLE #t, or SELECT … INTO #t (INSERT INTO #t only fills it).
    const created = new Set([...text.matchAll(/\bCREATE\s+TABLE\s+(#\w+)|(?<!\bINSERT\s+)\bINTO\s+(#\w+)/gi)].map((m) => (m[1] ?? m[2] ?? '').toLowerCase()));
    for (const m of text.matchAll(/(?<![\w@])(#\w+)/g)) {
      const name = (m[1] ?? '').toLowerCase();
      if (!created.has(name)) problems.push(`${name} used by a request that did not create it: ${text.slice(0, 120).replace(/\s+/g, ' ')}`);
    }
  }
  return [...new Set(problems)];
}

/** Records the text of every request the mssql driver sends (query and batch) until `stop()`. */
export function recordMssqlRequests(): { texts: string[]; stop(): void } {
  const texts: string[] = [];
  const proto = sql.Request.prototype as unknown as Record<'query' | 'batch', (text: unknown, ...rest: unknown[]) => unknown>;
  const original = { query: proto.query, batch: proto.batch };
  for (const method of ['query', 'batch'] as const) {
    proto[method] = function (this: unknown, text: unknown, ...rest: unknown[]) {
      if (typeof text === 'string') texts.push(text);
      return original[method].call(this, text, ...rest);
    };
  }
  return { texts, stop() { proto.query = original.query; proto.batch = original.batch; } };
}
