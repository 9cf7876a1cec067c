// `orders-sync start`: the whole system on embedded defaults (Temporal dev server, SQLite with demo orders,
// Monday sandbox) or on the real services that the environment names. Everything it starts, it stops.
import path from 'node:path';
import { embeddedServices, syncInputOf, type Config } from '../config';
import { startDevServer, type DevServer } from './dev-server';
import { takeStartLock } from './dev-server-lock';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { activityDeps, createWorkers, openServices, temporalTarget, type Services } from '../worker';
import { seedDemoData } from '../db/demo-data';
import { runSyncOnce, summaryLine, waitingLines } from './sync-once';
import { applySchedule, pausedLine, schedulePause } from './schedule';
import { SANDBOX_TOKEN } from './targets';
import { reportFinishedSyncs } from './sync-reporter';
import { refusalBeforePolling } from './preflight';
import type { Interruption } from './interrupt';
import type { StackLog } from './stack-log';

export interface StartOptions {
  once: boolean;
  /** Sync even while the schedule is paused. */
  force: boolean;
  log: (line: string) => void;
  interruption: Interruption;
  stackLog: StackLog;
}

/** Returns the process exit code. */
export async function start(config: Config, opts: StartOptions): Promise<number> {
  const embedded = embeddedServices(config);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err) => opts.log(`while stopping: ${(err as Error).message}`));
    stops.length = 0;
  };
  opts.interruption.onStop(stopAll);
  opts.interruption.leaves(`order lines still syncing are kept in the Temporal history (${embedded.temporal ? path.join(config.DATA_DIR, 'temporal.db') : 'your cluster'}) and carry on with the next start`);

  try {
    const lock = await takeStartLock(config.DATA_DIR, opts.log);
    stops.push(async () => lock.release());
    opts.log(`SDK log (JSON lines): ${opts.stackLog.file}; failures and retries are summarised here`);
    let temporal: DevServer | undefined;
    if (embedded.temporal) {
      temporal = await startDevServer({
        port: config.TEMPORAL_PORT, uiPort: config.TEMPORAL_UI_PORT,
        dbFile: path.join(config.DATA_DIR, 'temporal.db'), logFile: path.join(config.DATA_DIR, 'temporal.log'),
        onSpawn: (pid) => lock.devServerStarted(pid),
      });
      stops.push(() => temporal!.stop());
      opts.log(`Temporal dev server on ${temporal.address} (CLI from ${temporal.cliSource}); Web UI: ${temporal.uiUrl}`);
    }
    let sandbox: Sandbox | undefined;
    if (embedded.monday) {
      sandbox = await startSandbox({ port: config.SANDBOX_PORT, dbFile: path.join(config.DATA_DIR, 'sandbox.db'), tokens: [SANDBOX_TOKEN] });
      stops.push(() => sandbox!.close());
      opts.log(`Monday sandbox: ${sandbox.baseUrl}/ (GraphQL at ${sandbox.url})`);
    }
    const target = temporalTarget(config, temporal?.address ?? `127.0.0.1:${config.TEMPORAL_PORT}`);
    const services: Services = await openServices(config, target, {
      url: sandbox?.url ?? config.MONDAY_API_URL ?? 'https://api.monday.com/v2',
      token: sandbox ? SANDBOX_TOKEN : config.MONDAY_API_TOKEN!,
    });
    stops.push(async () => {
      await services.store.close();
      await services.client.connection.close();
    });
    // Said on Ctrl-C: how many order lines were still syncing (they resume with the next start).
    opts.interruption.onStop(async () => {
      const unfinished = await services.store.countUnfinished().catch(() => null);
      if (unfinished === 0) opts.interruption.leaves(null);
      else if (unfinished !== null) opts.interruption.leaves(`${unfinished} order line(s) still syncing are kept in the Temporal history and carry on with the next start`);
    });
    if (embedded.database) {
      const seeded = await seedDemoData(services.store);
      opts.log(`SQLite database ${config.SQLITE_FILE}${seeded > 0 ? ` seeded with ${seeded} demo order lines` : ''}`);
    }
    const refusal = await refusalBeforePolling(services.monday, services.mapping, opts.log);
    if (refusal) {
      console.error(refusal);
      return 1;
    }
    const paused = await schedulePause(services.client);
    if (paused !== null && opts.once && !opts.force) {
      console.error(pausedLine(paused, 'orders-sync start --once'));
      return 1;
    }

    // Ctrl-C on the interactive stack should not wait out a production worker's grace time.
    const workerConfig = process.env.WORKER_SHUTDOWN_GRACE ? config : { ...config, WORKER_SHUTDOWN_GRACE: '5s' as const };
    const workers = await createWorkers(workerConfig, target, activityDeps(config, services));
    const running = workers.run();
    stops.push(async () => {
      workers.shutdown();
      await running;
    });

    if (opts.once) {
      const summary = await runSyncOnce(services.client, services.store, syncInputOf(config), (line) => opts.log(line));
      if (summary.rejectedRows > 0) {
        opts.log(`${summary.rejectedRows} source rows were rejected by the mapping and recorded in ERR_MON_CustMasterSchedule (orders-sync errors shows them)`);
      }
      console.log(summaryLine(summary));
      for (const line of waitingLines(summary)) console.log(line);
      return summary.failed === 0 ? 0 : 1;
    }
    await applySchedule(services.client, config, { triggerNow: paused === null || opts.force });
    if (paused !== null && !opts.force) opts.log(pausedLine(paused, 'orders-sync start'));
    opts.log(`Sync schedule applied (every ${config.SYNC_INTERVAL})${paused === null || opts.force ? ' and triggered' : ''}. Ctrl-C stops everything.`);
    const stopReporting = reportFinishedSyncs(services.store, { log: opts.log, webUiUrl: temporal?.uiUrl ?? undefined });
    stops.push(async () => stopReporting());
    await running;
    return 0;
  } finally {
    if (!opts.interruption.signal.aborted) await stopAll();
  }
}
