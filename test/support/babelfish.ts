// The T-SQL engine the tests run SQL Server code on: Babelfish for PostgreSQL from ../shared/tools/babelfish
// (speaks SQL Server's protocol). Started like the Temporal dev server: free ports, a fresh directory, stopped after.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../cli/dev-server';

/** ../shared/tools/babelfish beside the project (as CI checks it out); BABELFISH_DIR points elsewhere (a git worktree). */
export const BABELFISH_DIR = process.env.BABELFISH_DIR ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'tools', 'babelfish');

export interface Babelfish { url: string; stop(): Promise<void> }

export function babelfishAvailable(): boolean {
  return fs.existsSync(path.join(BABELFISH_DIR, 'start.sh'));
}

export async function startBabelfish(): Promise<Babelfish> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-sync-babelfish-'));
  // Run as root, start.sh runs the server as another user (postgres or nobody), who must reach the directory.
  fs.chmodSync(dir, 0o755);
  const env = {
    ...process.env, BBF_HOME: path.join(dir, 'home'), BBF_DATA: path.join(dir, 'data'),
    BBF_TDS_PORT: String(await freePort()), BBF_PG_PORT: String(await freePort()),
  };
  const run = promisify(execFile);
  const stop = async (): Promise<void> => {
    await run(path.join(BABELFISH_DIR, 'stop.sh'), [], { env }).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const { stdout } = await run(path.join(BABELFISH_DIR, 'start.sh'), [], { env, timeout: 180_000 });
    const url = /^MSSQL_URL=(.+)$/m.exec(stdout)?.[1];
    if (!url) throw new Error(`start.sh printed no MSSQL_URL line:\n${stdout}`);
    return { url: url.trim(), stop };
  } catch (err) {
    await stop();
    throw new Error(`Babelfish (${BABELFISH_DIR}/start.sh) did not start: ${(err as Error).message}`);
  }
}
