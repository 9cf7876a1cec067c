// The real parts without Temporal, for tests that call the activities directly (test/support/order-driver.ts): a real
// SQLite file, the Monday sandbox over HTTP, the mapping and a Monday client, and the activities built from them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';
import { openStore } from '../../db/open';
import type { Store } from '../../db/store';
import { type OperationsStore } from '../../db/operations';
import { operationsOf } from '../../db/open';
import { loadMapping, type Mapping } from '../../mapping';
import { MondayClient } from '../../graphql/client';
import { MondayBudget } from '../../graphql/budget';
import { createActivities, type OrderActivities } from '../../activities';
import { SANDBOX_TOKEN } from '../../cli/targets';

/** Effectively no complexity limit (Monday's `complexity` fields are 32-bit Ints). */
export const UNLIMITED = 2_000_000_000;

export interface Parts {
  dir: string;
  sandbox: Sandbox;
  store: Store;
  operations: OperationsStore;
  mapping: Mapping;
  monday: MondayClient;
  removedSizes: 'zero' | 'archive';
  acts: OrderActivities;
  /** A fresh database and an empty board (boards, groups and labels kept), for the next scenario. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startParts(opts: { sandbox?: SandboxOptions; removedSizes?: 'zero' | 'archive'; subitemBatchSize?: number } = {}): Promise<Parts> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-sync-parts-'));
  const sandbox = await startSandbox({ port: 0, tokens: [SANDBOX_TOKEN], ...opts.sandbox, limits: { complexityPerMinute: UNLIMITED, ...opts.sandbox?.limits } });
  const mapping = loadMapping();
  let n = 0;
  const parts = { dir, sandbox, mapping, removedSizes: opts.removedSizes ?? 'zero' } as Parts;
  const open = async () => {
    // A new client per scenario: its group and label caches start empty, as a new worker's do.
    parts.monday = new MondayClient({
      url: sandbox.url, token: SANDBOX_TOKEN, timeoutMs: 5_000, subitemBatchSize: opts.subitemBatchSize ?? 25,
      budget: new MondayBudget({ complexityPerMinute: UNLIMITED, requestsPerMinute: 1_000_000 }),
    });
    parts.store = await openStore({ sqliteFile: path.join(dir, `orders-${n++}.db`) });
    parts.operations = operationsOf(parts.store);
    parts.acts = createActivities({
      store: parts.store, mapping, monday: parts.monday, operations: parts.operations, removedSizes: parts.removedSizes, missingItem: 'recreate',
      orderDefaults: { subitemBatchSize: opts.subitemBatchSize ?? 25, rerunWait: '1d' },
    });
  };
  await open();
  parts.reset = async () => {
    await parts.store.close();
    sandbox.reset();
    await open();
  };
  parts.stop = async () => {
    await parts.store.close();
    await sandbox.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return parts;
}
