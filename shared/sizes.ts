// One size-label normalisation for everything that matches sizes on the board: adoption (mapping/adoption-match.ts),
// the sync's subitem reconcile (graphql/order-writer.ts) and verify. People and the earlier system wrote one size
// several ways (O/S, OS, ONE SIZE, one-size), and Monday matches labels case-insensitively, so a label the sync wrote
// as `os` may read back as the board's `OS`. Dependency-free: workflow code may import it.

/** Size labels that people write several ways: O/S, OS, ONE SIZE, one-size. */
const SIZE_ALIASES: Record<string, string> = { ONESIZE: 'OS', OSFA: 'OS' };

export function normaliseSize(label: string | null | undefined): string {
  const compact = (label ?? '').toUpperCase().replace(/[\s/.\-_]+/g, '');
  return SIZE_ALIASES[compact] ?? compact;
}

/**
 * Which of an order's sizes a board label stands for: the size of the same spelling (case aside) first, else the
 * one it normalises to; null when the label is none of them.
 */
export function sizeForLabel(label: string, sizes: readonly string[]): string | null {
  const exact = label.trim().toUpperCase();
  const same = sizes.find((s) => s.toUpperCase() === exact);
  if (same !== undefined) return same;
  const normalised = normaliseSize(label);
  return sizes.find((s) => normaliseSize(s) === normalised) ?? null;
}
