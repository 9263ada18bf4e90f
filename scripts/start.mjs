#!/usr/bin/env node
// `npm start`: build what changed since the last build (scripts/build.mjs; an unchanged tree builds nothing), then
// open the designer on the bundled orders sample: in Electron when its binary is installed, otherwise in the
// browser through the local engine server. With no display (or CI=true) no browser is opened: the link is printed.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildParts } from './build.mjs';
import { electronStatus } from './electron-status.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const sample = path.join(root, 'samples', 'orders', 'orders.pipeline.json');

const electron = electronStatus();
// The shell is built only when it can be launched; the browser designer needs the engine and the renderer.
const wanted = electron.binary && !process.env.SLUICE_BROWSER ? ['engine', 'renderer', 'electron'] : ['engine', 'renderer'];
try {
  await buildParts(wanted);
} catch (err) {
  process.stderr.write(`npm start: the build failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

/** A browser can open only where there is a screen; CI and SSH sessions get the printed link. */
function canOpenBrowser() {
  if (process.env.CI && process.env.CI !== 'false') return false;
  if (process.platform === 'linux') return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  return true;
}

if (electron.binary && !process.env.SLUICE_BROWSER) {
  const child = spawn(electron.binary, [path.join(root, 'dist', 'electron', 'main.js'), sample], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  process.stdout.write(
    electron.binary
      ? 'SLUICE_BROWSER is set: opening the designer in the browser.\n'
      : `Opening the designer in the browser: ${electron.why}.\n`,
  );
  const args = [path.join(root, 'engine', 'bin', 'sluice.js'), 'serve', sample, ...(canOpenBrowser() ? [] : ['--no-open'])];
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}
