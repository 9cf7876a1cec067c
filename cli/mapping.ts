// `mapping check` and `mapping preview`: the mapping file on its own, against the board, and on sample rows.
import fs from 'node:fs';
import type { Config } from '../config';
import { checkMappingAgainstBoards, createTransform, loadMapping, previewRows } from '../mapping';
import { MondayClient } from '../graphql/client';
import { openConfiguredStore } from '../worker';
import type { OrderPayload, SourceRow } from '../shared/order';
import { mondayFor } from './targets';

export async function mappingCheck(config: Config): Promise<number> {
  const mapping = loadMapping(config.MAPPING_FILE); // throws MappingConfigError naming file, path and value
  console.log(`✔ ${mapping.file} is valid: ${mapping.items.columns.length} item columns, ${mapping.source.sizeColumns.length} size columns, ${mapping.customers.length} customers`);
  const target = mondayFor(config);
  const monday = new MondayClient({ url: target.url, token: target.token, apiVersion: config.MONDAY_API_VERSION, timeoutMs: 10_000 });
  let boards;
  try {
    boards = [await monday.boardStructure(mapping.items.boardId), await monday.boardStructure(mapping.subitems.boardId)];
  } catch (err) {
    console.log(`- board check skipped: Monday is not reachable at ${target.url} (${(err as Error).message})`);
    return 0;
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
    const store = await openConfiguredStore(config);
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
