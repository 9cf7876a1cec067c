// Properties over arbitrary rows: the transform is deterministic and fails only with MappingError.
import fc from 'fast-check';
import type { SourceRow } from '../shared/order';
import { createTransform, loadMapping, MappingError, orderKeyOf } from '../mapping';
import { KEY_IGNORED_CODES, sourceKeyPart } from '../db/common';

const mapping = loadMapping();
const transform = createTransform(mapping);
const customers = mapping.customers.flatMap((c) => c.variants);
const columns = [...Object.keys(mapping.source.columns), ...mapping.source.sizeColumns];

// Values a SQL driver or a JSON file could hand us, biased towards the interesting ones.
const anyValue = fc.oneof(
  fc.constant(null),
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', ' ', 'TRUE', '$1,234.50', '12,5kg', '2025-02-30', '2025-05-20', '2025-05-20 10:00:00', '-1', '1.5', 'ACTIVE', '\u0000\t'),
  fc.integer(),
  fc.double(),
  fc.date({ noInvalidDate: false }),
  fc.boolean(),
);
const name = fc.string({ minLength: 1, maxLength: 30 });
const quantity = fc.oneof(fc.constant(null), fc.nat(500), fc.integer({ min: -5, max: 5 }), fc.constantFrom('3', '0', '', 'x', '2.5'));

const keyPart = fc.oneof(
  { weight: 9, arbitrary: fc.stringMatching(/^[A-Z0-9][A-Z0-9 /-]{0,14}$/) },
  { weight: 1, arbitrary: fc.oneof(fc.constant(null), fc.string({ maxLength: 20 })) },
);

/** Anything at all in any column: for "throws nothing but MappingError". */
const wildRow = fc
  .record({
    base: fc.dictionary(fc.constantFrom(...columns), anyValue, { maxKeys: 40 }),
    sizes: fc.dictionary(fc.constantFrom(...mapping.source.sizeColumns), quantity, { maxKeys: 12 }),
    customer: fc.oneof(fc.constantFrom(...customers), name),
    order: keyPart,
    style: keyPart,
    colour: keyPart,
  })
  .map(({ base, sizes, customer, order, style, colour }) => ({ ...base, ...sizes, 'CUSTOMER NAME': customer, 'AAG ORDER NUMBER': order, 'CUSTOMER STYLE': style, 'CUSTOMER COLOUR DESCRIPTION': colour }) as SourceRow);

/** Rows shaped like real data (right kind of value per column), so most of them map. */
const byType = (type: string): fc.Arbitrary<unknown> => {
  switch (type) {
    case 'numbers':
      return fc.oneof(fc.constant(null), fc.integer({ min: -1e6, max: 1e6 }), fc.constantFrom('$1,234.50', '16.5%', '0', '12.40'));
    case 'date':
      return fc.oneof(fc.constant(null), fc.date({ min: new Date(Date.UTC(1990, 0, 1)), max: new Date(Date.UTC(2090, 0, 1)), noInvalidDate: true }), fc.constantFrom('2025-05-20', '2025-09-26 00:00:00'));
    case 'dropdown':
    case 'status':
      return fc.oneof(fc.constant(null), fc.stringMatching(/^[A-Z0-9 ]{1,20}$/));
    default:
      return fc.oneof(fc.constant(null), fc.string({ maxLength: 60 }));
  }
};
const plausibleRow = fc
  .record({
    columns: fc.record(Object.fromEntries(mapping.items.columns.filter((c) => !c.transform && c.id !== 'dropdown_mkr518fc').map((c) => [c.source, byType(c.type)]))),
    orderType: fc.constantFrom(null, 'ACTIVE', 'active', 'CANCELLED', 'REBUY'),
    sizes: fc.dictionary(fc.constantFrom(...mapping.source.sizeColumns), fc.oneof(fc.constant(null), fc.nat(500)), { maxKeys: 12 }),
    customer: fc.constantFrom(...customers),
    order: keyPart,
    style: keyPart,
    colour: keyPart,
  })
  .map(({ columns, orderType, sizes, customer, order, style, colour }) => ({ ...columns, ...sizes, 'ORDER TYPE': orderType, 'CUSTOMER NAME': customer, 'AAG ORDER NUMBER': order, 'CUSTOMER STYLE': style, 'CUSTOMER COLOUR DESCRIPTION': colour }) as SourceRow);

function outcome(row: SourceRow): unknown {
  try {
    return { ok: transform(row) };
  } catch (err) {
    if (err instanceof MappingError) return { error: err.message };
    throw err; // anything else fails the property
  }
}

describe('transform properties', () => {
  it('is deterministic and throws nothing but MappingError', () => {
    fc.assert(
      fc.property(fc.oneof(wildRow, plausibleRow), (row) => {
        const first = outcome(row);
        expect(outcome(row)).toEqual(first);
        // A freshly compiled transform agrees too (no state carried between rows or instances).
        let again: unknown;
        try {
          again = { ok: createTransform(mapping)(row) };
        } catch (err) {
          again = { error: (err as Error).message };
        }
        expect(again).toEqual(first);
      }),
      { numRuns: 600 },
    );
  });

  it('sends no empty strings, writes the key, and only positive integer quantities', () => {
    let mapped = 0;
    fc.assert(
      fc.property(plausibleRow, (row) => {
        let payload;
        try {
          payload = transform(row);
        } catch (err) {
          if (err instanceof MappingError) return;
          throw err;
        }
        mapped++;
        expect(Object.values(payload.columnValues)).not.toContain('');
        expect(payload.columnValues[mapping.items.keyColumnId]).toBe(payload.key);
        expect(payload.itemName.length).toBeGreaterThan(0);
        expect(payload.itemName.length).toBeLessThanOrEqual(255);
        for (const sub of payload.subitems) expect(Number.isInteger(sub.qty) && sub.qty > 0).toBe(true);
        const order = payload.subitems.map((s) => mapping.source.sizeColumns.indexOf(s.size));
        expect(order).toEqual([...order].sort((a, b) => a - b));
      }),
      { numRuns: 600 },
    );
    expect(mapped).toBeGreaterThan(200); // the property was really exercised on mapped rows
  });
});

// Paging and look-ups compare key parts as db/common.ts sourceKeyPart does (coarser than the mapping), then the
// exact mapped key: that only works if every character the mapping's key cleaning touches is one sourceKeyPart drops.
describe('key parts: the store compares coarser than the mapping', () => {
  const [firstKey] = mapping.source.keyColumns as [string];
  const keyPartOf = (value: string): string | null => {
    try {
      return orderKeyOf(mapping, { [firstKey]: value, ...Object.fromEntries(mapping.source.keyColumns.slice(1).map((c) => [c, 'X'])) }).split('|')[0] as string;
    } catch (err) {
      if (err instanceof MappingError) return null;
      throw err;
    }
  };

  test('every character the mapping cleans out of a key part (inside it or at its ends) is one sourceKeyPart ignores', () => {
    const ignored = new Set(KEY_IGNORED_CODES);
    const touched: number[] = [];
    for (let code = 1; code <= 0xffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;   // lone surrogates: not text
      const ch = String.fromCharCode(code);
      const cleaned = (v: string): boolean => { const part = keyPartOf(v); return part !== null && part !== v; };   // null: rejected (the separator)
      if (cleaned(`A${ch}B`) || cleaned(`${ch}A`) || cleaned(`A${ch}`)) touched.push(code);
    }
    expect(touched.length).toBeGreaterThan(60);
    expect(touched.filter((c) => !ignored.has(c)).map((c) => c.toString(16))).toEqual([]);
  });

  test('equal mapped key parts are always equal as sourceKeyPart (arbitrary spacing, controls and Unicode spaces)', () => {
    const noisy = fc.array(fc.constantFrom('A', 'b', ' ', '\t', '\r\n', '\u0001', '\u0085', '\u00a0', '\u2003', '\u3000', '\ufeff', 'É'), { maxLength: 12 }).map((cs) => cs.join(''));
    fc.assert(fc.property(noisy, noisy, (a, b) => {
      const [ka, kb] = [keyPartOf(`K${a}`), keyPartOf(`K${b}`)];
      if (ka !== null && ka === kb) expect(sourceKeyPart(`K${a}`)).toBe(sourceKeyPart(`K${b}`));
      if (ka !== null) expect(sourceKeyPart(ka)).toBe(sourceKeyPart(`K${a}`));
    }), { numRuns: 2000 });
  });
});
