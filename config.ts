// Configuration from the environment, parsed once with zod. A malformed value stops start-up with a
// message naming the variable and what is expected. Secrets stay in this object and are never logged.
import path from 'node:path';
import { z } from 'zod';
import { parseSourceName } from './db/mssql/identifiers';
import type { StringValue } from '@temporalio/common';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, settingsFromUrl, type MssqlSettings } from './db/mssql/config';

const validSourceName = (text: string): boolean => {
  try { parseSourceName(text); return true; } catch { return false; }
};

export const PROJECT_ROOT = __dirname;
export const DATA_DIR = path.join(PROJECT_ROOT, '.data');

const duration = z
  .string()
  .regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'a duration such as 500ms, 30s, 10m, 2h or 7d')
  .transform((v) => v as StringValue);
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const schema = z.object({
  TEMPORAL_ADDRESS: z.string().regex(/^[^\s:]+:\d+$/, 'host:port, e.g. my-ns.a1b2c.tmprl.cloud:7233').optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: bool.optional(),
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),

  MSSQL_URL: z.string().regex(/^(mssql|sqlserver):\/\//, 'a URL such as mssql://user:password@host:1433/database?encrypt=true').optional(),
  /** Discrete SQL Server settings, the alternative to MSSQL_URL. */
  MSSQL_SERVER: z.string().min(1).optional(),
  MSSQL_PORT: port.default(1433),
  MSSQL_DATABASE: z.string().min(1).optional(),
  MSSQL_USER: z.string().min(1).optional(),
  MSSQL_PASSWORD: z.string().min(1).optional(),
  MSSQL_ENCRYPT: bool.default(true),
  MSSQL_TRUST_SERVER_CERTIFICATE: bool.default(false),
  /** Default: one connection per activity slot of the worker (database and Monday activities). */
  MSSQL_POOL_MAX: positiveInt.optional(),
  MSSQL_REQUEST_TIMEOUT_MS: positiveInt.optional(),
  MSSQL_CONNECT_TIMEOUT_MS: positiveInt.optional(),
  /** Schema of this project's own tables; dbo holds the current system's tables of the same names. */
  MSSQL_SCHEMA: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'a schema name of letters, digits and _, e.g. orders_sync').default('orders_sync'),
  /** Where `start` keeps its state: the dev server's history, the sandbox's boards, the SQLite file, logs, its lock. */
  DATA_DIR: z.string().min(1).default(DATA_DIR),
  /** Default: orders.db in DATA_DIR. */
  SQLITE_FILE: z.string().min(1).optional(),
  /** The source table or view (a table or view of ORDERS_UNIFIED's shape), schema-qualified. */
  MSSQL_SOURCE: z.string().min(1).refine(validSourceName, 'a table or view name such as dbo.ORDERS_UNIFIED or [dbo].[vORDERS_UNIFIED]').default('dbo.ORDERS_UNIFIED'),
  /** A full snapshot with fewer rows than this share of the last one is refused and retried (a reload half done); 0: never. */
  SOURCE_COLLAPSE_SHARE: z.coerce.number().min(0).max(1).default(0.5),
  /** Error, write-audit, batch-outcome and snapshot rows older than this many days are deleted (0: kept for ever). */
  RETENTION_DAYS: z.coerce.number().int().min(0).default(90),

  MONDAY_API_TOKEN: z.string().min(1).optional(),
  MONDAY_API_URL: z.string().url().optional(),
  MONDAY_API_VERSION: z.string().regex(/^\d{4}-\d{2}$/, 'YYYY-MM, e.g. 2026-10').default('2026-10'),
  /** Past Monday's 60-second timeout policy, so the client never abandons a request Monday still runs (graphql/client.ts). */
  MONDAY_TIMEOUT_MS: positiveInt.default(65_000),
  /** The most aliases per create_subitem request; fewer go when Monday is slow per alias (graphql/client.ts). */
  MONDAY_SUBITEM_BATCH_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** One writer per board: Monday asks for mutations one after the other (graphql/budget.ts). */
  MONDAY_MAX_CONCURRENT_MUTATIONS: positiveInt.default(1),
  MONDAY_COMPLEXITY_PER_MINUTE: positiveInt.default(10_000_000),
  /** Pro's minute limit; Enterprise 5,000, other plans 1,000. */
  MONDAY_REQUESTS_PER_MINUTE: positiveInt.default(2_500),
  /** The account's daily call allowance (shared with every integration on it): Pro 10,000, Enterprise 25,000, Basic/Standard 1,000. */
  MONDAY_DAILY_CALLS: positiveInt.default(10_000),
  /** Only for the time-scaled sandbox of benchmarks and chaos runs: a Monday minute lasts 60/scale seconds. */
  MONDAY_TIME_SCALE: z.coerce.number().positive().default(1),
  /**
   * Server-side ceiling on Monday activities per second for the whole task queue (all workers together).
   * Unset: derived from MONDAY_COMPLEXITY_PER_MINUTE (see mondayActivitiesPerSecond in worker.ts).
   */
  MONDAY_ACTIVITIES_PER_SECOND: z.coerce.number().positive().optional(),
  MONDAY_REMOVED_SIZES: z.enum(['zero', 'archive']).default('zero'),
  /** An item deleted or archived by hand: `recreate` it (after looking it up by key) or `fail` the order. */
  MONDAY_MISSING_ITEM: z.enum(['recreate', 'fail']).default('recreate'),
  SANDBOX_PORT: port.default(8790),

  MAPPING_FILE: z.string().min(1).optional(),
  SYNC_INTERVAL: duration.default('10m'),
  SYNC_CATCHUP_WINDOW: duration.default('10m'),
  SYNC_PAGE_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
  RERUN_WAIT: duration.default('7d'),
  /** How long Monday activities retry transient failures (no attempt cap): outlasts the daily limit's reset. */
  MONDAY_RETRY_WINDOW: duration.default('26h'),
  /** How long database activities retry transient failures (no attempt cap). */
  DATABASE_RETRY_WINDOW: duration.default('6h'),
  /** After a retry window ran out, the order tries again by itself after this long, doubling up to 1 h. */
  ORDER_SELF_RETRY_AFTER: duration.default('1m'),
  /** A scheduled sync run that takes longer is ended, so a stuck run cannot make the schedule skip forever. */
  SYNC_EXECUTION_TIMEOUT: duration.default('2h'),
  /** The sync never creates items on a board that holds items and was not adopted (`orders-sync board adopt`); false turns that off. */
  ADOPTION_GUARD: bool.default(true),
  /** Share of the minute's complexity budget `board adopt` may read with (other integrations share the account). */
  ADOPT_READ_SHARE: z.coerce.number().gt(0).max(1).default(0.5),
  /** Share of the minute's complexity budget `orders-sync verify` may read with. */
  VERIFY_READ_SHARE: z.coerce.number().gt(0).max(1).default(0.5),
  /** A sync batch's source snapshot goes when the batch ends (its orders ended); one whose batch never ends goes after this many days. */
  SNAPSHOT_KEEP_DAYS: z.coerce.number().gt(0).default(2),

  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  WORKER_MAX_CONCURRENT_ACTIVITIES: positiveInt.default(50),
  /** Monday activities mostly wait for the budget: a few slots suffice, the rest wait on the server's queue. */
  WORKER_MAX_CONCURRENT_MONDAY_ACTIVITIES: positiveInt.default(16),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: positiveInt.default(40),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(100),
  WORKER_SHUTDOWN_GRACE: duration.default('30s'),
  METRICS_PORT: port.optional(),
  /** Where the metrics endpoint listens: loopback unless an operator opens it (it has no authentication). */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Where docs/RUNBOOK.md is browsable: the alert rules' runbook links (`orders-sync monitoring rules`). */
  RUNBOOK_URL: z.string().url().optional(),
});

export type Config = z.infer<typeof schema> & { SQLITE_FILE: string };

export class ConfigError extends Error {}

/** Parses the environment; throws ConfigError naming each bad variable and what it expects. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const relevant = Object.fromEntries(Object.keys(schema.shape).flatMap((k) => (env[k] === undefined || env[k] === '' ? [] : [[k, env[k]]])));
  const parsed = schema.safeParse(relevant);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${String(i.path[0])}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return { ...parsed.data, SQLITE_FILE: parsed.data.SQLITE_FILE ?? path.join(parsed.data.DATA_DIR, 'orders.db') };
}

/** Which real services replace the embedded defaults. */
export function embeddedServices(config: Config): { temporal: boolean; database: boolean; monday: boolean } {
  return { temporal: !config.TEMPORAL_ADDRESS, database: !config.MSSQL_URL && !config.MSSQL_SERVER, monday: !config.MONDAY_API_TOKEN };
}

/** SQL Server settings from MSSQL_URL or the discrete MSSQL_* variables (the URL wins); undefined: embedded SQLite. */
export function mssqlSettings(config: Config): MssqlSettings | undefined {
  const defaults = {
    poolMax: config.MSSQL_POOL_MAX ?? config.WORKER_MAX_CONCURRENT_ACTIVITIES + config.WORKER_MAX_CONCURRENT_MONDAY_ACTIVITIES,
    schema: config.MSSQL_SCHEMA,
  };
  const timeouts = (s: MssqlSettings): MssqlSettings => ({
    ...s, requestTimeoutMs: config.MSSQL_REQUEST_TIMEOUT_MS ?? s.requestTimeoutMs, connectTimeoutMs: config.MSSQL_CONNECT_TIMEOUT_MS ?? s.connectTimeoutMs,
  });
  if (config.MSSQL_URL) return timeouts(settingsFromUrl(config.MSSQL_URL, defaults));
  if (!config.MSSQL_SERVER) return undefined;
  return timeouts({
    server: config.MSSQL_SERVER, port: config.MSSQL_PORT, database: config.MSSQL_DATABASE, user: config.MSSQL_USER, password: config.MSSQL_PASSWORD,
    encrypt: config.MSSQL_ENCRYPT, trustServerCertificate: config.MSSQL_TRUST_SERVER_CERTIFICATE,
    connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS, requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS, ...defaults,
  });
}
