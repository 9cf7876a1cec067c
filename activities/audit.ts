// Records every Monday write of an order line in MON_WriteAudit, so a batch can be rolled back.
// Where "what it replaced" comes from:
// - an item update: the values the previous audited write of that item sent (MON_WriteAudit itself). Staging's
//   payload is already overwritten with the new one when the write happens, and the last audited write is exactly
//   what the sync last put there. An item last written before auditing began has no replaced values: rollback
//   reports it and leaves it (reading Monday before every update would cost a request per order line).
// - a subitem quantity: the synced quantity staging held before the write (what the sync last put there).
import type { StagedOrder } from '../db/store';
import type { MondayWrite, OperationsStore } from '../db/operations';

/** A rerun outside any sync batch is staged, and audited, under this batch id (see stageOrder). */
export const RERUN_BATCH = 'rerun';

type Held = { size: string; subitemId: string; qty: number };

export function createWriteAudit(ops: OperationsStore | undefined) {
  return {
    async item(staged: StagedOrder, itemId: string, action: 'created' | 'updated' | 'found'): Promise<void> {
      if (!ops) return;
      const batch = (staged.batchId !== undefined ? staged.batchId : await ops.stagedBatchId(staged.key)) ?? RERUN_BATCH;
      const newValues = { groupName: staged.payload.groupName, columnValues: staged.payload.columnValues };
      const created = action === 'created';
      await ops.recordWrites([{
        batchId: batch, orderKey: staged.key, target: 'item', mondayId: itemId, size: null, parentId: null,
        action: created ? 'create' : 'update', newValues, replacedValues: created ? null : await ops.lastWrittenValues(itemId, batch),
      }]);
    },

    /** Items archived for an order line: extra ones the key look-up found (graphql/order-writer.ts upsertItem), or
     * duplicates and orphans `verify --repair` archived (under its own batch). */
    async archivedItems(orderKey: string, itemIds: string[], batchId?: string): Promise<void> {
      if (!ops || itemIds.length === 0) return;
      const batch = batchId ?? (await ops.stagedBatchId(orderKey)) ?? RERUN_BATCH;
      await ops.recordWrites(itemIds.map((id) => ({
        batchId: batch, orderKey, target: 'item' as const, mondayId: id, size: null, parentId: null, action: 'archive' as const, newValues: null, replacedValues: null,
      })));
    },

    /**
     * `before`: what staging held before the write; `after`: what Monday holds now for these sizes; `removed`: sizes
     * zeroed or archived; `call`: the ids a create of the call returned, and the quantities it replaced on subitems staging
     * did not know, and the bulk_archive_items job of each archived subitem (rollback may undo it). A subitem a reconcile found (made by hand, or by an attempt whose answer was lost) is not the call's
     * creation: rollback must never archive what the batch did not make.
     */
    async subitems(staged: StagedOrder, before: { size: string; subitemId: string; qty: number | null }[], after: Held[], removed: Held[], mode: 'zero' | 'archive',
      call: { createdIds: string[]; updatedFrom: Record<string, number | null>; archiveJobs?: Map<string, string> }): Promise<void> {
      if (!ops || !staged.itemId) return;
      const batch = (staged.batchId !== undefined ? staged.batchId : await ops.stagedBatchId(staged.key)) ?? RERUN_BATCH;
      const known = new Map(before.map((b) => [b.subitemId, b]));
      const created = new Set(call.createdIds);
      const base = { batchId: batch, orderKey: staged.key, target: 'subitem' as const, parentId: staged.itemId };
      const writes: MondayWrite[] = [];
      for (const a of after) {
        const was = known.get(a.subitemId);
        if (!was) {
          if (created.has(a.subitemId)) writes.push({ ...base, mondayId: a.subitemId, size: a.size, action: 'create', newValues: { qty: a.qty }, replacedValues: null });
          else if (a.subitemId in call.updatedFrom) {
            const from = call.updatedFrom[a.subitemId];
            writes.push({ ...base, mondayId: a.subitemId, size: a.size, action: 'update', newValues: { qty: a.qty }, replacedValues: from == null ? null : { qty: from } });
          }
        }
        else if (was.qty !== a.qty) writes.push({ ...base, mondayId: a.subitemId, size: a.size, action: 'update', newValues: { qty: a.qty }, replacedValues: was.qty === null ? null : { qty: was.qty } });
      }
      for (const r of removed) {
        const was = known.get(r.subitemId);
        if (mode === 'zero' && was?.qty === 0) continue; // already zero: nothing was written
        const job = call.archiveJobs?.get(r.subitemId);
        const newValues = mode === 'zero' ? { qty: 0 } : job ? { archiveJobId: job } : null;
        writes.push({ ...base, mondayId: r.subitemId, size: r.size, action: mode, newValues, replacedValues: was?.qty == null ? null : { qty: was.qty } });
      }
      if (writes.length > 0) await ops.recordWrites(writes);
    },
  };
}
