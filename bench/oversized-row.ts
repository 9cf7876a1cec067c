// How the embedded database grows with one oversized rejected row: the demo orders plus one row whose CUSTOMER
// STYLE holds 10 MB (the mapping rejects it: a key part that long), synced several times on the real stack
// (Temporal dev server, SQLite file, sandbox). Prints the file size (with its WAL) after seeding and after each sync.
//   node bin/run-ts.js bench/oversized-row.ts [syncs=5]
import fs from 'node:fs';
import { startStack } from '../test/support/stack';
import { generateDemoOrders, generateOrderLines } from '../db/demo-data';
import { runSyncOnce } from '../cli/sync-once';
import { runBench } from './support/run';

const MB = 1024 * 1024;

async function main(): Promise<void> {
  const syncs = Number(process.argv[2] ?? 5);
  const stack = await startStack();
  const file = stack.config.SQLITE_FILE;
  const size = () => [file, `${file}-wal`].reduce((n, f) => n + (fs.existsSync(f) ? fs.statSync(f).size : 0), 0) / MB;
  try {
    await stack.store.insertSourceRows(generateDemoOrders());
    const [row] = generateOrderLines(1, 99);
    await stack.store.insertSourceRows([{ ...row!, 'CUSTOMER STYLE': 'x'.repeat(10 * MB) }]);
    console.log(`seeded: ${size().toFixed(1)} MB`);
    for (let i = 1; i <= syncs; i++) {
      const s = await runSyncOnce(stack.client, stack.store, { pageSize: 500 });
      const errors = await stack.store.listErrors({ unresolvedOnly: true });
      const stored = errors.reduce((n, e) => n + e.message.length + e.orderKey.length + JSON.stringify(e.payload ?? null).length, 0);
      console.log(`after sync ${i}: ${size().toFixed(1)} MB (${s.rejectedRows} rejected rows; the error rows hold ${(stored / 1024).toFixed(0)} KB)`);
    }
  } finally {
    await stack.stop();
  }
}

runBench(main);
