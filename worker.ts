// Wiring: configuration → connections → activities → two Workers (workflows + database activities on one
// task queue, Monday activities on their own rate-limited queue).
import fs from 'node:fs';
import { msToNumber } from '@temporalio/common/lib/time';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { ConfigError, mssqlSettings, type Config } from './config';
import { createActivities, type ActivityDeps } from './activities';
import { createRollbackActivities } from './activities/rollback';
import { type OperationsStore } from './db/operations';
import { operationsOf } from './db/open';
import { createWorkerStatus, type WorkerStatusReporter } from './worker-status';
import { createAdoptionActivities } from './activities/adoption';
import { createVerifyActivities } from './activities/verify';
import { createPreflightActivities } from './activities/preflight';
import { openStore } from './db/open';
import { DEFAULT_COLLAPSE_RULE, sourceSpecOf } from './db/source';
import type { Store } from './db/store';
import { loadMapping, type Mapping } from './mapping';
import { MondayClient } from './graphql/client';
import { MondayBudget } from './graphql/budget';
import { MONDAY_TASK_QUEUE, TASK_QUEUE } from './shared/temporal';
import { createOrderCleanupActivities } from './activities/order-cleanup';
import type { OrderWorkflowInput } from './shared/workflow-types';
import { buildIdOf, promoteIfNoCurrent, type DeploymentVersion } from './worker-deployment';
import { CONTROL_TASK_QUEUE } from './shared/control-queue';

/** Versioned workers load the workflows with their versioning behaviours; unversioned ones without (the server
 * refuses a behaviour from an unversioned worker). */
const WORKFLOWS_PATHS = { versioned: require.resolve('./workflows/versioned'), unversioned: require.resolve('./workflows') };

const bundles = new Map<boolean, Promise<WorkflowBundleWithSourceMap>>();
/** The workflow bundle is built once per process and shared by workers, tests and replay; the versioned one is what
 * production runs (`npm run build:workflows`, `deploy check`, replay tests). */
export function workflowBundle(versioned = true): Promise<WorkflowBundleWithSourceMap> {
  let bundle = bundles.get(versioned);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATHS[versioned ? 'versioned' : 'unversioned'], logger: quietBundlerLogger });
    bundles.set(versioned, bundle);
  }
  return bundle;
}

/** A prebuilt bundle (`npm run build:workflows`) spares production workers webpack's time and memory at start. */
async function workerBundle(config: Config): Promise<WorkflowBundleWithSourceMap | { codePath: string }> {
  if (!config.WORKFLOW_BUNDLE_PATH) return workflowBundle(config.WORKER_VERSIONING);
  if (!config.WORKER_VERSIONING) {
    throw new Error('WORKFLOW_BUNDLE_PATH is a versioned bundle and WORKER_VERSIONING=false runs unversioned: unset WORKFLOW_BUNDLE_PATH (the worker builds the unversioned workflows itself)');
  }
  return { codePath: config.WORKFLOW_BUNDLE_PATH };
}

/** The worker deployment version of the workflow code this configuration runs (the bundle's hash). */
export async function deploymentVersion(config: Config): Promise<DeploymentVersion> {
  const code = config.WORKFLOW_BUNDLE_PATH ? fs.readFileSync(config.WORKFLOW_BUNDLE_PATH, 'utf8') : (await workflowBundle()).code;
  return { deploymentName: config.WORKER_DEPLOYMENT_NAME, buildId: buildIdOf(code) };
}
const quietBundlerLogger = { trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => console.error(m), log() {} } as never;

export interface TemporalTarget {
  address: string;
  namespace: string;
  apiKey?: string;
  tls?: boolean | { clientCertPair: { crt: Buffer; key: Buffer } };
}

export function temporalTarget(config: Config, fallbackAddress: string): TemporalTarget {
  // An API key is a bearer credential: it never travels without TLS.
  if (config.TEMPORAL_API_KEY && config.TEMPORAL_TLS === false) {
    throw new ConfigError('Invalid configuration:\n  TEMPORAL_TLS: must not be false with TEMPORAL_API_KEY (the key would be sent in clear); remove TEMPORAL_TLS');
  }
  const tls = config.TEMPORAL_TLS_CERT_PATH && config.TEMPORAL_TLS_KEY_PATH
    ? { clientCertPair: { crt: fs.readFileSync(config.TEMPORAL_TLS_CERT_PATH), key: fs.readFileSync(config.TEMPORAL_TLS_KEY_PATH) } }
    : Boolean(config.TEMPORAL_API_KEY) || (config.TEMPORAL_TLS ?? false);
  return { address: config.TEMPORAL_ADDRESS ?? fallbackAddress, namespace: config.TEMPORAL_NAMESPACE, apiKey: config.TEMPORAL_API_KEY, tls };
}

export async function connectClient(target: TemporalTarget, connectTimeoutMs?: number): Promise<Client> {
  const connection = await Connection.connect({ address: target.address, tls: target.tls || undefined, apiKey: target.apiKey, connectTimeout: connectTimeoutMs });
  return new Client({ connection, namespace: target.namespace });
}

export interface MondayTarget {
  url: string;
  token: string;
}

export interface Services {
  store: Store;
  mapping: Mapping;
  monday: MondayClient;
  client: Client;
  /** Write audit, batch figures and worker status rows (issue 11). */
  operations: OperationsStore;
  workerStatus: WorkerStatusReporter;
}

export interface OpenOptions {
  /** Refuse a SQLite file that does not exist instead of creating it: only `start` and `db migrate` create the
   * database, so a mistyped SQLITE_FILE fails the command instead of reading (or syncing) an empty database. */
  mustExist?: boolean;
  /** With a mapping, the source is read for exactly the columns it reads. */
  mapping?: Mapping;
}

/** The database the configuration names: MSSQL_URL, the discrete MSSQL_* settings, or the embedded SQLite file. */
/** The configured database; with a mapping, the source is read for exactly the columns it reads (db/source.ts). */
export function openConfiguredStore(config: Config, opts: OpenOptions = {}): Promise<Store> {
  const mssql = mssqlSettings(config);
  const source = {
    name: config.MSSQL_SOURCE, collapse: { ...DEFAULT_COLLAPSE_RULE, share: config.SOURCE_COLLAPSE_SHARE },
    retentionDays: config.RETENTION_DAYS, ...(opts.mapping ? { spec: sourceSpecOf(opts.mapping) } : {}),
  };
  if (mssql) return openStore({ mssql, source });
  if (opts.mustExist && !fs.existsSync(config.SQLITE_FILE)) {
    return Promise.reject(new ConfigError(`SQLITE_FILE ${config.SQLITE_FILE} does not exist: check the path (\`npm start\` creates and seeds the embedded database; \`orders-sync db migrate\` creates an empty one)`));
  }
  return openStore({ sqliteFile: config.SQLITE_FILE, source });
}

/** Opens the database, loads the mapping and builds the Monday client and the Temporal client. */
export async function openServices(config: Config, temporal: TemporalTarget, monday: MondayTarget, opts: OpenOptions = {}): Promise<Services> {
  const mapping = loadMapping(config.MAPPING_FILE);
  const store = await openConfiguredStore(config, { ...opts, mapping });
  const budget = new MondayBudget({
    complexityPerMinute: config.MONDAY_COMPLEXITY_PER_MINUTE,
    requestsPerMinute: config.MONDAY_REQUESTS_PER_MINUTE,
    dailyCalls: config.MONDAY_DAILY_CALLS,
    maxConcurrentMutationsPerBoard: config.MONDAY_MAX_CONCURRENT_MUTATIONS,
    timeScale: config.MONDAY_TIME_SCALE,
  });
  const meter = Runtime.instance().metricMeter;
  const requests = meter.createCounter('orders_sync_monday_requests', 'requests', 'Monday API requests');
  const throttled = meter.createCounter('orders_sync_monday_rate_limited', 'requests', 'Monday 429 / rate-limit answers');
  const complexityUsed = meter.createCounter('orders_sync_monday_complexity', 'points', 'Monday complexity reported as used');
  const workerStatus = createWorkerStatus(budget);
  const mondayClient = new MondayClient({
    onRequest: (r) => {
      requests.add(1, { operation: r.operation.replace(/\d+$/, ''), outcome: r.errorCode ?? 'ok' });
      if (r.rateLimited) throttled.add(1);
      if (r.complexity) complexityUsed.add(r.complexity);
      workerStatus.onRequest(r);
    },
    url: monday.url, token: monday.token, apiVersion: config.MONDAY_API_VERSION, timeoutMs: config.MONDAY_TIMEOUT_MS,
    budget, maxConcurrentMutationsPerBoard: config.MONDAY_MAX_CONCURRENT_MUTATIONS, subitemBatchSize: config.MONDAY_SUBITEM_BATCH_SIZE,
  });
  const client = await connectClient(temporal);
  return { store, mapping, monday: mondayClient, client, operations: operationsOf(store), workerStatus };
}

/** What a worker needs: the activities' dependencies, and where it reports its status. */
export interface WorkerDeps extends ActivityDeps {
  workerStatus?: WorkerStatusReporter;
}

export function activityDeps(config: Config, services: Services): WorkerDeps {
  return {
    operations: services.operations, workerStatus: services.workerStatus,
    store: services.store, mapping: services.mapping, monday: services.monday, temporal: services.client,
    orderDefaults: orderDefaults(config),
    removedSizes: config.MONDAY_REMOVED_SIZES,
    missingItem: config.MONDAY_MISSING_ITEM,
    snapshotKeepDays: config.SNAPSHOT_KEEP_DAYS,
  };
}

/** What every order workflow is started with (by the sync and by `rerun`). */
export function orderDefaults(config: Config): ActivityDeps['orderDefaults'] & Pick<OrderWorkflowInput, 'selfRetryLimit'> {
  return {
    subitemBatchSize: config.MONDAY_SUBITEM_BATCH_SIZE, rerunWait: config.RERUN_WAIT,
    retryWindows: { monday: config.MONDAY_RETRY_WINDOW, database: config.DATABASE_RETRY_WINDOW },
    selfRetryAfter: config.ORDER_SELF_RETRY_AFTER,
    selfRetryLimit: config.SELF_RETRY_LIMIT,
  };
}

/**
 * The server-side ceiling for Monday activities, for all workers of the queue together: the rate at which even
 * the cheapest Monday activity (one 30,000-point mutation) would use up the account's minute budget in a tenth of
 * a minute. The budget (graphql/budget.ts) paces the real cost; this stops a crowd of workers before Monday must,
 * and still lets a lone worker spend the minute's budget at once (Monday allows it; issue 20: at a minute's pace
 * this ceiling alone made the demo 25 % slower than Monday's budget allows).
 */
export function mondayActivitiesPerSecond(config: Config): number {
  return config.MONDAY_ACTIVITIES_PER_SECOND ?? (config.MONDAY_COMPLEXITY_PER_MINUTE / 30_000 / 6) * config.MONDAY_TIME_SCALE;
}

export interface OrderWorkers {
  /** Runs both workers until shutdown() (or a shutdown signal) and they have drained. */
  run(): Promise<void>;
  shutdown(): void;
}

/** Task queues of a worker pair; `orders-sync acceptance` runs its own, so no other worker takes its tasks. */
export interface WorkerQueues {
  main: string;
  monday: string;
  /** Activities served beside the order activities (acceptance's). */
  extraActivities?: object;
  /** Control-plane Monday activities (shared/control-queue.ts); acceptance's workers leave it to the sync's. */
  control?: string;
}

export async function createWorkers(config: Config, temporal: TemporalTarget, deps: WorkerDeps, queues: WorkerQueues = { main: TASK_QUEUE, monday: MONDAY_TASK_QUEUE, control: CONTROL_TASK_QUEUE }): Promise<OrderWorkers> {
  const bundle = await workerBundle(config);
  const connection = await NativeConnection.connect({ address: temporal.address, tls: temporal.tls || undefined, apiKey: temporal.apiKey });
  const activities = {
    ...createActivities(deps),
    ...(deps.operations ? createRollbackActivities({ store: deps.store, operations: deps.operations, monday: deps.monday, mapping: deps.mapping, temporal: deps.temporal }) : {}),
    ...createAdoptionActivities({ ...deps, adoptionGuard: config.ADOPTION_GUARD, readShare: config.ADOPT_READ_SHARE }),
    ...createVerifyActivities({ ...deps, readShare: config.VERIFY_READ_SHARE }),
    ...createPreflightActivities(deps),
    ...createOrderCleanupActivities(deps),
    ...queues.extraActivities,
  };
  // Worker Versioning: every workflow type declares PINNED or AUTO_UPGRADE (workflows/versioning.ts);
  // PINNED is the default for any that would not.
  const version = config.WORKER_VERSIONING ? await deploymentVersion(config) : null;
  const common = {
    connection, namespace: temporal.namespace, activities,
    ...(version ? { workerDeploymentOptions: { version, useWorkerVersioning: true as const, defaultVersioningBehavior: 'PINNED' as const } } : {}),
    shutdownGraceTime: config.WORKER_SHUTDOWN_GRACE,
    // After the grace time activities are cancelled; this bounds the wait for any that ignore it.
    shutdownForceTime: msToNumber(config.WORKER_SHUTDOWN_GRACE) + 15_000,
  };
  const main = await Worker.create({
    ...common,
    taskQueue: queues.main,
    workflowBundle: bundle,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    // Each cached workflow costs memory; evicted ones are replayed from history when they next run
    // (sdk-typescript #2227). Measured: 500 cached ~540 MB peak RSS, 100 cached see docs/BENCHMARKS.md.
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
  });
  const mondayWorker = await Worker.create({
    ...common,
    taskQueue: queues.monday,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_MONDAY_ACTIVITIES,
    // Server-side limit for the whole queue, so many workers together stay inside Monday's budget.
    maxTaskQueueActivitiesPerSecond: mondayActivitiesPerSecond(config),
  });
  // Issue 18: adopt, rollback and verify are not queued behind the order backlog; same budget, same server ceiling.
  const controlWorker = queues.control ? await Worker.create({ ...common, taskQueue: queues.control, maxConcurrentActivityTaskExecutions: 4, maxTaskQueueActivitiesPerSecond: mondayActivitiesPerSecond(config) }) : null;
  const workers = [main, mondayWorker, ...(controlWorker ? [controlWorker] : [])];
  return {
    async run() {
      const stopStatus = deps.workerStatus && deps.operations
        ? deps.workerStatus.start({ store: deps.store, operations: deps.operations, meter: Runtime.instance().metricMeter, boardId: deps.mapping.items.boardId, temporal: deps.temporal })
        : null;
      let stopped = false;
      let promoting: Promise<boolean> | null = null;
      try {
        const running = Promise.all(workers.map((w) => w.run())).finally(() => { stopped = true; });
        if (version && deps.temporal) promoting = promoteIfNoCurrent(deps.temporal, version, () => stopped);
        await running;
      } finally {
        // Its last call ends before the caller closes the client (a retry on a closed channel throws from a timer).
        await promoting?.catch(() => false);
        await stopStatus?.();
        await connection.close();
      }
    },
    shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    },
  };
}

/** Warnings and errors on stderr, without the Monday queue's expected "No workflows registered" notice. */
export function workerLogger(): DefaultLogger {
  return new DefaultLogger('WARN', (entry) => {
    if (entry.message.startsWith('No workflows registered')) return;
    const meta = entry.meta && Object.keys(entry.meta).length ? ` ${JSON.stringify(entry.meta, errorReplacer)}` : '';
    process.stderr.write(`${new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString()} [${entry.level}] ${entry.message}${meta}\n`);
  });
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}
