// `sync --dry-run`: what a sync would create or update on Monday, the column changes per order line and what it
// would cost, sending no mutation and writing nothing. It decides with the sync's own rule (classifyPage in
// db/change-detection.ts: duplicate keys, the customer filter, failed lines that wait for a rerun), on the live source.
import type { Config } from '../config';
import { openConfiguredStore } from '../worker';
import type { SourcePage, Store } from '../db/store';
import { classifyPage } from '../db/change-detection';
import { type ItemValues } from '../db/operations';
import { operationsOf } from '../db/open';
import { createTransform, loadMapping, orderKeyOf, type Mapping } from '../mapping';
import type { OrderPayload, SourceRow } from '../shared/order';

/** Monday charges about 30,000 complexity points per mutation (NOTES-monday-api §4). */
export const MUTATION_COMPLEXITY = 30_000;

export async function dryRun(config: Config, filter: { customer?: string; po?: string }): Promise<number> {
  const mapping = loadMapping(config.MAPPING_FILE);
  const transform = createTransform(mapping);
  const keyOf = (row: SourceRow) => orderKeyOf(mapping, row);
  const store = await openConfiguredStore(config, { mapping, mustExist: true });
  const totals = { create: 0, update: 0, unchanged: 0, waiting: 0, rejected: 0, mutations: 0 };
  try {
    let cursor: string | null = null;
    do {
      const page: SourcePage = await store.readSourcePage(cursor, config.SYNC_PAGE_SIZE, filter.po !== undefined ? { po: filter.po } : {});
      const c = await classifyPage({ store, transform, keyOf }, page.rows, { customer: filter.customer });
      for (const e of c.errors) console.log(`REJECT  ${e.orderKey}  ${e.message}`);
      totals.rejected += c.failed;
      totals.unchanged += c.unchanged;
      totals.waiting += c.waiting;
      for (const order of c.orders) {
        const staged = await store.getStagedOrder(order.key);
        const isNew = !staged?.itemId;
        const known = new Map(isNew ? [] : staged.subitems.map((s) => [s.size, s.syncedQty]));
        const wanted = new Set(order.payload.subitems.map((s) => s.size));
        const subitemWrites = order.payload.subitems.filter((s) => known.get(s.size) !== s.qty).length
          + [...known].filter(([size, qty]) => !wanted.has(size) && qty !== null && qty > 0).length;
        const mutations = 1 + subitemWrites;
        totals.mutations += mutations;
        totals[isNew ? 'create' : 'update']++;
        const p = order.payload;
        console.log(`${isNew ? 'CREATE' : 'UPDATE'}  ${p.key}  "${p.itemName}" in group "${p.groupName}" (${order.change}), ${subitemWrites} subitem writes, ~${(mutations * MUTATION_COMPLEXITY).toLocaleString('en')} complexity`);
        for (const line of columnChanges(mapping, isNew ? null : await previousValues(store, staged!.itemId!, staged!.status === 'SYNCED' ? staged!.payload : null), p)) console.log(`    ${line}`);
      }
      cursor = page.nextCursor;
    } while (cursor);
  } finally {
    await store.close();
  }
  const cost = totals.mutations * MUTATION_COMPLEXITY;
  const minutes = cost / config.MONDAY_COMPLEXITY_PER_MINUTE;
  console.log(
    `dry run: ${totals.create} to create, ${totals.update} to update, ${totals.unchanged} unchanged, ${totals.waiting} failed and waiting for a rerun, ${totals.rejected} rejected; ` +
      `${totals.mutations} mutations ≈ ${cost.toLocaleString('en')} complexity (≈ ${minutes.toFixed(1)} min of a ${config.MONDAY_COMPLEXITY_PER_MINUTE.toLocaleString('en')}/min budget). Nothing was sent.`,
  );
  return 0;
}

/** What Monday holds for the item as far as we know: the last audited write to it, else the synced staging payload. */
async function previousValues(store: Store, itemId: string, synced: OrderPayload | null): Promise<ItemValues | null> {
  const audited = await operationsOf(store).lastWrittenValues(itemId, '');
  if (audited && 'columnValues' in audited) return audited;
  return synced ? { groupName: synced.groupName, columnValues: synced.columnValues } : null;
}

/** One line per column whose value the sync would change: `STYLE (dropdown_…): "A" → "B"`. */
export function columnChanges(mapping: Mapping, before: ItemValues | null, after: OrderPayload): string[] {
  if (!before) return [];
  const title = (id: string) => mapping.items.columns.find((c) => c.id === id)?.title ?? id;
  const show = (v: unknown) => (v === undefined || v === null ? '(empty)' : JSON.stringify(v).slice(0, 120));
  const lines = before.groupName !== after.groupName ? [`group: ${show(before.groupName)} → ${show(after.groupName)}`] : [];
  for (const id of new Set([...Object.keys(before.columnValues), ...Object.keys(after.columnValues)])) {
    const [a, b] = [before.columnValues[id], after.columnValues[id]];
    if (JSON.stringify(a ?? null) !== JSON.stringify(b ?? null)) lines.push(`${title(id)} (${id}): ${show(a)} → ${show(b)}`);
  }
  return lines;
}
