// The interactive stack's log: every SDK entry whole in the log file, one readable line per failure and per burst
// of retries on the terminal (a Monday outage printed 3,000+ JSON lines with task tokens before).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { createStackLog, plain } from '../cli/stack-log';

const retry = (workflowId: string, attempt: number) => ({
  activityType: 'upsertItem', workflowId, attempt, taskToken: 'CiQ4Zj…', error: ApplicationFailure.create({ message: `order ${workflowId}, upsert-item: Monday request failed without a response (connect ECONNREFUSED 10.0.0.${attempt}:443)` }),
});

test('a retry storm is one line and a count; a failed order is one line each; the file keeps every entry as JSON', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-sync-stack-log-'));
  const said: string[] = [];
  const log = createStackLog(path.join(dir, 'worker.log'), (l) => said.push(l));
  for (let i = 0; i < 300; i++) log.logger.warn('Activity failed', retry(`order-K${i % 30}`, 1 + Math.floor(i / 30)));
  log.logger.warn('Activity failed', { activityType: 'stageOrder', workflowId: 'order-BAD', attempt: 1, error: ApplicationFailure.nonRetryable('order BAD: STYLE = "x": not a known style', 'MAPPING_ERROR') });
  log.logger.error('Failed to process Workflow Activation', { workflowId: 'order-X', error: new Error('\u001b[31mNondeterminism\u001b[39m error: marker expected') });
  log.logger.info('Worker state changed', { state: 'RUNNING' });
  log.flush();

  expect(said).toEqual([
    expect.stringMatching(/^retrying upsertItem \(order-K0, attempt 1\): order order-K0, upsert-item: Monday request failed without a response/),
    'failed: order-BAD stageOrder: order BAD: STYLE = "x": not a known style',
    'workflow task failed for order-X: Nondeterminism error: marker expected (the workflow waits for a fix; details in the worker log)',
    '  … 299 more like that in the last 30 s (upsertItem retries)',
  ]);
  const lines = fs.readFileSync(path.join(dir, 'worker.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines).toHaveLength(303);
  expect(lines[0]).toMatchObject({ level: 'WARN', message: 'Activity failed', activityType: 'upsertItem', taskToken: 'CiQ4Zj…' });
  fs.rmSync(dir, { recursive: true, force: true });
});

test('escapes are removed from text for a file or a pipe', () => {
  expect(plain('\u001b[2J\u001b[Hsync \u001b[1;32mdone\u001b[0m')).toBe('sync done');
});
