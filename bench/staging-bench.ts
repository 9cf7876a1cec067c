// Staging on SQL Server against SQLite, in one run (issue 19): 10,000 order lines (~38,000 size rows) staged into
// fresh databases, then again unchanged; and the SQL Server requests one synced order line costs on the wire, counted
// while the real activities (stageOrder, upsertItem, syncSubitemBatch, markOrderSynced) sync order lines into the
// Monday sandbox. Targets: engine within 15x SQLite's staging time, within 10x when unchanged, <= 12 requests per line.
// Run: npx tsx bench/staging-bench.ts [orderLines]   (SQL Server: MSSQL_URL's server, else the T-SQL engine in
// ../shared/tools/babelfish, started and stopped here as npm test does)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from 'tedious';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createTransform, loadMapping, orderKeyOf } from '../mapping';
import { openStore } from '../db/open';
import { generateOrderLines } from '../db/demo-data';
import { detectChangesPage } from '../db/change-detection';
import { sourceSpecOf } from '../db/source';
import { operationsOf } from '../db/open';
import type { Store } from '../db/store';
import { createActivities, type StagedSummary } from '../activities';
import { MondayClient } from '../graphql/client';
import { startSandbox } from '../sandbox/server';
import { babelfishAvailable, startBabelfish, type Babelfish } from '../test/support/babelfish';
import { freshMssqlDatabase } from '../test/support/mssql';

const mapping = loadMapping();
const transform = createTransform(mapping);
const keyOf = (row: Record<string, unknown>): string => orderKeyOf(mapping, row as never);
const SYNCED_LINES = 20;

/** Every round trip the driver makes: statements, RPCs, bulk loads (the INSERT BULK and its rows: two), transaction begin/commit. */
function countRequests(): { count: () => number; stop: () => void } {
  let n = 0;
  const proto = Connection.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const weights: Record<string, number> = { execSql: 1, execSqlBatch: 1, callProcedure: 1, execBulkLoad: 2, beginTransaction: 1, commitTransaction: 1, rollbackTransaction: 1 };
  const originals = Object.fromEntries(Object.keys(weights).map((m) => [m, proto[m]!]));
  for (const [m, w] of Object.entries(weights)) proto[m] = function (this: unknown, ...a: unknown[]) { n += w; return originals[m]!.apply(this, a); };
  return { count: () => n, stop: () => { for (const m of Object.keys(weights)) proto[m] = originals[m]!; } };
}

interface Figures { stage: number; restage: number; snapshot: number; detect: number; stageRequests: number }

async function measure(store: Store, n: number): Promise<Figures> {
  const rows = generateOrderLines(n, 42);
  const payloads = rows.map(transform);
  const requests = countRequests();
  let t = performance.now();
  await store.stageOrders('bench-1', payloads);
  const stage = (performance.now() - t) / 1000;
  const stageRequests = requests.count();
  requests.stop();
  t = performance.now();
  await store.stageOrders('bench-2', payloads);              // same hashes: the unchanged path
  const restage = (performance.now() - t) / 1000;
  await store.insertSourceRows(rows);
  await store.startBatch({ batchId: 'bench', batchType: 'FULL_BATCH' });
  t = performance.now();
  await store.snapshotSource('bench');
  const snapshot = (performance.now() - t) / 1000;
  t = performance.now();
  let cursor: string | null = null;
  do cursor = (await detectChangesPage({ store, transform, keyOf }, { batchId: 'bench', cursor, pageSize: 1000 })).nextCursor; while (cursor);
  return { stage, restage, snapshot, detect: (performance.now() - t) / 1000, stageRequests };
}

/** SQL Server requests per synced order line: the order workflow's activities, one line after the other, into the sandbox. */
async function requestsPerSyncedLine(store: Store): Promise<{ perLine: number; lines: number; sizes: number }> {
  const sandbox = await startSandbox({ port: 0, limits: { complexityPerMinute: 1_000_000_000 } });
  try {
    const rows = generateOrderLines(SYNCED_LINES, 7);
    await store.insertSourceRows(rows);
    await store.startBatch({ batchId: 'sync-bench', batchType: 'FULL_BATCH' });
    const page = await detectChangesPage({ store, transform, keyOf }, { batchId: 'sync-bench', cursor: null, pageSize: 1000 });
    const monday = new MondayClient({ url: sandbox.url, token: 'bench' });
    const acts = createActivities({
      store, mapping, monday, operations: operationsOf(store), removedSizes: 'zero',
      orderDefaults: { subitemBatchSize: 25, rerunWait: '1d', retryWindows: { database: '1h', monday: '1h' }, selfRetryAfter: '1m' },
    });
    const env = new MockActivityEnvironment();
    const requests = countRequests();
    let sizes = 0;
    for (const o of page.orders) {
      const staged: StagedSummary = await env.run(acts.stageOrder, { key: o.key, batchId: 'sync-bench', pass: 1, snapshotOf: 'sync-bench' });
      await env.run(acts.upsertItem, { key: o.key });
      for (let i = 0; i < staged.pendingSizes.length; i += 25) await env.run(acts.syncSubitemBatch, { key: o.key, sizes: staged.pendingSizes.slice(i, i + 25), reconcile: false });
      await env.run(acts.markOrderSynced, { key: o.key, hash: staged.hash, batchId: 'sync-bench', pass: 1, subitems: staged.pendingSizes.length });
      sizes += staged.pendingSizes.length;
    }
    const total = requests.count();
    requests.stop();
    return { perLine: total / page.orders.length, lines: page.orders.length, sizes };
  } finally {
    await sandbox.close();
  }
}

async function main(): Promise<void> {
  const n = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 10_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'staging-bench-'));
  if (!process.env.MSSQL_URL && !babelfishAvailable()) throw new Error('needs MSSQL_URL or ../shared/tools/babelfish');
  const engine: Babelfish | undefined = process.env.MSSQL_URL ? undefined : await startBabelfish();
  const server = process.env.MSSQL_URL ?? engine!.url;
  const drops: (() => Promise<void>)[] = [];
  const source = { spec: sourceSpecOf(mapping) };
  const mssql = async (name: string): Promise<Store> => {
    const db = await freshMssqlDatabase(`bench_${name}`, server);
    drops.push(() => db.drop());
    const store = await openStore({ mssqlUrl: db.url, source });
    await store.migrate();
    return store;
  };
  try {
    const lite = await openStore({ sqliteFile: path.join(dir, 'bench.db'), source });
    const sqlite = await measure(lite, n);
    await lite.close();
    const ms = await mssql('stage');
    const engineFigures = await measure(ms, n);
    await ms.close();
    const ms2 = await mssql('sync');
    const perLine = await requestsPerSyncedLine(ms2);
    await ms2.close();

    const ratio = (a: number, b: number): string => `${(a / b).toFixed(1)}x`;
    const verdict = (ok: boolean): string => (ok ? 'met' : 'MISSED');
    console.log(`order lines: ${n}; SQL Server: ${engine ? 'Babelfish 4.2.0 on PostgreSQL 16.3 (../shared/tools/babelfish)' : 'MSSQL_URL'}`);
    console.log('| measure | SQLite | SQL Server | ratio | target |');
    console.log('|---|---|---|---|---|');
    console.log(`| stage ${n} lines, fresh tables | ${sqlite.stage.toFixed(2)} s | ${engineFigures.stage.toFixed(2)} s (${engineFigures.stageRequests} requests) | ${ratio(engineFigures.stage, sqlite.stage)} | <= 15x: ${verdict(engineFigures.stage <= 15 * sqlite.stage)} |`);
    console.log(`| stage them again, unchanged | ${sqlite.restage.toFixed(2)} s | ${engineFigures.restage.toFixed(2)} s | ${ratio(engineFigures.restage, sqlite.restage)} | <= 10x: ${verdict(engineFigures.restage <= 10 * sqlite.restage)} |`);
    console.log(`| batch snapshot of the source | ${sqlite.snapshot.toFixed(2)} s | ${engineFigures.snapshot.toFixed(2)} s | ${ratio(engineFigures.snapshot, sqlite.snapshot)} | – |`);
    console.log(`| detection, all pages over the snapshot | ${sqlite.detect.toFixed(2)} s | ${engineFigures.detect.toFixed(2)} s | ${ratio(engineFigures.detect, sqlite.detect)} | – |`);
    console.log(`| SQL Server requests per synced order line (${perLine.lines} lines, ${perLine.sizes} sizes) | – | ${perLine.perLine.toFixed(1)} | – | <= 12: ${verdict(perLine.perLine <= 12)} |`);
  } finally {
    for (const drop of drops) await drop().catch(() => undefined);
    await engine?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
