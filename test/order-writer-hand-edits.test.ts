// What people do on the board by hand, met by the order writer over HTTP against the sandbox: items
// archived or deleted (a bare HTTP 500 included), groups renamed or deleted, a cached group id rejected.
import { MondayClient } from '../graphql/client';
import { MondayApiError } from '../graphql/errors';
import { ensureGroup, upsertItem, type ItemWrite } from '../graphql/order-writer';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { gql } from './support/board';
import { SANDBOX_TOKEN } from '../cli/targets';

const BOARD = '9200517329';
const KEY = 'text_mkr61hpz';
let sandbox: Sandbox;
beforeAll(async () => { sandbox = await startSandbox({ tokens: [SANDBOX_TOKEN] }); });
afterAll(async () => { await sandbox.close(); });
beforeEach(() => {
  sandbox.reset();
  sandbox.setFaults({ unknownItemAsServerError: false });
});

const client = () => new MondayClient({ url: sandbox.url, token: SANDBOX_TOKEN, timeoutMs: 5000 });
const write = (key: string, over: Partial<ItemWrite> = {}): ItemWrite => ({
  boardId: BOARD, keyColumnId: KEY, orderKey: key, itemName: key, groupName: 'GREYSON 2026 SPRING', columnValues: {},
  createLabelsIfMissing: false, payloadHash: 'h1', knownItemId: null, outcomeUnknown: false, ...over,
});
async function groups(): Promise<{ id: string; title: string }[]> {
  return (await gql<{ boards: { groups: { id: string; title: string }[] }[] }>(sandbox.url, 'query { boards(ids: [9200517329]) { groups { id title } } }')).boards[0]!.groups;
}
async function activeWithKey(key: string): Promise<string[]> {
  const r = await gql<{ items_page_by_column_values: { items: { id: string }[] } }>(sandbox.url,
    'query ($k: String!) { items_page_by_column_values(board_id: 9200517329, columns: [{ column_id: "text_mkr61hpz", column_values: [$k] }]) { items { id } } }', { k: key });
  return r.items_page_by_column_values.items.map((i) => i.id);
}

test('an item archived by hand: the write notices its state, drops the link and creates the line again once', async () => {
  const c = client();
  const first = await upsertItem(c, write('K1'));
  sandbox.setItemState(first.itemId, 'archived');
  const again = await upsertItem(c, write('K1', { knownItemId: first.itemId, payloadHash: 'h2' }));
  expect(again).toMatchObject({ action: 'created', relinked: true });
  expect(again.itemId).not.toBe(first.itemId);
  expect(await activeWithKey('K1')).toEqual([again.itemId]);
});

test('an item deleted by hand answered with a bare HTTP 500: one read tells it is gone, no retry is spent', async () => {
  const c = client();
  const first = await upsertItem(c, write('K2'));
  sandbox.setItemState(first.itemId, 'deleted');
  sandbox.setFaults({ unknownItemAsServerError: true });
  const before = sandbox.stats();
  const again = await upsertItem(c, write('K2', { knownItemId: first.itemId, payloadHash: 'h2' }));
  expect(again).toMatchObject({ action: 'created', relinked: true });
  expect(sandbox.stats().serverErrors - before.serverErrors).toBe(1);
  expect(await activeWithKey('K2')).toEqual([again.itemId]);
});

test('a genuine HTTP 500 on a live item is not mistaken for a deleted one: the error goes to Temporal to retry', async () => {
  const c = client();
  const first = await upsertItem(c, write('K3'));
  sandbox.setFaults({ serverErrorRate: 1 });
  const err = await upsertItem(c, write('K3', { knownItemId: first.itemId, payloadHash: 'h2' })).catch((e: unknown) => e);
  sandbox.setFaults({ serverErrorRate: 0 });
  expect(err).toBeInstanceOf(MondayApiError);
  expect((err as MondayApiError).kind).toBe('transient');
  expect(await activeWithKey('K3')).toEqual([first.itemId]);
});

test('the stale link is looked up by key first: an item of that key still on the board is reused, not duplicated', async () => {
  const c = client();
  const kept = await upsertItem(c, write('K4'));
  const lost = await upsertItem(c, write('K4-old'));   // staging still points at an item that is now gone
  sandbox.setItemState(lost.itemId, 'deleted');
  const r = await upsertItem(c, write('K4', { knownItemId: lost.itemId, payloadHash: 'h2' }));
  expect(r).toMatchObject({ itemId: kept.itemId, action: 'found', relinked: true });
  expect(await activeWithKey('K4')).toEqual([kept.itemId]);
});

test('MONDAY_MISSING_ITEM=fail: a deleted item fails the order with ITEM_GONE and creates nothing', async () => {
  const c = client();
  const first = await upsertItem(c, write('K5'));
  sandbox.setItemState(first.itemId, 'deleted');
  const err = await upsertItem(c, write('K5', { knownItemId: first.itemId, onMissingItem: 'fail', payloadHash: 'h2' })).catch((e: unknown) => e);
  expect(err).toMatchObject({ code: 'ITEM_GONE', kind: 'permanent' });
  expect(await activeWithKey('K5')).toEqual([]);
});

test('groups by id: a renamed group is reused; a deleted one is made again once however many orders need it', async () => {
  const c = client();
  const spring = (await groups()).find((g) => g.title === 'GREYSON 2026 SPRING')!;
  sandbox.renameGroup(BOARD, 'GREYSON 2026 SPRING', 'Spring (renamed by Anna)');
  const item = await upsertItem(c, write('G1', { rememberedGroupId: spring.id }));
  expect(item.groupId).toBe(spring.id);
  expect((await groups()).filter((g) => g.title === 'GREYSON 2026 SPRING')).toEqual([]);

  sandbox.deleteGroup(BOARD, 'Spring (renamed by Anna)');
  const fresh = client();   // a worker started after the delete: nothing cached
  const made = await Promise.all(['G2', 'G3', 'G4'].map((k) => upsertItem(fresh, write(k, { rememberedGroupId: spring.id }))));
  const recreated = (await groups()).filter((g) => g.title === 'GREYSON 2026 SPRING');
  expect(recreated).toHaveLength(1);
  expect(new Set(made.map((m) => m.groupId))).toEqual(new Set([recreated[0]!.id]));
});

test('a cached group id Monday rejects (deleted meanwhile) is forgotten and the create goes once more', async () => {
  const c = client();
  const cached = await ensureGroup(c, BOARD, 'TITLE 9 2026 FALL');
  sandbox.deleteGroup(BOARD, 'TITLE 9 2026 FALL');
  const r = await upsertItem(c, write('G5', { groupName: 'TITLE 9 2026 FALL' }));
  expect(r.action).toBe('created');
  expect(r.groupId).not.toBe(cached);
  expect((await groups()).filter((g) => g.title === 'TITLE 9 2026 FALL').map((g) => g.id)).toEqual([r.groupId]);
});
