// The operator's read-only queries (../inspection.ts) on SQL Server: the project's schema, TOP, DATETIME2 dates.
import type { MssqlStore } from './store';
import { inspectionStore, type InspectionStore } from '../inspection';
import { b, qualified } from './identifiers';

export function mssqlInspection(store: MssqlStore): InspectionStore {
  return inspectionStore(async (sql, params) => (await store.query('inspection', sql, params)).recordset, {
    name: (t) => qualified(store.schema, t),
    col: b,
    top: (n) => ({ head: `TOP (${n})`, tail: '' }),
    // DATETIME2 compares with its own text form of the instant ('2026-12-05 17:00:00.000').
    instant: (iso) => iso.replace('T', ' ').replace('Z', ''),
  });
}
