// `doctor`: checks each part the system needs and says what to do about what is wrong.
import type { Config } from '../config';
import { openConfiguredStore } from '../worker';
import { checkMappingAgainstBoards, createTransform, loadMapping, mappedSourceColumns, previewRows, type BoardColumns, type Mapping } from '../mapping';
import { SourceColumnsError, describeMissing, missingColumns } from '../db/source';
import type { OrderPayload } from '../shared/order';
import { boardRoom, describeRoom } from './board-limits';
import { labelRoom, tokenRightsAndAutomations } from './doctor-monday';
import { MondayClient } from '../graphql/client';
import { MONDAY_TASK_QUEUE, SEARCH_ATTRIBUTES, SCHEDULE_ID, TASK_QUEUE } from '../shared/temporal';
import { CONTROL_TASK_QUEUE } from '../shared/control-queue';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { connectClient } from '../worker';
import { mondayFor, temporalFor } from './targets';

type Check = () => Promise<string>;

/** Workflow tasks and database activities on the main queue, Monday activities on theirs (temporal.api.enums.v1.TaskQueueType). */
const POLLED_QUEUES = [
  { queue: TASK_QUEUE, type: 1, what: 'workflows' },
  { queue: TASK_QUEUE, type: 2, what: 'database activities' },
  { queue: MONDAY_TASK_QUEUE, type: 2, what: 'Monday activities' },
  { queue: CONTROL_TASK_QUEUE, type: 2, what: 'control-plane Monday activities (adopt, rollback, verify)' },
];
/** A worker long-polls for up to about 70 s; an entry older than this belongs to a worker that is gone. */
const POLLER_FRESH_MS = 90_000;

export async function doctor(config: Config): Promise<number> {
  let failures = 0;
  const run = async (name: string, check: Check) => {
    try {
      console.log(`✔ ${name}: ${await check()}`);
    } catch (err) {
      failures++;
      console.log(`✘ ${name}: ${(err as Error).message}`);
    }
  };

  const temporal = temporalFor(config);
  await run('Temporal', async () => {
    // 5 s, not the SDK's 10 s: a check that answers quickly (Temporal Cloud connects well within it).
    const client = await connectClient(temporal, 5_000).catch((err: Error) => {
      throw new Error(`cannot reach ${temporal.address} (${err.message}). Start it with \`npm start\`, or set TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / TEMPORAL_API_KEY.`);
    });
    try {
      const sa = await client.connection.operatorService.listSearchAttributes({ namespace: temporal.namespace });
      const missing = SEARCH_ATTRIBUTES.map((k) => k.name).filter((n) => !(n in (sa.customAttributes ?? {})));
      if (missing.length) {
        throw new Error(`search attributes missing: ${missing.join(', ')}. Create them: ${missing.map((n) => `temporal operator search-attribute create --namespace ${temporal.namespace} --name ${n} --type Keyword`).join(' && ')}`);
      }
      const schedule = await client.schedule.getHandle(SCHEDULE_ID).describe().then((d) => (d.state.paused ? 'paused' : 'active'), () => 'not created (run: orders-sync schedule apply)');
      return `${temporal.address}, namespace ${temporal.namespace}, search attributes present, schedule ${schedule}`;
    } finally {
      await client.connection.close();
    }
  });

  await run('Workers', async () => {
    const client = await connectClient(temporal, 5_000).catch((err: Error) => {
      throw new Error(`cannot ask ${temporal.address} which workers poll (${(err as Error).message})`);
    });
    try {
      const lines: string[] = [];
      const idle: string[] = [];
      for (const q of POLLED_QUEUES) {
        const r = await client.workflowService.describeTaskQueue({ namespace: temporal.namespace, taskQueue: { name: q.queue }, taskQueueType: q.type });
        // The server lists a poller for a while after its worker stopped: count those seen within the long-poll time.
        const live = (r.pollers ?? []).filter((p) => Date.now() - (optionalTsToMs(p.lastAccessTime) ?? 0) < POLLER_FRESH_MS);
        lines.push(`${q.queue} (${q.what}): ${live.length} worker(s)${live.length ? ` (${live.map((p) => p.identity).join(', ')})` : ''}`);
        if (live.length === 0) idle.push(`${q.queue} (${q.what})`);
      }
      if (idle.length) throw new Error(`no worker polls ${idle.join(' and ')}: syncs start but nothing runs them. Start one: \`orders-sync worker\` (or \`npm start\` locally)\n    ${lines.join('\n    ')}`);
      return `\n    ${lines.join('\n    ')}`;
    } finally {
      await client.connection.close();
    }
  });

  let mapping: ReturnType<typeof loadMapping> | undefined;
  await run('Mapping file', async () => {
    mapping = loadMapping(config.MAPPING_FILE);
    return `${mapping.file} is valid`;
  });

  await run('Database', async () => {
    // Read-only: a mistyped SQLITE_FILE fails here instead of creating an empty database that passes.
    const store = await openConfiguredStore(config, { mustExist: true }).catch((err: Error) => {
      throw new Error(`${err.message}. Check MSSQL_URL (or SQLITE_FILE) and that the server accepts connections.`);
    });
    try {
      await store.ping();
      const counts = await store.statusCounts();
      const info = await store.inspect();
      // A source column the mapping reads that the source lacks (renamed, dropped, spelt otherwise) is named before any
      // sync runs, with the exact name to use when the table has a near match (case, spaces, apostrophes).
      const read = mapping ? mappedSourceColumns(mapping) : [];
      const missing = missingColumns(read, info.sourceColumns);
      if (missing.length) throw new SourceColumnsError(info.sourceName, missing);
      const declaredOnly = mapping ? missingColumns(Object.keys(mapping.source.columns), info.sourceColumns).filter((m) => !read.includes(m.name)) : [];
      const unread = declaredOnly.length ? `; source.columns also declares ${declaredOnly.length} column(s) the table lacks, which no mapping entry reads: ${declaredOnly.map(describeMissing).join('; ')}` : '';
      const where = store.dialect === 'mssql' ? `SQL Server, this project's tables in ${info.ownTables}` : `SQLite ${config.SQLITE_FILE}`;
      const legacy = info.legacyTables.length ? `; the current system's tables seen (left untouched): ${info.legacyTables.join(', ')}` : '';
      return `${where}; ${info.sourceName} has every column the mapping reads (${read.length})${unread}${legacy}; staged order lines: ${Object.entries(counts).map(([s, n]) => `${s} ${n}`).join(', ')}`;
    } finally {
      await store.close();
    }
  });

  const target = mondayFor(config);
  const monday = () => new MondayClient({ url: target.url, token: target.token, apiVersion: config.MONDAY_API_VERSION, timeoutMs: 10_000 });
  let boards: BoardColumns[] | undefined;
  await run('Monday', async () => {
    const c = await monday().complexity().catch((err: Error) => {
      throw new Error(`${target.url}: ${err.message}. ${config.MONDAY_API_TOKEN ? 'Check MONDAY_API_TOKEN (a personal V2 token, no "Bearer").' : 'The sandbox runs with `npm start`; set MONDAY_API_TOKEN for the real Monday.'}`);
    });
    if (!mapping) return `${target.url} answers (complexity budget left ${c.after})`;
    boards = [await monday().boardStructure(mapping.items.boardId), await monday().boardStructure(mapping.subitems.boardId)];
    const { problems } = checkMappingAgainstBoards(mapping, boards);
    if (problems.length) throw new Error(`the mapping does not match the board:\n    ${problems.join('\n    ')}\n  Fix the mapping file, then run: orders-sync mapping check`);
    return `${target.url} answers; boards ${mapping.items.boardId}/${mapping.subitems.boardId} match the mapping; complexity budget left ${c.after.toLocaleString('en')}`;
  });

  if (mapping && boards) {
    const [m, b] = [mapping, boards];
    let toCreate: { columnId: string }[] = [];
    await run('Labels', async () => {
      const payloads = await allPayloads(config, m);
      const { problems, labelsToCreate } = checkMappingAgainstBoards(m, b, payloads);
      toCreate = labelsToCreate;
      const labelProblems = problems.filter((p) => p.includes('label'));
      const byColumn = new Map<string, string[]>();
      for (const l of labelsToCreate) byColumn.set(l.columnId, [...(byColumn.get(l.columnId) ?? []), l.label]);
      const title = (id: string) => b.flatMap((x) => x.columns).find((c) => c.id === id)?.title ?? id;
      const created = [...byColumn].map(([id, labels]) => `\n    ${id} (${title(id)}): ${labels.map((l) => JSON.stringify(l)).join(', ')}`).join('');
      if (labelProblems.length) throw new Error(`labels a sync would need but may not create:\n    ${labelProblems.join('\n    ')}\n  Add them on the board, or fix the source rows.${created ? `\n  Labels it would create:${created}` : ''}`);
      return `${payloads.length} order lines checked; ${labelsToCreate.length === 0 ? 'a sync would create no labels' : `a sync would create ${labelsToCreate.length} label(s):${created}`}`;
    });
    await run('Label ceilings', async () => labelRoom(m, b, toCreate));
    await run('Monday token rights', async () => tokenRightsAndAutomations(monday(), m));
    await run('Board limits', async () => {
      const rooms = await boardRoom(monday(), m.items.boardId, m.subitems.boardId);
      const lines = rooms.map(describeRoom);
      if (rooms.some((r) => r.count >= r.limit)) throw new Error(`a board is full:\n    ${lines.join('\n    ')}\n  Archive old items (or move to a new board), then rerun the failed orders.`);
      return `\n    ${lines.join('\n    ')}`;
    });
  }

  console.log(failures === 0 ? 'all checks passed' : `${failures} check(s) failed`);
  return failures === 0 ? 0 : 1;
}

/** Every order line of the source table through the transform (rows the mapping rejects are left out: the sync reports them). */
async function allPayloads(config: Config, mapping: Mapping): Promise<OrderPayload[]> {
  const transform = createTransform(mapping);
  const store = await openConfiguredStore(config, { mapping, mustExist: true });
  try {
    const payloads: OrderPayload[] = [];
    let cursor: string | null = null;
    do {
      const page = await store.readSourcePage(cursor, 1000);
      payloads.push(...previewRows(transform, page.rows).payloads);
      cursor = page.nextCursor;
    } while (cursor);
    return payloads;
  } finally {
    await store.close();
  }
}
