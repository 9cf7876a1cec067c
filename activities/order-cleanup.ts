// What an order workflow does on its way out when it is cancelled (Web UI, `temporal workflow cancel`): the
// workflow runs it in a non-cancellable scope, so staging and the batch say what happened.
import type { Store } from '../db/store';

/** The staging message of a cancelled order line: `rerun` (or a changed source row) syncs it again. */
export const CANCELLED_MESSAGE = 'CANCELLED: the order workflow was cancelled; `orders-sync rerun "<key>"` syncs it again';

export function createOrderCleanupActivities(deps: { store: Store }) {
  const { store } = deps;
  return {
    /** Marks the line cancelled (FAILED status with the CANCELLED message: the sync leaves it alone until it changes or
     * is rerun) and counts its outcome, so the batch that dispatched it ends. */
    async recordOrderCancelled(input: { key: string; batchId: string | null; pass: number }): Promise<void> {
      if (await store.getStagedOrder(input.key)) await store.setOrderStatus(input.key, 'FAILED', { error: CANCELLED_MESSAGE });
      if (input.batchId) await store.recordOrderOutcome({ batchId: input.batchId, key: input.key, pass: input.pass, outcome: 'FAILED', subitems: 0 });
    },
  };
}

export type OrderCleanupActivities = ReturnType<typeof createOrderCleanupActivities>;
