// SQLite migrations 120–129 (issue 19). 120: the 6,000-character expression index on ORDERS_UNIFIED goes (SQLite
// 3.40, Python 3.11's sqlite3 and the sqlite3 shell stopped on it with "parser stack overflow": the file could not be
// opened with ordinary tools); normalised key parts now live in columns of the snapshot, computed by the store
// (db/sqlite/source-reader.ts). The snapshot keeps rows once per content, as on SQL Server.
export const SQLITE_MIGRATIONS_12X: { version: string; statements: string[] }[] = [{
  version: '120_source_rows_by_content',
  statements: [
    'DROP INDEX IF EXISTS IX_ORDERS_UNIFIED_key_parts',
    'DROP TABLE IF EXISTS MON_SourceSnapshotRow',
    'DELETE FROM MON_SourceSnapshot',
    'ALTER TABLE MON_SourceSnapshot ADD COLUMN copied_rows INTEGER',
    'ALTER TABLE MON_SourceSnapshot ADD COLUMN source_columns TEXT',
    `CREATE TABLE IF NOT EXISTS MON_SourceRow (
  row_id INTEGER PRIMARY KEY AUTOINCREMENT,
  row_hash TEXT NOT NULL,
  copy_no INTEGER NOT NULL,
  group_key TEXT NOT NULL,
  po TEXT,
  customer TEXT,
  row_json TEXT NOT NULL,
  CONSTRAINT UQ_MON_SourceRow_content UNIQUE (row_hash, copy_no)
)`,
    `CREATE TABLE IF NOT EXISTS MON_SourceSnapshotMember (
  snapshot_id INTEGER NOT NULL REFERENCES MON_SourceSnapshot (snapshot_id),
  snap_group INTEGER NOT NULL,
  snap_row INTEGER NOT NULL,
  row_id INTEGER NOT NULL REFERENCES MON_SourceRow (row_id),
  snap_key1 TEXT NOT NULL,
  PRIMARY KEY (snapshot_id, snap_group, snap_row)
)`,
    // With the group and row, the look-up's ORDER BY comes from this index.
    'CREATE INDEX IF NOT EXISTS IX_MON_SourceSnapshotMember_key1 ON MON_SourceSnapshotMember (snapshot_id, snap_key1, snap_group, snap_row)',
    'CREATE INDEX IF NOT EXISTS IX_MON_SourceSnapshotMember_row ON MON_SourceSnapshotMember (row_id)',
    // Retention (RETENTION_DAYS) deletes by age.
    'CREATE INDEX IF NOT EXISTS IX_ERR_MON_CustMasterSchedule_created ON ERR_MON_CustMasterSchedule (created_date)',
    'CREATE INDEX IF NOT EXISTS IX_ERR_MON_CustMasterSchedule_Subitems_created ON ERR_MON_CustMasterSchedule_Subitems (created_date)',
    'CREATE INDEX IF NOT EXISTS IX_MON_WriteAudit_written ON MON_WriteAudit (written_at)',
  ],
}];
