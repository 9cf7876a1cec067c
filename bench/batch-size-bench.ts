// Measures the subitem batch size against the sandbox with
// real-ish latency. Run: npx tsx bench/batch-size-bench.ts [latencyMs] [wide]
// Default: 24 order lines x 11 sizes, 4 at a time. `wide`: one order line with 264 sizes.
import { MondayBudget } from '../graphql/budget';
import { MondayClient } from '../graphql/client';
import { syncSubitems } from '../graphql/order-writer';
import { startSandbox } from '../sandbox/server';

const LATENCY_MS = Number(process.argv[2] ?? 150);
const BATCH_SIZES = [1, 5, 10, 25, 50];
const WIDE = process.argv[3] === 'wide';
const SIZES = WIDE
  ? Array.from({ length: 264 }, (_, i) => `W${i + 1}`)
  : ['XS', 'S', 'M', 'L', 'XL', '2XL', '3XL', '4XL', '5XL', '6XL', '7XL'];
const ORDERS = WIDE ? 1 : 24; // 264 subitems either way
const CONCURRENT_ORDERS = WIDE ? 1 : 4;

async function run(batchSize: number): Promise<{ ms: number; requests: number }> {
  const sandbox = await startSandbox({ tokens: ['bench'], limits: { dailyCalls: 1e9 }, faults: { latencyMs: { min: LATENCY_MS, max: LATENCY_MS }, seed: 1 } });
  try {
    const client = new MondayClient({ url: sandbox.url, token: 'bench', subitemBatchSize: batchSize, budget: new MondayBudget({ complexityPerMinute: 1e12 }) });
    const parents: string[] = [];
    for (let i = 0; i < ORDERS; i++) {
      parents.push(await client.createItem({ boardId: '9200517329', itemName: `PO ${i}`, groupId: null, columnValues: { text_mkr61hpz: `K${i}` }, createLabelsIfMissing: false }, `bench-item-${i}`));
    }
    const before = sandbox.stats().requests;
    const started = Date.now();
    const queue = parents.map((p, i) => ({ p, i }));
    await Promise.all(Array.from({ length: CONCURRENT_ORDERS }, async () => {
      for (let o = queue.shift(); o; o = queue.shift()) {
        const r = await syncSubitems(client, {
          parentItemId: o.p, subitemsBoardId: '9200771505', orderKey: `K${o.i}`, sizeColumnId: 'dropdown_mkrak7qp', qtyColumnId: 'numeric_mkra7j8e',
          wanted: SIZES.map((size, j) => ({ size, name: `Size ${size}`, qty: j + 1, columnValues: { dropdown_mkrak7qp: { labels: [size] }, numeric_mkra7j8e: String(j + 1) } })),
          createLabelsIfMissing: true, known: [], reconcile: false, removedSizes: 'zero', payloadHash: 'bench',
        });
        if (r.created !== SIZES.length) throw new Error(`created ${r.created}`);
      }
    }));
    return { ms: Date.now() - started, requests: sandbox.stats().requests - before };
  } finally {
    await sandbox.close();
  }
}

async function main(): Promise<void> {
  console.log(`${ORDERS * SIZES.length} subitems (${ORDERS} orders x ${SIZES.length} sizes, ${CONCURRENT_ORDERS} orders at a time), ${LATENCY_MS} ms latency`);
  for (const b of BATCH_SIZES) {
    const { ms, requests } = await run(b);
    console.log(`batch ${String(b).padStart(2)}: ${String(ms).padStart(6)} ms, ${requests} requests, ${((ORDERS * SIZES.length) / (ms / 1000)).toFixed(1)} subitems/s`);
  }
}

main().catch((e: unknown) => { console.error(e, (e as { errorData?: unknown }).errorData); process.exit(1); });
