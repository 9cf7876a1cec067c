// One order line looked up in ORDERS_UNIFIED by its key, as the order workflow stages it and as `rerun` checks it
// first: found (and mapped), gone, duplicated, or rejected by the mapping. One rule for both, so `rerun` refuses
// exactly what staging would fail for good.
import type { Store } from '../db/store';
import { type Mapping, KEY_SEPARATOR, MappingError, orderKeyOf } from '../mapping';
import type { OrderPayload, SourceRow } from '../shared/order';

export type SourceLine =
  | { kind: 'found'; payload: OrderPayload }
  | { kind: 'gone' }
  /** Several source rows make this key: none is sent until one remains. */
  | { kind: 'duplicate'; rows: number; message: string }
  /** The mapping rejects the row: the message names the field and value. */
  | { kind: 'rejected'; message: string };

export async function lookUpSourceLine(
  deps: { store: Store; mapping: Mapping; transform: (row: SourceRow) => OrderPayload },
  key: string,
  snapshotOf: string | null = null,
): Promise<SourceLine> {
  let rows = await readOrderLineRows(deps.store, deps.mapping, key, snapshotOf);
  // "Gone" is never concluded from a snapshot alone (one being removed, or copied while the source was reloaded):
  // the live source decides.
  if (rows.length === 0 && snapshotOf) rows = await readOrderLineRows(deps.store, deps.mapping, key, null);
  if (rows.length === 0) return { kind: 'gone' };
  if (rows.length > 1) {
    return { kind: 'duplicate', rows: rows.length, message: `order key ${key} appears in ${rows.length} source rows; none is sent until the duplicates are removed` };
  }
  try {
    return { kind: 'found', payload: deps.transform(rows[0]!) };
  } catch (err) {
    if (err instanceof MappingError) return { kind: 'rejected', message: err.message };
    throw err;
  }
}

/** The source rows the mapping gives this key: candidates by the first key part (compared coarser than the mapping
 * does), then the exact key as the mapping computes it. */
export async function readOrderLineRows(store: Store, mapping: Mapping, key: string, snapshotOf?: string | null): Promise<SourceRow[]> {
  const [firstColumn] = mapping.source.keyColumns;
  const candidates = await store.readSourceRowsByKey([firstColumn!], [key.split(KEY_SEPARATOR)[0]!], snapshotOf);
  return candidates.filter((row) => keyOrNull(mapping, row) === key);
}

function keyOrNull(mapping: Mapping, row: SourceRow): string | null {
  try {
    return orderKeyOf(mapping, row);
  } catch {
    return null;
  }
}
