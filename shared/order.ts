// The contract between the mapping, the store, the Monday client and the workflows.
// Dependency-free apart from node:crypto (orderWorkflowId's hash); workflow code imports only its types.
import { createHash } from 'node:crypto';

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

/** Temporal refuses workflow ids over 1,000 bytes (a 450-character key of 3-byte characters makes 1,356). */
export const MAX_WORKFLOW_ID_BYTES = 1_000;

/**
 * The Temporal workflow id of an order line: deterministic from its key. A key whose id would pass the server's limit
 * gets a hash instead (the readable key travels in the memo, `orderKey`); shorter ids are unchanged, so no running
 * order's id changes (a longer one could never start). Every caller uses this one function.
 */
export function orderWorkflowId(key: string): string {
  const id = `order:${key}`;
  return Buffer.byteLength(id, 'utf8') <= MAX_WORKFLOW_ID_BYTES ? id : `order#sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** The order key of an order workflow: its memo's `orderKey` (set by every start), else read from a plain id. */
export function orderKeyOfWorkflow(workflowId: string, memo?: Record<string, unknown>): string | null {
  if (typeof memo?.orderKey === 'string') return memo.orderKey;
  return workflowId.startsWith('order:') ? workflowId.slice('order:'.length) : null;
}
