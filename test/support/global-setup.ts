// Jest global setup: the SQL Server every SQL Server test uses. A configured MSSQL_URL (a real SQL Server) wins;
// otherwise the Babelfish engine beside the project is started. Tests read ORDERS_SYNC_TEST_MSSQL_URL; MSSQL_URL
// itself is removed from the environment so that child processes of other tests keep their embedded SQLite.
import { babelfishAvailable, startBabelfish, type Babelfish } from './babelfish';

declare global {
  var ordersSyncBabelfish: Babelfish | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (process.env.MSSQL_URL) {
    process.env.ORDERS_SYNC_TEST_MSSQL_URL = process.env.MSSQL_URL;
    process.env.ORDERS_SYNC_TEST_MSSQL_ENGINE = 'sqlserver';
    delete process.env.MSSQL_URL;
    return;
  }
  if (!babelfishAvailable()) return;
  globalThis.ordersSyncBabelfish = await startBabelfish();
  process.env.ORDERS_SYNC_TEST_MSSQL_URL = globalThis.ordersSyncBabelfish.url;
  process.env.ORDERS_SYNC_TEST_MSSQL_ENGINE = 'babelfish';
}
