// stageOrder against a real SQLite file and the real mapping: a pass a sync dispatched stages the row as that sync's
// snapshot holds it; a rerun (snapshotOf null) stages the row as ORDERS_UNIFIED holds it now, so it sees the fix.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Store } from '../db/store';
import { openStore } from '../db/open';
import { generateOrderLines } from '../db/demo-data';
import { loadMapping, orderKeyOf } from '../mapping';
import { createActivities } from '../activities';
import type { MondayClient } from '../graphql/client';

describe('stageOrder reads the dispatching sync\'s snapshot, a rerun the live source', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-snap-'));
    store = await openStore({ sqliteFile: path.join(dir, 's.db') });
  });
  afterEach(async () => { await store.close(); fs.rmSync(dir, { recursive: true, force: true }); });

  test('snapshot row for the sync\'s pass, fixed row for the rerun; a key part with a no-break space inside is found', async () => {
    const mapping = loadMapping();
    // stageOrder touches only the database; Monday is never called here.
    const acts = createActivities({ store, mapping, monday: {} as MondayClient, orderDefaults: { subitemBatchSize: 10, rerunWait: '1d' }, removedSizes: 'zero' });
    const [row] = generateOrderLines(1, 77);
    row!['AAG ORDER NUMBER'] = `${String(row!['AAG ORDER NUMBER'])}\u00a0X\t`;   // NBSP inside (kept by the mapping), tab at the end
    const size = mapping.source.sizeColumns.find((s) => Number(row![s] ?? 0) > 0)!;
    row![size] = 4;
    await store.insertSourceRows([row!]);
    const key = orderKeyOf(mapping, row!);
    expect(key).toContain('\u00a0X|');
    await store.startBatch({ batchId: 'sync-1', batchType: 'FULL_BATCH' });
    await store.snapshotSource('sync-1');
    await store.updateSourceRows({ 'CUSTOMER STYLE': String(row!['CUSTOMER STYLE']) }, { [size]: 9 });   // the fix, after the snapshot

    const qtyStaged = async () => (await store.getStagedOrder(key))?.subitems.find((s) => s.size === size)?.qty;
    expect((await acts.stageOrder({ key, batchId: 'sync-1', snapshotOf: 'sync-1' })).status).toBe('STAGED');
    expect(await qtyStaged()).toBe(4);
    expect((await acts.stageOrder({ key, batchId: 'sync-1', snapshotOf: null })).status).toBe('STAGED');
    expect(await qtyStaged()).toBe(9);
    // A workflow started before snapshots existed passes no snapshotOf: the live source, as then.
    await store.updateSourceRows({ 'CUSTOMER STYLE': String(row!['CUSTOMER STYLE']) }, { [size]: 11 });
    await acts.stageOrder({ key, batchId: 'sync-1' });
    expect(await qtyStaged()).toBe(11);
  });

  test('a key part the mapping cleans harder (a run of tabs, a control character, an ideographic space) is staged, not "gone"', async () => {
    const mapping = loadMapping();
    const acts = createActivities({ store, mapping, monday: {} as MondayClient, orderDefaults: { subitemBatchSize: 10, rerunWait: '1d' }, removedSizes: 'zero' });
    const [row] = generateOrderLines(1, 78);
    row!['AAG ORDER NUMBER'] = `\u3000${String(row!['AAG ORDER NUMBER'])}\t\tX\u0001Y`;
    await store.insertSourceRows([row!]);
    const key = orderKeyOf(mapping, row!);
    expect(key.split('|')[0]).toMatch(/^\S+ XY$/);
    await store.startBatch({ batchId: 'sync-2', batchType: 'FULL_BATCH' });
    await store.snapshotSource('sync-2');
    expect((await acts.stageOrder({ key, batchId: 'sync-2', snapshotOf: 'sync-2' })).status).toBe('STAGED');
    expect((await acts.stageOrder({ key, batchId: 'sync-2', snapshotOf: null })).status).toBe('STAGED');
    expect((await store.getStagedOrder(key))?.key).toBe(key);
  });
});
