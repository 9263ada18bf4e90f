#!/usr/bin/env node
// `npm run dist`: build the engine, the designer and the shell, then package the desktop app with electron-builder
// (build/electron-builder.cjs) for this platform, or for the targets given: `npm run dist -- --linux --win`.
// Packaging needs Electron's binary; without it this stops with what to do instead of a stack trace.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

if (!existsSync(path.join(electronDir, 'package.json'))) {
  fail('the electron package is not installed. Run `npm install` (electron is an optional dependency).');
}
const version = JSON.parse(readFileSync(path.join(electronDir, 'package.json'), 'utf8')).version;
const binary = existsSync(path.join(electronDir, 'path.txt')) && existsSync(path.join(electronDir, 'dist'));
if (!binary) {
  fail(
    `Electron ${version}'s binary is not installed here (node_modules/electron/dist is missing; npm skipped its download,\n` +
      'e.g. with ELECTRON_SKIP_BINARY_DOWNLOAD=1 or without network). Packaging needs it. On a machine with network access run:\n' +
      '  node node_modules/electron/install.js   # downloads the binary for this platform\n' +
      '  npm run dist\n' +
      'Everything except packaging works without it: `npm start` opens the designer in the browser.',
  );
}

run('npm', ['run', '--silent', 'build']);
// The installed binary is this platform's; electron-builder downloads others for cross-platform targets.
const targets = process.argv.slice(2);
if (targets.length === 0) process.env.SLUICE_ELECTRON_DIST = path.join(electronDir, 'dist');
run('npx', ['electron-builder', '--config', 'build/electron-builder.cjs', ...targets]);
process.stdout.write(`Packages are in ${path.join(root, 'release')}\n`);
