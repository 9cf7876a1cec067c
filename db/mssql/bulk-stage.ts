// Staging a page in bulk: the orders and their sizes go to the inbox work tables by TDS bulk load (request.bulk():
// rows stream as data, no parameters, no SQL text per row), then one set-based apply moves them into staging and
// empties the inbox, all in the caller's transaction. About 5 round trips per page instead of one request of
// ~2,000 NVARCHAR(MAX) parameters per ~100 orders.
import { randomUUID } from 'node:crypto';
import sql from 'mssql';
import type { OrderPayload } from '../../shared/order';
import { qualified } from './identifiers';
import { INBOX_ORDER_COLUMNS, INBOX_SIZE_COLUMNS, type InboxColumn } from './bulk-stage-columns';

const TYPES: Record<InboxColumn['kind'], () => sql.ISqlType> = {
  key: () => sql.NVarChar(450), size: () => sql.NVarChar(100), hash: () => sql.NVarChar(64), text: () => sql.NVarChar(sql.MAX), int: () => sql.Int(),
};

function inboxTable(schema: string, name: string, columns: readonly InboxColumn[]): sql.Table {
  const table = new sql.Table(qualified(schema, name));
  table.create = false;
  table.columns.add('load_id', sql.UniqueIdentifier, { nullable: false });
  for (const c of columns) table.columns.add(c.name, TYPES[c.kind](), { nullable: !c.sql.includes('NOT NULL') });
  return table;
}

/** Loads `orders` into the inbox under a new load id (in `tx`); the caller then runs the apply with @load = that id. */
export async function bulkLoadInbox(tx: sql.Transaction, schema: string, orders: OrderPayload[]): Promise<string> {
  const load = randomUUID();
  const o = inboxTable(schema, 'MON_StageInboxOrder', INBOX_ORDER_COLUMNS);
  const s = inboxTable(schema, 'MON_StageInboxSize', INBOX_SIZE_COLUMNS);
  for (const p of orders) {
    o.rows.add(load, p.key, p.itemName, p.groupName, p.customer, p.aagOrderNumber, p.poNumber, p.hash, JSON.stringify(p));
    p.subitems.forEach((sub, seq) => s.rows.add(load, p.key, sub.size, seq, sub.name, sub.qty, JSON.stringify(sub)));
  }
  await new sql.Request(tx).bulk(o);
  if (s.rows.length > 0) await new sql.Request(tx).bulk(s);
  return load;
}
