// Issue 19: the source as the database has it (catalog, real names, MSSQL_SOURCE), errors no retry can fix, the
// snapshot read gently, keys within SQL Server's limits, and an SQLite file ordinary tools open.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import sql from 'mssql';
import { ApplicationFailure } from '@temporalio/common';
import { openStore, parseMssqlUrl } from '../db/open';
import { SourceColumnsError, nearMatch, sourceSpecOf, type SourceSpec } from '../db/source';
import { parseSourceName, checkedSchemaName } from '../db/mssql/identifiers';
import { permanentSqlError } from '../db/sql-errors';
import { SQLITE_MIGRATIONS } from '../db/sqlite/migrations';
import { failFastStore, isSqlFailure } from '../activities/sql-failures';
import { stageIsolatingFailures } from '../db/stage-isolated';
import { generateDemoOrders } from '../db/demo-data';
import { loadMapping } from '../mapping';
import type { OrderPayload, SourceRow } from '../shared/order';
import { TEST_MSSQL_ENGINE, TEST_MSSQL_URL, freshMssqlDatabase, skippedNotice } from './support/mssql';

const REAL = "CUSTOMER''S COLOUR CODE (CUSTOM FIELD) CUSTOMER PROVIDES THIS";
const ONE_APOSTROPHE = "CUSTOMER'S COLOUR CODE (CUSTOM FIELD) CUSTOMER PROVIDES THIS";

function payload(key: string, sizes: [string, number][]): OrderPayload {
  const body = {
    key, itemName: `Item ${key}`, groupName: 'G', customer: 'GREYSON', poNumber: '1', aagOrderNumber: key.split('|')[0] ?? key,
    columnValues: {}, createLabelsIfMissing: false, subitems: sizes.map(([size, qty]) => ({ size, name: size, qty, columnValues: {} })),
  };
  return { ...body, hash: createHash('sha256').update(JSON.stringify(body)).digest('hex') };
}

describe('names and classification', () => {
  test('a near match (apostrophes, case, spaces) is named; an unrelated name is not', () => {
    expect(nearMatch(ONE_APOSTROPHE, [REAL, 'CUSTOMER STYLE'])).toBe(REAL);
    expect(nearMatch('customer  style', ['CUSTOMER STYLE'])).toBe('CUSTOMER STYLE');
    expect(nearMatch('CUSTOMER NAME', ['CUSTOMER STYLE'])).toBeNull();
  });

  test('MSSQL_SOURCE and MSSQL_SCHEMA are checked where SQL is built', () => {
    expect(parseSourceName('dbo.vORDERS_UNIFIED')).toEqual({ schema: 'dbo', name: 'vORDERS_UNIFIED' });
    expect(parseSourceName('[sales].[ORDERS.UNIFIED]]x]')).toEqual({ schema: 'sales', name: 'ORDERS.UNIFIED]x' });
    expect(parseSourceName('ORDERS_UNIFIED')).toEqual({ schema: 'dbo', name: 'ORDERS_UNIFIED' });
    expect(() => parseSourceName("dbo.x'; DROP TABLE y; --")).toThrow(/MSSQL_SOURCE/);
    expect(() => parseSourceName('a.b.c')).toThrow(/schema.name/);
    expect(() => checkedSchemaName('orders_sync]; DROP')).toThrow(/MSSQL_SCHEMA/);
    expect(checkedSchemaName('orders_sync')).toBe('orders_sync');
  });

  test('SQL Server numbers no retry can fix are permanent, with table and column; deadlocks and timeouts are not', () => {
    expect(permanentSqlError({ number: 207, message: "Invalid column name 'X'." })).toMatchObject({ category: 'CONFIG', column: 'X' });
    expect(permanentSqlError({ number: 515, message: "Cannot insert the value NULL into column 'a', table 'db.dbo.t'; column does not allow nulls." }))
      .toMatchObject({ category: 'DATA', column: 'a', table: 'db.dbo.t' });
    expect(permanentSqlError({ number: 2628, message: "String or binary data would be truncated in table 'db.s.t', column 'Size'." })).toMatchObject({ category: 'DATA', column: 'Size' });
    for (const n of [208, 245, 547, 1946, 229]) expect(permanentSqlError({ number: n, message: 'x' })).not.toBeNull();
    for (const n of [1205, 40613, 2627]) expect(permanentSqlError({ number: n, message: 'x' })).toBeNull();
    expect(permanentSqlError({ code: 'ETIMEOUT', message: 'timeout' })).toBeNull();
    expect(permanentSqlError({ code: 'SQLITE_ERROR', message: 'no such column: X' })).toMatchObject({ category: 'CONFIG', column: 'X' });
    expect(permanentSqlError({ code: 'SQLITE_CONSTRAINT_NOTNULL', message: 'NOT NULL constraint failed: T.c' })).toMatchObject({ category: 'DATA', table: 'T', column: 'c' });
    expect(permanentSqlError({ code: 'SQLITE_BUSY', message: 'database is locked' })).toBeNull();
  });
});

describe('SQLite file in ordinary tools', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-tools-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  // Python 3's sqlite3 module (SQLite 3.40.1 on Debian 12 / Python 3.11: the oldest the project supports, what
  // operators have) and, when installed, the sqlite3 shell.
  const pythonOpens = (file: string) => spawnSync('python3', ['-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(sqlite3.sqlite_version, c.execute("select count(*) from sqlite_master").fetchone()[0], c.execute("select count(*) from STG_MON_CustMasterSchedule").fetchone()[0])', file], { encoding: 'utf8' });

  test('a database of the previous release does not open in Python; migrated, it does, with its data', async () => {
    const file = path.join(dir, 'old.db');
    const old = new Database(file);
    old.exec('CREATE TABLE MON_SchemaMigrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (const m of SQLITE_MIGRATIONS.filter((x) => x.version < '100')) {
      for (const s of m.statements) old.exec(s);
      old.prepare('INSERT INTO MON_SchemaMigrations VALUES (?, ?)').run(m.version, 'then');
    }
    old.close();
    const before = pythonOpens(file);
    expect(before.status).not.toBe(0);
    expect(before.stderr).toMatch(/malformed database schema|parser stack overflow/);

    const store = await openStore({ sqliteFile: file });
    await store.insertSourceRows(generateDemoOrders({ seed: 3, extraOrders: 0, includeBadRows: false }).slice(0, 5));
    await store.stageOrders('b', [payload('A|B|C', [['S', 1]])]);
    await store.startBatch({ batchId: 'b', batchType: 'FULL_BATCH' });
    expect(await store.snapshotSource('b')).toBe(5);
    await store.close();
    const after = pythonOpens(file);
    expect(after.stderr).toBe('');
    expect(after.stdout.trim()).toMatch(/^3\.\d+\.\d+ \d+ 1$/);
    const shell = spawnSync('sqlite3', [file, 'select count(*) from MON_SourceSnapshotMember'], { encoding: 'utf8' });
    if (shell.error === undefined) expect(shell.stdout.trim()).toBe('5');
  });

  test('the SQLite source is read the same way: only the mapping\'s columns, a missing one named with its near match', async () => {
    const file = path.join(dir, 'spec.db');
    const mapping = loadMapping();
    const spec: SourceSpec = { ...sourceSpecOf(mapping), columns: [...(sourceSpecOf(mapping).columns ?? []), ONE_APOSTROPHE] };
    const store = await openStore({ sqliteFile: file, source: { spec } });
    try {
      await expect(store.readSourcePage(null, 10)).rejects.toThrow(SourceColumnsError);
      await expect(store.readSourcePage(null, 10)).rejects.toThrow(`the table has ${JSON.stringify(REAL)}`);
    } finally {
      await store.close();
    }
    const right = await openStore({ sqliteFile: file, source: { spec: sourceSpecOf(mapping) } });
    try {
      await right.insertSourceRows(generateDemoOrders({ seed: 4, extraOrders: 0, includeBadRows: false }).slice(0, 3));
      const [row] = (await right.readSourcePage(null, 10)).rows;
      expect(Object.keys(row as SourceRow).sort()).toEqual([...new Set(sourceSpecOf(mapping).columns)].sort());
    } finally {
      await right.close();
    }
    execFileSync('python3', ['-c', 'import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute("select count(*) from ORDERS_UNIFIED").fetchone()', file]);
  });
});

if (!TEST_MSSQL_URL) {
  skippedNotice('SQL Server source tests');
  test.todo('SQL Server source (needs MSSQL_URL or ../shared/tools/babelfish)');
} else {
  describe(`SQL Server source on the user's DDL (${TEST_MSSQL_ENGINE})`, () => {
    let db: Awaited<ReturnType<typeof freshMssqlDatabase>>;
    const mapping = loadMapping();
    // A mapping whose item column reads the colour code, as a user's might.
    const reading = (name: string): SourceSpec => ({ ...sourceSpecOf(mapping), columns: [...(sourceSpecOf(mapping).columns ?? []), name] });
    beforeAll(async () => {
      db = await freshMssqlDatabase('source');
      const pool = await new sql.ConnectionPool(parseMssqlUrl(db.url)).connect();
      try {
        // Written as the user's DDL writes it: two apostrophes inside the brackets.
        await pool.request().batch(`CREATE VIEW [dbo].[vORDERS_UNIFIED] AS SELECT [AAG ORDER NUMBER], [CUSTOMER NAME], [CUSTOMER STYLE],
          [CUSTOMER COLOUR DESCRIPTION], [PO NUMBER], [${REAL}], * FROM [dbo].[ORDERS_UNIFIED]`.replace(', *', `, ${'[XS], [S], [M], [L], [XL]'}`));
      } finally {
        await pool.close();
      }
    }, 120_000);
    afterAll(async () => { await db?.drop(); });

    test('a mapping with one apostrophe is refused naming the exact column; as failure it is SQL_ERROR, not retried', async () => {
      const store = await openStore({ mssqlUrl: db.url, source: { spec: reading(ONE_APOSTROPHE) } });
      try {
        await store.migrate();
        const err = await store.readSourcePage(null, 10).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SourceColumnsError);
        expect((err as Error).message).toContain(`the table has ${JSON.stringify(REAL)}: put that exact name in the mapping`);
        const failure = await failFastStore(store).snapshotSource('x').catch((e: unknown) => e);
        expect(isSqlFailure(failure)).toBe(true);
        expect((failure as ApplicationFailure).nonRetryable).toBe(true);
      } finally {
        await store.close();
      }
    });

    test('the real name reads through the view (MSSQL_SOURCE), by snapshot, page and look-up, selecting only the mapped columns', async () => {
      const store = await openStore({ mssqlUrl: db.url, source: { name: '[dbo].[ORDERS_UNIFIED]', spec: reading(REAL) } });
      const view = await openStore({ mssqlUrl: db.url, source: { name: 'dbo.vORDERS_UNIFIED', spec: { ...reading(REAL), columns: ['AAG ORDER NUMBER', 'CUSTOMER NAME', 'CUSTOMER STYLE', 'CUSTOMER COLOUR DESCRIPTION', 'PO NUMBER', REAL, 'XS', 'S'] } } });
      try {
        await store.migrate();
        const rows = generateDemoOrders({ seed: 9, extraOrders: 0, includeBadRows: false }).slice(0, 6).map((r, i) => ({ ...r, [REAL]: `CODE'${i}`, 'PO NUMBER': 'VIEWPO' }));
        await store.insertSourceRows(rows);
        await view.startBatch({ batchId: 'v1', batchType: 'FULL_BATCH' });
        expect(await view.snapshotSource('v1', { po: 'VIEWPO' })).toBe(6);
        const page = await view.readSourcePage(null, 100, { po: 'VIEWPO', snapshotOf: 'v1' });
        expect(page.rows.map((r) => r[REAL]).sort()).toEqual(rows.map((r) => r[REAL]).sort());
        expect(Object.keys(page.rows[0] as SourceRow)).toHaveLength(8);
        const first = rows[0] as SourceRow;
        const found = await view.readSourceRowsByKey(['AAG ORDER NUMBER'], [String(first['AAG ORDER NUMBER'])], 'v1');
        expect(found.map((r) => r[REAL])).toContain(first[REAL]);
      } finally {
        await store.close();
        await view.close();
      }
    });

    test('a snapshot copies only changed rows and refuses a collapsed source (a reload half done)', async () => {
      const store = await openStore({ mssqlUrl: db.url, source: { spec: reading(REAL), collapse: { share: 0.5, minRows: 4 } } });
      try {
        await store.migrate();
        const rows: SourceRow[] = generateDemoOrders({ seed: 11, extraOrders: 0, includeBadRows: false }).slice(0, 8).map((r) => ({ ...r, 'PO NUMBER': 'COLLAPSE' }));
        await store.insertSourceRows(rows);
        const copied = async (batch: string): Promise<number> => {
          await store.startBatch({ batchId: batch, batchType: 'FULL_BATCH' });
          await store.snapshotSource(batch);
          const pool = await new sql.ConnectionPool(parseMssqlUrl(db.url)).connect();
          try {
            return Number((await pool.request().query(`SELECT [copied_rows] AS c FROM [orders_sync].[MON_SourceSnapshot] WHERE [batch_id] = '${batch}'`)).recordset[0].c);
          } finally {
            await pool.close();
          }
        };
        const total = await store.countSourceRows();
        expect(await copied('c1')).toBe(total);
        expect(await copied('c2')).toBe(0);
        await store.updateSourceRows({ 'AAG ORDER NUMBER': String(rows[0]!['AAG ORDER NUMBER']), 'PO NUMBER': 'COLLAPSE' }, { [REAL]: 'changed' });
        expect(await copied('c3')).toBeGreaterThanOrEqual(1);
        const pool = await new sql.ConnectionPool(parseMssqlUrl(db.url)).connect();
        try {
          await pool.request().batch('DELETE FROM [dbo].[ORDERS_UNIFIED]');
        } finally {
          await pool.close();
        }
        await store.startBatch({ batchId: 'c4', batchType: 'FULL_BATCH' });
        await expect(store.snapshotSource('c4')).rejects.toThrow(/a reload looks half done/);
        await expect(store.readSourcePage(null, 10, { snapshotOf: 'c4' })).resolves.toMatchObject({ rows: [] });
      } finally {
        await store.close();
      }
    });

    test('one line whose size does not fit fails alone; the longest legal key stages and counts', async () => {
      const store = await openStore({ mssqlUrl: db.url });
      try {
        await store.migrate();
        const longKey = `${'Ü'.repeat(300)}|${'S'.repeat(74)}|${'C'.repeat(74)}`;
        expect(longKey).toHaveLength(450);
        const good = Array.from({ length: 60 }, (_, i) => payload(`OK${i}|S|C`, [['M', 2]]));
        const bad = payload('BAD|S|C', [['X'.repeat(150), 1]]);
        const orders = [...good, bad, payload(longKey, [['L', 3]])].map((p) => ({ key: p.key }));
        // 400 orders go by bulk load: pad the page past the single-request path.
        const filler = Array.from({ length: 340 }, (_, i) => payload(`F${i}|S|C`, [['S', 1], ['M', 1], ['L', 1], ['XL', 1], ['XS', 1]]));
        const all = [...good, bad, payload(longKey, [['L', 3]]), ...filler];
        const failed = await stageIsolatingFailures({ store: failFastStore(store), isPermanent: isSqlFailure }, 'iso', all, [...orders, ...filler.map((p) => ({ key: p.key }))]);
        expect(failed).toBe(1);
        expect((await store.listErrors({ orderKey: 'BAD|S|C' }))[0]).toMatchObject({ errorType: 'SQL_ERROR', category: 'DATA' });
        expect(await store.getStagedOrder('BAD|S|C')).toBeNull();
        expect((await store.getStagedOrder(longKey))?.subitems).toEqual([{ size: 'L', qty: 3, subitemId: null, syncedQty: null }]);
        await store.startBatch({ batchId: 'long', batchType: 'FULL_BATCH' });
        await store.recordOrderOutcome({ batchId: 'long', key: longKey, pass: 1, outcome: 'SYNCED', subitems: 1 });
        expect((await store.getBatch('long'))?.counters.synced).toBe(1);
      } finally {
        await store.close();
      }
    });

    test('db migrate runs serialised: two at once on a fresh database both succeed, each migration applied once', async () => {
      const fresh = await freshMssqlDatabase('migrate');
      const [a, b] = await Promise.all([openStore({ mssqlUrl: fresh.url }), openStore({ mssqlUrl: fresh.url })]);
      try {
        await Promise.all([a.migrate(), b.migrate()]);
        const pool = await new sql.ConnectionPool(parseMssqlUrl(fresh.url)).connect();
        try {
          const n = (await pool.request().query('SELECT COUNT(*) AS n, COUNT(DISTINCT [version]) AS d FROM [orders_sync].[MON_SchemaMigrations]')).recordset[0];
          expect(n.n).toBe(n.d);
          expect(n.n).toBeGreaterThanOrEqual(8);
        } finally {
          await pool.close();
        }
      } finally {
        await a.close();
        await b.close();
        await fresh.drop();
      }
    });
  });
}
