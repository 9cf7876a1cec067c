// A full subitems board is handled like a full items board (issue 13, point 7): Monday refuses create_subitem
// beyond the subitems board's items_limit (ItemsLimitationException, per alias of a batch); the sizes that fit
// are kept, the order line is FAILED with the refused sizes in the error table, and a rerun after room is
// made creates only the missing sizes.
import { startStack, type Stack } from './support/stack';
import { readBoard } from './support/board';
import { runSyncOnce } from '../cli/sync-once';
import { generateOrderLines } from '../db/demo-data';
import { orderWorkflowId } from '../shared/order';
import { orderKeyOf } from '../mapping';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

test('sizes beyond a full subitems board fail the order (REJECTED), a rerun after the fix completes it without duplicates', async () => {
  const [row] = generateOrderLines(1, 31).filter((r) => stack.mapping.source.sizeColumns.filter((s) => Number(r[s] ?? 0) > 0).length >= 3);
  expect(row).toBeDefined();
  const sizes = stack.mapping.source.sizeColumns.filter((s) => Number(row![s] ?? 0) > 0);
  await stack.store.insertSourceRows([row!]);
  stack.sandbox.setItemsLimit(stack.mapping.subitems.boardId, 2);
  const key = orderKeyOf(stack.mapping, row!);

  const first = await runSyncOnce(stack.client, stack.store, { pageSize: 10 });
  expect(first).toMatchObject({ failed: 1 });
  const errors = await stack.store.listErrors({ orderKey: key, unresolvedOnly: true });
  expect(errors.filter((e) => e.scope === 'subitem' && e.errorType === 'ItemsLimitationException').map((e) => e.size).sort()).toEqual(sizes.slice(2).sort());
  expect(errors.find((e) => e.scope === 'item')).toMatchObject({ category: 'REJECTED', errorType: 'ItemsLimitationException' });
  const staged = await stack.store.getStagedOrder(key);
  expect(staged?.status).toBe('FAILED');
  expect(staged?.subitems.filter((s) => s.subitemId !== null)).toHaveLength(2);

  stack.sandbox.setItemsLimit(stack.mapping.subitems.boardId, 100_000);
  const handle = stack.client.workflow.getHandle(orderWorkflowId(key));
  await handle.signal('rerun');
  await expect(handle.result()).resolves.toMatchObject({ status: 'SYNCED', passes: 2 });
  const [item] = await readBoard(stack.sandbox.url, stack.mapping.items.boardId);
  const held = item!.subitems.map((s) => s.values[stack.mapping.subitems.sizeColumnId]?.text).sort();
  expect(held).toEqual([...sizes].sort());
});
