// `orders-sync` as people run it: a child process through bin/orders-sync.js, its output collected.
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';

const BIN = path.resolve(__dirname, '..', '..', 'bin/orders-sync.js');

export interface CliProcess {
  child: ChildProcess;
  /** stdout and stderr as they arrive. */
  output(): string;
  /** Resolves when the output matches (rejects after timeoutMs, or when the process ends first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Exit code (or signal name) and how long after `since` it ended. */
  exited(since?: number): Promise<{ code: number | string | null; ms: number }>;
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exit = new Promise<{ code: number | string | null; at: number }>((resolve) => child.once('exit', (code, signal) => resolve({ code: code ?? signal, at: Date.now() })));
  return {
    child,
    output: () => out,
    async waitFor(pattern, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(out)) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`orders-sync ${args.join(' ')} ended before ${pattern}:\n${out}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async exited(since = Date.now()) {
      const e = await exit;
      return { code: e.code, ms: e.at - since };
    },
  };
}

/** Whether a process id is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs a command to its end: exit code and output. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | string | null; out: string }> {
  const p = spawnCli(args, env);
  const { code } = await p.exited();
  return { code, out: p.output() };
}
