// Gauges marked stale while the database is down: the worker's database-backed gauges keep their last value (a
// gauge cannot be unset), and orders_sync_database_up says whether to trust them. Real SQLite store, closed under it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { noopMetricMeter, type MetricMeter } from '@temporalio/common';
import { openStore } from '../db/open';
import { operationsOf } from '../db/open';
import { createWorkerStatus } from '../worker-status';
import { MondayBudget } from '../graphql/budget';

/** A meter that remembers the last value set on each gauge (by name and tags). */
function recordingMeter(): { meter: MetricMeter; value(name: string): number | undefined } {
  const values = new Map<string, number>();
  // The no-op meter's counters and histograms, with gauges that remember.
  const meter: MetricMeter = Object.assign(Object.create(noopMetricMeter) as MetricMeter, {
    createGauge: (name: string) => ({ name, set: (v: number) => { values.set(name, v); } }) as never,
  });
  return { meter, value: (name) => values.get(name) };
}

test('database_up turns 0 while the database does not answer, and the gauges\' age stops moving', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-sync-gauges-'));
  const store = await openStore({ sqliteFile: path.join(dir, 'orders.db') });
  const { meter, value } = recordingMeter();
  const status = createWorkerStatus(new MondayBudget({}), 'w-test');
  const stop = status.start({ store, operations: operationsOf(store), meter });
  await stop();   // the first reading has run
  expect(value('orders_sync_database_up')).toBe(1);
  const readAt = value('orders_sync_database_gauges_updated_timestamp_seconds')!;
  expect(Math.abs(Date.now() / 1000 - readAt)).toBeLessThan(30);
  expect(value('orders_sync_last_order_line_synced_timestamp_seconds')).toBe(0);

  await store.close();   // the database is gone
  const again = status.start({ store, operations: operationsOf(store), meter });
  await again();
  expect(value('orders_sync_database_up')).toBe(0);
  expect(value('orders_sync_database_gauges_updated_timestamp_seconds')).toBe(readAt);
  fs.rmSync(dir, { recursive: true, force: true });
});
