// Starts and stops the Temporal CLI dev server (SQLite-backed, with the Web UI) for `start` and for tests.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import fs from 'node:fs';
import { SEARCH_ATTRIBUTES } from '../shared/temporal';

const { findOrInstallTemporalCli } = require('../scripts/temporal-cli.js') as {
  findOrInstallTemporalCli: (o?: { install?: boolean }) => { path: string; source: string };
};

export interface DevServer {
  address: string;
  uiUrl: string | null;
  cliPath: string;
  cliSource: string;
  /** The server process (for `start`'s lock on its data directory). */
  pid: number | null;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  port?: number; // 0 = a free port
  uiPort?: number | null; // null = headless
  dbFile?: string | null; // null = in memory
  logFile?: string;
  /** Called as soon as the server process exists (before it listens): `start` records it in its lock. */
  onSpawn?: (pid: number | null) => void;
  /** More `temporal server start-dev` flags, e.g. ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=20']. */
  extraArgs?: string[];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export function isListening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const cli = findOrInstallTemporalCli();
  const port = opts.port || (await freePort());
  if (await isListening(port)) throw new Error(`Port ${port} is already in use: stop what listens there or set TEMPORAL_PORT.`);
  const uiPort = opts.uiPort === undefined ? null : opts.uiPort;
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--namespace', 'default', '--log-level', 'warn'];
  args.push(...(uiPort === null ? ['--headless'] : ['--ui-port', String(uiPort)]));
  if (opts.dbFile) {
    fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  for (const key of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=Keyword`);
  args.push(...(opts.extraArgs ?? []));
  const out = opts.logFile ? fs.openSync(opts.logFile, 'a') : 'ignore';
  const child = spawn(cli.path, args, { stdio: ['ignore', out, out] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  opts.onSpawn?.(child.pid ?? null);

  const deadline = Date.now() + 30_000;
  while (!(await isListening(port))) {
    if (child.exitCode !== null) throw new Error(`Temporal dev server exited with code ${child.exitCode}${opts.logFile ? ` (see ${opts.logFile})` : ''}`);
    if (Date.now() > deadline) {
      await stopChild(child, exited);
      throw new Error(`Temporal dev server did not listen on port ${port} within 30 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    address: `127.0.0.1:${port}`,
    uiUrl: uiPort === null ? null : `http://localhost:${uiPort}`,
    cliPath: cli.path,
    cliSource: cli.source,
    pid: child.pid ?? null,
    stop: () => stopChild(child, exited),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
