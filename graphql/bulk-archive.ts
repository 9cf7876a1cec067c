// Archives through bulk_archive_items: one request (one daily call, one mutation's complexity) for many items of
// a board, where archive_item costs a request each. The mutation is asynchronous (2026-10 schema: it returns a job
// id "for polling progress via job_status query"), so the archive counts as done only once the job completed.
import { idempotencyKey, type MondayClient } from './client';
import { documents } from './documents';
import { MondayApiError } from './errors';

/** Items per bulk_archive_items request: Monday documents no maximum; 100 is what its items query takes by id. */
export const ARCHIVES_PER_REQUEST = 100;
const POLL_EVERY_MS = 500;
const POLLS = 60;

type JobState = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'EXPIRED' | 'CANCELLED';

/**
 * Archives `itemIds` of one board and waits for each job to complete; returns the job id of each item. The same
 * `key` on a retry makes Monday replay the same job ids (Idempotency-Key), so nothing is archived twice. A job
 * still running after 30 s fails retryably (BULK_JOB_PENDING): the retry resends, is replayed and polls again.
 */
export async function bulkArchive(client: MondayClient, boardId: string, itemIds: string[], key: string): Promise<Map<string, string>> {
  const jobs = new Map<string, string>();
  for (let i = 0; i < itemIds.length; i += ARCHIVES_PER_REQUEST) {
    const chunk = itemIds.slice(i, i + ARCHIVES_PER_REQUEST);
    const r = await client.call<{ bulk_archive_items: { job_id: string | null } | null }>(documents.bulkArchiveItems,
      { board_id: boardId, item_ids: chunk }, { boardId, idempotencyKey: idempotencyKey(key, 'bulk-archive', chunk.join(',')) });
    const jobId = r.data.bulk_archive_items?.job_id;
    if (!jobId) throw new MondayApiError('bulk_archive_items returned no job id', 'transient', 'NO_ID', 200, null);
    await untilJobDone(client, jobId);
    for (const id of chunk) jobs.set(id, jobId);
  }
  return jobs;
}

async function untilJobDone(client: MondayClient, jobId: string): Promise<void> {
  for (let poll = 0; poll < POLLS; poll++) {
    const r = await client.call<{ job_status: { status: JobState | null; error: string | null } | null }>(documents.jobStatus, { job_id: jobId });
    const status = r.data.job_status?.status ?? null;
    if (status === 'COMPLETED') return;
    if (status === 'FAILED' || status === 'EXPIRED' || status === 'CANCELLED') {
      throw new MondayApiError(`bulk archive job ${jobId} ${status.toLowerCase()}: ${r.data.job_status?.error ?? 'no reason given'}`, 'permanent', `BULK_JOB_${status}`, 200, null);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_EVERY_MS));
  }
  throw new MondayApiError(`bulk archive job ${jobId} still running after ${(POLLS * POLL_EVERY_MS) / 1000} s`, 'transient', 'BULK_JOB_PENDING', null, null);
}

/** Undoes a bulk job (rollback of an archive): true when Monday says it did, with its message either way. */
export async function undoJob(client: MondayClient, boardId: string, jobId: string, key: string): Promise<{ success: boolean; message: string }> {
  const r = await client.call<{ undo_action: { success: boolean | null; message: string | null } | null }>(documents.undoAction,
    { job_id: jobId }, { boardId, idempotencyKey: idempotencyKey(key, 'undo', jobId) });
  return { success: r.data.undo_action?.success === true, message: r.data.undo_action?.message ?? '' };
}
