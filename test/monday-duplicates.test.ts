// The duplicate hunt: 500 order lines (≈3.8 sizes each) written through upsertItem + syncSubitems
// against the sandbox with 5% HTTP 500s and 5% commit-then-drop, retried the way Temporal would.
// Read back through the API, every order key has exactly one item and every size exactly one subitem.
import { MondayBudget } from '../graphql/budget';
import { MondayClient } from '../graphql/client';
import { MondayApiError } from '../graphql/errors';
import { syncSubitems, upsertItem, type SubitemWrite } from '../graphql/order-writer';
import { startSandbox } from '../sandbox/server';

const ITEMS_BOARD = '9200517329';
const SUBITEMS_BOARD = '9200771505';
const KEY_COLUMN = 'text_mkr61hpz';
const SIZE_COLUMN = 'dropdown_mkrak7qp';
const QTY_COLUMN = 'numeric_mkra7j8e';
const SIZES = ['XS', 'S', 'M', 'L', 'XL', '2XL', '3XL'];
const ORDERS = 500;
const WORKERS = 24; // concurrent "workflows"
const TIME_SCALE = 1200; // a Monday minute lasts 50 ms
/** The sandbox's Idempotency-Key replay window (30 min) at that scale. */
const IDEMPOTENCY_TTL_MS = (30 * 60_000) / TIME_SCALE;

interface Order { key: string; group: string; sizes: { size: string; qty: number }[] }

/** Deterministic orders: 2 to 6 consecutive sizes each (mean ≈ 3.8). */
function makeOrders(): Order[] {
  return Array.from({ length: ORDERS }, (_, i) => {
    const count = 2 + ((i * 7) % 5) - (i % 9 === 0 ? 1 : 0) + (i % 4 === 0 ? 1 : 0);
    const start = i % (SIZES.length - Math.min(count, SIZES.length) + 1);
    const sizes = SIZES.slice(start, start + count).map((size, j) => ({ size, qty: 1 + ((i + j) % 40) }));
    return { key: `AAG${100000 + i}|ST${i % 37}|COLOUR ${i % 11}`, group: `Customer ${i % 6}`, sizes };
  });
}

/**
 * Temporal-like retry: transient and rate-limit errors retry (after the server's wait, if any).
 * A dropped connection is retried only after the Idempotency-Key replay window has passed (a
 * worker that crashed and came back late), so the key-column lookup and the subitem
 * reconciliation, not the replay cache, must prevent the duplicates.
 */
async function withRetries<T>(attempt: (n: number, last: MondayApiError | null) => Promise<T>): Promise<T> {
  let last: MondayApiError | null = null;
  for (let n = 1; n <= 40; n++) {
    try {
      return await attempt(n, last);
    } catch (err) {
      if (!(err instanceof MondayApiError) || err.kind === 'permanent') throw err;
      last = err;
      const wait = err.code === 'NETWORK_ERROR' ? IDEMPOTENCY_TTL_MS + 50 : (err.retryAfterMs ?? Math.min(5 * 2 ** n, 50));
      await new Promise((r) => setTimeout(r, wait));
    }
  }
  throw new Error('retries exhausted', { cause: last });
}

test('500 orders under 5% 5xx and 5% commit-then-drop end with one item per order and one subitem per size', async () => {
  const sandbox = await startSandbox({
    tokens: ['dup-token'],
    limits: { timeScale: TIME_SCALE, maxConcurrent: 250, requestsPerMinute: 5000, dailyCalls: 1_000_000 },
    faults: { serverErrorRate: 0.05, commitThenDropRate: 0.05, latencyMs: { min: 0, max: 0 }, seed: 42 },
  });
  try {
    const budget = new MondayBudget({ timeScale: TIME_SCALE, requestsPerMinute: 5000 });
    const client = new MondayClient({ url: sandbox.url, token: 'dup-token', budget, timeoutMs: 5000, subitemBatchSize: 10 });
    const orders = makeOrders();
    const payloadHash = 'rev1';
    let retried = 0;

    const writeOrder = async (o: Order): Promise<void> => {
      // Activity 1: the item. Staging knows no id; after a failed attempt the outcome is unknown.
      const { itemId } = await withRetries((n) => {
        if (n > 1) retried++;
        return upsertItem(client, {
          boardId: ITEMS_BOARD, keyColumnId: KEY_COLUMN, orderKey: o.key, itemName: o.key.split('|')[0]!, groupName: o.group,
          columnValues: {}, createLabelsIfMissing: true, payloadHash, knownItemId: null, outcomeUnknown: n > 1,
        });
      });
      // Activity 2: the sizes. Ids from a partial result are "saved to staging" before the retry.
      let known: SubitemWrite['known'] = [];
      const result = await withRetries((n, last) => {
        if (last?.partialSubitems) known = last.partialSubitems;
        return syncSubitems(client, {
          parentItemId: itemId, subitemsBoardId: SUBITEMS_BOARD, orderKey: o.key, sizeColumnId: SIZE_COLUMN, qtyColumnId: QTY_COLUMN,
          wanted: o.sizes.map((s) => ({ ...s, name: `Size ${s.size}`, columnValues: { [SIZE_COLUMN]: { labels: [s.size] }, [QTY_COLUMN]: String(s.qty) } })),
          createLabelsIfMissing: true, known, reconcile: n > 1, removedSizes: 'zero', payloadHash,
        });
      });
      expect(result.failures).toEqual([]);
    };

    const queue = [...orders];
    await Promise.all(Array.from({ length: WORKERS }, async () => {
      for (let o = queue.shift(); o; o = queue.shift()) await writeOrder(o);
    }));

    const faults = sandbox.stats();
    expect(faults.serverErrors).toBeGreaterThan(20);
    expect(faults.droppedAfterCommit).toBeGreaterThan(20);
    expect(retried).toBeGreaterThan(0);

    // Read back through the API, without faults.
    sandbox.setFaults({ serverErrorRate: 0, commitThenDropRate: 0 });
    const totalSizes = orders.reduce((s, o) => s + o.sizes.length, 0);
    expect(totalSizes / ORDERS).toBeGreaterThan(3.5);
    const problems: string[] = [];
    let subitemCount = 0;
    const check = async (o: Order) => {
      const items = await client.findItemsByKey(ITEMS_BOARD, KEY_COLUMN, o.key);
      if (items.length !== 1) { problems.push(`${o.key}: ${items.length} items`); return; }
      const subitems = await client.itemSubitems(items[0]!.id, [SIZE_COLUMN, QTY_COLUMN]);
      subitemCount += subitems.length;
      const held = subitems.map((s) => `${s.values[SIZE_COLUMN]}=${s.numbers[QTY_COLUMN]}`).sort();
      const wanted = o.sizes.map((s) => `${s.size}=${s.qty}`).sort();
      if (JSON.stringify(held) !== JSON.stringify(wanted)) problems.push(`${o.key}: ${held.join(',')} != ${wanted.join(',')}`);
    };
    const readQueue = [...orders];
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let o = readQueue.shift(); o; o = readQueue.shift()) await check(o);
    }));
    expect(problems).toEqual([]);
    expect(subitemCount).toBe(totalSizes);
    console.log(`duplicates hunt: ${ORDERS} orders, ${totalSizes} sizes, ${JSON.stringify(sandbox.stats())}, retried ${retried}`);
  } finally {
    await sandbox.close();
  }
}, 90_000);
