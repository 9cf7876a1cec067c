/** Unit and integration tests; integration suites start their own Temporal dev server (test/harness). */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': 'ts-jest' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 120_000,
  maxWorkers: 2,
  clearMocks: true,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
