// Worker Versioning: a worker deployment (WORKER_DEPLOYMENT_NAME) whose versions are named by the workflow bundle's
// hash, so two workers run the same workflow code exactly when they share a build id. docs/RUNBOOK.md "Deploying
// workflow code" says how versions are promoted, drained and rolled back.
import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';

/** The build id of a workflow bundle: the first 16 hex digits of its SHA-256. */
export function buildIdOf(bundleCode: string): string {
  return crypto.createHash('sha256').update(bundleCode).digest('hex').slice(0, 16);
}

export interface DeploymentVersion {
  deploymentName: string;
  buildId: string;
}

/** The version new workflows start on, or null when the deployment has none yet (or does not exist). */
export async function currentVersion(client: Client, deploymentName: string): Promise<DeploymentVersion | null> {
  try {
    const r = await client.workflowService.describeWorkerDeployment({ namespace: client.options.namespace, deploymentName });
    const v = r.workerDeploymentInfo?.routingConfig?.currentDeploymentVersion;
    return v?.buildId ? { deploymentName: v.deploymentName ?? deploymentName, buildId: v.buildId } : null;
  } catch (err) {
    if ((err as { code?: number }).code === 5) return null; // NOT_FOUND: no worker of it has polled yet
    throw err;
  }
}

/** Makes this version the current one: new workflows start on it, AUTO_UPGRADE ones move to it. */
export async function setCurrentVersion(client: Client, v: DeploymentVersion, identity: string): Promise<void> {
  await client.workflowService.setWorkerDeploymentCurrentVersion({
    namespace: client.options.namespace, deploymentName: v.deploymentName, buildId: v.buildId, identity,
  });
}

/**
 * The first deployment has no current version, and a versioned worker gets no task until one is set: its first worker
 * promotes itself. Later versions are promoted by `orders-sync deploy promote` after `deploy check`. The version
 * exists once a worker of it has polled, so this retries for up to a minute.
 */
export async function promoteIfNoCurrent(client: Client, v: DeploymentVersion, stopped: () => boolean): Promise<boolean> {
  for (let i = 0; i < 120 && !stopped(); i++) {
    try {
      if ((await currentVersion(client, v.deploymentName)) !== null) return false;
      await setCurrentVersion(client, v, 'orders-sync worker (first deployment)');
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  return false;
}
