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

/** Temporal refuses workflow ids over 1,000 bytes (a 450-character key of 3-byte characters makes 1,356). */
export const MAX_WORKFLOW_ID_BYTES = 1_000;

/**
 * The Temporal workflow id of an order line: deterministic from its key. A key whose id would pass the server's limit
 * gets a hash instead (the readable key travels in the memo, `orderKey`); shorter ids are unchanged, so no running
 * order's id changes (a longer one could never start). Every caller uses this one function.
 */
export function orderWorkflowId(key: string): string {
  const id = `order:${key}`;
  const bytes = new TextEncoder().encode(id);
  return bytes.length <= MAX_WORKFLOW_ID_BYTES ? id : `order#sha256:${sha256Hex(new TextEncoder().encode(key))}`;
}

/** SHA-256 (FIPS 180-4) in plain code: this module may not import node:crypto (workflow code imports it). */
function sha256Hex(data: Uint8Array): string {
  const K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ];
  const h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
  const padded = new Uint8Array(Math.ceil((data.length + 9) / 64) * 64);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor((data.length * 8) / 2 ** 32));
  view.setUint32(padded.length - 4, (data.length * 8) >>> 0);
  const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));
  const w = new Uint32Array(64);
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!, b = w[i - 2]!;
      w[i] = (w[i - 16]! + (rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3)) + w[i - 7]! + (rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10))) >>> 0;
    }
    let [a, b, c, d, e, f, g, hh] = h as [number, number, number, number, number, number, number, number];
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      [hh, g, f, e, d, c, b, a] = [g, f, e, (d + t1) >>> 0, c, b, a, (t1 + t2) >>> 0];
    }
    [a, b, c, d, e, f, g, hh].forEach((v, i) => { h[i] = (h[i]! + v) >>> 0; });
  }
  return h.map((v) => v.toString(16).padStart(8, '0')).join('');
}

/** The order key of an order workflow: its memo's `orderKey` (set by every start), else read from a plain id. */
export function orderKeyOfWorkflow(workflowId: string, memo?: Record<string, unknown>): string | null {
  if (typeof memo?.orderKey === 'string') return memo.orderKey;
  return workflowId.startsWith('order:') ? workflowId.slice('order:'.length) : null;
}
