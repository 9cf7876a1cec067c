// Which SQL Server errors the adapter retries (unit level: real deadlocks and Azure failovers cannot be staged here).
import { MssqlError, isTransient } from '../db/mssql/connection';

test.each([1205, 40613, 40197, 40501, 49918, 49919, 49920, 10928, 10929])('Msg %i is transient (retried with backoff)', (number) => {
  expect(isTransient({ number, message: 'x' })).toBe(true);
});

test.each([208, 2627, 8152, 245, 18456])('Msg %i is not transient (fails at once)', (number) => {
  expect(isTransient({ number, message: 'x' })).toBe(false);
});

test('socket resets are transient, also when the driver wraps them', () => {
  expect(isTransient({ code: 'ESOCKET', message: 'Connection lost - read ECONNRESET' })).toBe(true);
  expect(isTransient({ code: 'EREQUEST', message: 'x', originalError: { code: 'ECONNRESET', message: 'reset' } })).toBe(true);
  expect(isTransient({ code: 'ETIMEOUT', message: 'request timed out' })).toBe(false);
});

test('errors name the statement and the message number, never the password', () => {
  const e = new MssqlError('stageOrders', { number: 208, message: "Invalid object name '#stage_orders' (login sync / S3cret!)" }, 'S3cret!');
  expect(e.message).toBe("SQL Server stageOrders failed (Msg 208): Invalid object name '#stage_orders' (login sync / ***)");
  expect(e.number).toBe(208);
});
