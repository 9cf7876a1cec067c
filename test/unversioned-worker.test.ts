// WORKER_VERSIONING=false (a server older than 1.28): workers poll unversioned and load the workflows without
// versioning behaviours (the server refuses one from an unversioned worker), so a sync runs to the end.
import { startStack, type Stack } from './support/stack';
import { readBoard } from './support/board';
import { runSyncOnce } from '../cli/sync-once';
import { seedDemoData } from '../db/demo-data';
import { createWorkers, activityDeps, temporalTarget } from '../worker';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { WORKER_VERSIONING: 'false' } });
  await seedDemoData(stack.store);
});
afterAll(() => stack?.stop());

test('an unversioned worker syncs the demo orders', async () => {
  const summary = await runSyncOnce(stack.client, stack.store, { pageSize: 40 });
  expect(summary.failed).toBe(0);
  expect(summary.orders).toBeGreaterThan(0);
  expect(await readBoard(stack.sandbox.url, stack.mapping.items.boardId)).toHaveLength(summary.orders);
});

test('a prebuilt (versioned) bundle with WORKER_VERSIONING=false is refused, naming what to unset', async () => {
  const config = { ...stack.config, WORKFLOW_BUNDLE_PATH: '/nonexistent/workflow-bundle.js' };
  await expect(createWorkers(config, temporalTarget(config, stack.temporal.address), activityDeps(config, stack)))
    .rejects.toThrow(/unset WORKFLOW_BUNDLE_PATH/);
});
