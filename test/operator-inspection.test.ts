// What operators read, run as they run it: `sync --dry-run` predicts the real sync (duplicate keys, the customer
// filter) and shows column changes; batch counters mean their names; `batches` and `errors` read the tables on
// the embedded database; read-only commands never create a database; `mapping check` fails when it cannot check.
import fs from 'node:fs';
import path from 'node:path';
import { startStack, type Stack } from './support/stack';
import { runCli } from './support/cli-process';
import { generateOrderLines } from '../db/demo-data';
import { orderKeyOf } from '../mapping';
import { runSyncOnce } from '../cli/sync-once';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 60_000);
afterAll(() => stack?.stop());

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { ...stack.childEnv(), ...env });
const summaryOf = (out: string) => /dry run: (\d+) to create, (\d+) to update, (\d+) unchanged, (\d+) failed and waiting for a rerun, (\d+) rejected/.exec(out)!.slice(1).map(Number);

test('sync --dry-run predicts the real sync, then shows the column changes of an update, which the batch counts as one', async () => {
  const [dup, bad, otherCustomer, plain] = generateOrderLines(4, 81);
  const more = generateOrderLines(3, 82).map((r, i) => ({ ...r, 'AAG ORDER NUMBER': `MOR-${i}` }));
  // A key held by two rows (none is sent), a quantity that is no number, a customer the mapping does not know.
  await stack.store.insertSourceRows([dup!, dup!, { ...bad!, L: 'abc' }, { ...otherCustomer!, 'CUSTOMER NAME': 'ACME UNKNOWN' }, plain!, ...more]);

  const dry = await cli(['sync', '--dry-run', '--customer', 'GREYSON']);
  expect(dry.code).toBe(0);
  const [create, , , , rejected] = summaryOf(dry.out);
  const creates = dry.out.split('\n').filter((l) => l.startsWith('CREATE'));
  expect(new Set(creates.map((l) => l.split(/\s+/)[1])).size).toBe(creates.length);
  expect(dry.out).toMatch(new RegExp(`REJECT  ${orderKeyOf(stack.mapping, dup!).replace(/[|]/g, '\\|')}  2 ORDERS_UNIFIED rows share order key`));
  expect(dry.out).not.toContain('ACME UNKNOWN');

  const real = await runSyncOnce(stack.client, stack.store, { pageSize: 50, customer: 'GREYSON' });
  const batch = (await stack.store.getBatch(real.batchId))!.counters;
  expect({ create, rejected }).toEqual({ create: batch.items, rejected: batch.rejected });
  expect({ create, rejected }).toEqual({ create: 4, rejected: 3 });

  await stack.store.updateSourceRows({ 'AAG ORDER NUMBER': String(plain!['AAG ORDER NUMBER']) }, { NOTES: 'ship by sea' });
  const key = orderKeyOf(stack.mapping, plain!);
  const update = await cli(['sync', '--dry-run']);
  expect(update.out).toMatch(new RegExp(`^UPDATE  ${key.replace(/[|]/g, '\\|')}  .*\\(CHANGED\\), 0 subitem writes`, 'm'));
  expect(update.out).toMatch(/^ {4}NOTES \(long_text_mkr5hass\): .* → \{"text":"ship by sea"\}$/m);
  expect(summaryOf(update.out).slice(0, 2)).toEqual([0, 1]);

  const second = await runSyncOnce(stack.client, stack.store, { pageSize: 50 });
  // items_created counted synced order lines (an update made it 1) and api_calls_made stayed 0.
  expect((await stack.store.getBatch(second.batchId))!.counters).toMatchObject({ synced: 1, items: 0, itemsUpdated: 1, subitems: 0, subitemsUpdated: 0 });
  expect((await stack.store.getBatch(second.batchId))!.counters.apiCalls).toBeGreaterThan(0);
  expect(second).toMatchObject({ orders: 1, items: 0, itemsUpdated: 1 });

  const batches = await cli(['batches', '--limit', '2']);
  expect(batches.out).toContain(`${second.batchId}  `);
  expect(batches.out).toContain(`${real.batchId}  `);
  expect(batches.out).toMatch(/on Monday: items 0 created, 1 updated; subitems 0 created, 0 updated, 0 removed; [1-9]\d* requests/);
  expect(batches.out).toMatch(/on Monday: items 4 created, 0 updated; subitems \d+ created/);
}, 180_000);

test('orders-sync errors reads the error tables on the embedded database, by time, customer and PO', async () => {
  const all = await cli(['errors']);
  expect(all.code).toBe(0);
  expect(all.out).toMatch(/DATA\/DUPLICATE_ORDER_KEY/);
  expect(all.out).toMatch(/DATA\/MAPPING_ERROR .*\n.*L = "abc"/);
  expect(all.out).toContain('ACME UNKNOWN');
  const greyson = await cli(['errors', '--customer', 'GREYSON']);
  expect(greyson.out).not.toContain('ACME UNKNOWN');
  expect(greyson.out).toContain('DUPLICATE_ORDER_KEY');
  const [dup] = generateOrderLines(4, 81);
  const po = await cli(['errors', '--po', String(dup!['PO NUMBER']), '--since', '1h']);
  expect(po.out).toContain('DUPLICATE_ORDER_KEY');
  const none = await cli(['errors', '--since', '2099-01-01']);
  expect(none.out).toMatch(/^no unresolved errors since 2099-01-01T00:00:00.000Z/m);
  const bad = await cli(['errors', '--since', 'yesterday-ish']);
  expect(bad.code).toBe(2);
}, 60_000);

test('read-only commands never create a database: a mistyped SQLITE_FILE fails', async () => {
  const missing = path.join(stack.dir, 'typo', 'ordrs.db');
  for (const args of [['doctor'], ['status'], ['errors'], ['sync', '--dry-run'], ['rerun', '--failed']]) {
    const r = await cli(args, { SQLITE_FILE: missing });
    expect({ args, code: r.code }).toEqual({ args, code: 1 });
    expect(r.out).toContain(`SQLITE_FILE ${missing} does not exist`);
    expect(fs.existsSync(missing)).toBe(false);
  }
}, 120_000);

test('mapping check fails when it cannot check the boards: Monday unreachable, or a wrong token', async () => {
  const unreachable = await cli(['mapping', 'check'], { SANDBOX_PORT: '1' });
  expect(unreachable.code).toBe(1);
  expect(unreachable.out).toMatch(/✘ the mapping was not checked against the boards: Monday does not answer/);
  const wrongToken = await cli(['mapping', 'check'], { MONDAY_API_TOKEN: 'wrong', MONDAY_API_URL: stack.sandbox.url });
  expect(wrongToken.code).toBe(1);
  expect(wrongToken.out).toMatch(/✘ Monday refuses the token \(Unauthorized, HTTP 401\)/);
}, 60_000);
