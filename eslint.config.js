// Lint rules, including the import boundaries that keep the engine a UI-free library and the renderer
// away from anything that touches DuckDB or Node.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

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
    files: ['engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['react', 'react-dom', 'react/*', 'react-dom/*', '@xyflow/*', 'zustand', 'zustand/*', 'monaco-editor', '@monaco-editor/*'], message: 'The engine is a UI-free library: no React or UI packages.' },
            { group: ['electron', 'electron/*'], message: 'The engine must not depend on Electron.' },
            { regex: '(^|/)(renderer|electron)(/|$)', message: 'The engine must not import from renderer/ or electron/.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'window', message: 'No DOM in the engine.' }, { name: 'document', message: 'No DOM in the engine.' }, { name: 'localStorage', message: 'No DOM in the engine.' }],
    },
  },
  {
    files: ['engine/src/format/**/*.ts', 'engine/src/api/**/*.ts'],
    rules: {
      // These modules are shared with the renderer, so they stay pure: no Node, no DuckDB.
      'no-restricted-imports': [
        'error',
        {
          paths: nodeOnly.filter((n) => !n.includes('*')).map((name) => ({ name, message: 'format/ and api/ are pure modules shared with the renderer.' })),
          patterns: [{ group: nodeOnly.filter((n) => n.includes('*')).concat(['../runtime/*', '../nodes/*', '../server/*', '../cli/*', '../sql/*']), message: 'format/ and api/ are pure modules shared with the renderer.' }],
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
            { regex: '(^|/)engine/(?!src/(format|api)/)', message: 'The renderer may import only engine/src/format and engine/src/api; everything else goes through the EngineApi client.' },
            { regex: '^electron(/|$)', message: 'The renderer reaches Electron only through the preload bridge.' },
            { regex: '(^|/)electron/(?!bridge$)', message: 'The renderer may import only the bridge types from electron/.' },
          ],
        },
      ],
    },
  },
);
