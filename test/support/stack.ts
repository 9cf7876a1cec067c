// The real system for integration tests: a Temporal dev server on free ports, a real SQLite file,
// the Monday sandbox over HTTP and an in-process worker, built from the same parts as `orders-sync start`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Runtime } from '@temporalio/worker';
import { loadConfig, type Config } from '../../config';
import { startDevServer, type DevServer } from '../../cli/dev-server';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';
import { activityDeps, createWorkers, openServices, temporalTarget, workerLogger, type OrderWorkers, type Services } from '../../worker';
import { SANDBOX_TOKEN } from '../../cli/targets';

/** Effectively no complexity limit (Monday's `complexity` fields are 32-bit Ints). */
const UNLIMITED = 2_000_000_000;

export interface Stack extends Services {
  config: Config;
  dir: string;
  temporal: DevServer;
  sandbox: Sandbox;
  /** Starts an in-process worker (call stopWorker before starting another). */
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  /** Environment for a child process (`orders-sync worker`) that joins this stack. */
  childEnv(): NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function startStack(opts: { env?: Record<string, string>; sandbox?: SandboxOptions; worker?: boolean; devServerArgs?: string[] } = {}): Promise<Stack> {
  quietRuntime();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-sync-test-'));
  const temporal = await startDevServer({ port: 0, uiPort: null, dbFile: null, logFile: path.join(dir, 'temporal.log'), extraArgs: opts.devServerArgs });
  // Monday's real per-minute budget would make every test last minutes; tests that are about limits set their own.
  const sandbox = await startSandbox({
    port: 0, dbFile: path.join(dir, 'sandbox.db'), tokens: [SANDBOX_TOKEN],
    ...opts.sandbox, limits: { complexityPerMinute: UNLIMITED, ...opts.sandbox?.limits },
  });
  const env = {
    TEMPORAL_ADDRESS: temporal.address,
    SQLITE_FILE: path.join(dir, 'orders.db'),
    SANDBOX_PORT: new URL(sandbox.url).port,
    RERUN_WAIT: '10m',
    WORKER_SHUTDOWN_GRACE: '2s',
    MONDAY_COMPLEXITY_PER_MINUTE: String(UNLIMITED),
    ...opts.env,
  };
  const config = loadConfig(env);
  const target = temporalTarget(config, temporal.address);
  const services = await openServices(config, target, { url: sandbox.url, token: SANDBOX_TOKEN });
  let workers: OrderWorkers | undefined;
  let running: Promise<void> | undefined;

  const stack: Stack = {
    ...services, config, dir, temporal, sandbox,
    async startWorker() {
      workers = await createWorkers(config, target, activityDeps(config, services));
      running = workers.run();
    },
    async stopWorker() {
      workers?.shutdown();
      await running;
      workers = undefined;
    },
    childEnv: () => ({ ...process.env, ...env }),
    async stop() {
      await stack.stopWorker();
      await services.client.connection.close();
      await services.store.close();
      await sandbox.close();
      await temporal.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  if (opts.worker !== false) await stack.startWorker();
  return stack;
}

let runtimeInstalled = false;
/** Worker logs at WARN, so test output shows what matters. */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: workerLogger() });
  } catch {
    // already installed in this process
  }
}
