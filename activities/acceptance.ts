// The activities of `orders-sync acceptance`: pick a sample of order lines, make a scratch copy of the items
// board, read it back and compare, delete it. The order lines themselves go through the normal order workflow,
// pointed at the scratch boards and at a scratch staging database, so the real board and the real staging
// tables are never written.
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { Store } from '../db/store';
import { type Mapping, KEY_SEPARATOR, MappingError, createTransform, orderKeyOf } from '../mapping';
import { idempotencyKey, type BoardItem, type MondayClient } from '../graphql/client';
import { toActivityFailure } from '../graphql/errors';
import type { SourceRow } from '../shared/order';
import { checkOrder, type CheckRow } from './acceptance-check';
import type { TargetBoards } from '../shared/workflow-types';

export interface AcceptanceDeps {
  /** The configured database: ORDERS_UNIFIED is read, nothing is written. */
  source: Store;
  /** A scratch SQLite store: the sample's rows and their staging, so the real staging tables stay untouched. */
  scratch: Store;
  mapping: Mapping;
  monday: MondayClient;
}

export interface AcceptanceSample {
  po: string;
  keys: string[];
  /** Rows of the PO the mapping rejects: they never reach Monday, so there is nothing to compare. */
  rejected: string[];
}

export interface ScratchBoards extends TargetBoards {
  name: string;
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
      const keys: string[] = [];
      const rejected: string[] = [];
      for (const row of rows) {
        try {
          keys.push(transform(row).key);
        } catch (err) {
          if (!(err instanceof MappingError)) throw err;
          rejected.push(err.message);
        }
      }
      if (keys.length === 0) throw ApplicationFailure.nonRetryable(`the mapping rejects every order line of ${poColumn} "${po}": ${rejected.join('; ')}`, 'NO_SAMPLE');
      return { po, keys: [...new Set(keys)], rejected };
    },

    /** A structure-only copy of the items board (and with it a subitems board), checked before anything is written. */
    async createScratchBoard(input: { runId: string }): Promise<ScratchBoards> {
      const name = `orders-sync acceptance ${input.runId}`;
      try {
        const sourceColumns = (await monday.boardStructure(mapping.items.boardId)).columns.length;
        const copy = await monday.duplicateBoard(mapping.items.boardId, name, idempotencyKey('acceptance', 'duplicate-board', input.runId));
        // is_async: Monday may still be copying columns when it answers; wait until the copy has as many as the board.
        let structure = await monday.boardStructure(copy.id);
        for (let i = 0; copy.isAsync && i < STRUCTURE_TRIES && structure.columns.length < sourceColumns; i++) {
          Context.current().heartbeat();
          await Context.current().sleep(STRUCTURE_WAIT_MS);
          structure = await monday.boardStructure(copy.id);
        }
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
        return { ...boards, structure: checks, columnIdsKept };
      } catch (err) {
        if (err instanceof ApplicationFailure) throw err;
        throw fail(err, 'duplicate-board');
      }
    },

    /** Reads every item and subitem of the scratch board and compares them with what the mapping produced. */
    async compareScratchBoard(input: { boards: ScratchBoards; keys: string[]; failedOrders: { key: string; message: string }[] }): Promise<CheckRow[]> {
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
    },

    async deleteScratchBoard(input: { boards: ScratchBoards; runId: string }): Promise<void> {
      assertScratch(input.boards);
      try {
        await monday.deleteBoard(input.boards.itemsBoardId, idempotencyKey('acceptance', 'delete-board', input.runId));
      } catch (err) {
        throw fail(err, 'delete-board');
      }
    },
  };
}

export type AcceptanceActivities = ReturnType<typeof createAcceptanceActivities>;
