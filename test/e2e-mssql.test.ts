// SQL Server end to end, as users run it: `orders-sync db migrate`, `doctor`, `worker` and `sync --once` as child
// processes (bin/orders-sync.js, through tsx/cjs like users start it) with MSSQL_URL pointing at the test engine
// (Babelfish from ../shared/tools, or MSSQL_URL's real server); the demo's order lines go through the real workflows
// into the sandbox over HTTP, with SQL Server as the store.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { startStack, type Stack } from './support/stack';
import { readBoard } from './support/board';
import { TEST_MSSQL_ENGINE, TEST_MSSQL_URL, freshMssqlDatabase, skippedNotice } from './support/mssql';
import { generateDemoOrders } from '../db/demo-data';
import { COLUMN_TYPES, ORDERS_UNIFIED_COLUMNS } from '../db/orders-unified-columns';
import { b } from '../db/mssql/identifiers';
import type { SourceRow } from '../shared/order';
import { createTransform, MappingError } from '../mapping';
import sql from 'mssql';
import { parseMssqlUrl } from '../db/open';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'bin/orders-sync.js');

if (!TEST_MSSQL_URL) {
  skippedNotice('SQL Server end-to-end test');
  test.todo('SQL Server end to end (needs MSSQL_URL or ../shared/tools/babelfish)');
} else {
  let db: Awaited<ReturnType<typeof freshMssqlDatabase>>;
  let stack: Stack;
  let worker: ChildProcess | undefined;
  // Generous: the T-SQL engine shares two cores with the rest of the suite, and sync --once took 75 s alone, 180 s+ in CI.
  const cli = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const r = await promisify(execFile)(process.execPath, [CLI, ...args], { env: stack.childEnv(), timeout: 600_000 });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  beforeAll(async () => {
    db = await freshMssqlDatabase('e2e');
    // The user's newer pipeline: the source is a view of the legacy shape (MSSQL_SOURCE), over a table whose DDL quotes
    // names as theirs does ([CUSTOMER''S COLOUR CODE …]: two apostrophes in the real name).
    const pool = await new sql.ConnectionPool(parseMssqlUrl(db.url)).connect();
    try {
      // Columns named one by one, as the user's view does (the engine reports a SELECT * view's names lower-cased;
      // SQL Server keeps them as in the table).
      await pool.request().batch(`CREATE VIEW [dbo].[vORDERS_UNIFIED] AS SELECT ${ORDERS_UNIFIED_COLUMNS.map((c) => b(c.name)).join(', ')} FROM [dbo].[ORDERS_UNIFIED]`);
    } finally {
      await pool.close();
    }
    stack = await startStack({ env: { MSSQL_URL: db.url, MSSQL_SOURCE: 'dbo.vORDERS_UNIFIED' }, worker: false });
  }, 120_000);
  afterAll(async () => {
    worker?.kill('SIGTERM');
    await stack?.stop();
    await db?.drop();
  });

  test(`db migrate, doctor, worker and sync --once on SQL Server (${TEST_MSSQL_ENGINE}) sync the demo's order lines`, async () => {
    expect(stack.store.dialect).toBe('mssql');
    const migrate = await cli(['db', 'migrate']);
    expect(migrate).toMatchObject({ code: 0 });
    expect(migrate.stderr).not.toContain('Cannot find module');

    // The demo's deliberately bad rows with text in INT size columns cannot exist in a typed SQL Server table
    // (Msg 245), so the SQL Server run seeds the demo rows its column types accept.
    const typed = (row: SourceRow): boolean => Object.entries(row).every(([c, v]) => COLUMN_TYPES.get(c) !== 'int' || v === null || typeof v === 'number');
    const rows = generateDemoOrders().filter(typed);
    await stack.store.insertSourceRows(rows);
    const doctor = await cli(['doctor']);
    expect(doctor.stdout).toMatch(/✔ Database: SQL Server/);
    expect(doctor.stdout).toContain('dbo.vORDERS_UNIFIED has every column the mapping reads');

    worker = spawn(process.execPath, [CLI, 'worker'], { env: stack.childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let workerOut = '';
    worker.stdout?.on('data', (d: Buffer) => { workerOut += d.toString(); });
    worker.stderr?.on('data', (d: Buffer) => { workerOut += d.toString(); });
    const deadline = Date.now() + 60_000;
    while (!workerOut.includes('worker connected') && Date.now() < deadline && worker.exitCode === null) await new Promise((r) => setTimeout(r, 200));
    expect(workerOut).toContain('worker connected');

    const sync = await cli(['sync', '--once']);
    const transform = createTransform(stack.mapping);
    let expectedOrders = 0;
    for (const row of rows) {
      try {
        transform(row);
        expectedOrders++;
      } catch (err) {
        if (!(err instanceof MappingError)) throw err;
      }
    }
    // Rejected demo rows (bad quantities etc.) make the summary non-zero; every mappable order line must be synced.
    expect(sync.stderr).not.toContain('Cannot find module');
    expect(sync.stdout).toMatch(new RegExp(`synced ${expectedOrders} order lines, 0 failed in [\\d.]+s: on Monday ${expectedOrders} items created, 0 updated; \\d+ subitems created`));
    const counts = await stack.store.statusCounts();
    expect(counts.SYNCED).toBe(expectedOrders);
    expect(counts.FAILED + counts.PENDING + counts.IN_PROGRESS + counts.ITEM_CREATED).toBe(0);
    const board = await readBoard(stack.sandbox.url, stack.mapping.items.boardId);
    expect(board).toHaveLength(expectedOrders);
    expect(board.reduce((n, item) => n + item.subitems.length, 0)).toBeGreaterThan(expectedOrders);
  }, 900_000);
}
