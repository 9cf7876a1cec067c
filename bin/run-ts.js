#!/usr/bin/env node
// Runs one TypeScript script (benchmarks, chaos suite) through tsx: node bin/run-ts.js <file.ts> [args]
const path = require('node:path');
require('tsx/cjs');
const [script, ...rest] = process.argv.slice(2);
process.argv = [process.argv[0], script, ...rest];
require(path.resolve(script));
