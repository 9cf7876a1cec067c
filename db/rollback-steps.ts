// Issue 18: what a rollback run did, one row per audited write it looked at (MON_RollbackStep), and the keyset pages
// of the audit it works through. The rollback workflow carries counts only; the CLI reads the lists from here
// (a 250,000-write plan as one payload passed Temporal's 2 MB limit).
import { toAuditedWrite, type AuditedWrite } from './operations';
import type { Row } from './common';

/** PLANNED: a dry run would undo it; DONE: undone; FAILED: Monday refused; MANUAL: a person has to look. */
export type StepOutcome = 'PLANNED' | 'DONE' | 'FAILED' | 'MANUAL';
export const STEP_OUTCOMES: readonly StepOutcome[] = ['PLANNED', 'DONE', 'FAILED', 'MANUAL'];

export interface RollbackStep { auditId: number; orderKey: string; outcome: StepOutcome; line: string }

/** An audit row with what deciding its step needs, and what this run already recorded for it (a retried page). */
export interface AuditPageRow extends AuditedWrite {
  /** A later batch wrote the same Monday id again (not rolled back). */
  superseded: boolean;
  /** A subitem whose parent item this batch created (archived with it). */
  parentCreated: boolean;
  runOutcome: StepOutcome | null;
}

export interface AuditCounts { total: number; open: number; orders: number }

export interface RollbackStepStore {
  /** Newest first: the batch's audit rows below `before` (null: from the newest). */
  auditPage(batchId: string, runId: string, before: number | null, limit: number): Promise<AuditPageRow[]>;
  /** Oldest first: the batch's rolled-back audit rows after `after` (marking staging). */
  rolledBackPage(batchId: string, after: number, limit: number): Promise<AuditedWrite[]>;
  countRolledBackOrders(batchId: string): Promise<number>;
  /** Audit rows of the batch, those not rolled back yet, and the order lines they belong to. */
  auditCounts(batchId: string): Promise<AuditCounts>;
  /** Order keys the batch wrote or staged, ascending, after `after`. */
  batchOrderKeys(batchId: string, after: string | null, limit: number): Promise<string[]>;
  recordSteps(runId: string, batchId: string, steps: RollbackStep[]): Promise<void>;
  /** Marks the audit row rolled back and records the DONE step in one transaction (a retry never counts it twice). */
  recordUndone(runId: string, batchId: string, step: RollbackStep): Promise<void>;
  /** A run's steps of one outcome, newest audit row first, at most `limit` lines, and how many there are. */
  listSteps(runId: string, outcome: StepOutcome, limit: number): Promise<{ lines: string[]; total: number }>;
}

/** A page row of either driver (flags come back as 0/1). */
export function toPageRow(r: Row): AuditPageRow {
  return { ...toAuditedWrite(r), superseded: Number(r.superseded) === 1, parentCreated: Number(r.parent_created) === 1, runOutcome: (r.run_outcome ?? null) as StepOutcome | null };
}
