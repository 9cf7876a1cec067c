// Labels by id (issue 13, point 3): create_labels_if_missing covers the whole mutation, so a label is sent by
// name only when it must be created, in a column that may create labels; a forbidden one never leaves.
import { MondayClient, idempotencyKey } from '../graphql/client';
import { LabelNotOnBoardError, resolveBoardLabels, resolveLabels } from '../graphql/labels';
import { startSandbox, type Sandbox } from '../sandbox/server';

const columns = [
  { id: 'dropdown_customer', title: 'CUSTOMER', type: 'dropdown', settings: { labels: [{ id: 20, name: 'GREYSON' }, { id: 21, name: 'PELOTON' }] } },
  { id: 'dropdown_style', title: 'STYLE', type: 'dropdown', settings: { labels: [{ id: 35, name: 'JWHD100120' }] } },
  { id: 'dropdown_size', title: 'Size', type: 'dropdown', settings_str: JSON.stringify({ labels: [{ id: 1, name: 'XS' }, { id: 9, name: '10' }, { id: 10, name: '2' }] }) },
  { id: 'color_status', title: 'STATUS', type: 'status', settings: { labels: { 5: '', 7: '00 PLANNING', 8: '2023' } } },
  { id: 'text_key', title: 'KEY', type: 'text', settings: {} },
];
const mayCreate = (id: string) => id === 'dropdown_style' || id === 'dropdown_size';

describe('resolveLabels', () => {
  test('existing labels go by id (case-insensitively), numeric-looking ones included; nothing is created', () => {
    const r = resolveLabels('B1', columns, {
      dropdown_customer: { labels: ['greyson'] }, dropdown_style: { labels: ['JWHD100120'] }, dropdown_size: { labels: ['10'] },
      color_status: { label: '2023' }, text_key: 'K|1',
    }, mayCreate);
    expect(r).toEqual({ createLabelsIfMissing: false, columnValues: {
      dropdown_customer: { ids: [20] }, dropdown_style: { ids: [35] }, dropdown_size: { ids: [9] }, color_status: { index: 8 }, text_key: 'K|1',
    } });
  });

  test('a missing label in a column that may create labels is sent by name, and only then is create_labels_if_missing set', () => {
    const r = resolveLabels('B1', columns, { dropdown_customer: { labels: ['PELOTON'] }, dropdown_style: { labels: ['NEW STYLE'] } }, mayCreate);
    expect(r).toEqual({ createLabelsIfMissing: true, columnValues: { dropdown_customer: { ids: [21] }, dropdown_style: { labels: ['NEW STYLE'] } } });
  });

  test('a missing label in a column that may not create labels is rejected before sending, naming column and value', () => {
    const attempt = () => resolveLabels('B1', columns, { dropdown_style: { labels: ['NEW STYLE'] }, dropdown_customer: { labels: ['NO SUCH LTD'] } }, mayCreate);
    expect(attempt).toThrow(LabelNotOnBoardError);
    expect(attempt).toThrow(/"NO SUCH LTD".*dropdown_customer \(CUSTOMER\)/);
  });
});

describe('against the sandbox', () => {
  let sandbox: Sandbox;
  let client: MondayClient;
  beforeAll(async () => {
    sandbox = await startSandbox({ tokens: ['t'] });
    client = new MondayClient({ url: sandbox.url, token: 't' });
  });
  afterAll(() => sandbox.close());

  const customerLabels = async () => (await client.boardStructure('9200517329')).columns.find((c) => c.id === 'dropdown_mkr542p2')!.settings as { labels: { name: string }[] };

  test('a write that creates a STYLE label cannot create a CUSTOMER label: the customer goes by id or not at all', async () => {
    const before = (await customerLabels()).labels.length;
    const ok = await resolveBoardLabels(client, '9200517329', { dropdown_mkr542p2: { labels: ['GREYSON'] }, dropdown_mkr5tgaa: { labels: ['BRAND NEW STYLE'] } }, (id) => id === 'dropdown_mkr5tgaa');
    expect(ok.createLabelsIfMissing).toBe(true);
    expect(ok.columnValues.dropdown_mkr542p2).toEqual({ ids: [expect.any(Number)] });
    await client.createItem({ boardId: '9200517329', itemName: 'L1', groupId: null, columnValues: ok.columnValues, createLabelsIfMissing: true }, idempotencyKey('L1', 'create-item', 'h'));
    await expect(resolveBoardLabels(client, '9200517329', { dropdown_mkr542p2: { labels: ['NOT A CUSTOMER LTD'] } }, () => false)).rejects.toThrow(LabelNotOnBoardError);
    expect((await customerLabels()).labels.length).toBe(before);
  });
});
