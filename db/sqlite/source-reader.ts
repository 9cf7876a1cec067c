// Reads the source for the SQLite store, the way the SQL Server one does (db/mssql/source-reader.ts): columns from the
// catalog, only those the mapping reads, by their real names; one snapshot per batch that copies only rows whose
// content is new, lists its rows by key group, and is refused when the row count collapsed.
// Normalised key parts are computed here (sourceKeyPart) and stored in columns of the snapshot: no expression in the
// schema, so the file opens in ordinary SQLite tools (a 6,000-character expression index did not). Reads of the live
// source compare key parts through a function registered on this connection only, never stored in the schema.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { SourceRow } from '../../shared/order';
import type { SourcePage } from '../store';
import { MAX_FIRST_KEY_PART, decodeCursor, decodeKeyCursor, encodeCursor, sourceKeyPart } from '../common';
import {
  type CatalogColumn, type CollapseRule, type ResolvedSource, type SourceSpec, KEY_PART_JOIN, SourceCollapsedError, assertResolvedColumn,
  decodeSnapshotRow, encodeSnapshotRow, resolveSource,
} from '../source';

export const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const KEY_FN = 'orders_sync_key_part';
const now = (): string => new Date().toISOString();

export class SqliteSource {
  private resolvedSource: ResolvedSource | undefined;

  constructor(private readonly db: Database.Database, private readonly opts: { table: string; spec: SourceSpec; collapse: CollapseRule }) {
    db.function(KEY_FN, { deterministic: true }, (v: unknown) => sourceKeyPart(v));
  }

  get name(): string { return this.opts.table; }

  catalog(): CatalogColumn[] {
    const rows = this.db.prepare('SELECT name, type FROM pragma_table_info(?)').all(this.opts.table) as { name: string; type: string }[];
    return rows.map((r) => ({ name: r.name, type: /INT/i.test(r.type) ? 'int' : 'text' }));
  }

  /** Checked on every use (in-process, cheap): a column added to fix the table is seen at once. */
  resolved(): ResolvedSource {
    this.resolvedSource = resolveSource(this.opts.table, this.opts.spec, this.catalog());
    return this.resolvedSource;
  }

  private select(src: ResolvedSource, alias = ''): string { return src.columns.map((c) => `${alias}${q(c.name)}`).join(', '); }
  private groupKey(src: ResolvedSource): string { return src.keyColumns.map((c) => `${KEY_FN}(${q(c)})`).join(` || char(1) || `); }
  private filters(src: ResolvedSource, f: { po?: string; customerNames?: string[] }, params: unknown[]): string[] {
    const conds = ['1 = 1'];
    if (f.po !== undefined) { conds.push(`TRIM(${q(src.poColumn)}) = ?`); params.push(f.po.trim()); }
    if (f.customerNames) {
      conds.push(`UPPER(TRIM(${q(src.customerColumn)})) IN (SELECT value FROM json_each(?))`);
      params.push(JSON.stringify(f.customerNames.map((n) => n.trim().toUpperCase())));
    }
    return conds;
  }

  snapshot(batchId: string, filter?: { po?: string }): number {
    const src = this.resolved();
    const po = filter?.po?.trim() ?? null;
    const columnsJson = JSON.stringify(src.columns);
    // One write transaction (BEGIN IMMEDIATE): a second attempt waits for the first, then finds its snapshot.
    return this.db.transaction(() => {
      const existing = this.db.prepare('SELECT row_count FROM MON_SourceSnapshot WHERE batch_id = ?').pluck().get(batchId) as number | undefined;
      if (existing !== undefined) return existing;
      const params: unknown[] = [];
      const where = this.filters(src, po !== null ? { po } : {}, params).join(' AND ');
      const rows = this.db.prepare(`SELECT ${this.select(src)} FROM ${q(this.opts.table)} WHERE ${where}`).all(...params) as SourceRow[];
      const last = this.db.prepare('SELECT row_count FROM MON_SourceSnapshot WHERE po_filter IS NULL ORDER BY snapshot_id DESC LIMIT 1').pluck().get() as number | undefined;
      const { share, minRows } = this.opts.collapse;
      if (po === null && share > 0 && last !== undefined && last >= minRows && rows.length < last * share) {
        throw new SourceCollapsedError(rows.length, last, this.opts.table, share);
      }
      const copies = new Map<string, number>();
      const entries = rows.map((row) => {
        const json = encodeSnapshotRow(row, src.columns);
        const hash = createHash('sha256').update(columnsJson + json).digest('hex');
        const copy = (copies.get(hash) ?? 0) + 1;
        copies.set(hash, copy);
        const key1 = sourceKeyPart(row[src.keyColumns[0]!]);
        return {
          hash, copy, json, key1, groupKey: src.keyColumns.map((c) => sourceKeyPart(row[c])).join(KEY_PART_JOIN),
          po: row[src.poColumn] == null ? null : String(row[src.poColumn]).trim(),
          customer: row[src.customerColumn] == null ? null : String(row[src.customerColumn]).trim().toUpperCase(),
          rowId: 0,
        };
      });
      const find = this.db.prepare('SELECT row_id FROM MON_SourceRow WHERE row_hash = ? AND copy_no = ?').pluck();
      const insert = this.db.prepare('INSERT INTO MON_SourceRow (row_hash, copy_no, group_key, po, customer, row_json) VALUES (?, ?, ?, ?, ?, ?)');
      let copied = 0;
      for (const e of entries) {
        const found = find.get(e.hash, e.copy) as number | undefined;
        if (found !== undefined) { e.rowId = found; continue; }
        e.rowId = Number(insert.run(e.hash, e.copy, e.groupKey, e.po, e.customer, e.json).lastInsertRowid);
        copied++;
      }
      const id = this.db.prepare('INSERT INTO MON_SourceSnapshot (batch_id, po_filter, row_count, copied_rows, source_columns, taken_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(batchId, po, rows.length, copied, columnsJson, now()).lastInsertRowid;
      // Binary order of the joined keys, as SQL Server's BIN2 comparison orders them.
      entries.sort((a, b) => (a.groupKey < b.groupKey ? -1 : a.groupKey > b.groupKey ? 1 : a.rowId - b.rowId));
      const member = this.db.prepare('INSERT INTO MON_SourceSnapshotMember (snapshot_id, snap_group, snap_row, row_id, snap_key1) VALUES (?, ?, ?, ?, ?)');
      let group = 0;
      entries.forEach((e, i) => {
        if (i === 0 || e.groupKey !== entries[i - 1]!.groupKey) group++;
        member.run(id, group, i + 1, e.rowId, e.key1.slice(0, MAX_FIRST_KEY_PART));
      });
      return rows.length;
    }).immediate();
  }

  private header(batchId: string): { id: number; columns: CatalogColumn[] } | null {
    const r = this.db.prepare('SELECT snapshot_id, source_columns FROM MON_SourceSnapshot WHERE batch_id = ?').get(batchId) as { snapshot_id: number; source_columns: string | null } | undefined;
    return r && r.source_columns !== null ? { id: r.snapshot_id, columns: JSON.parse(r.source_columns) as CatalogColumn[] } : null;
  }

  page(cursor: string | null, limit: number, filter?: { po?: string; customerNames?: string[]; snapshotOf?: string }): SourcePage {
    if (!Number.isInteger(limit) || limit < 1) throw new Error('limit must be a positive integer');
    const src = this.resolved();
    const after = cursor === null ? null : decodeCursor(cursor);
    const header = filter?.snapshotOf !== undefined && !(after && 'key' in after) ? this.header(filter.snapshotOf) : null;
    if (header) {
      const params: unknown[] = [];
      const conds = ['1 = 1'];
      if (filter?.po !== undefined) { conds.push('r.po = ?'); params.push(filter.po.trim()); }
      if (filter?.customerNames) { conds.push('r.customer IN (SELECT value FROM json_each(?))'); params.push(JSON.stringify(filter.customerNames.map((n) => n.trim().toUpperCase()))); }
      const where = `m.snapshot_id = ? AND m.snap_group > ? AND ${conds.join(' AND ')}`;
      const from = 'MON_SourceSnapshotMember m JOIN MON_SourceRow r ON r.row_id = m.row_id';
      const afterGroup = after && 'group' in after ? after.group : 0;
      // The groups of the first `limit` rows after the cursor, then all of their rows.
      const groups = this.db.prepare(`SELECT MAX(snap_group) AS last, COUNT(*) AS n FROM (SELECT m.snap_group FROM ${from}
        WHERE ${where} ORDER BY m.snap_group, m.snap_row LIMIT ?)`).get(header.id, afterGroup, ...params, limit) as { last: number | null; n: number };
      if (groups.last === null) return { rows: [], nextCursor: null };
      const rows = this.db.prepare(`SELECT r.row_json FROM ${from} WHERE ${where} AND m.snap_group <= ? ORDER BY m.snap_group, m.snap_row`)
        .pluck().all(header.id, afterGroup, ...params, groups.last) as string[];
      return { rows: rows.map((j) => decodeSnapshotRow(j, header.columns)), nextCursor: groups.n < limit ? null : encodeCursor(groups.last) };
    }
    const params: unknown[] = [];
    const base = this.filters(src, filter ?? {}, params).join(' AND ');
    const gk = this.groupKey(src);
    const afterKey = cursor === null ? null : decodeKeyCursor(cursor);
    const page = this.db.prepare(`SELECT ${this.select(src)}, ${gk} AS __group_key FROM ${q(this.opts.table)} WHERE ${base}${afterKey !== null ? ` AND ${gk} > ?` : ''}
      ORDER BY __group_key LIMIT ?`).all(...params, ...(afterKey !== null ? [afterKey] : []), limit) as (SourceRow & { __group_key: string })[];
    const strip = (rows: (SourceRow & { __group_key?: string })[]): SourceRow[] => rows.map(({ __group_key: _, ...row }) => row);
    if (page.length < limit) return { rows: strip(page), nextCursor: null };
    // Never cut an order key group: replace the last group by all of its rows.
    const last = page[page.length - 1]!.__group_key;
    const group = this.db.prepare(`SELECT ${this.select(src)} FROM ${q(this.opts.table)} WHERE ${base} AND ${gk} = ?`).all(...params, last) as SourceRow[];
    return { rows: [...strip(page.filter((r) => r.__group_key !== last)), ...group], nextCursor: encodeCursor(last) };
  }

  byKey(keyColumns: string[], keyValues: string[], snapshotOf?: string | null): SourceRow[] {
    const src = this.resolved();
    keyColumns.forEach((c) => assertResolvedColumn(src, c));
    if (keyColumns.length === 0 || keyColumns.length !== keyValues.length) throw new Error('keyColumns and keyValues must match');
    const values = keyValues.map(sourceKeyPart);
    const header = snapshotOf && keyColumns[0] === src.keyColumns[0] ? this.header(snapshotOf) : null;
    if (header) {
      const rows = this.db.prepare(`SELECT r.row_json FROM MON_SourceSnapshotMember m JOIN MON_SourceRow r ON r.row_id = m.row_id
        WHERE m.snapshot_id = ? AND m.snap_key1 = ? ORDER BY m.snap_group, m.snap_row`).pluck().all(header.id, values[0]!.slice(0, MAX_FIRST_KEY_PART)) as string[];
      return rows.map((j) => decodeSnapshotRow(j, header.columns)).filter((row) => keyColumns.every((c, i) => sourceKeyPart(row[c]) === values[i]));
    }
    const where = keyColumns.map((c) => `${KEY_FN}(${q(c)}) = ?`).join(' AND ');
    return this.db.prepare(`SELECT ${this.select(src)} FROM ${q(this.opts.table)} WHERE ${where} ORDER BY rowid`).all(...values) as SourceRow[];
  }
}
