/* global module, process, require, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- electron-builder loads its configuration as CommonJS */
// electron-builder configuration: `npm run dist` (scripts/dist.mjs) builds everything, then packages with this.
// Docs: https://www.electron.build/configuration. Why each choice: build/README.md.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/** The pipeline file type the OS opens with Sluice (double-click, "Open with"). Same JSON as *.pipeline.json. */
const PIPELINE_FILE = {
  ext: 'sluice',
  name: 'Sluice pipeline',
  description: 'Sluice data pipeline',
  mimeType: 'application/x-sluice-pipeline',
  role: 'Editor',
};

/** Electron is an optional dependency here (so installs without its binary work), so its version is stated. */
const electronVersion = JSON.parse(readFileSync(join(__dirname, '..', 'node_modules', 'electron', 'package.json'), 'utf8')).version;

/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'app.sluice.desktop',
  electronVersion,
  productName: 'Sluice',
  copyright: 'Copyright © Sluice contributors',
  directories: { output: 'release', buildResources: 'build' },
  // What the app runs: the shell, the compiled engine (its CLI starts supervised runs), the built designer and
  // the samples. Production dependencies from package.json are added by electron-builder.
  files: [
    'package.json',
    'README.md',
    'dist/electron/**',
    'engine/bin/**',
    'engine/dist/**',
    // @sluice/format (the contract and the pipeline format), which the engine and the shell import by name: placed
    // where Node finds it, as one copy both load. (In development node_modules/@sluice/format links to format/.)
    { from: 'format', to: 'node_modules/@sluice/format', filter: ['package.json', 'dist/**', '!**/*.map', '!**/*.tsbuildinfo'] },
    'renderer/dist/**',
    'samples/**',
    'build/icon.png',
    '!samples/*/.sluice/**',
    '!samples/*/out/**',
    '!**/*.map',
    // The electron package is the development launcher (an optional dependency), not part of the app.
    '!node_modules/electron/**',
    '!**/*.tsbuildinfo',
  ],
  asar: true,
  // DuckDB's native addon cannot be loaded from inside an asar archive.
  // README.md: Help › Documentation opens it in the user's viewer, which cannot read inside the archive.
  asarUnpack: ['node_modules/@duckdb/node-api/**', 'node_modules/@duckdb/node-bindings*/**', 'README.md'],
  // DuckDB ships prebuilt N-API binaries (ABI-stable across Node and Electron): nothing to rebuild.
  npmRebuild: false,
  fileAssociations: [PIPELINE_FILE],
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Development',
    icon: 'build/icon.png',
    executableName: 'sluice-desktop',
    synopsis: 'Design data pipelines visually and run them reliably',
  },
  deb: { priority: 'optional' },
  mac: {
    target: ['dmg'],
    category: 'public.app-category.developer-tools',
    icon: 'build/icon.png',
    hardenedRuntime: true,
  },
  dmg: { title: 'Sluice ${version}' },
  win: { target: ['nsis'], icon: 'build/icon.png' },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
  // scripts/dist.mjs points this at the installed Electron when packaging for this platform, so nothing is downloaded.
  ...(process.env.SLUICE_ELECTRON_DIST ? { electronDist: process.env.SLUICE_ELECTRON_DIST } : {}),
  // Electron fuses, flipped in the packaged binary (https://www.electronjs.org/docs/latest/tutorial/fuses).
  electronFuses: {
    // Kept on, on purpose: the engine's run supervisor starts each run as `<app binary> engine/bin/sluice.js` with
    // ELECTRON_RUN_AS_NODE=1, so a DuckDB crash fails that run instead of the app. See build/README.md.
    runAsNode: true,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    loadBrowserProcessSpecificV8Snapshot: false,
    grantFileProtocolExtraPrivileges: false,
  },
};
