// Small pieces both adapters share: cursor format, counter/phase column names, chunking.
import { ORDER_STATUSES, type OrderStatus } from '../shared/order';
import type { BatchCounters, BatchPhase } from './store';

/** MON_BatchProcessing counter columns, by BatchCounters field. */
export const BATCH_COUNTER_COLUMNS: Record<keyof BatchCounters, string> = {
  total: 'total_records', newOrders: 'new_orders', changed: 'changed_orders', unchanged: 'unchanged_orders',
  failed: 'failed_records', rejected: 'rejected_records', synced: 'synced_records', items: 'items_created', subitems: 'subitems_created',
  apiCalls: 'api_calls_made',
};
export const BATCH_PHASE_COLUMNS: Record<BatchPhase, string> = {
  staging_loaded: 'staging_load_completed', items_created: 'items_creation_completed', subitems_created: 'subitems_creation_completed',
};

/** A page cursor is the last order key tuple of the page; opaque to callers. */
export function encodeCursor(key: string[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}
export function decodeCursor(cursor: string): [string, string, string] {
  const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Array.isArray(parsed) || parsed.length !== 3 || !parsed.every((v) => typeof v === 'string')) {
    throw new Error('Invalid source page cursor');
  }
  return parsed as [string, string, string];
}

export function emptyStatusCounts(): Record<OrderStatus, number> {
  return Object.fromEntries(ORDER_STATUSES.map((s) => [s, 0])) as Record<OrderStatus, number>;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** JSON for a payload column; undefined stays NULL. */
export function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}
export function fromJson(text: unknown): unknown {
  return typeof text === 'string' ? JSON.parse(text) : undefined;
}

/** Last payload per key wins: a bulk call never carries the same order twice. */
export function lastPerKey<T extends { key: string }>(payloads: readonly T[]): T[] {
  return [...new Map(payloads.map((p) => [p.key, p])).values()];
}

export const UNFINISHED_STATUSES: readonly OrderStatus[] = ['PENDING', 'IN_PROGRESS', 'ITEM_CREATED'];
