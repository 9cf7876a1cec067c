// CSV for reports people open in a spreadsheet (`board adopt --report`). A cell beginning with =, +, -, @, a tab or a
// carriage return is read as a formula by Excel, LibreOffice and Google Sheets (an item named `=HYPERLINK(…)` on the
// board would run as one): such a cell gets a leading apostrophe and is quoted, as OWASP's "CSV Injection" page advises.
// Dependency-free, so any layer may use it.

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | null | undefined): string {
  let v = value === null || value === undefined ? '' : String(value);
  const formula = FORMULA_START.test(v);
  if (formula) v = `'${v}`;
  return formula || /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvText(rows: (string | number | null | undefined)[][]): string {
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}
