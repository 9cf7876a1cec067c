// The verify statements (runs, board read, drift) on SQL Server, built for one schema.
import { qualified } from './identifiers';
import { DEFAULT_MSSQL_SCHEMA } from './config';

const values = (rows: number, cols: number, prefix: string): string =>
  Array.from({ length: rows }, (_, i) => `(${Array.from({ length: cols }, (__, j) => `@${prefix}${i}_${j}`).join(', ')})`).join(', ');

export function mssqlVerifySql(schema: string) {
  const RUN = qualified(schema, 'MON_VerifyRun');
  const READ = qualified(schema, 'MON_VerifyBoardRead');
  const DRIFT = qualified(schema, 'MON_VerifyDrift');
  const STG = qualified(schema, 'STG_MON_CustMasterSchedule');
  const SUB = qualified(schema, 'STG_MON_CustMasterSchedule_Subitems');
  return {
    saveRun: `UPDATE ${RUN} SET [status] = @status, [summary] = COALESCE(@summary, [summary]),
        [finished_at] = CASE WHEN @status = 'DONE' THEN SYSUTCDATETIME() ELSE NULL END WHERE [run_id] = @runId;
      INSERT INTO ${RUN} ([run_id], [board_id], [scope], [status], [summary])
        SELECT @runId, @boardId, @scope, @status, @summary WHERE NOT EXISTS (SELECT 1 FROM ${RUN} WHERE [run_id] = @runId);`,
    getRun: `SELECT * FROM ${RUN} WHERE [run_id] = @runId`,
    latestWholeBoardRun: `SELECT TOP (1) * FROM ${RUN} WHERE [board_id] = @boardId AND [status] = 'DONE' AND [scope] = @scope ORDER BY [finished_at] DESC`,
    saveBoardRows: (n: number) => `DELETE FROM ${READ} WHERE [run_id] = @runId AND [item_id] IN (${Array.from({ length: n }, (_, i) => `@r${i}_0`).join(', ')});
      INSERT INTO ${READ} ([item_id], [parent_item_id], [order_key], [name], [group_id], [group_title], [cells], [run_id]) VALUES ${values(n, 8, 'r')};`,
    readBoardIndex: `SELECT [item_id], [order_key] FROM ${READ} WHERE [run_id] = @runId AND [parent_item_id] IS NULL;
      SELECT COUNT(*) AS [n] FROM ${READ} WHERE [run_id] = @runId AND [parent_item_id] IS NOT NULL`,
    readBoardRows: (n: number) => `SELECT * FROM ${READ} WHERE [run_id] = @runId AND [item_id] IN (${Array.from({ length: n }, (_, i) => `@i${i}`).join(', ')})`,
    readSubitemRows: (n: number) => `SELECT * FROM ${READ} WHERE [run_id] = @runId AND [parent_item_id] IN (${Array.from({ length: n }, (_, i) => `@i${i}`).join(', ')})`,
    saveDrift: (n: number) => `DELETE FROM ${DRIFT} WHERE [run_id] = @runId AND [seq] >= @from AND [seq] < @to;
      INSERT INTO ${DRIFT} ([seq], [drift_class], [order_key], [item_id], [subitem_id], [kept_item_id], [subject], [expected], [actual], [run_id]) VALUES ${values(n, 10, 'd')};`,
    clearDrift: `DELETE FROM ${DRIFT} WHERE [run_id] = @runId`,
    listDrift: `SELECT * FROM ${DRIFT} WHERE [run_id] = @runId ORDER BY [seq] OFFSET @offset ROWS FETCH NEXT @limit ROWS ONLY`,
    stagedLinks: `SELECT p.[order_key], p.[stg_monday_item_id], s.[Size] AS [size], s.[stg_monday_subitem_id] FROM ${STG} p
      LEFT JOIN ${SUB} s ON s.[stg_parent_stg_id] = p.[stg_id] AND s.[stg_monday_subitem_id] IS NOT NULL`,
  };
}

/** Every statement shape, for the T-SQL grammar check (test/db-store.test.ts). */
export function allMssqlVerifyStatements(schema = DEFAULT_MSSQL_SCHEMA): { name: string; sql: string }[] {
  return Object.entries(mssqlVerifySql(schema)).map(([name, s]) => ({ name: `verify: ${name}`, sql: typeof s === 'string' ? s : s(2) }));
}
