// The CLI as people type it: help on every command, configuration errors that name the variable,
// mapping preview and check.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { SANDBOX_TOKEN } from '../cli/targets';
import { openStore } from '../db/open';
import { seedDemoData } from '../db/demo-data';

const ROOT = path.resolve(__dirname, '..');
const FIXTURE = path.join(__dirname, 'fixtures/mapping/orders-unified-rows.json');
const EXPECTED = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures/mapping/orders-unified-expected.json'), 'utf8')) as { payloads: { key: string }[] };

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-sync-cli-'));
  try {
    const r = await promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/orders-sync.js'), ...args], {
      env: { ...process.env, SQLITE_FILE: path.join(dir, 'orders.db'), SANDBOX_PORT: '1', ...env },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('every command has --help', async () => {
  const top = await cli(['--help']);
  expect(top.code).toBe(0);
  const commands = ['start', 'worker', 'schedule', 'sync', 'rerun', 'status', 'rollback', 'doctor', 'acceptance', 'mapping', 'db'];
  for (const c of commands) expect(top.stdout).toContain(`  ${c}`);
  const helps = await Promise.all(commands.map((c) => cli([c, '--help'])));
  helps.forEach((h, i) => {
    expect(h.code).toBe(0);
    expect(h.stdout).toContain(`usage: orders-sync ${commands[i]}`);
  });
});

test('a malformed variable stops start-up with its name and what is expected', async () => {
  const r = await cli(['status'], { SYNC_PAGE_SIZE: 'lots', TEMPORAL_ADDRESS: 'no-port-here' });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('SYNC_PAGE_SIZE');
  expect(r.stderr).toContain('TEMPORAL_ADDRESS: host:port');
});

test('an unknown option is a usage error that shows the command help', async () => {
  const r = await cli(['sync', '--frobnicate']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('usage: orders-sync sync');
});

test('mapping preview prints the payloads of good rows and names each failed row on stderr', async () => {
  const r = await cli(['mapping', 'preview', '--input', FIXTURE]);
  expect(r.code).toBe(1);
  const payloads = JSON.parse(r.stdout) as { key: string }[];
  expect(payloads.map((p) => p.key)).toEqual(EXPECTED.payloads.map((p) => p.key));
  const rejected = r.stderr.split('\n').filter((l) => l.startsWith('row rejected'));
  const rows = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as unknown[];
  expect(rejected).toHaveLength(rows.length - payloads.length);
});

describe('mapping check against a board', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, tokens: [SANDBOX_TOKEN] });
  });
  afterAll(() => sandbox?.close());

  test('every mapped column exists on the sandbox boards with a compatible type', async () => {
    const r = await cli(['mapping', 'check'], { SANDBOX_PORT: new URL(sandbox.url).port });
    expect(r.stdout).toContain('is valid');
    expect(r.stdout).toContain('every mapped column exists on boards 9200517329 / 9200771505');
    expect(r.code).toBe(0);
  });

  test('a mapping that names a column the board lacks fails the check', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-sync-mapping-'));
    const file = path.join(dir, 'mapping.yaml');
    fs.writeFileSync(file, fs.readFileSync(path.join(ROOT, 'mapping/orders-to-monday.yaml'), 'utf8').replace('text_mkr5ej2x', 'text_doesnotexist'));
    const r = await cli(['mapping', 'check'], { SANDBOX_PORT: new URL(sandbox.url).port, MAPPING_FILE: file });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('text_doesnotexist');
  });
});

test('sync --dry-run lists what would be created and its complexity, and writes nothing', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-sync-dry-'));
  const file = path.join(dir, 'orders.db');
  const store = await openStore({ sqliteFile: file });
  await seedDemoData(store);
  const r = await cli(['sync', '--dry-run', '--customer', 'greyson'], { SQLITE_FILE: file });
  const counts = await store.statusCounts();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  expect(r.code).toBe(0);
  const creates = r.stdout.split('\n').filter((l) => l.startsWith('CREATE'));
  expect(creates).toHaveLength(69);
  // 69 items + 264 subitems, 30,000 complexity each.
  expect(r.stdout).toContain(`${(333 * 30_000).toLocaleString('en')} complexity`);
  expect(r.stdout).toContain('Nothing was sent');
  expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
});
