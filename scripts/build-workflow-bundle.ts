// Builds the workflow bundle once (as temporalio/samples-typescript `production/` does), so production
// workers start without webpack: `npm run build:workflows`, then WORKFLOW_BUNDLE_PATH=dist/workflow-bundle.js.
import fs from 'node:fs';
import path from 'node:path';
import { workflowBundle } from '../worker';

async function main() {
  const out = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'dist', 'workflow-bundle.js'));
  const { code } = await workflowBundle();
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, code);
  console.log(`workflow bundle written to ${out} (${(code.length / 1024).toFixed(0)} KiB)`);
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
