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
      const batch = (await ops.stagedBatchId(staged.key)) ?? RERUN_BATCH;
      const newValues = { groupName: staged.payload.groupName, columnValues: staged.payload.columnValues };
      const created = action === 'created';
      await ops.recordWrites([{
        batchId: batch, orderKey: staged.key, target: 'item', mondayId: itemId, size: null, parentId: null,
        action: created ? 'create' : 'update', newValues, replacedValues: created ? null : await ops.lastWrittenValues(itemId, batch),
      }]);
    },

    /** `before`: what staging held before the write; `after`: what Monday holds now for these sizes; `removed`: sizes zeroed or archived. */
    async subitems(staged: StagedOrder, before: { size: string; subitemId: string; qty: number | null }[], after: Held[], removed: Held[], mode: 'zero' | 'archive', archiveJobs = new Map<string, string>()): Promise<void> {
      if (!ops || !staged.itemId) return;
      const batch = (await ops.stagedBatchId(staged.key)) ?? RERUN_BATCH;
      const known = new Map(before.map((b) => [b.subitemId, b]));
      const base = { batchId: batch, orderKey: staged.key, target: 'subitem' as const, parentId: staged.itemId };
      const writes: MondayWrite[] = [];
      for (const a of after) {
        const was = known.get(a.subitemId);
        if (!was) writes.push({ ...base, mondayId: a.subitemId, size: a.size, action: 'create', newValues: { qty: a.qty }, replacedValues: null });
        else if (was.qty !== a.qty) writes.push({ ...base, mondayId: a.subitemId, size: a.size, action: 'update', newValues: { qty: a.qty }, replacedValues: was.qty === null ? null : { qty: was.qty } });
      }
      for (const r of removed) {
        const was = known.get(r.subitemId);
        if (mode === 'zero' && was?.qty === 0) continue; // already zero: nothing was written
        const job = archiveJobs.get(r.subitemId);
        const newValues = mode === 'zero' ? { qty: 0 } : job ? { archiveJobId: job } : null;
        writes.push({ ...base, mondayId: r.subitemId, size: r.size, action: mode, newValues, replacedValues: was?.qty == null ? null : { qty: was.qty } });
      }
      if (writes.length > 0) await ops.recordWrites(writes);
    },
  };
}
