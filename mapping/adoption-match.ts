// Which board item is which order line: the pure heart of `orders-sync board adopt`. No I/O: the adoption
// activities read the board and the source and hand both in; the plan that comes out says what to link,
// which items lack their key column and what to archive.
import { csvText } from '../shared/csv';
import type { Mapping } from './schema';
import type { OrderPayload } from '../shared/order';
import { normaliseSize, sizeForLabel } from '../shared/sizes';

/** An item or subitem as read from the board (a subitem has its parent's id). */
export interface BoardEntry {
  itemId: string;
  parentItemId: string | null;
  name: string;
  createdAt: string | null;
  values: Record<string, string | null>;
}

export type MatchRule = 'key' | 'values' | 'name';

export interface AdoptionPlan {
  /** One per order line that has an item on the board: the item kept for it. */
  matched: { key: string; itemId: string; rule: MatchRule; keyColumnHolds: string | null; sizes: { size: string; subitemId: string; qty: number | null }[] }[];
  /** Extra active items of an order line; archived with --archive-duplicates. */
  duplicates: { key: string; itemId: string; keptItemId: string; reason: string }[];
  /** Extra subitems of one size under a kept item; archived with --archive-duplicates. */
  duplicateSizes: { key: string; parentItemId: string; subitemId: string; label: string; keptSubitemId: string; reason: string }[];
  /** Board items that belong to no order line: left alone. */
  orphans: { itemId: string; name: string }[];
  /** Order lines without an item: the next sync creates them. */
  missing: { key: string; itemName: string }[];
  /** Items that fit several order lines: left alone, named. */
  ambiguous: { itemId: string; name: string; rule: MatchRule; candidates: string[] }[];
  /**
   * Source rows the mapping rejects (or order keys on several rows): no order line, so nothing is matched to
   * them and their items (orphans now) never get a key; fixed, the sync would create them anew. Adopt again after fixing.
   */
  rejected: { key: string; reason: string }[];
}

export interface MatchColumns {
  keyColumnId: string;
  /** Board columns holding the key parts (AAG ORDER NUMBER, STYLE, COLOR), in key order. */
  keyPartColumnIds: string[];
  customerColumnId: string | null;
  sizeColumnId: string;
  qtyColumnId: string;
}

/** The board columns adoption reads, found from the mapping (the columns whose source is a key part). */
export function matchColumns(mapping: Mapping): MatchColumns {
  const keyPartColumnIds = mapping.source.keyColumns.map((source) => {
    const column = mapping.items.columns.find((c) => c.source === source);
    if (!column) throw new Error(`board adopt needs a board column for key part ${source}: add one to items.columns in the mapping`);
    return column.id;
  });
  return {
    keyColumnId: mapping.items.keyColumnId,
    keyPartColumnIds,
    customerColumnId: mapping.items.columns.find((c) => c.transform === 'canonical_customer')?.id ?? null,
    sizeColumnId: mapping.subitems.sizeColumnId,
    qtyColumnId: mapping.subitems.qtyColumnId,
  };
}

/** The mapping's text normalisation (trim, inner whitespace), plus case: how people's spellings compare. */
export function normaliseText(text: string | null | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim().toUpperCase();
}

/** The size-label normalisation the sync's reconcile and verify share (shared/sizes.ts). */
export { normaliseSize };

function parseQty(text: string | null | undefined): number | null {
  if (text === null || text === undefined || text.trim() === '') return null;
  const n = Number(text.replace(/,/g, ''));
  return Number.isFinite(n) ? n : null;
}

/** Monday ids are numeric strings beyond 2^31: oldest first by creation time, then by id. */
function older(a: BoardEntry, b: BoardEntry): number {
  const t = (a.createdAt ?? '').localeCompare(b.createdAt ?? '');
  return t !== 0 ? t : a.itemId.length - b.itemId.length || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0);
}

export function planAdoption(opts: {
  lines: OrderPayload[];
  items: BoardEntry[];
  subitems: BoardEntry[];
  columns: MatchColumns;
  customers: Mapping['customers'];
  rejected?: AdoptionPlan['rejected'];
}): AdoptionPlan {
  const { lines, columns } = opts;
  const plan: AdoptionPlan = { matched: [], duplicates: [], duplicateSizes: [], orphans: [], missing: [], ambiguous: [], rejected: opts.rejected ?? [] };
  const canonicalCustomer = new Map<string, string>();
  for (const c of opts.customers) for (const v of c.variants) canonicalCustomer.set(normaliseText(v), c.canonical);

  const byKey = new Map(lines.map((l) => [l.key, l]));
  const byNormalisedKey = indexBy(lines, (l) => l.key.split('|').map(normaliseText).join('|'));
  const byName = indexBy(lines, (l) => normaliseText(l.itemName));
  const subitemsOf = new Map<string, BoardEntry[]>();
  for (const s of opts.subitems) if (s.parentItemId) subitemsOf.set(s.parentItemId, [...(subitemsOf.get(s.parentItemId) ?? []), s]);

  // 1. Every item to an order line (or orphan / ambiguous), recording the rule that matched.
  const itemsOfLine = new Map<string, { item: BoardEntry; rule: MatchRule }[]>();
  for (const item of opts.items) {
    const found = matchItem(item);
    if (found === null) { plan.orphans.push({ itemId: item.itemId, name: item.name }); continue; }
    if (found.candidates.length > 1) {
      plan.ambiguous.push({ itemId: item.itemId, name: item.name, rule: found.rule, candidates: found.candidates.map((l) => l.key) });
      continue;
    }
    const key = found.candidates[0]!.key;
    itemsOfLine.set(key, [...(itemsOfLine.get(key) ?? []), { item, rule: found.rule }]);
  }

  function matchItem(item: BoardEntry): { rule: MatchRule; candidates: OrderPayload[] } | null {
    const held = item.values[columns.keyColumnId]?.trim();
    if (held) {
      const exact = byKey.get(held);
      if (exact) return { rule: 'key', candidates: [exact] };
      const loose = byNormalisedKey.get(held.split('|').map(normaliseText).join('|'));
      if (loose) return { rule: 'key', candidates: loose };
    }
    const parts = columns.keyPartColumnIds.map((id) => normaliseText(item.values[id]));
    if (parts.every((p) => p !== '')) {
      let candidates = byNormalisedKey.get(parts.join('|')) ?? [];
      // Several lines differ only in spelling: the customer (in any of its spellings) may tell them apart.
      if (candidates.length > 1 && columns.customerColumnId) {
        const text = normaliseText(item.values[columns.customerColumnId]);
        const customer = canonicalCustomer.get(text) ?? text;
        const same = candidates.filter((l) => l.customer === customer);
        if (same.length > 0) candidates = same;
      }
      if (candidates.length > 0) return { rule: 'values', candidates };
    }
    const named = byName.get(normaliseText(item.name));
    return named ? { rule: 'name', candidates: named } : null;
  }

  // 2. Per order line: keep one item (most subitems matching the source, then the oldest), the rest are duplicates.
  for (const line of lines) {
    const found = itemsOfLine.get(line.key);
    if (!found) { plan.missing.push({ key: line.key, itemName: line.itemName }); continue; }
    const scored = found.map((f) => ({ ...f, score: matchingSizes(line, subitemsOf.get(f.item.itemId) ?? []) }));
    scored.sort((a, b) => b.score - a.score || older(a.item, b.item));
    const kept = scored[0]!;
    for (const extra of scored.slice(1)) {
      const why = kept.score > extra.score
        ? `${kept.score} subitems match the source against ${extra.score}`
        : 'as many subitems match the source, and it is older';
      plan.duplicates.push({ key: line.key, itemId: extra.item.itemId, keptItemId: kept.item.itemId, reason: `duplicate of ${kept.item.itemId} (kept: ${why})` });
    }
    const sizes = sortSizes(line, kept.item.itemId, subitemsOf.get(kept.item.itemId) ?? [], plan);
    plan.matched.push({ key: line.key, itemId: kept.item.itemId, rule: kept.rule, keyColumnHolds: kept.item.values[columns.keyColumnId] ?? null, sizes });
  }
  return plan;

  function matchingSizes(line: OrderPayload, subitems: BoardEntry[]): number {
    const wanted = new Map(line.subitems.map((s) => [normaliseSize(s.size), s.qty]));
    const seen = new Set<string>();
    let n = 0;
    for (const s of subitems) {
      const size = normaliseSize(s.values[columns.sizeColumnId]);
      if (seen.has(size) || wanted.get(size) !== parseQty(s.values[columns.qtyColumnId])) continue;
      seen.add(size);
      n++;
    }
    return n;
  }

  /** Subitems of a kept item by size: one per size is linked, the others are duplicate sizes. */
  function sortSizes(line: OrderPayload, parentItemId: string, subitems: BoardEntry[], out: AdoptionPlan): AdoptionPlan['matched'][number]['sizes'] {
    const sourceSizes = new Map(line.subitems.map((s) => [s.size.toUpperCase(), s]));
    const sizes = line.subitems.map((s) => s.size);
    // A label belongs to the order's size of the same spelling first, else to one written another way (shared/sizes.ts).
    const sizeOf = (label: string) => sizeForLabel(label, sizes) ?? `~${normaliseSize(label)}`;
    const groups = new Map<string, BoardEntry[]>();
    for (const s of subitems) {
      const label = s.values[columns.sizeColumnId] ?? '';
      if (label.trim() === '') continue;
      const size = sizeOf(label);
      groups.set(size, [...(groups.get(size) ?? []), s]);
    }
    const linked: AdoptionPlan['matched'][number]['sizes'] = [];
    for (const [size, group] of groups) {
      const source = sourceSizes.get(size.toUpperCase());
      const rank = (s: BoardEntry) => (s.values[columns.sizeColumnId]?.trim() === size ? 0 : 2) + (source && parseQty(s.values[columns.qtyColumnId]) === source.qty ? 0 : 1);
      group.sort((a, b) => rank(a) - rank(b) || older(a, b));
      const kept = group[0]!;
      for (const extra of group.slice(1)) {
        out.duplicateSizes.push({
          key: line.key, parentItemId, subitemId: extra.itemId, label: extra.values[columns.sizeColumnId] ?? '', keptSubitemId: kept.itemId,
          reason: `size ${size.replace(/^~/, '')} already held by subitem ${kept.itemId} (${kept.values[columns.sizeColumnId] ?? ''})`,
        });
      }
      if (source) linked.push({ size: source.size, subitemId: kept.itemId, qty: parseQty(kept.values[columns.qtyColumnId]) });
    }
    return linked;
  }
}

function indexBy<T>(list: T[], keyOf: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const t of list) map.set(keyOf(t), [...(map.get(keyOf(t)) ?? []), t]);
  return map;
}

/** Counts and a few examples of each class: what the CLI prints. */
export interface AdoptionSummary {
  matched: Record<MatchRule, number>;
  duplicates: number;
  duplicateSizes: number;
  orphans: number;
  missing: number;
  ambiguous: number;
  rejected: number;
  /** Adopted items whose key column does not hold their key: the next sync's update writes it (--write-keys: `--apply` does). */
  keyWrites: number;
  examples: Record<'duplicates' | 'duplicateSizes' | 'orphans' | 'missing' | 'ambiguous' | 'rejected', string[]>;
}

export function summarise(plan: AdoptionPlan, examples = 3): AdoptionSummary {
  const matched: Record<MatchRule, number> = { key: 0, values: 0, name: 0 };
  for (const m of plan.matched) matched[m.rule]++;
  return {
    matched,
    duplicates: plan.duplicates.length,
    duplicateSizes: plan.duplicateSizes.length,
    orphans: plan.orphans.length,
    missing: plan.missing.length,
    ambiguous: plan.ambiguous.length,
    rejected: plan.rejected.length,
    keyWrites: plan.matched.filter((m) => m.keyColumnHolds !== m.key).length,
    examples: {
      duplicates: plan.duplicates.slice(0, examples).map((d) => `${d.key}: item ${d.itemId} ${d.reason}`),
      duplicateSizes: plan.duplicateSizes.slice(0, examples).map((d) => `${d.key}: subitem ${d.subitemId} "${d.label}": ${d.reason}`),
      orphans: plan.orphans.slice(0, examples).map((o) => `item ${o.itemId} "${o.name}"`),
      missing: plan.missing.slice(0, examples).map((m) => m.key),
      ambiguous: plan.ambiguous.slice(0, examples).map((a) => `item ${a.itemId} "${a.name}" fits ${a.candidates.join(', ')} (by ${a.rule})`),
      rejected: plan.rejected.slice(0, examples).map((r) => `${r.key}: ${r.reason}`),
    },
  };
}

/** The full report as CSV: one row per board item or order line, with its class (not_linked: after --apply). */
export function reportCsv(plan: AdoptionPlan, notLinked: { key: string; reason: string }[] = []): string {
  const rows: string[][] = [['class', 'rule', 'order_key', 'item_id', 'subitem_id', 'kept_id', 'detail']];
  for (const m of plan.matched) rows.push(['matched', m.rule, m.key, m.itemId, '', '', `${m.sizes.length} sizes linked`]);
  for (const d of plan.duplicates) rows.push(['duplicate', '', d.key, d.itemId, '', d.keptItemId, d.reason]);
  for (const d of plan.duplicateSizes) rows.push(['duplicate_size', '', d.key, d.parentItemId, d.subitemId, d.keptSubitemId, `${d.label}: ${d.reason}`]);
  for (const o of plan.orphans) rows.push(['orphan', '', '', o.itemId, '', '', o.name]);
  for (const m of plan.missing) rows.push(['missing', '', m.key, '', '', '', m.itemName]);
  for (const a of plan.ambiguous) rows.push(['ambiguous', a.rule, a.candidates.join(' / '), a.itemId, '', '', a.name]);
  for (const r of plan.rejected ?? []) rows.push(['rejected', '', r.key, '', '', '', r.reason]);
  const itemOf = new Map(plan.matched.map((m) => [m.key, m.itemId]));
  for (const n of notLinked) rows.push(['not_linked', '', n.key, itemOf.get(n.key) ?? '', '', '', n.reason]);
  return csvText(rows);
}
