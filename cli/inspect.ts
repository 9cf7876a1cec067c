// `orders-sync batches` and `orders-sync errors`: the batch table and the error tables, read the same way on SQLite
// and SQL Server (the RUNBOOK's T-SQL did not run on the embedded database).
import { msToNumber } from '@temporalio/common/lib/time';
import type { BatchRecord } from '../db/store';
import { type ErrorView } from '../db/inspection';
import { inspectionOf } from '../db/open';
import { openConfiguredStore } from '../worker';
import { UsageError, type Command } from './command';

export const inspectionCommands: Record<string, Command> = {
  batches: {
    usage: 'batches [--limit N]',
    summary: 'Recent sync batches, newest first, with their full ids (what rollback --batch takes), status and counters: order lines new/changed/unchanged/rejected, synced/failed, items and subitems created/updated/removed on Monday, Monday requests.',
    options: { limit: { type: 'string', description: 'how many batches (default 10)' } },
    async run(config, a) {
      const limit = positive(a.values.limit, 10, '--limit');
      const store = await openConfiguredStore(config, { mustExist: true });
      try {
        const batches = await inspectionOf(store).recentBatches(limit);
        if (batches.length === 0) console.log('no sync batch yet');
        for (const batch of batches) console.log(batchLines(batch).join('\n'));
        return 0;
      } finally {
        await store.close();
      }
    },
  },
  errors: {
    usage: 'errors [--since 24h|2025-01-31] [--customer NAME] [--po NUMBER] [--all] [--limit N]',
    summary: 'The error tables (ERR_MON_CustMasterSchedule and its _Subitems), newest first: unresolved errors unless --all, optionally only those seen since a time, of one customer or PO. Works on SQLite and SQL Server alike.',
    options: {
      since: { type: 'string', description: 'only errors first seen or seen again since then: a duration back from now (30m, 24h, 7d) or a date/time (2025-01-31, 2025-01-31T08:00Z)' },
      customer: { type: 'string', description: 'only this customer (canonical name, e.g. GREYSON; for rows never staged: the raw CUSTOMER NAME starting with it)' },
      po: { type: 'string', description: 'only this PO NUMBER' },
      all: { type: 'boolean', description: 'resolved errors too' },
      limit: { type: 'string', description: 'how many to print (default 50)' },
    },
    async run(config, a) {
      const limit = positive(a.values.limit, 50, '--limit');
      const since = typeof a.values.since === 'string' ? parseSince(a.values.since) : null;
      const store = await openConfiguredStore(config, { mustExist: true });
      try {
        const rows = (await inspectionOf(store).errors({ since, all: Boolean(a.values.all) }))
          .filter((e) => matches(e, a.values.customer as string | undefined, a.values.po as string | undefined));
        if (rows.length === 0) console.log(`no ${a.values.all ? '' : 'unresolved '}errors${since ? ` since ${since}` : ''}${a.values.customer || a.values.po ? ' for that customer/PO' : ''}`);
        for (const e of rows.slice(0, limit)) console.log(errorLines(e).join('\n'));
        if (rows.length > limit) console.log(`... and ${rows.length - limit} more (--limit, --since, --customer or --po narrow it)`);
        return 0;
      } finally {
        await store.close();
      }
    },
  },
};

function positive(value: string | boolean | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} must be a whole number above 0, not ${JSON.stringify(value)}`);
  return n;
}

/** `24h` back from now, or a date/time; ISO text. */
export function parseSince(value: string, now = Date.now()): string {
  if (/^\d+(\.\d+)?(ms|s|m|h|d)$/.test(value)) return new Date(now - msToNumber(value as `${number}h`)).toISOString();
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`--since takes a duration (30m, 24h, 7d) or a date (2025-01-31), not ${JSON.stringify(value)}`);
  return new Date(t).toISOString();
}

const norm = (v: unknown): string => String(v ?? '').trim().toUpperCase();

/** Customer and PO from staging; a row that never staged (rejected, duplicate key) only has its source row(s) in the payload. */
function matches(e: ErrorView, customer: string | undefined, po: string | undefined): boolean {
  const rows = (Array.isArray(e.payload) ? e.payload : [e.payload]).filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null);
  if (customer !== undefined) {
    const ok = e.customer !== null ? norm(e.customer) === norm(customer) : rows.some((r) => norm(r['CUSTOMER NAME']).startsWith(norm(customer)));
    if (!ok) return false;
  }
  if (po !== undefined) {
    const ok = e.poNumber !== null ? norm(e.poNumber) === norm(po) : rows.some((r) => norm(r['PO NUMBER']) === norm(po));
    if (!ok) return false;
  }
  return true;
}

export function batchLines(batch: BatchRecord): string[] {
  const c = batch.counters;
  return [
    `${batch.batchId}  ${batch.startTime} → ${batch.endTime ?? 'running'}  ${batch.status}  ${batch.batchType}`,
    `    order lines: ${c.total} read, ${c.newOrders} new, ${c.changed} changed, ${c.unchanged} unchanged, ${c.rejected} rejected; ${c.synced} synced, ${c.failed} failed`,
    `    on Monday: items ${c.items} created, ${c.itemsUpdated} updated; subitems ${c.subitems} created, ${c.subitemsUpdated} updated, ${c.subitemsRemoved} removed; ${c.apiCalls} requests`,
  ];
}

function errorLines(e: ErrorView): string[] {
  const who = [e.customer, e.poNumber ? `PO ${e.poNumber}` : null].filter(Boolean).join(', ');
  const seen = e.createdAt && e.createdAt !== e.lastSeen ? ` (first seen ${e.createdAt})` : '';
  return [
    `${e.lastSeen}  ${e.category}/${e.errorType}  ${e.orderKey}${e.size ? ` size ${e.size}` : ''}${who ? ` (${who})` : ''}${e.resolvedAt ? ` resolved ${e.resolvedAt}` : ''}${seen}`,
    `    ${e.message}`,
  ];
}
