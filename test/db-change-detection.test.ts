// detectChangesPage against a real SQLite file, with a small hand-written transform standing in for mapping/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { OrderPayload, SourceRow } from '../shared/order';
import type { Store } from '../db/store';
import { openStore } from '../db/open';
import { detectChangesPage, type DetectDeps } from '../db/change-detection';
import { generateDemoOrders } from '../db/demo-data';
import { SIZE_COLUMNS } from '../db/orders-unified-columns';

const CANONICAL: Record<string, string> = { 'GREYSON CLOTHIERS': 'GREYSON', 'TITLE 9': 'TITLE NINE', 'RHYTHM (AU)': 'RHYTHM', 'LORNA JANE (NZ)': 'LORNA JANE',
  'Peloton Private Label': 'PELOTON', 'MACK WELDON': 'MACK WELDON', 'JOHNNIE O': 'JOHNNIE O' };
const keyOf = (row: SourceRow): string => `${row['AAG ORDER NUMBER']}|${row['CUSTOMER STYLE'] ?? ''}|${row['CUSTOMER COLOUR DESCRIPTION']}`;
function transform(row: SourceRow): OrderPayload {
  const customer = CANONICAL[String(row['CUSTOMER NAME'])];
  if (!customer) throw Object.assign(new Error(`Unknown customer ${row['CUSTOMER NAME']}`), { orderKey: keyOf(row), field: 'CUSTOMER NAME', value: row['CUSTOMER NAME'], reason: 'unknown customer' });
  if (!row['CUSTOMER STYLE']) throw new Error('CUSTOMER STYLE is empty');
  const subitems = SIZE_COLUMNS.filter((s) => row[s] !== null && row[s] !== undefined).map((s) => {
    const qty = Number(row[s]);
    if (!Number.isFinite(qty)) throw Object.assign(new Error(`Size ${s} is not a number`), { orderKey: keyOf(row), field: s, value: row[s], reason: 'not a number' });
    return { size: s, name: `Size ${s}`, qty, columnValues: {} };
  }).filter((s) => s.qty > 0);
  const body = { key: keyOf(row), itemName: String(row['CUSTOMER STYLE']), groupName: customer, customer, poNumber: String(row['PO NUMBER']),
    aagOrderNumber: String(row['AAG ORDER NUMBER']), columnValues: { notes: row.NOTES }, subitems, createLabelsIfMissing: false };
  return { ...body, hash: createHash('sha256').update(JSON.stringify(body)).digest('hex') };
}

describe('detectChangesPage', () => {
  let dir: string;
  let store: Store;
  let deps: DetectDeps;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'detect-'));
    store = await openStore({ sqliteFile: path.join(dir, 'd.db') });
    deps = { store, transform, keyOf };
  });
  afterEach(async () => { await store.close(); fs.rmSync(dir, { recursive: true, force: true }); });

  async function runAll(batchId: string, opts: { pageSize?: number; customer?: string; po?: string } = {}) {
    await store.startBatch({ batchId, batchType: 'FULL_BATCH' });
    const all = { orders: [] as Awaited<ReturnType<typeof detectChangesPage>>['orders'], total: 0, unchanged: 0, waiting: 0, failed: 0, pages: 0 };
    let cursor: string | null = null;
    do {
      const r = await detectChangesPage(deps, { batchId, cursor, pageSize: opts.pageSize ?? 7, customer: opts.customer, po: opts.po });
      all.orders.push(...r.orders); all.total += r.total; all.unchanged += r.unchanged; all.waiting += r.waiting; all.failed += r.failed; all.pages++;
      cursor = r.nextCursor;
    } while (cursor);
    return all;
  }

  test('demo data: everything good is NEW, the three bad rows land in ERR_ and are not sent; a re-run is UNCHANGED', async () => {
    const rows = generateDemoOrders();
    await store.insertSourceRows(rows);
    const first = await runAll('b1');
    expect(first.pages).toBeGreaterThan(10);                    // more rows than one page
    expect(first.orders).toHaveLength(rows.length - 3);
    expect(first.orders.every((o) => o.change === 'NEW')).toBe(true);
    expect(first.failed).toBe(3);
    const errors = await store.listErrors({ unresolvedOnly: true });
    expect(errors.map((e) => e.errorType).sort()).toEqual(['MAPPING_ERROR', 'MAPPING_ERROR', 'MAPPING_ERROR']);
    const messages = errors.map((e) => e.message).join('\n');
    for (const m of ['Size L is not a number', 'CUSTOMER STYLE is empty', 'Unknown customer ACME UNKNOWN LTD']) expect(messages).toContain(m);
    expect(errors.find((e) => e.message.includes('ACME'))?.payload).toMatchObject({ 'CUSTOMER NAME': 'ACME UNKNOWN LTD' });
    const greyson = first.orders.filter((o) => o.customer === 'GREYSON' && o.poNumber === '4755');
    expect(greyson).toHaveLength(69);
    let sizes = 0;
    for (const o of greyson) sizes += (await store.getStagedOrder(o.key))?.subitems.length ?? 0;
    expect(sizes).toBe(264);
    expect(first).toMatchObject({ total: rows.length, unchanged: 0, waiting: 0 });

    for (const o of first.orders) await store.markSynced(o.key, (await store.getSyncStates([o.key])).get(o.key)?.stagedHash ?? '');
    const second = await runAll('b2');
    expect(second.orders).toHaveLength(0);
    expect(second.unchanged).toBe(rows.length - 3);
    expect(await store.listErrors({ unresolvedOnly: true })).toHaveLength(3);   // seen again, not copied again
  });

  test('CHANGED after a source edit or for a failed order whose payload changed, RETRY for an interrupted one; a failed unchanged one waits untouched', async () => {
    const rows = generateDemoOrders({ extraOrders: 0, includeBadRows: false });
    await store.insertSourceRows(rows);
    const first = await runAll('b1');
    const [a, b, c, d] = first.orders.map((o) => o.key) as [string, string, string, string];
    for (const o of first.orders) await store.markSynced(o.key, (await store.getSyncStates([o.key])).get(o.key)?.stagedHash ?? '');
    const rowA = rows.find((r) => keyOf(r) === a) as SourceRow;
    await store.updateSourceRows({ 'AAG ORDER NUMBER': String(rowA['AAG ORDER NUMBER']), 'CUSTOMER STYLE': String(rowA['CUSTOMER STYLE']) }, { NOTES: 'changed' });
    await store.stageOrders('x', [{ ...transform(rows.find((r) => keyOf(r) === d) as SourceRow), hash: 'older' }]);
    await store.setOrderStatus(d, 'FAILED', { error: 'rejected' });  // d: failed with an older payload (row or mapping changed since) → CHANGED
    await store.setOrderStatus(b, 'FAILED', { error: 'rejected' });  // b: failed with the current payload → waits
    await store.setOrderStatus(c, 'IN_PROGRESS');              // c: interrupted mid-sync → RETRY
    const second = await runAll('b2', { pageSize: 20 });
    expect(new Map(second.orders.map((o) => [o.key, o.change]))).toEqual(new Map([[a, 'CHANGED'], [c, 'RETRY'], [d, 'CHANGED']]));
    expect(second).toMatchObject({ unchanged: rows.length - 4, waiting: 1 });
    expect((await store.getStagedOrder(a))?.status).toBe('PENDING');
    expect((await store.getStagedOrder(d))?.status).toBe('PENDING');
    // The waiting order's staging row is left as it was: FAILED, with its error.
    expect(await store.getStagedOrder(b)).toMatchObject({ status: 'FAILED' });
    expect((await store.getSyncStates([b])).get(b)?.status).toBe('FAILED');
  });

  test('a batch pages its snapshot: a row changed after its first page is CHANGED in the next batch, not in this one', async () => {
    const rows = generateDemoOrders({ extraOrders: 0, includeBadRows: false });
    await store.insertSourceRows(rows);
    const first = await runAll('s1');
    for (const o of first.orders) await store.markSynced(o.key, (await store.getSyncStates([o.key])).get(o.key)?.stagedHash ?? '');
    await store.startBatch({ batchId: 's2', batchType: 'FULL_BATCH' });
    const page1 = await detectChangesPage(deps, { batchId: 's2', cursor: null, pageSize: 7 });
    // A row this batch has not reached yet is changed (the source being reloaded, say).
    const later = rows.find((r) => !page1.orders.some((o) => o.key === keyOf(r)) && first.orders.at(-1)?.key === keyOf(r)) as SourceRow;
    await store.updateSourceRows({ 'AAG ORDER NUMBER': String(later['AAG ORDER NUMBER']), 'CUSTOMER STYLE': String(later['CUSTOMER STYLE']) }, { NOTES: 'reloaded' });
    let cursor = page1.nextCursor;
    const rest: string[] = [];
    let unchanged = page1.unchanged;
    while (cursor) {
      const page = await detectChangesPage(deps, { batchId: 's2', cursor, pageSize: 7 });
      rest.push(...page.orders.map((o) => o.key));
      unchanged += page.unchanged;
      cursor = page.nextCursor;
    }
    expect(rest).toEqual([]);
    expect(unchanged).toBe(rows.length);
    const third = await runAll('s3');
    expect(third.orders.map((o) => [o.key, o.change])).toEqual([[keyOf(later), 'CHANGED']]);
  });

  test('duplicate order keys are reported and never sent, even where a page boundary falls between them', async () => {
    const rows = generateDemoOrders({ extraOrders: 0, includeBadRows: false });
    const twin = { ...(rows[6] as SourceRow), NOTES: 'twin', record_uuid: null };   // rows sorted by key: index 6 ends page 1 at size 7
    await store.insertSourceRows([...rows, twin]);
    const res = await runAll('b1', { pageSize: 7 });
    const twinKey = keyOf(twin);
    expect(res.orders.map((o) => o.key)).not.toContain(twinKey);
    expect(res.orders).toHaveLength(rows.length - 1);
    expect(res.failed).toBe(2);
    const errs = await store.listErrors({ orderKey: twinKey });
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ errorType: 'DUPLICATE_ORDER_KEY', category: 'DATA' });
    expect(await store.getStagedOrder(twinKey)).toBeNull();
  });

  test('filters: customer compares to the canonical name, PO goes to the store', async () => {
    await store.insertSourceRows(generateDemoOrders());
    const titleNine = await runAll('b1', { customer: 'title nine' });
    expect(titleNine.orders.length).toBeGreaterThan(0);
    expect(titleNine.orders.every((o) => o.customer === 'TITLE NINE')).toBe(true);
    const po = await runAll('b2', { po: '4755' });
    expect(po.orders).toHaveLength(69);
    const greyson = await runAll('b3', { customer: 'GREYSON' });
    expect(greyson.orders).toHaveLength(69);                   // staged by the PO run, still PENDING: picked up again
    expect(greyson.orders.every((o) => o.change === 'RETRY')).toBe(true);
    expect(greyson.failed).toBe(1);                            // GREYSON's bad quantity row; other customers' bad rows are not its business
  });
});
