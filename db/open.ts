// Picks the adapter: SQL Server when a URL or config is given, otherwise the embedded SQLite file (migrated on open).
import fs from 'node:fs';
import path from 'node:path';
import type { config as MssqlConfig } from 'mssql';
import type { Store } from './store';
import { SqliteStore } from './sqlite-store';

export const DEFAULT_SQLITE_FILE = path.resolve(__dirname, '..', '.data', 'orders.db');

/**
 * Parses `mssql://user:pass@host:1433/db?encrypt=true&trustServerCertificate=true`.
 * Errors name the problem, never the URL itself (it holds the password).
 */
export function parseMssqlUrl(url: string): MssqlConfig {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error('MSSQL_URL is not a valid URL (expected mssql://user:password@host:1433/database?encrypt=true)');
  }
  if (u.protocol !== 'mssql:' && u.protocol !== 'sqlserver:') throw new Error(`MSSQL_URL must start with mssql://, not ${u.protocol}//`);
  if (!u.hostname) throw new Error('MSSQL_URL has no host');
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  const flag = (name: string, fallback: boolean): boolean => {
    const v = u.searchParams.get(name);
    return v === null ? fallback : ['1', 'true', 'yes'].includes(v.toLowerCase());
  };
  const port = u.port ? Number(u.port) : 1433;
  const config: MssqlConfig = {
    server: u.hostname,
    port,
    user: decodeURIComponent(u.username) || undefined,
    password: decodeURIComponent(u.password) || undefined,
    database: database || undefined,
    options: { encrypt: flag('encrypt', true), trustServerCertificate: flag('trustServerCertificate', false), appName: 'orders-sync' },
    pool: { max: Number(u.searchParams.get('poolMax') ?? 10), min: 0, idleTimeoutMillis: 30_000 },
    connectionTimeout: Number(u.searchParams.get('connectTimeout') ?? 15_000),
    requestTimeout: Number(u.searchParams.get('requestTimeout') ?? 60_000),
  };
  const instance = u.searchParams.get('instanceName');
  if (instance && config.options) config.options.instanceName = instance;
  return config;
}

/** Same URL with the password replaced, for logs and `doctor`. */
export function redactMssqlUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'mssql://(unparseable)';
  }
}

export async function openStore(opts: { mssqlUrl?: string; mssqlConfig?: MssqlConfig; sqliteFile?: string }): Promise<Store> {
  if (opts.mssqlUrl || opts.mssqlConfig) {
    // require, not import(): under bin/orders-sync.js (tsx's CommonJS loader) an extensionless import() fails with
    // "Cannot find module"; require keeps the mssql driver unloaded for SQLite users all the same.
    const { MssqlStore } = require('./mssql-store') as typeof import('./mssql-store');
    return MssqlStore.connect(opts.mssqlConfig ?? parseMssqlUrl(opts.mssqlUrl as string));
  }
  const file = opts.sqliteFile ?? DEFAULT_SQLITE_FILE;
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const store = new SqliteStore(file);
  await store.migrate();
  return store;
}
