// `sync --dry-run`: what a sync would create or update on Monday and what it would cost, sending no mutation
// and writing nothing.
import type { Config } from '../config';
import { openConfiguredStore } from '../worker';
import type { SourcePage } from '../db/store';
import { createTransform, loadMapping, MappingError, orderKeyOf } from '../mapping';
import type { OrderPayload } from '../shared/order';

/** Monday charges about 30,000 complexity points per mutation (NOTES-monday-api §4). */
export const MUTATION_COMPLEXITY = 30_000;

export async function dryRun(config: Config, filter: { customer?: string; po?: string }): Promise<number> {
  const mapping = loadMapping(config.MAPPING_FILE);
  const transform = createTransform(mapping);
  const store = await openConfiguredStore(config, mapping);
  const totals = { create: 0, update: 0, unchanged: 0, rejected: 0, mutations: 0 };
  try {
    let cursor: string | null = null;
    do {
      const page: SourcePage = await store.readSourcePage(cursor, config.SYNC_PAGE_SIZE, { po: filter.po });
      const payloads: OrderPayload[] = [];
      for (const row of page.rows) {
        try {
          const p = transform(row);
          if (!filter.customer || p.customer.toUpperCase() === filter.customer.toUpperCase()) payloads.push(p);
        } catch (err) {
          if (!(err instanceof MappingError)) throw err;
          totals.rejected++;
          console.log(`REJECT  ${safeKey(row)}  ${err.message}`);
        }
      }
      const states = await store.getSyncStates(payloads.map((p) => p.key));
      for (const p of payloads) {
        const state = states.get(p.key);
        if (state?.syncedHash === p.hash) {
          totals.unchanged++;
          continue;
        }
        const isNew = !state?.itemId;
        const known = isNew ? new Map<string, number | null>() : new Map((await store.getStagedOrder(p.key))?.subitems.map((s) => [s.size, s.syncedQty]) ?? []);
        const subitemWrites = p.subitems.filter((s) => known.get(s.size) !== s.qty).length;
        const mutations = 1 + subitemWrites;
        totals.mutations += mutations;
        totals[isNew ? 'create' : 'update']++;
        console.log(`${isNew ? 'CREATE' : 'UPDATE'}  ${p.key}  "${p.itemName}" in group "${p.groupName}", ${subitemWrites} subitem writes, ~${(mutations * MUTATION_COMPLEXITY).toLocaleString('en')} complexity`);
      }
      cursor = page.nextCursor;
    } while (cursor);
  } finally {
    await store.close();
  }
  const cost = totals.mutations * MUTATION_COMPLEXITY;
  const minutes = cost / config.MONDAY_COMPLEXITY_PER_MINUTE;
  console.log(
    `dry run: ${totals.create} to create, ${totals.update} to update, ${totals.unchanged} unchanged, ${totals.rejected} rejected; ` +
      `${totals.mutations} mutations ≈ ${cost.toLocaleString('en')} complexity (≈ ${minutes.toFixed(1)} min of a ${config.MONDAY_COMPLEXITY_PER_MINUTE.toLocaleString('en')}/min budget). Nothing was sent.`,
  );
  return 0;

  function safeKey(row: Parameters<typeof transform>[0]): string {
    try {
      return orderKeyOf(mapping, row);
    } catch {
      return '(no key)';
    }
  }
}
