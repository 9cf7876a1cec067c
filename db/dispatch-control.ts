// Issue 18 (migrations 110-114): what the sync's dispatch keeps in the database, beside the Store on its connection.
// - Admission (MON_OrderAdmission): which order lines have a workflow in flight and the hash it was last given, so a
//   sync never signals an order that already has its hash, and at most MAX_IN_FLIGHT run; the rest WAIT, oldest first.
// - The hold (MON_SyncHold): `orders-sync hold on` stops every Monday write now; in-flight orders wait while it holds.
// Each dialect's statements live in its folder (sqlite/dispatch-control.ts, mssql/dispatch-control.ts); db/open.ts
// dispatchControlOf picks one.
// - An abandoned batch: the sync ran out of its deadline or was cancelled; its batch ends as ABANDONED.
// - What a batch sent (MON_BatchSentOrder, migration 111): each order line a batch started or signalled, recorded
//   before it is sent, so a dispatch retried after a crash counts every order line it sent exactly once (the batch
//   ends when that many have an outcome in it: db/batch-end.ts).
import type { Row } from './common';

export type AdmissionState = 'WAITING' | 'IN_FLIGHT' | 'DONE';
export interface Admission { key: string; state: AdmissionState; sentHash: string | null; batchId: string | null }
export interface Hold { note: string; since: string }

export interface DispatchControl {
  admissions(keys: string[]): Promise<Map<string, Admission>>;
  /** Order lines that wait for a slot; an order already waiting keeps its place (waiting_since). */
  markWaiting(batchId: string, keys: string[]): Promise<void>;
  /** Up to `limit` waiting order lines, oldest first; `batchId`: only those this batch detected (a targeted sync). */
  oldestWaiting(limit: number, batchId?: string): Promise<string[]>;
  markInFlight(key: string, hash: string, batchId: string): Promise<void>;
  /** Its workflow finished, failed into the rerun wait, or never started: the slot is free. */
  release(key: string): Promise<void>;
  countInFlight(): Promise<number>;
  countWaiting(): Promise<number>;
  /** Records that this batch sends the order line; false when it already had. */
  recordSent(batchId: string, key: string): Promise<boolean>;
  /** The start was refused: the batch did not send it after all. */
  forgetSent(batchId: string, key: string): Promise<void>;
  /** Of these order lines, those this batch has sent. */
  sentIn(batchId: string, keys: string[]): Promise<Set<string>>;
  /** How many order lines this batch has sent. */
  countSent(batchId: string): Promise<number>;
  /** Ends a batch that has not ended as ABANDONED; false when it had already ended. */
  abandonBatch(batchId: string): Promise<boolean>;
  getHold(): Promise<Hold | null>;
  setHold(note: string | null): Promise<void>;
}

export const ADMISSION_TABLE = 'MON_OrderAdmission';
export const HOLD_TABLE = 'MON_SyncHold';
export const SENT_TABLE = 'MON_BatchSentOrder';

export const toAdmission = (r: Row): Admission => ({ key: String(r.order_key), state: String(r.state) as AdmissionState, sentHash: r.sent_hash == null ? null : String(r.sent_hash), batchId: r.batch_id == null ? null : String(r.batch_id) });
/** Keys per statement: well under SQL Server's 2,100 parameters and SQLite's 32,766. */
const KEYS_PER_STATEMENT = 500;
export const keyChunks = <T>(xs: T[]): T[][] => Array.from({ length: Math.ceil(xs.length / KEYS_PER_STATEMENT) }, (_, i) => xs.slice(i * KEYS_PER_STATEMENT, (i + 1) * KEYS_PER_STATEMENT));
