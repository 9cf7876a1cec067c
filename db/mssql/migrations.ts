// SQL Server schema. ORDERS_UNIFIED already exists in dbo and is only read, so it is not created here
// (MSSQL_ORDERS_UNIFIED_DDL exists for test databases only). This project's tables live in a schema of their own
// (MSSQL_SCHEMA, default orders_sync): dbo already holds the current system's tables with the same names and other
// columns, which are never touched. Every statement is guarded, so re-running is harmless.
import { ORDERS_UNIFIED_COLUMNS } from '../orders-unified-columns';
import { MAX_ORDER_KEY_LENGTH } from '../../shared/order';
import { MAX_FIRST_KEY_PART } from '../common';
import { mssqlMigrations12x } from './migrations-source';
import { convergenceMigrations, convergenceTables } from './migrations-convergence';
import { mssqlDispatchControlMigrations } from './dispatch-control-migrations';
import { mssqlRollbackMigrations } from './migrations-rollback';

import { KEY_TYPE, SIZE_TYPE, b, qualified } from './identifiers';

/** Longest order key the key columns hold (NVARCHAR(450): 900 bytes, SQL Server's limit for a clustered key). */
export const MAX_KEY_LENGTH = MAX_ORDER_KEY_LENGTH;
const MSSQL_TYPES = { text: 'NVARCHAR(MAX)', int: 'INT', date: 'DATE', uuid: 'UNIQUEIDENTIFIER' } as const;

const ifNoTable = (schema: string, name: string, create: string): string =>
  `IF OBJECT_ID(N'${qualified(schema, name)}', N'U') IS NULL ${create}`;
const ifNoIndex = (schema: string, table: string, index: string, create: string): string =>
  `IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'${index}' AND object_id = OBJECT_ID(N'${qualified(schema, table)}')) ${create}`;

export const MSSQL_ORDERS_UNIFIED_DDL = ifNoTable('dbo', 'ORDERS_UNIFIED', `CREATE TABLE [dbo].[ORDERS_UNIFIED] (${ORDERS_UNIFIED_COLUMNS.map(
  (c) => `${b(c.name)} ${MSSQL_TYPES[c.sqlType]} NULL${c.name === 'record_uuid' ? ' DEFAULT (newid())' : ''}`).join(', ')})`);

/** The current system's tables in dbo (other columns than ours): doctor names them; nothing here touches them. */
export const LEGACY_TABLES = ['STG_MON_CustMasterSchedule', 'STG_MON_CustMasterSchedule_Subitems', 'ERR_MON_CustMasterSchedule', 'MON_BatchProcessing'];

type Columns = [name: string, definition: string][];
const errorColumns = (extra: Columns): Columns => [
  ['err_id', 'BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY'],
  ['batch_id', 'NVARCHAR(100) NULL'],
  ['order_key', `${KEY_TYPE} NOT NULL`],
  ...extra,
  ['category', 'NVARCHAR(30) NOT NULL'],
  ['error_type', 'NVARCHAR(100) NOT NULL'],
  ['error_message', 'NVARCHAR(MAX) NOT NULL'],
  ['http_status_code', 'INT NULL'],
  ['api_payload', 'NVARCHAR(MAX) NULL'],
  ['retry_count', 'INT NOT NULL DEFAULT 0'],
  ['created_date', 'DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME()'],
  ['last_retry_date', 'DATETIME2(3) NULL'],
  ['resolved_date', 'DATETIME2(3) NULL'],
];

/** This project's tables: columns (checked against what `db migrate` finds) and table constraints. */
export function mssqlTables(schema: string): { name: string; columns: Columns; constraints: string[] }[] {
  return [
    { name: 'MON_SchemaMigrations', columns: [['version', 'NVARCHAR(100) NOT NULL PRIMARY KEY'], ['applied_at', 'DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME()']], constraints: [] },
    {
      name: 'STG_MON_CustMasterSchedule',
      columns: [
        ['stg_id', 'BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY'], ['order_key', `${KEY_TYPE} NOT NULL`], ['stg_batch_id', 'NVARCHAR(100) NULL'],
        ['Title', 'NVARCHAR(MAX) NULL'], ['Group', 'NVARCHAR(MAX) NULL'], ['CUSTOMER', 'NVARCHAR(MAX) NULL'], ['AAG ORDER NUMBER', 'NVARCHAR(MAX) NULL'], ['PO NUMBER', 'NVARCHAR(MAX) NULL'],
        ['stg_status', "NVARCHAR(20) NOT NULL DEFAULT 'PENDING'"], ['stg_monday_item_id', 'NVARCHAR(64) NULL'], ['stg_payload_hash', 'NVARCHAR(64) NOT NULL'],
        ['stg_synced_hash', 'NVARCHAR(64) NULL'], ['stg_api_payload', 'NVARCHAR(MAX) NOT NULL'], ['stg_retry_count', 'INT NOT NULL DEFAULT 0'],
        ['stg_error_message', 'NVARCHAR(MAX) NULL'], ['stg_created_date', 'DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME()'],
        ['stg_updated_date', 'DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME()'], ['stg_processed_date', 'DATETIME2(3) NULL'],
      ],
      constraints: [
        'CONSTRAINT [UQ_STG_MON_CustMasterSchedule_order_key] UNIQUE ([order_key])',
        "CONSTRAINT [CK_STG_MON_CustMasterSchedule_status] CHECK ([stg_status] IN ('PENDING', 'IN_PROGRESS', 'ITEM_CREATED', 'SYNCED', 'FAILED'))",
      ],
    },
    {
      name: 'STG_MON_CustMasterSchedule_Subitems',
      columns: [
        ['stg_id', 'BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY'],
        ['stg_parent_stg_id', `BIGINT NOT NULL REFERENCES ${qualified(schema, 'STG_MON_CustMasterSchedule')} ([stg_id])`],
        ['stg_batch_id', 'NVARCHAR(100) NULL'], ['Size', `${SIZE_TYPE} NOT NULL`],
        // Position of the size in the mapping's size-column order: subitems are read back in that order.
        ['stg_size_seq', 'INT NOT NULL DEFAULT 0'],
        ['stg_size_label', 'NVARCHAR(MAX) NULL'], ['ORDER_QTY', 'INT NOT NULL'], ['stg_status', "NVARCHAR(20) NOT NULL DEFAULT 'PENDING'"],
        ['stg_monday_subitem_id', 'NVARCHAR(64) NULL'], ['stg_monday_parent_item_id', 'NVARCHAR(64) NULL'], ['stg_synced_qty', 'INT NULL'],
        ['stg_api_payload', 'NVARCHAR(MAX) NULL'], ['stg_created_date', 'DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME()'],
        ['stg_updated_date', 'DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME()'],
      ],
      constraints: ['CONSTRAINT [UQ_STG_MON_CustMasterSchedule_Subitems_parent_size] UNIQUE ([stg_parent_stg_id], [Size])'],
    },
    { name: 'ERR_MON_CustMasterSchedule', columns: errorColumns([]), constraints: [] },
    { name: 'ERR_MON_CustMasterSchedule_Subitems', columns: errorColumns([['size_label', 'NVARCHAR(100) NULL']]), constraints: [] },
    {
      name: 'MON_BatchProcessing',
      columns: [
        ['batch_id', 'NVARCHAR(100) NOT NULL PRIMARY KEY'], ['customer_name', 'NVARCHAR(MAX) NULL'], ['batch_type', 'NVARCHAR(200) NOT NULL'],
        ['status', "NVARCHAR(30) NOT NULL DEFAULT 'STARTED'"],
        ...['total_records', 'new_orders', 'changed_orders', 'unchanged_orders', 'failed_records', 'rejected_records', 'synced_records',
          'items_created', 'subitems_created', 'api_calls_made'].map((c): [string, string] => [c, 'INT NOT NULL DEFAULT 0']),
        ['start_time', 'DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME()'], ['end_time', 'DATETIME2(3) NULL'], ['duration_seconds', 'FLOAT NULL'],
        ['staging_load_completed', 'DATETIME2(3) NULL'], ['items_creation_completed', 'DATETIME2(3) NULL'], ['subitems_creation_completed', 'DATETIME2(3) NULL'],
        ['config_snapshot', 'NVARCHAR(MAX) NULL'],
      ],
      constraints: [],
    },
    {
      // One sync batch's copy of ORDERS_UNIFIED (snapshotSql in db/mssql/statements.ts): taken once, paged and looked up by the batch.
      name: 'MON_SourceSnapshot',
      columns: [
        ['snapshot_id', 'INT IDENTITY(1,1) NOT NULL PRIMARY KEY'], ['batch_id', 'NVARCHAR(100) NOT NULL'], ['po_filter', 'NVARCHAR(MAX) NULL'],
        ['row_count', 'INT NOT NULL DEFAULT 0'], ['taken_at', 'DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME()'],
      ],
      constraints: ['CONSTRAINT [UQ_MON_SourceSnapshot_batch_id] UNIQUE ([batch_id])'],
    },
    {
      // The rows, clustered by (snapshot, key group, row): a page is a range seek on integers, never a sort. The key
      // group numbers rank the normalised key parts (NVARCHAR(MAX) in the source, so they cannot be index keys
      // themselves: 3 × 900 bytes would pass SQL Server's 900/1700-byte index key limits). The first key part, cut to
      // the 446 characters it can have in a valid order key, is indexed for the per-order look-up.
      name: 'MON_SourceSnapshotRow',
      columns: [
        ['snapshot_id', `INT NOT NULL REFERENCES ${qualified(schema, 'MON_SourceSnapshot')} ([snapshot_id])`],
        ['snap_group', 'INT NOT NULL'], ['snap_row', 'INT NOT NULL'], ['snap_key1', `NVARCHAR(${MAX_FIRST_KEY_PART}) COLLATE Latin1_General_100_BIN2 NOT NULL`],
        ...ORDERS_UNIFIED_COLUMNS.map((c): [string, string] => [c.name, `${MSSQL_TYPES[c.sqlType]} NULL`]),
      ],
      constraints: ['CONSTRAINT [PK_MON_SourceSnapshotRow] PRIMARY KEY CLUSTERED ([snapshot_id], [snap_group], [snap_row])'],
    },
    {
      // Idempotent batch counters (db/batch-outcomes.ts): one row per order line and batch.
      name: 'MON_BatchOrderOutcome',
      columns: [
        ['batch_id', 'NVARCHAR(100) NOT NULL'], ['order_key', `${KEY_TYPE} NOT NULL`], ['outcome', 'NVARCHAR(30) NOT NULL'],
        ['pass', 'INT NOT NULL'], ['subitems', 'INT NOT NULL DEFAULT 0'], ['updated_date', 'DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME()'],
      ],
      constraints: ['CONSTRAINT [PK_MON_BatchOrderOutcome] PRIMARY KEY ([batch_id], [order_key])'],
    },
    // orders-sync board adopt: its runs, what it read from the board, and every item it archived.
    {
      name: 'MON_AdoptionRun',
      columns: [
        ['run_id', 'NVARCHAR(100) NOT NULL PRIMARY KEY'], ['board_id', 'NVARCHAR(64) NOT NULL'], ['status', 'NVARCHAR(20) NOT NULL'],
        ['report', 'NVARCHAR(MAX) NULL'], ['started_at', 'DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME()'], ['finished_at', 'DATETIME2(3) NULL'],
      ],
      constraints: ["CONSTRAINT [CK_MON_AdoptionRun_status] CHECK ([status] IN ('READING', 'PLANNED', 'APPLIED', 'EMPTY'))"],
    },
    {
      name: 'MON_AdoptionBoardRead',
      columns: [
        ['run_id', 'NVARCHAR(100) NOT NULL'], ['item_id', 'NVARCHAR(64) NOT NULL'], ['parent_item_id', 'NVARCHAR(64) NULL'],
        ['name', 'NVARCHAR(MAX) NOT NULL'], ['created_at', 'NVARCHAR(40) NULL'], ['group_id', 'NVARCHAR(100) NULL'],
        ['group_title', 'NVARCHAR(MAX) NULL'], ['column_values', 'NVARCHAR(MAX) NOT NULL'],
      ],
      constraints: ['CONSTRAINT [PK_MON_AdoptionBoardRead] PRIMARY KEY ([run_id], [item_id])'],
    },
    {
      name: 'MON_AdoptionArchive',
      columns: [
        ['archive_id', 'BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY'], ['run_id', 'NVARCHAR(100) NOT NULL'], ['board_id', 'NVARCHAR(64) NOT NULL'],
        ['item_id', 'NVARCHAR(64) NOT NULL'], ['parent_item_id', 'NVARCHAR(64) NULL'], ['order_key', `${KEY_TYPE} NULL`],
        ['reason', 'NVARCHAR(400) NOT NULL'], ['archived_at', 'DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME()'],
      ],
      constraints: ['CONSTRAINT [UQ_MON_AdoptionArchive_item] UNIQUE ([item_id])'],
    },
    {
      // Groups by id: a title people renamed on the board still finds its group. Titles compare exactly (BIN2).
      name: 'MON_BoardGroups',
      columns: [
        ['board_id', 'NVARCHAR(64) NOT NULL'], ['group_title', 'NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL'],
        ['group_id', 'NVARCHAR(100) NOT NULL'], ['updated_at', 'DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME()'],
      ],
      constraints: ['CONSTRAINT [PK_MON_BoardGroups] PRIMARY KEY ([board_id], [group_title])'],
    },
    {
      // The audit of every Monday write (rollback, db/mssql/operations.ts).
      name: 'MON_WriteAudit',
      columns: [
        ['audit_id', 'BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY'], ['batch_id', 'NVARCHAR(100) NOT NULL'], ['order_key', `${KEY_TYPE} NOT NULL`],
        ['target', 'NVARCHAR(10) NOT NULL'], ['monday_id', 'NVARCHAR(64) NOT NULL'], ['size_label', `${SIZE_TYPE} NULL`], ['parent_id', 'NVARCHAR(64) NULL'],
        ['action', 'NVARCHAR(10) NOT NULL'], ['new_values', 'NVARCHAR(MAX) NULL'], ['replaced_values', 'NVARCHAR(MAX) NULL'],
        ['written_at', 'DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME()'], ['rolled_back_at', 'DATETIME2(3) NULL'], ['rollback_note', 'NVARCHAR(MAX) NULL'],
      ],
      constraints: [
        "CONSTRAINT [CK_MON_WriteAudit_target] CHECK ([target] IN ('item', 'subitem'))",
        "CONSTRAINT [CK_MON_WriteAudit_action] CHECK ([action] IN ('create', 'update', 'zero', 'archive'))",
      ],
    },
    {
      // Each worker's live Monday budget state (progress lines, status --watch).
      name: 'MON_WorkerStatus',
      columns: [['worker_id', 'NVARCHAR(200) NOT NULL PRIMARY KEY'], ['updated_at', 'DATETIME2(3) NOT NULL'], ['status_json', 'NVARCHAR(MAX) NOT NULL']],
      constraints: [],
    },
    ...convergenceTables(),
  ];
}

function createTable(schema: string, table: ReturnType<typeof mssqlTables>[number]): string {
  const body = [...table.columns.map(([n, d]) => `${b(n)} ${d}`), ...table.constraints].join(',\n  ');
  return ifNoTable(schema, table.name, `CREATE TABLE ${qualified(schema, table.name)} (\n  ${body}\n)`);
}
const tableNamed = (schema: string, name: string) => mssqlTables(schema).find((t) => t.name === name)!;

/** Creates the schema (CREATE SCHEMA must be alone in its batch, hence EXEC), then the migrations table. */
export function mssqlBootstrapDdl(schema: string): string[] {
  return [`IF SCHEMA_ID(N'${schema}') IS NULL EXEC(N'CREATE SCHEMA ${b(schema)}')`, createTable(schema, tableNamed(schema, 'MON_SchemaMigrations'))];
}

export function mssqlMigrations(schema: string): { version: string; statements: string[] }[] {
  const t = (name: string) => createTable(schema, tableNamed(schema, name));
  const index = (table: string, name: string, cols: string, unique = false) =>
    ifNoIndex(schema, table, name, `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${b(name)} ON ${qualified(schema, table)} (${cols})`);
  return [{
    version: '001_staging_errors_batches',
    statements: [
      t('STG_MON_CustMasterSchedule'),
      index('STG_MON_CustMasterSchedule', 'IX_STG_MON_CustMasterSchedule_status', '[stg_status]'),
      t('STG_MON_CustMasterSchedule_Subitems'),
      t('ERR_MON_CustMasterSchedule'),
      index('ERR_MON_CustMasterSchedule', 'IX_ERR_MON_CustMasterSchedule_order_key', '[order_key]'),
      t('ERR_MON_CustMasterSchedule_Subitems'),
      index('ERR_MON_CustMasterSchedule_Subitems', 'IX_ERR_MON_CustMasterSchedule_Subitems_order_key', '[order_key]'),
      t('MON_BatchProcessing'),
    ],
  }, {
    version: '002_batch_order_outcomes',
    statements: [t('MON_BatchOrderOutcome')],
  }, {
    version: '004_board_adoption',
    statements: [
      t('MON_AdoptionRun'),
      index('MON_AdoptionRun', 'IX_MON_AdoptionRun_board', '[board_id], [status]'),
      t('MON_AdoptionBoardRead'), t('MON_AdoptionArchive'), t('MON_BoardGroups'),
    ],
  }, {
    // Issue 11: the audit of every Monday write (rollback) and each worker's live budget state (progress, status --watch).
    version: '005_write_audit_worker_status',
    statements: [
      t('MON_WriteAudit'),
      // order_key (900 bytes at NVARCHAR(450)) is left out of the unique index: batch + Monday id + action identify a write.
      index('MON_WriteAudit', 'UQ_MON_WriteAudit_write', '[batch_id], [monday_id], [action]', true),
      index('MON_WriteAudit', 'IX_MON_WriteAudit_monday_id', '[monday_id], [audit_id]'),
      t('MON_WorkerStatus'),
    ],
  }, {
    version: '006_source_snapshot',
    statements: [
      t('MON_SourceSnapshot'),
      t('MON_SourceSnapshotRow'),
      index('MON_SourceSnapshotRow', 'IX_MON_SourceSnapshotRow_key1', '[snapshot_id], [snap_key1]'),
    ],
  }, ...convergenceMigrations(t, index), ...mssqlDispatchControlMigrations(schema), ...mssqlRollbackMigrations(schema), ...mssqlMigrations12x(schema), {
    // Issue 21: counters that mean their names (see db/batch-outcomes.ts); added, not in mssqlTables, so that a
    // database from before them still passes the own-tables check that runs before migrations.
    version: '140_batch_write_counters',
    statements: BATCH_WRITE_COUNTERS.map((c) => `IF NOT EXISTS (SELECT 1 FROM sys.columns WHERE object_id = OBJECT_ID(N'${qualified(schema, 'MON_BatchProcessing')}') AND name = N'${c}')
  ALTER TABLE ${qualified(schema, 'MON_BatchProcessing')} ADD ${b(c)} INT NOT NULL DEFAULT 0`),
  }];
}

/** Columns of MON_BatchProcessing added by migration 140. */
export const BATCH_WRITE_COUNTERS = ['items_updated', 'subitems_updated', 'subitems_removed'];
