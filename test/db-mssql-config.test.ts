// One connection config for MSSQL_URL and the discrete MSSQL_* settings, sized to the worker's activity slots.
import { loadConfig, mssqlSettings } from '../config';
import { POOL_ACQUIRE_TIMEOUT_MS, toDriverConfig } from '../db/mssql/config';

test('the URL and the discrete settings give the same driver config; the pool fits every activity slot', () => {
  const fromUrl = mssqlSettings(loadConfig({ MSSQL_URL: 'mssql://sync:p%40ss@sql01:1444/AAG?encrypt=true', WORKER_MAX_CONCURRENT_ACTIVITIES: '40', WORKER_MAX_CONCURRENT_MONDAY_ACTIVITIES: '8' }));
  const discrete = mssqlSettings(loadConfig({
    MSSQL_SERVER: 'sql01', MSSQL_PORT: '1444', MSSQL_DATABASE: 'AAG', MSSQL_USER: 'sync', MSSQL_PASSWORD: 'p@ss',
    WORKER_MAX_CONCURRENT_ACTIVITIES: '40', WORKER_MAX_CONCURRENT_MONDAY_ACTIVITIES: '8',
  }));
  expect(fromUrl).toEqual(discrete);
  const driver = toDriverConfig(fromUrl!);
  expect(driver).toMatchObject({ server: 'sql01', port: 1444, database: 'AAG', user: 'sync', password: 'p@ss', requestTimeout: 15_000, pool: { max: 48, acquireTimeoutMillis: POOL_ACQUIRE_TIMEOUT_MS } });
  // Below the database activities' 20 s start-to-close timeout: SQL's own timeout error reaches the activity first.
  expect((driver.requestTimeout ?? 0) + POOL_ACQUIRE_TIMEOUT_MS).toBeLessThanOrEqual(30_000);
  expect(driver.requestTimeout).toBeLessThan(20_000);
  expect(fromUrl?.schema).toBe('orders_sync');
});

test('settings override the defaults in both forms; no SQL Server settings means the embedded SQLite', () => {
  const s = mssqlSettings(loadConfig({ MSSQL_URL: 'mssql://u:p@h/db?poolMax=7', MSSQL_REQUEST_TIMEOUT_MS: '9000', MSSQL_SCHEMA: 'sync2' }));
  expect(s).toMatchObject({ poolMax: 7, requestTimeoutMs: 9000, schema: 'sync2' });
  expect(mssqlSettings(loadConfig({}))).toBeUndefined();
  expect(() => loadConfig({ MSSQL_SCHEMA: 'dbo]; DROP' })).toThrow(/MSSQL_SCHEMA/);
  expect(() => mssqlSettings(loadConfig({ MSSQL_URL: 'mssql://u:p@h/db?poolMax=lots' }))).toThrow(/poolMax must be a positive whole number/);
});
