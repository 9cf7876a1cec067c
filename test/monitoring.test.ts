// The dashboard and the alert rules: importable, every PromQL expression parsed by Prometheus's own parser
// (@prometheus-io/lezer-promql), every metric they name exposed by a real worker's /metrics during a sync,
// and every runbook link an anchor that exists in docs/RUNBOOK.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import yaml from 'js-yaml';
import { parser } from '@prometheus-io/lezer-promql';
import { startStack, type Stack } from './support/stack';
import { runSyncOnce } from '../cli/sync-once';
import { freePort } from '../cli/dev-server';
import { generateOrderLines } from '../db/demo-data';
import { runVerify } from '../cli/verify';
import { operationsOf } from '../db/open';
import { alertRules } from '../cli/monitoring';
import { TASK_QUEUE } from '../shared/temporal';

const ROOT = path.resolve(__dirname, '..');
const dashboard = JSON.parse(fs.readFileSync(path.join(ROOT, 'monitoring/grafana-dashboard.json'), 'utf8')) as Dashboard;
const rules = yaml.load(fs.readFileSync(path.join(ROOT, 'monitoring/alerts.yml'), 'utf8')) as { groups: { rules: AlertRule[] }[] };
const alerts = rules.groups.flatMap((g) => g.rules);

interface Panel { type: string; title: string; datasource?: { uid?: string }; targets?: { expr: string; datasource?: { uid?: string } }[] }
interface Dashboard { templating: { list: { name: string; type: string; query: string }[] }; panels: Panel[] }
interface AlertRule { alert: string; expr: string; for?: string; labels?: Record<string, string>; annotations: Record<string, string> }

/** Grafana replaces its $__ variables before Prometheus sees the query. */
const asPrometheusSees = (expr: string) => expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '5m');

function parsePromql(expr: string): { errors: string[]; metrics: string[] } {
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const metrics = new Set<string>();
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`error at ${node.from}: "${expr.slice(Math.max(0, node.from - 10), node.to + 10)}"`);
      // The metric name of a selector is the selector's first Identifier.
      if (node.name === 'VectorSelector') {
        const id = node.node.getChild('Identifier');
        if (id) metrics.add(expr.slice(id.from, id.to));
      }
    },
  });
  return { errors, metrics: [...metrics] };
}

const dashboardExprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: asPrometheusSees(t.expr) })));
const ruleExprs = alerts.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }));
const allExprs = [...dashboardExprs, ...ruleExprs];

test('the parser finds errors (the check can fail)', () => {
  expect(parsePromql('sum(rate(orders_sync_orders_synced[5m]) by').errors.length).toBeGreaterThan(0);
  expect(parsePromql('$__rate_interval').errors.length).toBeGreaterThan(0);
  expect(parsePromql('time() - max(orders_sync_last_batch_finished_timestamp_seconds)').metrics).toEqual(['orders_sync_last_batch_finished_timestamp_seconds']);
});

test('every PromQL expression of the dashboard and the alert rules parses', () => {
  expect(allExprs.length).toBeGreaterThanOrEqual(20);
  const problems = allExprs.flatMap((e) => parsePromql(e.expr).errors.map((err) => `${e.where}: ${err}`));
  expect(problems).toEqual([]);
});

test('the dashboard is importable with one variable: the Prometheus data source every panel uses', () => {
  expect(dashboard.templating.list).toEqual([expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' })]);
  for (const p of dashboard.panels.filter((x) => x.type !== 'row')) {
    expect({ panel: p.title, uid: p.datasource?.uid }).toEqual({ panel: p.title, uid: '${datasource}' });
    expect(p.targets?.length).toBeGreaterThan(0);
    for (const t of p.targets ?? []) expect(t.datasource?.uid).toBe('${datasource}');
  }
  const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join('\n');
  for (const topic of ['synced', 'waiting for rerun', '429', 'complexity', 'duration', 'age of the last', 'schedule-to-start', 'slots', 'items']) expect(titles).toContain(topic);
});

test('every alert has an absolute runbook link to a heading of docs/RUNBOOK.md (monitoring rules --runbook-url), a severity and a summary', () => {
  const runbook = fs.readFileSync(path.join(ROOT, 'docs/RUNBOOK.md'), 'utf8');
  // GitHub's anchor: lower case, punctuation dropped, spaces to dashes.
  const anchors = new Set([...runbook.matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1]!.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')));
  expect(alerts.map((a) => a.alert).sort()).toEqual(expect.arrayContaining([
    'OrdersSyncBoardDrift', 'OrdersSyncBoardNearItemsLimit', 'OrdersSyncBudgetSaturated', 'OrdersSyncDatabaseDown', 'OrdersSyncMondayDailyLimit', 'OrdersSyncNoSuccessfulSync',
    'OrdersSyncNoWorkerPolling', 'OrdersSyncOrdersFailedWaiting', 'OrdersSyncRejectedRows', 'OrdersSyncSkippedRuns', 'OrdersSyncSustained429',
    'OrdersSyncWorkflowTaskFailures',
  ]));
  const base = 'https://git.example.com/orders-sync/-/blob/main/docs/RUNBOOK.md';
  const generated = (yaml.load(alertRules(base)) as typeof rules).groups.flatMap((g) => g.rules);
  expect(generated.map((a) => a.alert)).toEqual(alerts.map((a) => a.alert));
  for (const a of generated) {
    const [url, anchor] = a.annotations.runbook_url!.split('#');
    expect({ alert: a.alert, url }).toEqual({ alert: a.alert, url: base });
    expect({ alert: a.alert, anchorExists: anchors.has(anchor!) }).toEqual({ alert: a.alert, anchorExists: true });
    expect(a.labels?.severity).toMatch(/^(page|ticket)$/);
    expect(a.annotations.summary).toBeTruthy();
  }
  // A relative link is what made them useless in a page at night: the command refuses one.
  expect(() => alertRules('docs/RUNBOOK.md')).toThrow(/absolute/);
});

test('the no-success alert watches synced order lines, not finished dispatches', () => {
  const rule = alerts.find((a) => a.alert === 'OrdersSyncNoSuccessfulSync')!;
  expect(parsePromql(rule.expr).metrics).toContain('orders_sync_last_order_line_synced_timestamp_seconds');
  expect(parsePromql(rule.expr).metrics).not.toContain('orders_sync_last_batch_finished_timestamp_seconds');
});

describe('against a real worker', () => {
  let stack: Stack;
  let worker: ChildProcess;
  let port: number;

  beforeAll(async () => {
    stack = await startStack({ worker: false });
    port = await freePort();
    worker = spawn(process.execPath, [path.join(ROOT, 'bin/orders-sync.js'), 'worker'],
      { env: { ...stack.childEnv(), METRICS_PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
  }, 60_000);
  afterAll(async () => {
    if (worker.exitCode === null) {
      worker.kill('SIGTERM');
      await new Promise((r) => worker.once('exit', r));
    }
    await stack?.stop();
  });

  async function scrape(): Promise<{ text: string; names: Set<string> }> {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const names = new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/[{ ]/)[0]!));
    return { text, names };
  }

  test('a sync with 429s and rejected orders: every metric the dashboard and the alerts use is exposed, with true values', async () => {
    // Monday's behaviours that make the rarer metrics appear: a full board (ItemsLimitationException, documented
    // "10,000 items per board") rejects two order lines; one request at a time answers 429 (MAX_CONCURRENCY_EXCEEDED)
    // to concurrent orders (the client's budget avoids the minute limit's 429 by reading the RateLimit header).
    await stack.store.insertSourceRows(generateOrderLines(6, 5));
    stack.sandbox.setItemsLimit(stack.mapping.items.boardId, 4);
    stack.sandbox.setLimits({ maxConcurrent: 1, timeScale: 60 });
    stack.sandbox.setFaults({ latencyMs: { min: 150, max: 250 } });
    const summary = await runSyncOnce(stack.client, stack.store, { pageSize: 50 });
    expect(summary).toMatchObject({ orders: 4, failed: 2 });
    expect(stack.sandbox.stats().rateLimited).toBeGreaterThan(0);
    // A whole-board verify: the two rejected order lines have no item (the drift gauge's source).
    const verified = await runVerify(stack.client, stack.store, { scope: { customer: null, po: null }, repair: false, reportFile: null, boardId: stack.mapping.items.boardId }, () => {});
    expect(verified.summary.counts.missing_item).toBe(2);
    // A workflow task that fails (a workflow type no worker knows): what OrdersSyncWorkflowTaskFailures counts.
    const broken = await stack.client.workflow.start('noSuchWorkflow', { taskQueue: TASK_QUEUE, workflowId: `broken-${Date.now()}`, args: [] });

    const used = new Set(allExprs.flatMap((e) => parsePromql(e.expr).metrics));
    let missing: string[] = [...used];
    let scraped = await scrape();
    // Database-backed gauges refresh every 15 s.
    for (const deadline = Date.now() + 40_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 1000))) {
      scraped = await scrape();
      missing = [...used].filter((m) => !scraped.names.has(m));
      if (missing.length === 0 && /^orders_sync_last_batch_finished_timestamp_seconds\S* \d/m.test(scraped.text)) break;
    }
    expect(missing).toEqual([]);
    const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(scraped.text)?.[1]);
    expect(value('orders_sync_orders_waiting_for_rerun')).toBe(2);
    expect(value('orders_sync_board_items')).toBe(4);
    expect(Number(/^orders_sync_board_drift\{[^}]*class="missing_item"[^}]*\} (\S+)$/m.exec(scraped.text)?.[1])).toBe(2);
    expect(Math.abs(Date.now() / 1000 - value('orders_sync_last_batch_finished_timestamp_seconds'))).toBeLessThan(120);
    expect(value('orders_sync_monday_rate_limited')).toBeGreaterThan(0);
    expect(value('orders_sync_database_up')).toBe(1);
    expect(Math.abs(Date.now() / 1000 - value('orders_sync_last_order_line_synced_timestamp_seconds'))).toBeLessThan(120);
    expect(value('orders_sync_last_batch_order_lines_failed')).toBe(2);
    expect(value('orders_sync_last_batch_order_lines_synced')).toBe(4);
    expect(scraped.text).toMatch(/^orders_sync_schedule_runs_skipped\{[^}]*reason="overlap"[^}]*\} 0$/m);
    await broken.terminate();

    // The worker's status row is the CLI's window into its budget.
    const statuses = await operationsOf(stack.store).liveWorkerStatuses(10_000);
    expect(statuses).toHaveLength(1);
    expect(statuses[0]!.complexityPerMinute).toBe(stack.config.MONDAY_COMPLEXITY_PER_MINUTE);
  }, 180_000);

  test('the metrics endpoint listens on loopback only, and a CLI command beside the worker with the same METRICS_PORT runs', async () => {
    const external = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (external) {
      const reached = await fetch(`http://${external}:${port}/metrics`).then(() => true, () => false);
      expect(reached).toBe(false);
    } else {
      // No other interface: the kernel's table of listening sockets says where it is bound (127.0.0.1 is 0100007F).
      const listening = fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').filter((l) => l.includes(`:${port.toString(16).toUpperCase().padStart(4, '0')} `) && / 0A /.test(l));
      expect(listening.map((l) => l.trim().split(/\s+/)[1]!.split(':')[0])).toEqual(['0100007F']);
    }
    // Before, every command installed the exporter: this one failed on the worker's port.
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'bin/orders-sync.js'), 'status'], { env: { ...stack.childEnv(), METRICS_PORT: String(port) } });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.once('exit', (code) => resolve({ code, stderr }));
    });
    expect(r).toEqual({ code: 0, stderr: '' });
  }, 60_000);
});
