// The contract of `orders-sync verify` between its workflow, activities, store and CLI. Dependency-free: workflow code imports it.

/** Drift by class: what the board holds that the mapping does not make of ORDERS_UNIFIED. */
export const DRIFT_CLASSES = [
  'missing_item', 'duplicate_item', 'orphan_item', 'stale_cell', 'should_be_empty', 'missing_size', 'duplicate_size', 'wrong_quantity', 'wrong_group',
] as const;
export type DriftClass = (typeof DRIFT_CLASSES)[number];

/** A verify of the whole board, or of one customer's and/or one PO's order lines. */
export interface VerifyScope { customer: string | null; po: string | null }

export interface VerifySummary {
  /** Order lines compared, board items and subitems read, items whose source row the mapping rejects (not compared). */
  lines: number;
  items: number;
  subitems: number;
  unverified: number;
  counts: Record<DriftClass, number>;
  /** Order lines with drift (what --repair sends through the order workflow). */
  driftingLines: number;
  repair?: { batchId: string; dispatched: number; archived: number; synced: number; failed: number; ended: boolean };
}

export function emptyDriftCounts(): Record<DriftClass, number> {
  return Object.fromEntries(DRIFT_CLASSES.map((c) => [c, 0])) as Record<DriftClass, number>;
}
