// Golden test: a realistic multi-customer batch of full ORDERS_UNIFIED rows (all 268 columns)
// against the reviewed expected output. A change here is a change of what Monday receives.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { SourceRow } from '../shared/order';
import { createTransform, loadMapping, previewRows } from '../mapping';

const fixtures = path.join(__dirname, 'fixtures', 'mapping');
const rows = JSON.parse(readFileSync(path.join(fixtures, 'orders-unified-rows.json'), 'utf8')) as SourceRow[];
const expected = JSON.parse(readFileSync(path.join(fixtures, 'orders-unified-expected.json'), 'utf8')) as {
  payloads: unknown[];
  failures: { orderKey: string; field: string; value: unknown; reason: string }[];
};

describe('golden: multi-customer ORDERS_UNIFIED batch', () => {
  const { payloads, failures } = previewRows(createTransform(loadMapping()), rows);

  it('uses full-width rows', () => {
    for (const row of rows) expect(Object.keys(row)).toHaveLength(268);
  });

  it('maps every good row exactly as reviewed', () => {
    expect(payloads).toEqual(expected.payloads);
  });

  it('reports every bad row with its key, field, value and reason', () => {
    expect(failures.map((f) => ({ orderKey: f.orderKey, field: f.field, value: f.value, reason: f.reason }))).toEqual(expected.failures);
    expect(payloads.length + failures.length).toBe(rows.length);
  });

  it('covers several customers, groups and the season fallback', () => {
    const groups = payloads.map((p) => p.groupName);
    expect(new Set(payloads.map((p) => p.customer)).size).toBeGreaterThanOrEqual(6);
    expect(groups).toContain('RHYTHM UNKNOWN SEASON');
    expect(groups).toContain('WHITE FOX 2025 Q2');
  });
});
