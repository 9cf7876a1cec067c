// Runs a sync with the real activities, in process and without Temporal: the steps of syncWorkflow (detect pages,
// finish the batch) and of orderWorkflow (stage → item → subitem batches → mark synced, a failure recorded), each
// activity in a MockActivityEnvironment with Temporal's attempt numbers, retried as Temporal retries it. Used where a
// test needs hundreds of syncs in seconds (the model-based convergence test); the same sequences also run through
// the real workflows on a dev server (test/convergence-model.test.ts, its "real worker" part), so the two cannot drift
// apart unnoticed. `kill` cancels an activity mid-flight, as a killed worker does; the retry runs on "another worker".
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import type { OrderActivities } from '../../activities';
import type { DetectedOrder } from '../../db/change-detection';
import type { FailureInfo, SyncTotals } from '../../shared/workflow-types';

/** orderWorkflow's PERMANENT_ERROR_TYPES: retrying them cannot help. */
const PERMANENT = new Set(['MAPPING_ERROR', 'DUPLICATE_ORDER_KEY', 'NOT_STAGED', 'NO_ITEM', 'CONFIG']);
const MAX_ATTEMPTS = 12;
/** Failed attempts are expected here (faults): the worker's log lines would bury the test's output. */
const QUIET = new DefaultLogger('ERROR', () => {});

export interface DriverOptions {
  random?: () => number;
  subitemBatchSize?: number;
  pageSize?: number;
}

export interface DriverSync { batchId: string; totals: SyncTotals; synced: string[]; failed: { key: string; failure: FailureInfo }[]; gone: string[] }

export function createOrderDriver(acts: OrderActivities, opts: DriverOptions = {}) {
  const random = opts.random ?? Math.random;
  let kills = 0;
  /** Chance that an activity attempt is cancelled mid-flight (a worker killed); its retry runs as attempt + 1. */
  let killChance = 0;

  /** One activity as Temporal runs it: attempts 1, 2, … until it succeeds or fails for good. */
  async function activity<A, R>(fn: (input: A) => Promise<R>, input: A): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      const env = new MockActivityEnvironment({ attempt }, { logger: QUIET });
      const kill = random() < killChance;
      const timer = kill ? setTimeout(() => { kills++; env.cancel(); }, Math.floor(random() * 6)) : undefined;
      try {
        return await env.run(fn as (i: A) => Promise<R>, input);
      } catch (err) {
        const permanent = err instanceof ApplicationFailure && (err.nonRetryable || PERMANENT.has(err.type ?? ''));
        if (permanent || attempt >= MAX_ATTEMPTS) throw err;
      } finally {
        clearTimeout(timer);
      }
    }
  }

  async function runOrder(key: string, batchId: string | null, snapshotOf: string | null, sync: DriverSync | null): Promise<void> {
    try {
      const staged = await activity(acts.stageOrder, { key, batchId, pass: 1, snapshotOf });
      if (staged.status === 'GONE') { sync?.gone.push(key); return; }
      const item = await activity(acts.upsertItem, { key });
      const pending = item.pendingSizes ?? staged.pendingSizes;
      const size = opts.subitemBatchSize ?? 25;
      for (let i = 0; i < pending.length; i += size) {
        await activity(acts.syncSubitemBatch, { key, sizes: pending.slice(i, i + size), reconcile: item.action !== 'created' });
      }
      await activity(acts.markOrderSynced, { key, hash: staged.hash, batchId, pass: 1, subitems: pending.length });
      sync?.synced.push(key);
    } catch (err) {
      const failure = describe(err);
      sync?.failed.push({ key, failure });
      await activity(acts.recordOrderFailure, { key, batchId, pass: 1, failure });
    }
  }

  return {
    kills: () => kills,
    setKillChance: (p: number) => { killChance = p; },
    /** One sync of everything (or of a customer / PO), its orders run concurrently to the end. */
    async sync(filter: { customer?: string; po?: string } = {}): Promise<DriverSync> {
      const batchId = randomUUID();
      await activity(acts.startSyncBatch, { batchId, customer: filter.customer ?? null, po: filter.po ?? null, scheduledBy: 'order-driver' });
      const totals: SyncTotals = { batchId, total: 0, dispatched: 0, newOrders: 0, changed: 0, unchanged: 0, waiting: 0, rejected: 0, pages: 0 };
      const orders: DetectedOrder[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<OrderActivities['detectChanges']>> = await activity(acts.detectChanges, { batchId, cursor, pageSize: opts.pageSize ?? 500, ...filter });
        totals.pages++;
        totals.total += page.total;
        totals.newOrders += page.orders.filter((o) => o.change === 'NEW').length;
        totals.changed += page.orders.filter((o) => o.change === 'CHANGED').length;
        totals.unchanged += page.unchanged;
        totals.waiting += page.waiting;
        totals.rejected += page.rejected;
        totals.dispatched += page.orders.length;
        orders.push(...page.orders);
        cursor = page.nextCursor;
      } while (cursor !== null);
      await activity(acts.finishSyncBatch, { batchId, totals });
      const sync: DriverSync = { batchId, totals, synced: [], failed: [], gone: [] };
      await Promise.all(orders.map((o) => runOrder(o.key, batchId, batchId, sync)));
      return sync;
    },
    /** `orders-sync rerun <key>`: one pass on the live source, outside any batch. */
    rerun: (key: string) => runOrder(key, null, null, null),
    /** One order workflow's pass for a batch that dispatched it, reading the batch's snapshot. */
    runOrder: (key: string, batchId: string) => runOrder(key, batchId, batchId, null),
    activity,
  };
}

/** orderWorkflow's describeFailure, for what reaches recordOrderFailure. */
function describe(err: unknown): FailureInfo {
  if (err instanceof ApplicationFailure) {
    const details = (err.details?.[0] ?? {}) as Partial<FailureInfo>;
    const permanent = err.nonRetryable || PERMANENT.has(err.type ?? '');
    return { type: err.type ?? 'Error', message: err.message, category: permanent ? (details.category ?? 'REJECTED') : 'TRANSIENT_EXHAUSTED', httpStatus: details.httpStatus ?? null };
  }
  return { type: err instanceof Error ? err.name : 'Error', message: err instanceof Error ? err.message : String(err), category: 'TRANSIENT_EXHAUSTED', httpStatus: null };
}
