// What the sandbox knows about the account beyond boards and items: who each token is, asynchronous bulk jobs,
// and board automations. Each rests on Monday's 2026-10 schema (shared/reference/monday-schema.graphql):
// - `me: User` with `kind` ("The kind of the user": the user kinds of UserKindFilter are admin, member, guest,
//   view_only...), and per board `access_level: BoardAccessLevel!` ("The user's permission level for this board
//   (view / edit)") and `owners`. A view-only user's mutations answer UserUnauthorizedException with status_code 403,
//   the application error of Monday's error-handling doc ("User unauthorized to perform action", HTTP 200).
//   Guests and viewers cannot create boards (duplicate_board).
// - `bulk_archive_items(board_id, item_ids): BulkDeleteInit { job_id }` ("Asynchronously archive items on a
//   board"), `job_status(job_id): AsyncJobStatus { status: JobState }` and `undo_action(job_id): UndoResult`
//   ("Undo a previously completed action, or cancel one still in flight"). How long a job takes and how long an
//   undo stays possible are not documented: a job completes after `jobDelayMs` (0: at once) and can be undone
//   while the sandbox runs.
// - `board_automations(board_ids): AutomationsPage { items: [BoardAutomation] }`; a board copy carries the
//   board's automations, as Monday's copies can ("If your boards include automations and you want those to move
//   too…", support.monday.com/hc/en-us/articles/360007913040).
import { mondayError } from './errors';

export type UserKind = 'admin' | 'member' | 'guest' | 'view_only';
export interface SandboxUser { id: string; name: string; kind: UserKind }
export interface SandboxAutomation { id: string; title: string; active: boolean; workflow_blocks: unknown; workflow_variables?: unknown }

/** The account's admin owns every board: the token of the demo and the tests unless told otherwise. */
export const ADMIN: SandboxUser = { id: '1', name: 'Sandbox Admin', kind: 'admin' };

interface Job { id: string; itemIds: string[]; createdAt: number; doneAt: number; archived: boolean; undone: boolean }

export class Account {
  private readonly users = new Map<string, SandboxUser>();
  private readonly jobs = new Map<string, Job>();
  private readonly automations = new Map<string, SandboxAutomation[]>();
  private nextJob = 1;
  jobDelayMs = 0;

  setUser(token: string, user: Partial<SandboxUser> & { kind: UserKind }): void {
    this.users.set(token, { id: user.id ?? String(100 + this.users.size), name: user.name ?? `Sandbox ${user.kind}`, kind: user.kind });
  }

  user(token: string): SandboxUser {
    return this.users.get(token) ?? ADMIN;
  }

  /** Throws Monday's answer to a write the user may not make. */
  assertMayWrite(user: SandboxUser): void {
    if (user.kind === 'view_only') throw mondayError('UserUnauthorizedException', 'User unauthorized to perform action', {}, 403);
  }

  assertMayCreateBoards(user: SandboxUser): void {
    if (user.kind === 'view_only' || user.kind === 'guest') throw mondayError('UserUnauthorizedException', 'User unauthorized to perform action', {}, 403);
  }

  setAutomations(boardId: string, automations: SandboxAutomation[]): void {
    this.automations.set(boardId, automations);
  }

  boardAutomations(boardId: string): SandboxAutomation[] {
    return this.automations.get(boardId) ?? [];
  }

  copyAutomations(fromBoard: string, toBoard: string): void {
    const list = this.automations.get(fromBoard);
    if (list) this.automations.set(toBoard, list.map((a, i) => ({ ...a, id: `${toBoard}${i}` })));
  }

  /** A bulk archive job; `archive` runs when the job completes (at once when jobDelayMs is 0). */
  startJob(itemIds: string[], archive: (ids: string[]) => void, now: number): string {
    const job: Job = { id: String(this.nextJob++), itemIds, createdAt: now, doneAt: now + this.jobDelayMs, archived: false, undone: false };
    this.jobs.set(job.id, job);
    this.settle(job, archive, now);
    this.archiveLater.set(job.id, archive);
    return job.id;
  }

  private readonly archiveLater = new Map<string, (ids: string[]) => void>();

  private settle(job: Job, archive: (ids: string[]) => void, now: number): void {
    if (!job.archived && !job.undone && now >= job.doneAt) {
      archive(job.itemIds);
      job.archived = true;
    }
  }

  jobStatus(jobId: string, now: number): Record<string, unknown> {
    const job = this.jobs.get(jobId);
    if (!job) throw mondayError('ResourceNotFoundException', `Job ${jobId} not found`, { job_id: jobId });
    this.settle(job, this.archiveLater.get(jobId)!, now);
    const status = job.undone ? 'CANCELLED' : job.archived ? 'COMPLETED' : now - job.createdAt > 0 ? 'RUNNING' : 'PENDING';
    const at = (ms: number) => new Date(ms).toISOString();
    return { id: job.id, status, created_at: at(job.createdAt), updated_at: at(Math.min(now, job.doneAt)), error: null, result: null };
  }

  /** Undo: restores what the job archived (or cancels it while it runs). */
  undo(jobId: string, restore: (ids: string[]) => void): { success: boolean; message: string } {
    const job = this.jobs.get(jobId);
    if (!job) return { success: false, message: `no job ${jobId}` };
    if (job.undone) return { success: true, message: 'already undone' };
    if (job.archived) restore(job.itemIds);
    job.undone = true;
    return { success: true, message: `${job.itemIds.length} item(s) restored` };
  }
}
