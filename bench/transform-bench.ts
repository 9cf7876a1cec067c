// Transform throughput on full 268-column ORDERS_UNIFIED rows, on one core (Node's main thread).
// Run: npx tsx bench/transform-bench.ts [rows]     Target: ≥ 20,000 rows/s.
import type { SourceRow } from '../shared/order';
import { createTransform, loadMapping, type Mapping } from '../mapping';

const CUSTOMERS = ['GREYSON CLOTHIERS', 'JOHNNIE O', 'TITLE 9', 'LORNA JANE (AU)', 'RHYTHM (US)', 'Peloton Private Label', 'WHITE FOX (AU)', 'TRACKSMITH'];
const COLOURS = ['WHITE', 'BLACK', 'NAVY', 'TOTAL ECLIPSE/TRUE BLACK LINER', '942 - BONNEVILLE', 'HEATHER GREY'];
const SIZE_RUNS = [['XS', 'S', 'M', 'L', 'XL', 'XXL'], ['28', '30', '32', '34', '36', '38'], ['32C', '32D', '34C', '34D', '36C', '36D'], ['ONE SIZE'], ['S/M', 'M/L', 'L/XL']];

/** A realistic row: every ORDERS_UNIFIED column present (most NULL, as in the real table). */
export function benchRow(mapping: Mapping, i: number): SourceRow {
  const row: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(mapping.source.columns)) {
    row[name] = type === 'int' ? null : type === 'date' ? null : type === 'uniqueidentifier' ? `6f1c0c8e-0000-4000-8000-${String(i).padStart(12, '0')}` : null;
  }
  for (const size of mapping.source.sizeColumns) row[size] = null;
  const run = SIZE_RUNS[i % SIZE_RUNS.length] ?? [];
  let total = 0;
  run.forEach((size, n) => {
    const qty = (i + n) % 7 === 0 ? 0 : 10 + ((i * 7 + n * 13) % 240);
    row[size] = qty;
    total += qty;
  });
  Object.assign(row, {
    'AAG ORDER NUMBER': `GRE-${String(10000 + (i % 90000)).padStart(5, '0')}`,
    'CUSTOMER NAME': CUSTOMERS[i % CUSTOMERS.length],
    'ORDER DATE PO RECEIVED': new Date(Date.UTC(2025, i % 12, 1 + (i % 28))),
    'CUSTOMER ALT PO': i % 3 === 0 ? `ALT-${i}` : null,
    'AAG SEASON': i % 2 ? '2026 SPRING' : '2025 FALL',
    'CUSTOMER SEASON': i % 4 === 0 ? null : 'SPRING SUMMER 2026',
    DROP: `DROP0${1 + (i % 4)}`,
    'RANGE / COLLECTION': 'CORE',
    CATEGORY: i % 2 ? 'WOMENS' : 'MENS',
    'PATTERN ID': `P-${i % 500}`,
    'ALIAS/RELATED ITEM': `AL-${i}`,
    'CUSTOMER STYLE': `STY${String(i % 5000).padStart(5, '0')}`,
    'STYLE DESCRIPTION': 'PERFORMANCE POLO SHORT SLEEVE',
    'CUSTOMER COLOUR DESCRIPTION': COLOURS[i % COLOURS.length],
    'UNIT OF MEASURE': 'PCE',
    'INFOR COLOUR CODE': '001',
    'TOTAL QTY': total,
    'Sum of TOTAL QTY': total,
    'ORDER TYPE': i % 11 === 0 ? 'CANCELLED' : 'ACTIVE',
    DESTINATION: 'MISSISSIPPI',
    'ETA CUSTOMER WAREHOUSE DATE': new Date(Date.UTC(2026, i % 12, 15)),
    'EX FACTORY DATE': '2025-09-26',
    'DELIVERY TERMS': i % 2 ? 'FOB' : 'DDP',
    'PLANNED DELIVERY METHOD': 'SEA',
    NOTES: 'ADDED 20.5.25',
    'PO NUMBER': `${8000 + (i % 999)}-00`,
    'CUSTOMER PRICE': `$${(20 + (i % 50)).toFixed(2)}`,
    'USA ONLY LSTP 75% EX WORKS': '0',
    'EX WORKS (USD)': '12.40',
    'FINAL FOB (USD)': '14.10',
    'HS CODE': '6110.20.2079',
    'US DUTY RATE': '16.5%',
    'US DUTY': '2.33',
    FREIGHT: '0.85',
    'US TARIFF RATE': i % 5 === 0 ? 'TRUE' : '10%',
    'US TARIFF': '1.41',
    'DDP US (USD)': '$18.69',
    'SMS PRICE USD': '1,234.50',
    'FINAL PRICES Y/N': 'Y',
    'NOTES FOR PRICE': 'AGREED 01/06',
  });
  return row as SourceRow;
}

function main(): void {
  const count = Number(process.argv[2] ?? 100_000);
  const mapping = loadMapping();
  const transform = createTransform(mapping);
  const rows = Array.from({ length: 5_000 }, (_, i) => benchRow(mapping, i));
  const width = Object.keys(rows[0] ?? {}).length;

  for (let i = 0; i < 20_000; i++) transform(rows[i % rows.length] as SourceRow); // warm up the JIT

  // CPU time of this process, not wall time: the figure stays honest on a busy machine.
  let subitems = 0;
  const wallStart = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < count; i++) subitems += transform(rows[i % rows.length] as SourceRow).subitems.length;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const wallSeconds = Number(process.hrtime.bigint() - wallStart) / 1e9;
  const perSecond = Math.round(count / cpuSeconds);

  console.log(`transform: ${count} rows of ${width} columns (${subitems} subitems) in ${cpuSeconds.toFixed(3)} s CPU (${wallSeconds.toFixed(3)} s wall)`);
  console.log(`transform: ${perSecond.toLocaleString('en-US')} rows/s on one core (target ≥ 20,000) — ${perSecond >= 20_000 ? 'OK' : 'BELOW TARGET'}`);
  if (perSecond < 20_000) process.exitCode = 1;
}

if (require.main === module) main();
