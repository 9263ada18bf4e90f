#!/usr/bin/env node
// `npm run dist`: build the engine, the designer and the shell, then package the desktop app with electron-builder
// (build/electron-builder.cjs) for this platform, or for the targets given: `npm run dist -- --linux --win`.
// Packaging needs Electron's binary; without it this stops with what to do instead of a stack trace.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronStatus } from './electron-status.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const electronDir = path.join(root, 'node_modules', 'electron');

function fail(message) {
  process.stderr.write(`npm run dist: ${message}\n`);
  process.exit(1);
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) fail(`\`${cmd} ${args.join(' ')}\` failed (exit code ${r.status ?? r.signal}); see its output above.`);
}

const electron = electronStatus();
if (!electron.binary) {
  fail(`${electron.why}. Packaging needs it.\nEverything except packaging works without it: \`npm start\` opens the designer in the browser.`);
}

run('npm', ['run', '--silent', 'build']);
// The installed binary is this platform's; electron-builder downloads others for cross-platform targets.
const targets = process.argv.slice(2);
if (targets.length === 0) process.env.SLUICE_ELECTRON_DIST = path.join(electronDir, 'dist');
run('npx', ['electron-builder', '--config', 'build/electron-builder.cjs', ...targets]);
process.stdout.write(`Packages are in ${path.join(root, 'release')}\n`);
