// Reads and validates the mapping file: zod for the shape, then the rules that span fields.
// Every problem is collected, so one start-up shows all of them.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { load as parseYaml } from 'js-yaml';
import { MappingConfigError, showValue } from './errors';
import { DERIVED_PLACEHOLDERS, LABEL_TYPES, mappingFileSchema, type ColumnMapping, type Mapping, type MappingFile } from './schema';

export const DEFAULT_MAPPING_FILE = path.resolve(__dirname, 'orders-to-monday.yaml');

type PathPart = string | number;

function pathText(parts: readonly PathPart[]): string {
  let text = '';
  for (const part of parts) {
    if (typeof part === 'number') text += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) text += text ? `.${part}` : part;
    else text += `[${JSON.stringify(part)}]`;
  }
  return text || '(top level)';
}

function valueAt(doc: unknown, parts: readonly PathPart[]): unknown {
  let node = doc;
  for (const part of parts) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PathPart, unknown>)[part];
  }
  return node;
}

/** Placeholders of a template, or an error text if its braces do not pair up. */
export function templatePlaceholders(template: string): { names: string[]; broken?: string } {
  const names = [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '');
  const rest = template.replace(/\{[^{}]*\}/g, '');
  return /[{}]/.test(rest) ? { names, broken: 'unbalanced { or }' } : { names };
}

/** Parses mapping YAML text; `file` is only used in messages and kept on the result. */
export function parseMapping(text: string, file: string): Mapping {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new MappingConfigError(file, [`${file}: not valid YAML: ${(err as Error).message}`]);
  }
  const problems: string[] = [];
  const problem = (parts: readonly PathPart[], message: string, value: unknown = valueAt(doc, parts)): void => {
    problems.push(`${file}: ${pathText(parts)}: ${message} (value: ${value === undefined ? 'missing' : showValue(value)})`);
  };

  const parsed = mappingFileSchema.safeParse(doc);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const parts = issue.path.filter((p): p is PathPart => typeof p !== 'symbol');
      if (issue.code === 'unrecognized_keys') problem(parts, `unknown key(s) ${issue.keys.join(', ')}`, issue.keys);
      else problem(parts, issue.message);
    }
    throw new MappingConfigError(file, problems);
  }
  const m = parsed.data;
  checkRules(m, problem);
  if (problems.length > 0) throw new MappingConfigError(file, problems);
  return toMapping(m, file);
}

/** Loads and validates a mapping file (default: mapping/orders-to-monday.yaml). Throws MappingConfigError. */
export function loadMapping(file: string = DEFAULT_MAPPING_FILE): Mapping {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (err) {
    throw new MappingConfigError(absolute, [`${absolute}: cannot read: ${(err as Error).message}`]);
  }
  return parseMapping(text, absolute);
}

type Problem = (parts: readonly PathPart[], message: string, value?: unknown) => void;

function checkRules(m: MappingFile, problem: Problem): void {
  const sourceColumns = new Set(Object.keys(m.source.columns));
  const sizeColumns = new Set<string>();

  const needSourceColumn = (parts: PathPart[], name: string): void => {
    if (sourceColumns.has(name)) return;
    if (m.source.sizeColumns.includes(name)) problem(parts, 'is a size column; only non-size columns can be used here', name);
    else problem(parts, `names no column of source.columns (${m.source.table})`, name);
  };

  // Sizes: unique, and never one of the non-size columns (INFOR COLOUR CODE sits among the sizes in the DDL).
  m.source.sizeColumns.forEach((size, i) => {
    if (sizeColumns.has(size)) problem(['source', 'sizeColumns', i], 'duplicate size column');
    sizeColumns.add(size);
    if (sourceColumns.has(size)) problem(['source', 'sizeColumns', i], 'is also listed in source.columns, so it is not a size');
  });

  const keyColumns = new Set<string>();
  m.source.keyColumns.forEach((key, i) => {
    if (keyColumns.has(key)) problem(['source', 'keyColumns', i], 'duplicate key column');
    keyColumns.add(key);
    needSourceColumn(['source', 'keyColumns', i], key);
  });
  for (const field of ['customerColumn', 'poNumberColumn', 'aagOrderNumberColumn'] as const) {
    needSourceColumn(['source', field], m.source[field]);
  }
  m.items.group.season.forEach((name, i) => needSourceColumn(['items', 'group', 'season', i], name));

  // Templates: every {placeholder} names a source column or a derived value.
  const checkTemplate = (parts: PathPart[], template: string, allowed: (name: string) => boolean): void => {
    const { names, broken } = templatePlaceholders(template);
    if (broken) problem(parts, broken, template);
    for (const name of names) {
      if (!allowed(name)) problem(parts, `placeholder {${name}} names no source field`, template);
    }
  };
  const itemPlaceholder = (name: string): boolean => sourceColumns.has(name) || (DERIVED_PLACEHOLDERS as readonly string[]).includes(name);
  checkTemplate(['items', 'itemName'], m.items.itemName, itemPlaceholder);
  checkTemplate(['items', 'group', 'template'], m.items.group.template, itemPlaceholder);
  checkTemplate(['subitems', 'name'], m.subitems.name, (name) => name === 'size');

  // Columns.
  const seenIds = new Map<string, string>([[m.items.keyColumnId, 'items.keyColumnId']]);
  m.items.columns.forEach((column, i) => {
    const at = (...rest: PathPart[]): PathPart[] => ['items', 'columns', i, ...rest];
    const first = seenIds.get(column.id);
    if (first) problem(at('id'), `duplicate column id (also at ${first})`);
    else seenIds.set(column.id, pathText(at('id')));
    needSourceColumn(at('source'), column.source);

    const isLabel = LABEL_TYPES.includes(column.type);
    if (!isLabel) {
      for (const key of ['valueMap', 'createLabels', 'labels', 'labelCeiling'] as const) {
        if (column[key] !== undefined) problem(at(key), `${key} is only allowed on dropdown/status columns, not on type ${column.type}`);
      }
      if (column.transform === 'canonical_customer' && column.type !== 'text') {
        problem(at('transform'), `canonical_customer needs a text, dropdown or status column, not ${column.type}`);
      }
      return;
    }
    if (column.createLabels === undefined) {
      problem(at('createLabels'), 'dropdown/status columns must say whether missing labels may be created (true/false)');
      return;
    }
    if (column.createLabels && column.labels) problem(at('labels'), 'labels are only used with createLabels: false');
    const customerLabels = column.transform === 'canonical_customer';
    if (!column.createLabels && !column.labels && !customerLabels) {
      problem(at('labels'), 'createLabels: false needs the list of allowed labels');
    }
    if (!column.createLabels && column.valueMap) {
      const allowed = new Set((column.labels ?? []).map((l) => l.toUpperCase()));
      for (const [from, to] of Object.entries(column.valueMap)) {
        if (column.labels && !allowed.has(to.toUpperCase())) problem(at('valueMap', from), `maps to a label that is not in labels`, to);
      }
    }
  });

  if (m.subitems.sizeColumnId === m.subitems.qtyColumnId) {
    problem(['subitems', 'qtyColumnId'], 'duplicate column id (same as subitems.sizeColumnId)');
  }

  // Customers: one spelling, one canonical name. Case-insensitive, as the lookup is.
  const variantAt = new Map<string, string>();
  const canonicals = new Set<string>();
  m.customers.forEach((customer, i) => {
    if (canonicals.has(customer.canonical)) problem(['customers', i, 'canonical'], 'duplicate canonical customer');
    canonicals.add(customer.canonical);
    customer.variants.forEach((variant, j) => {
      const upper = variant.toUpperCase();
      const first = variantAt.get(upper);
      if (first) problem(['customers', i, 'variants', j], `duplicate customer variant (also at ${first})`);
      else variantAt.set(upper, pathText(['customers', i, 'variants', j]));
    });
  });
}

function toMapping(m: MappingFile, file: string): Mapping {
  const canonicalNames = m.customers.map((c) => c.canonical);
  const columns: ColumnMapping[] = m.items.columns.map((c) => {
    const column: ColumnMapping = { id: c.id, title: c.title, type: c.type, source: c.source, createLabels: c.createLabels ?? false };
    if (c.transform) column.transform = c.transform;
    if (c.valueMap) column.valueMap = c.valueMap;
    if (c.replace) column.replace = c.replace;
    if (c.labels) column.labels = c.labels;
    if (c.labelCeiling !== undefined) column.labelCeiling = c.labelCeiling;
    else if (c.transform === 'canonical_customer' && LABEL_TYPES.includes(c.type) && !column.createLabels) column.labels = canonicalNames;
    return column;
  });
  return {
    file,
    source: { ...m.source, keyColumns: [...m.source.keyColumns], sizeColumns: [...m.source.sizeColumns] },
    items: { ...m.items, columns },
    subitems: { ...m.subitems },
    customers: m.customers.map((c) => ({ canonical: c.canonical, variants: [...c.variants] })),
  };
}
