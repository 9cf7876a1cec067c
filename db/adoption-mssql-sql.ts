// SQL Server statements of the board-adoption tables (migration 003_board_adoption). Values travel as @parameters.
export const ADOPTION_SQL = {
  saveRun: `UPDATE [dbo].[MON_AdoptionRun] SET [status] = @status, [report] = COALESCE(@report, [report]),
      [finished_at] = CASE WHEN @status = N'READING' THEN NULL ELSE SYSUTCDATETIME() END
    WHERE [run_id] = @runId;
    IF NOT EXISTS (SELECT 1 FROM [dbo].[MON_AdoptionRun] WHERE [run_id] = @runId)
      INSERT INTO [dbo].[MON_AdoptionRun] ([run_id], [board_id], [status], [report], [finished_at])
      VALUES (@runId, @boardId, @status, @report, CASE WHEN @status = N'READING' THEN NULL ELSE SYSUTCDATETIME() END);`,
  getRun: 'SELECT * FROM [dbo].[MON_AdoptionRun] WHERE [run_id] = @runId',
  isAdopted: `SELECT TOP (1) 1 AS adopted FROM [dbo].[MON_AdoptionRun] WHERE [board_id] = @boardId AND [status] IN (N'APPLIED', N'EMPTY')`,
  readSnapshot: 'SELECT * FROM [dbo].[MON_AdoptionBoardRead] WHERE [run_id] = @runId ORDER BY LEN([item_id]), [item_id]',
  recordArchive: `IF NOT EXISTS (SELECT 1 FROM [dbo].[MON_AdoptionArchive] WITH (UPDLOCK, HOLDLOCK) WHERE [item_id] = @itemId)
      INSERT INTO [dbo].[MON_AdoptionArchive] ([run_id], [board_id], [item_id], [parent_item_id], [order_key], [reason])
      VALUES (@runId, @boardId, @itemId, @parentItemId, @orderKey, @reason);`,
  rememberedGroup: 'SELECT [group_id] FROM [dbo].[MON_BoardGroups] WHERE [board_id] = @boardId AND [group_title] = @title',
  rememberGroup: `UPDATE [dbo].[MON_BoardGroups] WITH (UPDLOCK, SERIALIZABLE) SET [group_id] = @groupId, [updated_at] = SYSUTCDATETIME()
      WHERE [board_id] = @boardId AND [group_title] = @title;
    IF NOT EXISTS (SELECT 1 FROM [dbo].[MON_BoardGroups] WHERE [board_id] = @boardId AND [group_title] = @title)
      INSERT INTO [dbo].[MON_BoardGroups] ([board_id], [group_title], [group_id]) VALUES (@boardId, @title, @groupId);`,
  clearSubitemIds: `DELETE s FROM [dbo].[STG_MON_CustMasterSchedule_Subitems] s JOIN [dbo].[STG_MON_CustMasterSchedule] o ON o.[stg_id] = s.[stg_parent_stg_id]
      WHERE o.[order_key] = @key AND s.[ORDER_QTY] = 0;
    UPDATE s SET [stg_monday_subitem_id] = NULL, [stg_monday_parent_item_id] = NULL, [stg_synced_qty] = NULL, [stg_status] = N'PENDING', [stg_updated_date] = SYSUTCDATETIME()
      FROM [dbo].[STG_MON_CustMasterSchedule_Subitems] s JOIN [dbo].[STG_MON_CustMasterSchedule] o ON o.[stg_id] = s.[stg_parent_stg_id]
      WHERE o.[order_key] = @key;`,
  listArchives: 'SELECT * FROM [dbo].[MON_AdoptionArchive] WHERE (@runId IS NULL OR [run_id] = @runId) ORDER BY [archive_id]',
};

export const BOARD_READ_COLUMNS = ['run_id', 'item_id', 'parent_item_id', 'name', 'created_at', 'group_id', 'group_title', 'column_values'];

/** A re-read page replaces its rows: delete those item ids, then insert them (one transaction). */
export function deleteBoardReadSql(count: number): string {
  return `DELETE FROM [dbo].[MON_AdoptionBoardRead] WHERE [run_id] = @runId AND [item_id] IN (${Array.from({ length: count }, (_, i) => `@id${i}`).join(', ')})`;
}
