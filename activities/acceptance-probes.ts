// What the design rests on, measured on the account by `orders-sync acceptance` on its scratch copy (never on a
// board of the mapping): Monday's Idempotency-Key (developer.monday.com/api-reference/docs/idempotency: the first
// answer replayed with `Idempotency-Replayed: true`, 409 IDEMPOTENCY_CONFLICT while the first is in flight), how
// soon items_page_by_column_values finds a new item by its key (not documented), and Monday's time per alias of
// an aliased create_subitem batch (requests must fit the 60-second timeout policy).
import { Context } from '@temporalio/activity';
import { idempotencyKey, type MondayClient } from '../graphql/client';
import { documents } from '../graphql/documents';
import { MondayApiError } from '../graphql/errors';
import type { Mapping } from '../mapping';
import type { TargetBoards } from '../shared/workflow-types';

export interface MondayFigures {
  /** The same create_item twice under one key: the same id both times, and the second marked replayed. */
  replay: { sameId: boolean; replayedHeader: boolean };
  /** The same batch again while the first runs: Monday's answer to the second. */
  concurrent: 'IDEMPOTENCY_CONFLICT' | 'replayed' | 'executed twice' | 'other error';
  /** How long after create_item the item was found by its key column (null: not within the wait). */
  keyFoundAfterMs: number | null;
  /** Monday's time per alias of a create_subitem batch of `aliases`. */
  perAliasMs: number;
  aliases: number;
}

/** One line per figure against the design's assumption; `ok` false where the design would not hold. */
export function judgeFigures(f: MondayFigures, batchSize: number): { line: string; ok: boolean }[] {
  const batchMs = f.perAliasMs * batchSize;
  return [
    { ok: f.replay.sameId && f.replay.replayedHeader, line: `Idempotency-Key, the same create_item twice: ${f.replay.sameId ? 'the same item' : 'TWO ITEMS'}, ${f.replay.replayedHeader ? 'Idempotency-Replayed: true' : 'no Idempotency-Replayed header'}` },
    { ok: f.concurrent !== 'executed twice', line: `Idempotency-Key, the same batch while the first runs: ${f.concurrent === 'IDEMPOTENCY_CONFLICT' ? '409 IDEMPOTENCY_CONFLICT' : f.concurrent === 'replayed' ? 'replayed (the first had finished: no conflict seen)' : f.concurrent.toUpperCase()}` },
    { ok: f.keyFoundAfterMs !== null, line: `a new item found by its key after ${f.keyFoundAfterMs === null ? `more than ${KEY_WAIT_MS / 1000} s: NOT FOUND` : `${(f.keyFoundAfterMs / 1000).toFixed(1)} s`}` },
    { ok: batchMs < 60_000, line: `create_subitem: ${Math.round(f.perAliasMs)} ms per alias (${f.aliases} aliases), a batch of ${batchSize} ~ ${(batchMs / 1000).toFixed(1)} s of Monday's 60 s` },
  ];
}

const KEY_WAIT_MS = 60_000;
const KEY_POLL_MS = 250;
const PROBE_ALIASES = 10;

export function createProbeActivity(deps: { monday: MondayClient; mapping: Mapping }) {
  const { monday, mapping } = deps;
  return {
    /** Creates one probe item (with probe subitems) on the scratch board, measures, then archives it. */
    async probeMonday(input: { runId: string; boards: TargetBoards }): Promise<MondayFigures> {
      const ctx = Context.current();
      const key = (step: string) => idempotencyKey('acceptance-probe', step, input.runId);
      const probeKey = `acceptance-probe-${input.runId}`;
      const board = input.boards.itemsBoardId;
      // No boardId in the call options: the per-board writer limit would queue the second send behind the first.
      const create = () => monday.call<{ create_item: { id: string } | null }>(documents.createItem, {
        board_id: board, item_name: probeKey, column_values: JSON.stringify({ [mapping.items.keyColumnId]: probeKey }),
      }, { idempotencyKey: key('create-item') });
      const first = await create();
      const itemId = first.data.create_item?.id ?? '';
      const startedAt = Date.now();
      const second = await create();
      const replay = { sameId: second.data.create_item?.id === itemId && itemId !== '', replayedHeader: second.replayed };

      let keyFoundAfterMs: number | null = null;
      while (Date.now() - startedAt < KEY_WAIT_MS) {
        ctx.heartbeat();
        if ((await monday.findItemsByKey(board, mapping.items.keyColumnId, probeKey)).some((i) => i.id === itemId)) {
          keyFoundAfterMs = Date.now() - startedAt;
          break;
        }
        await new Promise((r) => setTimeout(r, KEY_POLL_MS));
      }

      const batch = monday.batch(documents.createSubitem, PROBE_ALIASES);
      const variables = batch.variables(Array.from({ length: PROBE_ALIASES }, (_, i) => ({ parent_item_id: itemId, item_name: `probe ${i + 1}`, column_values: '{}' })));
      const send = () => monday.call(batch.operation, variables, { idempotencyKey: key('create-subitems'), partial: true }, PROBE_ALIASES);
      const sentAt = Date.now();
      let answeredAt = 0;
      const running = send().finally(() => { answeredAt = Date.now(); });
      // The same request again once the first is surely at Monday (a tenth of a second later).
      await new Promise((r) => setTimeout(r, 100));
      const again = await send().then((r) => (r.replayed ? 'replayed' as const : 'executed twice' as const), (err: unknown) =>
        err instanceof MondayApiError && err.code === 'IDEMPOTENCY_CONFLICT' ? 'IDEMPOTENCY_CONFLICT' as const : 'other error' as const);
      await running;
      const perAliasMs = (answeredAt - sentAt) / PROBE_ALIASES;

      await monday.archiveItem({ boardId: board, itemId }, key('archive'));
      return { replay, concurrent: again, keyFoundAfterMs, perAliasMs, aliases: PROBE_ALIASES };
    },
  };
}
