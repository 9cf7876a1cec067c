// Every long-running command stops on Ctrl-C (SIGINT) and on SIGTERM within seconds, run as people run it (a child
// process through bin/orders-sync.js), and says what it leaves in progress. Before, the Temporal runtime's own
// signal handlers turned off Node's exit on SIGINT for every command: `sync --once` went on until its sync ended.
// No worker runs here, so the workflow-backed commands wait for ever until told to stop.
import { startStack, type Stack } from './support/stack';
import { spawnCli } from './support/cli-process';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false });
}, 60_000);
afterAll(() => stack?.stop());

async function running(type: string): Promise<{ workflowId: string; runId: string }[]> {
  const found = [];
  for await (const wf of stack.client.workflow.list({ query: `WorkflowType="${type}" AND ExecutionStatus="Running"` })) found.push({ workflowId: wf.workflowId, runId: wf.runId });
  return found;
}

async function terminateAll(type: string): Promise<void> {
  for (const wf of await running(type)) await stack.client.workflow.getHandle(wf.workflowId, wf.runId).terminate('test cleanup');
}

const SIGNALS = [['SIGINT', 130], ['SIGTERM', 143]] as const;

describe.each(SIGNALS)('on %s', (signal, code) => {
  test.each([
    { args: ['sync', '--once'], type: 'syncWorkflow', leaves: /left in progress: the sync goes on in the workers; `orders-sync status --watch` follows it/ },
    { args: ['rollback', '--batch', 'b-signal-test', '--apply'], type: 'rollbackWorkflow', leaves: /left in progress: the rollback goes on in the workers/ },
    { args: ['board', 'adopt', '--report', '/dev/null'], type: 'adoptBoardWorkflow', leaves: /left in progress: the adoption goes on in the workers/ },
  ])('$args.0 $args.1 stops within seconds and its workflow goes on', async ({ args, type, leaves }) => {
    const cli = spawnCli(args, stack.childEnv());
    for (const deadline = Date.now() + 60_000; (await running(type)).length === 0;) {
      if (Date.now() > deadline) throw new Error(`no ${type} started:\n${cli.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const sent = Date.now();
    cli.child.kill(signal);
    const { code: exit, ms } = await cli.exited(sent);
    expect({ exit, output: cli.output() }).toEqual({ exit: code, output: expect.stringMatching(leaves) });
    expect(ms).toBeLessThan(15_000);
    expect(await running(type)).toHaveLength(1);
    await terminateAll(type);
  }, 90_000);

  test('status --watch stops (its normal end: exit 0)', async () => {
    const cli = spawnCli(['status', '--watch'], stack.childEnv());
    await cli.waitFor(/Monday budget:/);
    const sent = Date.now();
    cli.child.kill(signal);
    const { code: exit, ms } = await cli.exited(sent);
    expect(exit).toBe(0);
    expect(ms).toBeLessThan(15_000);
  }, 60_000);

  test('worker drains and exits 0, naming what another worker will retry', async () => {
    const cli = spawnCli(['worker'], stack.childEnv());
    await cli.waitFor(/worker connected/);
    const sent = Date.now();
    cli.child.kill(signal);
    const { code: exit, ms } = await cli.exited(sent);
    expect(exit).toBe(0);
    expect(ms).toBeLessThan(20_000);
    expect(cli.output()).toMatch(/left in progress: activities that did not finish within WORKER_SHUTDOWN_GRACE are retried/);
  }, 90_000);
});

test('a second signal while stopping exits at once', async () => {
  const cli = spawnCli(['sync', '--once'], stack.childEnv());
  for (const deadline = Date.now() + 60_000; (await running('syncWorkflow')).length === 0;) {
    if (Date.now() > deadline) throw new Error(cli.output());
    await new Promise((r) => setTimeout(r, 200));
  }
  cli.child.kill('SIGTERM');
  cli.child.kill('SIGINT');
  const { code } = await cli.exited();
  expect([130, 143]).toContain(code);
  await terminateAll('syncWorkflow');
}, 90_000);
