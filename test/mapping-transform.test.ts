// The transform, rule by rule and column type by column type.
import type { SourceRow } from '../shared/order';
import { createTransform, loadMapping, MappingError, orderKeyOf, previewRows } from '../mapping';

const mapping = loadMapping();
const transform = createTransform(mapping);

const KEY = 'JOO-00505|JWHD100120|WHITE';

/** A minimal valid order line; tests override the fields they are about. */
function row(overrides: Record<string, unknown> = {}): SourceRow {
  return {
    'AAG ORDER NUMBER': 'JOO-00505',
    'CUSTOMER NAME': 'JOHNNIE O',
    'CUSTOMER STYLE': 'JWHD100120',
    'CUSTOMER COLOUR DESCRIPTION': 'WHITE',
    'AAG SEASON': '2026 SPRING',
    'CUSTOMER SEASON': 'SPRING SUMMER 2026',
    ...overrides,
  } as SourceRow;
}

function mappingError(fn: () => unknown): MappingError {
  try {
    fn();
  } catch (err) {
    if (err instanceof MappingError) return err;
    throw err;
  }
  throw new Error('expected a MappingError');
}

describe('column types: Monday write format', () => {
  const cases: [string, string, unknown, unknown][] = [
    ['text', 'PO NUMBER', '8148-00', '8148-00'],
    ['text from a number', 'PATTERN ID', 4711, '4711'],
    ['long_text', 'STYLE DESCRIPTION', 'NALLA', { text: 'NALLA' }],
    ['long_text keeps newlines, normalised', 'NOTES', 'ADDED\r\n20.5.25', { text: 'ADDED\n20.5.25' }],
    ['numbers', 'CUSTOMER PRICE', '28.86', '28.86'],
    ['numbers from a number', 'CUSTOMER PRICE', 28.5, '28.5'],
    ['numbers: $ and , stripped', 'CUSTOMER PRICE', '$1,234.50', '1234.5'],
    ['numbers: % stripped', 'US DUTY RATE', '16.5%', '16.5'],
    ['numbers: millions', 'CUSTOMER PRICE', '-1,234,567', '-1234567'],
    ['numbers: zero stays zero', 'FINAL FOB (USD)', '0', '0'],
    ['numbers: negative', 'DISCOUNT', '-2.50', '-2.5'],
    ['numbers: leading zeros and a bare fraction', 'DISCOUNT', '007', '7'],
    ['numbers: .5', 'DISCOUNT', '.5', '0.5'],
    ['date from YYYY-MM-DD', 'ORDER DATE PO RECEIVED', '2025-05-20', { date: '2025-05-20' }],
    ['date from YYYY-MM-DD HH:MM:SS', 'EX FACTORY DATE', '2025-09-26 13:45:00', { date: '2025-09-26' }],
    ['date from ISO with T and ms', 'EX FACTORY DATE', '2025-09-26T00:00:00.000Z', { date: '2025-09-26' }],
    ['date from a Date (SQL DATE)', 'ETA CUSTOMER WAREHOUSE DATE', new Date(Date.UTC(2026, 1, 28)), { date: '2026-02-28' }],
    ['date: leap day', 'EX FACTORY DATE', '2024-02-29', { date: '2024-02-29' }],
    ['dropdown', 'CATEGORY', 'WOMENS', { labels: ['WOMENS'] }],
    ['status', 'UNIT OF MEASURE', 'PCE', { label: 'PCE' }],
  ];
  const idOf = (source: string): string => mapping.items.columns.find((c) => c.source === source)?.id ?? 'missing';

  it.each(cases)('%s', (_name, source, value, expected) => {
    expect(transform(row({ [source]: value })).columnValues[idOf(source)]).toEqual(expected);
  });

  it.each([
    ['null', null],
    ['empty string', ''],
    ['only spaces', '   '],
    ['only control characters', '\u0000\u0007'],
  ])('omits %s values in every column type, never sending ""', (_name, value) => {
    const sources = ['PO NUMBER', 'NOTES', 'CUSTOMER PRICE', 'EX FACTORY DATE', 'CATEGORY', 'UNIT OF MEASURE', 'ORDER TYPE'];
    const payload = transform(row(Object.fromEntries(sources.map((s) => [s, value]))));
    for (const source of sources) expect(payload.columnValues).not.toHaveProperty(idOf(source));
    expect(Object.values(payload.columnValues)).not.toContain('');
  });

  it('writes the order key to the key column on every payload', () => {
    expect(transform(row()).columnValues['text_mkr61hpz']).toBe(KEY);
  });
});

describe('conversion errors name the order key, field, value and reason', () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['12,5kg in a numbers column', { 'CUSTOMER PRICE': '12,5kg' }, 'CUSTOMER PRICE', /not a number/],
    ['decimal comma (would silently become 1728)', { 'DDP US (USD)': '$17,28' }, 'DDP US (USD)', /comma may only separate thousands/],
    ['TRUE outside US TARIFF RATE', { 'US DUTY': 'TRUE' }, 'US DUTY', /not a number/],
    ['lone $', { 'CUSTOMER PRICE': '$' }, 'CUSTOMER PRICE', /not a number/],
    ['scientific notation', { 'CUSTOMER PRICE': 1e21 }, 'CUSTOMER PRICE', /not a number/],
    ['not a date', { 'EX FACTORY DATE': 'next tuesday' }, 'EX FACTORY DATE', /not a date/],
    ['ambiguous slashed date', { 'EX FACTORY DATE': '05/06/2025' }, 'EX FACTORY DATE', /not a date/],
    ['impossible date', { 'EX FACTORY DATE': '2025-02-30' }, 'EX FACTORY DATE', /no such calendar date/],
    ['month 13', { 'ORDER DATE PO RECEIVED': '2025-13-01' }, 'ORDER DATE PO RECEIVED', /no such calendar date/],
    ['invalid Date object', { 'EX FACTORY DATE': new Date('garbage') }, 'EX FACTORY DATE', /invalid date/],
    ['number in a date column', { 'EX FACTORY DATE': 45000 }, 'EX FACTORY DATE', /not a date/],
    ['negative quantity', { M: -3 }, 'M', /negative quantity/],
    ['fractional quantity', { L: 2.5 }, 'L', /fractional quantity/],
    ['fractional quantity as text', { L: '2.5' }, 'L', /fractional quantity/],
    ['non-numeric quantity', { XL: 'ten' }, 'XL', /not a number/],
    ['quantity with a thousands comma', { XL: '1,000' }, 'XL', /not a number/],
    ['unknown ORDER TYPE label', { 'ORDER TYPE': 'PROVISIONAL' }, 'ORDER TYPE', /not an allowed ORDER TYPE label/],
    ['long_text over 2000 characters', { NOTES: 'x'.repeat(2001) }, 'NOTES', /longer than 2000/],
    ['status label over 30 characters', { 'UNIT OF MEASURE': 'P'.repeat(31) }, 'UNIT OF MEASURE', /at most 30/],
    ['object where a value belongs', { 'PO NUMBER': { a: 1 } }, 'PO NUMBER', /unsupported value type/],
  ];

  it.each(cases)('%s', (_name, overrides, field, reason) => {
    const err = mappingError(() => transform(row(overrides)));
    expect(err.orderKey).toBe(KEY);
    expect(err.field).toBe(field);
    expect(err.value).toEqual(overrides[field]);
    expect(err.reason).toMatch(reason);
    expect(err.message).toContain(KEY);
    expect(err.message).toContain(field);
    expect(err.message).toContain(err.reason);
    expect(err.category).toBe('DATA');
  });

  it('shortens a long value in the message but keeps it on the error', () => {
    const long = 'y'.repeat(5000);
    const err = mappingError(() => transform(row({ NOTES: long })));
    expect(err.value).toBe(long);
    expect(err.message.length).toBeLessThan(400);
    expect(err.message).toContain('5002 chars');
  });
});

describe('rules', () => {
  it.each([
    ['ACTIVE', 'RECEIVED'],
    ['active', 'RECEIVED'],
    ['CANCELLED', 'CANCELLED'],
    ['Cancelled', 'CANCELLED'],
    ['REBUY', 'REBUY'],
    ['rebuy', 'REBUY'],
  ])('ORDER TYPE %s → %s', (from, to) => {
    expect(transform(row({ 'ORDER TYPE': from })).columnValues['dropdown_mkr518fc']).toEqual({ labels: [to] });
  });

  it.each([
    ['TRUE', '0'],
    ['true', '0'],
    ['5%', '5'],
    ['0.075', '0.075'],
  ])('US TARIFF RATE %s → %s', (from, to) => {
    expect(transform(row({ 'US TARIFF RATE': from })).columnValues['numeric_mkr55zg1']).toBe(to);
  });

  it('trims and strips control characters from text, key parts and names', () => {
    const payload = transform(row({ 'CUSTOMER STYLE': '\t JWHD100120\u0001 ', 'CUSTOMER COLOUR DESCRIPTION': 'WHI\u0007TE\r\n', 'STYLE DESCRIPTION': ' NAL\u001bLA\u0000 ' }));
    expect(payload.key).toBe(KEY);
    expect(payload.itemName).toBe('JWHD100120 WHITE JOO-00505');
    expect(payload.columnValues['dropdown_mkr5tgaa']).toEqual({ labels: ['JWHD100120'] });
    expect(payload.columnValues['long_text_mkr5p0cf']).toEqual({ text: 'NALLA' });
  });

  it('rejects a NUL character in a key part (SQLite and Babelfish cannot compare it), naming the field and value', () => {
    expect(() => transform(row({ 'CUSTOMER STYLE': 'JWHD100120\u0000' }))).toThrow(MappingError);
    expect(() => transform(row({ 'CUSTOMER STYLE': 'JWHD100120\u0000' }))).toThrow(/CUSTOMER STYLE = "JWHD100120\\u0000": order key part contains a NUL character/);
  });

  describe('customer canonicalisation', () => {
    it.each([
      ['GREYSON CLOTHIERS', 'GREYSON'],
      ['TITLE 9', 'TITLE NINE'],
      ['TRACKSMITH', 'TRACK SMITH'],
      ['RHYTHM (AU)', 'RHYTHM'],
      ['RHYTHM (US)', 'RHYTHM'],
      ['LORNA JANE (NZ)', 'LORNA JANE'],
      ['Peloton Private Label', 'PELOTON'],
      ['PELOTON PRIVATE LABEL', 'PELOTON'],
      ['aesthetic revolution llc (us)', 'ASRV'],
      ['AJE ATHLETICA (AU)', 'AJE'],
      ['  boggi milano ', 'BOGGI'],
      ['JOHNNIE O', 'JOHNNIE O'],
    ])('%s → %s', (name, canonical) => {
      const payload = transform(row({ 'CUSTOMER NAME': name }));
      expect(payload.customer).toBe(canonical);
      expect(payload.columnValues['dropdown_mkr542p2']).toEqual({ labels: [canonical] });
    });

    it.each(['AJE SOMETHING ELSE', 'AJ', 'GREYSON CLOTHIERS INC', 'RARE BRAND', 'TITLE'])('no substring guessing: %s is unknown', (name) => {
      const err = mappingError(() => transform(row({ 'CUSTOMER NAME': name })));
      expect(err.field).toBe('CUSTOMER NAME');
      expect(err.value).toBe(name);
      expect(err.reason).toMatch(/unknown customer/);
    });

    it('an empty customer is an error', () => {
      expect(mappingError(() => transform(row({ 'CUSTOMER NAME': ' ' }))).reason).toMatch(/customer is empty/);
    });
  });

  describe('group name', () => {
    it.each([
      ['CUSTOMER SEASON first', { 'CUSTOMER NAME': 'GREYSON CLOTHIERS', 'CUSTOMER SEASON': '2026 SPRING', 'AAG SEASON': '2025 FALL' }, 'GREYSON 2026 SPRING'],
      ['AAG SEASON when CUSTOMER SEASON is blank', { 'CUSTOMER SEASON': '  ', 'AAG SEASON': '2025 FALL' }, 'JOHNNIE O 2025 FALL'],
      ['AAG SEASON when CUSTOMER SEASON is null', { 'CUSTOMER SEASON': null, 'AAG SEASON': '2025 FALL' }, 'JOHNNIE O 2025 FALL'],
      ['fallback when both are blank', { 'CUSTOMER SEASON': null, 'AAG SEASON': '' }, 'JOHNNIE O UNKNOWN SEASON'],
      ['canonical customer, not the raw name', { 'CUSTOMER NAME': 'WHITE FOX (AU)', 'CUSTOMER SEASON': '2025 Q2' }, 'WHITE FOX 2025 Q2'],
    ])('%s', (_name, overrides, group) => {
      expect(transform(row(overrides)).groupName).toBe(group);
    });
  });

  describe('item name', () => {
    it('is STYLE COLOUR ORDER joined by single spaces', () => {
      const payload = transform(row({ 'CUSTOMER STYLE': 'M01Z26', 'CUSTOMER COLOUR DESCRIPTION': 'TOTAL ECLIPSE/TRUE BLACK LINER', 'AAG ORDER NUMBER': 'MWE-00025' }));
      expect(payload.itemName).toBe('M01Z26 TOTAL ECLIPSE/TRUE BLACK LINER MWE-00025');
    });

    it('over 255 characters is an error', () => {
      const colour = 'C'.repeat(250);
      const err = mappingError(() => transform(row({ 'CUSTOMER COLOUR DESCRIPTION': colour })));
      expect(err.field).toBe('item name');
      expect(err.reason).toMatch(/at most 255/);
      expect(err.orderKey).toBe(`JOO-00505|JWHD100120|${colour}`);
    });

    it('of exactly 255 characters is fine', () => {
      const colour = 'C'.repeat(255 - 'JWHD100120  JOO-00505'.length);
      expect(transform(row({ 'CUSTOMER COLOUR DESCRIPTION': colour })).itemName).toHaveLength(255);
    });
  });

  describe('order key', () => {
    it('is the trimmed parts joined with |', () => {
      expect(orderKeyOf(mapping, row({ 'CUSTOMER STYLE': ' JWHD100120 ' }))).toBe(KEY);
    });

    it.each(['AAG ORDER NUMBER', 'CUSTOMER STYLE', 'CUSTOMER COLOUR DESCRIPTION'])('a missing %s is an error', (column) => {
      const err = mappingError(() => orderKeyOf(mapping, row({ [column]: null })));
      expect(err.field).toBe(column);
      expect(err.reason).toMatch(/order key part is empty/);
      expect(mappingError(() => transform(row({ [column]: '  ' }))).field).toBe(column);
    });

    it('a key longer than SQL Server\'s key columns hold (450 characters) is a DATA error naming the row and its longest part', () => {
      const long = 'S'.repeat(440);
      const err = mappingError(() => transform(row({ 'CUSTOMER STYLE': long })));
      expect(err.field).toBe('CUSTOMER STYLE');
      expect(err.reason).toMatch(/order key is \d+ characters long; at most 450/);
      expect(err.message).toMatch(/^order JOO-00505\|S+\|WHITE: CUSTOMER STYLE = /);
      expect(orderKeyOf(mapping, row({ 'CUSTOMER STYLE': 'S'.repeat(400) })).length).toBeLessThanOrEqual(450);
    });

    it('a part containing | is an error (the key would be ambiguous)', () => {
      expect(mappingError(() => orderKeyOf(mapping, row({ 'CUSTOMER STYLE': 'A|B' }))).reason).toMatch(/separator/);
    });
  });

  describe('sizes → subitems', () => {
    it('makes one subitem per size with qty > 0, in size-column order, not row order', () => {
      const payload = transform(row({ XL: 4, '2XL': '7', XS: 10, S: 0, M: null, L: '', '32DD': 1 }));
      expect(payload.subitems.map((s) => s.size)).toEqual(['XS', 'XL', '32DD', '2XL']);
      expect(payload.subitems[0]).toEqual({
        size: 'XS',
        name: 'Size XS',
        qty: 10,
        columnValues: { dropdown_mkrak7qp: { labels: ['XS'] }, numeric_mkra7j8e: '10' },
      });
      expect(payload.subitems[3]).toMatchObject({ name: 'Size 2XL', qty: 7 });
    });

    it('never makes INFOR COLOUR CODE a size, even when it looks numeric', () => {
      const payload = transform(row({ 'INFOR COLOUR CODE': '001', XS: 1 }));
      expect(payload.subitems.map((s) => s.size)).toEqual(['XS']);
    });

    it('ignores TOTAL QTY and other INT columns that are not sizes', () => {
      expect(transform(row({ 'TOTAL QTY': 500, 'Sum of TOTAL QTY': 500 })).subitems).toEqual([]);
    });

    it('accepts integer strings and integral floats', () => {
      expect(transform(row({ S: ' 12 ', M: 3.0 })).subitems.map((s) => s.qty)).toEqual([12, 3]);
    });
  });

  describe('createLabelsIfMissing', () => {
    it('is true when a column that may create labels is written', () => {
      expect(transform(row()).createLabelsIfMissing).toBe(true); // AAG SEASON may create labels
    });

    it('is false when only columns that may not create labels are written', () => {
      // STYLE and COLOR (key parts) may create labels, so leave those columns out to see the flag fall.
      const strict = createTransform({ ...mapping, items: { ...mapping.items, columns: mapping.items.columns.filter((c) => !c.createLabels) } });
      expect(strict(row({ 'AAG SEASON': null, 'CUSTOMER SEASON': null })).createLabelsIfMissing).toBe(false);
      expect(strict(row({ 'AAG SEASON': null, 'CUSTOMER SEASON': null, XS: 1 })).createLabelsIfMissing).toBe(true); // new size labels
    });
  });

  describe('hash', () => {
    it('is a sha256 hex that ignores the row key order and fields that are not sent', () => {
      const a = transform(row({ XS: 1, 'CUSTOMER PRICE': '$10.00', VALIDATION: 'x' }));
      const reordered = Object.fromEntries(Object.entries(row({ XS: 1, 'CUSTOMER PRICE': '10', VALIDATION: 'y' })).reverse()) as SourceRow;
      expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(transform(reordered).hash).toBe(a.hash);
    });

    it.each([
      ['a column value', { 'CUSTOMER PRICE': '11' }],
      ['a quantity', { XS: 2 }],
      ['a new size', { S: 1 }],
      ['the group', { 'CUSTOMER SEASON': 'FALL' }],
      ['the item name', { 'CUSTOMER STYLE': 'JWHD100121' }],
    ])('changes with %s', (_name, change) => {
      const base = row({ XS: 1, 'CUSTOMER PRICE': '10' });
      expect(transform({ ...base, ...change } as SourceRow).hash).not.toBe(transform(base).hash);
    });
  });

  it('fills customer, PO number and AAG order number', () => {
    expect(transform(row({ 'PO NUMBER': ' 8148-00 ' }))).toMatchObject({ customer: 'JOHNNIE O', poNumber: '8148-00', aagOrderNumber: 'JOO-00505' });
    expect(transform(row()).poNumber).toBeNull();
  });
});

describe('previewRows', () => {
  it('keeps good rows and collects failures without throwing', () => {
    const rows = [row(), row({ 'CUSTOMER NAME': 'NOBODY' }), row({ 'AAG ORDER NUMBER': 'JOO-00506' })];
    const { payloads, failures } = previewRows(transform, rows);
    expect(payloads.map((p) => p.key)).toEqual([KEY, 'JOO-00506|JWHD100120|WHITE']);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(MappingError);
    expect(failures[0]?.field).toBe('CUSTOMER NAME');
  });

  it('rethrows errors that are not mapping errors', () => {
    expect(() =>
      previewRows(() => {
        throw new TypeError('bug');
      }, [row()]),
    ).toThrow(TypeError);
  });
});
