// `orders-sync board adopt`: read the whole board (items, then subitems) page by page, match it against the
// order lines, and with --apply link staging and archive duplicates. The key column is left to the next sync:
// it updates every linked line anyway and writes the key in that same mutation (--write-keys writes it now,
// one mutation per item). Every step is an activity; the cursor lives in the workflow, so a crash resumes
// from the last page read.
import { defineQuery, patched, proxyActivities, setCurrentDetails, setHandler, type ActivityOptions } from '@temporalio/workflow';
import type { AdoptionActivities } from '../activities/adoption';
import { readBoardPages } from './board-read';
import type { AdoptionSummary } from '../mapping/adoption-match';
import { MONDAY_TASK_QUEUE } from '../shared/temporal';
import { CONTROL_TASK_QUEUE } from '../shared/control-queue';

export interface AdoptInput {
  runId: string;
  apply: boolean;
  archiveDuplicates: boolean;
  /** Write the key column now, one mutation per item, instead of leaving it to the next sync's update. */
  writeKeys?: boolean;
}

export interface AdoptProgress {
  runId: string;
  phase: 'READ_ITEMS' | 'READ_SUBITEMS' | 'MATCH' | 'LINK' | 'WRITE_KEYS' | 'ARCHIVE' | 'DONE';
  itemsRead: number;
  subitemsRead: number;
  /** Times a board read started over because its 60-minute cursor had expired. */
  restarts: number;
  summary: (AdoptionSummary & { boardItems: number }) | null;
  linked: number;
  /** Adopted items the next sync updates, writing their key column in the same mutation. */
  keysAwaitingSync: number;
  /** Matched order lines that could not be linked (their source row gone, duplicated or rejected by the mapping): they never get a key. */
  notLinked: { key: string; reason: string }[];
  keysWritten: number;
  archived: number;
}

export const adoptProgressQuery = defineQuery<AdoptProgress>('adoptProgress');

const db = proxyActivities<AdoptionActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 100, nonRetryableErrorTypes: ['NO_PLAN'] },
});

const mondayOptions: ActivityOptions = {
  taskQueue: MONDAY_TASK_QUEUE,
  // Writes resume from their heartbeat: a dead worker's attempt is picked up after 15 s. Reads heartbeat while they
  // wait for a slow answer (activities/heartbeat.ts).
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 30, nonRetryableErrorTypes: ['CURSOR_EXPIRED'] },
};
/** Issue 18: adoption's Monday work runs on the control queue, not behind the order backlog; adoptions started before replay on the Monday queue. */
const CONTROL_QUEUE = 'adopt-on-control-queue';
const mondayQueue = proxyActivities<AdoptionActivities>(mondayOptions);
const controlQueue = proxyActivities<AdoptionActivities>({ ...mondayOptions, taskQueue: CONTROL_TASK_QUEUE });

export async function adoptBoardWorkflow(input: AdoptInput): Promise<AdoptProgress> {
  const progress: AdoptProgress = { runId: input.runId, phase: 'READ_ITEMS', itemsRead: 0, subitemsRead: 0, restarts: 0, summary: null, linked: 0, keysAwaitingSync: 0, notLinked: [], keysWritten: 0, archived: 0 };
  setHandler(adoptProgressQuery, () => progress);
  const monday = patched(CONTROL_QUEUE) ? controlQueue : mondayQueue;
  const show = () => setCurrentDetails(describe(progress, input));
  show();

  await db.startAdoption({ runId: input.runId });
  await readBoardPages(progress, (side, cursor) => monday.readBoardPage({ runId: input.runId, side, cursor }), show);

  progress.phase = 'MATCH';
  show();
  progress.summary = await db.planAdoption({ runId: input.runId });
  if (input.apply && progress.summary.boardItems > 0) {
    progress.phase = 'LINK';
    show();
    // Histories recorded before the result grew (the first release returned only { linked }) hold older shapes:
    // read every field as possibly absent, so they replay.
    const link: Partial<Awaited<ReturnType<AdoptionActivities['linkAdoptedOrders']>>> = (await db.linkAdoptedOrders({ runId: input.runId })) ?? {};
    progress.linked = link.linked ?? 0;
    progress.keysAwaitingSync = link.awaitingSync ?? 0;
    progress.notLinked = Array.isArray(link.notLinked) ? link.notLinked : [];
    // An adoption started before the key was left to the sync replays as it ran: it wrote the keys.
    if (input.writeKeys === true || !patched('adopt-key-left-to-sync')) {
      progress.phase = 'WRITE_KEYS';
      show();
      progress.keysWritten = (await monday.writeKeyColumns({ runId: input.runId })).written;
    }
    if (input.archiveDuplicates) {
      progress.phase = 'ARCHIVE';
      show();
      progress.archived = (await monday.archiveDuplicates({ runId: input.runId })).archived;
    }
    await db.finishAdoption({ runId: input.runId, applied: true });
  }
  progress.phase = 'DONE';
  show();
  return progress;
}

function describe(p: AdoptProgress, input: AdoptInput): string {
  const mode = input.apply ? `apply${input.archiveDuplicates ? ' + archive duplicates' : ''}${input.writeKeys ? ' + write keys' : ''}` : 'dry run';
  const lines = [`**board adopt ${p.phase}** · ${mode}`, `read ${p.itemsRead} items, ${p.subitemsRead} subitems${p.restarts ? ` (${p.restarts} restart(s) after an expired cursor)` : ''}`];
  const s = p.summary;
  if (s) {
    lines.push(`matched ${s.matched.key + s.matched.values + s.matched.name} (key ${s.matched.key}, values ${s.matched.values}, name ${s.matched.name}) · duplicates ${s.duplicates} · duplicate sizes ${s.duplicateSizes} · orphans ${s.orphans} · missing ${s.missing} · ambiguous ${s.ambiguous}`);
  }
  if (input.apply) {
    lines.push(`linked ${p.linked} · key columns written ${p.keysWritten} · archived ${p.archived} · the next sync writes the key column on ${p.keysAwaitingSync} adopted items`);
    if (p.notLinked.length > 0) lines.push(`not linked (never get a key until fixed): ${p.notLinked.length}, e.g. ${p.notLinked.slice(0, 3).map((n) => `${n.key} (${n.reason})`).join('; ')}`);
  }
  return lines.join('\n\n');
}
