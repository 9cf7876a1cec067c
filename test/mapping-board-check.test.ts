// The mapping against board column lists in Monday's boards{columns{id title type settings}} shape.
import type { BoardColumn } from '../mapping';
import { boardLabels, checkMappingAgainstBoards, createTransform, loadMapping } from '../mapping';

const mapping = loadMapping();
const transform = createTransform(mapping);

/** Boards exactly as the mapping expects them, with some labels already present. */
function boards(): { columns: BoardColumn[] }[] {
  const labels = (names: string[]) => ({ labels: names.map((name, i) => ({ id: i + 1, name })) });
  const items: BoardColumn[] = [
    { id: 'name', title: 'Name', type: 'name' },
    { id: mapping.items.keyColumnId, title: 'matchAlias', type: 'text' },
    ...mapping.items.columns.map((c) => ({
      id: c.id,
      title: c.title,
      type: c.type,
      ...(c.type === 'dropdown' ? { settings: labels(c.labels ?? ['WOMENS', '2026 SPRING']) } : {}),
      ...(c.type === 'status' ? { settings_str: JSON.stringify({ labels: { '1': 'PCE', '5': '' } }) } : {}),
    })),
  ];
  const subitems: BoardColumn[] = [
    { id: 'dropdown_mkrak7qp', title: 'Size', type: 'dropdown', settings: labels(['XS', 'S', 'M']) },
    { id: 'numeric_mkra7j8e', title: 'Order Qty', type: 'numbers' },
  ];
  return [{ columns: items }, { columns: subitems }];
}

const order = {
  'AAG ORDER NUMBER': 'JOO-00505',
  'CUSTOMER NAME': 'JOHNNIE O',
  'CUSTOMER STYLE': 'JWHD100120',
  'CUSTOMER COLOUR DESCRIPTION': 'WHITE',
  'AAG SEASON': '2026 SPRING',
  CATEGORY: 'WOMENS',
  'ORDER TYPE': 'ACTIVE',
  'UNIT OF MEASURE': 'PCE',
  S: 5,
  '2XL': 3,
};

describe('checkMappingAgainstBoards', () => {
  it('finds nothing wrong on matching boards and lists the labels a sync would create', () => {
    const result = checkMappingAgainstBoards(mapping, boards(), [transform(order)]);
    expect(result.problems).toEqual([]);
    expect(result.labelsToCreate).toEqual([
      { columnId: 'dropdown_mkr5tgaa', label: 'JWHD100120' },
      { columnId: 'dropdown_mkr5677f', label: 'WHITE' },
      { columnId: 'dropdown_mkrak7qp', label: '2XL' },
    ]);
  });

  it('reports a missing column and a column of the wrong type', () => {
    const [items, subitems] = boards();
    items!.columns = items!.columns.filter((c) => c.id !== 'numeric_mksfr0r2').map((c) => (c.id === 'date_mkr57811' ? { ...c, type: 'text' } : c));
    const { problems } = checkMappingAgainstBoards(mapping, [items!, subitems!]);
    expect(problems).toEqual([
      'items board 9200517329: column date_mkr57811 (CUSTOMER EX FACTORY DATE): the mapping writes date but the board column "CUSTOMER EX FACTORY DATE" is text',
      'items board 9200517329: column numeric_mksfr0r2 (FREIGHT): not found on the board',
    ]);
  });

  it('accepts the older type names color and numeric', () => {
    const [items, subitems] = boards();
    items!.columns = items!.columns.map((c) => (c.type === 'status' ? { ...c, type: 'color' } : c.type === 'numbers' ? { ...c, type: 'numeric' } : c));
    expect(checkMappingAgainstBoards(mapping, [items!, subitems!]).problems).toEqual([]);
  });

  it('reports allowed labels that are missing on a board that may not create them', () => {
    const [items, subitems] = boards();
    const orderType = items!.columns.find((c) => c.id === 'dropdown_mkr518fc')!;
    orderType.settings = JSON.stringify({ labels: [{ id: 1, name: 'RECEIVED' }, { id: 2, name: 'CANCELLED' }] });
    expect(checkMappingAgainstBoards(mapping, [items!, subitems!]).problems).toEqual([
      'items board 9200517329: column dropdown_mkr518fc (ORDER TYPE): allowed label "REBUY" is missing on the board and may not be created',
    ]);
  });

  it('says when a board is missing or returns no label settings', () => {
    const [items] = boards();
    delete items!.columns.find((c) => c.id === 'dropdown_mkr542p2')!.settings;
    const { problems } = checkMappingAgainstBoards(mapping, [items!]);
    expect(problems).toContain('subitems board 9200771505: not found or not readable');
    expect(problems).toContain('items board 9200517329: column dropdown_mkr542p2 (CUSTOMER): the board returned no label settings, so labels cannot be checked');
  });
});

describe('boardLabels', () => {
  it.each([
    ['dropdown settings object', { settings: { labels: [{ id: 1, name: 'A' }] } }, ['A']],
    ['new-style label objects', { settings: { labels: [{ id: 1, label: 'B' }] } }, ['B']],
    ['status settings_str map', { settings_str: '{"labels":{"0":"Working on it","1":"Done"}}' }, ['Working on it', 'Done']],
    ['settings as a JSON string', { settings: '{"labels":[{"id":1,"name":"C"}]}' }, ['C']],
  ])('reads %s', (_name, extra, expected) => {
    expect([...(boardLabels({ id: 'x', title: 'x', type: 'dropdown', ...extra }) ?? [])]).toEqual(expected);
  });

  it('returns undefined when there are no settings', () => {
    expect(boardLabels({ id: 'x', title: 'x', type: 'dropdown' })).toBeUndefined();
    expect(boardLabels({ id: 'x', title: 'x', type: 'dropdown', settings_str: 'not json' })).toBeUndefined();
  });
});
