// Stages 10,000 order lines (~38,000 size rows) into a fresh database and prints the seconds taken.
// Target: < 10 s for the staging write. Run: npx tsx bench/staging-bench.ts [orderLines] [--mssql]
// --mssql: SQL Server instead of SQLite, in fresh databases on MSSQL_URL's server or, without it, on the T-SQL
// engine in ../shared/tools/babelfish (started and stopped here, as npm test does).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SourceRow } from '../shared/order';
import { createTransform, loadMapping, orderKeyOf } from '../mapping';
import { openStore } from '../db/open';
import { generateOrderLines } from '../db/demo-data';
import { detectChangesPage } from '../db/change-detection';
import { sourceKeyPart } from '../db/common';
import type { Store } from '../db/store';
import { babelfishAvailable, startBabelfish, type Babelfish } from '../test/support/babelfish';
import { freshMssqlDatabase } from '../test/support/mssql';

// The real mapping: staging is measured with the payloads a sync really writes.
const mapping = loadMapping();
const transform = createTransform(mapping);
const keyOf = (row: SourceRow): string => orderKeyOf(mapping, row);
const LOOKUPS = 20;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const mssql = args.includes('--mssql');
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 10_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'staging-bench-'));
  let engine: Babelfish | undefined;
  const drops: (() => Promise<void>)[] = [];
  let open: (name: string) => Promise<Store> = (name) => openStore({ sqliteFile: path.join(dir, `${name}.db`) });
  if (mssql) {
    if (!process.env.MSSQL_URL && !babelfishAvailable()) throw new Error('--mssql needs MSSQL_URL or ../shared/tools/babelfish');
    if (!process.env.MSSQL_URL) engine = await startBabelfish();
    const server = process.env.MSSQL_URL ?? engine?.url;
    open = async (name) => {
      const db = await freshMssqlDatabase(`bench_${name}`, server);
      drops.push(() => db.drop());
      const store = await openStore({ mssqlUrl: db.url });
      await store.migrate();
      return store;
    };
  }
  // An engine started here is stopped whatever fails, including opening the first database.
  const store = await open('bench').catch(async (err: unknown) => { await engine?.stop(); throw err; });
  try {
    const rows = generateOrderLines(n, 42);
    const payloads = rows.map(transform);
    const sizes = payloads.reduce((sum, p) => sum + p.subitems.length, 0);

    let t = performance.now();
    await store.stageOrders('bench-1', payloads);
    const stageSeconds = (performance.now() - t) / 1000;

    t = performance.now();
    await store.stageOrders('bench-2', payloads);             // same hashes: the re-run path
    const restageSeconds = (performance.now() - t) / 1000;

    // Whole detection path on a second file: insert ORDERS_UNIFIED, then page/transform/compare/stage.
    const store2 = await open('detect');
    t = performance.now();
    await store2.insertSourceRows(rows);
    const insertSeconds = (performance.now() - t) / 1000;
    await store2.startBatch({ batchId: 'bench', batchType: 'FULL_BATCH' });
    // The batch's one read of ORDERS_UNIFIED (its first page would take it; timed on its own here).
    t = performance.now();
    const snapshotRows = await store2.snapshotSource('bench');
    const snapshotSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    let cursor: string | null = null;
    let staged = 0;
    do {
      const page = await detectChangesPage({ store: store2, transform, keyOf }, { batchId: 'bench', cursor, pageSize: 1000 });
      staged += page.orders.length;
      cursor = page.nextCursor;
    } while (cursor);
    const detectSeconds = (performance.now() - t) / 1000;
    // Per-order look-ups as stageOrder makes them (by the first key part): from the batch's snapshot, and from the
    // live source (a rerun; before snapshots, every order's look-up).
    const lookups = rows.filter((_, i) => i % Math.ceil(n / LOOKUPS) === 0).slice(0, LOOKUPS).map((r) => sourceKeyPart(r['AAG ORDER NUMBER']));
    const timeLookups = async (snapshotOf: string | null): Promise<number> => {
      const start = performance.now();
      for (const v of lookups) if ((await store2.readSourceRowsByKey(['AAG ORDER NUMBER'], [v], snapshotOf)).length === 0) throw new Error(`look-up of ${v} found nothing`);
      return (performance.now() - start) / lookups.length;
    };
    // Reading the pages alone (no transform, no staging): over the snapshot, and over the live source as before.
    const timePages = async (snapshotOf?: string): Promise<number> => {
      const start = performance.now();
      let c: string | null = null;
      do c = (await store2.readSourcePage(c, 1000, snapshotOf ? { snapshotOf } : undefined)).nextCursor; while (c);
      return (performance.now() - start) / 1000;
    };
    const pagesSnapshotSeconds = await timePages('bench');
    const pagesLiveSeconds = await timePages();
    const lookupSnapshotMs = await timeLookups('bench');
    const lookupLiveMs = await timeLookups(null);
    await store2.close();

    console.log(`order lines: ${n}, size rows: ${sizes} (${(sizes / n).toFixed(2)} per line)`);
    console.log(`database: ${mssql ? (engine ? 'SQL Server protocol, Babelfish 4.2.0 on PostgreSQL 16.3 (../shared/tools/babelfish)' : 'SQL Server (MSSQL_URL)') : 'SQLite file'}`);
    console.log(`stageOrders, fresh tables:      ${stageSeconds.toFixed(2)} s  (${Math.round(n / stageSeconds)} order lines/s) ${stageSeconds < 10 ? 'OK (< 10 s)' : 'TOO SLOW (target < 10 s)'}`);
    console.log(`stageOrders again, same hashes: ${restageSeconds.toFixed(2)} s`);
    console.log(`insert ORDERS_UNIFIED (268 cols): ${insertSeconds.toFixed(2)} s`);
    console.log(`snapshot of ORDERS_UNIFIED for the batch (${snapshotRows} rows, one INSERT … SELECT): ${snapshotSeconds.toFixed(2)} s`);
    console.log(`detectChangesPage x ${Math.ceil(n / 1000)} pages over the snapshot (read+transform+stage ${staged}): ${detectSeconds.toFixed(2)} s`);
    console.log(`reading the ${Math.ceil(n / 1000)} pages alone: from the snapshot ${pagesSnapshotSeconds.toFixed(2)} s, from the live source ${pagesLiveSeconds.toFixed(2)} s`);
    console.log(`one order's look-up (mean of ${lookups.length}): from the snapshot ${lookupSnapshotMs.toFixed(1)} ms, from the live source ${lookupLiveMs.toFixed(1)} ms`);
    if (stageSeconds >= 10) process.exitCode = 1;
  } finally {
    await store.close();
    for (const drop of drops) await drop();
    await engine?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
