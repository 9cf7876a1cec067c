// Stages 10,000 order lines (~38,000 size rows) into a fresh SQLite file and prints the seconds taken.
// Target: < 10 s for the staging write. Run: npx tsx bench/staging-bench.ts [orderLines]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SourceRow } from '../shared/order';
import { createTransform, loadMapping, orderKeyOf } from '../mapping';
import { openStore } from '../db/open';
import { generateOrderLines } from '../db/demo-data';
import { detectChangesPage } from '../db/change-detection';

// The real mapping: staging is measured with the payloads a sync really writes.
const mapping = loadMapping();
const transform = createTransform(mapping);
const keyOf = (row: SourceRow): string => orderKeyOf(mapping, row);

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 10_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'staging-bench-'));
  const store = await openStore({ sqliteFile: path.join(dir, 'bench.db') });
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
    const store2 = await openStore({ sqliteFile: path.join(dir, 'detect.db') });
    t = performance.now();
    await store2.insertSourceRows(rows);
    const insertSeconds = (performance.now() - t) / 1000;
    await store2.startBatch({ batchId: 'bench', batchType: 'FULL_BATCH' });
    t = performance.now();
    let cursor: string | null = null;
    let staged = 0;
    do {
      const page = await detectChangesPage({ store: store2, transform, keyOf }, { batchId: 'bench', cursor, pageSize: 1000 });
      staged += page.orders.length;
      cursor = page.nextCursor;
    } while (cursor);
    const detectSeconds = (performance.now() - t) / 1000;
    await store2.close();

    console.log(`order lines: ${n}, size rows: ${sizes} (${(sizes / n).toFixed(2)} per line)`);
    console.log(`stageOrders, fresh file:        ${stageSeconds.toFixed(2)} s  (${Math.round(n / stageSeconds)} order lines/s) ${stageSeconds < 10 ? 'OK (< 10 s)' : 'TOO SLOW (target < 10 s)'}`);
    console.log(`stageOrders again, same hashes: ${restageSeconds.toFixed(2)} s`);
    console.log(`insert ORDERS_UNIFIED (268 cols): ${insertSeconds.toFixed(2)} s`);
    console.log(`detectChangesPage x ${Math.ceil(n / 1000)} pages (read+transform+stage ${staged}): ${detectSeconds.toFixed(2)} s`);
    if (stageSeconds >= 10) process.exitCode = 1;
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
