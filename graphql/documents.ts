// The Monday operations, one .graphql file each (validated against the saved 2026-10 schema by
// test/graphql-documents.test.ts), plus the builder for aliased batches.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, parse, print, visit, type FieldNode, type OperationDefinitionNode, type VariableDefinitionNode } from 'graphql';

export interface MondayOperation {
  /** Operation name, e.g. `CreateItem`; also the key of the complexity-cost cache. */
  name: string;
  document: string;
  isMutation: boolean;
}

function load(file: string): MondayOperation {
  const document = readFileSync(path.join(__dirname, file), 'utf8');
  const op = parse(document).definitions[0] as OperationDefinitionNode;
  return { name: op.name?.value ?? file, document, isMutation: op.operation === 'mutation' };
}

export const DOCUMENT_FILES = [
  'create-item.graphql',
  'create-subitem.graphql',
  'change-multiple-column-values.graphql',
  'archive-item.graphql',
  'create-group.graphql',
  'move-item-to-group.graphql',
  'items-by-key.graphql',
  'item-subitems.graphql',
  'board-structure.graphql',
  'complexity.graphql',
  'board-limits.graphql',
  'newest-items.graphql',
  'duplicate-board.graphql',
  'delete-board.graphql',
  'board-read-back.graphql',
  'board-items-page.graphql',
  'next-items-page.graphql',
  'item-state.graphql',
  'token-rights.graphql',
] as const;

export const documents = {
  createItem: load('create-item.graphql'),
  createSubitem: load('create-subitem.graphql'),
  changeMultipleColumnValues: load('change-multiple-column-values.graphql'),
  archiveItem: load('archive-item.graphql'),
  createGroup: load('create-group.graphql'),
  moveItemToGroup: load('move-item-to-group.graphql'),
  itemsByKey: load('items-by-key.graphql'),
  itemSubitems: load('item-subitems.graphql'),
  boardStructure: load('board-structure.graphql'),
  complexity: load('complexity.graphql'),
  boardLimits: load('board-limits.graphql'),
  newestItems: load('newest-items.graphql'),
  duplicateBoard: load('duplicate-board.graphql'),
  deleteBoard: load('delete-board.graphql'),
  boardReadBack: load('board-read-back.graphql'),
  boardItemsPage: load('board-items-page.graphql'),
  nextItemsPage: load('next-items-page.graphql'),
  itemState: load('item-state.graphql'),
  tokenRights: load('token-rights.graphql'),
};

export interface AliasedBatch {
  operation: MondayOperation;
  aliases: string[];
  /** Merge per-alias variables into one variables object (`$item_name` of alias 2 becomes `$item_name_2`). */
  variables(perAlias: Record<string, unknown>[]): Record<string, unknown>;
}

/**
 * Turn a one-mutation template into `a0: create_subitem(...) a1: create_subitem(...) ...` with its
 * own variables per alias. Top-level mutation fields run one after the other, and a failing alias
 * reports an error whose path is that alias, so partial success can be handled alias by alias.
 */
export function buildAliasedBatch(template: MondayOperation, count: number): AliasedBatch {
  if (!template.isMutation || count < 1) throw new Error(`cannot batch ${template.name} x${count}`);
  const op = parse(template.document).definitions[0] as OperationDefinitionNode;
  const fields = op.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD);
  const main = fields.find((f) => f.name.value !== 'complexity');
  const complexity = fields.find((f) => f.name.value === 'complexity');
  if (!main) throw new Error(`${template.name} has no mutation field`);
  const aliases = Array.from({ length: count }, (_, i) => `a${i}`);
  const varDefs: VariableDefinitionNode[] = [];
  const selections: FieldNode[] = [];
  aliases.forEach((alias, i) => {
    const rename = (name: string): string => `${name}_${i}`;
    for (const d of op.variableDefinitions ?? []) {
      varDefs.push({ ...d, variable: { ...d.variable, name: { kind: Kind.NAME, value: rename(d.variable.name.value) } } });
    }
    const renamed = visit(main, {
      Variable: (v) => ({ ...v, name: { kind: Kind.NAME, value: rename(v.name.value) } }),
    });
    selections.push({ ...renamed, alias: { kind: Kind.NAME, value: alias } });
  });
  if (complexity) selections.push(complexity);
  const name = `${template.name}Batch${count}`;
  const batchOp: OperationDefinitionNode = {
    ...op,
    name: { kind: Kind.NAME, value: name },
    variableDefinitions: varDefs,
    selectionSet: { ...op.selectionSet, selections },
  };
  return {
    operation: { name, document: print({ kind: Kind.DOCUMENT, definitions: [batchOp] }), isMutation: true },
    aliases,
    variables: (perAlias) => {
      const merged: Record<string, unknown> = {};
      perAlias.forEach((vars, i) => {
        for (const [k, v] of Object.entries(vars)) merged[`${k}_${i}`] = v;
      });
      return merged;
    },
  };
}
