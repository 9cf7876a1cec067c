// The contract between the mapping, the store, the Monday client and the workflows.
// Dependency-free on purpose: workflow code imports it.

/** One ORDERS_UNIFIED row, keyed by the exact SQL column names (quirky ones included). */
export type SourceRow = Record<string, string | number | null>;

/** A Monday `column_values` object keyed by column id, already in Monday's write format. */
export type ColumnValues = Record<string, unknown>;

export interface SubitemPayload {
  /** The size column name in ORDERS_UNIFIED, e.g. "2XL". Unique within an order line. */
  size: string;
  /** Subitem name, e.g. "Size 2XL". */
  name: string;
  qty: number;
  columnValues: ColumnValues;
}

/** What the transform makes of one order line: everything that would be sent to Monday. */
export interface OrderPayload {
  /** Canonical order-line key (AAG ORDER NUMBER | CUSTOMER STYLE | CUSTOMER COLOUR DESCRIPTION by default). */
  key: string;
  itemName: string;
  groupName: string;
  /** Canonical customer name (after canonicalisation). */
  customer: string;
  poNumber: string | null;
  aagOrderNumber: string;
  columnValues: ColumnValues;
  subitems: SubitemPayload[];
  /** Whether Monday may create dropdown/status labels that do not exist yet. */
  createLabelsIfMissing: boolean;
  /** sha256 over everything that would be sent: an unchanged hash means nothing to do. */
  hash: string;
}

/** Staging lifecycle of an order line (STG_MON_CustMasterSchedule.stg_status). */
/** Longest order key SQL Server's key columns hold (NVARCHAR(450): 900 bytes, the limit of a clustered index key). */
export const MAX_ORDER_KEY_LENGTH = 450;

export const ORDER_STATUSES = ['PENDING', 'IN_PROGRESS', 'ITEM_CREATED', 'SYNCED', 'FAILED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Error categories in the ERR_ tables. */
export const ERROR_CATEGORIES = ['CONFIG', 'DATA', 'REJECTED', 'TRANSIENT_EXHAUSTED'] as const;
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

/** The Temporal workflow id of an order line: deterministic from its key. */
export function orderWorkflowId(key: string): string {
  return `order:${key}`;
}
