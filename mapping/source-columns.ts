// The source columns a mapping reads: the only ones any statement selects (db/source.ts resolves them against the
// database's catalog). Declared-only entries of source.columns are not read.
import type { Mapping } from './schema';
import { templatePlaceholders } from './load';

const DERIVED = new Set(['customer', 'season', 'size']);

/** Every column the transform and the key read, in a stable order (keys first, then as the mapping names them). */
export function mappedSourceColumns(mapping: Mapping): string[] {
  const { source, items } = mapping;
  const placeholders = [items.itemName, items.group.template].flatMap((t) => templatePlaceholders(t).names).filter((n) => !DERIVED.has(n));
  return [...new Set([
    ...source.keyColumns, source.customerColumn, source.poNumberColumn, source.aagOrderNumberColumn,
    ...items.group.season, ...placeholders, ...items.columns.map((c) => c.source), ...source.sizeColumns,
  ])];
}
