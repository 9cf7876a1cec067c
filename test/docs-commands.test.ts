// The README and the RUNBOOK, tested by their own commands: every `orders-sync …` line they show names a command and
// options that exist (each is parsed with --help appended), and the read-only ones run, as written, against a real
// stack after a sync and exit 0.
import fs from 'node:fs';
import path from 'node:path';
import { main } from '../cli/main';
import { startStack, type Stack } from './support/stack';
import { spawnCli } from './support/cli-process';
import { generateOrderLines } from '../db/demo-data';
import { runSyncOnce } from '../cli/sync-once';
import { applySchedule } from '../cli/schedule';

const ROOT = path.resolve(__dirname, '..');
const DOCS = ['README.md', 'docs/RUNBOOK.md'];

/** `orders-sync …` invocations in code blocks and inline code, as argument lists (usage lines with [ ] left out). */
export function documentedCommands(markdown: string): string[][] {
  const snippets: string[] = [];
  let inBlock = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) { inBlock = !inBlock; continue; }
    if (inBlock) snippets.push(line.replace(/\s+#\s.*$/, ''));
    else for (const m of line.matchAll(/`([^`]+)`/g)) snippets.push(m[1]!);
  }
  return snippets
    .map((s) => s.trim().replace(/^npx /, ''))
    .filter((s) => s.startsWith('orders-sync ') && !/[[\]]|<command>|\|/.test(s.replace(/"[^"]*"/g, '""')))
    .map((s) => split(s.replace(/\s+>\s*\S+$/, '')).slice(1));
}

function split(command: string): string[] {
  return [...command.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

const all = DOCS.flatMap((f) => documentedCommands(fs.readFileSync(path.join(ROOT, f), 'utf8')).map((args) => ({ file: f, args })));

test('the docs show a good number of commands, and the extraction can tell a wrong one', () => {
  expect(all.length).toBeGreaterThan(40);
  expect(documentedCommands('```bash\nnpx orders-sync errors --sinse 24h   # typo\n```\nand `orders-sync batches [--limit N]`')).toEqual([['errors', '--sinse', '24h']]);
});

test('every documented command and option exists', async () => {
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    const wrong: string[] = [];
    for (const { file, args } of all) if ((await main([...args, '--help'])) !== 0) wrong.push(`${file}: orders-sync ${args.join(' ')}`);
    expect(wrong).toEqual([]);
    expect(await main(['errors', '--sinse', '24h', '--help'])).toBe(2);
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
});

describe('the read-only commands, run as written', () => {
  let stack: Stack;
  let batchId: string;
  beforeAll(async () => {
    stack = await startStack();
    // A few order lines, one the mapping rejects (so `errors` has something to show).
    const rows = generateOrderLines(4, 91);
    await stack.store.insertSourceRows([...rows.slice(0, 3), { ...rows[3]!, L: 'abc' }]);
    batchId = (await runSyncOnce(stack.client, stack.store, { pageSize: 500 })).batchId;
    await applySchedule(stack.client, stack.config);
  }, 180_000);
  afterAll(() => stack?.stop());

  const READ_ONLY = /^(errors|batches|status(?! --watch)|doctor|mapping check|sync --dry-run|schedule describe|monitoring rules|rollback --batch \S+$)/;

  test('each exits 0', async () => {
    // Placeholders other than the batch id (`<url>`, `<order key>`) are for people to fill in.
    const runnable = [...new Map(all.filter(({ args }) => READ_ONLY.test(args.join(' ')) && !args.some((a) => /^<(?!id>)/.test(a)))
      .map((c) => [c.args.join(' '), c])).values()];
    expect(runnable.length).toBeGreaterThanOrEqual(12);
    const failed: string[] = [];
    // Three at a time: each spends much of its time waiting on Temporal, the database or the sandbox.
    const queue = [...runnable];
    await Promise.all([1, 2, 3].map(async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const cli = spawnCli(next.args.map((a) => (a === '<id>' ? batchId : a)), stack.childEnv());
        const { code } = await cli.exited();
        if (code !== 0) failed.push(`${next.file}: orders-sync ${next.args.join(' ')} → ${code}\n${cli.output().slice(-600)}`);
      }
    }));
    expect(failed).toEqual([]);
  }, 400_000);
});
