// A source column the mapping reads that the table lacks: `sync --once` (a child process, as users run it) ends
// within seconds with the reason naming the column and the exact name to use, instead of retrying for hours.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startStack, type Stack } from './support/stack';
import { DEFAULT_MAPPING_FILE } from '../mapping';
import { generateDemoOrders } from '../db/demo-data';

const ROOT = path.resolve(__dirname, '..');
let stack: Stack;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fail-fast-'));
  const mappingFile = path.join(dir, 'mapping.yaml');
  // The user's first attempt: the colour code read by its name with one apostrophe (the table's has two).
  const text = fs.readFileSync(DEFAULT_MAPPING_FILE, 'utf8')
    .replace(`"CUSTOMER''S COLOUR CODE (CUSTOM FIELD) CUSTOMER PROVIDES THIS": nvarchar`, `"CUSTOMER'S COLOUR CODE (CUSTOM FIELD) CUSTOMER PROVIDES THIS": nvarchar`)
    .replace(/source: "ALIAS\/RELATED ITEM" \}/, `source: "CUSTOMER'S COLOUR CODE (CUSTOM FIELD) CUSTOMER PROVIDES THIS" }`);
  fs.writeFileSync(mappingFile, text);
  stack = await startStack({ env: { MAPPING_FILE: mappingFile } });
  await stack.store.insertSourceRows(generateDemoOrders({ seed: 5, extraOrders: 0, includeBadRows: false }).slice(0, 3));
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('sync --once prints the reason within seconds: the missing column and the exact name the table has', async () => {
  const started = Date.now();
  const r = await promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/orders-sync.js'), 'sync', '--once'], { env: stack.childEnv(), timeout: 120_000 })
    .then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }));
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`"CUSTOMER'S COLOUR CODE (CUSTOM FIELD) CUSTOMER PROVIDES THIS" (the table has "CUSTOMER''S COLOUR CODE (CUSTOM FIELD) CUSTOMER PROVIDES THIS": put that exact name in the mapping)`);
  expect(r.stderr).toContain('no retry can fix this');
  // Seconds, not the 6-hour database retry window (generous for a loaded machine; before, it printed nothing for hours).
  expect(Date.now() - started).toBeLessThan(60_000);
  const errors = await stack.store.listErrors({ unresolvedOnly: true });
  expect(errors.find((e) => e.errorType === 'SQL_ERROR')?.message).toContain('CUSTOMER PROVIDES THIS');
});
