// Issue 18: `board adopt` on a Monday whose answers are slower than the heartbeat timeout of adoption's Monday
// activities (17 s answers, 15 s heartbeat timeout). Before, a page read never heartbeat, every attempt timed out and
// the adoption failed after 30. Real parts: Temporal dev server, SQLite, the sandbox over HTTP, the CLI as users run it.
import { startStack, type Stack } from './support/stack';
import { runCli } from './support/cli';
import { legacyBoard } from './support/legacy-board';
import { generateOrderLines } from '../db/demo-data';
import { createTransform } from '../mapping';
import { adoptWorkflowId } from '../cli/board';
import { CONTROL_TASK_QUEUE } from '../shared/control-queue';

let stack: Stack;
beforeAll(async () => { stack = await startStack(); });
afterAll(() => stack?.stop());

test('adoption completes when every Monday answer takes 17 s: its reads heartbeat, no attempt times out', async () => {
  const rows = generateOrderLines(5, 61);
  await stack.store.insertSourceRows(rows);
  const transform = createTransform(stack.mapping);
  const lines = rows.map((r) => transform(r));
  stack.sandbox.seedLegacy(stack.mapping.items.boardId, legacyBoard(stack.mapping, lines, ['plain']).items);
  stack.sandbox.setFaults({ latencyMs: { min: 17_000, max: 17_000 } });

  const r = await runCli(stack.childEnv(), ['board', 'adopt', '--apply', '--report', `${stack.dir}/adopt.csv`]);
  expect(r.stderr).not.toMatch(/failed|timed? ?out/i);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('applied: 5 order lines linked in staging');

  // Every activity ran in its first attempt: none timed out for want of a heartbeat.
  const history = await stack.client.workflow.getHandle(adoptWorkflowId(stack.mapping.items.boardId)).fetchHistory();
  const attempts = (history.events ?? []).flatMap((e) => (e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt] : []));
  expect(attempts.length).toBeGreaterThan(3);
  expect(attempts.every((a) => a === 1)).toBe(true);
  // Its Monday work ran on the control queue, not behind the order backlog on the Monday queue.
  const queues = new Set((history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name === 'readBoardPage' ? [e.activityTaskScheduledEventAttributes.taskQueue?.name] : [])));
  expect([...queues]).toEqual([CONTROL_TASK_QUEUE]);
}, 400_000);
