// Demo data determinism and shape, and MSSQL_URL parsing (the password never shows up in errors or logs).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateDemoOrders, generateOrderLines, seedDemoData } from '../db/demo-data';
import { ORDERS_UNIFIED_COLUMNS, SIZE_COLUMNS } from '../db/orders-unified-columns';
import { openStore, parseMssqlUrl, redactMssqlUrl } from '../db/open';

describe('ORDERS_UNIFIED columns', () => {
  test('268 columns with the DDL types and the quirky names', () => {
    expect(ORDERS_UNIFIED_COLUMNS).toHaveLength(268);
    const count = (t: string): number => ORDERS_UNIFIED_COLUMNS.filter((c) => c.sqlType === t).length;
    expect([count('text'), count('int'), count('date'), count('uuid')]).toEqual([101, 163, 3, 1]);
    expect(SIZE_COLUMNS).toHaveLength(161);
    const names = ORDERS_UNIFIED_COLUMNS.map((c) => c.name);
    expect(names).toContain("CUSTOMER''S COLOUR CODE (CUSTOM FIELD) CUSTOMER PROVIDES THIS");
    expect(names).toContain('PROMO GROUP / CAMPAIGN (HOT 30/GLOBAL EDIT');
    expect(names.indexOf('INFOR COLOUR CODE') + 1).toBe(names.indexOf('XXXS'));
    expect(names.indexOf('S(6-8)') + 1).toBe(names.indexOf('TOTAL QTY'));
  });
});

describe('demo data', () => {
  test('deterministic for a seed, different for another', () => {
    expect(generateDemoOrders({ seed: 3 })).toEqual(generateDemoOrders({ seed: 3 }));
    expect(generateDemoOrders({ seed: 3 })).not.toEqual(generateDemoOrders({ seed: 4 }));
  });

  test('GREYSON PO 4755 is 69 order lines with 264 size quantities, 67 AAG ORDER NUMBERs, unique keys', () => {
    const rows = generateDemoOrders();
    for (const r of rows) expect(Object.keys(r)).toHaveLength(268);
    const g = rows.filter((r) => r['CUSTOMER NAME'] === 'GREYSON CLOTHIERS' && r['PO NUMBER'] === '4755');
    expect(g).toHaveLength(69);
    expect(g.reduce((n, r) => n + SIZE_COLUMNS.filter((s) => typeof r[s] === 'number' && (r[s] as number) > 0).length, 0)).toBe(264);
    expect(new Set(g.map((r) => r['AAG ORDER NUMBER'])).size).toBe(67);
    const keys = rows.map((r) => `${r['AAG ORDER NUMBER']}|${r['CUSTOMER STYLE']}|${r['CUSTOMER COLOUR DESCRIPTION']}`);
    expect(new Set(keys).size).toBe(rows.length);
    expect(new Set(rows.map((r) => r['CUSTOMER NAME']))).toEqual(new Set(['GREYSON CLOTHIERS', 'TITLE 9', 'RHYTHM (AU)', 'LORNA JANE (NZ)',
      'Peloton Private Label', 'MACK WELDON', 'JOHNNIE O', 'ACME UNKNOWN LTD']));
    expect(rows.every((r) => typeof r['CUSTOMER PRICE'] === 'string' && /^\$[\d,]+\.\d\d$/.test(r['CUSTOMER PRICE'] as string))).toBe(true);
    expect(rows.some((r) => r['ORDER TYPE'] === 'CANCELLED')).toBe(true);
  });

  test('bad rows: a non-numeric quantity, an empty style, an unknown customer; none without includeBadRows', () => {
    const rows = generateDemoOrders();
    expect(rows.filter((r) => SIZE_COLUMNS.some((s) => typeof r[s] === 'string'))).toHaveLength(1);
    expect(rows.filter((r) => !r['CUSTOMER STYLE'])).toHaveLength(1);
    expect(rows.filter((r) => r['CUSTOMER NAME'] === 'ACME UNKNOWN LTD')).toHaveLength(1);
    expect(generateDemoOrders({ includeBadRows: false })).toHaveLength(rows.length - 3);
  });

  test('generateOrderLines: unique keys, about 3.8 sizes per line', () => {
    const rows = generateOrderLines(2000, 5);
    expect(new Set(rows.map((r) => r['AAG ORDER NUMBER'])).size).toBe(2000);
    const sizes = rows.reduce((n, r) => n + SIZE_COLUMNS.filter((s) => typeof r[s] === 'number').length, 0) / rows.length;
    expect(sizes).toBeGreaterThan(3.7);
    expect(sizes).toBeLessThan(3.95);
  });

  test('seedDemoData fills an empty ORDERS_UNIFIED once, and a bad quantity survives as text in SQLite', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-'));
    const store = await openStore({ sqliteFile: path.join(dir, 'o.db') });
    try {
      expect(await seedDemoData(store)).toBe(102);
      expect(await seedDemoData(store)).toBe(0);
      const bad = await store.readSourceRowsByKey(['AAG ORDER NUMBER'], ['GRE-09001']);
      expect(bad[0]?.L).toBe('abc');
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('MSSQL_URL', () => {
  test('parses host, port, database, credentials and TLS flags', () => {
    const c = parseMssqlUrl('mssql://sync%40corp:p%40ss%3Aw0rd@db.example.com:1444/Orders?encrypt=true&trustServerCertificate=true');
    expect(c).toMatchObject({ server: 'db.example.com', port: 1444, database: 'Orders', user: 'sync@corp', password: 'p@ss:w0rd',
      options: { encrypt: true, trustServerCertificate: true } });
    expect(parseMssqlUrl('mssql://u:p@h/db')).toMatchObject({ port: 1433, options: { encrypt: true, trustServerCertificate: false } });
  });

  test('the password never appears in errors or redacted URLs', async () => {
    const secret = 'S3cr3t-P4ss';
    expect(redactMssqlUrl(`mssql://sa:${secret}@h:1433/db`)).not.toContain(secret);
    for (const bad of [`http://sa:${secret}@h/db`, `mssql://sa:${secret}@`, `not a url ${secret}`]) {
      expect(() => parseMssqlUrl(bad)).toThrow();
      try { parseMssqlUrl(bad); } catch (e) { expect((e as Error).message).not.toContain(secret); }
    }
    // A real connection attempt to a closed loopback port: the driver error must not carry the password either.
    const err = await openStore({ mssqlUrl: `mssql://sa:${secret}@127.0.0.1:1/db?encrypt=false&connectTimeout=2000` }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/SQL Server connection to 127\.0\.0\.1:1\/db failed/);
    expect((err as Error).message).not.toContain(secret);
  });
});
