// `orders-sync deploy check` on a real dev server, as a child process: it replays every running workflow's history
// on the bundle about to be deployed and names the ones that cannot replay.
import fs from 'node:fs';
import path from 'node:path';
import { startStack, type Stack } from './support/stack';
import { runCli } from './support/cli';
import { writeWorkflowBundle } from '../scripts/build-workflow-bundle';
import { generateOrderLines } from '../db/demo-data';
import { orderKeyOf } from '../mapping';
import { orderWorkflowId } from '../shared/order';
import { TASK_QUEUE } from '../shared/temporal';
import type { OrderProgress } from '../workflows';

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let stack: Stack;
let good: string;
let id: string;
beforeAll(async () => {
  stack = await startStack();
  good = path.join(stack.dir, 'workflow-bundle.js');
  await writeWorkflowBundle(good);
  // A running order: Monday refuses it, so it waits for a rerun.
  const [row] = generateOrderLines(1, 301);
  await stack.store.insertSourceRows([row!]);
  stack.sandbox.setItemsLimit(stack.mapping.items.boardId, 0);
  id = orderWorkflowId(orderKeyOf(stack.mapping, row!));
  await stack.client.workflow.start('syncWorkflow', { taskQueue: TASK_QUEUE, workflowId: 'sync-deploy-check', args: [{ pageSize: 50 }] });
  const handle = stack.client.workflow.getHandle(id);
  await waitFor('the order to wait for a rerun', async () => (await handle.query<OrderProgress>('status').catch(() => null))?.step === 'FAILED');
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

test('the bundle the workers run replays every running workflow: exit 0', async () => {
  const r = await runCli(stack.childEnv(), ['deploy', 'check', '--bundle', good]);
  expect(r.stdout).toMatch(/deploy check: replayed [1-9]\d* running workflow\(s\) on build [0-9a-f]{16} .*every one replays/);
  expect(r.code).toBe(0);
});

test('a bundle whose order workflow schedules another first activity: exit 1 naming the running order', async () => {
  // The same code with stageOrder renamed in the workflow: the change a forgotten patched() would make.
  const code = fs.readFileSync(good, 'utf8');
  const broken = code.replace(/\.stageOrder\(/g, '.stageOrderV2(');
  expect(broken).not.toBe(code);
  const bad = path.join(stack.dir, 'broken-bundle.js');
  fs.writeFileSync(bad, broken);
  const r = await runCli(stack.childEnv(), ['deploy', 'check', '--bundle', bad]);
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('cannot replay, do not deploy this build');
  expect(r.stdout).toContain(`  ${id} (run `);
  expect(r.stdout).toMatch(/Nondeterminism|stageOrderV2/);
});

test('deploy status names the current build, the one the workers promoted', async () => {
  const r = await runCli(stack.childEnv(), ['deploy', 'status', '--bundle', good]);
  expect(r.code).toBe(0);
  const build = /this checkout's bundle is build ([0-9a-f]{16})/.exec(r.stdout)?.[1];
  expect(r.stdout).toContain(`current build ${build}`);
});
