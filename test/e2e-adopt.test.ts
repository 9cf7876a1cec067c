// Going live on a board that already holds the current system's work, on real parts: Temporal dev server,
// SQLite file, the sandbox over HTTP, worker processes (one killed mid-adoption), the CLI as users run it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startStack, type Stack } from './support/stack';
import { gql, readBoard } from './support/board';
import { legacyBoard, type LegacyBoard } from './support/legacy-board';
import { runSyncOnce } from '../cli/sync-once';
import { runBoardAdopt } from '../cli/board';
import { seedDemoData, generateDemoOrders } from '../db/demo-data';
import { createTransform, MappingError } from '../mapping';
import type { OrderPayload } from '../shared/order';
import type { AdoptionPlan } from '../mapping/adoption-match';
import type { AdoptProgress } from '../workflows';

const ROOT = path.resolve(__dirname, '..');
const run = promisify(execFile);

let stack: Stack;
let lines: OrderPayload[];
let legacy: LegacyBoard;
let boardId: string;
let worker: ChildProcess | undefined;
/** Source rows the mapping rejects in the demo data, by order key. */
let rejectedKeys: string[];
/** The `--apply --archive-duplicates` run and its plan. */
let applied: AdoptProgress;
let appliedPlan: AdoptionPlan;

function startWorkerProcess(): ChildProcess {
  return spawn(process.execPath, [path.join(ROOT, 'bin/orders-sync.js'), 'worker'], { env: stack.childEnv(), stdio: ['ignore', 'ignore', 'inherit'] });
}
async function stopWorkerProcess(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const w = worker;
  worker = undefined;
  if (!w || w.exitCode !== null) return;
  const exited = new Promise((r) => w.once('exit', r));
  w.kill(signal);
  await exited;
}
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(ROOT, 'bin/orders-sync.js'), ...args], { env: stack.childEnv(), cwd: stack.dir });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
async function itemStates(ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 100) {
    const r = await gql<{ items: { id: string; state: string }[] }>(stack.sandbox.url, 'query ($ids: [ID!]) { items(ids: $ids) { id state } }', { ids: ids.slice(i, i + 100) });
    for (const item of r.items) out.set(item.id, item.state);
  }
  return out;
}

beforeAll(async () => {
  // Latency makes the adoption's writes last long enough to kill a worker in the middle of them.
  stack = await startStack({ worker: false, sandbox: { faults: { latencyMs: { min: 20, max: 40 } } } });
  await seedDemoData(stack.store);
  const transform = createTransform(stack.mapping);
  lines = [];
  rejectedKeys = [];
  for (const row of generateDemoOrders()) {
    try {
      lines.push(transform(row));
    } catch (err) {
      if (!(err instanceof MappingError)) throw err;
      rejectedKeys.push(err.orderKey);
    }
  }
  boardId = stack.mapping.items.boardId;
  legacy = legacyBoard(stack.mapping, lines);
  stack.sandbox.seedLegacy(boardId, legacy.items);
  // Someone renamed a group on the board.
  stack.sandbox.renameGroup(boardId, lines[0]!.groupName, `${lines[0]!.groupName} (old)`);
  worker = startWorkerProcess();
}, 120_000);
afterAll(async () => {
  await stopWorkerProcess();
  await stack?.stop();
});

test('the sync refuses a populated board nobody adopted: one line, exit 1, nothing created', async () => {
  const before = stack.sandbox.stats().mutations;
  const r = await cli('sync', '--once');
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`board ${boardId} already holds items and has not been adopted: run \`orders-sync board adopt\` first`);
  expect(stack.sandbox.stats().mutations).toBe(before);
});

test('board adopt (dry run) reports every class, writes the full report and changes nothing', async () => {
  const before = stack.sandbox.stats().mutations;
  const r = await cli('board', 'adopt', '--report', 'adopt.json');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('dry run: nothing was changed');
  expect(stack.sandbox.stats().mutations).toBe(before);
  const { plan } = JSON.parse(fs.readFileSync(path.join(stack.dir, 'adopt.json'), 'utf8')) as { plan: AdoptionPlan };

  const cases = legacy.cases;
  const expectedMissing = lines.filter((l) => cases.get(l.key) === 'missing').map((l) => l.key).sort();
  expect(plan.missing.map((m) => m.key).sort()).toEqual(expectedMissing);
  expect(plan.matched).toHaveLength(lines.length - expectedMissing.length);
  const rule = new Map(plan.matched.map((m) => [m.key, m.rule]));
  for (const l of lines) {
    const kind = cases.get(l.key);
    if (kind === 'name-only') expect({ key: l.key, rule: rule.get(l.key) }).toEqual({ key: l.key, rule: 'name' });
    else if (kind !== 'missing') expect({ key: l.key, rule: rule.get(l.key) }).toEqual({ key: l.key, rule: 'values' });
  }
  expect(plan.duplicates.map((d) => d.key).sort()).toEqual(lines.filter((l) => cases.get(l.key) === 'duplicate').map((l) => l.key).sort());
  // The older copy with all its sizes is kept, the re-created copy is the duplicate.
  for (const d of plan.duplicates) expect(BigInt(d.keptItemId) < BigInt(d.itemId)).toBe(true);
  const oneSize = plan.duplicateSizes.filter((d) => d.label === 'O/S' || d.label === 'OS');
  expect(oneSize).toHaveLength(2);
  expect(plan.orphans.map((o) => o.name).sort()).toEqual([...legacy.orphanNames].sort());
  expect(plan.ambiguous).toEqual([]);
  // Rows the mapping rejects have no order line: named, so nobody expects them to be adopted.
  expect(rejectedKeys.length).toBeGreaterThan(0);
  expect(plan.rejected.map((x) => x.key).sort()).toEqual([...new Set(rejectedKeys)].sort());
  for (const x of plan.rejected) expect(x.reason).toMatch(/the mapping rejects its source row|several source rows/);
  expect(r.stdout).toMatch(/duplicate items: \d+/);
  expect(r.stdout).toContain(`source rows the mapping rejects (no order line; their items stay orphans without a key; fix them and adopt again): ${plan.rejected.length}`);
});

test('--apply --archive-duplicates survives a worker killed while archiving: nothing lost, no write repeated', async () => {
  const before = stack.sandbox.stats();
  // The archives go as bulk_archive_items jobs (the only writes without --write-keys); a job that runs for seconds
  // puts the kill inside the archive phase, between the request and its completion.
  stack.sandbox.setFaults({ latencyMs: { min: 150, max: 200 } });
  stack.sandbox.setJobDelay(4_000);
  let result: AdoptProgress;
  let writtenAtKill: number;
  const printed: string[] = [];
  try {
    const adoption = runBoardAdopt(stack.client, stack.store, { apply: true, archiveDuplicates: true, reportFile: path.join(stack.dir, 'apply.csv'), boardId }, (line) => printed.push(line));
    await waitFor('the adoption archives', () => stack.sandbox.stats().mutations >= before.mutations + 1);
    await stopWorkerProcess('SIGKILL');
    writtenAtKill = stack.sandbox.stats().mutations - before.mutations;
    worker = startWorkerProcess();
    result = await adoption;
  } finally {
    stack.sandbox.setFaults({ latencyMs: { min: 20, max: 40 } });
    stack.sandbox.setJobDelay(0);
  }
  applied = result;
  appliedPlan = ((await stack.store.getAdoptionRun(result.runId))!.report as { plan: AdoptionPlan }).plan;
  const s = result.summary!;
  expect(result.phase).toBe('DONE');
  const archives = s.duplicates + s.duplicateSizes;
  // One bulk_archive_items request per board and hundred archives (before issue 20: one archive_item each).
  const requests = Math.ceil(s.duplicates / 100) + Math.ceil(s.duplicateSizes / 100);
  expect(requests).toBeLessThan(archives);
  expect(writtenAtKill).toBeLessThan(requests);
  // Exactly one executed request per chunk, and no key column written: the retry after the kill repeated none.
  expect(stack.sandbox.stats().mutations - before.mutations).toBe(requests);
  expect(result.archived).toBe(archives);
  // The long archive phase says how far it is and why it takes its time (the worker was down part of it).
  expect(printed.some((l) => new RegExp(`^\\d+/${archives} duplicates archived · .*paced to ADOPT_READ_SHARE`).test(l))).toBe(true);
  expect(result.keysWritten).toBe(0);
  // Every matched line is linked and waits for the sync, which writes its key column.
  expect(result.linked).toBe(appliedPlan.matched.length);
  expect(result.keysAwaitingSync).toBe(appliedPlan.matched.length);
  expect(result.notLinked).toEqual([]);
  expect(s.keyWrites).toBe(appliedPlan.matched.length);
  const states = await stack.store.getSyncStates(appliedPlan.matched.map((m) => m.key));
  for (const m of appliedPlan.matched) {
    expect({ key: m.key, ...states.get(m.key) }).toMatchObject({ key: m.key, itemId: m.itemId, status: 'ITEM_CREATED', syncedHash: null });
  }

  const listed = await stack.store.listArchives({ runId: result.runId });
  expect(listed).toHaveLength(archives);
  const archived = await itemStates(listed.map((a) => a.itemId));
  for (const a of listed) expect({ id: a.itemId, state: archived.get(a.itemId) }).toEqual({ id: a.itemId, state: 'archived' });
  expect(fs.readFileSync(path.join(stack.dir, 'apply.csv'), 'utf8')).toMatch(/^class,rule,order_key/);
}, 120_000);

test('the next sync updates the adopted items, writing their key column, and creates only the missing lines', async () => {
  const { keyColumnId } = stack.mapping.items;
  const adoptedItems = new Map(appliedPlan.matched.map((m) => [m.key, m.itemId]));
  // --apply wrote no key column: the sync's update of each adopted item is what writes it.
  for (const i of await readBoard(stack.sandbox.url, boardId)) expect({ id: i.id, key: i.values[keyColumnId]?.text ?? '' }).toEqual({ id: i.id, key: '' });
  const before = stack.sandbox.stats().mutations;
  const summary = await runSyncOnce(stack.client, stack.store, { pageSize: 40 });
  expect(summary.failed).toBe(0);
  // Every linked line was sent again (none skipped as unchanged); the missing ones were created.
  expect(summary.orders).toBe(lines.length);
  expect(applied.keysAwaitingSync + appliedPlan.missing.length).toBe(lines.length);
  expect(stack.sandbox.stats().mutations).toBeGreaterThan(before);

  const board = await readBoard(stack.sandbox.url, boardId);
  const { sizeColumnId, qtyColumnId } = stack.mapping.subitems;
  for (const line of lines) {
    const items = board.filter((i) => i.values[keyColumnId]?.text === line.key);
    expect({ key: line.key, items: items.length }).toEqual({ key: line.key, items: 1 });
    const item = items[0]!;
    // No item was created for a matched line: it is the one adoption linked.
    if (legacy.cases.get(line.key) !== 'missing') expect(item.id).toBe(adoptedItems.get(line.key));
    const held = item.subitems.map((s) => [s.values[sizeColumnId]?.text, Number(s.values[qtyColumnId]?.text)]);
    expect({ key: line.key, held: held.sort() }).toEqual({ key: line.key, held: line.subitems.map((s) => [s.size, s.qty]).sort() });
  }
  // Orphans are untouched and still there; nothing else is on the board.
  const orphans = board.filter((i) => legacy.orphanNames.includes(i.name));
  expect(orphans).toHaveLength(legacy.orphanNames.length);
  for (const o of orphans) expect(o.values[keyColumnId]?.text ?? '').toBe('');
  expect(board).toHaveLength(lines.length + legacy.orphanNames.length);
  // The group renamed by hand is reused (found by id): no second group with the old title.
  const renamed = lines[0]!.groupName;
  expect((await groups()).filter((g) => g === renamed)).toEqual([]);
  expect(board.find((i) => i.values[keyColumnId]?.text === lines[0]!.key)?.group).toBe(`${renamed} (old)`);
}, 240_000);

async function groups(): Promise<string[]> {
  const r = await gql<{ boards: { groups: { title: string }[] }[] }>(stack.sandbox.url, 'query ($b: [ID!]) { boards(ids: $b) { groups { title } } }', { b: [boardId] });
  return r.boards[0]!.groups.map((g) => g.title);
}

async function changeQty(line: OrderPayload, by: number): Promise<void> {
  const [aag, style, colour] = line.key.split('|');
  const size = line.subitems[0]!;
  await stack.store.updateSourceRows({ 'AAG ORDER NUMBER': aag!, 'CUSTOMER STYLE': style!, 'CUSTOMER COLOUR DESCRIPTION': colour! }, { [size.size]: size.qty + by });
  size.qty += by;
}

test('after go-live people archive, delete and drop groups by hand: the next change of those lines puts them back once', async () => {
  const { keyColumnId } = stack.mapping.items;
  const { sizeColumnId, qtyColumnId } = stack.mapping.subitems;
  const before = new Map((await readBoard(stack.sandbox.url, boardId)).map((i) => [i.values[keyColumnId]?.text ?? '', i]));
  const otherGroup = lines.find((l) => l.groupName !== lines[0]!.groupName)!.groupName;
  const inOtherGroup = lines.filter((l) => l.groupName === otherGroup).slice(0, 2);
  const archived = lines.find((l) => l.groupName !== otherGroup && legacy.cases.get(l.key) === 'plain')!;
  const deleted = lines.find((l) => l.groupName !== otherGroup && l !== archived && legacy.cases.get(l.key) === 'edited-qty')!;
  stack.sandbox.setItemState(before.get(archived.key)!.id, 'archived');
  stack.sandbox.setItemState(before.get(deleted.key)!.id, 'deleted');
  stack.sandbox.deleteGroup(boardId, otherGroup);
  // Real Monday may answer a write to a deleted item with a bare HTTP 500.
  stack.sandbox.setFaults({ unknownItemAsServerError: true });
  try {
    for (const line of [archived, deleted, ...inOtherGroup]) await changeQty(line, 3);
    const started = Date.now();
    const summary = await runSyncOnce(stack.client, stack.store, { pageSize: 40 });
    expect(summary).toMatchObject({ orders: 2 + inOtherGroup.length, failed: 0 });
    // The stale links cost one check each, not 30 retries with backoff.
    expect(Date.now() - started).toBeLessThan(30_000);
  } finally {
    stack.sandbox.setFaults({ unknownItemAsServerError: false });
  }
  const board = await readBoard(stack.sandbox.url, boardId);
  for (const line of [archived, deleted, ...inOtherGroup]) {
    const items = board.filter((i) => i.values[keyColumnId]?.text === line.key);
    expect({ key: line.key, items: items.length }).toEqual({ key: line.key, items: 1 });
    expect(items[0]!.id).not.toBe(before.get(line.key)!.id);
    // Made again in the group its title is remembered by (the renamed one keeps its new title).
    expect(items[0]!.group).toBe(line.groupName === lines[0]!.groupName ? `${line.groupName} (old)` : line.groupName);
    const held = items[0]!.subitems.map((s) => [s.values[sizeColumnId]?.text, Number(s.values[qtyColumnId]?.text)]);
    expect({ key: line.key, held: held.sort() }).toEqual({ key: line.key, held: line.subitems.map((s) => [s.size, s.qty]).sort() });
  }
  // The deleted group came back once, however many of its lines needed it.
  expect((await groups()).filter((g) => g === otherGroup)).toHaveLength(1);
}, 120_000);

test('a second adoption finds nothing to do and changes nothing', async () => {
  const before = stack.sandbox.stats().mutations;
  const result = await runBoardAdopt(stack.client, stack.store, { apply: true, archiveDuplicates: true, reportFile: path.join(stack.dir, 'again.csv'), boardId }, () => {});
  // The lines of the group deleted by hand that did not change are missing until their next change.
  const missing = result.summary!.missing;
  expect(result.summary).toMatchObject({ duplicates: 0, duplicateSizes: 0, keyWrites: 0 });
  expect(result.summary!.matched.key).toBe(lines.length - missing);
  expect(result.linked).toBe(0);
  expect(result.keysAwaitingSync).toBe(0);
  expect(result.notLinked).toEqual([]);
  expect(stack.sandbox.stats().mutations).toBe(before);
}, 120_000);

test('a key column cleared by hand: adoption links the line again, --write-keys writes the key at once, and the sync sends the line', async () => {
  const { keyColumnId } = stack.mapping.items;
  const line = lines.find((l) => legacy.cases.get(l.key) === 'plain')!;
  const item = (await readBoard(stack.sandbox.url, boardId)).find((i) => i.values[keyColumnId]?.text === line.key)!;
  await gql(stack.sandbox.url, 'mutation ($b: ID!, $i: ID!, $v: JSON!) { change_multiple_column_values(board_id: $b, item_id: $i, column_values: $v) { id } }',
    { b: boardId, i: item.id, v: JSON.stringify({ [keyColumnId]: '' }) });
  const before = stack.sandbox.stats().mutations;
  const r = await cli('board', 'adopt', '--apply', '--write-keys', '--report', 'keys.csv');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('applied: 1 order lines linked in staging, 1 key columns written');
  expect(r.stdout).toContain('next: the next sync writes the key column on 1 adopted items');
  // One write: the key column of the one item that lost it.
  expect(stack.sandbox.stats().mutations - before).toBe(1);
  const after = (await readBoard(stack.sandbox.url, boardId)).find((i) => i.id === item.id)!;
  expect(after.values[keyColumnId]?.text).toBe(line.key);
  expect((await stack.store.getSyncStates([line.key])).get(line.key)).toMatchObject({ itemId: item.id, status: 'ITEM_CREATED' });
  const summary = await runSyncOnce(stack.client, stack.store, { pageSize: 40 });
  expect(summary).toMatchObject({ orders: 1, failed: 0 });
  expect((await stack.store.getSyncStates([line.key])).get(line.key)).toMatchObject({ itemId: item.id, status: 'SYNCED' });
}, 120_000);

test('--write-keys without --apply is a usage error', async () => {
  const r = await cli('board', 'adopt', '--write-keys');
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('--write-keys needs --apply');
});
