// `mapping check` and `mapping preview`: the mapping file on its own, against the board, and on sample rows.
import fs from 'node:fs';
import type { Config } from '../config';
import { checkMappingAgainstBoards, createTransform, loadMapping, previewRows } from '../mapping';
import { MondayClient } from '../graphql/client';
import { openConfiguredStore } from '../worker';
import type { OrderPayload, SourceRow } from '../shared/order';
import { mondayFor } from './targets';
import { checkBoards } from '../activities/preflight';

export async function mappingCheck(config: Config): Promise<number> {
  const mapping = loadMapping(config.MAPPING_FILE); // throws MappingConfigError naming file, path and value
  console.log(`✔ ${mapping.file} is valid: ${mapping.items.columns.length} item columns, ${mapping.source.sizeColumns.length} size columns, ${mapping.customers.length} customers`);
  const target = mondayFor(config);
  const monday = new MondayClient({ url: target.url, token: target.token, apiVersion: config.MONDAY_API_VERSION, timeoutMs: 10_000 });
  // A check that cannot see the board has not checked it: unreachable, a wrong token or a board the token cannot see fail.
  let boards;
  try {
    const checked = await checkBoards(monday, mapping);
    if (!checked.boards) {
      for (const p of checked.problems) console.log(`✘ ${p}`);
      return 1;
    }
    boards = checked.boards;
  } catch (err) {
    console.log(`✘ the mapping was not checked against the boards: Monday does not answer at ${target.url} (${(err as Error).message}). ${config.MONDAY_API_TOKEN ? 'Check MONDAY_API_URL and the network' : 'The sandbox runs with `npm start`; set MONDAY_API_TOKEN for the real Monday'}.`);
    return 1;
  }
  const payloads = await samplePayloads(config, createTransform(mapping));
  const result = checkMappingAgainstBoards(mapping, boards, payloads);
  for (const p of result.problems) console.log(`✘ ${p}`);
  if (result.problems.length === 0) console.log(`✔ every mapped column exists on boards ${mapping.items.boardId} / ${mapping.subitems.boardId} with a compatible type`);
  if (result.labelsToCreate.length > 0) {
    console.log(`labels a sync of the ${payloads.length} order lines in the database would create:`);
    for (const l of result.labelsToCreate) console.log(`  ${l.columnId}: ${l.label}`);
  }
  return result.problems.length === 0 ? 0 : 1;
}

/** Transforms up to one page of the database's order lines, to see which labels they would create. */
async function samplePayloads(config: Config, transform: (row: SourceRow) => OrderPayload): Promise<OrderPayload[]> {
  try {
    const store = await openConfiguredStore(config, { mustExist: true });
    try {
      const page = await store.readSourcePage(null, 1000);
      return previewRows(transform, page.rows).payloads;
    } finally {
      await store.close();
    }
  } catch {
    return [];
  }
}

export async function mappingPreview(config: Config, inputFile: string): Promise<number> {
  const rows = JSON.parse(fs.readFileSync(inputFile, 'utf8')) as unknown;
  if (!Array.isArray(rows)) throw new Error(`${inputFile} must hold a JSON array of ORDERS_UNIFIED rows`);
  const { payloads, failures } = previewRows(createTransform(loadMapping(config.MAPPING_FILE)), rows as SourceRow[]);
  console.log(JSON.stringify(payloads, null, 2));
  for (const f of failures) console.error(`row rejected: ${f.message}`);
  return failures.length === 0 ? 0 : 1;
}
