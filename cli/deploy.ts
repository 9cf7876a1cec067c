// `orders-sync deploy check|promote|status`: the steps of a rolling deploy of workflow code (docs/RUNBOOK.md
// §13 "Changing workflow code safely"). check replays the history of every running workflow of the namespace against the
// bundle about to be deployed: a run it cannot replay would fail its workflow tasks on the new workers.
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { connectClient, workflowBundle } from '../worker';
import { log, UsageError, type Command } from './command';
import { temporalFor } from './targets';
import { buildIdOf, currentVersion, setCurrentVersion, type DeploymentVersion } from '../worker-deployment';

/** The workflow types this project runs: the namespace may hold others'. */
export const WORKFLOW_TYPES = ['orderWorkflow', 'syncWorkflow', 'adoptBoardWorkflow', 'rollbackWorkflow', 'verifyWorkflow', 'acceptanceWorkflow'];
export const RUNNING_QUERY = `ExecutionStatus="Running" AND WorkflowType IN (${WORKFLOW_TYPES.map((t) => `"${t}"`).join(', ')})`;

export interface CheckFailure { workflowId: string; runId: string; message: string }
export interface CheckResult { buildId: string; replayed: number; failures: CheckFailure[] }

/** The bundle to check: the file given (the one the new workers run), else one built from this checkout. */
export async function bundleCode(bundlePath: string | undefined): Promise<{ codePath?: string; code: string; source: string }> {
  if (bundlePath) {
    if (!fs.existsSync(bundlePath)) throw new Error(`workflow bundle ${bundlePath} does not exist: build it with \`npm run build:workflows\``);
    return { codePath: path.resolve(bundlePath), code: fs.readFileSync(bundlePath, 'utf8'), source: bundlePath };
  }
  return { code: (await workflowBundle()).code, source: 'built from this checkout' };
}

/** Replays every running execution's history on the bundle; `query` narrows the executions (visibility syntax). */
export async function deployCheck(client: Client, bundle: { codePath?: string; code: string }, opts: { query?: string; log?: (l: string) => void } = {}): Promise<CheckResult> {
  const query = opts.query ? `${RUNNING_QUERY} AND (${opts.query})` : RUNNING_QUERY;
  const histories = client.workflow.list({ query }).intoHistories({ concurrency: 5 });
  const workflowBundleOption = bundle.codePath ? { codePath: bundle.codePath } : { code: bundle.code };
  const failures: CheckFailure[] = [];
  let replayed = 0;
  for await (const r of Worker.runReplayHistories({ workflowBundle: workflowBundleOption }, histories)) {
    replayed++;
    if (r.error) failures.push({ workflowId: r.workflowId, runId: r.runId, message: firstLine(r.error.message) });
    if (replayed % 500 === 0) opts.log?.(`replayed ${replayed} running workflows, ${failures.length} failed`);
  }
  return { buildId: buildIdOf(bundle.code), replayed, failures };
}

export function checkReport(r: CheckResult, source: string): string[] {
  const head = `deploy check: replayed ${r.replayed} running workflow(s) on build ${r.buildId} (${source})`;
  if (r.failures.length === 0) return [`${head}: every one replays`];
  return [
    `${head}: ${r.failures.length} cannot replay, do not deploy this build (guard the change with patched(), see docs/RUNBOOK.md §13 "Changing workflow code safely"):`,
    ...r.failures.map((f) => `  ${f.workflowId} (run ${f.runId}): ${f.message}`),
  ];
}

export async function deployPromote(client: Client, v: DeploymentVersion): Promise<string> {
  const before = await currentVersion(client, v.deploymentName);
  if (before?.buildId === v.buildId) return `deployment ${v.deploymentName}: build ${v.buildId} is already current`;
  await setCurrentVersion(client, v, 'orders-sync deploy promote');
  return `deployment ${v.deploymentName}: build ${v.buildId} is now current (was ${before?.buildId ?? 'none'}); new workflows start on it, running orders move to it, other running workflows finish on ${before?.buildId ?? 'their build'}`;
}

export async function deployStatus(client: Client, deploymentName: string, thisBuild: string): Promise<string[]> {
  const current = await currentVersion(client, deploymentName);
  const lines = [`deployment ${deploymentName}: current build ${current?.buildId ?? 'none'}; this checkout's bundle is build ${thisBuild}`];
  const counts = new Map<string, number>();
  for await (const wf of client.workflow.list({ query: RUNNING_QUERY })) {
    const sa = wf.searchAttributes as Record<string, unknown[] | undefined>;
    const build = String(sa.TemporalWorkerDeploymentVersion?.[0] ?? 'unversioned');
    counts.set(build, (counts.get(build) ?? 0) + 1);
  }
  for (const [build, n] of [...counts].sort()) lines.push(`  ${n} running on ${build}`);
  return lines;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 300);
}

export const deployCommands: Record<string, Command> = {
  deploy: {
    usage: 'deploy check|promote|status [--bundle FILE] [--query VISIBILITY_QUERY]',
    summary: 'Rolling deploys of workflow code (docs/RUNBOOK.md §13 "Changing workflow code safely"). check: replay every running workflow\'s history on the bundle (default WORKFLOW_BUNDLE_PATH, else built from this checkout); exit 1 naming each workflow that cannot replay. promote: make the bundle\'s build the deployment\'s current version (after its workers run). status: the current build and how many runs are on each build.',
    options: {
      bundle: { type: 'string', description: 'the workflow bundle the new workers run (npm run build:workflows writes dist/workflow-bundle.js)' },
      query: { type: 'string', description: 'check: only executions matching this visibility query too, e.g. WorkflowType="orderWorkflow"' },
    },
    async run(config, a) {
      const action = a.positionals[0];
      if (action !== 'check' && action !== 'promote' && action !== 'status') throw new UsageError('deploy needs check, promote or status');
      const bundle = await bundleCode((a.values.bundle as string | undefined) ?? config.WORKFLOW_BUNDLE_PATH);
      const client = await connectClient(temporalFor(config));
      try {
        if (action === 'check') {
          const result = await deployCheck(client, bundle, { query: a.values.query as string | undefined, log });
          for (const line of checkReport(result, bundle.source)) console.log(line);
          return result.failures.length === 0 ? 0 : 1;
        }
        const version = { deploymentName: config.WORKER_DEPLOYMENT_NAME, buildId: buildIdOf(bundle.code) };
        if (action === 'promote') console.log(await deployPromote(client, version));
        else for (const line of await deployStatus(client, version.deploymentName, version.buildId)) console.log(line);
        return 0;
      } finally {
        await client.connection.close();
      }
    },
  },
};
