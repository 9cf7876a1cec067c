// The one place that turns configuration (MSSQL_URL or the discrete MSSQL_* settings) into the driver's config.
// Sizes fit the worker: every activity slot can hold a connection, a connection is handed out (or refused)
// well before an activity's 20 s timeout, and a request times out before the activity does.
import type { config as MssqlConfig } from 'mssql';

export interface MssqlSettings {
  server: string; port: number; database?: string; user?: string; password?: string; instanceName?: string;
  encrypt: boolean; trustServerCertificate: boolean;
  poolMax: number;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  /** Schema of this project's own tables (never dbo, where the current system's tables of the same names live). */
  schema: string;
}

export const DEFAULT_MSSQL_SCHEMA = 'orders_sync';
/** Below the database activities' 20 s start-to-close timeout, so the activity sees SQL's error, not its own timeout. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
/** How long an activity waits for a free pooled connection before it fails (and Temporal retries it). */
export const POOL_ACQUIRE_TIMEOUT_MS = 10_000;

export function toDriverConfig(s: MssqlSettings): MssqlConfig {
  return {
    server: s.server, port: s.port, database: s.database, user: s.user, password: s.password,
    options: { encrypt: s.encrypt, trustServerCertificate: s.trustServerCertificate, appName: 'orders-sync', ...(s.instanceName ? { instanceName: s.instanceName } : {}) },
    pool: { max: s.poolMax, min: 0, idleTimeoutMillis: 30_000, acquireTimeoutMillis: POOL_ACQUIRE_TIMEOUT_MS },
    // The pool checks a connection's socket before lending it, not with a SELECT 1 round trip per request (a third
    // of all requests were those); a connection that died anyway fails its request, which is retried (transient).
    validateConnection: 'socket',
    connectionTimeout: s.connectTimeoutMs,
    requestTimeout: s.requestTimeoutMs,
  };
}

/**
 * Reads `mssql://user:pass@host:1433/db?encrypt=true&trustServerCertificate=true&poolMax=&requestTimeout=&connectTimeout=&instanceName=`.
 * Errors name the problem, never the URL itself (it holds the password). `defaults` fill what the URL leaves out.
 */
export function settingsFromUrl(url: string, defaults: Pick<MssqlSettings, 'poolMax' | 'schema'>): MssqlSettings {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error('MSSQL_URL is not a valid URL (expected mssql://user:password@host:1433/database?encrypt=true)');
  }
  if (u.protocol !== 'mssql:' && u.protocol !== 'sqlserver:') throw new Error(`MSSQL_URL must start with mssql://, not ${u.protocol}//`);
  if (!u.hostname) throw new Error('MSSQL_URL has no host');
  const flag = (name: string, fallback: boolean): boolean => {
    const v = u.searchParams.get(name);
    return v === null ? fallback : ['1', 'true', 'yes'].includes(v.toLowerCase());
  };
  const num = (name: string, fallback: number): number => {
    const v = u.searchParams.get(name);
    if (v === null) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`MSSQL_URL: ${name} must be a positive whole number, not ${JSON.stringify(v)}`);
    return n;
  };
  return {
    server: u.hostname,
    port: u.port ? Number(u.port) : 1433,
    user: decodeURIComponent(u.username) || undefined,
    password: decodeURIComponent(u.password) || undefined,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined,
    instanceName: u.searchParams.get('instanceName') ?? undefined,
    encrypt: flag('encrypt', true),
    trustServerCertificate: flag('trustServerCertificate', false),
    poolMax: num('poolMax', defaults.poolMax),
    connectTimeoutMs: num('connectTimeout', DEFAULT_CONNECT_TIMEOUT_MS),
    requestTimeoutMs: num('requestTimeout', DEFAULT_REQUEST_TIMEOUT_MS),
    schema: defaults.schema,
  };
}
