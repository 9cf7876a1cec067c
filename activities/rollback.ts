// Rolling a sync batch back, from its audit (MON_WriteAudit): archive what it created, write back the values and
// quantities it replaced, then mark staging so the next sync does not simply redo it. Every step is recorded as
// rolled back once done, so running the rollback again (or resuming it after a crash) repeats nothing.
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { CLEAR_VALUES, type Mapping } from '../mapping';
import type { MondayClient } from '../graphql/client';
import { idempotencyKey } from '../graphql/client';
import { ensureGroup } from '../graphql/order-writer';
import { MondayApiError, toActivityFailure } from '../graphql/errors';
import type { ArchiveValues, AuditedWrite, ItemValues, OperationsStore, SubitemValues } from '../db/operations';
import { undoJob } from '../graphql/bulk-archive';
import type { Store } from '../db/store';
import type { RollbackCounts } from '../shared/workflow-types';
import { heartbeating } from './heartbeat';
import type { Client } from '@temporalio/client';
import { rollbackStepsOf } from '../db/open';
import type { AuditPageRow, RollbackStep, StepOutcome } from '../db/rollback-steps';
import { orderWorkflowId } from '../shared/order';

export interface RollbackPlan {
  batchId: string;
  /** Audit rows to act on, newest first. */
  auditIds: number[];
  /** What each of the first steps does, for the dry run (capped so the workflow history stays small). */
  preview: string[];
  creates: number;
  restores: number;
  alreadyRolledBack: number;
  /** Writes rollback cannot undo, and why (a person has to look). */
  manual: string[];
  orders: number;
}

export interface RollbackStepsResult { done: number; failed: string[] }

/** What one page of a rollback run found and did (issue 18: counts only; the lines are in MON_RollbackStep). */
export interface RollbackPageResult extends Omit<RollbackCounts, 'ordersMarked'> {
  /** The lowest audit id read (the next page reads below it); null: the audit is done. */
  next: number | null;
  read: number;
}

const PREVIEW_LINES = 200;

export interface RollbackDeps { store: Store; operations: OperationsStore; monday: MondayClient; mapping: Mapping; temporal?: Client }

/** Whether the step of a write concerns a later batch or the item it hangs under (db/rollback-steps.ts flags). */
interface StepContext { superseded: boolean; parentCreated: boolean }

export function createRollbackActivities(deps: RollbackDeps) {
  const { operations, mapping } = deps;
  const steps = rollbackStepsOf(deps.store);

  /** What undoing one write means; null when rollback cannot do it (the reason goes to `manual`). */
  function stepFor(w: AuditedWrite, c: StepContext): { text: string } | { manual: string } {
    const what = describeTarget(w);
    if (c.superseded) return { manual: `${w.orderKey}: ${what} was written again by a later batch; rolling back would overwrite it (roll that batch back first)` };
    if (w.action === 'create') {
      return w.target === 'subitem' && c.parentCreated
        ? { text: `${w.orderKey}: ${what} goes with its archived item ${w.parentId}` }
        : { text: `${w.orderKey}: archive ${what} the batch created` };
    }
    const job = (w.newValues as ArchiveValues | null)?.archiveJobId;
    if (w.action === 'archive' && job) return { text: `${w.orderKey}: restore ${what}: undo_action of its bulk archive job ${job}` };
    if (w.action === 'archive') return { manual: `${w.orderKey}: ${what} was archived by the batch; Monday's API cannot unarchive, restore it from the board's archive` };
    if (!w.replacedValues) return { manual: `${w.orderKey}: ${what} was last written before auditing began; the values it replaced are unknown` };
    if (w.target === 'subitem') return { text: `${w.orderKey}: ${what} quantity ${(w.newValues as SubitemValues | null)?.qty ?? 0} → ${(w.replacedValues as SubitemValues).qty}` };
    const changed = changedColumns(w.newValues as ItemValues, w.replacedValues as ItemValues);
    return { text: `${w.orderKey}: ${what} restore ${changed.length} column(s)${changed.length ? ` (${changed.join(', ')})` : ''}${groupChanged(w) ? ` and group "${(w.replacedValues as ItemValues).groupName}"` : ''}` };
  }

  async function plan(batchId: string) {
    const writes = await operations.listWrites(batchId);
    const superseded = new Set(await operations.supersededIds(batchId));
    const createdItems = new Set(writes.filter((w) => w.target === 'item' && w.action === 'create').map((w) => w.mondayId));
    const context = (w: AuditedWrite) => ({ superseded: superseded.has(w.mondayId), parentCreated: w.parentId !== null && createdItems.has(w.parentId) });
    return { writes, context, steps: [...writes].reverse().map((w) => ({ w, step: stepFor(w, context(w)) })) };
  }

  async function undo(w: AuditedWrite, parentCreated: boolean): Promise<string> {
    const key = (step: string) => idempotencyKey(w.orderKey, `rollback-${step}:${w.mondayId}`, w.batchId, String(w.auditId));
    const boardId = w.target === 'item' ? mapping.items.boardId : mapping.subitems.boardId;
    if (w.action === 'create') {
      if (w.target === 'subitem' && parentCreated) return 'archived with its item';
      await deps.monday.archiveItem({ boardId, itemId: w.mondayId }, key('archive'));
      return 'archived';
    }
    if (w.action === 'archive') {
      // Archived through bulk_archive_items: Monday can undo the job ("Undo a previously completed action"), for as
      // long as it allows (not documented): a refusal is reported as a manual step.
      const job = (w.newValues as ArchiveValues).archiveJobId;
      const undone = await undoJob(deps.monday, boardId, job, key('undo'));
      if (!undone.success) throw new MondayApiError(`Monday did not undo archive job ${job}: ${undone.message || 'no reason given'}; restore it from the board's archive`, 'permanent', 'UNDO_REFUSED', 200, null);
      return 'restored (undo_action)';
    }
    if (w.target === 'subitem') {
      const qty = (w.replacedValues as SubitemValues).qty;
      await deps.monday.changeColumnValues({ boardId, itemId: w.mondayId, columnValues: { [mapping.subitems.qtyColumnId]: String(qty) }, createLabelsIfMissing: false }, key('qty'));
      return `quantity ${qty} restored`;
    }
    const was = w.replacedValues as ItemValues;
    const columns = changedColumns(w.newValues as ItemValues, was);
    if (columns.length > 0) {
      // A column the batch filled that was empty before is emptied again, with its type's clear value.
      const columnValues = Object.fromEntries(columns.map((c) => [c, c in was.columnValues ? was.columnValues[c] : clearValueOf(c)]));
      await deps.monday.changeColumnValues({ boardId, itemId: w.mondayId, columnValues, createLabelsIfMissing: false }, key('values'));
    }
    if (groupChanged(w)) {
      const groupId = await ensureGroup(deps.monday, boardId, was.groupName);
      await deps.monday.moveItemToGroup({ boardId, itemId: w.mondayId, groupId }, key('group'));
    }
    return `${columns.length} column(s) restored${groupChanged(w) ? `, moved back to "${was.groupName}"` : ''}`;
  }

  /** Marks staging for the order lines of these rolled-back writes; how many lines. */
  async function markOrders(batchId: string, writes: AuditedWrite[]): Promise<number> {
    const byOrder = new Map<string, AuditedWrite[]>();
    for (const w of writes) byOrder.set(w.orderKey, [...(byOrder.get(w.orderKey) ?? []), w]);
    for (const [orderKey, ws] of byOrder) {
      await operations.markOrderRolledBack({
        batchId, orderKey,
        archivedIds: ws.filter((w) => w.action === 'create').map((w) => w.mondayId),
        restoredQty: ws.filter((w) => w.target === 'subitem' && w.action !== 'create' && w.replacedValues)
          .map((w) => ({ subitemId: w.mondayId, qty: (w.replacedValues as SubitemValues).qty })),
      });
    }
    return byOrder.size;
  }

  /** A batch still dispatching keeps writing: rolling it back now would leave its later writes in place. An ABANDONED
   * batch (its sync ran out of time or was cancelled) has ended: nothing dispatches for it any more. */
  async function refuseDispatchingBatch(batchId: string): Promise<void> {
    const batch = await deps.store.getBatch(batchId);
    if (batch && batch.endTime === null && batch.status !== 'ABANDONED') {
      throw ApplicationFailure.nonRetryable(`batch ${batchId} is still running; wait until it has finished (orders-sync status --watch)`, 'BATCH_RUNNING');
    }
  }

  /** An order workflow of the batch still running would write after (or between) the rollback's writes: refuse.
   * Its order lines' workflow ids are looked up in visibility a hundred at a time. */
  async function refuseRunningOrders(batchId: string): Promise<void> {
    if (!deps.temporal) return;
    const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    const running: string[] = [];
    for (let after: string | null = null; ;) {
      const keys = await steps.batchOrderKeys(batchId, after, KEYS_PER_LOOKUP);
      if (keys.length === 0) break;
      const query = `WorkflowType="orderWorkflow" AND ExecutionStatus="Running" AND WorkflowId IN (${keys.map((k) => quote(orderWorkflowId(k))).join(', ')})`;
      for await (const wf of deps.temporal.workflow.list({ query })) running.push(wf.workflowId);
      after = keys[keys.length - 1]!;
    }
    if (running.length > 0) {
      throw ApplicationFailure.nonRetryable(`batch ${batchId}: ${running.length} order workflow(s) of the batch still running (${running.slice(0, 3).join(', ')}); `
        + 'wait until they end (orders-sync status) or cancel them in the Web UI, then roll back', 'ORDERS_RUNNING');
    }
  }

  const clearValueOf = (columnId: string): unknown => {
    const type = mapping.items.columns.find((c) => c.id === columnId)?.type;
    return type ? CLEAR_VALUES[type] : null;
  };

  return {
    async planRollback(input: { batchId: string }): Promise<RollbackPlan> {
      await refuseDispatchingBatch(input.batchId);
      const { writes, steps } = await plan(input.batchId);
      if (writes.length === 0) throw ApplicationFailure.nonRetryable(`batch ${input.batchId} has no audited Monday writes (check the id with orders-sync status)`, 'UNKNOWN_BATCH');
      const open = steps.filter((s) => s.w.rolledBackAt === null);
      const doable = open.filter((s) => 'text' in s.step);
      return {
        batchId: input.batchId,
        auditIds: doable.map((s) => s.w.auditId),
        preview: doable.slice(0, PREVIEW_LINES).map((s) => (s.step as { text: string }).text),
        creates: doable.filter((s) => s.w.action === 'create').length,
        restores: doable.filter((s) => s.w.action !== 'create').length,
        alreadyRolledBack: steps.length - open.length,
        manual: open.flatMap((s) => ('manual' in s.step ? [s.step.manual] : [])),
        orders: new Set(writes.map((w) => w.orderKey)).size,
      };
    },

    /** Undoes these audited writes on Monday (runs on the Monday queue). A write Monday rejects is reported and left for a rerun. */
    async applyRollbackSteps(input: { batchId: string; auditIds: number[] }): Promise<RollbackStepsResult> {
      const { writes, context } = await plan(input.batchId);
      const byId = new Map(writes.map((w) => [w.auditId, w]));
      const result: RollbackStepsResult = { done: 0, failed: [] };
      for (const id of input.auditIds) {
        const w = byId.get(id);
        if (!w || w.rolledBackAt !== null) { result.done++; continue; }
        Context.current().heartbeat({ done: result.done });
        try {
          await operations.markWriteRolledBack(id, await undo(w, context(w).parentCreated));
          result.done++;
        } catch (err) {
          if (err instanceof MondayApiError && err.kind === 'permanent') {
            result.failed.push(`${w.orderKey}: ${w.target} ${w.mondayId}: ${err.message}`);
            continue;
          }
          throw toActivityFailure(err, { orderKey: w.orderKey, step: 'rollback' });
        }
      }
      return result;
    },

    /** Staging for every order of the batch: its payload counts as synced (not redone until the source or mapping
     * changes), archived ids are forgotten, restored quantities are what Monday holds. Idempotent. */
    async markOrdersRolledBack(input: { batchId: string }): Promise<number> {
      return markOrders(input.batchId, (await operations.listWrites(input.batchId)).filter((w) => w.rolledBackAt !== null));
    },

    // Issue 18: rollback at scale. The workflow pages the audit through these (a page per call, newest first),
    // carrying counts only; what each write came to is recorded in MON_RollbackStep, which the CLI reads.

    /** Refusals before a run, and what it faces: the batch's audit rows, those still to undo, its order lines. */
    async beginRollback(input: { batchId: string }): Promise<{ total: number; open: number; orders: number }> {
      return heartbeating(async () => {
        await refuseDispatchingBatch(input.batchId);
        const counts = await steps.auditCounts(input.batchId);
        if (counts.total === 0) throw ApplicationFailure.nonRetryable(`batch ${input.batchId} has no audited Monday writes (check the id with orders-sync status)`, 'UNKNOWN_BATCH');
        await refuseRunningOrders(input.batchId);
        return counts;
      });
    },

    /** One page of the audit: decides each write's step, records it, and with apply undoes it on Monday. A retried
     * attempt finds what the earlier one recorded and counts it as recorded, so nothing is undone or counted twice. */
    async rollbackPage(input: { runId: string; batchId: string; apply: boolean; before: number | null; limit: number }): Promise<RollbackPageResult> {
      return heartbeating(async () => {
        const rows = await steps.auditPage(input.batchId, input.runId, input.before, input.limit);
        const r: RollbackPageResult = { next: rows.length === input.limit ? rows[rows.length - 1]!.auditId : null, read: rows.length, creates: 0, restores: 0, alreadyRolledBack: 0, manual: 0, done: 0, failed: 0 };
        const count = (row: AuditPageRow, outcome: StepOutcome) => {
          if (outcome === 'MANUAL') { r.manual++; return; }
          if (row.action === 'create') r.creates++; else r.restores++;
          if (outcome === 'DONE') r.done++;
          if (outcome === 'FAILED') r.failed++;
        };
        const recorded: RollbackStep[] = [];
        const todo: AuditPageRow[] = [];
        for (const row of rows) {
          if (row.runOutcome !== null) { count(row, row.runOutcome); continue; }
          if (row.rolledBackAt !== null) { r.alreadyRolledBack++; continue; }
          const step = stepFor(row, row);
          if ('manual' in step) recorded.push({ auditId: row.auditId, orderKey: row.orderKey, outcome: 'MANUAL', line: step.manual });
          else if (!input.apply) recorded.push({ auditId: row.auditId, orderKey: row.orderKey, outcome: 'PLANNED', line: step.text });
          else { todo.push(row); continue; }
          count(row, recorded[recorded.length - 1]!.outcome);
        }
        await steps.recordSteps(input.runId, input.batchId, recorded);
        for (const row of todo) {
          try {
            const note = await undo(row, row.parentCreated);
            await steps.recordUndone(input.runId, input.batchId, { auditId: row.auditId, orderKey: row.orderKey, outcome: 'DONE', line: `${row.orderKey}: ${describeTarget(row)}: ${note}` });
            count(row, 'DONE');
          } catch (err) {
            if (!(err instanceof MondayApiError && err.kind === 'permanent')) throw toActivityFailure(err, { orderKey: row.orderKey, step: 'rollback' });
            await steps.recordSteps(input.runId, input.batchId, [{ auditId: row.auditId, orderKey: row.orderKey, outcome: 'FAILED', line: `${row.orderKey}: ${describeTarget(row)}: ${err.message}` }]);
            count(row, 'FAILED');
          }
        }
        return r;
      });
    },

    /** Staging for the order lines of one page of rolled-back writes (oldest first); see markOrdersRolledBack. An
     * order line on two pages is marked twice, each time with its writes of that page: the marks add up. */
    async markStagingPage(input: { batchId: string; after: number; limit: number }): Promise<{ next: number | null; ordersMarked: number }> {
      return heartbeating(async () => {
        const writes = await steps.rolledBackPage(input.batchId, input.after, input.limit);
        await markOrders(input.batchId, writes);
        if (writes.length === input.limit) return { next: writes[writes.length - 1]!.auditId, ordersMarked: 0 };
        return { next: null, ordersMarked: await steps.countRolledBackOrders(input.batchId) };
      });
    },
  };
}

export type RollbackActivities = ReturnType<typeof createRollbackActivities>;

/** Order lines per visibility look-up: a query of a hundred workflow ids stays short. */
const KEYS_PER_LOOKUP = 100;

function describeTarget(w: AuditedWrite): string {
  return w.target === 'item' ? `item ${w.mondayId}` : `subitem ${w.mondayId} (size ${w.size ?? '?'})`;
}

/** Columns whose value the write changed: those it replaced, and those it filled that were empty (absent) before. */
function changedColumns(now: ItemValues | null, was: ItemValues): string[] {
  const columns = new Set([...Object.keys(was.columnValues), ...Object.keys(now?.columnValues ?? {})]);
  return [...columns].filter((c) => JSON.stringify(now?.columnValues[c]) !== JSON.stringify(was.columnValues[c]));
}
function groupChanged(w: AuditedWrite): boolean {
  return w.replacedValues !== null && (w.replacedValues as ItemValues).groupName !== (w.newValues as ItemValues | null)?.groupName;
}
