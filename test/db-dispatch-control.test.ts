// The dispatch control (admission, the hold, abandoned batches; db/dispatch-control.ts) on both dialects: SQLite
// always, SQL Server on the engine jest's global setup provides (Babelfish, or MSSQL_URL's server).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { openStore } from '../db/open';
import { settingsFromUrl } from '../db/mssql/config';
import type { Store } from '../db/store';
import { dispatchControlOf } from '../db/open';
import type { DispatchControl } from '../db/dispatch-control';
import { TEST_MSSQL_ENGINE, TEST_MSSQL_URL, freshMssqlDatabase } from './support/mssql';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function contract(name: string, open: () => Promise<Store>): void {
  describe(`DispatchControl: ${name}`, () => {
    let store: Store;
    let control: DispatchControl;
    const run = randomUUID().slice(0, 8);
    const k = (s: string) => `${run}|${s}`;
    beforeAll(async () => {
      store = await open();
      control = dispatchControlOf(store);
    });
    afterAll(() => store.close());

    test('waiting lines keep their place, in-flight ones are not made to wait, released ones wait again from the back', async () => {
      await control.markWaiting('B1', [k('a'), k('b')]);
      await pause(20);
      await control.markWaiting('B2', [k('c'), k('a')]);   // a is re-detected by a later sync: it keeps its place
      expect(await control.oldestWaiting(10)).toEqual([k('a'), k('b'), k('c')]);
      expect(await control.oldestWaiting(10, 'B2')).toEqual([k('a'), k('c')]);
      expect(await control.oldestWaiting(1)).toEqual([k('a')]);

      await control.markInFlight(k('a'), 'h1', 'B2');
      await control.markWaiting('B3', [k('a')]);           // running: a sync never turns it back into waiting
      expect((await control.admissions([k('a'), k('b'), k('zzz')]))).toEqual(new Map([
        [k('a'), { key: k('a'), state: 'IN_FLIGHT', sentHash: 'h1', batchId: 'B2' }],
        [k('b'), { key: k('b'), state: 'WAITING', sentHash: null, batchId: 'B1' }],
      ]));
      expect(await control.countInFlight()).toBe(1);
      expect(await control.countWaiting()).toBe(2);

      await control.release(k('a'));
      await pause(20);
      await control.markWaiting('B4', [k('a')]);
      expect(await control.oldestWaiting(10)).toEqual([k('b'), k('c'), k('a')]);
      expect((await control.admissions([k('a')])).get(k('a'))).toMatchObject({ state: 'WAITING', sentHash: 'h1' });   // what its workflow last had
      expect(await control.countInFlight()).toBe(0);
    });

    test('a batch is abandoned once and only while it has not ended', async () => {
      const batchId = `${run}-abandon`;
      await store.startBatch({ batchId, batchType: 'FULL_BATCH' });
      expect(await control.abandonBatch(batchId)).toBe(true);
      expect(await control.abandonBatch(batchId)).toBe(false);
      const batch = await store.getBatch(batchId);
      expect(batch).toMatchObject({ status: 'ABANDONED' });
      expect(batch?.endTime).not.toBeNull();
      expect(await control.abandonBatch(`${run}-none`)).toBe(false);
    });

    test('what a batch sent is recorded once per order line, per batch, and forgotten when its start was refused', async () => {
      const b = `${run}-sent`;
      expect(await control.recordSent(b, k('x'))).toBe(true);
      expect(await control.recordSent(b, k('x'))).toBe(false);   // a retried dispatch sends it again: counted once
      expect(await control.recordSent(b, k('y'))).toBe(true);
      expect(await control.recordSent(`${b}-other`, k('x'))).toBe(true);
      expect(await control.countSent(b)).toBe(2);
      expect(await control.sentIn(b, [k('x'), k('y'), k('z')])).toEqual(new Set([k('x'), k('y')]));
      await control.forgetSent(b, k('y'));
      expect(await control.countSent(b)).toBe(1);
      expect(await control.countSent(`${b}-other`)).toBe(1);
    });

    test('the hold: on keeps its first note and time, off lifts it', async () => {
      expect(await control.getHold()).toBeNull();
      await control.setHold('board maintenance');
      await control.setHold('second on');
      expect(await control.getHold()).toMatchObject({ note: 'board maintenance' });
      expect(Math.abs(Date.parse((await control.getHold())!.since) - Date.now())).toBeLessThan(60_000);
      await control.setHold(null);
      expect(await control.getHold()).toBeNull();
    });
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-dispatch-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
contract('SQLite', async () => {
  const store = await openStore({ sqliteFile: path.join(dir, 'dispatch.db') });
  await store.migrate();
  return store;
});

if (TEST_MSSQL_URL) {
  let db: Awaited<ReturnType<typeof freshMssqlDatabase>>;
  beforeAll(async () => { db = await freshMssqlDatabase('dispatch'); }, 60_000);
  afterAll(async () => { await db?.drop(); });
  contract(`SQL Server (${TEST_MSSQL_ENGINE}), schema dispatch_sync`, async () => {
    const store = await openStore({ mssql: settingsFromUrl(db.url, { poolMax: 4, schema: 'dispatch_sync' }) });
    await store.migrate();
    return store;
  });
}
