// Reads the source for the SQL Server store: resolves its columns from the catalog once (db/source.ts), then pages,
// looks up and snapshots with statements built for exactly those columns (db/mssql/source-sql.ts).
import type { SourceRow } from '../../shared/order';
import type { SourcePage } from '../store';
import { MAX_FIRST_KEY_PART, chunk, decodeCursor, decodeKeyCursor, encodeCursor, isoOf, sourceKeyPart, type Row } from '../common';
import { type CatalogColumn, type CatalogType, type CollapseRule, type ResolvedSource, type SourceSpec, SourceCollapsedError, assertResolvedColumn, decodeSnapshotRow, resolveSource } from '../source';
import { GROUP_KEY_ALIAS, SNAPSHOT_GROUP_ALIAS, SOURCE_CATALOG_SQL, mssqlSourceSql, type MssqlSourceSql } from './source-sql';
import { b, type SourceName } from './identifiers';

export type Param = string | number | null;
export interface MssqlRunner {
  query(name: string, sqlText: string, params?: Record<string, Param>, opts?: { timeoutMs?: number }): Promise<{ recordset: Row[]; rowsAffected: number[] }>;
}
/** Copying a snapshot reads the whole source: more than the default request timeout, within the detection activity's 5 minutes. */
const SNAPSHOT_TIMEOUT_MS = 4 * 60_000;
/** READ COMMITTED fallback: wait at most this long for a lock (a reload's) before failing (and being retried). */
const LOCK_TIMEOUT_MS = 30_000;
const MAX_PARAMS = 2000;
const MAX_VALUES_ROWS = 1000;

const CATALOG_TYPES: Record<string, CatalogType> = {
  int: 'int', bigint: 'int', smallint: 'int', tinyint: 'int', date: 'date', uniqueidentifier: 'uuid',
  nvarchar: 'text', varchar: 'text', nchar: 'text', char: 'text', ntext: 'text', text: 'text',
};

export class MssqlSource {
  private resolving: Promise<{ src: ResolvedSource; sql: MssqlSourceSql }> | undefined;
  private snapshotIsolation: boolean | undefined;
  readonly displayName: string;
  private readonly quoted: string;

  constructor(private readonly db: MssqlRunner, private readonly opts: { schema: string; source: SourceName; spec: SourceSpec; collapse: CollapseRule }) {
    this.displayName = `${opts.source.schema}.${opts.source.name}`;
    this.quoted = `${b(opts.source.schema)}.${b(opts.source.name)}`;
  }

  async catalog(): Promise<CatalogColumn[]> {
    const rows = (await this.db.query('sourceCatalog', SOURCE_CATALOG_SQL, { schema: this.opts.source.schema, table: this.opts.source.name })).recordset;
    return rows.map((r) => ({ name: String(r.name), type: CATALOG_TYPES[String(r.type).toLowerCase()] ?? 'other' }));
  }

  /** Resolved once per store; a failure (a missing column) is not kept, so a fixed table is seen on the next call. */
  resolved(): Promise<{ src: ResolvedSource; sql: MssqlSourceSql }> {
    this.resolving ??= this.catalog().then((catalog) => {
      const src = resolveSource(this.displayName, this.opts.spec, catalog);
      return { src, sql: mssqlSourceSql(this.opts.schema, this.quoted, src) };
    }).catch((err: unknown) => { this.resolving = undefined; throw err; });
    return this.resolving;
  }

  async snapshot(batchId: string, filter?: { po?: string }): Promise<number> {
    const { src, sql } = await this.resolved();
    this.snapshotIsolation ??= Number((await this.db.query('snapshotIsolationAllowed', sql.snapshotIsolationAllowed)).recordset[0]?.s ?? 0) === 1;
    // A repeated call (an activity retry) finds its snapshot without sending the copy again.
    const found = (await this.db.query('snapshotHeader', sql.snapshotHeader, { batchId })).recordset[0];
    if (found) return Number(found.row_count);
    const po = filter?.po?.trim() ?? null;
    const params = {
      batchId, po, columns: JSON.stringify(src.columns), lockTimeoutMs: LOCK_TIMEOUT_MS,
      collapseShare: this.opts.collapse.share, collapseMinRows: this.opts.collapse.share > 0 ? this.opts.collapse.minRows : 2 ** 31 - 1,
    };
    const r = (await this.db.query('snapshotSource', sql.snapshot({ po: po !== null, snapshotIsolation: this.snapshotIsolation }), params, { timeoutMs: SNAPSHOT_TIMEOUT_MS })).recordset[0];
    if (!r || r.snapshot_id === null) throw new SourceCollapsedError(Number(r?.row_count ?? 0), Number(r?.last_count ?? 0), this.displayName, this.opts.collapse.share);
    return Number(r.row_count);
  }

  private async header(batchId: string): Promise<{ id: number; columns: CatalogColumn[] } | null> {
    const { sql } = await this.resolved();
    const r = (await this.db.query('snapshotHeader', sql.snapshotHeader, { batchId })).recordset[0];
    // A snapshot of an earlier release (no column list) is not readable here: the live source is.
    return r && r.source_columns !== null ? { id: Number(r.snapshot_id), columns: JSON.parse(String(r.source_columns)) as CatalogColumn[] } : null;
  }

  async page(cursor: string | null, limit: number, filter?: { po?: string; customerNames?: string[]; snapshotOf?: string }): Promise<SourcePage> {
    if (!Number.isInteger(limit) || limit < 1) throw new Error('limit must be a positive integer');
    const { src, sql } = await this.resolved();
    const names = filter?.customerNames ?? [];
    const params: Record<string, Param> = {};
    if (filter?.po !== undefined) params.po = filter.po.trim();
    names.forEach((n, i) => { params[`c${i}`] = n.trim().toUpperCase(); });
    const shape = { po: filter?.po !== undefined, customerNames: names.length };
    const after = cursor === null ? null : decodeCursor(cursor);
    // A cursor of the live source (a batch that began before snapshots existed) goes on over the live source.
    const header = filter?.snapshotOf !== undefined && !(after && 'key' in after) ? await this.header(filter.snapshotOf) : null;
    if (header) {
      const afterGroup = after && 'group' in after ? after.group : 0;
      const page = (await this.db.query('readSnapshotPage', sql.snapshotPage(shape), { ...params, id: header.id, after: afterGroup, limit })).recordset;
      const last = page[page.length - 1];
      return { rows: page.map((r) => decodeSnapshotRow(String(r.row_json), header.columns)), nextCursor: page.length < limit || !last ? null : encodeCursor(Number(last[SNAPSHOT_GROUP_ALIAS])) };
    }
    const afterKey = cursor === null ? null : decodeKeyCursor(cursor);
    const page = (await this.db.query('readSourcePage', sql.livePage({ ...shape, after: afterKey !== null }), { ...params, limit, after: afterKey })).recordset;
    if (page.length < limit) return { rows: page.map((r) => this.toSourceRow(r, src)), nextCursor: null };
    // Never cut an order key group: the page's last group is read whole instead.
    const lastKey = String(page[page.length - 1]![GROUP_KEY_ALIAS]);
    const group = (await this.db.query('readKeyGroup', sql.liveGroup(shape), { ...params, group: lastKey })).recordset;
    const rows = [...page.filter((r) => r[GROUP_KEY_ALIAS] !== lastKey), ...group].map((r) => this.toSourceRow(r, src));
    return { rows, nextCursor: encodeCursor(lastKey) };
  }

  async byKey(keyColumns: string[], keyValues: string[], snapshotOf?: string | null): Promise<SourceRow[]> {
    const { src, sql } = await this.resolved();
    keyColumns.forEach((c) => assertResolvedColumn(src, c));
    if (keyColumns.length === 0 || keyColumns.length !== keyValues.length) throw new Error('keyColumns and keyValues must match');
    const values = keyValues.map(sourceKeyPart);
    if (snapshotOf && keyColumns[0] === src.keyColumns[0]) {
      const res = await this.db.query('readSnapshotRowsByKey', sql.snapshotByFirstKey, { batchId: snapshotOf, v0: values[0]!.slice(0, MAX_FIRST_KEY_PART) });
      const [header, rows] = (res as unknown as { recordsets: Row[][] }).recordsets;
      const columns = header?.[0]?.source_columns;
      // No readable snapshot (none, removed, or of an earlier release): the live source below.
      if (columns !== null && columns !== undefined) {
        const cols = JSON.parse(String(columns)) as CatalogColumn[];
        return (rows ?? []).map((r) => decodeSnapshotRow(String(r.row_json), cols)).filter((row) => keyColumns.every((c, i) => sourceKeyPart(row[c]) === values[i]));
      }
    }
    const params = Object.fromEntries(values.map((v, i) => [`v${i}`, v]));
    return (await this.db.query('readSourceRowsByKey', sql.liveByKey(keyColumns), params)).recordset.map((r) => this.toSourceRow(r, src));
  }

  async count(): Promise<number> {
    const { sql } = await this.resolved();
    return Number((await this.db.query('countSource', sql.count)).recordset[0]?.n ?? 0);
  }

  /** Test databases and the demo: rows by real column names, in as few requests as the parameter limit allows. */
  async insert(rows: SourceRow[], run: (name: string, text: string, params: Record<string, Param>) => Promise<unknown>): Promise<void> {
    const { sql } = await this.resolved();
    const known = (await this.catalog()).map((c) => c.name);
    for (const row of rows) for (const name of Object.keys(row)) if (!known.includes(name)) throw new Error(`Unknown source column: ${JSON.stringify(name)}`);
    const columns = known.filter((n) => rows.some((r) => r[n] !== null && r[n] !== undefined));
    if (columns.length === 0) return;
    for (const part of chunk(rows, Math.min(MAX_VALUES_ROWS, Math.max(1, Math.floor(MAX_PARAMS / columns.length))))) {
      const params: Record<string, Param> = {};
      part.forEach((r, i) => columns.forEach((c, j) => { params[`r${i}_${j}`] = r[c] ?? null; }));
      await run('insertSourceRows', sql.insertRows(columns, part.length), params);
    }
  }

  async update(where: Record<string, string>, set: SourceRow): Promise<number> {
    const { sql } = await this.resolved();
    const known = new Set((await this.catalog()).map((c) => c.name));
    const whereCols = Object.keys(where);
    const setCols = Object.keys(set);
    for (const c of [...whereCols, ...setCols]) if (!known.has(c)) throw new Error(`Unknown source column: ${JSON.stringify(c)}`);
    if (whereCols.length === 0 || setCols.length === 0) throw new Error('updateSourceRows needs at least one where and one set column');
    const params: Record<string, Param> = {};
    setCols.forEach((c, i) => { params[`s${i}`] = set[c] ?? null; });
    whereCols.forEach((c, i) => { params[`w${i}`] = where[c] ?? null; });
    return (await this.db.query('updateSourceRows', sql.updateRows(setCols, whereCols), params)).rowsAffected[0] ?? 0;
  }

  /** Tests and the model-based test: an order line leaves the source. */
  async delete(where: Record<string, string>): Promise<number> {
    const { sql } = await this.resolved();
    const known = new Set((await this.catalog()).map((c) => c.name));
    const whereCols = Object.keys(where);
    for (const c of whereCols) if (!known.has(c)) throw new Error(`Unknown source column: ${JSON.stringify(c)}`);
    if (whereCols.length === 0) throw new Error('deleteSourceRows needs at least one where column');
    const params: Record<string, Param> = Object.fromEntries(whereCols.map((c, i) => [`w${i}`, where[c] ?? null]));
    return (await this.db.query('deleteSourceRows', sql.deleteRows(whereCols), params)).rowsAffected[0] ?? 0;
  }

  /** SQL Server hands back Date objects for DATE columns; rows carry 'YYYY-MM-DD' text as in SQLite. */
  private toSourceRow(r: Row, src: ResolvedSource): SourceRow {
    const out: SourceRow = {};
    for (const c of src.columns) {
      const value = r[c.name];
      if (value === null || value === undefined) out[c.name] = null;
      else if (value instanceof Date) out[c.name] = c.type === 'date' ? value.toISOString().slice(0, 10) : isoOf(value);
      else out[c.name] = typeof value === 'number' ? value : String(value);
    }
    return out;
  }
}
