// The Temporal Schedule that runs the sync: overlap SKIP (a slow sync never overlaps the next one) and an
// explicit catch-up window (after an outage, only recent missed runs are made up).
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { loadMapping } from '../mapping';
import { syncInputOf, type Config } from '../config';
import { SCHEDULE_ID, TASK_QUEUE } from '../shared/temporal';
import type { SyncWorkflowInput } from '../shared/workflow-types';

function scheduleOptions(config: Config): ScheduleOptions {
  return {
    scheduleId: SCHEDULE_ID,
    spec: { intervals: [{ every: config.SYNC_INTERVAL }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'syncWorkflow',
      workflowId: 'scheduled-sync',
      taskQueue: TASK_QUEUE,
      // No workflow execution timeout (it would kill the run without cleanup): the sync keeps its own deadline
      // (SYNC_EXECUTION_TIMEOUT) and ends its batch as ABANDONED, so a stuck run never makes SKIP drop every later run.
      args: [syncInputOf(config) satisfies SyncWorkflowInput],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: config.SYNC_CATCHUP_WINDOW },
  };
}

/** Creates the schedule, or brings an existing one in line with the configuration. */
export async function applySchedule(client: Client, config: Config, opts: { triggerNow?: boolean } = {}): Promise<'created' | 'updated'> {
  const options = scheduleOptions(config);
  let outcome: 'created' | 'updated';
  try {
    await client.schedule.create(options);
    outcome = 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(SCHEDULE_ID).update((prev) => ({ ...prev, spec: options.spec, action: options.action, policies: options.policies }));
    outcome = 'updated';
  }
  if (opts.triggerNow) await client.schedule.getHandle(SCHEDULE_ID).trigger(ScheduleOverlapPolicy.SKIP);
  return outcome;
}

/** The pause note while the schedule is paused (maintenance); null when it runs or was never applied. */
export async function schedulePause(client: Client): Promise<string | null> {
  try {
    const d = await client.schedule.getHandle(SCHEDULE_ID).describe();
    return d.state.paused ? (d.state.note || 'no note') : null;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return null;
    throw err;
  }
}

/** What `start`, `sync --once` and `schedule trigger` say instead of syncing while the schedule is paused. */
export function pausedLine(note: string, force: string): string {
  return `the sync schedule is paused ("${note}"), so no sync was started. \`orders-sync schedule unpause\` resumes it; \`${force} --force\` syncs now anyway.`;
}

export async function describeSchedule(client: Client): Promise<string> {
  const d = await client.schedule.getHandle(SCHEDULE_ID).describe();
  const recent = d.info.recentActions.slice(-5).map((a) => `  ${a.takenAt.toISOString()} → ${a.action.workflow.workflowId}`);
  return [
    `schedule ${SCHEDULE_ID}: ${d.state.paused ? `PAUSED (${d.state.note ?? ''})` : 'active'}`,
    `  every: ${d.spec.intervals?.map((i) => minutes(Number(i.every))).join(', ')}; overlap: ${d.policies.overlap}; catch-up window: ${minutes(Number(d.policies.catchupWindow))}`,
    `  next runs: ${d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()).join(', ')}`,
    `  running now: ${d.info.runningActions.length}; skipped (overlap): ${d.info.numActionsSkippedOverlap}; total runs: ${d.info.numActionsTaken}`,
    ...(recent.length ? ['  recent runs:', ...recent] : []),
    await describeVerifySchedule(client),
  ].join('\n');
}

function minutes(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}

/** The nightly verify's schedule (report only; the drift gauge and its alert tell people). */
export const VERIFY_SCHEDULE_ID = 'orders-sync-verify';

/**
 * `schedule apply --nightly-verify HH:MM` (UTC): a whole-board verify every night; `off` removes it. Overlap SKIP: a
 * verify still running (a slow read of a large board) is not started twice.
 */
export async function applyVerifySchedule(client: Client, config: Config, at: string): Promise<string> {
  const handle = client.schedule.getHandle(VERIFY_SCHEDULE_ID);
  if (at === 'off') {
    await handle.delete().catch((err: unknown) => {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    });
    return `nightly verify: off (schedule ${VERIFY_SCHEDULE_ID} removed)`;
  }
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(at);
  if (!m) throw new Error(`--nightly-verify needs a UTC time HH:MM (e.g. 02:30) or off, not "${at}"`);
  const options: ScheduleOptions = {
    scheduleId: VERIFY_SCHEDULE_ID,
    spec: { calendars: [{ hour: Number(m[1]), minute: Number(m[2]) }] },
    action: {
      type: 'startWorkflow', workflowType: 'verifyWorkflow', workflowId: `board-verify:${loadMapping(config.MAPPING_FILE).items.boardId}:nightly`, taskQueue: TASK_QUEUE,
      args: [{ runId: '', scope: { customer: null, po: null }, repair: false }],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
  };
  try {
    await client.schedule.create(options);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await handle.update((prev) => ({ ...prev, spec: options.spec, action: options.action, policies: options.policies }));
  }
  return `nightly verify: every day at ${m[1]!.padStart(2, '0')}:${m[2]} UTC (schedule ${VERIFY_SCHEDULE_ID})`;
}

async function describeVerifySchedule(client: Client): Promise<string> {
  try {
    const d = await client.schedule.getHandle(VERIFY_SCHEDULE_ID).describe();
    const at = d.spec.calendars?.[0];
    const time = at ? `${String(at.hour[0]?.start ?? 0).padStart(2, '0')}:${String(at.minute[0]?.start ?? 0).padStart(2, '0')} UTC` : '?';
    return `nightly verify (${VERIFY_SCHEDULE_ID}): ${d.state.paused ? 'PAUSED' : 'active'}, every day at ${time}; next: ${d.info.nextActionTimes[0]?.toISOString() ?? '-'}`;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return 'nightly verify: off (schedule apply --nightly-verify HH:MM turns it on)';
    throw err;
  }
}
