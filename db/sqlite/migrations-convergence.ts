// Issue 17's tables on SQLite (versions 100-109): when a sync batch has ended (its dispatch, so the end can wait for
// its orders), and `orders-sync verify`'s runs, its board read and the drift it found.
export const SQLITE_CONVERGENCE_MIGRATIONS: { version: string; statements: string[] }[] = [
  {
    version: '100_batch_dispatch',
    statements: [`CREATE TABLE IF NOT EXISTS MON_BatchDispatch (
  batch_id TEXT PRIMARY KEY,
  dispatched INTEGER NOT NULL,
  end_status TEXT NOT NULL,
  dispatched_at TEXT NOT NULL
)`],
  },
  {
    version: '101_verify',
    statements: [
      `CREATE TABLE IF NOT EXISTS MON_VerifyRun (
  run_id TEXT PRIMARY KEY,
  board_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  status TEXT NOT NULL,
  summary TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT
)`,
      `CREATE TABLE IF NOT EXISTS MON_VerifyBoardRead (
  run_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  parent_item_id TEXT,
  order_key TEXT,
  name TEXT NOT NULL,
  group_id TEXT,
  group_title TEXT,
  cells TEXT NOT NULL,
  PRIMARY KEY (run_id, item_id)
)`,
      'CREATE INDEX IF NOT EXISTS IX_MON_VerifyBoardRead_parent ON MON_VerifyBoardRead (run_id, parent_item_id)',
      `CREATE TABLE IF NOT EXISTS MON_VerifyDrift (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  drift_class TEXT NOT NULL,
  order_key TEXT,
  item_id TEXT,
  subitem_id TEXT,
  kept_item_id TEXT,
  subject TEXT NOT NULL,
  expected TEXT NOT NULL,
  actual TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
)`,
    ],
  },
];

/** The SQL Server tables (columns checked by `db migrate` like the others'). */
