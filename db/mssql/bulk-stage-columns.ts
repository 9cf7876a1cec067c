// The inbox work tables' columns (migration 122 creates them, db/mssql/bulk-stage.ts fills them): typed as the
// staging columns they feed, so the bulk load checks lengths and the apply compares without conversions.
const KEY = 'NVARCHAR(450) COLLATE Latin1_General_100_BIN2';
const TEXT = 'NVARCHAR(MAX) COLLATE DATABASE_DEFAULT';

export interface InboxColumn { name: string; sql: string; kind: 'key' | 'size' | 'text' | 'hash' | 'int' }

export const INBOX_ORDER_COLUMNS: readonly InboxColumn[] = [
  { name: 'order_key', sql: `${KEY} NOT NULL`, kind: 'key' }, { name: 'title', sql: `${TEXT} NULL`, kind: 'text' },
  { name: 'group_name', sql: `${TEXT} NULL`, kind: 'text' }, { name: 'customer', sql: `${TEXT} NULL`, kind: 'text' },
  { name: 'aag', sql: `${TEXT} NULL`, kind: 'text' }, { name: 'po', sql: `${TEXT} NULL`, kind: 'text' },
  { name: 'hash', sql: 'NVARCHAR(64) COLLATE DATABASE_DEFAULT NOT NULL', kind: 'hash' }, { name: 'payload', sql: `${TEXT} NOT NULL`, kind: 'text' },
];
export const INBOX_SIZE_COLUMNS: readonly InboxColumn[] = [
  { name: 'order_key', sql: `${KEY} NOT NULL`, kind: 'key' }, { name: 'size', sql: 'NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL', kind: 'size' },
  { name: 'seq', sql: 'INT NOT NULL', kind: 'int' }, { name: 'label', sql: `${TEXT} NULL`, kind: 'text' },
  { name: 'qty', sql: 'INT NOT NULL', kind: 'int' }, { name: 'payload', sql: `${TEXT} NULL`, kind: 'text' },
];
