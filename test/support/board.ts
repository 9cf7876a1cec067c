// Reads a board back through the sandbox's (Monday's) GraphQL API, the way an auditor would.
import { SANDBOX_TOKEN } from '../../cli/targets';

export interface BoardItem {
  id: string;
  name: string;
  group: string;
  values: Record<string, { text: string | null; value: string | null }>;
  subitems: { id: string; name: string; values: Record<string, { text: string | null; value: string | null }> }[];
}

export async function gql<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: SANDBOX_TOKEN, 'api-version': '2026-10' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (!res.ok || body.errors) throw new Error(`GraphQL ${res.status}: ${JSON.stringify(body.errors ?? body)}`);
  return body.data as T;
}

const ITEM_FIELDS = `id name state group { title } column_values { id text value } subitems { id name state column_values { id text value } }`;

type RawItem = { id: string; name: string; state: string; group: { title: string }; column_values: { id: string; text: string | null; value: string | null }[];
  subitems: { id: string; name: string; state: string; column_values: { id: string; text: string | null; value: string | null }[] }[] | null };

const byId = (cvs: { id: string; text: string | null; value: string | null }[]) => Object.fromEntries(cvs.map((c) => [c.id, { text: c.text, value: c.value }]));

/** Every active item of the board with its column values and active subitems. */
export async function readBoard(url: string, boardId: string): Promise<BoardItem[]> {
  const items: RawItem[] = [];
  let page = (await gql<{ boards: { items_page: { cursor: string | null; items: RawItem[] } }[] }>(url,
    `query ($b: [ID!]) { boards(ids: $b) { items_page(limit: 100) { cursor items { ${ITEM_FIELDS} } } } }`, { b: [boardId] })).boards[0]!.items_page;
  items.push(...page.items);
  while (page.cursor) {
    page = (await gql<{ next_items_page: { cursor: string | null; items: RawItem[] } }>(url,
      `query ($c: String!) { next_items_page(cursor: $c, limit: 100) { cursor items { ${ITEM_FIELDS} } } }`, { c: page.cursor })).next_items_page;
    items.push(...page.items);
  }
  return items.filter((i) => i.state === 'active').map((i) => ({
    id: i.id, name: i.name, group: i.group.title, values: byId(i.column_values),
    subitems: (i.subitems ?? []).filter((s) => s.state === 'active').map((s) => ({ id: s.id, name: s.name, values: byId(s.column_values) })),
  }));
}
