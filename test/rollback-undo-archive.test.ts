// Issue 20: sizes that left an order line are archived through bulk_archive_items, and rolling that batch back
// undoes the archive job (undo_action) instead of reporting a step for people to do by hand. The CLI as users run it.
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startStack, type Stack } from './support/stack';
import { gql } from './support/board';
import { runSyncOnce } from '../cli/sync-once';
import { generateOrderLines } from '../db/demo-data';
import { operationsOf } from '../db/open';

const ROOT = path.resolve(__dirname, '..');
let stack: Stack;
const [row] = generateOrderLines(1, 21);

beforeAll(async () => {
  stack = await startStack({ env: { MONDAY_REMOVED_SIZES: 'archive' } });
  await stack.store.insertSourceRows([row!]);
});
afterAll(() => stack?.stop());

test('a size archived by a batch comes back on rollback: its bulk archive job is undone', async () => {
  await runSyncOnce(stack.client, stack.store, { pageSize: 10 });
  const sizes = stack.mapping.source.sizeColumns.filter((s) => Number(row![s] ?? 0) > 0);
  const gone = sizes.at(-1)!;
  await stack.store.updateSourceRows({ 'AAG ORDER NUMBER': String(row!['AAG ORDER NUMBER']) }, { [gone]: 0 });
  const bad = await runSyncOnce(stack.client, stack.store, { pageSize: 10 });
  const write = (await operationsOf(stack.store).listWrites(bad.batchId)).find((w) => w.action === 'archive')!;
  expect(write).toMatchObject({ size: gone, newValues: { archiveJobId: expect.any(String) } });
  const state = async () => (await gql<{ items: { state: string }[] }>(stack.sandbox.url, 'query ($i: [ID!]) { items(ids: $i) { state } }', { i: [write.mondayId] })).items[0]?.state;
  expect(await state()).toBe('archived');

  const r = await promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/orders-sync.js'), 'rollback', '--batch', bad.batchId, '--apply'], { env: stack.childEnv() });
  // Before: "was archived by the batch; Monday's API cannot unarchive, restore it from the board's archive".
  expect(r.stdout).not.toContain('cannot unarchive');
  expect(await state()).toBe('active');
});
