// `orders-sync start` as people run it: it prints where the SDK's log goes, stops everything on Ctrl-C or SIGTERM,
// and finds the Temporal dev server a `kill -9` of an earlier start left behind on its data directory (before, that
// orphan kept the port and the next start suggested another port on the same data directory).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../cli/dev-server';
import { lockFile, readLock } from '../cli/dev-server-lock';
import { workflowBundle } from '../worker';
import { alive, spawnCli } from './support/cli-process';

let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-sync-start-'));
  // One bundle for the three starts (each would build its own).
  const bundle = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(bundle, (await workflowBundle()).code);
  env = {
    ...process.env, DATA_DIR: path.join(dir, 'data'), WORKFLOW_BUNDLE_PATH: bundle,
    TEMPORAL_PORT: String(await freePort()), TEMPORAL_UI_PORT: String(await freePort()), SANDBOX_PORT: String(await freePort()),
  };
}, 120_000);
afterAll(() => {
  const pid = readLock(lockFile(env.DATA_DIR!))?.devServerPid;
  if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

const READY = /Sync schedule applied/;

test('kill -9 leaves the dev server behind; the next start stops it; a second live start is refused; Ctrl-C / SIGTERM stop everything', async () => {
  const first = spawnCli(['start'], env);
  await first.waitFor(READY);
  expect(first.output()).toContain(`SDK log (JSON lines): ${path.join(env.DATA_DIR!, 'worker.log')}`);
  expect(fs.existsSync(path.join(env.DATA_DIR!, 'worker.log'))).toBe(true);
  const orphan = readLock(lockFile(env.DATA_DIR!))!.devServerPid!;
  first.child.kill('SIGKILL');
  await first.exited();
  expect(alive(orphan)).toBe(true);

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const next = spawnCli(['start'], env);
    await next.waitFor(READY);
    if (signal === 'SIGINT') {
      expect(next.output()).toMatch(new RegExp(`found the Temporal dev server \\(pid ${orphan}\\) that an earlier \`start\` .* left running .*: stopping it`));
      expect(alive(orphan)).toBe(false);
    }
    const server = readLock(lockFile(env.DATA_DIR!))!.devServerPid!;
    if (signal === 'SIGTERM') {
      // A second start while this one runs on the same data directory is refused (they would share one history).
      const second = spawnCli(['start'], env);
      expect((await second.exited()).code).toBe(1);
      expect(second.output()).toMatch(new RegExp(`another \`orders-sync start\` \\(pid ${next.child.pid}\\) runs on`));
      expect(alive(server)).toBe(true);
    }
    const sent = Date.now();
    next.child.kill(signal);
    const { code, ms } = await next.exited(sent);
    expect(code).toBe(signal === 'SIGINT' ? 130 : 143);
    expect(ms).toBeLessThan(30_000);
    expect(alive(server)).toBe(false);
    expect(fs.existsSync(lockFile(env.DATA_DIR!))).toBe(false);
    // Redirected output is plain text.
    expect(next.output()).not.toMatch(/\x1b/);
  }
}, 300_000);
