// Safe workflow deploys: histories recorded from released workflow code (test/fixtures/histories,
// made by `npm run record:histories`) must replay on the current code without a non-determinism error.
// A change that would break running workflows fails here; see docs/RUNBOOK.md "Changing workflow code".
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { workflowBundle } from '../worker';

const DIR = path.join(__dirname, 'fixtures/histories');
const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

const SCENARIOS = ['board-adopt', 'change-during-run', 'continue-as-new', 'failure-then-rerun', 'happy-path', 'rollback'];

test('the current release and the first one (v1) are both recorded', () => {
  const scenarios = new Set(files.map((f) => f.replace(/-\d+\.json$/, '')));
  expect([...scenarios]).toEqual(expect.arrayContaining([...SCENARIOS, ...SCENARIOS.filter((s) => s !== 'board-adopt' && s !== 'rollback').map((s) => `v1-${s}`)]));
});

test.each(files)('%s replays on the current workflow code', async (file) => {
  const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')));
  expect(history.events?.length).toBeGreaterThan(3);
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, file);
}, 60_000);
