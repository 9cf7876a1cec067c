// Issue 18: board adopt's planning and linking resume from their heartbeat after a retry. The activities as the worker
// runs them (MockActivityEnvironment gives the retried attempt the dead one's last heartbeat), on real parts: the
// sandbox over HTTP and an SQLite file.
import { MockActivityEnvironment } from '@temporalio/testing';
import { startStack, type Stack } from './support/stack';
import { legacyBoard } from './support/legacy-board';
import { generateOrderLines } from '../db/demo-data';
import { createTransform } from '../mapping';
import { createAdoptionActivities, type AdoptionActivities } from '../activities/adoption';

let stack: Stack;
/** An activity as the worker runs it, in this environment (attempt, last heartbeat). */
const run = <R>(env: MockActivityEnvironment, f: () => Promise<R>): Promise<R> => env.run(f) as Promise<R>;
let acts: AdoptionActivities;
const runId = 'resume-run';
const rows = generateOrderLines(6, 71);

beforeAll(async () => {
  stack = await startStack({ worker: false });
  await stack.store.insertSourceRows(rows);
  const transform = createTransform(stack.mapping);
  stack.sandbox.seedLegacy(stack.mapping.items.boardId, legacyBoard(stack.mapping, rows.map((r) => transform(r)), ['plain']).items);
  acts = createAdoptionActivities({ store: stack.store, mapping: stack.mapping, monday: stack.monday, adoptionGuard: true });
  const env = new MockActivityEnvironment();
  await run(env, () => acts.startAdoption({ runId }));
  for (const side of ['items', 'subitems'] as const) {
    for (let cursor: string | null = null; ;) {
      cursor = (await run(env, () => acts.readBoardPage({ runId, side, cursor }))).cursor;
      if (cursor === null) break;
    }
  }
}, 120_000);
afterAll(() => stack?.stop());

test('planning heartbeats; a retry after the plan was saved returns that plan instead of matching again', async () => {
  const heartbeats: unknown[] = [];
  const first = new MockActivityEnvironment();
  first.on('heartbeat', (d: unknown) => heartbeats.push(d));
  const planned = await run(first, () => acts.planAdoption({ runId }));
  expect(planned).toMatchObject({ boardItems: 9, missing: 0, orphans: 3 });
  expect(heartbeats.at(-1)).toEqual({ planned: true });

  // A new order line arrives; the worker died after saving the plan: the retry returns the saved plan.
  await stack.store.insertSourceRows(generateOrderLines(8, 71).slice(6));
  const retried = await run(new MockActivityEnvironment({ attempt: 2, heartbeatDetails: { planned: true } }), () => acts.planAdoption({ runId }));
  expect(retried).toEqual(planned);
  // A fresh attempt matches again and sees it.
  expect(await run(new MockActivityEnvironment(), () => acts.planAdoption({ runId }))).toMatchObject({ missing: 2 });
});

test('linking heartbeats the lines linked; a retry skips what the dead attempt linked and counts on from its heartbeat', async () => {
  const env = new MockActivityEnvironment();
  const beats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => beats.push(d));
  const first = await run(env, () => acts.linkAdoptedOrders({ runId }));
  expect(first.linked).toBe(6);
  expect(beats.at(-1)).toBe(6);

  // The attempt that linked them died after its last heartbeat (6): the retry links nothing again and reports 6.
  let statusWrites = 0;
  const counting = new Proxy(stack.store, {
    get(target, p) {
      const v = Reflect.get(target, p) as unknown;
      if (p === 'setOrderStatus') statusWrites++;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const retryActs = createAdoptionActivities({ store: counting, mapping: stack.mapping, monday: stack.monday, adoptionGuard: true });
  const retried = await run(new MockActivityEnvironment({ attempt: 2, heartbeatDetails: 6 }), () => retryActs.linkAdoptedOrders({ runId }));
  expect(retried.linked).toBe(6);
  expect(retried.awaitingSync).toBe(6);
  expect(statusWrites).toBe(0);
});
