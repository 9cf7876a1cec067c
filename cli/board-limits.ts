// How full the two boards are and how long they last at the recent growth rate (doctor). Monday refuses
// create_item and create_subitem beyond a board's items_limit (ItemsLimitationException), so a full board
// fails every new order line until items are archived or the board is replaced.
import type { MondayClient } from '../graphql/client';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The growth rate is measured over the items created in this many days (at most the 500 newest). */
export const GROWTH_WINDOW_DAYS = 14;
const NEWEST_ITEMS = 500;

export interface BoardRoom {
  boardId: string;
  name: string;
  count: number;
  limit: number;
  perDay: number;
  /** Days until items_limit at `perDay`; null when the board does not grow. */
  daysLeft: number | null;
}

/**
 * Items a day over the last GROWTH_WINDOW_DAYS, from the creation times of the newest items. When all of them
 * fall inside the window (the board grew faster than the page holds), the rate is taken over their own span.
 */
export function growthPerDay(newest: Date[], now: Date, pageFull: boolean): number {
  const since = now.getTime() - GROWTH_WINDOW_DAYS * DAY_MS;
  const recent = newest.filter((d) => d.getTime() >= since);
  if (recent.length === 0) return 0;
  if (!pageFull || recent.length < newest.length) return recent.length / GROWTH_WINDOW_DAYS;
  const oldest = Math.min(...recent.map((d) => d.getTime()));
  return recent.length / Math.max((now.getTime() - oldest) / DAY_MS, 1 / 24);
}

export function daysLeft(count: number, limit: number, perDay: number): number | null {
  if (count >= limit) return 0;
  return perDay > 0 ? Math.floor((limit - count) / perDay) : null;
}

/**
 * Both boards' room. The subitems board cannot be paged by creation (Monday rejects queries on a subitems
 * board id), so its growth is the items board's times the subitems each item has on average.
 */
export async function boardRoom(monday: MondayClient, itemsBoardId: string, subitemsBoardId: string, now = new Date()): Promise<BoardRoom[]> {
  const boards = await monday.boardLimits([itemsBoardId, subitemsBoardId]);
  const find = (id: string) => {
    const b = boards.find((x) => x.id === id);
    if (!b || b.items_count === null || b.items_limit === null) throw new Error(`board ${id}: Monday did not report items_count / items_limit`);
    return { boardId: id, name: b.name, count: b.items_count, limit: b.items_limit };
  };
  const items = find(itemsBoardId);
  const subitems = find(subitemsBoardId);
  const newest = await monday.newestItemTimes(itemsBoardId, NEWEST_ITEMS);
  const itemsPerDay = growthPerDay(newest, now, newest.length >= NEWEST_ITEMS);
  const subitemsPerDay = items.count > 0 ? itemsPerDay * (subitems.count / items.count) : 0;
  return [
    { ...items, perDay: itemsPerDay, daysLeft: daysLeft(items.count, items.limit, itemsPerDay) },
    { ...subitems, perDay: subitemsPerDay, daysLeft: daysLeft(subitems.count, subitems.limit, subitemsPerDay) },
  ];
}

export function describeRoom(r: BoardRoom): string {
  const share = r.limit > 0 ? Math.round((100 * r.count) / r.limit) : 100;
  const rate = `${r.perDay.toFixed(1)} a day over the last ${GROWTH_WINDOW_DAYS} days`;
  const left = r.count >= r.limit ? 'FULL: new order lines fail with ItemsLimitationException'
    : r.daysLeft === null ? 'not growing' : `about ${r.daysLeft.toLocaleString('en')} days left${r.daysLeft < 30 ? ' (WARNING: archive old items or plan a new board)' : ''}`;
  return `${r.name} (${r.boardId}): ${r.count.toLocaleString('en')} of ${r.limit.toLocaleString('en')} items (${share}%), +${rate}, ${left}`;
}
