// doctor, run as users run it (bin/orders-sync.js): the labels a sync would create, per column, and the
// forbidden ones (issue 13, point 3); how full both boards are and the days left at the recent growth (point 7).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { SANDBOX_TOKEN } from '../cli/targets';
import { openStore } from '../db/open';
import { seedDemoData } from '../db/demo-data';
import { MondayClient, idempotencyKey } from '../graphql/client';
import { daysLeft, growthPerDay } from '../cli/board-limits';
import { documents } from '../graphql/documents';

const ROOT = path.resolve(__dirname, '..');
const DAY = 24 * 3600 * 1000;
let sandbox: Sandbox;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, tokens: [SANDBOX_TOKEN] });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-sync-doctor-'));
  const store = await openStore({ sqliteFile: path.join(dir, 'orders.db') });
  await seedDemoData(store);
  await store.close();
  // Ten order lines on the board, three sizes each.
  const client = new MondayClient({ url: sandbox.url, token: SANDBOX_TOKEN });
  for (let i = 0; i < 10; i++) {
    const item = await client.createItem({ boardId: '9200517329', itemName: `I${i}`, groupId: null, columnValues: {}, createLabelsIfMissing: false }, idempotencyKey(`I${i}`, 'create-item', 'h'));
    for (const size of ['S', 'M', 'L']) {
      await client.call(documents.createSubitem, { parent_item_id: item, item_name: size, column_values: '{}' }, { idempotencyKey: idempotencyKey(`I${i}`, size, 'h') });
    }
  }
});
afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function doctor(env: Record<string, string> = {}): Promise<{ code: number; stdout: string }> {
  const r = await promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/orders-sync.js'), 'doctor'], {
    // No Temporal here (port 1): that check fails, the others still run.
    env: { ...process.env, SQLITE_FILE: path.join(dir, 'orders.db'), SANDBOX_PORT: new URL(sandbox.url).port, TEMPORAL_ADDRESS: '127.0.0.1:1', ...env },
  }).then((x) => ({ code: 0, stdout: x.stdout }), (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }));
  return r;
}

test('doctor lists per column the labels a sync of the database would create', async () => {
  const r = await doctor();
  const labels = r.stdout.split('\n✔ ').find((l) => l.startsWith('Labels:')) ?? r.stdout;
  expect(labels).toMatch(/^Labels: \d+ order lines checked; a sync would create \d+ label\(s\):/);
  expect(labels).toMatch(/dropdown_mkr5tgaa \(STYLE\): "/);
  expect(labels).not.toMatch(/dropdown_mkr542p2/); // CUSTOMER may not create labels
});

test('doctor fails on a label the mapping allows but the board lacks, in a column that may not create labels', async () => {
  const file = path.join(dir, 'mapping.yaml');
  fs.writeFileSync(file, fs.readFileSync(path.join(ROOT, 'mapping/orders-to-monday.yaml'), 'utf8').replace('labels: ["RECEIVED", "CANCELLED", "REBUY"]', 'labels: ["RECEIVED", "CANCELLED", "REBUY", "ON HOLD"]'));
  const r = await doctor({ MAPPING_FILE: file });
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/✘ Labels: labels a sync would need but may not create:\n.*dropdown_mkr518fc \(ORDER TYPE\): allowed label "ON HOLD" is missing/);
});

test('doctor reports both boards against items_limit, with days left at the recent growth; a full board fails', async () => {
  let r = await doctor();
  expect(r.stdout).toMatch(/✔ Board limits:\s*\n.*Customer Master Schedule \(9200517329\): 10 of 10,000 items \(0%\), \+0\.7 a day over the last 14 days, about 13,986 days left/);
  expect(r.stdout).toMatch(/\(9200771505\): 30 of 100,000 items \(0%\), \+2\.1 a day over the last 14 days, about 46,652 days left/);
  sandbox.setItemsLimit('9200771505', 30);
  r = await doctor();
  sandbox.setItemsLimit('9200771505', 10_000);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/✘ Board limits: a board is full:\n[\s\S]*\(9200771505\): 30 of 30 items \(100%\).*FULL: new order lines fail with ItemsLimitationException/);
});

test('growth over the last 14 days, or over the span of a full page of newest items', () => {
  const now = new Date('2026-11-26T12:00:00Z');
  const ago = (days: number) => new Date(now.getTime() - days * DAY);
  expect(growthPerDay([ago(1), ago(2), ago(13), ago(20)], now, false)).toBeCloseTo(3 / 14);
  expect(growthPerDay(Array.from({ length: 500 }, (_, i) => ago(i / 100)), now, true)).toBeCloseTo(500 / 4.99);
  expect(growthPerDay([ago(30)], now, false)).toBe(0);
  expect(daysLeft(9_000, 10_000, 50)).toBe(20);
  expect(daysLeft(10_000, 10_000, 50)).toBe(0);
  expect(daysLeft(10, 10_000, 0)).toBeNull();
});

// Issue 20: each label column's room against its ceiling (500 labels for a dropdown), the token's rights, and the
// board's automations that use the order key column. Before, doctor said nothing of any of them.
test('doctor warns near a dropdown\'s 500-label ceiling and fails at it, naming the column and the way out', async () => {
  const client = new MondayClient({ url: sandbox.url, token: SANDBOX_TOKEN });
  const styleLabels = async () => ((await client.boardStructure('9200517329')).columns.find((c) => c.id === 'dropdown_mkr5tgaa')!.settings as { labels: unknown[] }).labels.length;
  // The STYLE labels a sync of the demo data would add, as the Labels check lists them.
  const adding = ((await doctor()).stdout.match(/dropdown_mkr5tgaa \(STYLE\): ([^\n]*)/)?.[1] ?? '').split('", "').length;
  const held = 460 - adding;
  sandbox.addLabels('9200517329', 'dropdown_mkr5tgaa', Array.from({ length: held - (await styleLabels()) }, (_, i) => `OLD STYLE ${i}`));
  let r = await doctor();
  expect(r.stdout).toMatch(new RegExp(`✔ Label ceilings: \\d+ label columns have room\\n\\s+WARNING, near the ceiling[^\\n]*\\n\\s+dropdown_mkr5tgaa \\(STYLE\\): ${held} of 500 labels, a sync would add ${adding}`));
  sandbox.addLabels('9200517329', 'dropdown_mkr5tgaa', Array.from({ length: 500 - held }, (_, i) => `OLDER STYLE ${i}`));
  r = await doctor();
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/✘ Label ceilings: label columns at their ceiling[^\n]*\n\s+dropdown_mkr5tgaa \(STYLE\): 500 of 500 labels[\s\S]*Move the column to text/);
});

test('doctor checks the token\'s rights and names automations that use the key column', async () => {
  sandbox.setAutomations('9200517329', [{ id: '77', title: 'When status changes, clear matchAlias', active: true, workflow_blocks: [{ kind: 'clear_column', column_id: 'text_mkr61hpz' }] }]);
  let r = await doctor();
  expect(r.stdout).toMatch(/✔ Monday token rights: Sandbox Admin \(admin\) may edit both boards; 1 automation\(s\) on the items board, 1 using the key column\n\s+WARNING: automation 77 "When status changes, clear matchAlias" on board 9200517329 uses the order key column text_mkr61hpz/);
  sandbox.setUser(SANDBOX_TOKEN, 'view_only');
  try {
    r = await doctor();
  } finally {
    sandbox.setUser(SANDBOX_TOKEN, 'admin');
    sandbox.setAutomations('9200517329', []);
  }
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/✘ Monday token rights: the Monday token cannot do what the sync needs:\n\s+the token's user .* can only view items board 9200517329/);
});
