// SQL Server statements of the board-adoption tables (migration 004_board_adoption), in the project's schema
// (MSSQL_SCHEMA). Values travel as @parameters.
export function mssqlAdoptionSql(schema: string) {
  const q = (table: string) => `[${schema}].[${table}]`;
  return {
    saveRun: `UPDATE ${q('MON_AdoptionRun')} SET [status] = @status, [report] = COALESCE(@report, [report]),
        [finished_at] = CASE WHEN @status = N'READING' THEN NULL ELSE SYSUTCDATETIME() END
      WHERE [run_id] = @runId;
      IF NOT EXISTS (SELECT 1 FROM ${q('MON_AdoptionRun')} WHERE [run_id] = @runId)
        INSERT INTO ${q('MON_AdoptionRun')} ([run_id], [board_id], [status], [report], [finished_at])
        VALUES (@runId, @boardId, @status, @report, CASE WHEN @status = N'READING' THEN NULL ELSE SYSUTCDATETIME() END);`,
    getRun: `SELECT * FROM ${q('MON_AdoptionRun')} WHERE [run_id] = @runId`,
    isAdopted: `SELECT TOP (1) 1 AS adopted FROM ${q('MON_AdoptionRun')} WHERE [board_id] = @boardId AND [status] IN (N'APPLIED', N'EMPTY')`,
    readSnapshot: `SELECT * FROM ${q('MON_AdoptionBoardRead')} WHERE [run_id] = @runId ORDER BY LEN([item_id]), [item_id]`,
    recordArchive: `IF NOT EXISTS (SELECT 1 FROM ${q('MON_AdoptionArchive')} WITH (UPDLOCK, HOLDLOCK) WHERE [item_id] = @itemId)
        INSERT INTO ${q('MON_AdoptionArchive')} ([run_id], [board_id], [item_id], [parent_item_id], [order_key], [reason])
        VALUES (@runId, @boardId, @itemId, @parentItemId, @orderKey, @reason);`,
    rememberedGroup: `SELECT [group_id] FROM ${q('MON_BoardGroups')} WHERE [board_id] = @boardId AND [group_title] = @title`,
    rememberGroup: `UPDATE ${q('MON_BoardGroups')} WITH (UPDLOCK, SERIALIZABLE) SET [group_id] = @groupId, [updated_at] = SYSUTCDATETIME()
        WHERE [board_id] = @boardId AND [group_title] = @title;
      IF NOT EXISTS (SELECT 1 FROM ${q('MON_BoardGroups')} WHERE [board_id] = @boardId AND [group_title] = @title)
        INSERT INTO ${q('MON_BoardGroups')} ([board_id], [group_title], [group_id]) VALUES (@boardId, @title, @groupId);`,
    clearSubitemIds: `DELETE s FROM ${q('STG_MON_CustMasterSchedule_Subitems')} s JOIN ${q('STG_MON_CustMasterSchedule')} o ON o.[stg_id] = s.[stg_parent_stg_id]
        WHERE o.[order_key] = @key AND s.[ORDER_QTY] = 0;
      UPDATE s SET [stg_monday_subitem_id] = NULL, [stg_monday_parent_item_id] = NULL, [stg_synced_qty] = NULL, [stg_status] = N'PENDING', [stg_updated_date] = SYSUTCDATETIME()
        FROM ${q('STG_MON_CustMasterSchedule_Subitems')} s JOIN ${q('STG_MON_CustMasterSchedule')} o ON o.[stg_id] = s.[stg_parent_stg_id]
        WHERE o.[order_key] = @key;`,
    listArchives: `SELECT * FROM ${q('MON_AdoptionArchive')} WHERE (@runId IS NULL OR [run_id] = @runId) ORDER BY [archive_id]`,
    /** A re-read page replaces its rows: delete those item ids, then insert them (one transaction). */
    deleteBoardReadSql: (count: number): string =>
      `DELETE FROM ${q('MON_AdoptionBoardRead')} WHERE [run_id] = @runId AND [item_id] IN (${Array.from({ length: count }, (_, i) => `@id${i}`).join(', ')})`,
    insertBoardReadSql: (rows: number): string =>
      `INSERT INTO ${q('MON_AdoptionBoardRead')} (${BOARD_READ_COLUMNS.map((c) => `[${c}]`).join(', ')}) VALUES ${
        Array.from({ length: rows }, (_, r) => `(${BOARD_READ_COLUMNS.map((_, c) => `@r${r}_${c}`).join(', ')})`).join(', ')}`,
  };
}

export const BOARD_READ_COLUMNS = ['run_id', 'item_id', 'parent_item_id', 'name', 'created_at', 'group_id', 'group_title', 'column_values'];
