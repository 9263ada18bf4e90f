#!/usr/bin/env node
// `npm start`: build what is needed, then open the designer on the bundled orders sample: in Electron when its
// binary is installed, otherwise in the browser through the local engine server.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const sample = path.join(root, 'samples', 'orders', 'orders.pipeline.json');

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run('npm', ['run', '--silent', 'build']);

function electronBinary() {
  try {
    const require = createRequire(import.meta.url);
    const bin = require('electron');
    return typeof bin === 'string' && existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

const electron = electronBinary();
if (electron && existsSync(path.join(root, 'dist', 'electron', 'main.js')) && !process.env.SLUICE_BROWSER) {
  const child = spawn(electron, [path.join(root, 'dist', 'electron', 'main.js'), sample], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  process.stdout.write(electron ? 'Opening the designer in the browser.\n' : 'Electron is not installed here; opening the designer in the browser instead.\n');
  const child = spawn(process.execPath, [path.join(root, 'engine', 'bin', 'sluice.js'), 'serve', sample], { cwd: root, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}
