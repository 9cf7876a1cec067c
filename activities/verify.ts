// The activities of `orders-sync verify` (workflows/verify.ts): read both boards page by page (the mapped columns only,
// within VERIFY_READ_SHARE of the budget), compare them with what the mapping makes of ORDERS_UNIFIED, and with
// --repair archive duplicate and orphan items (audited) and send every drifting order line through the order workflow.
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Store } from '../db/store';
import { type StoredBoardRow, type VerifyScope, type VerifySummary } from '../db/verify-store';
import { verifyStoreOf } from '../db/open';
import type { OperationsStore } from '../db/operations';
import { createTransform, type Mapping } from '../mapping';
import { idempotencyKey, type MondayClient } from '../graphql/client';
import { toActivityFailure } from '../graphql/errors';
import { normaliseText } from '../mapping/adoption-match';
import { orderWorkflowId, type OrderPayload } from '../shared/order';
import { TASK_QUEUE } from '../shared/temporal';
import type { OrderWorkflowInput } from '../shared/workflow-types';
import { ReadPacer, forEachOrderLinePage, readBoardItems, resumable, timeScaleOf, type BoardSide } from './adoption';
import { createWriteAudit } from './audit';
import { readOrderLineRows } from './source-line';
import { emptyDriftCounts, lineDrift, orphanDrift, type BoardRow, type Cell, type Drift, type DriftRules } from './verify-drift';

export interface VerifyDeps {
  store: Store;
  mapping: Mapping;
  monday: MondayClient;
  operations?: OperationsStore;
  /** Needed by dispatchRepairs only. */
  temporal?: Client;
  orderDefaults: Pick<OrderWorkflowInput, 'subitemBatchSize' | 'rerunWait' | 'retryWindows' | 'selfRetryAfter'>;
  removedSizes: 'zero' | 'archive';
  /** VERIFY_READ_SHARE: share of the minute's complexity budget verify reads with. */
  readShare?: number;
  pageSize?: number;
}

/** Drift an order workflow pass repairs (everything but items no order line claims). */
const LINE_CLASSES = new Set(['missing_item', 'duplicate_item', 'stale_cell', 'should_be_empty', 'missing_size', 'duplicate_size', 'wrong_quantity', 'wrong_group']);

/** The order lines --repair sends through their order workflow. */
export function linesToRepair(drift: Drift[]): string[] {
  return [...new Set(drift.filter((d) => LINE_CLASSES.has(d.class) && d.orderKey).map((d) => d.orderKey!))];
}
const SIZE_CLASSES = new Set(['missing_size', 'duplicate_size', 'wrong_quantity']);
const MUTATION_ESTIMATE = 30_100;

export const repairBatchId = (runId: string): string => `repair:${runId}`;

export function createVerifyActivities(deps: VerifyDeps) {
  const { store, mapping, monday } = deps;
  const verify = verifyStoreOf(store);
  const transform = createTransform(mapping);
  const audit = createWriteAudit(deps.operations);
  const pace = new ReadPacer(monday.budget.complexityPerMinute * (deps.readShare ?? 0.5), 60_000 / timeScaleOf(monday));
  const itemColumns = [...mapping.items.columns.map((c) => c.id), mapping.items.keyColumnId];
  const columnsOf = (side: BoardSide) => (side === 'items' ? itemColumns : [mapping.subitems.sizeColumnId, mapping.subitems.qtyColumnId]);

  /** The scope's order lines, and the scope's orphans: by the board's customer and PO cells. */
  const inScope = (scope: VerifyScope) => ({
    line: (l: OrderPayload) => (scope.customer === null || normaliseText(l.customer) === normaliseText(scope.customer)) && (scope.po === null || (l.poNumber ?? '').trim() === scope.po.trim()),
    item: (i: BoardRow) => {
      const cell = (pred: (c: Mapping['items']['columns'][number]) => boolean) => {
        const id = mapping.items.columns.find(pred)?.id;
        return id ? normaliseText(i.cells[id]?.text) : null;
      };
      const customer = cell((c) => c.transform === 'canonical_customer');
      const po = cell((c) => c.source === mapping.source.poNumberColumn);
      return (scope.customer === null || customer === null || customer === normaliseText(scope.customer)) && (scope.po === null || po === null || po === normaliseText(scope.po));
    },
  });

  return {
    async startVerify(input: { runId: string; scope: VerifyScope }): Promise<void> {
      await verify.saveRun({ runId: input.runId, boardId: mapping.items.boardId, scope: input.scope, status: 'READING' });
    },

    /** One page of the items or the subitems board, the mapped columns with text and value, into MON_VerifyBoardRead. */
    async readVerifyPage(input: { runId: string; side: BoardSide; cursor: string | null }): Promise<{ cursor: string | null; read: number }> {
      const page = await readBoardItems(monday, pace, { boardId: mapping.items.boardId, side: input.side, cursor: input.cursor, limit: deps.pageSize ?? 500, columnIds: columnsOf(input.side), what: '(verify)' });
      await verify.saveBoardRows(input.runId, page.items.map((i) => ({
        id: i.id, parentItemId: i.parentItemId, orderKey: i.values[mapping.items.keyColumnId] || null, name: i.name, groupId: i.groupId, groupTitle: i.groupTitle,
        // Empty cells are left out (an absent cell reads as empty): half the columns of a typical line are.
        cellsJson: JSON.stringify(Object.fromEntries(Object.keys(i.values).filter((c) => (i.values[c] ?? '') !== '' || (i.raw[c] ?? null) !== null)
          .map((c) => [c, { text: i.values[c] ?? null, value: i.raw[c] ?? null } satisfies Cell]))),
      })));
      return { cursor: page.cursor, read: page.items.length };
    },

    /**
     * Everything the mapping makes of ORDERS_UNIFIED (page by page) against the board as read: the drift rows go to
     * MON_VerifyDrift, the counts to the run. Items are claimed by the order line staging links them to, or whose key
     * their key column holds; an item no source line claims is an orphan (a rejected row's item is neither).
     */
    async compareBoard(input: { runId: string; scope: VerifyScope }): Promise<VerifySummary> {
      const ctx = Context.current();
      // The whole board is held as ids and keys only; each page of order lines reads its items' and subitems' rows.
      const index = await verify.readBoardIndex(input.runId);
      const keyOf = new Map(index.items.map((i) => [i.id, i.orderKey]));
      const byKey = new Map<string, string[]>();
      for (const i of index.items) if (i.orderKey) byKey.set(i.orderKey, [...(byKey.get(i.orderKey) ?? []), i.id]);
      const links = await verify.stagedLinks();
      const linkedTo = new Map<string, string>();   // item id → the order line staging links it to
      for (const [key, link] of links) if (link.itemId) linkedTo.set(link.itemId, key);
      const rules: DriftRules = {
        mapping, removedSizes: deps.removedSizes, rememberedGroups: new Map(),
        groups: await monday.boardStructure(mapping.items.boardId).then((b) => b.groups, (err: unknown) => { throw toActivityFailure(err, { orderKey: '(verify)', step: 'read-groups' }); }),
      };
      const scope = inScope(input.scope);
      const parsed = (row: StoredBoardRow): BoardRow => ({ ...row, cells: JSON.parse(row.cellsJson) as Record<string, Cell> });

      await verify.clearDrift(input.runId);
      const summary: VerifySummary = { lines: 0, items: index.items.length, subitems: index.subitems, unverified: 0, counts: emptyDriftCounts(), driftingLines: 0 };
      let seq = 0;
      const save = async (drift: Drift[]) => {
        for (const d of drift) summary.counts[d.class]++;
        await verify.saveDrift(input.runId, seq, drift);
        seq += drift.length;
      };
      const claimed = new Set<string>();
      const sourceKeys = new Set<string>();
      await forEachOrderLinePage(store, mapping, async (lines) => {
        const candidates = new Map<string, string[]>();
        for (const line of lines) {
          sourceKeys.add(line.key);
          const link = links.get(line.key);
          const ids = new Set((byKey.get(line.key) ?? []).filter((id) => (linkedTo.get(id) ?? line.key) === line.key));
          if (link?.itemId && keyOf.has(link.itemId)) ids.add(link.itemId);
          ids.forEach((id) => claimed.add(id));
          if (scope.line(line)) candidates.set(line.key, [...ids]);
        }
        const ids = [...candidates.values()].flat();
        const items = new Map((await verify.readBoardRows(input.runId, { ids })).map((r) => [r.id, parsed(r)]));
        const subitems = new Map<string, BoardRow[]>();
        for (const r of await verify.readBoardRows(input.runId, { parentIds: ids })) subitems.set(r.parentItemId!, [...(subitems.get(r.parentItemId!) ?? []), parsed(r)]);
        const drift: Drift[] = [];
        for (const line of lines) {
          const found = candidates.get(line.key);
          if (!found) continue;
          if (!rules.rememberedGroups.has(line.groupName)) rules.rememberedGroups.set(line.groupName, (await store.rememberedGroup(mapping.items.boardId, line.groupName)) ?? '');
          const lineDrifts = lineDrift(rules, line, found.map((id) => items.get(id)!), (id) => subitems.get(id) ?? [], links.get(line.key));
          summary.lines++;
          if (lineDrifts.length > 0) summary.driftingLines++;
          drift.push(...lineDrifts);
        }
        await save(drift);
        ctx.heartbeat();
      }, (key) => sourceKeys.add(key));   // a rejected or duplicated row: its items are not orphans, nor compared
      const unclaimed: string[] = [];
      for (const [id, key] of keyOf) {
        if (claimed.has(id)) continue;
        if (key !== null && sourceKeys.has(key)) summary.unverified++;
        else unclaimed.push(id);
      }
      const orphans = (await verify.readBoardRows(input.runId, { ids: unclaimed })).map(parsed).filter(scope.item);
      await save(orphans.map((row) => orphanDrift(row, mapping.items.keyColumnId)));
      await verify.saveRun({ runId: input.runId, boardId: mapping.items.boardId, scope: input.scope, status: 'COMPARED', summary });
      return summary;
    },

    /**
     * --repair, on Monday: archive duplicate items (the oldest stays) and orphans, each with an audit row under the
     * repair batch, and set staging straight so the order workflow writes what drifted: an order line linked to the
     * item kept, sizes whose subitem drifted unsynced (-1: "what Monday holds is not known"), an orphan's line gone.
     */
    async repairBoard(input: { runId: string }): Promise<{ archived: number }> {
      const drift = await verify.listDrift(input.runId);
      const batchId = repairBatchId(input.runId);
      const links = await verify.stagedLinks();
      const toArchive = drift.filter((d) => (d.class === 'duplicate_item' || d.class === 'orphan_item') && d.itemId !== null);
      await resumable(toArchive, async (d) => {
        await pace.wait(monday.lastCost('ArchiveItem') ?? MUTATION_ESTIMATE);
        const key = d.orderKey ?? '(orphan)';
        try {
          await monday.archiveItem({ boardId: mapping.items.boardId, itemId: d.itemId! }, idempotencyKey(key, 'verify-archive', d.itemId!));
          pace.spent(monday.lastCost('ArchiveItem'));
        } catch (err) {
          throw toActivityFailure(err, { orderKey: key, step: 'verify-archive' });
        }
        await audit.archivedItems(key, [d.itemId!], batchId);
        // The item of a line gone from the source: if the line comes back, the next sync sends it (and makes the item again).
        if (d.class === 'orphan_item' && d.orderKey && links.get(d.orderKey)?.itemId === d.itemId) {
          await store.markSourceGone(d.orderKey, `verify archived its item ${d.itemId}: the order line is no longer in ORDERS_UNIFIED`);
        }
      });
      // Each drifting line linked to the item verify kept (an item staging does not know, on a board the sync never
      // wrote, is linked as `board adopt` links it): the order workflow then updates that item instead of creating one.
      const kept = new Map<string, string>();
      for (const d of drift) {
        if (d.orderKey && LINE_CLASSES.has(d.class) && d.class !== 'missing_item') kept.set(d.orderKey, d.class === 'duplicate_item' ? d.keptItemId! : d.itemId!);
      }
      for (const [key, itemId] of kept) {
        if (links.get(key)?.itemId === itemId) continue;
        if (!links.has(key)) {
          const rows = await readOrderLineRows(store, mapping, key);
          if (rows.length !== 1) continue;   // gone, or on several rows since the comparison: its workflow says so
          await store.stageOrders(batchId, [transform(rows[0]!)]);
        }
        await store.setOrderStatus(key, 'ITEM_CREATED', { itemId });
        await store.clearSubitemIds(key);
        links.set(key, { itemId, subitems: [] });
      }
      for (const d of drift) {
        const link = d.orderKey ? links.get(d.orderKey) : undefined;
        if (!link || !d.orderKey || !SIZE_CLASSES.has(d.class)) continue;
        const subitemId = (d.class === 'duplicate_size' ? d.keptItemId : d.subitemId) ?? link.subitems.find((x) => x.size === d.subject)?.subitemId;
        if (subitemId) await store.setSubitemIds(d.orderKey, [{ size: d.subject, subitemId, qty: -1 }]);
      }
      return { archived: toArchive.length };
    },

    /** Sends every drifting order line through its order workflow, in the repair batch (it ends when they end). */
    async dispatchRepairs(input: { runId: string }): Promise<{ batchId: string; dispatched: number }> {
      const temporal = deps.temporal;
      if (!temporal) throw ApplicationFailure.nonRetryable('dispatchRepairs needs a Temporal client', 'CONFIG');
      const batchId = repairBatchId(input.runId);
      const keys = linesToRepair(await verify.listDrift(input.runId));
      await store.startBatch({ batchId, batchType: 'VERIFY_REPAIR', configSnapshot: { verifyRun: input.runId } });
      for (const key of keys) {
        // The empty hash is newer than any a waiting order failed with: it wakes the order as a changed row would.
        await temporal.workflow.signalWithStart('orderWorkflow', {
          workflowId: orderWorkflowId(key), taskQueue: TASK_QUEUE,
          args: [{ key, batchId, ...deps.orderDefaults } satisfies OrderWorkflowInput],
          signal: 'sourceChanged', signalArgs: ['', batchId],
          staticSummary: `${key} (verify --repair)`,
        });
        Context.current().heartbeat();
      }
      await store.finishDispatch(batchId, keys.length, 'COMPLETED');
      return { batchId, dispatched: keys.length };
    },

    /** Waits up to a minute for the repair batch to end; its counters either way. */
    async repairProgress(input: { batchId: string }): Promise<{ ended: boolean; synced: number; failed: number }> {
      const ctx = Context.current();
      for (let waited = 0; ; waited += 2_000) {
        const batch = await store.getBatch(input.batchId);
        if (!batch) throw ApplicationFailure.nonRetryable(`no repair batch ${input.batchId}`, 'NO_BATCH');
        const result = { ended: batch.endTime !== null, synced: batch.counters.synced, failed: batch.counters.failed };
        if (result.ended || waited >= 60_000) return result;
        ctx.heartbeat();
        await new Promise((r) => setTimeout(r, 2_000));
      }
    },

    async finishVerify(input: { runId: string; scope: VerifyScope; summary: VerifySummary }): Promise<void> {
      await verify.saveRun({ runId: input.runId, boardId: mapping.items.boardId, scope: input.scope, status: 'DONE', summary: input.summary });
    },
  };
}

export type VerifyActivities = ReturnType<typeof createVerifyActivities>;
