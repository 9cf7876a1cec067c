// Labels by id (issue 13, point 3): create_labels_if_missing covers the whole mutation, so a label is sent by
// name only when it must be created, in a column that may create labels; a forbidden one never leaves.
import { MondayClient, idempotencyKey } from '../graphql/client';
import { LabelNotOnBoardError, resolveBoardLabels, resolveLabels } from '../graphql/labels';
import { writeItemWithinCeilings } from '../activities/label-ceiling';
import { startSandbox, type Sandbox } from '../sandbox/server';

const columns = [
  { id: 'dropdown_customer', title: 'CUSTOMER', type: 'dropdown', settings: { labels: [{ id: 20, name: 'GREYSON' }, { id: 21, name: 'PELOTON' }] } },
  { id: 'dropdown_style', title: 'STYLE', type: 'dropdown', settings: { labels: [{ id: 35, name: 'JWHD100120' }] } },
  { id: 'dropdown_size', title: 'Size', type: 'dropdown', settings_str: JSON.stringify({ labels: [{ id: 1, name: 'XS' }, { id: 9, name: '10' }, { id: 10, name: '2' }] }) },
  { id: 'color_status', title: 'STATUS', type: 'status', settings: { labels: { 5: '', 7: '00 PLANNING', 8: '2023' } } },
  { id: 'text_key', title: 'KEY', type: 'text', settings: {} },
];
const mayCreate = { mayCreate: (id: string) => id === 'dropdown_style' || id === 'dropdown_size' };

describe('resolveLabels', () => {
  test('existing labels go by id (case-insensitively), numeric-looking ones included; nothing is created', () => {
    const r = resolveLabels('B1', columns, {
      dropdown_customer: { labels: ['greyson'] }, dropdown_style: { labels: ['JWHD100120'] }, dropdown_size: { labels: ['10'] },
      color_status: { label: '2023' }, text_key: 'K|1',
    }, mayCreate);
    expect(r).toEqual({ createLabelsIfMissing: false, dropped: [], columnValues: {
      dropdown_customer: { ids: [20] }, dropdown_style: { ids: [35] }, dropdown_size: { ids: [9] }, color_status: { index: 8 }, text_key: 'K|1',
    } });
  });

  test('a missing label in a column that may create labels is sent by name, and only then is create_labels_if_missing set', () => {
    const r = resolveLabels('B1', columns, { dropdown_customer: { labels: ['PELOTON'] }, dropdown_style: { labels: ['NEW STYLE'] } }, mayCreate);
    expect(r).toEqual({ createLabelsIfMissing: true, dropped: [], columnValues: { dropdown_customer: { ids: [21] }, dropdown_style: { labels: ['NEW STYLE'] } } });
  });

  test('a deactivated label is never written by id: it counts as missing (issue 20)', () => {
    const retired = [{ id: 'dropdown_customer', title: 'CUSTOMER', type: 'dropdown', settings: { labels: [{ id: 20, name: 'GREYSON' }, { id: 22, name: 'OLD LTD', is_deactivated: true }] } },
      { id: 'dropdown_style', title: 'STYLE', type: 'dropdown', settings: { labels: [{ id: 35, name: 'OLD STYLE', is_deactivated: true }] } }];
    expect(() => resolveLabels('B1', retired, { dropdown_customer: { labels: ['OLD LTD'] } }, mayCreate)).toThrow(LabelNotOnBoardError);
    expect(resolveLabels('B1', retired, { dropdown_style: { labels: ['OLD STYLE'] } }, mayCreate).columnValues).toEqual({ dropdown_style: { labels: ['OLD STYLE'] } });
  });

  test('a new label for a column at its label ceiling leaves the cell out instead of failing the write', () => {
    const full = { id: 'dropdown_style', title: 'STYLE', type: 'dropdown', settings: { labels: Array.from({ length: 500 }, (_, i) => ({ id: i, name: `S${i}` })) } };
    const rules = { ...mayCreate, ceilingOf: (id: string) => (id === 'dropdown_style' ? 500 : null) };
    const r = resolveLabels('B1', [full, ...columns.slice(0, 1)], { dropdown_style: { labels: ['WT01087'] }, dropdown_customer: { labels: ['GREYSON'] } }, rules);
    expect(r.columnValues).toEqual({ dropdown_customer: { ids: [20] } });
    expect(r.createLabelsIfMissing).toBe(false);
    expect(r.dropped).toEqual([{ columnId: 'dropdown_style', title: 'STYLE', labels: ['WT01087'], count: 500, ceiling: 500 }]);
    // An existing label still goes, by id.
    expect(resolveLabels('B1', [full], { dropdown_style: { labels: ['S7'] } }, rules).columnValues).toEqual({ dropdown_style: { ids: [7] } });
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
    sandbox = await startSandbox({ tokens: ['labels-test-token'] });
    client = new MondayClient({ url: sandbox.url, token: 'labels-test-token' });
  });
  afterAll(() => sandbox.close());

  const customerLabels = async () => (await client.boardStructure('9200517329')).columns.find((c) => c.id === 'dropdown_mkr542p2')!.settings as { labels: { name: string }[] };

  test('a write that creates a STYLE label cannot create a CUSTOMER label: the customer goes by id or not at all', async () => {
    const before = (await customerLabels()).labels.length;
    const ok = await resolveBoardLabels(client, '9200517329', { dropdown_mkr542p2: { labels: ['GREYSON'] }, dropdown_mkr5tgaa: { labels: ['BRAND NEW STYLE'] } }, { mayCreate: (id) => id === 'dropdown_mkr5tgaa' });
    expect(ok.createLabelsIfMissing).toBe(true);
    expect(ok.columnValues.dropdown_mkr542p2).toEqual({ ids: [expect.any(Number)] });
    await client.createItem({ boardId: '9200517329', itemName: 'L1', groupId: null, columnValues: ok.columnValues, createLabelsIfMissing: true }, idempotencyKey('L1', 'create-item', 'h'));
    await expect(resolveBoardLabels(client, '9200517329', { dropdown_mkr542p2: { labels: ['NOT A CUSTOMER LTD'] } }, { mayCreate: () => false })).rejects.toThrow(LabelNotOnBoardError);
    expect((await customerLabels()).labels.length).toBe(before);
  });

  describe('a STYLE dropdown at Monday\'s 500 labels (issue 20)', () => {
    const board = '9200517329';
    const style = 'dropdown_mkr5tgaa';
    beforeAll(async () => {
      const have = ((await client.boardStructure(board)).columns.find((c) => c.id === style)!.settings as { labels: unknown[] }).labels.length;
      sandbox.addLabels(board, style, Array.from({ length: 500 - have }, (_, i) => `FILLER ${i}`));
    });
    const write = (key: string, ceiling: number) => writeItemWithinCeilings(client, { mayCreate: (id) => id === style, ceilingOf: (id) => (id === style ? ceiling : null) }, {
      boardId: board, keyColumnId: 'text_mkr61hpz', orderKey: key, itemName: key, groupName: 'GREYSON 2026 SPRING',
      columnValues: { [style]: { labels: ['WT01087'] }, dropdown_mkr542p2: { labels: ['GREYSON'] } }, payloadHash: 'h', knownItemId: null, outcomeUnknown: false,
    });
    const valuesOf = async (itemId: string) => Object.fromEntries((await client.boardReadBack(board, null)).items.find((i) => i.id === itemId)!.column_values.map((c) => [c.id, c.text]));

    test('the sandbox refuses a 501st label even with create_labels_if_missing, as the recorded ColumnValueException', async () => {
      await expect(client.createItem({ boardId: board, itemName: 'X', groupId: null, columnValues: { [style]: { labels: ['WT01087'] } }, createLabelsIfMissing: true }, idempotencyKey('X', 'create-item', 'h')))
        .rejects.toMatchObject({ code: 'ColumnValueException', message: expect.stringMatching(/The dropdown label 'WT01087' does not exist, possible labels are: \{/) });
    });

    test('the item is written without the cell, with its key; the cell is named', async () => {
      const { result, dropped } = await write('KEY-A', 500);
      expect(dropped).toEqual([{ columnId: style, title: 'STYLE', labels: ['WT01087'], count: 500, ceiling: 500 }]);
      const values = await valuesOf(result.itemId);
      expect(values.text_mkr61hpz).toBe('KEY-A');
      expect(values.dropdown_mkr542p2).toBe('GREYSON');
      expect(values[style]).toBe('');
    });

    test('a ceiling set above Monday\'s: Monday refuses, and the item is written again without the cell', async () => {
      const { result, dropped } = await write('KEY-B', 1000);
      expect(dropped.map((d) => d.columnId)).toEqual([style]);
      expect((await valuesOf(result.itemId)).text_mkr61hpz).toBe('KEY-B');
    });
  });
});
