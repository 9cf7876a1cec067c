// Every operation document (and the aliased batches built from them) must validate against
// Monday's 2026-10 schema, so a renamed field or argument fails here, not in production.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, parse, validate, type GraphQLSchema } from 'graphql';
import { DOCUMENT_FILES, buildAliasedBatch, documents } from '../graphql/documents';

const SCHEMA_FILE = path.resolve(__dirname, '../../shared/reference/monday-schema.graphql');
let schema: GraphQLSchema;

beforeAll(() => {
  if (!existsSync(SCHEMA_FILE)) {
    throw new Error(`Monday schema not found at ${SCHEMA_FILE} (expected shared/ beside the clone)`);
  }
  schema = buildSchema(readFileSync(SCHEMA_FILE, 'utf8'));
});

const graphqlDir = path.resolve(__dirname, '../graphql');

test('every .graphql file is loaded by documents.ts', () => {
  const onDisk = readdirSync(graphqlDir).filter((f) => f.endsWith('.graphql')).sort();
  expect(onDisk).toEqual([...DOCUMENT_FILES].sort());
});

test.each(DOCUMENT_FILES)('%s validates against the 2026-10 schema', (file) => {
  const errors = validate(schema, parse(readFileSync(path.join(graphqlDir, file), 'utf8')));
  expect(errors.map((e) => e.message)).toEqual([]);
});

test.each([1, 3, 25])('an aliased create_subitem batch of %i validates', (n) => {
  const batch = buildAliasedBatch(documents.createSubitem, n);
  expect(validate(schema, parse(batch.operation.document)).map((e) => e.message)).toEqual([]);
  expect(batch.aliases).toHaveLength(n);
  const vars = batch.variables(batch.aliases.map((_, i) => ({ parent_item_id: '1', item_name: `Size ${i}` })));
  expect(vars[`item_name_${n - 1}`]).toBe(`Size ${n - 1}`);
});

test('a document with a wrong argument fails validation (the test can fail)', () => {
  const bad = documents.createItem.document.replace('board_id: $board_id', 'boardId: $board_id');
  expect(validate(schema, parse(bad)).length).toBeGreaterThan(0);
});
