// How Monday shows a numbers column: `text` is formatted with the column's unit and precision, while
// `NumbersValue.number` holds the number itself. Basis: the 2026-10 schema (NumbersValue has `number`,
// `symbol` and `direction`, "the symbol of the unit" placed left or right of the number) and the number
// column doc (developer.monday.com/api-reference/reference/number). The price columns are shown in dollars
// and the quantity columns with two decimals (the current system stores them as DECIMAL(18,2)), so a
// client that parses `text` gets "4.50" or "$12.00" here as it would on Monday.
export interface NumberFormat {
  /** Fixed decimal places, or null to show the number as written. */
  decimals: number | null;
  symbol: string;
  direction: 'left' | 'right';
}

const PLAIN: NumberFormat = { decimals: null, symbol: '', direction: 'right' };
const QUANTITY: NumberFormat = { decimals: 2, symbol: '', direction: 'right' };
const DOLLARS: NumberFormat = { decimals: 2, symbol: '$', direction: 'left' };

const FORMATS: Record<string, NumberFormat> = {
  numeric_mkra7j8e: QUANTITY, // subitems: Order Qty
  numeric_mkr5cact: DOLLARS, // CUSTOMER PRICE
  numeric_mkr5erhv: DOLLARS, // EX WORKS (USD)
  numeric_mkr5nhr7: DOLLARS, // FINAL FOB (USD)
};

export function numberFormat(columnId: string): NumberFormat {
  return FORMATS[columnId] ?? PLAIN;
}

/** A column's unit and precision as set on the board (Monday: column settings, changed by people at any time). */
export function setNumberFormat(columnId: string, format: NumberFormat): void {
  FORMATS[columnId] = format;
}

/** The `text` Monday shows for a stored number. */
export function formatNumber(n: number, f: NumberFormat): string {
  const digits = f.decimals === null ? String(n) : n.toFixed(f.decimals);
  if (!f.symbol) return digits;
  return f.direction === 'left' ? `${f.symbol}${digits}` : `${digits}${f.symbol}`;
}
