// Where Electron's binary is, or the one thing to do about it. `npm start`, `npm run dist` and the skipped e2e test
// all word a missing Electron with INSTALL_ELECTRON, so a user meets one instruction, not three.
// Why npm install leaves the binary out: electron/README.md ("Electron's binary").
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const electronDir = path.join(root, 'node_modules', 'electron');

/** The one correct step: the electron package's own download script, which `npm install` does not run here. */
export const INSTALL_ELECTRON = 'node node_modules/electron/install.js';

/**
 * `{ binary, version }` when Electron can be launched; otherwise `{ why }`, one sentence ending in what to run.
 * Reads the package's files rather than `require('electron')`, whose own error ("delete node_modules/electron and
 * try installing again") sends the user round in circles here.
 */
export function electronStatus() {
  if (!existsSync(path.join(electronDir, 'package.json'))) {
    return { why: 'the electron package is not installed (node_modules/electron is missing): run `npm install` first' };
  }
  const version = JSON.parse(readFileSync(path.join(electronDir, 'package.json'), 'utf8')).version;
  const pathFile = path.join(electronDir, 'path.txt');
  const binary = existsSync(pathFile) ? path.join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()) : undefined;
  if (binary && existsSync(binary)) return { binary, version };
  return {
    version,
    why:
      `Electron ${version}'s binary is not installed here (npm install does not download it). ` +
      `To get it, run \`${INSTALL_ELECTRON}\` (needs internet access)`,
  };
}
