// The operations statements (audit of Monday writes, batches, worker status) on SQL Server, built for one schema.
import { b, qualified } from './identifiers';
import { DEFAULT_MSSQL_SCHEMA } from './config';
import { addApiCallsSql, countWriteSql } from '../batch-outcomes';

export type Param = string | number | null;
export type MssqlOperationsSql = ReturnType<typeof mssqlOperationsSql>;

/** The statements, built for one schema (as mssqlStatements and mssqlBatchOutcomeSql are). */
export function mssqlOperationsSql(schema: string) {
  const AUDIT = qualified(schema, 'MON_WriteAudit');
  const STATUS = qualified(schema, 'MON_WorkerStatus');
  const STG = qualified(schema, 'STG_MON_CustMasterSchedule');
  const SUB = qualified(schema, 'STG_MON_CustMasterSchedule_Subitems');
  const BATCH = qualified(schema, 'MON_BatchProcessing');
  return {
    // Update, else insert (no MERGE: Babelfish lacks it); a retried write keeps the first replaced values, which are
    // what the batch found before its first write. A concurrent insert of the same write fails on the unique index
    // (2627/2601) and is run again, then as an update.
    // One transaction, so the audit row and its count in the batch commit together (a retry never loses the count).
    recordWrite: `SET XACT_ABORT ON; BEGIN TRANSACTION;
      UPDATE ${AUDIT} SET [new_values] = @newValues, [written_at] = SYSUTCDATETIME()
      WHERE [batch_id] = @batchId AND [monday_id] = @mondayId AND [action] = @action;
      INSERT INTO ${AUDIT} ([batch_id], [order_key], [target], [monday_id], [size_label], [parent_id], [action], [new_values], [replaced_values])
        SELECT @batchId, @orderKey, @target, @mondayId, @size, @parentId, @action, @newValues, @replacedValues
        WHERE NOT EXISTS (SELECT 1 FROM ${AUDIT} WHERE [batch_id] = @batchId AND [monday_id] = @mondayId AND [action] = @action);
      -- A first write counts in its batch (db/batch-outcomes.ts BATCH_WRITE_COUNTS); a retried one only refreshed its row.
      IF @@ROWCOUNT = 1 ${countWriteSql(BATCH, b)};
      COMMIT;`,
    addApiCalls: addApiCallsSql(BATCH, STG, b),
    lastWrittenValues: `SELECT TOP (1) [new_values] FROM ${AUDIT}
      WHERE [monday_id] = @mondayId AND [batch_id] <> @batchId AND [new_values] IS NOT NULL AND [rolled_back_at] IS NULL ORDER BY [audit_id] DESC`,
    listWrites: `SELECT * FROM ${AUDIT} WHERE [batch_id] = @batchId ORDER BY [audit_id]`,
    supersededIds: `SELECT DISTINCT a.[monday_id] FROM ${AUDIT} a
      JOIN ${AUDIT} b ON b.[monday_id] = a.[monday_id] AND b.[audit_id] > a.[audit_id] AND b.[batch_id] <> a.[batch_id] AND b.[rolled_back_at] IS NULL
      WHERE a.[batch_id] = @batchId`,
    markWriteRolledBack: `UPDATE ${AUDIT} SET [rolled_back_at] = COALESCE([rolled_back_at], SYSUTCDATETIME()), [rollback_note] = @note
      WHERE [audit_id] = @auditId`,
    markOrderSynced: `UPDATE ${STG} SET [stg_status] = 'SYNCED', [stg_synced_hash] = [stg_payload_hash],
        [stg_error_message] = @note, [stg_updated_date] = SYSUTCDATETIME() WHERE [order_key] = @orderKey`,
    restoreQty: `UPDATE s SET [stg_synced_qty] = @qty, [stg_status] = 'SYNCED', [stg_updated_date] = SYSUTCDATETIME()
      FROM ${SUB} s JOIN ${STG} o ON o.[stg_id] = s.[stg_parent_stg_id]
      WHERE o.[order_key] = @orderKey AND s.[stg_monday_subitem_id] = @subitemId`,
    stagedBatchId: `SELECT [stg_batch_id] FROM ${STG} WHERE [order_key] = @orderKey`,
    lastFinishedBatch: `SELECT TOP (1) [batch_id], [status], [end_time], [duration_seconds] FROM ${BATCH}
      WHERE [end_time] IS NOT NULL ORDER BY [end_time] DESC`,
    runningBatch: `SELECT TOP (1) [batch_id], [start_time], [new_orders], [changed_orders], [synced_records], [failed_records] FROM ${BATCH}
      WHERE [end_time] IS NULL ORDER BY [start_time] DESC`,
    finishedSince: `SELECT COALESCE(SUM(CASE WHEN [stg_status] = 'SYNCED' THEN 1 ELSE 0 END), 0) AS synced,
        COALESCE(SUM(CASE WHEN [stg_status] = 'FAILED' THEN 1 ELSE 0 END), 0) AS failed
      FROM ${STG} WHERE [stg_updated_date] >= (SELECT [start_time] FROM ${BATCH} WHERE [batch_id] = @batchId)`,
    countBoardItems: `SELECT COUNT(*) AS n FROM ${STG} WHERE [stg_monday_item_id] IS NOT NULL`,
    saveWorkerStatus: `UPDATE ${STATUS} SET [updated_at] = SYSUTCDATETIME(), [status_json] = @status WHERE [worker_id] = @workerId;
      INSERT INTO ${STATUS} ([worker_id], [updated_at], [status_json]) SELECT @workerId, SYSUTCDATETIME(), @status
        WHERE NOT EXISTS (SELECT 1 FROM ${STATUS} WHERE [worker_id] = @workerId);`,
    liveWorkerStatuses: `SELECT [status_json] FROM ${STATUS}
      WHERE [updated_at] >= DATEADD(MILLISECOND, -CAST(@maxAgeMs AS INT), SYSUTCDATETIME()) ORDER BY [worker_id]`,
    /** Forget archived Monday ids (item and subitems) of one order line; one parameter per id. */
    forgetArchivedSql(count: number): string {
      const ids = Array.from({ length: count }, (_, i) => `@id${i}`).join(', ');
      return `UPDATE ${STG} SET [stg_monday_item_id] = NULL WHERE [order_key] = @orderKey AND [stg_monday_item_id] IN (${ids});
        UPDATE s SET [stg_monday_subitem_id] = NULL, [stg_monday_parent_item_id] = NULL, [stg_synced_qty] = NULL, [stg_status] = 'SYNCED', [stg_updated_date] = SYSUTCDATETIME()
          FROM ${SUB} s JOIN ${STG} o ON o.[stg_id] = s.[stg_parent_stg_id]
          WHERE o.[order_key] = @orderKey AND (s.[stg_monday_subitem_id] IN (${ids}) OR s.[stg_monday_parent_item_id] IN (${ids}));`;
    },
  };
}

/** Every statement, for the T-SQL checks (db/mssql/statements.ts allMssqlStatements). */
export function allOperationsStatements(schema = DEFAULT_MSSQL_SCHEMA): { name: string; sql: string }[] {
  const { forgetArchivedSql, ...fixed } = mssqlOperationsSql(schema);
  return [...Object.entries(fixed).map(([name, sql]) => ({ name, sql })), { name: 'forgetArchivedSql', sql: forgetArchivedSql(2) }];
}
