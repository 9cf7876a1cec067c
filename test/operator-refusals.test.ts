// Refuse what cannot work, before any order is touched, and say why in one line: a worker with a wrong token or a
// mapping the board cannot take does not start; a rejected or duplicate-key line is not rerun into a retry loop;
// `rerun --failed` finds failed lines whose workflow ended; a paused schedule is respected; doctor says whether
// workers poll; the sync itself stops before detection when the board cannot work. Real parts, CLI as a child process.
import fs from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { startStack, type Stack } from './support/stack';
import { runCli } from './support/cli-process';
import { generateOrderLines } from '../db/demo-data';
import { orderKeyOf } from '../mapping';
import { orderWorkflowId } from '../shared/order';
import { SCHEDULE_ID, TASK_QUEUE } from '../shared/temporal';
import { applySchedule } from '../cli/schedule';
import { orderDefaults } from '../worker';
import { runSyncOnce } from '../cli/sync-once';
import type { OrderProgress } from '../workflows';

const ROOT = path.resolve(__dirname, '..');
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false });
}, 60_000);
afterAll(() => stack?.stop());

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { ...stack.childEnv(), ...env });

async function waitFor(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  for (const deadline = Date.now() + ms; !(await check());) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('doctor fails while no worker polls, and names the workers once one does', async () => {
  let r = await cli(['doctor']);
  expect(r.out).toMatch(/✘ Workers: no worker polls orders-sync \(workflows\) and orders-sync \(database activities\) and orders-sync-monday \(Monday activities\)/);
  expect(r.code).toBe(1);
  await stack.startWorker();
  r = await cli(['doctor']);
  expect(r.out).toMatch(/✔ Workers:\s*\n\s+orders-sync \(workflows\): 1 worker\(s\)[^\n]*\n\s+orders-sync \(database activities\): 1 worker\(s\)[^\n]*\n\s+orders-sync-monday \(Monday activities\): 1 worker\(s\)/);
}, 120_000);

test('a worker with a wrong Monday token, or with a mapping the board cannot take, does not start', async () => {
  const wrongToken = await cli(['worker'], { MONDAY_API_TOKEN: 'not-the-token', MONDAY_API_URL: stack.sandbox.url });
  expect(wrongToken.code).toBe(1);
  expect(wrongToken.out).toMatch(/^not starting: Monday refuses the token \(Unauthorized, HTTP 401\): check MONDAY_API_TOKEN/m);
  expect(wrongToken.out).not.toContain('worker connected');
  expect(wrongToken.out).not.toContain('not-the-token');

  const file = path.join(stack.dir, 'bad-mapping.yaml');
  fs.writeFileSync(file, fs.readFileSync(path.join(ROOT, 'mapping/orders-to-monday.yaml'), 'utf8').replace('text_mkr5ej2x', 'text_doesnotexist'));
  const badMapping = await cli(['worker'], { MAPPING_FILE: file });
  expect(badMapping.code).toBe(1);
  expect(badMapping.out).toMatch(/^not starting: .*text_doesnotexist.*Fix that, then check with: orders-sync doctor$/m);
}, 120_000);

test('a duplicate-key or mapping-rejected line is not rerun: the rerun says why and starts nothing', async () => {
  const [dup, bad] = generateOrderLines(2, 71);
  const badRow = { ...bad!, L: 'abc' };
  await stack.store.insertSourceRows([dup!, dup!, badRow]);
  for (const [row, why] of [[dup!, /not rerun: order key .* appears in 2 source rows; none is sent until the duplicates are removed; fix the source row/], [badRow, /not rerun: order .*: L = "abc": .*fix the source row/]] as const) {
    const key = orderKeyOf(stack.mapping, row);
    const r = await cli(['rerun', key]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(why);
    await expect(stack.client.workflow.getHandle(orderWorkflowId(key)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  }
});

test('an order workflow started for a line that never staged fails once and waits, with no activity retrying', async () => {
  // What `rerun` did before it refused: recording the failure then marked a staging row that does not exist
  // ("No staged order"), retried every 30 s for DATABASE_RETRY_WINDOW.
  const [row] = generateOrderLines(1, 72);
  const badRow = { ...row!, L: 'abc' };
  await stack.store.insertSourceRows([badRow]);
  const key = orderKeyOf(stack.mapping, badRow);
  const handle = await stack.client.workflow.signalWithStart('orderWorkflow', {
    workflowId: orderWorkflowId(key), taskQueue: TASK_QUEUE, args: [{ key, batchId: null, ...orderDefaults(stack.config) }], signal: 'rerun', signalArgs: [],
  });
  await waitFor('the order to fail', async () => (await handle.query<OrderProgress>('status')).step === 'FAILED');
  await waitFor('no pending activity', async () => ((await handle.describe()).raw.pendingActivities ?? []).length === 0, 15_000);
  expect((await stack.store.listErrors({ orderKey: key }))[0]).toMatchObject({ errorType: 'MAPPING_ERROR' });
  await handle.terminate('test done');
}, 90_000);

test('rerun --failed reads staging: a FAILED line whose workflow has ended is rerun', async () => {
  const rows = generateOrderLines(3, 73);
  await stack.store.insertSourceRows(rows);
  const held = (await stack.store.statusCounts()).SYNCED;
  // A full board (Monday's ItemsLimitationException) fails the third new line.
  stack.sandbox.setItemsLimit(stack.mapping.items.boardId, held + 2);
  const summary = await runSyncOnce(stack.client, stack.store, { pageSize: 50 });
  expect(summary).toMatchObject({ orders: 2, failed: 1 });
  const failedKey = summary.waiting[0]!.key;
  // Its workflow ends (RERUN_WAIT ran out, or someone terminated it): the Web UI query finds it no more.
  await stack.client.workflow.getHandle(orderWorkflowId(failedKey)).terminate('waited too long');
  stack.sandbox.setItemsLimit(stack.mapping.items.boardId, 10_000);
  const r = await cli(['rerun', '--failed']);
  expect(r.out).toContain(`rerun requested for ${failedKey}`);
  expect(r.code).toBe(0);
  await waitFor('the rerun to sync it', async () => (await stack.store.getStagedOrder(failedKey))?.status === 'SYNCED');
}, 120_000);

test('while the schedule is paused, schedule trigger and sync --once say so and start nothing; --force runs anyway', async () => {
  await applySchedule(stack.client, stack.config);
  const schedule = stack.client.schedule.getHandle(SCHEDULE_ID);
  await schedule.pause('board maintenance until 14:00');
  try {
    for (const args of [['schedule', 'trigger'], ['sync', '--once']]) {
      const r = await cli(args);
      expect(r.code).toBe(1);
      expect(r.out).toContain(`the sync schedule is paused ("board maintenance until 14:00"), so no sync was started. \`orders-sync schedule unpause\` resumes it; \`orders-sync ${args.join(' ')} --force\` syncs now anyway.`);
    }
    expect((await schedule.describe()).info.recentActions).toHaveLength(0);
    const forced = await cli(['schedule', 'trigger', '--force']);
    expect(forced.code).toBe(0);
    await waitFor('the forced run', async () => (await schedule.describe()).info.recentActions.length === 1);
    // Let it end before the next test counts staging.
    const run = (await schedule.describe()).info.recentActions[0]!.action.workflow;
    await stack.client.workflow.getHandle(run.workflowId, run.firstExecutionRunId).result().catch(() => undefined);
    await waitFor('its order lines to finish', async () => (await stack.store.countUnfinished()) === 0);
  } finally {
    await schedule.delete();
  }
}, 120_000);

// Last: it deletes the items board.
test('the sync stops before detecting anything when the board cannot work, with one line saying why', async () => {
  await stack.store.insertSourceRows(generateOrderLines(2, 74));
  const before = await stack.store.statusCounts();
  await stack.monday.deleteBoard(stack.mapping.items.boardId, 'test-delete-items-board');
  const failure = await runSyncOnce(stack.client, stack.store, { pageSize: 50 }).catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  expect((failure as WorkflowFailedError).cause?.message).toMatch(/^nothing was synced: items board 9200517329 is not visible to the token's user .*Fix that, then check with: orders-sync doctor$/);
  expect(await stack.store.statusCounts()).toEqual(before);
}, 90_000);
