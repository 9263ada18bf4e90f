#!/usr/bin/env node
// `npm test`: every check in order, then one summary line per step and a final pass/fail line.
import { spawnSync } from 'node:child_process';

const steps = [
  ['typecheck', 'npx', ['tsc', '-b', 'tsconfig.json']],
  ['lint', 'npx', ['eslint', '--max-warnings', '0', '.']],
  ['import graph', 'node', ['scripts/import-graph.mjs']],
  ['build', 'npm', ['run', '--silent', 'build']],
  ['unit tests', 'npx', ['vitest', 'run']],
  ['e2e tests', 'npx', ['playwright', 'test', '-c', 'e2e/playwright.config.ts']],
];

const results = [];
for (const [name, cmd, args] of steps) {
  process.stdout.write(`\n━━ ${name} ━━ ${cmd} ${args.join(' ')}\n`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } });
  const ok = r.status === 0;
  results.push({ name, ok, seconds: Math.round((Date.now() - started) / 100) / 10 });
  if (!ok && name !== 'unit tests' && name !== 'lint' && name !== 'import graph') break; // later steps need a build that type-checks
}

process.stdout.write('\n━━ summary ━━\n');
for (const r of results) process.stdout.write(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name} (${r.seconds}s)\n`);
const skipped = steps.length - results.length;
if (skipped > 0) process.stdout.write(`SKIP  ${skipped} later step(s) after a failure\n`);
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
process.stdout.write(`steps: ${passed} passed, ${failed + skipped} failed\n`);
process.exit(failed + skipped === 0 ? 0 : 1);
