// The activities of `orders-sync acceptance`: pick a sample of order lines, make a scratch copy of the items
// board, read it back and compare, delete it. The order lines themselves go through the normal order workflow,
// pointed at the scratch boards and at a scratch staging database, so the real board and the real staging
// tables are never written.
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { Store } from '../db/store';
import { type Mapping, KEY_SEPARATOR, MappingError, createTransform, orderKeyOf } from '../mapping';
import { idempotencyKey, type BoardItem, type MondayClient } from '../graphql/client';
import { documents } from '../graphql/documents';
import { MondayApiError, toActivityFailure } from '../graphql/errors';
import { automationsUsingColumn } from '../graphql/board-checks';
import { judgeRights, probeTokenRights } from '../graphql/token-rights';
import type { AcceptanceChecks } from '../db/acceptance-checks';
import type { SourceRow } from '../shared/order';
import { checkOrder, type CheckRow } from './acceptance-check';
import { createProbeActivity } from './acceptance-probes';
import type { TargetBoards } from '../shared/workflow-types';

export interface AcceptanceDeps {
  /** The configured database: ORDERS_UNIFIED is read, nothing is written. */
  source: Store;
  /** A scratch SQLite store: the sample's rows and their staging, so the real staging tables stay untouched. */
  scratch: Store;
  mapping: Mapping;
  monday: MondayClient;
  /** Where the check rows go (the scratch store's MON_AcceptanceCheck); the CLI reads them there. */
  checks?: AcceptanceChecks;
}

export interface AcceptanceSample {
  po: string;
  keys: string[];
  /** Rows of the PO that never reach Monday (the mapping rejects them, or their key is on several rows): nothing to compare. */
  rejected: string[];
}

/** What the comparison found (the rows themselves are in MON_AcceptanceCheck). */
export interface AcceptanceCounts { checked: number; failed: number }

export interface ScratchBoards extends TargetBoards {
  name: string;
  /** Automations the copy carries (Monday's copies can): they run on what the sync writes there. */
  automations?: number;
  /** Each mapped column on the copy: present with the type the mapping writes, or not. */
  structure: CheckRow[];
  /** Whether every mapped column id exists on the copy; without them nothing can be written there. */
  columnIdsKept: boolean;
}

const STRUCTURE_WAIT_MS = 2_000;
const STRUCTURE_TRIES = 30;
const PAGE = 200;

export function createAcceptanceActivities(deps: AcceptanceDeps) {
  const { mapping, monday } = deps;
  const transform = createTransform(mapping);
  const realBoards = new Set([mapping.items.boardId, mapping.subitems.boardId]);
  const keyOrNull = (row: SourceRow): string | null => {
    try {
      return orderKeyOf(mapping, row);
    } catch {
      return null;
    }
  };
  const mapsCleanly = (row: SourceRow): boolean => {
    try {
      transform(row);
      return true;
    } catch {
      return false;
    }
  };
  const fail = (err: unknown, step: string) => toActivityFailure(err, { orderKey: 'acceptance', step });

  /** Never touch a board of the mapping: the scratch copy must be a new board. */
  const assertScratch = (boards: TargetBoards) => {
    for (const id of [boards.itemsBoardId, boards.subitemsBoardId]) {
      if (realBoards.has(id)) throw ApplicationFailure.nonRetryable(`board ${id} is a board of the mapping, not a scratch copy; acceptance writes nothing to it`, 'REAL_BOARD');
    }
  };

  return {
    /** The order lines of one PO (the first PO in ORDERS_UNIFIED when none is given), copied into the scratch store. */
    async pickAcceptanceSample(input: { po: string | null }): Promise<AcceptanceSample> {
      const poColumn = mapping.source.poNumberColumn;
      let po = input.po?.trim() || null;
      // By default the PO of the first row the mapping accepts: a sample that can reach Monday.
      for (let cursor: string | null = null; po === null; ) {
        const page = await deps.source.readSourcePage(cursor, PAGE);
        po = page.rows.filter((r) => String(r[poColumn] ?? '').trim() !== '' && mapsCleanly(r)).map((r) => String(r[poColumn]).trim())[0] ?? null;
        cursor = page.nextCursor;
        if (cursor === null) break;
      }
      if (po === null) throw ApplicationFailure.nonRetryable(`ORDERS_UNIFIED has no row with a ${poColumn} that the mapping accepts; nothing to check`, 'NO_SAMPLE');
      const rows: SourceRow[] = [];
      for (let cursor: string | null = null; ; ) {
        const page = await deps.source.readSourcePage(cursor, PAGE, { po });
        rows.push(...page.rows);
        cursor = page.nextCursor;
        if (cursor === null) break;
      }
      if (rows.length === 0) throw ApplicationFailure.nonRetryable(`no order lines with ${poColumn} "${po}" in ORDERS_UNIFIED`, 'NO_SAMPLE');
      // The scratch store is this run's alone: rows already there come from an earlier attempt of this activity.
      if ((await deps.scratch.countSourceRows()) === 0) await deps.scratch.insertSourceRows(rows);
      const rowsOfKey = new Map<string, number>();
      const rejected: string[] = [];
      for (const row of rows) {
        try {
          const key = transform(row).key;
          rowsOfKey.set(key, (rowsOfKey.get(key) ?? 0) + 1);
        } catch (err) {
          if (!(err instanceof MappingError)) throw err;
          rejected.push(err.message);
        }
      }
      // A key on several rows is never sent (DUPLICATE_ORDER_KEY): it is reported here, not left to wait as a failed order.
      const keys = [...rowsOfKey].filter(([, n]) => n === 1).map(([k]) => k);
      for (const [key, n] of rowsOfKey) if (n > 1) rejected.push(`order key ${key} appears in ${n} source rows; none is sent until the duplicates are removed`);
      if (keys.length === 0) throw ApplicationFailure.nonRetryable(`no order line of ${poColumn} "${po}" can be sent: ${rejected.join('; ')}`, 'NO_SAMPLE');
      return { po, keys, rejected };
    },

    /** The token may read the board and create boards (the copy); stops the run with one line when it may not. */
    async checkAcceptanceRights(): Promise<{ warnings: string[] }> {
      try {
        const rights = await probeTokenRights(monday, [mapping.items.boardId]);
        const verdict = judgeRights(rights, [{ id: mapping.items.boardId, role: 'items (the board acceptance copies)' }], { labels: false, boardCreation: true });
        if (verdict.problems.length) throw ApplicationFailure.nonRetryable(verdict.problems.join('; '), 'TOKEN_RIGHTS');
        return { warnings: verdict.warnings };
      } catch (err) {
        if (err instanceof ApplicationFailure) throw err;
        throw fail(err, 'token-rights');
      }
    },

    /** A structure-only copy of the items board (and with it a subitems board), checked before anything is written. */
    async createScratchBoard(input: { runId: string }): Promise<ScratchBoards> {
      const name = scratchName(input.runId);
      try {
        const sourceColumns = (await monday.boardStructure(mapping.items.boardId)).columns.length;
        const copy = await monday.duplicateBoard(mapping.items.boardId, name, idempotencyKey('acceptance', 'duplicate-board', input.runId));
        Context.current().heartbeat(copy.id);
        // is_async: Monday may still be copying when it answers: the copy may not be found yet, or have fewer columns
        // than the board, or no subitems board yet. Wait for all three (an empty answer is not the last word).
        let structure: Awaited<ReturnType<MondayClient['boardStructure']>> | null = null;
        for (let i = 0; ; i++) {
          structure = await monday.boardStructure(copy.id).catch((err: unknown) => {
            if (copy.isAsync && err instanceof MondayApiError && err.code === 'InvalidBoardIdException') return null;
            throw err;
          });
          const ready = structure !== null && structure.columns.length >= sourceColumns && structure.columns.some((c) => c.type === 'subtasks');
          if (ready || !copy.isAsync || i >= STRUCTURE_TRIES) break;
          Context.current().heartbeat(copy.id);
          await Context.current().sleep(STRUCTURE_WAIT_MS);
        }
        if (!structure) throw ApplicationFailure.nonRetryable(`the copy ${copy.id} did not appear within ${(STRUCTURE_TRIES * STRUCTURE_WAIT_MS) / 1000} s (is_async); it is deleted when it does`, 'COPY_NOT_READY');
        const subtasks = structure.columns.find((c) => c.type === 'subtasks');
        const subitemsBoardId = String((subtasks?.settings as { boardIds?: unknown[] } | null)?.boardIds?.[0] ?? '');
        const boards = { itemsBoardId: copy.id, subitemsBoardId, name: copy.name };
        if (!subitemsBoardId) throw ApplicationFailure.nonRetryable(`the copy ${copy.id} has no subitems board (no subtasks column with a board); delete it by hand`, 'NO_SUBITEMS_BOARD');
        assertScratch(boards);
        const subitemColumns = (await monday.boardStructure(subitemsBoardId)).columns;
        const expected = [
          ...mapping.items.columns.map((c) => ({ id: c.id, title: c.title, type: c.type as string, on: structure.columns })),
          { id: mapping.items.keyColumnId, title: 'order key', type: 'text', on: structure.columns },
          { id: mapping.subitems.sizeColumnId, title: 'subitem size', type: 'dropdown', on: subitemColumns },
          { id: mapping.subitems.qtyColumnId, title: 'subitem quantity', type: 'numbers', on: subitemColumns },
        ];
        const checks = expected.map((e): CheckRow => {
          const found = e.on.find((b) => b.id === e.id);
          // Monday does not document whether a copy keeps column ids: name the copy's column of that title if any.
          const sameTitle = e.on.find((b) => b.title === e.title);
          const missing = `no column with this id on the copy${sameTitle ? ` ("${e.title}" is ${sameTitle.id} there)` : ''}`;
          return { scope: 'column', subject: `${e.title} (${e.id})`, orderKey: `board ${copy.id}`, expected: `a ${e.type} column`, actual: found ? `a ${found.type} column` : missing, ok: found?.type === e.type };
        });
        const columnIdsKept = expected.every((e) => e.on.some((b) => b.id === e.id));
        const automations = (await automationsUsingColumn(monday, copy.id, mapping.items.keyColumnId)).automations;
        return { ...boards, structure: checks, columnIdsKept, automations };
      } catch (err) {
        if (err instanceof ApplicationFailure) throw err;
        throw fail(err, 'duplicate-board');
      }
    },

    /** Reads every item and subitem of the scratch board and compares them with what the mapping produced. */
    async compareScratchBoard(input: { boards: ScratchBoards; keys: string[]; failedOrders: { key: string; message: string }[]; runId?: string }): Promise<CheckRow[] | AcceptanceCounts> {
      const rows = await compare(input);
      // Into the table the CLI reads: a result holding every row passes Temporal's 2 MB at about 200 order lines.
      if (input.runId === undefined || !deps.checks) return rows;
      await deps.checks.save(input.runId, rows);
      return { checked: rows.length, failed: rows.filter((r) => !r.ok).length };
    },

    ...createProbeActivity({ monday, mapping }),

    /**
     * Deletes the scratch copy: the one named in `boards`, or (when the copy's answer never came back: a cancelled
     * or killed run) the newest board named after the run. Nothing to delete is fine.
     */
    async deleteScratchBoard(input: { boards: ScratchBoards | null; runId: string }): Promise<void> {
      try {
        let boardId = input.boards?.itemsBoardId ?? null;
        if (boardId === null) {
          const r = await monday.call<{ boards: { id: string; name: string }[] }>(documents.recentBoards, {});
          boardId = r.data.boards.find((b) => b.name === scratchName(input.runId))?.id ?? null;
          if (boardId === null) return;
        }
        assertScratch({ itemsBoardId: boardId, subitemsBoardId: input.boards?.subitemsBoardId ?? boardId });
        await monday.deleteBoard(boardId, idempotencyKey('acceptance', 'delete-board', input.runId));
      } catch (err) {
        if (err instanceof ApplicationFailure) throw err;
        throw fail(err, 'delete-board');
      }
    },
  };

  /** Reads every item and subitem of the scratch board and compares them with what the mapping produced. */
  async function compare(input: { boards: ScratchBoards; keys: string[]; failedOrders: { key: string; message: string }[] }): Promise<CheckRow[]> {
    assertScratch(input.boards);
    if (!input.boards.columnIdsKept) {
      const notSent: CheckRow = { scope: 'column', subject: 'order sync', orderKey: `board ${input.boards.itemsBoardId}`, expected: 'the sample written to the copy', actual: 'nothing written: the copy has other column ids than the board', ok: false };
      return [...input.boards.structure, notSent];
    }
    const items: BoardItem[] = [];
    try {
      for (let cursor: string | null = null; ; ) {
        const page = await monday.boardReadBack(input.boards.itemsBoardId, cursor);
        items.push(...page.items);
        Context.current().heartbeat();
        cursor = page.cursor;
        if (cursor === null) break;
      }
    } catch (err) {
      throw fail(err, 'read-back');
    }
    const keyOf = (item: BoardItem) => item.column_values.find((c) => c.id === mapping.items.keyColumnId)?.text ?? '';
    const rows: CheckRow[] = [...input.boards.structure];
    const [firstColumn] = mapping.source.keyColumns;
    for (const key of input.keys) {
      const failed = input.failedOrders.find((f) => f.key === key);
      if (failed) rows.push({ scope: 'column', subject: 'order sync', orderKey: key, expected: 'SYNCED', actual: failed.message, ok: false });
      const sourceRows = await deps.scratch.readSourceRowsByKey([firstColumn!], [key.split(KEY_SEPARATOR)[0]!]);
      const row = sourceRows.find((r) => keyOrNull(r) === key);
      if (!row) continue;
      const payload = transform(row);
      // Exact match: Monday's look-up by text is case-insensitive, the comparison here is not.
      const found = items.filter((i) => keyOf(i) === key);
      if (found.length !== 1) {
        rows.push({ scope: 'column', subject: 'item', orderKey: key, expected: 'one item', actual: `${found.length} items with this key`, ok: false });
        if (found.length === 0) continue;
      }
      rows.push(...checkOrder(mapping, payload, found[0]!));
    }
    const known = new Set(input.keys);
    for (const item of items.filter((i) => !known.has(keyOf(i)))) {
      rows.push({ scope: 'column', subject: 'item', orderKey: keyOf(item) || item.name, expected: 'no item', actual: `unexpected item ${item.id}`, ok: false });
    }
    return rows;
  }
}

/** The scratch copy's name: cleanup finds it by this when it never learnt the id. */
export const scratchName = (runId: string): string => `orders-sync acceptance ${runId}`;

export type AcceptanceActivities = ReturnType<typeof createAcceptanceActivities>;
