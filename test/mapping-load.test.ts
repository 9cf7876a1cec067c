// The mapping file: the shipped one is complete, and each kind of breakage stops start-up with
// a message naming the file, the path inside it and the bad value.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { dump, load } from 'js-yaml';
import { DEFAULT_MAPPING_FILE, loadMapping, MappingConfigError, parseMapping } from '../mapping';

type Doc = Record<string, any>;

const dir = mkdtempSync(path.join(tmpdir(), 'mapping-load-'));
const original = (): Doc => load(readFileSync(DEFAULT_MAPPING_FILE, 'utf8')) as Doc;

function writeMapping(name: string, doc: Doc): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, dump(doc));
  return file;
}

function configError(fn: () => unknown): MappingConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof MappingConfigError) return err;
    throw err;
  }
  throw new Error('expected a MappingConfigError');
}

describe('the shipped mapping file', () => {
  const mapping = loadMapping();

  it('is found at DEFAULT_MAPPING_FILE and remembers its path', () => {
    expect(path.isAbsolute(DEFAULT_MAPPING_FILE)).toBe(true);
    expect(mapping.file).toBe(DEFAULT_MAPPING_FILE);
  });

  it('states the source table, order key and boards', () => {
    expect(mapping.source.table).toBe('ORDERS_UNIFIED');
    expect(mapping.source.keyColumns).toEqual(['AAG ORDER NUMBER', 'CUSTOMER STYLE', 'CUSTOMER COLOUR DESCRIPTION']);
    expect(mapping.items.boardId).toBe('9200517329');
    expect(mapping.subitems.boardId).toBe('9200771505');
    expect(mapping.items.keyColumnId).toBe('text_mkr61hpz');
    expect(mapping.subitems).toMatchObject({ sizeColumnId: 'dropdown_mkrak7qp', qtyColumnId: 'numeric_mkra7j8e', name: 'Size {size}' });
  });

  it('lists all 268 ORDERS_UNIFIED columns: 107 non-size and the 161 sizes in DDL order, INFOR COLOUR CODE not a size', () => {
    const columns = Object.keys(mapping.source.columns);
    expect(columns).toHaveLength(107);
    expect(mapping.source.sizeColumns).toHaveLength(161);
    expect(mapping.source.sizeColumns.slice(0, 4)).toEqual(['XXXS', 'XXS', 'XS', 'S']);
    expect(mapping.source.sizeColumns.slice(-3)).toEqual(['M(10-12)', 'M(8-10)', 'S(6-8)']);
    expect(mapping.source.sizeColumns).not.toContain('INFOR COLOUR CODE');
    expect(mapping.source.columns['INFOR COLOUR CODE']).toBe('nvarchar');
    expect(columns.indexOf('UNIT OF MEASURE')).toBe(columns.indexOf('INFOR COLOUR CODE') - 1);
    expect(columns.indexOf('TOTAL QTY')).toBe(columns.indexOf('INFOR COLOUR CODE') + 1);
    expect(mapping.source.columns['record_uuid']).toBe('uniqueidentifier');
  });

  it('writes the 37 exact + 6 renamed fields plus RANGE / COLLECTION, FREIGHT as numbers', () => {
    const byId = new Map(mapping.items.columns.map((c) => [c.id, c]));
    expect(mapping.items.columns).toHaveLength(44);
    expect(byId.get('numeric_mksfr0r2')).toMatchObject({ source: 'FREIGHT', type: 'numbers' });
    expect(byId.has('text_mkr5kyf4')).toBe(false);
    expect(byId.get('long_text_mks0vs1p')).toMatchObject({ source: 'RANGE / COLLECTION', type: 'long_text' });
    expect(byId.get('dropdown_mkr518fc')).toMatchObject({ valueMap: { ACTIVE: 'RECEIVED', CANCELLED: 'CANCELLED' }, createLabels: false });
    expect(byId.get('numeric_mkr55zg1')?.replace).toEqual({ TRUE: '0' });
    // Every dropdown/status column says whether labels may be created; those that may not list them.
    for (const c of mapping.items.columns.filter((c) => c.type === 'dropdown' || c.type === 'status')) {
      if (!c.createLabels) expect(c.labels?.length).toBeGreaterThan(0);
    }
  });

  it('holds all 67 customer variant spellings of 50 customers', () => {
    expect(mapping.customers).toHaveLength(50);
    expect(mapping.customers.flatMap((c) => c.variants)).toHaveLength(67);
    const customerColumn = mapping.items.columns.find((c) => c.transform === 'canonical_customer');
    expect(customerColumn?.labels).toHaveLength(50);
  });
});

describe('a broken mapping file stops start-up', () => {
  const cases: [string, (doc: Doc) => void, string[]][] = [
    ['unknown column type', (d) => (d.items.columns[3].type = 'mirror'), ['items.columns[3].type', '"mirror"']],
    ['duplicate column id', (d) => (d.items.columns[5].id = d.items.columns[2].id), ['items.columns[5].id', 'duplicate column id', '"text_mkrhra2c"']],
    ['column id equal to the key column', (d) => (d.items.columns[2].id = 'text_mkr61hpz'), ['items.columns[2].id', 'items.keyColumnId', '"text_mkr61hpz"']],
    ['placeholder naming no source field', (d) => (d.items.itemName = '{CUSTOMER STYLE} {COLOUR}'), ['items.itemName', '{COLOUR}', 'names no source field', '"{CUSTOMER STYLE} {COLOUR}"']],
    ['size column used as placeholder', (d) => (d.items.group.template = '{customer} {XS}'), ['items.group.template', '{XS}']],
    ['unbalanced braces', (d) => (d.subitems.name = 'Size {size'), ['subitems.name', 'unbalanced', '"Size {size"']],
    ['value map on a numbers column', (d) => (d.items.columns.find((c: Doc) => c.id === 'numeric_mkr5cact').valueMap = { A: 'B' }), ['valueMap', 'only allowed on dropdown/status', 'type numbers']],
    ['dropdown without createLabels', (d) => delete d.items.columns.find((c: Doc) => c.id === 'dropdown_mkr5s5n3').createLabels, ['createLabels', 'must say whether missing labels may be created']],
    ['createLabels false without labels', (d) => (d.items.columns.find((c: Doc) => c.id === 'dropdown_mkr5s5n3').createLabels = false), ['labels', 'needs the list of allowed labels']],
    ['value map to a label not allowed', (d) => (d.items.columns.find((c: Doc) => c.id === 'dropdown_mkr518fc').valueMap.ACTIVE = 'LIVE'), ['valueMap.ACTIVE', 'not in labels', '"LIVE"']],
    ['source column that does not exist', (d) => (d.items.columns[0].source = 'CUSTOMER NAMES'), ['items.columns[0].source', 'names no column', '"CUSTOMER NAMES"']],
    ['source column that is a size', (d) => (d.items.columns[0].source = '2XL'), ['items.columns[0].source', 'is a size column', '"2XL"']],
    ['duplicate size column', (d) => (d.source.sizeColumns[10] = 'XS'), ['source.sizeColumns[10]', 'duplicate size column', '"XS"']],
    ['INFOR COLOUR CODE listed as a size', (d) => d.source.sizeColumns.push('INFOR COLOUR CODE'), ['source.sizeColumns[161]', 'not a size', '"INFOR COLOUR CODE"']],
    ['empty size list', (d) => (d.source.sizeColumns = []), ['source.sizeColumns']],
    ['unknown key column', (d) => (d.source.keyColumns[2] = 'COLOUR'), ['source.keyColumns[2]', '"COLOUR"']],
    ['duplicate customer variant', (d) => d.customers[1].variants.push('aje'), ['customers[3].variants[0]', 'also at customers[1].variants[1]', '"AJE"']],
    ['misspelt key', (d) => (d.items.columns[0].createLabel = true), ['items.columns[0]', 'unknown key', 'createLabel']],
    ['board id not digits', (d) => (d.items.boardId = 'board-1'), ['items.boardId', '"board-1"']],
    ['missing section', (d) => delete d.subitems, ['subitems', 'missing']],
  ];

  it.each(cases)('%s', (name, breakIt, expected) => {
    const doc = original();
    breakIt(doc);
    const file = writeMapping(name.replace(/\W+/g, '-'), doc);
    const err = configError(() => loadMapping(file));
    expect(err.file).toBe(file);
    expect(err.problems.length).toBeGreaterThan(0);
    const line = err.problems.find((p) => expected.every((e) => p.includes(e)));
    expect({ problems: err.problems, found: line !== undefined }).toEqual({ problems: err.problems, found: true });
    expect(line?.startsWith(`${file}: `)).toBe(true);
    expect(err.message).toContain(file);
  });

  it('lists every problem, not just the first', () => {
    const doc = original();
    doc.items.columns[3].type = 'mirror';
    doc.source.sizeColumns[10] = 'XS';
    doc.items.itemName = '{NOPE}';
    const err = configError(() => loadMapping(writeMapping('many', doc)));
    // zod problems come first; the cross-field rules run once the shape is right.
    expect(err.problems.some((p) => p.includes('items.columns[3].type'))).toBe(true);
    doc.items.columns[3].type = 'dropdown';
    const err2 = configError(() => loadMapping(writeMapping('many2', doc)));
    expect(err2.problems.some((p) => p.includes('source.sizeColumns[10]'))).toBe(true);
    expect(err2.problems.some((p) => p.includes('{NOPE}'))).toBe(true);
  });

  it('reports invalid YAML and a missing file with the file name', () => {
    expect(configError(() => parseMapping('a: [1, 2', '/x/broken.yaml')).message).toContain('/x/broken.yaml');
    const missing = path.join(dir, 'nope.yaml');
    expect(configError(() => loadMapping(missing)).message).toContain(missing);
  });
});
