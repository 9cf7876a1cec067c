// A local stand-in for Monday's GraphQL API (POST /v2): Monday's schema, column rules, limits, error
// bodies and Idempotency-Key, plus fault injection so clients can be tested against the ways Monday fails.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  buildSchema,
  execute,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import { queryComplexity } from './complexity';
import { errorBody } from './errors';
import { renderBoards } from './html';
import { RateLimiter, type Rejection, type SandboxLimits } from './limits';
import { BoardCopies, restoreBoardCopies } from './board-copies';
import { loadBoards } from './model';
import { root, type ExecutionContext } from './resolvers';
import { SandboxStore } from './store';
import { RequestCutError, withCommitDelay } from './slow-commit';
import { Account, type SandboxAutomation, type UserKind } from './account';
import { setNumberFormat, type NumberFormat } from './number-format';
import { seedLegacyItems, type LegacyItem } from './legacy';

export type { SandboxLimits } from './limits';
export type { LegacyItem } from './legacy';

export interface SandboxFaults {
  serverErrorRate: number;
  /**
   * Answer a write to an unknown (deleted) item id with HTTP 500 instead of InvalidItemIdException: what the
   * user saw real Monday do for items deleted by hand (issue 10), so clients must not trust the status alone.
   */
  unknownItemAsServerError: boolean;
  commitThenDropRate: number;
  latencyMs: { min: number; max: number };
  /** Each mutation field (each alias of a batch) waits this long before it commits; the request goes on
   * committing after the client disconnects, until Monday's 60 s cut (sandbox/slow-commit.ts). Monday's own time
   * per alias: the faults' name is historical. */
  aliasCommitDelayMs: number;
  seed?: number;
}

export interface SandboxOptions {
  /** 0 = random */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** ':memory:' default */
  dbFile?: string;
  /** accepted Authorization values; default: any non-empty */
  tokens?: string[];
  limits?: Partial<SandboxLimits>;
  faults?: Partial<SandboxFaults>;
}

export interface SandboxStats {
  requests: number;
  /** Executed mutation fields (each alias in a batch counts). */
  mutations: number;
  complexityUsed: number;
  rateLimited: number;
  serverErrors: number;
  droppedAfterCommit: number;
  idempotentReplays: number;
  /** Requests Monday's 60 s timeout policy cut off. */
  requestsCut: number;
}

export interface Sandbox {
  /** e.g. http://127.0.0.1:PORT/v2 */
  url: string;
  baseUrl: string;
  stats(): SandboxStats;
  /** Monday's complexity windows so far (start time, complexity spent), oldest first. */
  complexityWindows(): { start: number; used: number }[];
  /** The most complexity charged within any sliding minute since the last call (exact to the request), then starts over. */
  busiestMinute(): number;
  setFaults(f: Partial<SandboxFaults>): void;
  setLimits(l: Partial<SandboxLimits>): void;
  /** A board's items_limit (ItemsLimitationException beyond it), e.g. to play a full board. */
  setItemsLimit(boardId: string, limit: number): void;
  /** A numbers column's unit and precision, which Monday applies to the column's `text`. */
  setNumberFormat(columnId: string, format: NumberFormat): void;
  /** Change a column's type, e.g. to play a board whose column reads back in another format (copies inherit it). */
  setColumnType(boardId: string, columnId: string, type: string): void;
  /** Whether duplicate_board keeps column ids ('keep', the default) or gives the copy its own ('new'). */
  setCopyColumnIds(mode: 'keep' | 'new'): void;
  /** duplicate_board answers is_async and the copy appears this long after (0: at once). */
  setAsyncCopy(ms: number): void;
  /** Wipe items (and the idempotency cache, limit windows and stats); keep boards, groups and labels. */
  reset(): void;
  /** Seed items as an earlier system left them (no mutations, no complexity): see sandbox/legacy.ts. */
  seedLegacy(boardId: string, items: LegacyItem[]): { id: string; subitemIds: string[] }[];
  /** What people do by hand on the board. */
  renameGroup(boardId: string, title: string, newTitle: string): void;
  deleteGroup(boardId: string, title: string): void;
  setItemState(itemId: string, state: 'active' | 'archived' | 'deleted'): void;
  /** Who a token is (default: the account's admin, owner of every board). */
  setUser(token: string, kind: UserKind): void;
  /** A board's automations, as board_automations lists them (copies of the board carry them). */
  setAutomations(boardId: string, automations: SandboxAutomation[]): void;
  /** How long a bulk_archive_items job runs before it completes (default 0: at once). */
  setJobDelay(ms: number): void;
  /** A person deactivates a dropdown label: it stays on the board, shown `is_deactivated` in the column's settings. */
  deactivateLabel(boardId: string, columnId: string, label: string): void;
  /** A person adds labels to a dropdown or status column by hand. */
  addLabels(boardId: string, columnId: string, labels: string[]): void;
  close(): Promise<void>;
}

const IDEMPOTENCY_TTL_MS = 30 * 60_000;
/** Monday does not cache responses over 1 MB. */
const IDEMPOTENCY_MAX_BYTES = 1_000_000;
const API_VERSION = /^\d{4}-\d{2}$/;
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

const schema = buildSchema(readFileSync(join(__dirname, 'monday-schema.graphql'), 'utf8'));

const NO_FAULTS: SandboxFaults = { serverErrorRate: 0, unknownItemAsServerError: false, commitThenDropRate: 0, latencyMs: { min: 0, max: 0 }, aliasCommitDelayMs: 0 };

/** mulberry32: a small seeded RNG so a fault run can be replayed. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function emptyStats(): SandboxStats {
  return { requests: 0, mutations: 0, complexityUsed: 0, rateLimited: 0, serverErrors: 0, droppedAfterCommit: 0, idempotentReplays: 0, requestsCut: 0 };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const store = new SandboxStore(opts.dbFile ?? ':memory:');
  const boards = loadBoards();
  restoreBoardCopies(store, boards);
  const limiter = new RateLimiter(opts.limits);
  const boardCopies = new BoardCopies(store, boards, () => 60_000 / limiter.limits.timeScale);
  const account = new Account();
  let faults: SandboxFaults = { ...NO_FAULTS, ...opts.faults };
  let random = seededRandom(faults.seed ?? Date.now());
  let stats = emptyStats();

  const setFaults = (f: Partial<SandboxFaults>): void => {
    faults = { ...faults, ...f };
    if (f.seed !== undefined) random = seededRandom(f.seed);
  };
  const reset = (): void => {
    store.resetItems();
    limiter.reset();
    boardCopies.resetWindow();
    stats = emptyStats();
  };

  function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...limiter.headers(Date.now()), ...headers });
    res.end(body);
  }

  function sendRejection(res: ServerResponse, r: Rejection, requestId: string): void {
    stats.rateLimited += 1;
    send(res, 429, errorBody(r.message, { code: r.code, retry_in_seconds: r.retryInSeconds, status_code: 429 }, requestId), {
      'Retry-After': String(r.retryInSeconds),
    });
  }

  /** POST /v2: Monday's order of checks, then the faults, then execution. */
  async function handleGraphql(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests += 1;
    const startedAt = Date.now();
    const requestId = randomUUID();
    // doc: error-handling (401 Unauthorized; raw token, no "Bearer"), authentication page.
    const token = header(req, 'authorization');
    if (!token || (opts.tokens && !opts.tokens.includes(token))) {
      send(res, 401, errorBody('Unauthorized', { code: 'Unauthorized', status_code: 401, error_data: {} }, requestId));
      return;
    }
    // doc: error-handling (InvalidVersionException with HTTP 200), api-versioning.
    const version = header(req, 'api-version');
    if (version !== undefined && !API_VERSION.test(version)) {
      send(res, 200, errorBody(`Invalid API version: ${version}`, { code: 'InvalidVersionException', status_code: 400, error_data: { version } }, requestId));
      return;
    }
    // doc: rate-limits (429 bodies with retry_in_seconds, Retry-After, RateLimit headers); recording:
    // test/fixtures/monday/minute-rate-limit-429.json (mondaycom/mcp).
    const rejection = limiter.enter(Date.now());
    if (rejection) {
      sendRejection(res, rejection, requestId);
      return;
    }
    let idempotencyKey: string | null = null;
    try {
      // Fault: doc error-handling lists 500 Internal Server Error as a transport-level error.
      if (random() < faults.serverErrorRate) {
        stats.serverErrors += 1;
        send(res, 500, errorBody('Internal Server Error', { code: 'INTERNAL_SERVER_ERROR', status_code: 500 }, requestId));
        return;
      }
      let body: { query?: unknown; variables?: unknown; operationName?: unknown };
      try {
        body = JSON.parse(await readBody(req)) as typeof body;
      } catch {
        send(res, 400, errorBody('Bad request: body is not JSON', { code: 'JsonParseException', status_code: 400 }, requestId));
        return;
      }
      if (typeof body.query !== 'string') {
        send(res, 400, errorBody('Bad request: no query', { code: 'BadRequest', status_code: 400 }, requestId));
        return;
      }
      let document: DocumentNode;
      try {
        document = parse(body.query);
      } catch (e) {
        const err = e as GraphQLError;
        send(res, 200, JSON.stringify({ errors: [{ message: `Parse error on ${err.message}`, locations: err.locations, extensions: { code: 'GRAPHQL_PARSE_FAILED', status_code: 400 } }], extensions: { request_id: requestId } }));
        return;
      }
      const validationErrors = validate(schema, document);
      if (validationErrors.length > 0) {
        const errors = validationErrors.map((e) => ({ message: e.message, locations: e.locations, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', status_code: 400 } }));
        send(res, 200, JSON.stringify({ errors, extensions: { request_id: requestId } }));
        return;
      }
      const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
      const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
      const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
      if (!operation) {
        send(res, 200, JSON.stringify({ errors: [{ message: 'Unknown operation', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }], extensions: { request_id: requestId } }));
        return;
      }
      const variables = (body.variables && typeof body.variables === 'object' ? body.variables : {}) as Record<string, unknown>;
      const isMutation = operation.operation === 'mutation';
      const user = account.user(token);
      if (isMutation && user.kind === 'view_only') {
        // doc: error-handling, its sample application error (UserUnauthorizedException, status_code 403, HTTP 200).
        send(res, 200, errorBody('User unauthorized to perform action', { code: 'UserUnauthorizedException', status_code: 403, error_data: {} }, requestId));
        return;
      }
      const duplicates = isMutation ? operation.selectionSet.selections.filter((f) => f.kind === Kind.FIELD && f.name.value === 'duplicate_board').length : 0;
      const duplicateWait = boardCopies.admit(duplicates, Date.now());
      if (duplicateWait !== null) {
        stats.rateLimited += 1;
        send(res, 429, errorBody('Rate limit exceeded for duplicate_board', { code: 'RATE_LIMIT_EXCEEDED', retry_in_seconds: duplicateWait, status_code: 429 }, requestId), { 'Retry-After': String(duplicateWait) });
        return;
      }

      // Idempotency-Key: mutations only; scoped to the token like Monday's user+app cache. doc: idempotency
      // (30-minute cache, Idempotency-Replayed: true, 409 IDEMPOTENCY_CONFLICT with Retry-After while in flight,
      // no caching over 1 MB).
      const key = header(req, 'idempotency-key');
      if (isMutation && key) {
        const scoped = `${token}\u0000${key}`;
        const now = Date.now();
        const entry = store.idempotencyEntry(scoped);
        const ttl = IDEMPOTENCY_TTL_MS / limiter.limits.timeScale;
        if (entry && now - entry.created_at < ttl) {
          if (entry.in_flight) {
            send(res, 409, errorBody('A request with this idempotency key is currently being processed', { code: 'IDEMPOTENCY_CONFLICT', status_code: 409 }, requestId), { 'Retry-After': String(limiter.seconds(1000 / limiter.limits.timeScale)) });
            return;
          }
          stats.idempotentReplays += 1;
          send(res, entry.status ?? 200, entry.body ?? '{}', { 'Idempotency-Replayed': 'true' });
          return;
        }
        store.markInFlight(scoped, now);
        idempotencyKey = scoped;
      }

      const { min, max } = faults.latencyMs;
      if (max > 0) await sleep(min + random() * Math.max(0, max - min));

      const fragments = Object.fromEntries(
        document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
      );
      const cost = queryComplexity(schema, operation, fragments, variables, limiter.limits.mutationCost);
      // recording: test/fixtures/monday/per-query-complexity-cap-http200.json (trix-solutions/moncli #40): HTTP 200.
      if (cost > limiter.limits.queryCap) {
        send(res, 200, errorBody(`Query has complexity of ${cost}, which exceeds max complexity of ${limiter.limits.queryCap}`, { code: 'maxComplexityExceeded', status_code: 200, error_data: { complexity: cost, max_complexity: limiter.limits.queryCap } }, requestId));
        return;
      }
      const spent = limiter.spend(cost, Date.now());
      if ('code' in spent) {
        sendRejection(res, spent, requestId);
        return;
      }
      stats.complexityUsed += cost;

      const context: ExecutionContext = {
        store,
        boards,
        complexity: { before: spent.before, after: spent.after, query: cost, reset_in_x_seconds: Math.ceil(spent.resetInSeconds) },
        onMutation: () => {
          stats.mutations += 1;
        },
        boardCopies,
        account,
        user,
        minuteMs: 60_000 / limiter.limits.timeScale,
      };
      const cutAt = startedAt + limiter.limits.requestTimeoutMs;
      const result = await execute({ schema, document, rootValue: withCommitDelay(root, faults.aliasCommitDelayMs, cutAt), contextValue: context, variableValues: variables, operationName });
      if (result.errors?.some((e) => e.originalError instanceof RequestCutError)) {
        // Monday's 60 s policy: what committed stays; the answer is a gateway timeout, nothing is cached (slow-commit.ts).
        stats.requestsCut += 1;
        send(res, 504, errorBody('Request timed out', { code: 'REQUEST_TIMEOUT', status_code: 504 }, requestId));
        return;
      }
      if (faults.unknownItemAsServerError && result.errors?.some((e) => e.extensions?.code === 'InvalidItemIdException')) {
        stats.serverErrors += 1;
        send(res, 500, errorBody('Internal Server Error', { code: 'INTERNAL_SERVER_ERROR', status_code: 500 }, requestId));
        return;
      }
      const responseBody = JSON.stringify({ ...result, extensions: { request_id: requestId } });

      if (idempotencyKey) {
        if (responseBody.length <= IDEMPOTENCY_MAX_BYTES) store.storeResponse(idempotencyKey, { status: 200, body: responseBody }, Date.now());
        else store.forget(idempotencyKey);
        idempotencyKey = null;
      }
      // Fault, not Monday's rule: the commit happens, the answer is lost (a timeout or a dropped connection, which
      // the idempotency doc names as the reason for keys).
      if (isMutation && random() < faults.commitThenDropRate) {
        // The write is committed (and cached under its key); the client only sees the connection die.
        stats.droppedAfterCommit += 1;
        req.socket.destroy();
        return;
      }
      send(res, 200, responseBody);
    } finally {
      // A request that ended without a cacheable answer (500, 429, cap) leaves no trace under its key.
      if (idempotencyKey) store.forget(idempotencyKey);
      limiter.leave();
    }
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, action: string): Promise<void> {
    if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
      send(res, 403, JSON.stringify({ error: 'admin endpoints are loopback only' }));
      return;
    }
    if (req.method === 'GET' && action === 'stats') {
      send(res, 200, JSON.stringify(stats));
      return;
    }
    if (req.method !== 'POST') {
      send(res, 405, JSON.stringify({ error: 'use POST' }));
      return;
    }
    const text = await readBody(req);
    const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    if (action === 'faults') setFaults(body as Partial<SandboxFaults>);
    else if (action === 'limits') limiter.setLimits(body as Partial<SandboxLimits>);
    else if (action === 'reset') reset();
    else if (action === 'users') for (const [token, kind] of Object.entries(body)) account.setUser(token, { kind: kind as UserKind });
    else {
      send(res, 404, JSON.stringify({ error: `unknown admin action ${action}` }));
      return;
    }
    send(res, 200, JSON.stringify({ ok: true, faults, limits: limiter.limits }));
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/v2' || path === '/v2/') {
      if (req.method !== 'POST') {
        send(res, 400, errorBody('Bad request', { code: 'BadRequest', status_code: 400 }, randomUUID()));
        return;
      }
      await handleGraphql(req, res);
    } else if (path.startsWith('/__sandbox/')) {
      await handleAdmin(req, res, path.slice('/__sandbox/'.length));
    } else if (path === '/' && req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(renderBoards(store, boards));
    } else {
      send(res, 404, JSON.stringify({ error: 'not found' }));
    }
  }

  const server = createServer((req, res) => {
    route(req, res).catch((e: unknown) => {
      if (res.headersSent || res.destroyed) return;
      send(res, 500, errorBody('Internal Server Error', { code: 'INTERNAL_SERVER_ERROR', status_code: 500, detail: e instanceof Error ? e.message : String(e) }, randomUUID()));
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: `${baseUrl}/v2`,
    baseUrl,
    stats: () => ({ ...stats }),
    complexityWindows: () => limiter.complexityWindows.map((w) => ({ ...w })),
    busiestMinute: () => limiter.busiestMinute(),
    setFaults,
    setLimits: (l) => limiter.setLimits(l),
    setItemsLimit(boardId, limit) {
      const board = boards.get(boardId);
      if (!board) throw new Error(`no board ${boardId}`);
      board.itemsLimit = limit;
    },
    setNumberFormat,
    setColumnType(boardId, columnId, type) {
      const column = boards.get(boardId)?.columns.find((c) => c.id === columnId);
      if (!column) throw new Error(`no column ${columnId} on board ${boardId}`);
      column.type = type;
    },
    setCopyColumnIds(mode) {
      boardCopies.columnIds = mode;
    },
    setAsyncCopy(ms) {
      boardCopies.asyncCopyMs = ms;
    },
    reset,
    seedLegacy: (boardId, items) => seedLegacyItems(store, boards, boardId, items),
    renameGroup(boardId, title, newTitle) {
      const group = store.groups(boardId).find((g) => g.title === title);
      if (!group) throw new Error(`no group "${title}" on board ${boardId}`);
      store.renameGroup(boardId, group.id, newTitle);
    },
    deleteGroup(boardId, title) {
      const group = store.groups(boardId).find((g) => g.title === title);
      if (!group) throw new Error(`no group "${title}" on board ${boardId}`);
      store.deleteGroup(boardId, group.id);
    },
    setItemState: (itemId, state) => store.setItemState(itemId, state),
    setUser: (token, kind) => account.setUser(token, { kind }),
    setAutomations: (boardId, automations) => account.setAutomations(boardId, automations),
    setJobDelay: (ms) => { account.jobDelayMs = ms; },
    deactivateLabel: (boardId, columnId, label) => store.deactivateLabel(boardId, columnId, label),
    addLabels: (boardId, columnId, labels) => store.transaction(() => labels.forEach((l) => store.addLabel(boardId, columnId, l))),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => {
          store.close();
          if (err) reject(err);
          else resolve();
        });
      }),
  };
}
