// Gauges for the alerts that page on what matters (monitoring/alerts.yml): whether order lines actually sync (not
// whether a sync dispatched), what the last batch rejected or failed, runs the schedule skipped, and whether the
// database answers. Database-backed gauges keep their last value while the database is down: orders_sync_database_up
// is 0 then and orders_sync_database_gauges_updated_timestamp_seconds says how old they are (the dashboard marks them
// stale; the alerts that read them require the database up).
import type { Client } from '@temporalio/client';
import { ScheduleNotFoundError } from '@temporalio/client';
import type { MetricMeter } from '@temporalio/common';
import type { OperationsStore } from './db/operations';
import type { Store } from './db/store';
import { inspectionOf } from './db/open';
import { SCHEDULE_ID } from './shared/temporal';

export function createOperatorGauges(meter: MetricMeter) {
  const g = {
    databaseUp: meter.createGauge('orders_sync_database_up', 'int', '', '1 while the database answers the worker, 0 while it does not (database gauges are stale then)'),
    updated: meter.createGauge('orders_sync_database_gauges_updated_timestamp_seconds', 'float', 's', 'Unix time the database-backed gauges were last read'),
    lastSynced: meter.createGauge('orders_sync_last_order_line_synced_timestamp_seconds', 'float', 's', 'Unix time an order line last turned SYNCED (0: never)'),
    batchSynced: meter.createGauge('orders_sync_last_batch_order_lines_synced', 'int', 'orders', 'Order lines the last finished sync batch synced'),
    batchFailed: meter.createGauge('orders_sync_last_batch_order_lines_failed', 'int', 'orders', 'Order lines of the last finished sync batch that failed'),
    batchRejected: meter.createGauge('orders_sync_last_batch_rejected_rows', 'int', 'rows', 'Source rows the last finished sync batch rejected (mapping errors, duplicate keys)'),
    skipped: meter.createGauge('orders_sync_schedule_runs_skipped', 'int', 'runs', 'Runs the sync schedule skipped since it was created (reason: overlap, catchup_window)'),
  };
  return {
    databaseDown(): void {
      g.databaseUp.set(0);
    },
    /** Reads the database-backed gauges; the caller marks the database down when this throws. */
    async readDatabase(store: Store, operations: OperationsStore): Promise<void> {
      const last = await operations.lastFinishedBatch();
      const batch = last ? await store.getBatch(last.batchId) : null;
      g.batchSynced.set(batch?.counters.synced ?? 0);
      g.batchFailed.set(batch?.counters.failed ?? 0);
      g.batchRejected.set(batch?.counters.rejected ?? 0);
      const synced = await inspectionOf(store).lastSyncedAt();
      g.lastSynced.set(synced ? Date.parse(synced) / 1000 : 0);
      g.databaseUp.set(1);
      g.updated.set(Date.now() / 1000);
    },
    /** Runs the schedule skipped: for overlap (a sync still running) and for the catch-up window (missed while down). */
    async readSchedule(temporal: Client): Promise<void> {
      try {
        const d = await temporal.schedule.getHandle(SCHEDULE_ID).describe();
        g.skipped.set(d.info.numActionsSkippedOverlap, { reason: 'overlap' });
        g.skipped.set(d.info.numActionsMissedCatchupWindow, { reason: 'catchup_window' });
      } catch (err) {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
        g.skipped.set(0, { reason: 'overlap' });
        g.skipped.set(0, { reason: 'catchup_window' });
      }
    },
  };
}
