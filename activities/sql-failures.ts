// A SQL error no retry can fix (db/sql-errors.ts) leaves the activity as a non-retryable failure of type SQL_ERROR,
// with one line naming the statement, table and column: the order (or the sync) ends with that reason at once,
// instead of being retried for the whole database window.
import { ApplicationFailure } from '@temporalio/common';
import type { Store } from '../db/store';
import { describePermanent, permanentSqlError } from '../db/sql-errors';

export const SQL_ERROR = 'SQL_ERROR';

export function isSqlFailure(err: unknown): err is ApplicationFailure {
  return err instanceof ApplicationFailure && err.type === SQL_ERROR;
}

/** The store whose calls fail fast: every method's permanent SQL error becomes a non-retryable SQL_ERROR failure. */
export function failFastStore(store: Store): Store {
  return new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (prop === 'withSignal') return failFastStore(result as Store);
        return result instanceof Promise ? result.catch((err: unknown) => { throw toSqlFailure(err, `store.${String(prop)}`); }) : result;
      };
    },
  });
}

export function toSqlFailure(err: unknown, statement: string): unknown {
  if (isSqlFailure(err)) return err;
  const permanent = permanentSqlError(err);
  if (!permanent) return err;
  return ApplicationFailure.create({
    message: describePermanent(err, permanent, (err as { statement?: string }).statement ?? statement),
    type: SQL_ERROR, nonRetryable: true,
    details: [{ category: permanent.category, httpStatus: null, sqlErrorNumber: permanent.number, table: permanent.table, column: permanent.column }],
  });
}

/** A page the sync cannot read or stage: an error row for the batch, the batch FAILED (best effort: the database may be what failed). */
export async function endBatchOnSqlFailure(store: Store, batchId: string, failure: ApplicationFailure): Promise<void> {
  const category = ((failure.details?.[0] ?? {}) as { category?: 'CONFIG' | 'DATA' }).category ?? 'CONFIG';
  await store.recordError({ scope: 'item', orderKey: `(sync batch ${batchId})`, category, errorType: SQL_ERROR, message: failure.message, batchId }).catch(() => undefined);
  await store.finishBatch(batchId, 'FAILED').catch(() => undefined);
}
