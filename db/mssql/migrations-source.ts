// SQL Server migrations 120–129 (issue 19): the snapshot keeps rows once per content, and keys fit SQL Server's
// index key limits (900 bytes clustered, 1,700 nonclustered from SQL Server 2016; the test engine checks neither).
import { qualified } from './identifiers';
import { INBOX_ORDER_COLUMNS, INBOX_SIZE_COLUMNS } from './bulk-stage-columns';
import { MAX_FIRST_KEY_PART } from '../common';

export function mssqlMigrations12x(schema: string): { version: string; statements: string[] }[] {
  const t = (name: string): string => qualified(schema, name);
  const ifNoTable = (name: string, create: string): string => `IF OBJECT_ID(N'${t(name)}', N'U') IS NULL ${create}`;
  const ifNoIndex = (table: string, index: string, create: string): string =>
    `IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'${index}' AND object_id = OBJECT_ID(N'${t(table)}')) ${create}`;
  return [{
    // The snapshot of earlier releases copied all 268 hard-coded columns per batch; its snapshots are dropped (a batch
    // that still pages one reads the live source, or is told to start again).
    version: '120_source_rows_by_content',
    statements: [
      `IF OBJECT_ID(N'${t('MON_SourceSnapshotRow')}', N'U') IS NOT NULL DROP TABLE ${t('MON_SourceSnapshotRow')}`,
      `DELETE FROM ${t('MON_SourceSnapshot')}`,
      // One column per ALTER: the test engine refuses SQL Server's `ADD a …, b …`.
      `IF COL_LENGTH(N'${t('MON_SourceSnapshot')}', N'source_columns') IS NULL ALTER TABLE ${t('MON_SourceSnapshot')} ADD [source_columns] NVARCHAR(MAX) NULL`,
      `IF COL_LENGTH(N'${t('MON_SourceSnapshot')}', N'copied_rows') IS NULL ALTER TABLE ${t('MON_SourceSnapshot')} ADD [copied_rows] INT NULL`,
      // One row per content (hash of the mapped columns and their list) and copy: a snapshot copies only new content.
      ifNoTable('MON_SourceRow', `CREATE TABLE ${t('MON_SourceRow')} (
  [row_id] BIGINT IDENTITY(1,1) NOT NULL CONSTRAINT [PK_MON_SourceRow] PRIMARY KEY CLUSTERED,
  [row_hash] BINARY(32) NOT NULL, [copy_no] INT NOT NULL,
  [group_key] NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
  [po] NVARCHAR(MAX) NULL, [customer] NVARCHAR(MAX) NULL, [row_json] NVARCHAR(MAX) NOT NULL,
  [copied_at] DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
  CONSTRAINT [UQ_MON_SourceRow_content] UNIQUE NONCLUSTERED ([row_hash], [copy_no]))`),
      // Which rows a snapshot holds, in key-group order: pages seek on (snapshot, group) integers.
      ifNoTable('MON_SourceSnapshotMember', `CREATE TABLE ${t('MON_SourceSnapshotMember')} (
  [snapshot_id] INT NOT NULL REFERENCES ${t('MON_SourceSnapshot')} ([snapshot_id]),
  [snap_group] INT NOT NULL, [snap_row] INT NOT NULL,
  [row_id] BIGINT NOT NULL REFERENCES ${t('MON_SourceRow')} ([row_id]),
  [snap_key1] NVARCHAR(${MAX_FIRST_KEY_PART}) COLLATE Latin1_General_100_BIN2 NOT NULL,
  CONSTRAINT [PK_MON_SourceSnapshotMember] PRIMARY KEY CLUSTERED ([snapshot_id], [snap_group], [snap_row]))`),
      // 4 + 892 bytes, plus the clustered key SQL Server adds to a non-unique index: nonclustered, within 1,700.
      ifNoIndex('MON_SourceSnapshotMember', 'IX_MON_SourceSnapshotMember_key1', `CREATE NONCLUSTERED INDEX [IX_MON_SourceSnapshotMember_key1] ON ${t('MON_SourceSnapshotMember')} ([snapshot_id], [snap_key1])`),
      ifNoIndex('MON_SourceSnapshotMember', 'IX_MON_SourceSnapshotMember_row', `CREATE NONCLUSTERED INDEX [IX_MON_SourceSnapshotMember_row] ON ${t('MON_SourceSnapshotMember')} ([row_id])`),
    ],
  }, {
    // PK_MON_BatchOrderOutcome was clustered on (batch_id 200 bytes, order_key 900 bytes): SQL Server refuses such a
    // row once a long key arrives (Msg 1946). A surrogate clustered key; the pair stays unique, nonclustered.
    version: '121_outcome_key_nonclustered',
    statements: [
      `IF EXISTS (SELECT 1 FROM sys.key_constraints WHERE [name] = N'PK_MON_BatchOrderOutcome' AND [parent_object_id] = OBJECT_ID(N'${t('MON_BatchOrderOutcome')}'))
  ALTER TABLE ${t('MON_BatchOrderOutcome')} DROP CONSTRAINT [PK_MON_BatchOrderOutcome]`,
      `IF COL_LENGTH(N'${t('MON_BatchOrderOutcome')}', N'outcome_id') IS NULL ALTER TABLE ${t('MON_BatchOrderOutcome')} ADD [outcome_id] BIGINT IDENTITY(1,1) NOT NULL`,
      `IF NOT EXISTS (SELECT 1 FROM sys.key_constraints WHERE [name] = N'PK_MON_BatchOrderOutcome_id' AND [parent_object_id] = OBJECT_ID(N'${t('MON_BatchOrderOutcome')}'))
  ALTER TABLE ${t('MON_BatchOrderOutcome')} ADD CONSTRAINT [PK_MON_BatchOrderOutcome_id] PRIMARY KEY CLUSTERED ([outcome_id])`,
      ifNoIndex('MON_BatchOrderOutcome', 'UQ_MON_BatchOrderOutcome', `CREATE UNIQUE NONCLUSTERED INDEX [UQ_MON_BatchOrderOutcome] ON ${t('MON_BatchOrderOutcome')} ([batch_id], [order_key])`),
      // Retention (RETENTION_DAYS) deletes by age: these keep it from scanning.
      ifNoIndex('ERR_MON_CustMasterSchedule', 'IX_ERR_MON_CustMasterSchedule_created', `CREATE NONCLUSTERED INDEX [IX_ERR_MON_CustMasterSchedule_created] ON ${t('ERR_MON_CustMasterSchedule')} ([created_date])`),
      ifNoIndex('ERR_MON_CustMasterSchedule_Subitems', 'IX_ERR_MON_CustMasterSchedule_Subitems_created', `CREATE NONCLUSTERED INDEX [IX_ERR_MON_CustMasterSchedule_Subitems_created] ON ${t('ERR_MON_CustMasterSchedule_Subitems')} ([created_date])`),
      ifNoIndex('MON_WriteAudit', 'IX_MON_WriteAudit_written', `CREATE NONCLUSTERED INDEX [IX_MON_WriteAudit_written] ON ${t('MON_WriteAudit')} ([written_at])`),
    ],
  }, {
    // Work tables of bulk staging (db/mssql/bulk-stage.ts): a TDS bulk load fills them, one set-based apply empties
    // them, in one transaction. Clustered on the load id alone (16 bytes): a key with order_key would pass 900 bytes.
    version: '122_stage_inbox',
    statements: (['MON_StageInboxOrder', 'MON_StageInboxSize'] as const).flatMap((name) => {
      const columns = name === 'MON_StageInboxOrder' ? INBOX_ORDER_COLUMNS : INBOX_SIZE_COLUMNS;
      return [
        ifNoTable(name, `CREATE TABLE ${t(name)} ([load_id] UNIQUEIDENTIFIER NOT NULL, ${columns.map((c) => `[${c.name}] ${c.sql}`).join(', ')})`),
        ifNoIndex(name, `CX_${name}_load`, `CREATE CLUSTERED INDEX [CX_${name}_load] ON ${t(name)} ([load_id])`),
      ];
    }),
  }];
}
