// The operator's read-only queries (../inspection.ts) on SQLite: plain names, LIMIT, ISO text dates.
import type Database from 'better-sqlite3';
import { inspectionStore, type InspectionStore } from '../inspection';
import type { Row } from '../common';

export function sqliteInspection(db: Database.Database): InspectionStore {
  return inspectionStore(async (sql, params) => db.prepare(sql).all(params) as Row[], {
    name: (t) => t,
    col: (c) => (/\s/.test(c) ? `"${c}"` : c),
    top: (n) => ({ head: '', tail: `LIMIT ${n}` }),
    instant: (iso) => iso,
  });
}
