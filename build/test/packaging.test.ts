// The packaging configuration (build/electron-builder.cjs), checked without packaging: what is unpacked from asar,
// the targets, the file association, the fuses, the icon, and that `npm run dist` explains a missing Electron.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { minimatch } from 'minimatch';
import { describe, expect, it } from 'vitest';
import { isPipelineFileName } from '@sluice/shell/launch-args';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

interface BuilderConfig {
  appId: string;
  productName: string;
  electronVersion: string;
  files: (string | { from: string; to: string; filter: string[] })[];
  asar: boolean;
  asarUnpack: string[];
  fileAssociations: { ext: string; name: string; mimeType: string; role: string }[];
  linux: { target: string[]; icon: string };
  mac: { target: string[]; icon: string };
  win: { target: string[]; icon: string };
  electronFuses: Record<string, boolean>;
}
const config = require(path.join(ROOT, 'build', 'electron-builder.cjs')) as BuilderConfig;
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string>; dependencies: Record<string, string> };

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}
const unpacked = (file: string) => config.asarUnpack.some((p) => minimatch(file, p, { dot: true }));
/** Whether electron-builder packs `file` (a path in the app), following its `files` globs and FileSets in order. */
const included = (file: string) => {
  let inc = false;
  for (const p of config.files) {
    if (typeof p !== 'string') {
      if (!file.startsWith(`${p.to}/`)) continue;
      const inSet = file.slice(p.to.length + 1);
      const yes = p.filter.filter((g) => !g.startsWith('!')).some((g) => minimatch(inSet, g, { dot: true }));
      const no = p.filter.filter((g) => g.startsWith('!')).some((g) => minimatch(inSet, g.slice(1), { dot: true }));
      if (yes && !no) inc = true;
    } else if (p.startsWith('!')) {
      if (minimatch(file, p.slice(1), { dot: true })) inc = false;
    } else if (minimatch(file, p, { dot: true })) inc = true;
  }
  return inc;
};

describe('the packaging configuration', () => {
  it('matches electron-builder’s own configuration schema (which refuses unknown keys)', async () => {
    // electron-builder's validator, from its own package (app-builder-lib), as `electron-builder` runs it first.
    const builderRequire = createRequire(require.resolve('electron-builder'));
    const { validateConfiguration } = builderRequire('app-builder-lib/out/util/config/config') as { validateConfiguration(c: unknown, log: unknown): Promise<void> };
    const { DebugLogger } = builderRequire('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...config, linux: { ...config.linux, targets: ['AppImage'] } }, new DebugLogger(false))).rejects.toThrow(/does not match the API schema/);
  });

  it('builds AppImage and deb on Linux, dmg on macOS, NSIS on Windows, in an asar archive', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.asar).toBe(true);
    expect(config.productName).toBe('Sluice');
    expect(config.electronVersion).toBe((JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('unpacks DuckDB’s native module (every installed @duckdb file) and nothing of the app’s own code', () => {
    const duck = filesUnder(path.join(ROOT, 'node_modules', '@duckdb'));
    expect(duck.some((f) => f.endsWith('.node'))).toBe(true);
    expect(duck.filter((f) => !unpacked(f))).toEqual([]);
    for (const f of ['node_modules/@duckdb/node-bindings-win32-x64/duckdb.node', 'node_modules/@duckdb/node-bindings-darwin-arm64/duckdb.node']) expect(unpacked(f), f).toBe(true);
    for (const f of ['dist/electron/main.js', 'engine/dist/service.js', 'node_modules/zod/index.js', 'samples/orders/orders.csv']) expect(unpacked(f), f).toBe(false);
  });

  it('packs what the app runs: the shell, the compiled engine and its CLI, the designer, the samples, the icon', () => {
    expect(pkg.main).toBe('dist/electron/main.js');
    for (const f of [pkg.main, 'dist/electron/preload.cjs', 'dist/electron/engine-host.js', 'engine/bin/sluice.js', 'engine/dist/cli/main.js', 'renderer/dist/index.html', 'samples/orders/orders.pipeline.json', 'samples/orders/orders.csv', 'build/icon.png', 'package.json', 'node_modules/@sluice/format/package.json', 'node_modules/@sluice/format/dist/api/errors.js']) {
      expect(included(f), f).toBe(true);
    }
    for (const f of ['samples/orders/.sluice/runs/x/manifest.json', 'engine/src/service.ts', 'dist/electron/main.js.map', 'node_modules/electron/dist/electron', 'node_modules/electron/index.js', 'node_modules/@sluice/format/src/api/errors.ts', 'node_modules/@sluice/format/dist/api/errors.js.map']) expect(included(f), f).toBe(false);
    expect(Object.keys(pkg.dependencies)).toContain('@duckdb/node-api');
  });

  it('associates pipeline files with the app, and the app opens them', () => {
    expect(config.fileAssociations).toEqual([expect.objectContaining({ ext: 'sluice', name: 'Sluice pipeline', role: 'Editor', mimeType: 'application/x-sluice-pipeline' })]);
    for (const a of config.fileAssociations) expect(isPipelineFileName(`orders.${a.ext}`)).toBe(true);
    expect(isPipelineFileName('orders.pipeline.json')).toBe(true);
  });

  it('sets the Electron fuses, keeping only RunAsNode on (for the run supervisor, see build/README.md)', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: true,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(fs.readFileSync(path.join(ROOT, 'build', 'README.md'), 'utf8')).toMatch(/runAsNode/);
  });

  it('has a 512×512 PNG icon for every platform', () => {
    const icon = fs.readFileSync(path.join(ROOT, 'build', 'icon.png'));
    expect(icon.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect([icon.readUInt32BE(16), icon.readUInt32BE(20)]).toEqual([512, 512]);
    for (const p of [config.linux.icon, config.mac.icon, config.win.icon]) expect(p).toBe('build/icon.png');
  });

  it('`npm run dist` builds first and, without Electron’s binary, stops with what to do instead of a stack trace', () => {
    expect(pkg.scripts.dist).toBe('node scripts/dist.mjs');
    expect(pkg.scripts.build).toMatch(/build:electron/);
    const hasBinary = fs.existsSync(path.join(ROOT, 'node_modules', 'electron', 'path.txt'));
    if (hasBinary) {
      console.log('Electron’s binary is installed: the no-binary message of `npm run dist` is not checked here.');
      return;
    }
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'dist.mjs')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/binary is not installed here/);
    expect(r.stderr).toMatch(/node node_modules\/electron\/install\.js/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });
});
