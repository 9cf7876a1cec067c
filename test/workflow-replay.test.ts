// Safe workflow deploys: histories recorded from released workflow code (test/fixtures/histories, made by
// `npm run record:histories`) must replay on the PREBUILT bundle production runs (scripts/build-workflow-bundle.ts;
// CI may pass its own as WORKFLOW_BUNDLE_PATH) without a non-determinism error, and so must perturbed copies of
// them: the messages and activity results a deploy can bring to an old history (a newer sender's signal arguments,
// an older activity's result shape). See docs/RUNBOOK.md §13 "Changing workflow code safely".
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { writeWorkflowBundle } from '../scripts/build-workflow-bundle';

const DIR = path.join(__dirname, 'fixtures/histories');
const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

/** Every workflow type and every order path, as the previous release (v3: main at 8c98f87) recorded them. */
const PREVIOUS_RELEASE = [
  'happy-path', 'failure-then-rerun', 'change-during-run', 'continue-as-new', 'board-adopt', 'rollback',
  'order-self-retry', 'order-rerun-wait-expiry', 'order-continue-as-new', 'order-gone', 'board-adopt-write-keys',
].map((s) => `v3-${s}`);
const FIRST_RELEASE = ['happy-path', 'change-during-run', 'continue-as-new', 'failure-then-rerun'].map((s) => `v1-${s}`);

let bundlePath: string;
beforeAll(async () => {
  bundlePath = process.env.WORKFLOW_BUNDLE_PATH ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-')), 'workflow-bundle.js');
  if (!process.env.WORKFLOW_BUNDLE_PATH) await writeWorkflowBundle(bundlePath);
}, 120_000);

interface JsonPayload { metadata?: Record<string, string>; data?: string }
interface JsonEvent { eventId: string; eventType: string; [attrs: string]: unknown }
type JsonHistory = { events: JsonEvent[] };

const read = (file: string): JsonHistory => JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as JsonHistory;
const decode = (p: JsonPayload): unknown => JSON.parse(Buffer.from(p.data ?? '', 'base64').toString('utf8'));
const encode = (v: unknown): JsonPayload => ({ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from(JSON.stringify(v)).toString('base64') });
const workflowType = (h: JsonHistory) => (h.events[0]!.workflowExecutionStartedEventAttributes as { workflowType: { name: string } }).workflowType.name;

/** The id a history ran under, where the workflow derives commands from it: acceptance's child ids embed its own id
 * (`acceptance-<runId>`, the run id in its input). Other histories replay under any id. */
function workflowIdOf(history: JsonHistory, name: string): string {
  if (workflowType(history) !== 'acceptanceWorkflow') return name;
  const input = (history.events[0]!.workflowExecutionStartedEventAttributes as { input: { payloads: JsonPayload[] } }).input.payloads[0]!;
  return `acceptance-${(decode(input) as { runId: string }).runId}`;
}

async function replay(history: JsonHistory, name: string): Promise<void> {
  await Worker.runReplayHistory({ workflowBundle: { codePath: bundlePath } }, historyFromJSON(history), workflowIdOf(history, name));
}

/** A newer sync's signal on an old history: every `sourceChanged` names a batch (a new one each time). */
function withBatchIdsInSignals(h: JsonHistory): { history: JsonHistory; changed: number } {
  const copy = structuredClone(h);
  let changed = 0;
  for (const e of copy.events) {
    const a = e.workflowExecutionSignaledEventAttributes as { signalName: string; input?: { payloads: JsonPayload[] } } | undefined;
    if (a?.signalName !== 'sourceChanged' || !a.input) continue;
    const args = a.input.payloads.map(decode);
    // The first release sent (hash); later ones (hash, batchId); a future one may add more: all must replay.
    a.input.payloads = args.length < 2 ? [...a.input.payloads, encode(`perturbed-batch-${++changed}`)] : [...a.input.payloads, encode({ future: true })];
    if (args.length >= 2) changed++;
  }
  return { history: copy, changed };
}

/** The first release's `linkAdoptedOrders` result ({ linked } only) in an adoption history. */
function withFirstReleaseLinkResult(h: JsonHistory): { history: JsonHistory; changed: number } {
  const copy = structuredClone(h);
  const linkScheduled = new Set(copy.events
    .filter((e) => (e.activityTaskScheduledEventAttributes as { activityType?: { name: string } } | undefined)?.activityType?.name === 'linkAdoptedOrders')
    .map((e) => e.eventId));
  let changed = 0;
  for (const e of copy.events) {
    const a = e.activityTaskCompletedEventAttributes as { scheduledEventId: string; result?: { payloads: JsonPayload[] } } | undefined;
    if (!a?.result || !linkScheduled.has(a.scheduledEventId)) continue;
    const { linked } = decode(a.result.payloads[0]!) as { linked: number };
    a.result.payloads = [encode({ linked })];
    changed++;
  }
  return { history: copy, changed };
}

/** An adoption before the key was left to the sync: no `writeKeys` input, as every first-release adoption wrote keys. */
function asPrePatchAdoption(h: JsonHistory): JsonHistory {
  const copy = withFirstReleaseLinkResult(h).history;
  const started = copy.events[0]!.workflowExecutionStartedEventAttributes as { input: { payloads: JsonPayload[] } };
  const { writeKeys: _dropped, ...input } = decode(started.input.payloads[0]!) as { writeKeys?: boolean };
  started.input.payloads[0] = encode(input);
  return copy;
}

test('the first release (v1) and the previous one (v3) are recorded for every workflow type and order path', () => {
  const recorded = new Set(files.map((f) => f.replace(/-\d+\.json$/, '')));
  expect([...recorded]).toEqual(expect.arrayContaining([...FIRST_RELEASE, ...PREVIOUS_RELEASE, 'verify']));
  const types = new Set(files.map((f) => workflowType(read(f))));
  expect([...types].sort()).toEqual(expect.arrayContaining(['acceptanceWorkflow', 'adoptBoardWorkflow', 'orderWorkflow', 'rollbackWorkflow', 'syncWorkflow', 'verifyWorkflow']));
});

test.each(files)('%s replays on the prebuilt bundle', async (file) => {
  const history = read(file);
  expect(history.events.length).toBeGreaterThan(3);
  await replay(history, file);
}, 60_000);

const orderHistories = files.filter((f) => workflowType(read(f)) === 'orderWorkflow');
test.each(orderHistories)('%s replays with a newer sender\'s sourceChanged arguments', async (file) => {
  const { history, changed } = withBatchIdsInSignals(read(file));
  if (file.startsWith('v1-') || file.includes('gone')) expect(changed).toBeGreaterThan(0);
  await replay(history, `${file} (signal arguments)`);
}, 60_000);

test('the first release\'s change-during-run, signalled by a newer sync mid-pass, replays (it recorded no outcome in the later batch)', async () => {
  const { history, changed } = withBatchIdsInSignals(read('v1-change-during-run-1.json'));
  expect(changed).toBe(2);
  await replay(history, 'v1-change-during-run (batch ids)');
}, 60_000);

const adoptHistories = files.filter((f) => workflowType(read(f)) === 'adoptBoardWorkflow');
test.each(adoptHistories)('%s replays with the first release\'s linkAdoptedOrders result', async (file) => {
  const { history, changed } = withFirstReleaseLinkResult(read(file));
  expect(changed).toBe(1);
  await replay(history, `${file} (old link result)`);
}, 60_000);

test('an adoption from before the key was left to the sync (it wrote keys, old link result) replays', async () => {
  await replay(asPrePatchAdoption(read('v3-board-adopt-write-keys-1.json')), 'pre-patch adoption');
}, 60_000);

test('a history the code cannot replay fails the check (the check is not vacuous)', async () => {
  // The happy path with its order's first activity renamed: the code schedules stageOrder there.
  const h = structuredClone(read('v3-happy-path-2.json'));
  const first = h.events.find((e) => e.activityTaskScheduledEventAttributes)!;
  (first.activityTaskScheduledEventAttributes as { activityType: { name: string } }).activityType.name = 'someOtherActivity';
  await expect(replay(h, 'broken')).rejects.toThrow(/[Nn]ondetermin/);
}, 60_000);
