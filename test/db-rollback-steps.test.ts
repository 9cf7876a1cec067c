// Rollback's paging of the audit and its step table (db/rollback-steps.ts) on both dialects: SQLite always, SQL
// Server on the test engine jest's global setup provides (Babelfish, or MSSQL_URL's server).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { openStore, operationsOf, rollbackStepsOf } from '../db/open';
import { settingsFromUrl } from '../db/mssql/config';
import type { Store } from '../db/store';
import { SqliteStore } from '../db/sqlite/store';
import type { MssqlStore } from '../db/mssql/store';
import { sqliteRetentionSql } from '../db/sqlite/batch-sql';
import { mssqlRetentionSql } from '../db/mssql/batch-sql';
import type { MondayWrite } from '../db/operations';
import type { RollbackStepStore } from '../db/rollback-steps';
import { TEST_MSSQL_ENGINE, TEST_MSSQL_URL, freshMssqlDatabase, skippedNotice } from './support/mssql';

function contract(name: string, open: () => Promise<Store>): void {
  describe(`RollbackStepStore: ${name}`, () => {
    let store: Store;
    let steps: RollbackStepStore;
    const run = randomUUID().slice(0, 8);
    beforeAll(async () => {
      store = await open();
      steps = rollbackStepsOf(store);
    });
    afterAll(() => store.close());

    test('pages the audit newest first by id, with superseded and created-parent flags and what this run recorded', async () => {
      const [bad, later] = [`${run}-bad`, `${run}-later`];
      const w = (batchId: string, orderKey: string, target: 'item' | 'subitem', mondayId: string, action: MondayWrite['action'], parentId: string | null = null): MondayWrite =>
        ({ batchId, orderKey, target, mondayId, size: target === 'subitem' ? 'S' : null, parentId, action, newValues: null, replacedValues: null });
      const ops = operationsOf(store);
      await ops.recordWrites([
        w(bad, 'k1', 'item', `${run}-i1`, 'create'),
        w(bad, 'k1', 'subitem', `${run}-s1`, 'create', `${run}-i1`),
        w(bad, 'k2', 'item', `${run}-i2`, 'update'),
        w(bad, 'k2', 'subitem', `${run}-s2`, 'update', `${run}-i2`),
        w(bad, 'k3', 'item', `${run}-i3`, 'update'),
      ]);
      await ops.recordWrites([w(later, 'k3', 'item', `${run}-i3`, 'update')]);

      const first = await steps.auditPage(bad, 'run-a', null, 2);
      expect(first.map((r) => r.mondayId)).toEqual([`${run}-i3`, `${run}-s2`]);
      expect(first[0]).toMatchObject({ superseded: true, parentCreated: false, runOutcome: null });
      const second = await steps.auditPage(bad, 'run-a', first[1]!.auditId, 2);
      expect(second.map((r) => r.mondayId)).toEqual([`${run}-i2`, `${run}-s1`]);
      expect(second[1]).toMatchObject({ parentCreated: true, superseded: false });
      const last = await steps.auditPage(bad, 'run-a', second[1]!.auditId, 2);
      expect(last.map((r) => r.mondayId)).toEqual([`${run}-i1`]);
      expect(await steps.auditPage(bad, 'run-a', last[0]!.auditId, 2)).toEqual([]);
      expect(await steps.auditCounts(bad)).toEqual({ total: 5, open: 5, orders: 3 });

      // A step recorded twice (a retried page) stays one row; undoing marks the audit row with it.
      await steps.recordSteps('run-a', bad, [{ auditId: first[0]!.auditId, orderKey: 'k3', outcome: 'MANUAL', line: 'k3: a person has to look' }]);
      await steps.recordSteps('run-a', bad, [{ auditId: first[0]!.auditId, orderKey: 'k3', outcome: 'MANUAL', line: 'k3: a person has to look' }]);
      await steps.recordUndone('run-a', bad, { auditId: first[1]!.auditId, orderKey: 'k2', outcome: 'DONE', line: 'quantity restored' });
      await steps.recordUndone('run-a', bad, { auditId: first[1]!.auditId, orderKey: 'k2', outcome: 'DONE', line: 'quantity restored' });
      expect((await steps.auditPage(bad, 'run-a', null, 2)).map((r) => r.runOutcome)).toEqual(['MANUAL', 'DONE']);
      expect((await steps.auditPage(bad, 'run-b', null, 2)).map((r) => r.runOutcome)).toEqual([null, null]);
      expect(await steps.listSteps('run-a', 'MANUAL', 10)).toEqual({ lines: ['k3: a person has to look'], total: 1 });
      expect(await steps.listSteps('run-a', 'DONE', 10)).toEqual({ lines: ['quantity restored'], total: 1 });
      expect(await steps.auditCounts(bad)).toEqual({ total: 5, open: 4, orders: 3 });
      expect((await ops.listWrites(bad)).find((x) => x.auditId === first[1]!.auditId)).toMatchObject({ rollbackNote: 'quantity restored', rolledBackAt: expect.any(String) });

      // Marking staging pages the rolled-back rows oldest first; orders are counted once.
      await steps.recordUndone('run-a', bad, { auditId: second[0]!.auditId, orderKey: 'k2', outcome: 'DONE', line: 'restored' });
      expect((await steps.rolledBackPage(bad, 0, 1)).map((r) => r.auditId)).toEqual([second[0]!.auditId]);
      expect((await steps.rolledBackPage(bad, second[0]!.auditId, 10)).map((r) => r.auditId)).toEqual([first[1]!.auditId]);
      expect(await steps.countRolledBackOrders(bad)).toBe(1);

      // Many steps in one call (more than one SQL Server request).
      const many = Array.from({ length: 650 }, (_, i) => ({ auditId: 1_000_000 + i, orderKey: `k${i}`, outcome: 'PLANNED' as const, line: `line ${i}` }));
      await steps.recordSteps('run-many', bad, many);
      expect(await steps.listSteps('run-many', 'PLANNED', 3)).toEqual({ lines: ['line 649', 'line 648', 'line 647'], total: 650 });
    });

    test("a batch's order keys: those it wrote and those it staged, each once, ascending, paged", async () => {
      const batchId = `${run}-keys`;
      await operationsOf(store).recordWrites(['b', 'a'].map((k) => ({ batchId, orderKey: `${run}|${k}`, target: 'item' as const, mondayId: `${run}-${k}`, size: null, parentId: null, action: 'create' as const, newValues: null, replacedValues: null })));
      await store.stageOrders(batchId, [{
        key: `${run}|c`, itemName: 'c', groupName: 'G', customer: 'C', poNumber: '1', aagOrderNumber: 'c', createLabelsIfMissing: false, columnValues: {}, subitems: [], hash: 'h',
      }]);
      expect(await steps.batchOrderKeys(batchId, null, 2)).toEqual([`${run}|a`, `${run}|b`]);
      expect(await steps.batchOrderKeys(batchId, `${run}|b`, 2)).toEqual([`${run}|c`]);
    });

    test('RETENTION_DAYS deletes step rows by age, as it does the audit', async () => {
      await steps.recordSteps('run-old', `${run}-old`, [{ auditId: 1, orderKey: 'k', outcome: 'MANUAL', line: 'old' }]);
      // A cutoff a day ahead: every row is "older" (the last test of the file, it empties the tables).
      if (store instanceof SqliteStore) {
        const cutoff = new Date(Date.now() + 86_400_000).toISOString();
        for (const statement of sqliteRetentionSql()) store.db.prepare(statement).run({ cutoff });
      } else {
        await (store as MssqlStore).query('retention', mssqlRetentionSql((store as MssqlStore).schema), { days: -1 });
      }
      expect(await steps.listSteps('run-old', 'MANUAL', 1)).toEqual({ lines: [], total: 0 });
    });
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-rollback-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
contract('SQLite', () => openStore({ sqliteFile: path.join(dir, 'rollback.db') }));

if (TEST_MSSQL_URL) {
  let db: Awaited<ReturnType<typeof freshMssqlDatabase>>;
  beforeAll(async () => { db = await freshMssqlDatabase('rollback'); }, 60_000);
  afterAll(async () => { await db?.drop(); });
  contract(`SQL Server (${TEST_MSSQL_ENGINE})`, async () => {
    const store = await openStore({ mssql: settingsFromUrl(db.url, { poolMax: 4, schema: 'rb_sync' }) });
    await store.migrate();
    return store;
  });
} else {
  skippedNotice('SQL Server rollback step tests');
}
