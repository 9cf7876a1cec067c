// SQL Server schema. ORDERS_UNIFIED already exists there and is only read, so it is not created here
// (MSSQL_ORDERS_UNIFIED_DDL exists for test databases only). Every statement is guarded, so re-running is harmless.
import { ORDERS_UNIFIED_COLUMNS } from '../orders-unified-columns';

export const b = (name: string): string => `[${name.replace(/]/g, ']]')}]`;

/** Order keys and sizes compare exactly (binary), as they do in SQLite, whatever the database's default collation. */
export const KEY_TYPE = 'NVARCHAR(450) COLLATE Latin1_General_100_BIN2';
const SIZE_TYPE = 'NVARCHAR(100) COLLATE Latin1_General_100_BIN2';
const MSSQL_TYPES = { text: 'NVARCHAR(MAX)', int: 'INT', date: 'DATE', uuid: 'UNIQUEIDENTIFIER' } as const;

const ifNoTable = (name: string, create: string): string => `IF OBJECT_ID(N'dbo.${name}', N'U') IS NULL ${create}`;
const ifNoIndex = (table: string, index: string, create: string): string =>
  `IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'${index}' AND object_id = OBJECT_ID(N'dbo.${table}')) ${create}`;

export const MSSQL_ORDERS_UNIFIED_DDL = ifNoTable('ORDERS_UNIFIED', `CREATE TABLE [dbo].[ORDERS_UNIFIED] (${ORDERS_UNIFIED_COLUMNS.map(
  (c) => `${b(c.name)} ${MSSQL_TYPES[c.sqlType]} NULL${c.name === 'record_uuid' ? ' DEFAULT (newid())' : ''}`).join(', ')})`);

const errorTable = (name: string, extra: string): string => ifNoTable(name, `CREATE TABLE [dbo].[${name}] (
  [err_id] BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY,
  [batch_id] NVARCHAR(100) NULL,
  [order_key] ${KEY_TYPE} NOT NULL,${extra}
  [category] NVARCHAR(30) NOT NULL,
  [error_type] NVARCHAR(100) NOT NULL,
  [error_message] NVARCHAR(MAX) NOT NULL,
  [http_status_code] INT NULL,
  [api_payload] NVARCHAR(MAX) NULL,
  [retry_count] INT NOT NULL DEFAULT 0,
  [created_date] DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
  [last_retry_date] DATETIME2(3) NULL,
  [resolved_date] DATETIME2(3) NULL
)`);

export const MSSQL_MIGRATION_TABLE_DDL = ifNoTable('MON_SchemaMigrations',
  'CREATE TABLE [dbo].[MON_SchemaMigrations] ([version] NVARCHAR(100) NOT NULL PRIMARY KEY, [applied_at] DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME())');

export const MSSQL_MIGRATIONS: { version: string; statements: string[] }[] = [
  {
    version: '002_staging_errors_batches',
    statements: [
      ifNoTable('STG_MON_CustMasterSchedule', `CREATE TABLE [dbo].[STG_MON_CustMasterSchedule] (
  [stg_id] BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY,
  [order_key] ${KEY_TYPE} NOT NULL,
  [stg_batch_id] NVARCHAR(100) NULL,
  [Title] NVARCHAR(MAX) NULL, [Group] NVARCHAR(MAX) NULL, [CUSTOMER] NVARCHAR(MAX) NULL, [AAG ORDER NUMBER] NVARCHAR(MAX) NULL, [PO NUMBER] NVARCHAR(MAX) NULL,
  [stg_status] NVARCHAR(20) NOT NULL DEFAULT 'PENDING',
  [stg_monday_item_id] NVARCHAR(64) NULL,
  [stg_payload_hash] NVARCHAR(64) NOT NULL,
  [stg_synced_hash] NVARCHAR(64) NULL,
  [stg_api_payload] NVARCHAR(MAX) NOT NULL,
  [stg_retry_count] INT NOT NULL DEFAULT 0,
  [stg_error_message] NVARCHAR(MAX) NULL,
  [stg_created_date] DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
  [stg_updated_date] DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
  [stg_processed_date] DATETIME2(3) NULL,
  CONSTRAINT [UQ_STG_MON_CustMasterSchedule_order_key] UNIQUE ([order_key]),
  CONSTRAINT [CK_STG_MON_CustMasterSchedule_status] CHECK ([stg_status] IN ('PENDING', 'IN_PROGRESS', 'ITEM_CREATED', 'SYNCED', 'FAILED'))
)`),
      ifNoIndex('STG_MON_CustMasterSchedule', 'IX_STG_MON_CustMasterSchedule_status',
        'CREATE INDEX [IX_STG_MON_CustMasterSchedule_status] ON [dbo].[STG_MON_CustMasterSchedule] ([stg_status])'),
      ifNoTable('STG_MON_CustMasterSchedule_Subitems', `CREATE TABLE [dbo].[STG_MON_CustMasterSchedule_Subitems] (
  [stg_id] BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY,
  [stg_parent_stg_id] BIGINT NOT NULL REFERENCES [STG_MON_CustMasterSchedule] ([stg_id]),
  [stg_batch_id] NVARCHAR(100) NULL,
  [Size] ${SIZE_TYPE} NOT NULL,
  [stg_size_label] NVARCHAR(MAX) NULL,
  [ORDER_QTY] INT NOT NULL,
  [stg_status] NVARCHAR(20) NOT NULL DEFAULT 'PENDING',
  [stg_monday_subitem_id] NVARCHAR(64) NULL,
  [stg_monday_parent_item_id] NVARCHAR(64) NULL,
  [stg_synced_qty] INT NULL,
  [stg_api_payload] NVARCHAR(MAX) NULL,
  [stg_created_date] DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
  [stg_updated_date] DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
  CONSTRAINT [UQ_STG_MON_CustMasterSchedule_Subitems_parent_size] UNIQUE ([stg_parent_stg_id], [Size])
)`),
      errorTable('ERR_MON_CustMasterSchedule', ''),
      ifNoIndex('ERR_MON_CustMasterSchedule', 'IX_ERR_MON_CustMasterSchedule_order_key',
        'CREATE INDEX [IX_ERR_MON_CustMasterSchedule_order_key] ON [dbo].[ERR_MON_CustMasterSchedule] ([order_key])'),
      errorTable('ERR_MON_CustMasterSchedule_Subitems', '\n  [size_label] NVARCHAR(100) NULL,'),
      ifNoIndex('ERR_MON_CustMasterSchedule_Subitems', 'IX_ERR_MON_CustMasterSchedule_Subitems_order_key',
        'CREATE INDEX [IX_ERR_MON_CustMasterSchedule_Subitems_order_key] ON [dbo].[ERR_MON_CustMasterSchedule_Subitems] ([order_key])'),
      ifNoTable('MON_BatchProcessing', `CREATE TABLE [dbo].[MON_BatchProcessing] (
  [batch_id] NVARCHAR(100) NOT NULL PRIMARY KEY,
  [customer_name] NVARCHAR(MAX) NULL,
  [batch_type] NVARCHAR(200) NOT NULL,
  [status] NVARCHAR(30) NOT NULL DEFAULT 'STARTED',
  [total_records] INT NOT NULL DEFAULT 0, [new_orders] INT NOT NULL DEFAULT 0, [changed_orders] INT NOT NULL DEFAULT 0,
  [unchanged_orders] INT NOT NULL DEFAULT 0, [failed_records] INT NOT NULL DEFAULT 0, [rejected_records] INT NOT NULL DEFAULT 0, [synced_records] INT NOT NULL DEFAULT 0,
  [items_created] INT NOT NULL DEFAULT 0, [subitems_created] INT NOT NULL DEFAULT 0, [api_calls_made] INT NOT NULL DEFAULT 0,
  [start_time] DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
  [end_time] DATETIME2(3) NULL,
  [duration_seconds] FLOAT NULL,
  [staging_load_completed] DATETIME2(3) NULL, [items_creation_completed] DATETIME2(3) NULL, [subitems_creation_completed] DATETIME2(3) NULL,
  [config_snapshot] NVARCHAR(MAX) NULL
)`),
    ],
  },
  {
    // orders-sync board adopt: its runs, what it read from the board, and every item it archived.
    version: '003_board_adoption',
    statements: [
      ifNoTable('MON_AdoptionRun', `CREATE TABLE [dbo].[MON_AdoptionRun] (
  [run_id] NVARCHAR(100) NOT NULL PRIMARY KEY,
  [board_id] NVARCHAR(64) NOT NULL,
  [status] NVARCHAR(20) NOT NULL,
  [report] NVARCHAR(MAX) NULL,
  [started_at] DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
  [finished_at] DATETIME2(3) NULL,
  CONSTRAINT [CK_MON_AdoptionRun_status] CHECK ([status] IN ('READING', 'PLANNED', 'APPLIED', 'EMPTY'))
)`),
      ifNoIndex('MON_AdoptionRun', 'IX_MON_AdoptionRun_board',
        'CREATE INDEX [IX_MON_AdoptionRun_board] ON [dbo].[MON_AdoptionRun] ([board_id], [status])'),
      ifNoTable('MON_AdoptionBoardRead', `CREATE TABLE [dbo].[MON_AdoptionBoardRead] (
  [run_id] NVARCHAR(100) NOT NULL,
  [item_id] NVARCHAR(64) NOT NULL,
  [parent_item_id] NVARCHAR(64) NULL,
  [name] NVARCHAR(MAX) NOT NULL,
  [created_at] NVARCHAR(40) NULL,
  [group_id] NVARCHAR(100) NULL,
  [group_title] NVARCHAR(MAX) NULL,
  [column_values] NVARCHAR(MAX) NOT NULL,
  CONSTRAINT [PK_MON_AdoptionBoardRead] PRIMARY KEY ([run_id], [item_id])
)`),
      ifNoTable('MON_AdoptionArchive', `CREATE TABLE [dbo].[MON_AdoptionArchive] (
  [archive_id] BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY,
  [run_id] NVARCHAR(100) NOT NULL,
  [board_id] NVARCHAR(64) NOT NULL,
  [item_id] NVARCHAR(64) NOT NULL,
  [parent_item_id] NVARCHAR(64) NULL,
  [order_key] ${KEY_TYPE} NULL,
  [reason] NVARCHAR(400) NOT NULL,
  [archived_at] DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
  CONSTRAINT [UQ_MON_AdoptionArchive_item] UNIQUE ([item_id])
)`),
      // Groups by id: a title people renamed on the board still finds its group. Titles compare exactly (BIN2).
      ifNoTable('MON_BoardGroups', `CREATE TABLE [dbo].[MON_BoardGroups] (
  [board_id] NVARCHAR(64) NOT NULL,
  [group_title] NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL,
  [group_id] NVARCHAR(100) NOT NULL,
  [updated_at] DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
  CONSTRAINT [PK_MON_BoardGroups] PRIMARY KEY ([board_id], [group_title])
)`),
    ],
  },
];
