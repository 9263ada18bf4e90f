#!/usr/bin/env node
// `npm test`: every check, then one summary line per step and a final pass/fail line.
//
// Order and overlap: typecheck, lint and build do not depend on each other, so they run at the same time (each
// one's output is printed in one piece when it ends). The unit tests need the build (the CLI and shell tests run
// the compiled engine) and the e2e tests need it too; those two run one after the other, streaming, since each
// keeps both cores busy and the e2e timings must not depend on a neighbour.
//
// Colours: off when FORCE_COLOR=0 (or false), when NO_COLOR is set, or when the output is not a terminal (a CI
// log), for every runner: vitest and vite ignore FORCE_COLOR=0 (any FORCE_COLOR means on to them) but honour
// NO_COLOR; eslint's and Playwright's colour libraries honour FORCE_COLOR=0; tsc takes --pretty false.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

const forced = process.env.FORCE_COLOR;
const colour =
  !('NO_COLOR' in process.env && process.env.NO_COLOR !== '') &&
  forced !== '0' &&
  forced !== 'false' &&
  (forced !== undefined || Boolean(process.stdout.isTTY));
const env = { ...process.env };
if (colour) delete env.NO_COLOR;
else Object.assign(env, { NO_COLOR: '1', FORCE_COLOR: '0' });

const steps = [
  { name: 'typecheck', cmd: bin('tsc'), args: ['-b', 'tsconfig.json', '--pretty', String(colour)], phase: 1 },
  { name: 'lint', cmd: bin('eslint'), args: ['--max-warnings', '0', '--cache', '--cache-location', '.tsbuild/eslintcache', ...(colour ? [] : ['--no-color']), '.'], phase: 1 },
  { name: 'build', cmd: 'npm', args: ['run', '--silent', 'build'], phase: 1 },
  { name: 'unit tests', cmd: bin('vitest'), args: ['run'], phase: 2 },
  { name: 'e2e tests', cmd: bin('playwright'), args: ['test', '-c', 'e2e/playwright.config.ts'], phase: 2 },
];
const describe = (s) => `${path.basename(s.cmd)} ${s.args.join(' ')}`;

/** Runs a step; `buffered` keeps its output and prints it in one piece at the end, so parallel steps do not interleave. */
function runStep(step, buffered) {
  const started = Date.now();
  if (!buffered) process.stdout.write(`\n━━ ${step.name} ━━ ${describe(step)}\n`);
  return new Promise((resolve) => {
    const child = spawn(step.cmd, step.args, { cwd: root, env, stdio: buffered ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    const chunks = [];
    child.stdout?.on('data', (c) => chunks.push(c));
    child.stderr?.on('data', (c) => chunks.push(c));
    const finish = (ok, extra = '') => {
      const seconds = Math.round((Date.now() - started) / 100) / 10;
      if (buffered) process.stdout.write(`\n━━ ${step.name} ━━ ${describe(step)} (${seconds}s)\n${Buffer.concat(chunks).toString('utf8')}${extra}`);
      resolve({ name: step.name, ok, seconds });
    };
    child.on('error', (err) => finish(false, `could not start: ${err.message}\n`));
    child.on('close', (code) => finish(code === 0));
  });
}

const started = Date.now();
const results = await Promise.all(steps.filter((s) => s.phase === 1).map((s) => runStep(s, true)));
// The later steps need a build that type-checks; a lint failure alone does not stop them.
const blocking = results.filter((r) => !r.ok && r.name !== 'lint');
if (blocking.length === 0) {
  for (const step of steps.filter((s) => s.phase === 2)) {
    const r = await runStep(step, false);
    results.push(r);
    if (!r.ok && r.name !== 'unit tests') break;
  }
}

process.stdout.write('\n━━ summary ━━\n');
for (const r of results) process.stdout.write(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name} (${r.seconds}s)\n`);
const skipped = steps.length - results.length;
if (skipped > 0) process.stdout.write(`SKIP  ${skipped} later step(s) after a failure\n`);
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
process.stdout.write(`steps: ${passed} passed, ${failed + skipped} failed (${Math.round((Date.now() - started) / 1000)}s in all)\n`);
process.exit(failed + skipped === 0 ? 0 : 1);
