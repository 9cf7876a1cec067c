// `start`'s lock on its data directory (DATA_DIR/start.lock): which `start` runs there and which Temporal dev server
// it started. `kill -9` of `start` cannot stop its child, so the next `start` reads the lock: a dev server left
// behind by a dead `start` is stopped (its history stays in temporal.db and the new one carries on from it); a
// `start` still alive on the same directory is refused, since two would share one SQLite file and one history.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

export interface StartLock {
  /** The `orders-sync start` process. */
  startPid: number;
  /** Its Temporal dev server, once started. */
  devServerPid: number | null;
  startedAt: string;
}

export const lockFile = (dataDir: string): string => path.join(dataDir, 'start.lock');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a live process ('' when it cannot be read): a pid in an old lock may belong to another program now. */
function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    try {
      return execFileSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' });
    } catch {
      return '';
    }
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) if (!alive(pid)) return true;
  return !alive(pid);
}

/**
 * Takes the data directory for this `start`. Stops a dev server a dead `start` left behind; throws when another
 * `start` is alive here. Returns a function that records this start's dev server in the lock.
 */
export async function takeStartLock(dataDir: string, log: (line: string) => void): Promise<{ devServerStarted(pid: number | null): void; release(): void }> {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = lockFile(dataDir);
  const old = readLock(file);
  if (old && old.startPid !== process.pid && alive(old.startPid) && /orders-sync/.test(commandOf(old.startPid))) {
    throw new Error(`another \`orders-sync start\` (pid ${old.startPid}) runs on ${dataDir}: stop it first (Ctrl-C in its terminal, or kill ${old.startPid})`);
  }
  if (old?.devServerPid && alive(old.devServerPid) && commandOf(old.devServerPid).includes('start-dev')) {
    log(`found the Temporal dev server (pid ${old.devServerPid}) that an earlier \`start\` (pid ${old.startPid}, gone) left running on ${dataDir}: stopping it; its history in temporal.db carries on`);
    process.kill(old.devServerPid, 'SIGTERM');
    if (!(await waitForExit(old.devServerPid, 10_000))) {
      process.kill(old.devServerPid, 'SIGKILL');
      await waitForExit(old.devServerPid, 5_000);
    }
  }
  const lock: StartLock = { startPid: process.pid, devServerPid: null, startedAt: new Date().toISOString() };
  const write = () => fs.writeFileSync(file, `${JSON.stringify(lock)}\n`);
  write();
  return {
    devServerStarted(pid) {
      lock.devServerPid = pid;
      write();
    },
    release() {
      if (readLock(file)?.startPid === process.pid) fs.rmSync(file, { force: true });
    },
  };
}

export function readLock(file: string): StartLock | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as StartLock;
  } catch {
    return null;
  }
}
