// Shared by `npm run bench` and `npm run chaos`: a worker as its own process (so it can be measured and
// killed), the board read back for duplicates, and order latencies from Temporal's visibility.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { workflowBundle } from '../../worker';
import type { Stack } from '../../test/support/stack';
import { readBoard } from '../../test/support/board';

const ROOT = path.resolve(__dirname, '../..');

export interface WorkerProcess {
  child: ChildProcess;
  /** Peak resident memory so far (VmHWM), in MB. */
  peakRssMb(): number;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/**
 * The worker's recommended V8 limits (docs/RUNBOOK.md §2): a bounded heap keeps RSS predictable. Without
 * them V8 grows the heap lazily on a large machine (measured: ~480 MB peak RSS for 500 order lines).
 */
export const WORKER_NODE_OPTIONS = '--max-old-space-size=128 --max-semi-space-size=2';

let bundlePath: string | undefined;
/** Workers start from a prebuilt workflow bundle, as in production (no webpack in the measured process). */
async function prebuiltBundle(): Promise<string> {
  if (!bundlePath) {
    const { code } = await workflowBundle();
    bundlePath = path.join(os.tmpdir(), `orders-sync-workflow-bundle-${process.pid}.js`);
    fs.writeFileSync(bundlePath, code);
  }
  return bundlePath;
}

export async function startWorkerProcess(stack: Stack, env: Record<string, string> = {}, logFile?: string): Promise<WorkerProcess> {
  const out = logFile ? fs.openSync(logFile, 'a') : 'ignore';
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/orders-sync.js'), 'worker'], {
    env: { ...stack.childEnv(), NODE_OPTIONS: WORKER_NODE_OPTIONS, WORKFLOW_BUNDLE_PATH: await prebuiltBundle(), ...env },
    stdio: ['ignore', out, out],
  });
  let peak = 0;
  const sample = () => {
    try {
      const kb = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
      if (kb) peak = Math.max(peak, Number(kb) / 1024);
    } catch {
      // the process has exited
    }
  };
  const timer = setInterval(sample, 250);
  child.once('exit', () => clearInterval(timer));
  return {
    child,
    peakRssMb: () => (sample(), peak),
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    },
  };
}

export interface DuplicateReport {
  items: number;
  duplicateItems: number;
  subitems: number;
  duplicateSubitems: number;
}

/** Reads the board back through the API and counts items sharing an order key and subitems sharing a size. */
export async function findDuplicates(stack: Stack): Promise<DuplicateReport> {
  // Reading a whole board with its subitems is expensive; the audit must not be throttled by the run's limits.
  stack.sandbox.setLimits({ complexityPerMinute: 2_000_000_000, requestsPerMinute: 1_000_000, dailyCalls: 1_000_000_000 });
  stack.sandbox.setFaults({ serverErrorRate: 0, commitThenDropRate: 0, latencyMs: { min: 0, max: 0 } });
  const board = await readBoard(stack.sandbox.url, stack.mapping.items.boardId);
  const keys = new Map<string, number>();
  let subitems = 0;
  let duplicateSubitems = 0;
  for (const item of board) {
    const key = item.values[stack.mapping.items.keyColumnId]?.text ?? '';
    keys.set(key, (keys.get(key) ?? 0) + 1);
    const sizes = item.subitems.map((s) => s.values[stack.mapping.subitems.sizeColumnId]?.text);
    subitems += sizes.length;
    duplicateSubitems += sizes.length - new Set(sizes).size;
  }
  const duplicateItems = [...keys.values()].reduce((n, c) => n + c - 1, 0);
  return { items: board.length, duplicateItems, subitems, duplicateSubitems };
}

/** Start-to-close seconds of every finished order workflow. */
export async function orderLatencies(stack: Stack): Promise<number[]> {
  const latencies: number[] = [];
  for await (const wf of stack.client.workflow.list({ query: `WorkflowType="orderWorkflow" AND ExecutionStatus="Completed"` })) {
    if (wf.closeTime) latencies.push((wf.closeTime.getTime() - wf.startTime.getTime()) / 1000);
  }
  return latencies.sort((a, b) => a - b);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function log(line: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** Runs a bench to its end and exits: 0 when it finished, 1 with the error when it threw (workers and servers it
 * started are stopped by its own finally blocks). */
export function runBench(main: () => Promise<void>): void {
  main().then(() => process.exit(0), (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
