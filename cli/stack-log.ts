// The interactive stack's log (`orders-sync start`): the SDK's entries go whole, as JSON lines, to a file whose
// path `start` prints; people get one readable line per failed order, per workflow-task failure and per burst
// of retries of one kind (a Monday outage retries every activity: 3,000 JSON lines with task tokens before).
import fs from 'node:fs';
import path from 'node:path';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';

/** Retries of one kind within this window are one line, followed by their count. */
const BURST_MS = 30_000;

export interface StackLog {
  logger: DefaultLogger;
  file: string;
  /** Says what the last burst left unsaid; call before exiting. */
  flush(): void;
}

/** Terminal colours only on a terminal: a redirected log stays plain text. */
export function plain(text: string): string {
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}

export function createStackLog(file: string, say: (line: string) => void): StackLog {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const out = fs.openSync(file, 'a');
  const bursts = new Map<string, { count: number; timer: NodeJS.Timeout; what: string }>();
  const endBurst = (kind: string) => {
    const b = bursts.get(kind);
    if (!b) return;
    bursts.delete(kind);
    clearTimeout(b.timer);
    if (b.count > 0) say(`  … ${b.count} more like that in the last ${BURST_MS / 1000} s (${b.what})`);
  };
  const logger = new DefaultLogger('INFO', (entry) => {
    fs.writeSync(out, `${JSON.stringify({ time: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(), level: entry.level, message: entry.message, ...entry.meta }, replacer)}\n`);
    const line = readable(entry);
    if (!line) return;
    if (!line.kind) return say(line.text);
    const b = bursts.get(line.kind);
    if (b) { b.count++; return; }
    say(line.text);
    bursts.set(line.kind, { count: 0, what: line.what, timer: setTimeout(() => endBurst(line.kind!), BURST_MS).unref() });
  });
  return { logger, file, flush: () => { for (const kind of [...bursts.keys()]) endBurst(kind); } };
}

interface Readable { text: string; kind?: string; what: string }

/** The line a person reads for an SDK entry, or null for entries that only belong in the file. */
export function readable(entry: Pick<LogEntry, 'level' | 'message' | 'meta'>): Readable | null {
  const meta = (entry.meta ?? {}) as Record<string, unknown>;
  const error = meta.error as { message?: string; nonRetryable?: boolean; type?: string } | undefined;
  const message = plain(error?.message ?? '').split('\n')[0]!.slice(0, 300);
  if (entry.message === 'Activity failed') {
    const step = String(meta.activityType ?? 'activity');
    const who = typeof meta.workflowId === 'string' ? meta.workflowId : '';
    if (error?.nonRetryable) return { text: `failed: ${who} ${step}: ${message}`, what: 'failed' };
    // One kind per step and error, numbers aside (retry times, ids): an outage is one kind, a bad row is another.
    return { text: `retrying ${step} (${who}, attempt ${String(meta.attempt ?? '?')}): ${message}`, kind: `${step}:${message.replace(/\d+/g, '#')}`, what: `${step} retries` };
  }
  if (/Workflow Activation|completeWorkflowActivation/.test(entry.message)) {
    return { text: `workflow task failed for ${String(meta.workflowId ?? '?')}: ${message || entry.message} (the workflow waits for a fix; details in the worker log)`, kind: `wft:${message.replace(/\d+/g, '#')}`, what: 'workflow task failures' };
  }
  if (entry.message.startsWith('No workflows registered') || entry.message.startsWith('No activities registered')) return null;
  if (entry.level === 'WARN' || entry.level === 'ERROR') return { text: `${entry.level.toLowerCase()}: ${plain(entry.message)}${message ? `: ${message}` : ''}`, what: entry.message };
  return null;
}

function replacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, ...(value as object) } : value;
}
