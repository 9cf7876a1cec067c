// `orders-sync <command>`: what people type. Every command has --help.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Runtime, type Logger } from '@temporalio/worker';
import { loadConfig, ConfigError, syncInputOf, type Config } from '../config';
import { start } from './start';
import { temporalFor, mondayFor } from './targets';
import { applySchedule, applyVerifySchedule, describeSchedule, pausedLine, schedulePause } from './schedule';
import { runSyncOnce, summaryLine, waitingLines } from './sync-once';
import { dryRun } from './dry-run';
import { rerunFailed, rerunOrder, showStatus } from './orders';
import { doctor } from './doctor';
import { runAcceptance } from './acceptance';
import { describeRollback, rollbackFailures, runRollback } from './rollback';
import { watchStatus } from './watch';
import { mappingCheck, mappingPreview } from './mapping';
import { activityDeps, connectClient, createWorkers, openServices, workerLogger, openConfiguredStore } from '../worker';
import { SCHEDULE_ID } from '../shared/temporal';
import { loadMapping } from '../mapping';
import { runBoardAdopt, reportLines } from './board';
import { runVerify, verifyExitCode } from './verify';
import { WorkflowFailedError } from '@temporalio/client';
import { log, UsageError, type Command } from './command';
import { handleInterrupts, ignoredInterrupts } from './interrupt';
import { refusalBeforePolling } from './preflight';
import { createStackLog, type StackLog } from './stack-log';
import { inspectionCommands } from './inspect';
import { monitoringCommands } from './monitoring';
import { deployCommands } from './deploy';
import { holdCommands } from './hold';
import { msToNumber } from '@temporalio/common/lib/time';

const commands: Record<string, Command> = {
  start: {
    usage: 'start [--once] [--force]',
    summary: 'Start everything (embedded Temporal, SQLite with demo orders, Monday sandbox, worker) and run the sync schedule; --once syncs every pending order, prints one summary line and exits. The SDK\'s own log goes to .data/worker.log.',
    options: {
      once: { type: 'boolean', description: 'sync every pending order, then stop everything and exit (0 only if every order synced)' },
      force: { type: 'boolean', description: 'sync even while the schedule is paused (orders-sync schedule pause)' },
    },
    runsWorker: true,
    run: (config, a, interruption) => start(config, { once: Boolean(a.values.once), force: Boolean(a.values.force), log, interruption, stackLog: stackLog! }),
  },
  worker: {
    usage: 'worker',
    summary: 'Run a worker against TEMPORAL_ADDRESS (or the local dev server): workflows + database activities, and the rate-limited Monday activities. It first checks the Monday token and the mapping against the boards and does not start when they cannot work. SIGTERM drains in-flight activities within WORKER_SHUTDOWN_GRACE.',
    runsWorker: true,
    async run(config, _a, interruption) {
      const target = temporalFor(config);
      const services = await openServices(config, target, mondayFor(config), { mustExist: true });
      interruption.onStop(() => closeServices(services));
      const refusal = await refusalBeforePolling(services.monday, services.mapping, log);
      if (refusal) {
        console.error(refusal);
        await closeServices(services);
        return 1;
      }
      const workers = await createWorkers(config, target, activityDeps(config, services));
      const running = workers.run();
      // A stopped worker drains: in-flight activities get WORKER_SHUTDOWN_GRACE, then are cancelled and retried elsewhere.
      interruption.onStop(async () => { workers.shutdown(); await running; });
      interruption.allowStopFor(msToNumber(config.WORKER_SHUTDOWN_GRACE) + 20_000);
      interruption.exitCodeOnStop(0);
      interruption.leaves('activities that did not finish within WORKER_SHUTDOWN_GRACE are retried by another worker, or by this one when it starts again');
      log(`worker connected to ${target.address} (namespace ${target.namespace}); Ctrl-C or SIGTERM to stop`);
      await running;
      await closeServices(services);
      return 0;
    },
  },
  schedule: {
    usage: 'schedule apply|pause|unpause|trigger|describe [--note TEXT] [--nightly-verify HH:MM|off] [--force]',
    summary: `Manage the Temporal Schedule "${SCHEDULE_ID}" that runs the sync every SYNC_INTERVAL (overlap SKIP). trigger does nothing while the schedule is paused, unless --force.`,
    options: {
      note: { type: 'string', description: 'a note recorded with pause/unpause' },
      'nightly-verify': { type: 'string', description: 'with apply: a whole-board orders-sync verify every night at this UTC time (HH:MM), report only; off removes it' },
      force: { type: 'boolean', description: 'trigger: run a sync even while the schedule is paused' },
    },
    async run(config, a) {
      const client = await connectClient(temporalFor(config));
      const handle = client.schedule.getHandle(SCHEDULE_ID);
      const note = typeof a.values.note === 'string' ? a.values.note : undefined;
      try {
        switch (a.positionals[0]) {
          case 'apply':
            // The nightly verify first: a malformed time refuses before anything changed.
            if (typeof a.values['nightly-verify'] === 'string') log(await applyVerifySchedule(client, config, a.values['nightly-verify']));
            log(`schedule ${await applySchedule(client, config)}`);
            break;
          case 'pause': await handle.pause(note ?? 'paused from orders-sync'); log('schedule paused'); break;
          case 'unpause': await handle.unpause(note ?? 'unpaused from orders-sync'); log('schedule unpaused'); break;
          case 'trigger': {
            const paused = await schedulePause(client);
            if (paused !== null && !a.values.force) {
              console.error(pausedLine(paused, 'orders-sync schedule trigger'));
              return 1;
            }
            await handle.trigger();
            log(`sync triggered${paused !== null ? ' although the schedule is paused (--force)' : ''} (skipped if one is already running); follow it with: orders-sync status --watch`);
            break;
          }
          case 'describe': console.log(await describeSchedule(client)); break;
          default: throw new UsageError('schedule needs one of: apply, pause, unpause, trigger, describe');
        }
      } finally {
        await client.connection.close();
      }
      return 0;
    },
  },
  sync: {
    usage: 'sync --once [--customer NAME] [--po NUMBER] [--dry-run] [--force]',
    summary: 'Run one sync now on a running worker and wait for every dispatched order (not while the schedule is paused, unless --force); --dry-run prints what the sync would create or update, with the column changes per order line and the expected Monday complexity, sending no mutation.',
    options: {
      force: { type: 'boolean', description: 'sync even while the schedule is paused (orders-sync schedule pause)' },
      once: { type: 'boolean', description: 'run one sync and wait for it (the only mode; the schedule runs the rest)' },
      customer: { type: 'string', description: 'only this canonical customer, e.g. GREYSON' },
      po: { type: 'string', description: 'only this PO NUMBER' },
      'dry-run': { type: 'boolean', description: 'show what would be sent; write nothing' },
    },
    async run(config, a, interruption) {
      const customer = a.values.customer as string | undefined;
      const po = a.values.po as string | undefined;
      if (a.values['dry-run']) return dryRun(config, { customer, po });
      if (!a.values.once) throw new UsageError('sync needs --once (or --dry-run); the schedule runs recurring syncs');
      const client = await connectClient(temporalFor(config));
      const store = await openConfiguredStore(config, { mustExist: true });
      try {
        const paused = await schedulePause(client);
        if (paused !== null && !a.values.force) {
          console.error(pausedLine(paused, 'orders-sync sync --once'));
          return 1;
        }
        interruption.leaves('the sync goes on in the workers; `orders-sync status --watch` follows it');
        const summary = await runSyncOnce(client, store, { ...syncInputOf(config), customer, po }, log);
        console.log(summaryLine(summary));
        for (const line of waitingLines(summary)) console.log(line);
        return summary.failed === 0 ? 0 : 1;
      } finally {
        await store.close();
        await client.connection.close();
      }
    },
  },
  rerun: {
    usage: 'rerun <order-key> | rerun --failed [--customer NAME] [--po NUMBER]',
    summary: 'Rerun one order line after a fix (signal-with-start: wakes a FAILED order that waits, or starts a new run), or with --failed every order line staging holds as FAILED, optionally of one customer or PO, whether its workflow still waits or has ended. A line the mapping rejects, whose key is duplicated, or that is not in ORDERS_UNIFIED is not rerun: the command says why (fix the row; the next sync picks it up). The key is "AAG ORDER NUMBER|CUSTOMER STYLE|CUSTOMER COLOUR DESCRIPTION".',
    options: {
      failed: { type: 'boolean', description: 'rerun every order line whose staging status is FAILED' },
      customer: { type: 'string', description: 'with --failed: only this canonical customer, e.g. GREYSON' },
      po: { type: 'string', description: 'with --failed: only this PO NUMBER' },
    },
    run(config, a) {
      const customer = a.values.customer as string | undefined;
      const po = a.values.po as string | undefined;
      if (a.values.failed) {
        if (a.positionals.length > 0) throw new UsageError('rerun takes an order key or --failed, not both');
        return rerunFailed(config, { customer, po });
      }
      if (customer !== undefined || po !== undefined) throw new UsageError('--customer and --po go with --failed');
      return rerunOrder(config, a.positionals[0]);
    },
  },
  status: {
    usage: 'status [<order-key>] [--watch]',
    summary: 'Counts per staging status and the latest failures, or one order line\'s progress; --watch shows the running sync live (done/total, rate, ETA, Monday budget, latest failures).',
    options: { watch: { type: 'boolean', description: 'refresh every 2 s until Ctrl-C' } },
    async run(config, a, interruption) {
      if (!a.values.watch) return showStatus(config, a.positionals[0]);
      const store = await openConfiguredStore(config, { mustExist: true });
      interruption.onStop(() => store.close());
      // Watching is all it does: stopping it is the normal end.
      interruption.exitCodeOnStop(0);
      await watchStatus(store, { signal: interruption.signal });
      return 0;
    },
  },
  rollback: {
    usage: 'rollback --batch <id> [--apply]',
    summary: 'Roll one sync batch back on Monday: archive what it created, write back the values and quantities it replaced, mark staging so the next sync does not redo it. Dry run unless --apply; runs as a workflow on a worker, safe to run again.',
    options: {
      batch: { type: 'string', description: 'the batch id (MON_BatchProcessing.batch_id, shown by npm start and the sync summary)' },
      apply: { type: 'boolean', description: 'act; without it only the plan is printed' },
    },
    async run(config, a, interruption) {
      if (typeof a.values.batch !== 'string') throw new UsageError('rollback needs --batch <id>');
      const client = await connectClient(temporalFor(config));
      const store = await openConfiguredStore(config, { mustExist: true });
      interruption.leaves(`the rollback goes on in the workers; run the same command again to follow it to its result`);
      try {
        const result = await runRollback(client, store, { batchId: a.values.batch, apply: Boolean(a.values.apply) }, log);
        for (const line of await describeRollback(store, result)) console.log(line);
        return rollbackFailures(result) === 0 ? 0 : 1;
      } finally {
        await store.close();
        await client.connection.close();
      }
    },
  },
  doctor: {
    usage: 'doctor',
    summary: 'Check Temporal, the database, Monday and the mapping against the board, with what to do about each problem.',
    run: (config) => doctor(config),
  },
  acceptance: {
    usage: 'acceptance [--po <PO>] [--keep]',
    summary: 'The live check before go-live: one PO synced into a scratch copy of the items board and compared column by column. It copies the board\'s structure (duplicate_board), syncs the PO through the normal order workflow, reads every item and subitem back and compares each column and size with what the mapping produced; prints a pass/fail table, deletes the scratch board, and exits 0 only if everything matched. Never writes to the mapping\'s boards or staging tables.',
    options: {
      po: { type: 'string', description: 'the PO NUMBER to sync (default: the first PO in ORDERS_UNIFIED that the mapping accepts)' },
      keep: { type: 'boolean', description: 'keep the scratch board to look at it (delete it by hand afterwards)' },
    },
    ownsInterrupts: true,
    run: (config, a) => runAcceptance(config, { po: a.values.po as string | undefined, keep: Boolean(a.values.keep), log }),
  },
  mapping: {
    usage: 'mapping check | mapping preview --input rows.json',
    summary: 'check: validate the mapping file and, when a board is reachable, compare it with the board. preview: transform a JSON array of ORDERS_UNIFIED rows and print the Monday payloads.',
    options: { input: { type: 'string', description: 'preview: a JSON file holding an array of ORDERS_UNIFIED rows' } },
    async run(config, a) {
      if (a.positionals[0] === 'check') return mappingCheck(config);
      if (a.positionals[0] === 'preview') {
        if (typeof a.values.input !== 'string') throw new UsageError('mapping preview needs --input rows.json');
        return mappingPreview(config, a.values.input);
      }
      throw new UsageError('mapping needs: check, or preview --input rows.json');
    },
  },
  board: {
    usage: 'board adopt [--apply] [--archive-duplicates] [--write-keys] [--report FILE]',
    summary: 'Adopt what the board already holds before the first sync: match every item to an order line (key column, then AAG ORDER NUMBER/STYLE/COLOR, then item name) and report; --apply links them in staging so the next sync updates them (writing the key column in that update) instead of creating them; --archive-duplicates archives extra items and duplicate sizes (audited, restorable). Dry run by default.',
    options: {
      apply: { type: 'boolean', description: 'link matched order lines and sizes in staging (creates nothing, changes no column value); the next sync updates every adopted item and writes its key column' },
      'archive-duplicates': { type: 'boolean', description: 'with --apply: archive duplicate items and duplicate-size subitems, each recorded in MON_AdoptionArchive' },
      'write-keys': { type: 'boolean', description: 'with --apply: also write the key column now, one mutation per item (about 6 Monday minutes per 1,000 items at half the budget), for the key on the board before the schedule starts' },
      report: { type: 'string', description: 'where to write the full report: .csv (default board-adopt-report.csv) or .json' },
    },
    async run(config, a, interruption) {
      if (a.positionals[0] !== 'adopt') throw new UsageError('board needs: adopt');
      const client = await connectClient(temporalFor(config));
      const store = await openConfiguredStore(config, { mustExist: true });
      interruption.leaves('the adoption goes on in the workers; run the same command again to follow it (it joins the running one)');
      try {
        const opts = {
          apply: Boolean(a.values.apply), archiveDuplicates: Boolean(a.values['archive-duplicates']), writeKeys: Boolean(a.values['write-keys']),
          reportFile: typeof a.values.report === 'string' ? a.values.report : 'board-adopt-report.csv', boardId: loadMapping(config.MAPPING_FILE).items.boardId,
        };
        if (opts.archiveDuplicates && !opts.apply) throw new UsageError('--archive-duplicates needs --apply');
        if (opts.writeKeys && !opts.apply) throw new UsageError('--write-keys needs --apply');
        const result = await runBoardAdopt(client, store, opts, log);
        for (const line of reportLines(result, opts)) console.log(line);
        return 0;
      } finally {
        await store.close();
        await client.connection.close();
      }
    },
  },
  verify: {
    usage: 'verify [--customer NAME] [--po NUMBER] [--report FILE] [--repair]',
    summary: 'Check that the board says what ORDERS_UNIFIED says: read both boards (paged, the mapped columns, within VERIFY_READ_SHARE of the budget), compare with what the mapping makes of every order line and report drift by class; exit 0 only with no drift. --repair sends each drifting order line through the order workflow and archives duplicate and orphan items (audited, never deleted).',
    options: {
      customer: { type: 'string', description: 'only this canonical customer\'s order lines, e.g. GREYSON' },
      po: { type: 'string', description: 'only this PO NUMBER\'s order lines' },
      report: { type: 'string', description: 'write every drift row to this file: .csv or .json' },
      repair: { type: 'boolean', description: 'repair what drifted and wait for it (exit 0 when every drifting order line was repaired); run verify again to confirm' },
    },
    async run(config, a) {
      const client = await connectClient(temporalFor(config));
      const store = await openConfiguredStore(config);
      try {
        const report = typeof a.values.report === 'string' ? a.values.report : null;
        if (report !== null && !/\.(csv|json)$/i.test(report)) throw new UsageError('--report needs a file name ending in .csv or .json');
        const opts = {
          scope: { customer: (a.values.customer as string | undefined) ?? null, po: (a.values.po as string | undefined) ?? null },
          repair: Boolean(a.values.repair), reportFile: report, boardId: loadMapping(config.MAPPING_FILE).items.boardId,
        };
        const result = await runVerify(client, store, opts, log);
        for (const line of result.lines) console.log(line);
        return verifyExitCode(result.summary);
      } finally {
        await store.close();
        await client.connection.close();
      }
    },
  },
  db: {
    usage: 'db migrate',
    summary: 'Create or upgrade the staging, error and batch tables (idempotent). SQLite also gets ORDERS_UNIFIED.',
    async run(config, a) {
      if (a.positionals[0] !== 'migrate') throw new UsageError('db needs: migrate');
      // The one command (with start) that creates the database.
      const store = await openConfiguredStore(config);
      await store.migrate();
      await store.close();
      log(`migrations applied (${store.dialect})`);
      return 0;
    },
  },
  ...inspectionCommands,
  ...monitoringCommands,
  ...deployCommands,
  ...holdCommands,
};

/** `start`'s SDK log: JSON lines in a file, one readable line per failure or retry burst on the terminal. */
let stackLog: StackLog | undefined;

async function closeServices(services: { store: { close(): Promise<void> }; client: { connection: { close(): Promise<void> } } }): Promise<void> {
  await services.store.close().catch(() => undefined);
  await services.client.connection.close().catch(() => undefined);
}

/** Only a command that runs a Worker serves metrics: a CLI command beside a worker must not take (or fail on) its port. */
function runtimeOptions(config: Config, cmd: Command, logger: Logger) {
  const host = config.METRICS_HOST.includes(':') ? `[${config.METRICS_HOST}]` : config.METRICS_HOST;
  const metrics = cmd.runsWorker && config.METRICS_PORT !== undefined ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `${host}:${config.METRICS_PORT}` } } } } : {};
  // No shutdown signals: cli/interrupt.ts owns Ctrl-C and SIGTERM for every command (the runtime's handlers kept
  // commands without a Worker from stopping at all).
  return { logger, shutdownSignals: [], ...metrics };
}

function help(name?: string): string {
  const cmd = name ? commands[name] : undefined;
  if (cmd) {
    const opts = Object.entries(cmd.options ?? {}).map(([k, o]) => `  --${k}${o.type === 'string' ? ' <value>' : ''}  ${o.description}`);
    return [`usage: orders-sync ${cmd.usage}`, '', cmd.summary, ...(opts.length ? ['', 'options:', ...opts] : []), '  --help  show this help'].join('\n');
  }
  const lines = Object.values(commands).map((c) => `  ${c.usage.padEnd(58)} ${c.summary.split('. ')[0]}`);
  return ['usage: orders-sync <command> [options]', '', 'commands:', ...lines, '', 'orders-sync <command> --help shows more. Configuration comes from environment variables (see README).'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? 0 : 1;
  }
  const cmd = commands[name];
  if (!cmd) {
    console.error(`unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  const options = { help: { type: 'boolean' as const }, ...Object.fromEntries(Object.entries(cmd.options ?? {}).map(([k, o]) => [k, { type: o.type }])) };
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${help(name)}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(help(name));
    return 0;
  }
  // acceptance handles Ctrl-C / SIGTERM itself (cli/acceptance.ts): its worker must outlive the signal to delete the
  // scratch board, which takes longer than the stop steps of other commands may.
  const interruption = cmd.ownsInterrupts ? ignoredInterrupts() : handleInterrupts(log);
  try {
    const config = loadConfig();
    if (name === 'start') stackLog = createStackLog(path.join(config.DATA_DIR, 'worker.log'), log);
    Runtime.install(runtimeOptions(config, cmd, stackLog?.logger ?? workerLogger()));
    return await cmd.run(config, { positionals: parsed.positionals, values: parsed.values as Record<string, string | boolean | undefined> }, interruption);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${help(name)}`);
      return 2;
    }
    // A failed workflow (the adoption guard, a SQL error no retry can fix) says why in its innermost cause (workflow →
    // activity → application failure): print that line, not the wrappers.
    const message = err instanceof WorkflowFailedError ? innermostCause(err).message : (err as Error).message;
    console.error(err instanceof ConfigError ? err.message : `orders-sync ${name} failed: ${message}`);
    return 1;
  } finally {
    stackLog?.flush();
    // Stopped by a signal: the interrupt handler finishes the stop steps, says what is left and exits.
    if (interruption.signal.aborted) await new Promise(() => undefined);
    interruption.dispose();
  }
}

/** Entry point of bin/orders-sync.js. */
export function runCli(): void {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}

/** The deepest cause of a failure chain that carries a message of its own. */
function innermostCause(err: Error): Error {
  let e: Error = err;
  while (e.cause instanceof Error && e.cause.message) e = e.cause;
  return e;
}
