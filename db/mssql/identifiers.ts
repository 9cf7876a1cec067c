// Names that become part of SQL text: this project's schema (MSSQL_SCHEMA) and the source object (MSSQL_SOURCE).
// Checked where the SQL is built, not only in config.ts: a store opened from code (tests, benches) is checked too.

/** Order keys and sizes compare exactly (binary), as they do in SQLite, whatever the database's default collation. */
export const KEY_TYPE = 'NVARCHAR(450) COLLATE Latin1_General_100_BIN2';

/** Size labels compare exactly too; SIZE_TYPE is shared with the staging table variable. */
export const SIZE_TYPE = 'NVARCHAR(100) COLLATE Latin1_General_100_BIN2';

/** An identifier in brackets (`]` doubled): safe for any name, quotes and dots included. */
export const b = (name: string): string => `[${name.replace(/]/g, ']]')}]`;
/** `[schema].[table]`, schema-qualified everywhere (also in foreign keys). */
export const qualified = (schema: string, table: string): string => `${b(schema)}.${b(table)}`;

/** Letters, digits and _ (not starting with a digit), at most 128: needs no quoting anywhere, even inside N'…'. */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export function checkedSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`MSSQL_SCHEMA ${JSON.stringify(schema)} is not a plain schema name (letters, digits and _, at most 128)`);
  return schema;
}

export interface SourceName { schema: string; name: string }
export const DEFAULT_MSSQL_SOURCE = 'dbo.ORDERS_UNIFIED';

/**
 * `dbo.ORDERS_UNIFIED`, `[dbo].[vORDERS_UNIFIED]` or `ORDERS_UNIFIED` (schema dbo). Bracketed parts may hold dots and
 * spaces (`]]` is a `]`); plain parts are letters, digits, _, @, #, $. No control characters, at most 128 each.
 */
export function parseSourceName(text: string): SourceName {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > 0) {
    let part: string;
    if (rest.startsWith('[')) {
      const m = /^\[((?:[^\]]|\]\])+)\]/.exec(rest);
      if (!m) throw badSource(text, 'an unclosed [');
      part = m[1]!.replace(/\]\]/g, ']');
      rest = rest.slice(m[0].length);
    } else {
      const m = /^[A-Za-z_@#][A-Za-z0-9_@#$]*/.exec(rest);
      if (!m) throw badSource(text, `unexpected ${JSON.stringify(rest[0])}`);
      part = m[0];
      rest = rest.slice(m[0].length);
    }
    if (part.length > 128 || /[\u0000-\u001f]/.test(part)) throw badSource(text, 'a part longer than 128 characters or with control characters');
    parts.push(part);
    if (rest.startsWith('.')) rest = rest.slice(1);
    else if (rest.length > 0) throw badSource(text, `unexpected ${JSON.stringify(rest[0])}`);
  }
  if (parts.length === 1) return { schema: 'dbo', name: parts[0]! };
  if (parts.length === 2) return { schema: parts[0]!, name: parts[1]! };
  throw badSource(text, 'expected schema.name (the source must be in the database MSSQL_URL names)');
}
const badSource = (text: string, why: string): Error => new Error(`MSSQL_SOURCE ${JSON.stringify(text)} is not a table or view name: ${why}`);
