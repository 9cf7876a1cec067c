// A timeout during an aliased subitem batch (issue 13, point 1). Monday commits the aliases one after
// another and keeps going after the client has given up; the sandbox does the same (aliasCommitDelayMs).
// The old retry re-read the parent, saw some of the sizes and sent the rest under a new Idempotency-Key
// while the first request was still creating them: duplicates. Now the identical batch is resent under
// the identical key until Monday replays it, and any reconcile archives a second subitem of one size.
import { MondayClient, idempotencyKey } from '../graphql/client';
import { documents } from '../graphql/documents';
import { MondayApiError } from '../graphql/errors';
import { syncSubitems, type SubitemWrite } from '../graphql/order-writer';
import { startSandbox, type Sandbox } from '../sandbox/server';

const ITEMS_BOARD = '9200517329';
const SUBITEMS_BOARD = '9200771505';
const SIZE_COLUMN = 'dropdown_mkrak7qp';
const QTY_COLUMN = 'numeric_mkra7j8e';
const SIZES = ['XS', 'S', 'M', 'L', 'XL', '2XL', '3XL', '4XL', '5XL', '6XL', '6', '8', '10', '12', '14', '16', '18', '20', '22', '24'];
const ALIAS_DELAY_MS = 40; // 20 sizes: the batch runs 800 ms on the server
const SHORT_TIMEOUT_MS = 250;
const TOKEN = 'timeout-token';

let sandbox: Sandbox;
let client: MondayClient;
let impatient: MondayClient;

beforeAll(async () => {
  sandbox = await startSandbox({ tokens: [TOKEN], limits: { maxConcurrent: 250, timeScale: 4 }, faults: { aliasCommitDelayMs: ALIAS_DELAY_MS } });
  client = new MondayClient({ url: sandbox.url, token: TOKEN, timeoutMs: 10_000, subitemBatchSize: 25 });
  impatient = new MondayClient({ url: sandbox.url, token: TOKEN, timeoutMs: SHORT_TIMEOUT_MS, subitemBatchSize: 25 });
});
afterAll(() => sandbox.close());

let order = 0;
async function newOrder(): Promise<SubitemWrite> {
  const orderKey = `AAG9${order++}|STYLE|BLACK`;
  const parentItemId = await client.createItem({ boardId: ITEMS_BOARD, itemName: orderKey, groupId: null, columnValues: {}, createLabelsIfMissing: false }, idempotencyKey(orderKey, 'create-item', 'h'));
  const wanted = SIZES.map((size, i) => ({ size, name: `Size ${size}`, qty: i + 0.5, columnValues: { [SIZE_COLUMN]: { labels: [size] }, [QTY_COLUMN]: String(i + 0.5) } }));
  return { parentItemId, subitemsBoardId: SUBITEMS_BOARD, orderKey, sizeColumnId: SIZE_COLUMN, qtyColumnId: QTY_COLUMN, wanted,
    createLabelsIfMissing: true, known: [], reconcile: false, removedSizes: 'zero', payloadHash: 'h' };
}

/** Attempt 1 sends the whole batch and times out (a worker that gave up, or died, mid-request). */
async function firstAttemptTimesOut(w: SubitemWrite): Promise<void> {
  const batch = impatient.batch(documents.createSubitem, w.wanted.length);
  const variables = batch.variables(w.wanted.map((s) => ({ parent_item_id: w.parentItemId, item_name: s.name, column_values: JSON.stringify(s.columnValues), create_labels_if_missing: true })));
  const key = idempotencyKey(w.orderKey, `create-subitems:${w.parentItemId}`, w.payloadHash, ...w.wanted.map((s) => s.size));
  const err = await impatient.call(batch.operation, variables, { boardId: SUBITEMS_BOARD, idempotencyKey: key, partial: true }, w.wanted.length).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(MondayApiError);
  expect((err as MondayApiError).code).toBe('TIMEOUT');
}

/** What Monday holds once every request has finished: subitems per size (active only) with their numbers. */
async function settledSubitems(parentItemId: string): Promise<Map<string, number[]>> {
  await new Promise((r) => setTimeout(r, SIZES.length * ALIAS_DELAY_MS + 300));
  const held = new Map<string, number[]>();
  for (const s of await client.itemSubitems(parentItemId, [SIZE_COLUMN, QTY_COLUMN])) {
    if (s.state !== 'active') continue;
    const size = s.values[SIZE_COLUMN]!;
    held.set(size, [...(held.get(size) ?? []), s.numbers[QTY_COLUMN] ?? NaN]);
  }
  return held;
}

const duplicates = (held: Map<string, number[]>) => [...held.values()].reduce((n, qtys) => n + qtys.length - 1, 0);

test('the old retry (re-read, re-split the rest under a new key) duplicates sizes while the first request still commits', async () => {
  const w = await newOrder();
  await firstAttemptTimesOut(w);
  // The retry's read comes once Monday has committed some of the sizes (and not all: the batch runs on).
  while ((await client.itemSubitems(w.parentItemId, [SIZE_COLUMN])).length === 0) await new Promise((r) => setTimeout(r, 10));
  // The old behaviour's logic: plan from what the read shows now (some sizes committed, the rest not yet).
  const r = await syncSubitems(client, { ...w, reconcile: true, retry: false });
  expect(r.created).toBeGreaterThan(0);
  expect(r.created).toBeLessThan(SIZES.length);
  const held = await settledSubitems(w.parentItemId);
  expect(duplicates(held)).toBeGreaterThan(0);
});

test('a retry resends the identical batch under the identical key: 0 duplicates, every quantity right', async () => {
  const w = await newOrder();
  const before = sandbox.stats();
  await firstAttemptTimesOut(w);
  const r = await syncSubitems(client, { ...w, reconcile: true, retry: true });
  const after = sandbox.stats();
  expect(after.idempotentReplays - before.idempotentReplays).toBe(1);
  expect(r.duplicatesArchived).toBe(0);
  expect(r.subitems).toHaveLength(SIZES.length);
  const held = await settledSubitems(w.parentItemId);
  expect(duplicates(held)).toBe(0);
  expect(Object.fromEntries(held)).toEqual(Object.fromEntries(w.wanted.map((s) => [s.size, [s.qty]])));
});

test('a client timeout shorter than the batch: the same call resends until Monday replays, 0 duplicates', async () => {
  const w = await newOrder();
  const before = sandbox.stats();
  const r = await syncSubitems(impatient, w);
  expect(sandbox.stats().idempotentReplays - before.idempotentReplays).toBe(1);
  expect(r.created).toBe(SIZES.length);
  const held = await settledSubitems(w.parentItemId);
  expect(duplicates(held)).toBe(0);
  expect([...held.values()].flat()).toEqual(w.wanted.map((s) => s.qty));
});

test('a reconcile that finds two subitems of one size archives the newer one and keeps the older', async () => {
  const w = await newOrder();
  const one = { ...w, wanted: w.wanted.slice(0, 2) };
  const first = await syncSubitems(client, one);
  // Someone (an old script, a lost race) added a second XS.
  const extra = await syncSubitems(client, { ...one, wanted: one.wanted.slice(0, 1), payloadHash: 'other' });
  const r = await syncSubitems(client, { ...one, reconcile: true });
  expect(r.duplicatesArchived).toBe(1);
  expect(r.subitems.find((s) => s.size === 'XS')?.subitemId).toBe(first.subitems.find((s) => s.size === 'XS')?.subitemId);
  const held = await settledSubitems(w.parentItemId);
  expect(duplicates(held)).toBe(0);
  expect(held.get('XS')).toEqual([0.5]);
  expect(extra.created).toBe(1);
});

test('quantities are read from NumbersValue.number: a unit in the text ("5.00 pcs") changes nothing on a reconcile', async () => {
  sandbox.setNumberFormat(QTY_COLUMN, { decimals: 2, symbol: ' pcs', direction: 'right' });
  try {
    const w = await newOrder();
    const few = { ...w, wanted: w.wanted.slice(0, 3) };
    await syncSubitems(client, few);
    const texts = (await client.itemSubitems(w.parentItemId, [QTY_COLUMN])).map((s) => s.values[QTY_COLUMN]);
    expect(texts).toEqual(['0.50 pcs', '1.50 pcs', '2.50 pcs']);
    // Parsing that text would see no quantity and rewrite every size; the number says they already match.
    const again = await syncSubitems(client, { ...few, reconcile: true });
    expect([again.created, again.updated, again.duplicatesArchived]).toEqual([0, 0, 0]);
  } finally {
    sandbox.setNumberFormat(QTY_COLUMN, { decimals: 2, symbol: '', direction: 'right' });
  }
});
