// Lint rules, including the import boundaries that keep the engine a UI-free library and the renderer
// away from anything that touches DuckDB or Node.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/**
 * The workspace packages (format/, engine/, renderer/, electron/) reach each other by package name, resolved through
 * each package.json's `exports`; a relative path into another package's folder would bypass those exports. (Built
 * output, dist/, is loaded by path by the scripts.) scripts/import-graph.mjs checks the same on resolved paths; this
 * is the second guard, in the editor.
 */
const crossPackage = { regex: '^(\\.\\./)+(engine|format|renderer|electron)/(?!dist/)', message: 'Import another workspace package by its name (@sluice/format, @sluice/engine, @sluice/shell), not by a relative path into its folder.' };

const nodeOnly = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'http', 'url', 'worker_threads', '@duckdb/*', 'commander', 'ws'];

export default tseslint.config(
  { ignores: ['**/dist/**', 'node_modules/**', '.tsbuild/**', 'release/**', 'e2e/artifacts/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['engine/**/*.ts', 'engine/**/*.js', 'scripts/**/*.mjs', 'electron/**/*.ts', 'e2e/**/*.ts', '*.config.*', '*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['engine/**/*.ts', 'format/**/*.ts'],
    rules: {
      // zod as a namespace (import * as z): the engine's bundles (scripts/bundle-engine.mjs) then carry only the parts
      // of zod the code uses, which halves what a starting process loads; with `import { z }` they carry all of it.
      'no-restricted-syntax': ['error', { selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier[imported.name='z']", message: "Import zod as a namespace: import * as z from 'zod' (the engine's bundles then leave out the parts of zod it does not use)." }],
    },
  },
  {
    files: ['engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['react', 'react-dom', 'react/*', 'react-dom/*', '@xyflow/*', 'zustand', 'zustand/*', 'monaco-editor', '@monaco-editor/*'], message: 'The engine is a UI-free library: no React or UI packages.' },
            { group: ['electron', 'electron/*'], message: 'The engine must not depend on Electron.' },
            { regex: '(^|/)(renderer|electron)(/|$)', message: 'The engine must not import from renderer/ or electron/.' },
            { group: ['@sluice/renderer', '@sluice/renderer/*', '@sluice/shell', '@sluice/shell/*'], message: 'The engine depends on @sluice/format only, never on the designer or the shell.' },
            crossPackage,
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'window', message: 'No DOM in the engine.' }, { name: 'document', message: 'No DOM in the engine.' }, { name: 'localStorage', message: 'No DOM in the engine.' }],
    },
  },
  {
    files: ['format/**/*.ts'],
    rules: {
      // @sluice/format is shared with the renderer, so it stays pure: no Node, no DuckDB, no other package.
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeOnly.filter((n) => !n.includes('*')).map((name) => ({ name, message: '@sluice/format is pure, shared with the renderer.' }))],
          patterns: [
            { group: nodeOnly.filter((n) => n.includes('*')), message: '@sluice/format is pure, shared with the renderer.' },
            { group: ['@sluice/*'], message: '@sluice/format depends on no other package: the engine, the designer and the shell depend on it.' },
            crossPackage,
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: nodeOnly.filter((n) => !n.includes('*')).map((name) => ({ name, message: 'The renderer runs in a browser sandbox: no Node modules.' })),
          patterns: [
            { group: ['node:*', '@duckdb/*'], message: 'The renderer runs in a browser sandbox: no Node modules or DuckDB.' },
            { group: ['@sluice/engine', '@sluice/engine/*'], message: 'The renderer reaches the engine only through @sluice/format (the contract) and the EngineApi client.' },
            { regex: '^electron(/|$)', message: 'The renderer reaches Electron only through the preload bridge.' },
            { regex: '^@sluice/shell/(?!bridge$)', message: 'The renderer may import only the bridge (@sluice/shell/bridge) from the shell.' },
            crossPackage,
          ],
        },
      ],
    },
  },
  {
    files: ['electron/**/*.ts', 'e2e/**/*.ts', 'build/**/*.ts', 'scripts/**/*.mjs'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@sluice/renderer', '@sluice/renderer/*'], message: 'The designer is loaded as built files, not imported.' }, crossPackage] }],
    },
  },
);
