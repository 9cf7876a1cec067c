#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so there is no separate build step.
require('tsx/cjs');
require('../cli/main.ts').runCli();
