// Monday's items_page_by_column_values matches a text column's whole value case-insensitively, so two order
// lines whose keys differ only in case (X|S|Black, X|S|BLACK) find each other's items. The client keeps only
// exact matches of the key column's text (issue 13, point 2). The sandbox matches the way Monday documents.
import { MondayClient, idempotencyKey } from '../graphql/client';
import { upsertItem } from '../graphql/order-writer';
import { startSandbox, type Sandbox } from '../sandbox/server';

const BOARD = '9200517329';
const KEY_COLUMN = 'text_mkr61hpz';
let sandbox: Sandbox;
let client: MondayClient;
beforeAll(async () => {
  sandbox = await startSandbox({ tokens: ['t'] });
  client = new MondayClient({ url: sandbox.url, token: 't' });
});
afterAll(() => sandbox.close());

const create = (key: string) => client.createItem({ boardId: BOARD, itemName: key, groupId: null, columnValues: { [KEY_COLUMN]: key }, createLabelsIfMissing: false }, idempotencyKey(key, 'create-item', 'h'));

test('two order lines whose keys differ only in case each find their own item', async () => {
  const upper = await create('AAG1|S1|BLACK');
  const lower = await create('AAG1|S1|Black');
  // What Monday answers: both items, for either spelling.
  const raw = await fetch(sandbox.url, { method: 'POST', headers: { authorization: 't', 'content-type': 'application/json' },
    body: JSON.stringify({ query: `{ items_page_by_column_values(board_id: ${BOARD}, columns: [{ column_id: "${KEY_COLUMN}", column_values: ["aag1|s1|black"] }]) { items { id } } }` }) });
  expect(((await raw.json()) as { data: { items_page_by_column_values: { items: unknown[] } } }).data.items_page_by_column_values.items).toHaveLength(2);

  expect(await client.findItemsByKey(BOARD, KEY_COLUMN, 'AAG1|S1|Black')).toEqual([{ id: lower, name: 'AAG1|S1|Black' }]);
  expect(await client.findItemsByKey(BOARD, KEY_COLUMN, 'AAG1|S1|BLACK')).toEqual([{ id: upper, name: 'AAG1|S1|BLACK' }]);
  // A retry of the lower-case order line whose create answer was lost finds its own item, not the older one.
  const found = await upsertItem(client, { boardId: BOARD, keyColumnId: KEY_COLUMN, orderKey: 'AAG1|S1|Black', itemName: 'AAG1|S1|Black', groupName: 'G',
    columnValues: {}, createLabelsIfMissing: false, payloadHash: 'h2', knownItemId: null, outcomeUnknown: true });
  expect(found).toMatchObject({ itemId: lower, action: 'found' });
});
