// db/'s shape (issue 19): each dialect in its own folder behind the store interfaces, no import circle, no file over
// about 400 lines. The top level holds the interfaces and the rules both dialects share; only db/open.ts, which picks
// the dialect, imports from the dialect folders.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const DB = path.resolve(__dirname, '../db');
const MAX_LINES = 420;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
}

/** Relative imports of a file inside db/ (type-only ones too: a circle of types is still a circle to read). */
function dbImports(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  return importedFiles.map((f) => f.fileName).filter((f) => f.startsWith('.'))
    .map((f) => path.resolve(path.dirname(file), f))
    .map((f) => (fs.existsSync(`${f}.ts`) ? `${f}.ts` : path.join(f, 'index.ts')))
    .filter((f) => f.startsWith(DB + path.sep) && fs.existsSync(f));
}

const files = sourceFiles(DB);
const graph = new Map(files.map((f) => [f, dbImports(f)]));
const rel = (f: string) => path.relative(DB, f);

/** Circles found by depth-first search, each named by its files. */
export function circles(edges: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of edges.get(f) ?? []) {
      if (state.get(g) === 'open') found.push(stack.slice(stack.indexOf(g)));
      else if (!state.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of edges.keys()) if (!state.has(f)) visit(f);
  return found;
}

test('the circle check finds a circle', () => {
  expect(circles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
});

test('db/ has no import circle', () => {
  expect(circles(graph).map((c) => c.map(rel).join(' → '))).toEqual([]);
});

test('each dialect keeps to its folder: the top level imports neither (except open.ts), and neither imports the other', () => {
  const wrong: string[] = [];
  for (const [file, imports] of graph) {
    const from = rel(file).split(path.sep)[0];
    for (const to of imports.map((i) => rel(i).split(path.sep)[0])) {
      const dialectImport = to === 'mssql' || to === 'sqlite';
      if (dialectImport && from !== to && rel(file) !== 'open.ts') wrong.push(`${rel(file)} imports ${to}/`);
    }
  }
  expect(wrong).toEqual([]);
  const drivers = files.filter((f) => /from '(mssql|better-sqlite3)'/.test(fs.readFileSync(f, 'utf8')))
    .map(rel).filter((f) => !f.startsWith(`mssql${path.sep}`) && !f.startsWith(`sqlite${path.sep}`) && f !== 'open.ts');
  expect(drivers).toEqual([]);
});

test(`no file in db/ is over ${MAX_LINES} lines`, () => {
  const long = files.map((f) => ({ file: rel(f), lines: fs.readFileSync(f, 'utf8').split('\n').length })).filter((f) => f.lines > MAX_LINES);
  expect(long).toEqual([]);
});
