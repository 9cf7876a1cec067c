// The shape of mapping/orders-to-monday.yaml (zod) and of the validated Mapping the transform uses.
// Strict objects: a misspelt key is an error, not a silently ignored setting.
import { z } from 'zod';

/** Monday column types the sync writes. Read-only types (mirror, formula, ...) are not allowed. */
export const COLUMN_TYPES = ['text', 'long_text', 'numbers', 'date', 'dropdown', 'status'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** Column types whose values are labels (value maps, allowed labels, label creation apply). */
export const LABEL_TYPES: readonly ColumnType[] = ['dropdown', 'status'];

export const SOURCE_TYPES = ['nvarchar', 'int', 'date', 'uniqueidentifier'] as const;
export type SourceColumnType = (typeof SOURCE_TYPES)[number];

/** Derived template values; everything else in {braces} must be an ORDERS_UNIFIED column. */
export const DERIVED_PLACEHOLDERS = ['customer', 'season'] as const;

const name = z.string().trim().min(1);
const boardId = z.union([z.string().regex(/^\d+$/, 'board id must be digits'), z.number().int().positive()]).transform(String);
const columnId = z.string().regex(/^[a-z][a-z0-9_]*$/, 'column id must be lower-case letters, digits and _');

const columnSchema = z.strictObject({
  id: columnId,
  title: name,
  type: z.enum(COLUMN_TYPES),
  /** The ORDERS_UNIFIED column the value comes from. */
  source: name,
  /** canonical_customer: the value is the canonical customer name (see customers). */
  transform: z.literal('canonical_customer').optional(),
  /** Label translation (dropdown/status only), matched case-insensitively. */
  valueMap: z.record(z.string(), name).optional(),
  /** Preprocessing: whole-value replacement before conversion, matched case-insensitively. */
  replace: z.record(z.string(), z.string()).optional(),
  /** Dropdown/status only: may Monday create a label that does not exist yet? */
  createLabels: z.boolean().optional(),
  /** The allowed labels when createLabels is false. */
  labels: z.array(name).optional(),
  /** Dropdown/status only: the most labels the column may hold (default: 500 for dropdowns, 40 for status). */
  labelCeiling: z.number().int().positive().optional(),
});

export const mappingFileSchema = z.strictObject({
  version: z.literal(1),
  source: z.strictObject({
    table: name,
    keyColumns: z.array(name).min(1),
    customerColumn: name,
    poNumberColumn: name,
    aagOrderNumberColumn: name,
    columns: z.record(name, z.enum(SOURCE_TYPES)),
    sizeColumns: z.array(name).min(1),
  }),
  items: z.strictObject({
    boardId,
    keyColumnId: columnId,
    itemName: name,
    group: z.strictObject({
      template: name,
      season: z.array(name).min(1),
      fallback: name,
    }),
    columns: z.array(columnSchema).min(1),
  }),
  subitems: z.strictObject({
    boardId,
    name,
    sizeColumnId: columnId,
    qtyColumnId: columnId,
    createSizeLabels: z.boolean(),
  }),
  customers: z.array(z.strictObject({ canonical: name, variants: z.array(name).min(1) })).min(1),
});

export type MappingFile = z.infer<typeof mappingFileSchema>;

export interface ColumnMapping {
  id: string;
  title: string;
  type: ColumnType;
  source: string;
  transform?: 'canonical_customer';
  valueMap?: Record<string, string>;
  replace?: Record<string, string>;
  /** Always set for dropdown/status columns, false for the others. */
  createLabels: boolean;
  /** Allowed labels (dropdown/status with createLabels false). For canonical_customer: the canonical names. */
  labels?: string[];
  /** Dropdown/status: the most labels the column may hold (labelCeilingOf gives the default). */
  labelCeiling?: number;
}

/**
 * The most labels a label column holds before Monday takes no more: 500 for a dropdown (the user's STYLE column
 * stopped at exactly 500, ../shared/reference/NOTES-current-system.md §4.2), 40 for a status column; a mapping may
 * set a lower one (`labelCeiling`) to leave room. Null for other column types.
 */
export function labelCeilingOf(column: { type: string; labelCeiling?: number }): number | null {
  if (column.type === 'dropdown') return column.labelCeiling ?? 500;
  if (column.type === 'status') return column.labelCeiling ?? 40;
  return null;
}

/** The validated mapping. */
export interface Mapping {
  /** Absolute path of the file it was loaded from. */
  file: string;
  source: {
    table: string;
    keyColumns: string[];
    customerColumn: string;
    poNumberColumn: string;
    aagOrderNumberColumn: string;
    /** Non-size columns with their SQL types, in DDL order. */
    columns: Record<string, SourceColumnType>;
    /** Size columns in DDL order. */
    sizeColumns: string[];
  };
  items: {
    boardId: string;
    keyColumnId: string;
    itemName: string;
    group: { template: string; season: string[]; fallback: string };
    columns: ColumnMapping[];
  };
  subitems: {
    boardId: string;
    name: string;
    sizeColumnId: string;
    qtyColumnId: string;
    createSizeLabels: boolean;
  };
  customers: { canonical: string; variants: string[] }[];
}
