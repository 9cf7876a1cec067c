// The lint rule that keeps workflow code deterministic: no Node built-ins, no value imports of
// activities, no environment, in workflows/ (the bundler would only catch some of it, at start-up).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

/** Lints `code` as the file `file`, with the project's own ESLint configuration (as `npm run lint` does).
 * The file is written for the moment of the run because the typed rules need it inside the TypeScript project. */
async function lintAs(file: string, code: string): Promise<string[]> {
  const full = path.join(ROOT, file.replace(/\.ts$/, `-${process.pid}.ts`));
  fs.writeFileSync(full, code);
  try {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', full], { cwd: ROOT, encoding: 'utf8' });
    const [result] = JSON.parse(r.stdout) as { messages: { ruleId: string; message: string }[] }[];
    return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
  } finally {
    fs.rmSync(full, { force: true });
  }
}

test('workflow code may not import Node built-ins or activities by value, nor read the environment', async () => {
  const messages = await lintAs('workflows/lint-probe.ts', [
    "import fs from 'node:fs';",
    "import { createActivities } from '../activities';",
    'export const probe = [fs, createActivities, process.env];',
  ].join('\n'));
  expect(messages.some((m) => m.includes('no-restricted-imports') && m.includes('node:fs'))).toBe(true);
  expect(messages.some((m) => m.includes('no-restricted-imports') && m.includes('type-only'))).toBe(true);
  expect(messages.some((m) => m.includes('no-restricted-globals'))).toBe(true);
});

test('type-only imports of activities are fine in workflow code, and activities may use Node', async () => {
  expect(await lintAs('workflows/lint-probe.ts', "import type { OrderActivities } from '../activities';\nexport type Probe = OrderActivities;\n")).toEqual([]);
  expect(await lintAs('activities/lint-probe.ts', "import fs from 'node:fs';\nexport const probe = fs.existsSync;\n")).toEqual([]);
});

test('imports run one way: activities (and the layers below) may not import from workflows/, not even types', async () => {
  const messages = await lintAs('activities/lint-probe.ts', "import type { OrderResult } from '../workflows/order';\nexport type Probe = OrderResult;\n");
  expect(messages.some((m) => m.includes('no-restricted-imports') && m.includes('one way'))).toBe(true);
  expect(await lintAs('activities/lint-probe.ts', "import type { SyncTotals } from '../shared/workflow-types';\nexport type Probe = SyncTotals;\n")).toEqual([]);
});
