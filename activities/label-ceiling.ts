// An order line's item is written even when one of its label columns can take no new label: the cell is left out,
// the key column and every other cell go, and the cell is recorded as a DATA error naming column and value. One
// refused label must not keep an order line (and an adopted item's key) off the board for a week.
import type { MondayClient } from '../graphql/client';
import { rejectedLabelCell, resolveBoardLabels, type DroppedCell, type LabelRules } from '../graphql/labels';
import { upsertItem, type ItemResult, type ItemWrite } from '../graphql/order-writer';
import { labelCeilingOf, type Mapping } from '../mapping';

export function itemLabelRules(mapping: Mapping): LabelRules {
  const mayCreate = new Set(mapping.items.columns.filter((c) => c.createLabels).map((c) => c.id));
  const ceilings = new Map(mapping.items.columns.map((c) => [c.id, labelCeilingOf(c)]));
  return { mayCreate: (id) => mayCreate.has(id), ceilingOf: (id) => ceilings.get(id) ?? null };
}

/**
 * Resolves the labels, leaves out cells whose column is at its ceiling, writes the item, and if Monday still
 * refuses a label it was asked to create (its ceiling came first), writes again without that cell. A write
 * without cells is another write: its Idempotency-Key names the cells left out.
 */
export async function writeItemWithinCeilings(
  client: MondayClient, rules: LabelRules, w: Omit<ItemWrite, 'createLabelsIfMissing'>,
): Promise<{ result: ItemResult; dropped: DroppedCell[] }> {
  const labels = await resolveBoardLabels(client, w.boardId, w.columnValues, rules);
  const dropped = [...labels.dropped];
  let values = labels.columnValues;
  for (;;) {
    const without = dropped.map((d) => d.columnId).sort().join(',');
    try {
      const result = await upsertItem(client, { ...w, columnValues: values, createLabelsIfMissing: labels.createLabelsIfMissing, payloadHash: without ? `${w.payloadHash}:without:${without}` : w.payloadHash });
      return { result, dropped };
    } catch (err) {
      // Read afresh: the cached columns were what made us think the label would fit.
      const cell = rejectedLabelCell(err, values, (await client.boardStructure(w.boardId)).columns, rules);
      if (!cell || dropped.some((d) => d.columnId === cell.columnId)) throw err;
      dropped.push(cell);
      values = Object.fromEntries(Object.entries(values).filter(([id]) => id !== cell.columnId));
    }
  }
}
