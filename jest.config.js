/**
 * Unit and integration tests; integration suites start their own Temporal dev server (test/support/stack.ts).
 * Global setup starts the T-SQL engine (Babelfish) for the SQL Server tests, or uses MSSQL_URL's server.
 */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': 'ts-jest' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 120_000,
  maxWorkers: 2,
  clearMocks: true,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
