// Reports that are safe to open: a board item named like a formula must not run as one in a spreadsheet.
import { csvCell, csvText } from '../shared/csv';
import { reportCsv, type AdoptionPlan } from '../mapping/adoption-match';

test('cells beginning with =, +, -, @, tab or carriage return are neutralised; others are left as they are', () => {
  for (const start of ['=', '+', '-', '@', '\t', '\r']) {
    const cell = csvCell(`${start}1+1`);
    expect(cell.startsWith(`"'${start}`)).toBe(true);
  }
  expect(csvCell('=HYPERLINK("http://evil.example","click")')).toBe('"\'=HYPERLINK(""http://evil.example"",""click"")"');
  expect(csvCell('GRE-04755|MSP25B01|NAVY')).toBe('GRE-04755|MSP25B01|NAVY');
  expect(csvCell('a, b')).toBe('"a, b"');
  expect(csvCell(null)).toBe('');
  expect(csvText([['x', '@SUM(A1)']])).toBe('x,"\'@SUM(A1)"\n');
});

test('board adopt\'s CSV report writes an orphan item named =HYPERLINK(…) as text', () => {
  const plan: AdoptionPlan = {
    matched: [], duplicates: [], duplicateSizes: [], missing: [], ambiguous: [], rejected: [],
    orphans: [{ itemId: '77', name: '=HYPERLINK("http://evil.example","open me")' }],
  };
  const lines = reportCsv(plan).trim().split('\n');
  expect(lines[1]).toBe('orphan,,,77,,,"\'=HYPERLINK(""http://evil.example"",""open me"")"');
});
