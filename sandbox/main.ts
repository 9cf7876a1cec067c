// Runs the sandbox on its own: npx tsx sandbox/main.ts --port 8790 --db .data/sandbox.db
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { startSandbox } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8790' },
      host: { type: 'string', default: '127.0.0.1' },
      db: { type: 'string', default: '.data/sandbox.db' },
      'time-scale': { type: 'string', default: '1' },
    },
  });
  const dbFile = values.db ?? '.data/sandbox.db';
  if (dbFile !== ':memory:') mkdirSync(dirname(dbFile), { recursive: true });
  const sandbox = await startSandbox({
    port: Number(values.port),
    host: values.host,
    dbFile,
    limits: { timeScale: Number(values['time-scale']) },
  });
  console.log(`Monday sandbox listening: ${sandbox.url} (board view: ${sandbox.baseUrl}/, state: ${dbFile})`);
  const stop = (): void => {
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
