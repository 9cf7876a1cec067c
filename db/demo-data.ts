// Seeded, deterministic demo orders for the embedded ORDERS_UNIFIED: GREYSON PO 4755 as the original test set
// (69 order lines, 264 size quantities), a few other customers under their real name variants, and three bad rows.
import type { SourceRow } from '../shared/order';
import type { Store } from './store';
import { ORDERS_UNIFIED_COLUMNS } from './orders-unified-columns';

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const uuid = (r: Rand): string => {
  const h = Array.from({ length: 32 }, () => Math.floor(r() * 16).toString(16)).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const money = (n: number, withDollar: boolean): string =>
  `${withDollar ? '$' : ''}${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const isoDate = (y: number, m: number, d: number): string => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

const ALPHA_SIZES = ['XS', 'S', 'M', 'L', 'XL', 'XXL', '3XL'] as const;
const COLOURS = ['942 - BONNEVILLE', '001 - SHEPHERD', '410 - MAVERICK', 'TOTAL ECLIPSE/TRUE BLACK LINER', 'WHITE', 'ANTIQUE MOSS', 'NAVY', 'HEATHER GREY'];
const DESCRIPTIONS = ['POCKETED RUN SHORT', 'PERFORMANCE POLO', 'QUARTER ZIP PULLOVER', 'SPORTS BRA', 'CREW NECK TEE', 'WOVEN JOGGER'];

interface LineSpec { customer: string; prefix: string; aag: string; style: string; colour: string; po: string; sizes: [string, number][]; season: [string, string]; category: string }

/** A full ORDERS_UNIFIED row: all 268 columns, null where empty. */
function toRow(r: Rand, spec: LineSpec): SourceRow {
  const row: SourceRow = Object.fromEntries(ORDERS_UNIFIED_COLUMNS.map((c) => [c.name, null]));
  const price = int(r, 1200, 4800) / 100;
  const month = int(r, 1, 9);
  Object.assign(row, {
    'AAG ORDER NUMBER': spec.aag, 'CUSTOMER NAME': spec.customer, 'ORDER DATE PO RECEIVED': isoDate(2025, month, int(r, 1, 28)),
    'AAG SEASON': spec.season[0], 'CUSTOMER SEASON': spec.season[1], DROP: pick(r, ['DROP01', 'DROP02', 'DROP03']),
    MONTH: pick(r, ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN']), CATEGORY: spec.category, 'MAKE OR BUY': 'BUY', PLANNER: 'NALLA',
    'CUSTOMER STYLE': spec.style, 'STYLE DESCRIPTION': pick(r, DESCRIPTIONS), 'CUSTOMER COLOUR DESCRIPTION': spec.colour,
    "CUSTOMER''S COLOUR CODE (CUSTOM FIELD) CUSTOMER PROVIDES THIS": spec.colour.split(' - ')[0] ?? null,
    'PO NUMBER': spec.po, 'CUSTOMER ALT PO': `${spec.po}-${int(r, 1, 9)}`, 'UNIT OF MEASURE': 'PCE',
    'ORDER TYPE': r() < 0.95 ? 'ACTIVE' : 'CANCELLED', DESTINATION: pick(r, ['MISSISSIPPI', 'CALIFORNIA', 'SYDNEY', 'AUCKLAND']),
    'ETA CUSTOMER WAREHOUSE DATE': isoDate(2025, Math.min(12, month + 4), int(r, 1, 28)), 'EX FACTORY DATE': isoDate(2025, Math.min(12, month + 3), int(r, 1, 28)),
    'DELIVERY TERMS': pick(r, ['FOB', 'DDP']), 'PLANNED DELIVERY METHOD': pick(r, ['SEA', 'AIR']),
    'CUSTOMER PRICE': money(price, true), 'EX WORKS (USD)': money(price * int(r, 40, 90), false), 'FINAL FOB (USD)': money(price * 0.45, false),
    'HS CODE': '6212.10.90.20', 'US DUTY RATE': '0.28', FREIGHT: money(int(r, 50, 250) / 100, false), NOTES: `ADDED ${month}.5.25`,
    'TOTAL QTY': spec.sizes.reduce((sum, [, q]) => sum + q, 0), 'Sum of TOTAL QTY': spec.sizes.reduce((sum, [, q]) => sum + q, 0),
    record_uuid: uuid(r),
  });
  for (const [size, qty] of spec.sizes) row[size] = qty;
  return row;
}

function sizeRun(r: Rand, count: number): [string, number][] {
  const start = int(r, 0, ALPHA_SIZES.length - count);
  return ALPHA_SIZES.slice(start, start + count).map((s) => [s, int(r, 6, 120)]);
}

/** GREYSON PO 4755: 69 lines, 67 distinct AAG ORDER NUMBERs (two share one), 57×4 + 12×3 = 264 sizes. */
function greyson4755(r: Rand): SourceRow[] {
  return Array.from({ length: 69 }, (_, i) => {
    const aagIndex = i < 67 ? i : i - 67;            // lines 68 and 69 reuse the first two order numbers with another style
    return toRow(r, {
      customer: 'GREYSON CLOTHIERS', prefix: 'GRE', aag: `GRE-${String(4100 + aagIndex).padStart(5, '0')}`,
      style: `MSP25B${String(10 + i).padStart(2, '0')}`, colour: pick(r, COLOURS), po: '4755',
      sizes: sizeRun(r, i < 57 ? 4 : 3), season: ['2025 SPRING', 'SPRING SUMMER 2025'], category: 'MENS',
    });
  });
}

const OTHERS: { customer: string; prefix: string; category: string; sizes: readonly string[] }[] = [
  { customer: 'TITLE 9', prefix: 'TTN', category: 'WOMENS', sizes: ['XS', 'S', 'M', 'L', 'XL'] },
  { customer: 'RHYTHM (AU)', prefix: 'RHY', category: 'MENS', sizes: ['28', '30', '32', '34', '36'] },
  { customer: 'LORNA JANE (NZ)', prefix: 'LOR', category: 'WOMENS', sizes: ['32C', '32D', '34C', '34D', '36C'] },
  { customer: 'Peloton Private Label', prefix: 'PEL', category: 'WOMENS', sizes: ['XS', 'S', 'M', 'L', 'XL', '2XL'] },
  { customer: 'MACK WELDON', prefix: 'MWE', category: 'MENS', sizes: ['S', 'M', 'L', 'XL', 'XXL'] },
  { customer: 'JOHNNIE O', prefix: 'JOO', category: 'MENS', sizes: ['S', 'M', 'L', 'XL', 'ONE SIZE'] },
];

export function generateDemoOrders(opts: { seed?: number; extraOrders?: number; includeBadRows?: boolean } = {}): SourceRow[] {
  const r = rng(opts.seed ?? 4755);
  const rows = greyson4755(r);
  const extra = opts.extraOrders ?? 30;
  for (let i = 0; i < extra; i++) {
    const c = OTHERS[i % OTHERS.length] as (typeof OTHERS)[number];
    const count = int(r, 1, Math.min(4, c.sizes.length));
    const start = int(r, 0, c.sizes.length - count);
    rows.push(toRow(r, {
      customer: c.customer, prefix: c.prefix, aag: `${c.prefix}-${String(500 + i).padStart(5, '0')}`,
      style: `${c.prefix}${int(r, 100, 999)}${String.fromCharCode(65 + (i % 26))}`, colour: pick(r, COLOURS),
      po: String(8000 + Math.floor(i / OTHERS.length)), sizes: c.sizes.slice(start, start + count).map((s) => [s, int(r, 6, 90)]),
      season: pick(r, [['2026 SPRING', 'SPRING SUMMER 2026'], ['2025 FALL', 'FALL 2025']] as const) as [string, string], category: c.category,
    }));
  }
  if (opts.includeBadRows ?? true) {
    const base = { prefix: 'BAD', colour: 'WHITE', po: '9999', season: ['2026 SPRING', 'SPRING SUMMER 2026'] as [string, string], category: 'MENS' };
    const badQty = toRow(r, { ...base, customer: 'GREYSON CLOTHIERS', aag: 'GRE-09001', style: 'MSP25BAD1', sizes: [['M', 10]] });
    badQty.L = 'abc';                                 // SQLite keeps text in an INT column; SQL Server would refuse it
    const noStyle = toRow(r, { ...base, customer: 'TITLE 9', aag: 'TTN-09002', style: '', sizes: [['S', 12]] });
    noStyle['CUSTOMER STYLE'] = null;
    const unknown = toRow(r, { ...base, customer: 'ACME UNKNOWN LTD', aag: 'ACM-09003', style: 'ACM100', sizes: [['L', 5]] });
    rows.push(badQty, noStyle, unknown);
  }
  return rows;
}

/** n order lines shaped like GREYSON PO 4755 (3 or 4 sizes each, ≈3.8 on average) with unique keys: for benchmarks. */
export function generateOrderLines(n: number, seed = 1): SourceRow[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => toRow(r, {
    customer: 'GREYSON CLOTHIERS', prefix: 'BEN', aag: `BEN-${String(i).padStart(6, '0')}`, style: `MSP25B${i % 100}`,
    colour: pick(r, COLOURS), po: String(5000 + Math.floor(i / 100)), sizes: sizeRun(r, r() < 0.83 ? 4 : 3),
    season: ['2025 SPRING', 'SPRING SUMMER 2025'], category: 'MENS',
  }));
}

/** Fills ORDERS_UNIFIED with the demo orders when it is empty; returns how many rows were inserted. */
export async function seedDemoData(store: Store, opts: { seed?: number; extraOrders?: number; includeBadRows?: boolean } = {}): Promise<number> {
  if ((await store.countSourceRows()) > 0) return 0;
  const rows = generateDemoOrders(opts);
  await store.insertSourceRows(rows);
  return rows.length;
}
