// `orders-sync monitoring rules`: the Prometheus alert rules with absolute runbook links. monitoring/alerts.yml holds
// them with the placeholder RUNBOOK_URL; an alert that pages at night must link to a page a browser opens.
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config';
import { UsageError, type Command } from './command';

export const RULES_FILE = path.join(PROJECT_ROOT, 'monitoring/alerts.yml');

/** The rules with every `RUNBOOK_URL#anchor` pointing at `runbookUrl` (http or https, where docs/RUNBOOK.md is browsable). */
export function alertRules(runbookUrl: string): string {
  let url: URL;
  try {
    url = new URL(runbookUrl);
  } catch {
    throw new UsageError(`--runbook-url must be an absolute address, e.g. https://git.example.com/orders-sync/blob/main/docs/RUNBOOK.md, not ${JSON.stringify(runbookUrl)}`);
  }
  if (!/^https?:$/.test(url.protocol)) throw new UsageError(`--runbook-url must be an http(s) address, not ${url.protocol}`);
  const base = runbookUrl.replace(/#.*$/, '');
  return fs.readFileSync(RULES_FILE, 'utf8').replace(/RUNBOOK_URL#/g, `${base}#`);
}

export const monitoringCommands: Record<string, Command> = {
  monitoring: {
    usage: 'monitoring rules --runbook-url URL',
    summary: 'Print the Prometheus alert rules (monitoring/alerts.yml) with each runbook link made absolute: URL is where docs/RUNBOOK.md is browsable (your Git host\'s page of it). Load the output with rule_files.',
    options: { 'runbook-url': { type: 'string', description: 'absolute http(s) address of docs/RUNBOOK.md; default: the RUNBOOK_URL variable' } },
    async run(config, a) {
      if (a.positionals[0] !== 'rules') throw new UsageError('monitoring needs: rules --runbook-url URL');
      const url = typeof a.values['runbook-url'] === 'string' ? a.values['runbook-url'] : config.RUNBOOK_URL;
      if (!url) throw new UsageError('monitoring rules needs --runbook-url (or RUNBOOK_URL): where docs/RUNBOOK.md is browsable');
      process.stdout.write(alertRules(url));
      return 0;
    },
  },
};
