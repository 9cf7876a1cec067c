// SQLite schema for the embedded default. Each migration runs once (MON_SchemaMigrations) and is idempotent anyway.
import { ORDERS_UNIFIED_COLUMNS, ORDER_KEY_COLUMNS } from '../orders-unified-columns';
import { SQLITE_BATCH_OUTCOMES_MIGRATION } from './batch-sql';
import { SQLITE_CONVERGENCE_MIGRATIONS } from './migrations-convergence';
import { KEY_IGNORED_CODES } from '../common';
import { SQLITE_MIGRATIONS_12X } from './migrations-source';
import { SQLITE_DISPATCH_CONTROL_MIGRATIONS } from './dispatch-control';
import { SQLITE_ROLLBACK_MIGRATIONS } from './migrations-rollback';

export const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;

const SQLITE_TYPES = { text: 'TEXT', int: 'INTEGER', date: 'TEXT', uuid: 'TEXT' } as const;
const STATUS_CHECK = "CHECK (stg_status IN ('PENDING','IN_PROGRESS','ITEM_CREATED','SYNCED','FAILED'))";

/** A key part as paging and look-ups compare it: the SQL form of sourceKeyPart (db/common.ts). */
export const sqliteKeyPart = (column: string): string =>
  KEY_IGNORED_CODES.reduce((e, ch) => `REPLACE(${e}, char(${ch}), '')`, `COALESCE(${q(column)}, '')`);
/** Key expressions used for paging; the expression index of 006 makes them cheap. */
export const SQLITE_KEY_EXPRS = ORDER_KEY_COLUMNS.map(sqliteKeyPart);
/** What migration 001 indexed (raw values), kept so that migration stays as it ran. */
const RAW_KEY_EXPRS = ORDER_KEY_COLUMNS.map((c) => `COALESCE(${q(c)}, '')`);

const errorTable = (name: string, extra: string) => `CREATE TABLE IF NOT EXISTS ${name} (
  err_id INTEGER PRIMARY KEY AUTOINCREMENT,
  batch_id TEXT,
  order_key TEXT NOT NULL,${extra}
  category TEXT NOT NULL CHECK (category IN ('CONFIG','DATA','REJECTED','TRANSIENT_EXHAUSTED')),
  error_type TEXT NOT NULL,
  error_message TEXT NOT NULL,
  http_status_code INTEGER,
  api_payload TEXT,
  retry_count INTEGER NOT NULL DEFAULT 0,
  created_date TEXT NOT NULL,
  last_retry_date TEXT,
  resolved_date TEXT
)`;

export const SQLITE_MIGRATIONS: { version: string; statements: string[] }[] = [
  {
    version: '001_orders_unified',
    statements: [
      `CREATE TABLE IF NOT EXISTS ORDERS_UNIFIED (\n${ORDERS_UNIFIED_COLUMNS.map((c) => `  ${q(c.name)} ${SQLITE_TYPES[c.sqlType]}`).join(',\n')}\n)`,
      `CREATE INDEX IF NOT EXISTS IX_ORDERS_UNIFIED_order_key ON ORDERS_UNIFIED (${RAW_KEY_EXPRS.join(', ')})`,
    ],
  },
  {
    version: '002_staging_errors_batches',
    statements: [
      `CREATE TABLE IF NOT EXISTS STG_MON_CustMasterSchedule (
  stg_id INTEGER PRIMARY KEY AUTOINCREMENT,
  order_key TEXT NOT NULL,
  stg_batch_id TEXT,
  "Title" TEXT, "Group" TEXT, "CUSTOMER" TEXT, "AAG ORDER NUMBER" TEXT, "PO NUMBER" TEXT,
  stg_status TEXT NOT NULL DEFAULT 'PENDING' ${STATUS_CHECK},
  stg_monday_item_id TEXT,
  stg_payload_hash TEXT NOT NULL,
  stg_synced_hash TEXT,
  stg_api_payload TEXT NOT NULL,
  stg_retry_count INTEGER NOT NULL DEFAULT 0,
  stg_error_message TEXT,
  stg_created_date TEXT NOT NULL,
  stg_updated_date TEXT NOT NULL,
  stg_processed_date TEXT,
  CONSTRAINT UQ_STG_MON_CustMasterSchedule_order_key UNIQUE (order_key)
)`,
      'CREATE INDEX IF NOT EXISTS IX_STG_MON_CustMasterSchedule_status ON STG_MON_CustMasterSchedule (stg_status)',
      `CREATE TABLE IF NOT EXISTS STG_MON_CustMasterSchedule_Subitems (
  stg_id INTEGER PRIMARY KEY AUTOINCREMENT,
  stg_parent_stg_id INTEGER NOT NULL REFERENCES STG_MON_CustMasterSchedule (stg_id),
  stg_batch_id TEXT,
  "Size" TEXT NOT NULL,
  stg_size_label TEXT,
  "ORDER_QTY" INTEGER NOT NULL,
  stg_status TEXT NOT NULL DEFAULT 'PENDING',
  stg_monday_subitem_id TEXT,
  stg_monday_parent_item_id TEXT,
  stg_synced_qty INTEGER,
  stg_api_payload TEXT,
  stg_created_date TEXT NOT NULL,
  stg_updated_date TEXT NOT NULL,
  CONSTRAINT UQ_STG_MON_CustMasterSchedule_Subitems_parent_size UNIQUE (stg_parent_stg_id, "Size")
)`,
      errorTable('ERR_MON_CustMasterSchedule', ''),
      'CREATE INDEX IF NOT EXISTS IX_ERR_MON_CustMasterSchedule_order_key ON ERR_MON_CustMasterSchedule (order_key)',
      errorTable('ERR_MON_CustMasterSchedule_Subitems', '\n  size_label TEXT,'),
      'CREATE INDEX IF NOT EXISTS IX_ERR_MON_CustMasterSchedule_Subitems_order_key ON ERR_MON_CustMasterSchedule_Subitems (order_key)',
      `CREATE TABLE IF NOT EXISTS MON_BatchProcessing (
  batch_id TEXT PRIMARY KEY,
  customer_name TEXT,
  batch_type TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'STARTED',
  total_records INTEGER NOT NULL DEFAULT 0, new_orders INTEGER NOT NULL DEFAULT 0, changed_orders INTEGER NOT NULL DEFAULT 0,
  unchanged_orders INTEGER NOT NULL DEFAULT 0, failed_records INTEGER NOT NULL DEFAULT 0, rejected_records INTEGER NOT NULL DEFAULT 0, synced_records INTEGER NOT NULL DEFAULT 0,
  items_created INTEGER NOT NULL DEFAULT 0, subitems_created INTEGER NOT NULL DEFAULT 0, api_calls_made INTEGER NOT NULL DEFAULT 0,
  start_time TEXT NOT NULL,
  end_time TEXT,
  duration_seconds REAL,
  staging_load_completed TEXT, items_creation_completed TEXT, subitems_creation_completed TEXT,
  config_snapshot TEXT
)`,
    ],
  },
  SQLITE_BATCH_OUTCOMES_MIGRATION,
  {
    // orders-sync board adopt: its runs, what it read from the board, and every item it archived.
    version: '004_board_adoption',
    statements: [
      `CREATE TABLE IF NOT EXISTS MON_AdoptionRun (
  run_id TEXT PRIMARY KEY,
  board_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('READING','PLANNED','APPLIED','EMPTY')),
  report TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT
)`,
      'CREATE INDEX IF NOT EXISTS IX_MON_AdoptionRun_board ON MON_AdoptionRun (board_id, status)',
      `CREATE TABLE IF NOT EXISTS MON_AdoptionBoardRead (
  run_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  parent_item_id TEXT,
  name TEXT NOT NULL,
  created_at TEXT,
  group_id TEXT,
  group_title TEXT,
  column_values TEXT NOT NULL,
  PRIMARY KEY (run_id, item_id)
)`,
      `CREATE TABLE IF NOT EXISTS MON_AdoptionArchive (
  archive_id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL,
  board_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  parent_item_id TEXT,
  order_key TEXT,
  reason TEXT NOT NULL,
  archived_at TEXT NOT NULL,
  CONSTRAINT UQ_MON_AdoptionArchive_item UNIQUE (item_id)
)`,
      // Groups by id: a title people renamed on the board still finds its group.
      `CREATE TABLE IF NOT EXISTS MON_BoardGroups (
  board_id TEXT NOT NULL,
  group_title TEXT NOT NULL,
  group_id TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (board_id, group_title)
)`,
    ],
  },
  {
    // Issue 11: the audit of every Monday write (rollback) and each worker's live budget state (progress, status --watch).
    version: '005_write_audit_worker_status',
    statements: [
      `CREATE TABLE IF NOT EXISTS MON_WriteAudit (
  audit_id INTEGER PRIMARY KEY AUTOINCREMENT,
  batch_id TEXT NOT NULL,
  order_key TEXT NOT NULL,
  target TEXT NOT NULL CHECK (target IN ('item','subitem')),
  monday_id TEXT NOT NULL,
  size_label TEXT,
  parent_id TEXT,
  action TEXT NOT NULL CHECK (action IN ('create','update','zero','archive')),
  new_values TEXT,
  replaced_values TEXT,
  written_at TEXT NOT NULL,
  rolled_back_at TEXT,
  rollback_note TEXT,
  CONSTRAINT UQ_MON_WriteAudit_write UNIQUE (batch_id, monday_id, action)
)`,
      'CREATE INDEX IF NOT EXISTS IX_MON_WriteAudit_monday_id ON MON_WriteAudit (monday_id, audit_id)',
      `CREATE TABLE IF NOT EXISTS MON_WorkerStatus (
  worker_id TEXT PRIMARY KEY,
  updated_at TEXT NOT NULL,
  status_json TEXT NOT NULL
)`,
    ],
  },
  {
    // Paging compares normalised key parts: index those, not raw values.
    // Each sync batch pages and looks up over its own copy of the source (the SQL Server design, db/mssql/statements.ts).
    version: '006_source_snapshot',
    statements: [
      'DROP INDEX IF EXISTS IX_ORDERS_UNIFIED_order_key',
      `CREATE INDEX IF NOT EXISTS IX_ORDERS_UNIFIED_key_parts ON ORDERS_UNIFIED (${SQLITE_KEY_EXPRS.join(', ')})`,
      `CREATE TABLE IF NOT EXISTS MON_SourceSnapshot (
  snapshot_id INTEGER PRIMARY KEY AUTOINCREMENT,
  batch_id TEXT NOT NULL UNIQUE,
  po_filter TEXT,
  row_count INTEGER NOT NULL DEFAULT 0,
  taken_at TEXT NOT NULL
)`,
      `CREATE TABLE IF NOT EXISTS MON_SourceSnapshotRow (
  snapshot_id INTEGER NOT NULL REFERENCES MON_SourceSnapshot (snapshot_id),
  snap_group INTEGER NOT NULL,
  snap_row INTEGER NOT NULL,
  snap_key1 TEXT NOT NULL,
${ORDERS_UNIFIED_COLUMNS.map((c) => `  ${q(c.name)} ${SQLITE_TYPES[c.sqlType]},`).join('\n')}
  PRIMARY KEY (snapshot_id, snap_group, snap_row)
)`,
      // With the group and row, the look-up's ORDER BY comes from this index (else SQLite walks the whole snapshot by PK).
      'CREATE INDEX IF NOT EXISTS IX_MON_SourceSnapshotRow_key1 ON MON_SourceSnapshotRow (snapshot_id, snap_key1, snap_group, snap_row)',
    ],
  },
  ...SQLITE_CONVERGENCE_MIGRATIONS,
  ...SQLITE_DISPATCH_CONTROL_MIGRATIONS,
  ...SQLITE_ROLLBACK_MIGRATIONS,
  ...SQLITE_MIGRATIONS_12X,
  {
    // Issue 20 (130-139): `orders-sync acceptance` keeps its check rows here, in its scratch staging file, and its
    // CLI reads them: a workflow result holding every row passed Temporal's 2 MB limit at about 200 order lines.
    // Only SQLite: acceptance's scratch store is always an SQLite file, whatever database the sync uses.
    version: '130_acceptance_checks',
    statements: [
      `CREATE TABLE IF NOT EXISTS MON_AcceptanceCheck (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('column','size')),
  subject TEXT NOT NULL,
  order_key TEXT NOT NULL,
  expected TEXT NOT NULL,
  actual TEXT NOT NULL,
  ok INTEGER NOT NULL,
  PRIMARY KEY (run_id, seq)
)`,
    ],
  },
  {
    // Issue 21: counters that mean their names. items_created / subitems_created count what the batch created on Monday
    // (they counted synced order lines and sizes written); these count what it changed. Filled from the write audit.
    version: '140_batch_write_counters',
    statements: ['items_updated', 'subitems_updated', 'subitems_removed'].map((c) => `ALTER TABLE MON_BatchProcessing ADD COLUMN ${c} INTEGER NOT NULL DEFAULT 0`),
  },
];
