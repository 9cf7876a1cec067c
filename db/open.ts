// The one place that knows both dialects: picks the adapter (SQL Server when a URL or config is given, otherwise the
// embedded SQLite file, migrated on open) and gives a store's other interfaces on its own connection.
import fs from 'node:fs';
import path from 'node:path';
import type { config as MssqlConfig } from 'mssql';
import type { Store } from './store';
import { SqliteStore } from './sqlite/store';
// A static import: a dynamic import() goes through Node's ESM loader, which the tsx/cjs hook of bin/ does not serve.
import { MssqlStore } from './mssql/store';
import { DEFAULT_MSSQL_SCHEMA, settingsFromUrl, toDriverConfig, type MssqlSettings } from './mssql/config';
import type { CollapseRule, SourceSpec } from './source';
import type { OperationsStore } from './operations';
import type { VerifyStore } from './verify-store';
import { SqliteOperations } from './sqlite/operations';
import { MssqlOperations } from './mssql/operations';
import { SqliteVerifyStore } from './sqlite/verify';
import { MssqlVerifyStore } from './mssql/verify';
import type { InspectionStore } from './inspection';
import { sqliteInspection } from './sqlite/inspection';
import { mssqlInspection } from './mssql/inspection';
import type { AcceptanceChecks } from './acceptance-checks';
import { sqliteAcceptanceChecks } from './sqlite/acceptance-checks';
import type { DispatchControl } from './dispatch-control';
import { SqliteDispatchControl } from './sqlite/dispatch-control';
import { MssqlDispatchControl } from './mssql/dispatch-control';
import type { RollbackStepStore } from './rollback-steps';
import { SqliteRollbackSteps } from './sqlite/rollback-steps';
import { MssqlRollbackSteps } from './mssql/rollback-steps';

/** What the store reads as the source (db/source.ts): MSSQL_SOURCE (SQL Server), the mapping's columns, the collapse rule. */
export interface SourceOptions { name?: string; spec?: SourceSpec; collapse?: CollapseRule; retentionDays?: number }

/** Pool size when the caller does not size it for a worker (CLI commands, tests). */
const DEFAULT_POOL_MAX = 10;

export const DEFAULT_SQLITE_FILE = path.resolve(__dirname, '..', '.data', 'orders.db');

/** The driver config for a URL alone (defaults for everything the URL leaves out). */
export function parseMssqlUrl(url: string): MssqlConfig {
  return toDriverConfig(settingsFromUrl(url, { poolMax: DEFAULT_POOL_MAX, schema: DEFAULT_MSSQL_SCHEMA }));
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

/** SQL Server by URL or by settings (see mssql/config.ts), otherwise the SQLite file. */
export async function openStore(opts: { mssqlUrl?: string; mssql?: MssqlSettings; sqliteFile?: string; source?: SourceOptions }): Promise<Store> {
  if (opts.mssqlUrl || opts.mssql) {
    return MssqlStore.connect(opts.mssql ?? settingsFromUrl(opts.mssqlUrl as string, { poolMax: DEFAULT_POOL_MAX, schema: DEFAULT_MSSQL_SCHEMA }), opts.source);
  }
  const file = opts.sqliteFile ?? DEFAULT_SQLITE_FILE;
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const store = new SqliteStore(file, opts.source);
  await store.migrate();
  return store;
}

/** The operations store (audit, batches, worker status) on the Store's own connection. */
export function operationsOf(store: Store): OperationsStore {
  return store instanceof SqliteStore ? new SqliteOperations(store.db) : new MssqlOperations(store as MssqlStore);
}

/** The verify store (runs, board read, drift) on the Store's own connection. */
export function verifyStoreOf(store: Store): VerifyStore {
  return store instanceof SqliteStore ? new SqliteVerifyStore(store.db) : new MssqlVerifyStore(store as MssqlStore);
}

/** What operators read (batches, errors, failed lines) on the Store's own connection. */
export function inspectionOf(store: Store): InspectionStore {
  return store instanceof SqliteStore ? sqliteInspection(store.db) : mssqlInspection(store as MssqlStore);
}

/** An acceptance run's check rows, in its scratch SQLite store. */
export function acceptanceChecksOf(store: Store): AcceptanceChecks {
  if (!(store instanceof SqliteStore)) throw new Error('acceptance keeps its checks in its scratch SQLite store');
  return sqliteAcceptanceChecks(store.db);
}

/** The dispatch control (admission, the hold, abandoned batches) on the Store's own connection. */
export function dispatchControlOf(store: Store): DispatchControl {
  return store.dialect === 'sqlite' ? new SqliteDispatchControl((store as SqliteStore).db) : new MssqlDispatchControl(store as MssqlStore);
}

/** A rollback run's steps and its pages of the audit (issue 18) on the Store's own connection. */
export function rollbackStepsOf(store: Store): RollbackStepStore {
  return store instanceof SqliteStore ? new SqliteRollbackSteps(store.db) : new MssqlRollbackSteps(store as MssqlStore);
}
