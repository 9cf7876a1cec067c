// The operations store (write audit, batch figures, worker status rows) on both dialects: SQLite always, SQL Server
// on the test engine jest's global setup provides (Babelfish, or MSSQL_URL's server). Without one, db-store.test.ts
// parses its T-SQL with the rest of the adapter's (allMssqlStatements).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import sql from 'mssql';
import { openStore, parseMssqlUrl, inspectionOf } from '../db/open';
import { settingsFromUrl } from '../db/mssql/config';
import type { Store } from '../db/store';
import { type OperationsStore } from '../db/operations';
import { operationsOf } from '../db/open';
import type { OrderPayload } from '../shared/order';
import { TEST_MSSQL_ENGINE, TEST_MSSQL_URL, freshMssqlDatabase, skippedNotice } from './support/mssql';

function payload(key: string, sizes: [string, number][], note: string): OrderPayload {
  const body = {
    key, itemName: `Item ${key}`, groupName: 'G', customer: 'GREYSON', poNumber: '1', aagOrderNumber: key, createLabelsIfMissing: false,
    columnValues: { notes: note }, subitems: sizes.map(([size, qty]) => ({ size, name: `Size ${size}`, qty, columnValues: { q: qty } })),
  };
  return { ...body, hash: createHash('sha256').update(JSON.stringify(body)).digest('hex') };
}

function contract(name: string, open: () => Promise<Store>): void {
  describe(`OperationsStore: ${name}`, () => {
    let store: Store;
    let ops: OperationsStore;
    const run = randomUUID().slice(0, 8);
    const batch = (s: string) => `${run}-${s}`;

    beforeAll(async () => {
      store = await open();
      ops = operationsOf(store);
    });
    afterAll(() => store.close());

    test('batch counters count the audited Monday writes by what they did, a retried write once, and requests by the staging batch', async () => {
      const batchId = batch('COUNT');
      await store.startBatch({ batchId, batchType: 'FULL_BATCH' });
      const base = { batchId, orderKey: `${run}|count`, parentId: `${run}-ci`, newValues: null, replacedValues: null };
      const writes = [
        { ...base, target: 'item' as const, mondayId: `${run}-ci`, size: null, parentId: null, action: 'create' as const },
        { ...base, target: 'item' as const, mondayId: `${run}-cj`, size: null, parentId: null, action: 'update' as const },
        { ...base, target: 'subitem' as const, mondayId: `${run}-cs1`, size: 'S', action: 'create' as const },
        { ...base, target: 'subitem' as const, mondayId: `${run}-cs2`, size: 'M', action: 'create' as const },
        { ...base, target: 'subitem' as const, mondayId: `${run}-cs3`, size: 'L', action: 'update' as const },
        { ...base, target: 'subitem' as const, mondayId: `${run}-cs4`, size: 'XL', action: 'zero' as const },
        { ...base, target: 'subitem' as const, mondayId: `${run}-cs5`, size: '2XL', action: 'archive' as const },
      ];
      await ops.recordWrites(writes);
      await ops.recordWrites(writes.slice(0, 3));   // the activity retried after its writes were audited
      expect((await store.getBatch(batchId))?.counters).toMatchObject({ items: 1, itemsUpdated: 1, subitems: 2, subitemsUpdated: 1, subitemsRemoved: 2 });
      await store.stageOrders(batchId, [payload(`${run}|count`, [['S', 1]], 'n')]);
      await ops.addApiCalls(`${run}|count`, 4);
      await ops.addApiCalls(`${run}|count`, 3);
      await ops.addApiCalls(`${run}|not-staged`, 9);
      expect((await store.getBatch(batchId))?.counters.apiCalls).toBe(7);
    });

    test('a write recorded twice (a retried activity) keeps its first replaced values and the newest values', async () => {
      const w = { batchId: batch('A'), orderKey: `${run}|k`, target: 'subitem' as const, mondayId: `${run}-s1`, size: 'M', parentId: `${run}-i1`, action: 'update' as const };
      await ops.recordWrites([{ ...w, newValues: { qty: 5 }, replacedValues: { qty: 3 } }]);
      await ops.recordWrites([{ ...w, newValues: { qty: 6 }, replacedValues: { qty: 5 } }]);
      const writes = await ops.listWrites(batch('A'));
      expect(writes).toHaveLength(1);
      expect(writes[0]).toMatchObject({ ...w, newValues: { qty: 6 }, replacedValues: { qty: 3 }, rolledBackAt: null });
    });

    test('what Monday holds: the newest write of another batch that was not rolled back; later batches supersede', async () => {
      const base = { orderKey: `${run}|k2`, target: 'item' as const, mondayId: `${run}-i2`, size: null, parentId: null, replacedValues: null };
      await ops.recordWrites([{ ...base, batchId: batch('B1'), action: 'create', newValues: { groupName: 'G', columnValues: { notes: 'one' } } }]);
      await ops.recordWrites([{ ...base, batchId: batch('B2'), action: 'update', newValues: { groupName: 'G', columnValues: { notes: 'two' } } }]);
      expect(await ops.lastWrittenValues(`${run}-i2`, batch('B3'))).toEqual({ groupName: 'G', columnValues: { notes: 'two' } });
      expect(await ops.supersededIds(batch('B1'))).toEqual([`${run}-i2`]);
      const [b2] = await ops.listWrites(batch('B2'));
      await ops.markWriteRolledBack(b2!.auditId, 'restored');
      await ops.markWriteRolledBack(b2!.auditId, 'restored again');
      expect(await ops.lastWrittenValues(`${run}-i2`, batch('B3'))).toEqual({ groupName: 'G', columnValues: { notes: 'one' } });
      expect(await ops.supersededIds(batch('B1'))).toEqual([]);
      const [again] = await ops.listWrites(batch('B2'));
      expect(again).toMatchObject({ rollbackNote: 'restored again' });
      expect(again!.rolledBackAt).not.toBeNull();
    });

    test('marking an order rolled back: synced at the batch payload, archived ids forgotten, quantities restored', async () => {
      const key = `${run}|k3`;
      await store.startBatch({ batchId: batch('C'), batchType: 'FULL_BATCH' });
      await store.stageOrders(batch('C'), [payload(key, [['S', 4], ['M', 9]], 'bad')]);
      await store.setOrderStatus(key, 'ITEM_CREATED', { itemId: `${run}-item` });
      await store.setSubitemIds(key, [{ size: 'S', subitemId: `${run}-sub-s`, qty: 4 }, { size: 'M', subitemId: `${run}-sub-m`, qty: 9 }]);
      expect(await ops.stagedBatchId(key)).toBe(batch('C'));
      await ops.markOrderRolledBack({ batchId: batch('C'), orderKey: key, archivedIds: [`${run}-sub-s`], restoredQty: [{ subitemId: `${run}-sub-m`, qty: 7 }] });
      const staged = await store.getStagedOrder(key);
      expect(staged).toMatchObject({ status: 'SYNCED', itemId: `${run}-item`, syncedHash: staged!.payload.hash });
      expect(staged!.subitems).toEqual(expect.arrayContaining([
        { size: 'S', qty: 4, subitemId: null, syncedQty: null },
        { size: 'M', qty: 9, subitemId: `${run}-sub-m`, syncedQty: 7 },
      ]));
      // The whole item archived: its id and its subitems' ids go.
      await ops.markOrderRolledBack({ batchId: batch('C'), orderKey: key, archivedIds: [`${run}-item`], restoredQty: [] });
      const gone = await store.getStagedOrder(key);
      expect(gone!.itemId).toBeNull();
      expect(gone!.subitems.every((s) => s.subitemId === null)).toBe(true);
      expect((await store.getSyncStates([key])).get(key)).toMatchObject({ status: 'SYNCED', syncedHash: gone!.payload.hash });
    });

    test('batch figures: running, finished, finished since a batch started; board items', async () => {
      const key = `${run}|k4`;
      await store.startBatch({ batchId: batch('D'), batchType: 'FULL_BATCH' });
      await store.updateBatch(batch('D'), { newOrders: 1 });
      await store.stageOrders(batch('D'), [payload(key, [['L', 2]], 'x')]);
      expect(await ops.runningBatch()).toMatchObject({ batchId: batch('D'), dispatched: 1 });
      expect(await ops.finishedSince(batch('D'))).toEqual({ synced: 0, failed: 0 });
      await store.setOrderStatus(key, 'ITEM_CREATED', { itemId: `${run}-item4` });
      await store.markSynced(key, 'h');
      expect((await ops.finishedSince(batch('D'))).synced).toBeGreaterThanOrEqual(1);
      const items = await ops.countBoardItems();
      expect(items).toBeGreaterThanOrEqual(1);
      await store.finishBatch(batch('D'), 'COMPLETED');
      expect(await ops.lastFinishedBatch()).toMatchObject({ batchId: batch('D'), status: 'COMPLETED' });
    });

    test('worker status rows: one per worker, only fresh ones are live', async () => {
      const s = {
        workerId: `${run}-w`, updatedAt: new Date().toISOString(), complexityUsed: 5, complexityPerMinute: 100, requests: 1, requestsPerMinute: 10,
        waiting: 2, waitingFor: 'complexity' as const, waitMs: 3000, pausedForMs: 0, dailyLimitUntil: null,
      };
      await ops.saveWorkerStatus(s);
      await ops.saveWorkerStatus({ ...s, waiting: 3 });
      const live = (await ops.liveWorkerStatuses(10_000)).filter((x) => x.workerId === s.workerId);
      expect(live).toEqual([{ ...s, waiting: 3 }]);
      await new Promise((r) => setTimeout(r, 300));
      expect((await ops.liveWorkerStatuses(100)).filter((x) => x.workerId === s.workerId)).toEqual([]);
    });

    test('what operators read (batches, errors, rerun --failed, the last synced line) reads the same on both databases', async () => {
      const inspect = inspectionOf(store);
      const batchId = batch('INSPECT');
      await store.startBatch({ batchId, batchType: 'FULL_BATCH' });
      expect((await inspect.recentBatches(50)).map((b) => b.batchId)).toContain(batchId);
      const failedKey = `${run}|failed`;
      await store.stageOrders(batchId, [{ ...payload(failedKey, [['S', 1]], 'f'), customer: ' GREYSON ', poNumber: '4755' }]);
      await store.setOrderStatus(failedKey, 'FAILED', { error: 'Monday rejected it' });
      expect(await inspect.failedLines({ customer: 'greyson', po: '4755' })).toEqual(expect.arrayContaining([{ key: failedKey, customer: ' GREYSON ', poNumber: '4755', error: 'Monday rejected it' }]));
      expect((await inspect.failedLines({ po: 'nope' })).map((l) => l.key)).not.toContain(failedKey);
      const before = new Date(Date.now() - 60_000).toISOString();
      await store.recordError({ scope: 'subitem', orderKey: failedKey, size: 'S', category: 'REJECTED', errorType: 'ColumnValueException', message: 'bad qty', batchId });
      const errors = (await inspect.errors({ since: before, all: false })).filter((e) => e.orderKey === failedKey);
      expect(errors).toEqual([expect.objectContaining({ scope: 'subitem', size: 'S', customer: ' GREYSON ', poNumber: '4755', errorType: 'ColumnValueException' })]);
      expect((await inspect.errors({ since: '2099-01-01T00:00:00.000Z', all: true })).filter((e) => e.orderKey === failedKey)).toEqual([]);
      const syncedKey = `${run}|synced`;
      await store.stageOrders(batchId, [payload(syncedKey, [['S', 1]], 's')]);
      await store.markSynced(syncedKey, payload(syncedKey, [['S', 1]], 's').hash);
      expect(Math.abs(Date.parse((await inspect.lastSyncedAt())!) - Date.now())).toBeLessThan(60_000);
    });
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-ops-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
contract('SQLite', () => openStore({ sqliteFile: path.join(dir, 'ops.db') }));

if (TEST_MSSQL_URL) {
  let db: Awaited<ReturnType<typeof freshMssqlDatabase>>;
  beforeAll(async () => { db = await freshMssqlDatabase('operations'); }, 60_000);
  afterAll(async () => { await db?.drop(); });
  // A schema other than the default: every statement has to name the configured one (MSSQL_SCHEMA).
  const schema = 'ops_sync';
  contract(`SQL Server (${TEST_MSSQL_ENGINE}), schema ${schema}`, async () => {
    const store = await openStore({ mssql: settingsFromUrl(db.url, { poolMax: 4, schema }) });
    await store.migrate();
    return store;
  });

  test('the audit and worker status tables live in the configured schema, and nothing of ours in dbo', async () => {
    const pool = await new sql.ConnectionPool(parseMssqlUrl(db.url)).connect();
    try {
      const rows = (await pool.request().query(`SELECT SCHEMA_NAME(t.[schema_id]) AS schema_name, t.[name] AS table_name FROM sys.tables t
        WHERE t.[name] IN (N'MON_WriteAudit', N'MON_WorkerStatus')`)).recordset as { schema_name: string; table_name: string }[];
      // Babelfish reports names lower-cased; SQL Server as created.
      expect(rows.map((r) => `${r.schema_name}.${r.table_name}`.toLowerCase()).sort()).toEqual([`${schema}.mon_workerstatus`, `${schema}.mon_writeaudit`]);
    } finally {
      await pool.close();
    }
  });
} else {
  skippedNotice('SQL Server operations tests');
}
