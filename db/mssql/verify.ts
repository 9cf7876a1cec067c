// VerifyStore on SQL Server, in the project's schema (MSSQL_SCHEMA), through the MssqlStore's pool and its retries.
// Parameterised; no MERGE (Babelfish runs the tests). Bulk writes go as multi-row VALUES within SQL Server's 2,100
// parameters per request.
import type { MssqlStore } from './store';
import { mssqlVerifySql } from './verify-sql';
import type { Drift, StagedLink } from '../../activities/verify-drift';
import { linksOf, toDrift, toStoredBoardRow, toVerifyRun, WHOLE_BOARD, type StoredBoardRow, type VerifyRun, type VerifyScope, type VerifyStatus, type VerifyStore, type VerifySummary } from '../verify-store';
import { chunk, str } from '../common';

type Param = string | number | null;
const BOARD_ROWS_PER_REQUEST = 250;   // 8 parameters each
const IDS_PER_REQUEST = 1000;
const DRIFT_ROWS_PER_REQUEST = 200;   // 10 parameters each
const DUPLICATE_KEY = new Set([2627, 2601]);

export class MssqlVerifyStore implements VerifyStore {
  private readonly s: ReturnType<typeof mssqlVerifySql>;
  constructor(private readonly store: MssqlStore) {
    this.s = mssqlVerifySql(store.schema);
  }

  async saveRun(run: { runId: string; boardId: string; scope: VerifyScope; status: VerifyStatus; summary?: VerifySummary }): Promise<void> {
    const params = { runId: run.runId, boardId: run.boardId, scope: JSON.stringify(run.scope), status: run.status, summary: run.summary ? JSON.stringify(run.summary) : null };
    // A concurrent insert of the same run loses on the primary key and runs again, as an update.
    await this.store.query('verify saveRun', this.s.saveRun, params).catch((e: { number?: number }) => {
      if (!DUPLICATE_KEY.has(e.number ?? 0)) throw e;
      return this.store.query('verify saveRun', this.s.saveRun, params);
    });
  }

  async getRun(runId: string): Promise<VerifyRun | null> {
    const r = (await this.store.query('verify getRun', this.s.getRun, { runId })).recordset[0];
    return r ? toVerifyRun(r) : null;
  }

  async latestWholeBoardRun(boardId: string): Promise<VerifyRun | null> {
    const r = (await this.store.query('verify latestRun', this.s.latestWholeBoardRun, { boardId, scope: WHOLE_BOARD })).recordset[0];
    return r ? toVerifyRun(r) : null;
  }

  async saveBoardRows(runId: string, rows: StoredBoardRow[]): Promise<void> {
    for (const part of chunk(rows, BOARD_ROWS_PER_REQUEST)) {
      const params: Record<string, Param> = { runId };
      part.forEach((r, i) => [r.id, r.parentItemId, r.orderKey, r.name, r.groupId, r.groupTitle, r.cellsJson, runId].forEach((v, j) => { params[`r${i}_${j}`] = v; }));
      await this.store.query('verify saveBoardRows', this.s.saveBoardRows(part.length), params);
    }
  }

  async readBoardIndex(runId: string): Promise<{ items: { id: string; orderKey: string | null }[]; subitems: number }> {
    const r = await this.store.query('verify readBoardIndex', this.s.readBoardIndex, { runId });
    const [items, count] = r.recordsets as unknown as Record<string, unknown>[][];
    return { items: (items ?? []).map((x) => ({ id: String(x.item_id), orderKey: str(x.order_key) })), subitems: Number(count?.[0]?.n ?? 0) };
  }

  async readBoardRows(runId: string, of: { ids: string[] } | { parentIds: string[] }): Promise<StoredBoardRow[]> {
    const [sqlOf, ids] = 'ids' in of ? [this.s.readBoardRows, of.ids] : [this.s.readSubitemRows, of.parentIds];
    const out: StoredBoardRow[] = [];
    for (const part of chunk(ids, IDS_PER_REQUEST)) {
      const params: Record<string, Param> = { runId };
      part.forEach((id, i) => { params[`i${i}`] = id; });
      out.push(...(await this.store.query('verify readBoardRows', sqlOf(part.length), params)).recordset.map(toStoredBoardRow));
    }
    return out;
  }

  async saveDrift(runId: string, fromSeq: number, drift: Drift[]): Promise<void> {
    for (let i = 0; i < drift.length; i += DRIFT_ROWS_PER_REQUEST) {
      const part = drift.slice(i, i + DRIFT_ROWS_PER_REQUEST);
      const from = fromSeq + i;
      const params: Record<string, Param> = { runId, from, to: from + part.length };
      part.forEach((d, k) => [from + k, d.class, d.orderKey, d.itemId, d.subitemId, d.keptItemId, d.subject, d.expected, d.actual, runId]
        .forEach((v, j) => { params[`d${k}_${j}`] = v; }));
      await this.store.query('verify saveDrift', this.s.saveDrift(part.length), params);
    }
  }

  async clearDrift(runId: string): Promise<void> {
    await this.store.query('verify clearDrift', this.s.clearDrift, { runId });
  }

  async listDrift(runId: string, page?: { offset: number; limit: number }): Promise<Drift[]> {
    const params = { runId, offset: page?.offset ?? 0, limit: page?.limit ?? 2_000_000_000 };
    return (await this.store.query('verify listDrift', this.s.listDrift, params)).recordset.map(toDrift);
  }

  async stagedLinks(): Promise<Map<string, StagedLink>> {
    return linksOf((await this.store.query('verify stagedLinks', this.s.stagedLinks)).recordset);
  }
}
