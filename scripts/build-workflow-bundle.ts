// Builds the workflow bundle once (as temporalio/samples-typescript `production/` does), so production
// workers start without webpack: `npm run build:workflows`, then WORKFLOW_BUNDLE_PATH=dist/workflow-bundle.js.
// The bundle's hash is the workers' build id (Worker Versioning); CI replays histories against this very file.
import fs from 'node:fs';
import path from 'node:path';
import { workflowBundle } from '../worker';
import { buildIdOf } from '../worker-deployment';

export const DEFAULT_BUNDLE_PATH = path.join(__dirname, '..', 'dist', 'workflow-bundle.js');

/** Writes the bundle production runs; returns its build id. */
export async function writeWorkflowBundle(out: string): Promise<string> {
  const { code } = await workflowBundle();
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, code);
  return buildIdOf(code);
}

async function main() {
  const out = path.resolve(process.argv[2] ?? DEFAULT_BUNDLE_PATH);
  const buildId = await writeWorkflowBundle(out);
  console.log(`workflow bundle written to ${out} (${(fs.statSync(out).size / 1024).toFixed(0)} KiB, build id ${buildId})`);
}

if (require.main === module) {
  void main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
