// The pure transform: one ORDERS_UNIFIED row → the Monday payload of its order line.
// createTransform compiles the mapping once into plain closures (a "plan"), so each row only
// runs the conversions: the sync re-maps every changed row and must stay fast on wide rows.
import { createHash } from 'node:crypto';
import { MAX_ORDER_KEY_LENGTH, type ColumnValues, type OrderPayload, type SourceRow, type SubitemPayload } from '../shared/order';
import { MappingError } from './errors';
import type { ColumnMapping, ColumnType, Mapping } from './schema';

export const KEY_SEPARATOR = '|';
const MAX_ITEM_NAME = 255; // Monday: ItemNameTooLongException above 255
const MAX_LONG_TEXT = 2000; // Monday long_text limit
const MAX_STATUS_LABEL = 30; // Monday status label limit
const MAX_INT = 2_147_483_647; // sizes are SQL INT

/** A value a converter refuses; turned into a MappingError with the order key and field. */
class Reject {
  constructor(
    readonly reason: string,
    /** Set when the refused value is not the one the caller was converting (template parts). */
    readonly field?: string,
    readonly value?: unknown,
  ) {}
}

// C0 and C1 control characters are stripped; tabs and line breaks become one space first, so
// "HEATHER\tGREY" reads "HEATHER GREY". Newlines survive only in long_text.
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/g;
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g;
const SPACING = /[\t\n\v\f\r]+/g;
const SPACING_BUT_NEWLINE = /[\t\v\f]+/g;

/** Any source value as cleaned text; null when empty. Rejects values no SQL column would hold. */
function toText(value: unknown, keepNewlines = false): string | null {
  if (value === null || value === undefined) return null;
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Reject('not a finite number');
    text = String(value);
  } else if (typeof value === 'boolean') text = value ? 'TRUE' : 'FALSE';
  else if (typeof value === 'bigint') text = String(value);
  else if (value instanceof Date) text = isoDate(value);
  else throw new Reject(`unsupported value type ${Array.isArray(value) ? 'array' : typeof value}`);
  const cleaned = keepNewlines
    ? text.replace(/\r\n?/g, '\n').replace(SPACING_BUT_NEWLINE, ' ').replace(CONTROL_BUT_NEWLINE, '')
    : text.replace(SPACING, ' ').replace(CONTROL, '');
  const trimmed = cleaned.trim();
  return trimmed === '' ? null : trimmed;
}

function isoDate(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new Reject('invalid date');
  // SQL DATE values arrive as UTC midnight (mssql/tedious default), so read the UTC parts.
  const y = date.getUTCFullYear();
  if (y < 1 || y > 9999) throw new Reject('date out of range');
  return `${String(y).padStart(4, '0')}-${String(date.getUTCMonth() + 1).padStart(2, '0')}-${String(date.getUTCDate()).padStart(2, '0')}`;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function toDate(value: unknown): string | undefined {
  if (value instanceof Date) return isoDate(value);
  if (typeof value !== 'string') {
    if (value === null || value === undefined) return undefined;
    throw new Reject('not a date (expected YYYY-MM-DD)');
  }
  const text = toText(value);
  if (text === null) return undefined;
  const m = ISO_DATE.exec(text);
  if (!m) throw new Reject('not a date (expected YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)');
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1 || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) throw new Reject('no such calendar date');
  return `${m[1]}-${m[2]}-${m[3]}`;
}

const PLAIN_NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?$/;
const THOUSANDS = /^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/;

/** Monday numbers are written as a numeric string, e.g. "$1,234.50" → "1234.5". */
function toNumberString(text: string): string {
  const cleaned = text.replace(/[$%]/g, '').trim();
  // "," is stripped as a thousands separator only: "17,28" (a decimal comma) must not become 1728.
  if (cleaned.includes(',') && !THOUSANDS.test(cleaned)) throw new Reject('not a number (a comma may only separate thousands)');
  const m = PLAIN_NUMBER.exec(cleaned.replace(/,/g, ''));
  const whole = m?.[2] ?? '';
  const fraction = (m?.[3] ?? '').replace(/0+$/, '');
  if (!m || (whole === '' && (m[3] ?? '') === '')) throw new Reject('not a number (only $ , % are stripped)');
  const digits = (whole.replace(/^0+(?=\d)/, '') || '0') + (fraction ? `.${fraction}` : '');
  return m[1] === '-' && digits !== '0' ? `-${digits}` : digits;
}

/** A size quantity: SQL INT, or a string holding one. null/empty means no subitem. */
function toQuantity(value: unknown): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    const text = value.replace(CONTROL, '').trim();
    if (text === '') return 0;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) throw new Reject('quantity is not a number');
    n = Number(text);
  } else throw new Reject('quantity is not a number');
  if (!Number.isFinite(n)) throw new Reject('quantity is not a finite number');
  if (n < 0) throw new Reject('negative quantity');
  if (!Number.isInteger(n)) throw new Reject('fractional quantity');
  if (n > MAX_INT) throw new Reject('quantity exceeds the SQL INT range');
  return n;
}

interface RowContext {
  key: string;
  customer: string;
  season: string;
}

/** Order-line key of a row: key parts cleaned and trimmed, joined with "|". Throws MappingError if a part is empty. */
export function orderKeyOf(mapping: Mapping, row: SourceRow): string {
  const parts: (string | null)[] = [];
  const rejects: [string, unknown, string][] = [];
  for (const column of mapping.source.keyColumns) {
    const raw = row[column];
    try {
      const text = toText(raw);
      parts.push(text);
      // SQLite's text functions stop at U+0000 and Babelfish cannot hold it: paging and look-ups could not find the row.
      if (typeof raw === 'string' && raw.includes('\u0000')) rejects.push([column, raw, 'order key part contains a NUL character (U+0000)']);
      else if (text === null) rejects.push([column, raw, 'order key part is empty']);
      else if (text.includes(KEY_SEPARATOR)) rejects.push([column, raw, `order key part contains the key separator "${KEY_SEPARATOR}"`]);
    } catch (err) {
      if (!(err instanceof Reject)) throw err;
      parts.push(null);
      rejects.push([column, raw, err.reason]);
    }
  }
  const key = parts.map((p) => p ?? '').join(KEY_SEPARATOR);
  if (key.length > MAX_ORDER_KEY_LENGTH && rejects.length === 0) {
    // Named after its longest part: that is the value to shorten.
    const longest = mapping.source.keyColumns.reduce((a, c, i) => ((parts[i] ?? '').length > (parts[mapping.source.keyColumns.indexOf(a)] ?? '').length ? c : a));
    rejects.push([longest, row[longest], `order key is ${key.length} characters long; at most ${MAX_ORDER_KEY_LENGTH} fit SQL Server's key columns`]);
  }
  const first = rejects[0];
  if (first) throw new MappingError(key, first[0], first[1], first[2]);
  return key;
}

type Piece = string | ((row: SourceRow, ctx: RowContext) => string);

/** Compiles "{A} {B}" into pieces; rendering collapses whitespace so empty parts drop out. */
function compileTemplate(template: string, derived: Record<string, (ctx: RowContext) => string>): Piece[] {
  const pieces: Piece[] = [];
  let last = 0;
  for (const match of template.matchAll(/\{([^{}]*)\}/g)) {
    const name = match[1] ?? '';
    pieces.push(template.slice(last, match.index));
    const fromCtx = derived[name];
    pieces.push(fromCtx ? (_row, ctx) => fromCtx(ctx) : (row) => templatePart(row, name));
    last = match.index + match[0].length;
  }
  pieces.push(template.slice(last));
  return pieces;
}

function templatePart(row: SourceRow, name: string): string {
  const raw = row[name];
  try {
    return toText(raw) ?? '';
  } catch (err) {
    throw err instanceof Reject ? new Reject(err.reason, name, raw) : err;
  }
}

function render(pieces: Piece[], row: SourceRow, ctx: RowContext): string {
  let out = '';
  for (const piece of pieces) out += typeof piece === 'string' ? piece : piece(row, ctx);
  return out.replace(/\s+/g, ' ').trim();
}

/** One column write, compiled: the cleaned value (or null to omit it) and its Monday write format. */
interface ColumnPlan {
  column: ColumnMapping;
  value: (raw: unknown, ctx: RowContext) => string | null;
  write: (value: string) => unknown;
  /** Column id and type, prefixed to the value in the hash input. */
  hashTag: string;
}

function compileColumn(column: ColumnMapping): ColumnPlan {
  const upperMap = (map: Record<string, string> | undefined): Map<string, string> | undefined =>
    map && new Map(Object.entries(map).map(([k, v]) => [k.trim().toUpperCase(), v]));
  const replace = upperMap(column.replace);
  const valueMap = upperMap(column.valueMap);
  const allowed = column.labels && !column.createLabels ? new Map(column.labels.map((l) => [l.toUpperCase(), l])) : undefined;

  const text = (raw: unknown, ctx: RowContext): string | null => {
    if (column.transform === 'canonical_customer') return ctx.customer;
    const value = toText(raw, column.type === 'long_text');
    return value !== null && replace ? (replace.get(value.toUpperCase()) ?? value) : value;
  };
  const label = (raw: unknown, ctx: RowContext): string | null => {
    let value = text(raw, ctx);
    if (value === null) return null;
    if (valueMap) value = valueMap.get(value.toUpperCase()) ?? value;
    if (allowed) {
      const known = allowed.get(value.toUpperCase());
      if (known === undefined) throw new Reject(`"${value}" is not an allowed ${column.title} label and new labels may not be created (${column.id})`);
      value = known;
    }
    return value;
  };
  const plan = (value: ColumnPlan['value'], write: ColumnPlan['write']): ColumnPlan => ({
    column,
    value,
    write,
    hashTag: `${column.id}\u0001${column.type}\u0001`,
  });

  switch (column.type) {
    case 'text':
      return plan(text, (value) => value);
    case 'long_text':
      return plan(
        (raw, ctx) => {
          const value = text(raw, ctx);
          if (value !== null && value.length > MAX_LONG_TEXT) throw new Reject(`longer than ${MAX_LONG_TEXT} characters (long_text ${column.id})`);
          return value;
        },
        (value) => ({ text: value }),
      );
    case 'numbers':
      return plan(
        (raw, ctx) => {
          const value = text(raw, ctx);
          return value === null ? null : toNumberString(value);
        },
        (value) => value,
      );
    case 'date':
      return plan(
        (raw) => toDate(raw) ?? null,
        (value) => ({ date: value }),
      );
    case 'dropdown':
      return plan(label, (value) => ({ labels: [value] }));
    case 'status':
      return plan(
        (raw, ctx) => {
          const value = label(raw, ctx);
          if (value !== null && value.length > MAX_STATUS_LABEL) throw new Reject(`status labels are at most ${MAX_STATUS_LABEL} characters (${column.id})`);
          return value;
        },
        (value) => ({ label: value }),
      );
  }
}

/** Compiles the mapping into a row → OrderPayload function. The function throws only MappingError. */
export function createTransform(mapping: Mapping): (row: SourceRow) => OrderPayload {
  const { source, items, subitems } = mapping;
  const mappingFileName = mapping.file.split(/[\\/]/).pop() ?? mapping.file;
  const customers = new Map<string, string>();
  for (const c of mapping.customers) for (const v of c.variants) customers.set(v.trim().toUpperCase(), c.canonical);

  const derived = { customer: (ctx: RowContext) => ctx.customer, season: (ctx: RowContext) => ctx.season };
  const itemName = compileTemplate(items.itemName, derived);
  const groupName = compileTemplate(items.group.template, derived);
  const columns = items.columns.map(compileColumn);
  // A subitem name depends only on its size ({size} is its only placeholder), so name them once.
  const subitemPieces = compileTemplate(subitems.name, {});
  const subitemNames = new Map(source.sizeColumns.map((size) => [size, render(subitemPieces, { size }, { key: '', customer: '', season: '' })]));
  const keyTag = `${items.keyColumnId}\u0001text\u0001`;
  const sizeTag = `${subitems.sizeColumnId}\u0001${subitems.qtyColumnId}\u0001`;

  return (row: SourceRow): OrderPayload => {
    const key = orderKeyOf(mapping, row);
    // One try for the whole row (no closure per value): `field` and `raw` say what was being converted.
    let field = source.customerColumn;
    let raw: unknown = row[field];
    try {
      const customerName = toText(raw);
      if (customerName === null) throw new Reject('customer is empty');
      const customer = customers.get(customerName.toUpperCase());
      if (customer === undefined) {
        throw new Reject(`unknown customer: not one of the spellings under customers: in ${mappingFileName} (exact match, case-insensitive)`);
      }

      let season = items.group.fallback;
      for (const column of items.group.season) {
        field = column;
        raw = row[column];
        const value = toText(raw);
        if (value !== null) {
          season = value;
          break;
        }
      }
      const ctx: RowContext = { key, customer, season };

      field = 'item name';
      raw = null;
      const name = render(itemName, row, ctx);
      raw = name;
      if (name === '') throw new Reject('item name is empty');
      if (name.length > MAX_ITEM_NAME) throw new Reject(`item name is ${name.length} characters; Monday allows at most ${MAX_ITEM_NAME}`);
      field = 'group name';
      raw = null;
      const group = render(groupName, row, ctx);

      const columnValues: ColumnValues = {};
      let createLabelsIfMissing = false;
      // The hash input: every value sent, tagged with where and how it is sent. Separators are
      // control characters, which cleaned values never contain.
      let hashInput = `${name}\u0000${group}\u0000`;
      for (const plan of columns) {
        field = plan.column.source;
        raw = row[field];
        const value = plan.value(raw, ctx);
        if (value === null) continue;
        columnValues[plan.column.id] = plan.write(value);
        hashInput += `${plan.hashTag}${value}\u0000`;
        if (plan.column.createLabels) createLabelsIfMissing = true;
      }
      columnValues[items.keyColumnId] = key;
      hashInput += `${keyTag}${key}\u0000${sizeTag}`;

      const sizes: SubitemPayload[] = [];
      for (const size of source.sizeColumns) {
        raw = row[size];
        if (raw === null || raw === undefined) continue;
        field = size;
        const qty = toQuantity(raw);
        if (qty === 0) continue;
        const subitemTitle = subitemNames.get(size) ?? size;
        const qtyText = String(qty);
        sizes.push({
          size,
          name: subitemTitle,
          qty,
          columnValues: { [subitems.sizeColumnId]: { labels: [size] }, [subitems.qtyColumnId]: qtyText },
        });
        hashInput += `${subitemTitle}\u0001${size}\u0001${qtyText}\u0000`;
      }
      if (subitems.createSizeLabels && sizes.length > 0) createLabelsIfMissing = true;

      field = source.poNumberColumn;
      raw = row[field];
      const poNumber = toText(raw);
      field = source.aagOrderNumberColumn;
      raw = row[field];
      const aagOrderNumber = toText(raw);
      if (aagOrderNumber === null) throw new Reject('AAG order number is empty');

      const hash = createHash('sha256').update(hashInput).digest('hex');
      return { key, itemName: name, groupName: group, customer, poNumber, aagOrderNumber, columnValues, subitems: sizes, createLabelsIfMissing, hash };
    } catch (err) {
      if (!(err instanceof Reject)) throw err;
      throw err.field === undefined ? new MappingError(key, field, raw, err.reason) : new MappingError(key, err.field, err.value, err.reason);
    }
  };
}

/**
 * What empties a cell of each column type, from Monday's column-type pages (../shared/reference/NOTES-monday-api.md,
 * "Clear" column): `null` empties every type the mapping writes, and it is the only clear a numbers column takes
 * (`""` writes 0 there); a text column takes `""` as well, which it stores as empty.
 */
export const CLEAR_VALUES: Record<ColumnType, unknown> = {
  text: '', long_text: null, numbers: null, date: null, dropdown: null, status: null,
};

/**
 * The clear value of every mapped column a payload leaves out (its source value is empty). The transform leaves them
 * out of `columnValues` and of the hash, so payloads and hashes stay what they were; an update of an existing item
 * adds these, because `change_multiple_column_values` only touches the columns it is sent: without them a date, price
 * or note emptied in ORDERS_UNIFIED would keep its old value on the board for ever.
 */
export function clearedColumns(mapping: Mapping, columnValues: ColumnValues): ColumnValues {
  const cleared: ColumnValues = {};
  for (const c of mapping.items.columns) if (!(c.id in columnValues)) cleared[c.id] = CLEAR_VALUES[c.type];
  return cleared;
}

/** Maps many rows; rows that fail are collected, not thrown. Any other error is a bug and is rethrown. */
export function previewRows(transform: (row: SourceRow) => OrderPayload, rows: SourceRow[]): { payloads: OrderPayload[]; failures: MappingError[] } {
  const payloads: OrderPayload[] = [];
  const failures: MappingError[] = [];
  for (const row of rows) {
    try {
      payloads.push(transform(row));
    } catch (err) {
      if (err instanceof MappingError) failures.push(err);
      else throw err;
    }
  }
  return { payloads, failures };
}
