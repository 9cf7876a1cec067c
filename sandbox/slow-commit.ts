// Fault: each top-level mutation field (each alias of a batch) waits before it commits, and the request
// goes on committing after the client has given up. This is how Monday behaves:
// - top-level mutation fields run one after another (GraphQL spec, "Mutation": serial execution; Monday's
//   error-handling doc shows per-alias partial data, so each alias commits on its own);
// - a request keeps running server-side after the client disconnects: Monday's idempotency doc answers a
//   second request with the same key by 409 IDEMPOTENCY_CONFLICT "currently being processed", and later
//   replays the first request's full response (developer.monday.com/api-reference/docs/idempotency);
// - "All API calls follow a 60-second timeout policy" (developer.monday.com/api-reference/docs/
//   development-best-practices): at the cut the request stops, aliases not yet begun never run, and whatever
//   committed before stays committed. What Monday answers then (and whether it caches anything under the
//   Idempotency-Key) is not documented: the sandbox answers HTTP 504 and caches nothing (sandbox/server.ts).
const MUTATION_FIELDS = [
  'create_item', 'create_subitem', 'change_multiple_column_values', 'change_column_value', 'change_simple_column_value',
  'archive_item', 'delete_item', 'move_item_to_group', 'create_group', 'bulk_archive_items',
] as const;

/** Thrown for the aliases a request reaches after Monday's 60 s cut. */
export class RequestCutError extends Error {
  constructor() {
    super('the request ran past Monday\'s 60-second timeout policy');
  }
}

type Resolver = (args: Record<string, unknown>, ctx: never) => unknown;

/**
 * The root value with every mutation field delayed by `delayMs` before it runs (and commits); a field that would
 * begin after `cutAt` does not run (RequestCutError).
 */
export function withCommitDelay<R extends Record<string, unknown>>(root: R, delayMs: number, cutAt = Infinity): R {
  if (delayMs <= 0) return root;
  const slowed: Record<string, unknown> = { ...root };
  for (const field of MUTATION_FIELDS) {
    const resolve = root[field] as Resolver | undefined;
    if (!resolve) continue;
    slowed[field] = async (args: Record<string, unknown>, ctx: never) => {
      if (Date.now() >= cutAt) throw new RequestCutError();
      await new Promise((r) => setTimeout(r, delayMs));
      return resolve(args, ctx);
    };
  }
  return slowed as R;
}
