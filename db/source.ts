// The source (ORDERS_UNIFIED, or a view of the same shape) as the database has it: which object (MSSQL_SOURCE), which
// columns the mapping reads, and their real names and types from the catalog, read when the store first touches the
// source. Statements select only these columns, by these names: nothing about the source is hard-coded.
import type { SourceRow } from '../shared/order';
import type { Mapping } from '../mapping/schema';
import { mappedSourceColumns } from '../mapping/source-columns';
import { ORDER_KEY_COLUMNS } from './orders-unified-columns';

export type CatalogType = 'text' | 'int' | 'date' | 'uuid' | 'other';
export interface CatalogColumn { name: string; type: CatalogType }

/** What the store reads from the source; the roles name columns the store itself filters and pages by. */
export interface SourceSpec {
  /** Columns the mapping reads, by the mapping's names; undefined: every column the catalog lists. */
  columns?: readonly string[];
  keyColumns: readonly string[];
  poColumn: string;
  customerColumn: string;
}

/** Without a mapping (status, tests): every column, the default key and filter columns. */
export const DEFAULT_SOURCE_SPEC: SourceSpec = { keyColumns: ORDER_KEY_COLUMNS, poColumn: 'PO NUMBER', customerColumn: 'CUSTOMER NAME' };

export function sourceSpecOf(mapping: Mapping): SourceSpec {
  const s = mapping.source;
  return { columns: mappedSourceColumns(mapping), keyColumns: s.keyColumns, poColumn: s.poNumberColumn, customerColumn: s.customerColumn };
}

/** The source's columns as statements use them. */
export interface ResolvedSource {
  /** The columns read, real names, in the order the spec names them (catalog order without a spec list). */
  columns: CatalogColumn[];
  keyColumns: string[];
  poColumn: string;
  customerColumn: string;
  types: ReadonlyMap<string, CatalogType>;
}

/** A source column the mapping reads is missing: no retry can fix it, the mapping or the table must change. */
export class SourceColumnsError extends Error {
  readonly permanent = true;
  constructor(readonly source: string, readonly missing: { name: string; suggestion: string | null }[]) {
    super(`${source} lacks ${missing.length} column(s) the mapping reads: ${missing.map(describeMissing).join('; ')}. Fix the mapping file (or the table), then rerun.`);
    this.name = 'SourceColumnsError';
  }
}
const describeMissing = (m: { name: string; suggestion: string | null }): string =>
  `${JSON.stringify(m.name)}${m.suggestion !== null ? ` (the table has ${JSON.stringify(m.suggestion)}: put that exact name in the mapping)` : ''}`;

/** A name as people mistype it: case, spaces, and apostrophes (curly, doubled as in a bracketed DDL name) ignored. */
const loose = (name: string): string => name.toLowerCase().replace(/[\u2018\u2019`´]/g, "'").replace(/'+/g, "'").replace(/\s+/g, '');

/** The one catalog name that differs from `name` only in case, spaces or apostrophes; null when none or several. */
export function nearMatch(name: string, catalog: readonly string[]): string | null {
  const found = catalog.filter((c) => c !== name && loose(c) === loose(name));
  return found.length === 1 ? found[0]! : null;
}

/** The names of `wanted` the catalog lacks (exact comparison), each with its near match when there is one. */
export function missingColumns(wanted: readonly string[], catalog: readonly string[]): { name: string; suggestion: string | null }[] {
  const have = new Set(catalog);
  return wanted.filter((n) => !have.has(n)).map((name) => ({ name, suggestion: nearMatch(name, catalog) }));
}
export { describeMissing };

/** Checks the spec against the catalog (names compare exactly, as the mapping must spell them) and resolves it. */
export function resolveSource(sourceName: string, spec: SourceSpec, catalog: readonly CatalogColumn[]): ResolvedSource {
  if (catalog.length === 0) throw Object.assign(new Error(`${sourceName} does not exist or this login cannot see its columns (set MSSQL_SOURCE, or grant SELECT on it)`), { permanent: true });
  const byName = new Map(catalog.map((c) => [c.name, c]));
  const wanted = [...new Set([...(spec.columns ?? catalog.map((c) => c.name)), ...spec.keyColumns, spec.poColumn, spec.customerColumn])];
  const missing = wanted.filter((n) => !byName.has(n));
  // Without a mapping's list the roles are defaults: a source without them is still readable, it just cannot be filtered.
  const required = spec.columns ? missing : missing.filter((n) => spec.keyColumns.includes(n));
  if (required.length > 0) throw new SourceColumnsError(sourceName, missingColumns(required, catalog.map((c) => c.name)));
  const columns = wanted.filter((n) => byName.has(n)).map((n) => byName.get(n)!);
  return {
    columns, keyColumns: [...spec.keyColumns], poColumn: spec.poColumn, customerColumn: spec.customerColumn,
    types: new Map(columns.map((c) => [c.name, c.type])),
  };
}

/** Columns a caller names (tests, demo: insert/update, look-ups) must be among the resolved ones: never unchecked identifiers. */
export function assertResolvedColumn(source: ResolvedSource, name: string): void {
  if (!source.types.has(name)) throw new Error(`Unknown source column: ${JSON.stringify(name)}`);
}

/** The snapshot's row text: one JSON object whose keys c0, c1, … are the positions of `columns` (their names may hold dots). */
export function decodeSnapshotRow(json: string, columns: readonly CatalogColumn[]): SourceRow {
  const values = JSON.parse(json) as Record<string, unknown>;
  const row: SourceRow = {};
  columns.forEach((c, i) => {
    const v = values[`c${i}`];
    row[c.name] = v === null || v === undefined ? null : typeof v === 'number' ? v : c.type === 'date' ? String(v).slice(0, 10) : String(v);
  });
  return row;
}
export function encodeSnapshotRow(row: SourceRow, columns: readonly CatalogColumn[]): string {
  return JSON.stringify(Object.fromEntries(columns.map((c, i) => [`c${i}`, row[c.name] ?? null])));
}

export interface CollapseRule {
  /** A full snapshot with fewer rows than this share of the last full one is refused (a reload in progress); 0: never. */
  share: number;
  /** Only when the last one had at least this many rows (a small table may really empty). */
  minRows: number;
}
export const DEFAULT_COLLAPSE_RULE: CollapseRule = { share: 0.5, minRows: 20 };

/** The snapshot was refused: the source's row count collapsed. Retryable: the activity tries again later. */
export class SourceCollapsedError extends Error {
  constructor(readonly rows: number, readonly lastRows: number, source: string, share: number) {
    super(`${source} holds ${rows} rows, fewer than ${Math.round(share * 100)} % of the ${lastRows} of the last snapshot: `
      + 'a reload looks half done, so no snapshot was taken and no line is treated as gone; it is tried again shortly');
    this.name = 'SourceCollapsedError';
  }
}

/**
 * Normalised key parts joined by U+0001: a character every key part is stripped of (KEY_IGNORED_CODES) and below any
 * it may hold, so comparing joined keys (binary) orders them exactly as comparing the parts one by one.
 */
export const KEY_PART_JOIN = '\u0001';
