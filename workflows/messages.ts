// Signals and queries of the order workflow, shared with the CLI.
import { defineQuery, defineSignal } from '@temporalio/workflow';

export type OrderStep = 'STAGE' | 'ITEM' | 'SUBITEMS' | 'MARK_SYNCED' | 'SYNCED' | 'FAILED' | 'GONE';

export interface OrderProgress {
  key: string;
  step: OrderStep;
  itemId: string | null;
  subitemsTotal: number;
  subitemsDone: number;
  passes: number;
  lastError: string | null;
}

/** An engineer fixed the cause of a failure: try the order again. */
export const rerunSignal = defineSignal('rerun');
/**
 * The sync saw this order's source row with this hash: restage if it differs from what is being synced.
 * The batch id (absent from older senders) names the sync that now waits for this order's outcome.
 */
export const sourceChangedSignal = defineSignal<[hash: string, batchId?: string]>('sourceChanged');
export const statusQuery = defineQuery<OrderProgress>('status');
