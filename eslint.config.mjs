// Keeps workflow code deterministic (no Node built-ins, no value imports of activities in workflows/) and imports
// one way: workflows → activities → db / mapping / graphql, never back up (shared types live in shared/).
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = builtinModules.flatMap((m) => [m, `node:${m}`]);

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', '.tools/**', 'dist/**', 'coverage/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { project: './tsconfig.json' } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    files: ['workflows/**/*.ts', 'shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code must be deterministic: no Node built-ins.' })),
        patterns: [
          { group: ['**/activities', '**/activities/*', '@temporalio/activity', '@temporalio/client', '@temporalio/worker'],
            allowTypeImports: true, message: 'Import activities type-only (import type) in workflow code.' },
          { group: ['**/db/*', '**/graphql/*', '**/sandbox/*', 'better-sqlite3', 'mssql'], message: 'Workflows do no I/O.' },
        ],
      }],
      'no-restricted-globals': ['error', { name: 'process', message: 'No environment access in workflows.' }],
    },
  },
  {
    files: ['activities/**/*.ts', 'db/**/*.ts', 'graphql/**/*.ts', 'mapping/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/workflows', '**/workflows/*'], message: 'Imports run one way (workflows → activities): shared types belong in shared/.' }],
      }],
    },
  },
);
