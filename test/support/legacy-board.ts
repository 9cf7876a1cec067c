// A board as the current system leaves it, built from the order lines it was filled from: no key column,
// duplicate items (the crash re-creates), duplicate and near-duplicate sizes (O/S / OS / ONE SIZE),
// hand-edited values, orphans and a renamed group. What each order line got is returned, for assertions.
import type { LegacyItem } from '../../sandbox/server';
import type { Mapping } from '../../mapping';
import type { OrderPayload } from '../../shared/order';

export type LegacyCase = 'plain' | 'duplicate' | 'duplicate-sizes' | 'edited-values' | 'edited-qty' | 'name-only' | 'missing';

export interface LegacyBoard {
  items: LegacyItem[];
  /** What happened to each order line on the legacy board. */
  cases: Map<string, LegacyCase>;
  orphanNames: string[];
}

/** The default mix: an eighth of the lines each. */
const CASES: LegacyCase[] = ['plain', 'duplicate', 'duplicate-sizes', 'edited-values', 'edited-qty', 'name-only', 'missing', 'plain'];

export function legacyBoard(mapping: Mapping, lines: OrderPayload[], pattern: LegacyCase[] = CASES): LegacyBoard {
  const keyColumn = mapping.items.keyColumnId;
  const { sizeColumnId, qtyColumnId } = mapping.subitems;
  const partColumns = mapping.source.keyColumns.map((s) => mapping.items.columns.find((c) => c.source === s)!.id);
  const items: LegacyItem[] = [];
  const cases = new Map<string, LegacyCase>();
  const oneSize = lines.find((l) => l.subitems.some((s) => s.size === 'ONE SIZE'));

  const legacyItem = (line: OrderPayload): LegacyItem => {
    const { [keyColumn]: _key, ...values } = line.columnValues; // the current system never wrote the key column
    return { name: line.itemName, group: line.groupName, columnValues: values, subitems: line.subitems.map((s) => ({ name: s.name, columnValues: s.columnValues })) };
  };

  lines.forEach((line, i) => {
    const kind: LegacyCase = line === oneSize ? 'duplicate-sizes' : pattern[i % pattern.length]!;
    cases.set(line.key, kind);
    if (kind === 'missing') return;
    const item = legacyItem(line);
    items.push(item);
    if (kind === 'duplicate') {
      // Re-created after a crash: a later copy that got only some of its sizes, one of them wrong.
      const copy = legacyItem(line);
      copy.subitems = copy.subitems!.slice(0, 1).map((s) => ({ ...s, columnValues: { ...s.columnValues, [qtyColumnId]: '999' } }));
      items.push(copy);
    } else if (kind === 'duplicate-sizes') {
      const first = line.subitems.find((s) => s.size === 'ONE SIZE') ?? line.subitems[0]!;
      const variants = first.size === 'ONE SIZE' ? ['O/S', 'OS'] : [first.size];
      for (const label of variants) {
        item.subitems!.push({ name: `Size ${label}`, columnValues: { ...first.columnValues, [sizeColumnId]: { labels: [label] } } });
      }
    } else if (kind === 'edited-values') {
      // Someone retyped the name and the style with other spacing and case.
      item.name = `${line.itemName} (see email)`;
      const style = partColumns[1]!;
      const written = line.columnValues[style] as { labels: string[] };
      item.columnValues[style] = { labels: [`  ${written.labels[0]!.toLowerCase().replace(/ /g, '  ')} `] };
    } else if (kind === 'edited-qty') {
      const s = item.subitems![0]!;
      s.columnValues = { ...s.columnValues, [qtyColumnId]: '1' };
    } else if (kind === 'name-only') {
      // The AAG ORDER NUMBER was cleared by hand: only the item name is left to match on.
      delete item.columnValues[partColumns[0]!];
    }
  });
  const orphanNames = ['OLD SAMPLE ORDER 2019', 'Do not delete - template', 'GR9999 BLACK GRE-00000'];
  for (const name of orphanNames) {
    items.push({ name, group: lines[0]!.groupName, columnValues: {}, subitems: [{ name: 'Size M', columnValues: { [sizeColumnId]: { labels: ['M'] }, [qtyColumnId]: '3' } }] });
  }
  return { items, cases, orphanNames };
}
