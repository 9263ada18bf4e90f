// The packaging configuration (build/electron-builder.cjs), checked without packaging: what is unpacked from asar,
// the targets, the file association, the fuses, the icon, that `npm run dist` explains a missing Electron, and,
// against a built tree, that every module the shell, the engine's process and the run worker load is packed.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { minimatch } from 'minimatch';
import { describe, expect, it } from 'vitest';
import { isPipelineFileName } from '@sluice/shell/launch-args';
import { shellPaths } from '@sluice/shell/shell';

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

/**
 * The app's files a built tree loads at run time, from the shell's entry points: static and dynamic imports,
 * `require`, and `new URL('…', import.meta.url)` (the run worker, the CSV scan worker). `@sluice/format/…` resolves
 * through its `exports` to the copy packed at node_modules/@sluice/format; other packages must be production
 * dependencies (electron-builder packs those whole). `webRoot`: where a page's absolute paths start. Returns the
 * files reached, the packages imported by name, and what could not be reached.
 */
function runtimeClosure(entries: string[], webRoot?: string): { files: Set<string>; packages: Set<string>; problems: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const problems: string[] = [];
  const format = JSON.parse(fs.readFileSync(path.join(ROOT, 'format', 'package.json'), 'utf8')) as { exports: Record<string, { default?: string }> };
  /** An app path (as packed) -> where it is in this tree (the packed format copy is format/ here). */
  const onDisk = (file: string) => path.join(ROOT, file.replace(/^node_modules\/@sluice\/format\//, 'format/'));
  const visit = (file: string, from: string) => {
    if (files.has(file)) return;
    if (!fs.existsSync(onDisk(file))) {
      problems.push(`${from} loads ${file}, which the build did not make`);
      return;
    }
    files.add(file);
    if (!/\.(c|m)?js$/.test(file)) return;
    const text = fs.readFileSync(onDisk(file), 'utf8');
    // Import statements (at a statement's start, so a message quoting `from "x"` is not one), dynamic imports,
    // require, and files located with new URL('…', import.meta.url) (relative even without ./, as in a browser).
    const specs = [
      ...[...text.matchAll(/(?:^|[;\n}])\s*(?:import|export)\s*[^;'"`]*?\bfrom\s*(["'])([^"'\n]+)\1/g)].map((m) => m[2] as string),
      ...[...text.matchAll(/(?:^|[;\n])\s*import\s*(["'])([^"'\n]+)\1/g)].map((m) => m[2] as string),
      ...[...text.matchAll(/\b(?:import|require)\(\s*(["'])([^"'\n]+)\1\s*\)/g)].map((m) => m[2] as string),
      ...[...text.matchAll(/new URL\(\s*(["'])([^"'\n]+)\1\s*,\s*import\.meta\.url/g)].map((m) => (/^[./]|^[a-z]+:/.test(m[2] as string) ? (m[2] as string) : `./${m[2] as string}`)),
    ].filter((spec) => /^[A-Za-z0-9@._/:-]+$/.test(spec) && !/^(data|https?|blob):/.test(spec));
    for (const spec of specs) {
      if (spec.startsWith('node:') || spec === 'electron' || BUILTINS.has(spec)) continue;
      if (spec.startsWith('/') && webRoot) visit(path.posix.join(webRoot, spec), file);
      else if (spec.startsWith('.')) {
        // Folders (renderer/dist, for the server) are not modules.
        if (!/\.(c|m)?js$|\.node$/.test(spec)) continue;
        visit(path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)), file);
      } else if (spec.startsWith('@sluice/format/')) {
        const sub = `./${spec.slice('@sluice/format/'.length)}`;
        const key = Object.keys(format.exports).find((k) => k === sub || (k.endsWith('/*') && sub.startsWith(k.slice(0, -1))));
        const target = key ? format.exports[key]?.default?.replace('*', sub.slice(key.length - 1)) : undefined;
        if (target) visit(path.posix.join('node_modules/@sluice/format', target), file);
        else problems.push(`${file} imports ${spec}, which @sluice/format does not export`);
      } else if (spec.startsWith('@sluice/')) {
        problems.push(`${file} imports ${spec}: only @sluice/format is packed as a package (the shell's build turns the engine's into paths)`);
      } else {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string));
      }
    }
  };
  for (const e of entries) visit(e, 'the app');
  return { files, packages, problems };
}
const BUILTINS = new Set(['fs', 'path', 'os', 'url', 'crypto', 'child_process', 'worker_threads', 'stream', 'events', 'util', 'buffer', 'readline', 'module', 'net', 'http', 'https', 'zlib', 'assert', 'process', 'timers', 'tty', 'string_decoder', 'perf_hooks', 'v8', 'vm', 'dns', 'tls', 'querystring']);

/** Packages electron-builder packs: the root's production (and optional) dependencies, and theirs, from the lock. */
function productionPackages(): Set<string> {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }> };
  const root = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; optionalDependencies?: Record<string, string> };
  const out = new Set<string>();
  const todo = [...Object.keys(root.dependencies), ...Object.keys(root.optionalDependencies ?? {}).filter((n) => n !== 'electron')];
  while (todo.length > 0) {
    const name = todo.pop() as string;
    const entry = lock.packages[`node_modules/${name}`];
    if (out.has(name) || !entry || entry.dev) continue;
    out.add(name);
    todo.push(...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}));
  }
  return out;
}

const builtTree = ['dist/electron/main.js', 'dist/electron/engine-host.js', 'dist/electron/preload.cjs', 'engine/dist/cli/main.js', 'format/dist/api/contract.js', 'renderer/dist/index.html'].filter((f) => !fs.existsSync(path.join(ROOT, f)));
if (builtTree.length > 0) console.log(`packaging: the built-tree checks need \`npm run build\` (missing: ${builtTree.join(', ')})`);

describe.skipIf(builtTree.length > 0)('the packaged app, resolved against the built tree', () => {
  const paths = shellPaths(path.join(ROOT, 'dist', 'electron'));
  const app = (abs: string) => path.relative(ROOT, abs).split(path.sep).join('/');
  const closure = runtimeClosure([pkg.main, app(paths.preload), app(paths.engineHost), 'engine/bin/sluice.js']);

  it('packs every module the shell, the engine process and the run worker load, reached from their entry points', () => {
    expect(closure.problems).toEqual([]);
    // The walk reaches the workers the engine starts by file (so a move that forgets them fails here).
    for (const f of ['engine/dist/bundle/run-worker.js', 'engine/dist/sources/csv-scan-worker.js', 'engine/dist/service.js', 'node_modules/@sluice/format/dist/api/contract.js']) expect(closure.files, f).toContain(f);
    const missing = [...closure.files].filter((f) => !included(f));
    expect(missing).toEqual([]);
    expect(closure.files.size).toBeGreaterThan(100);
  });

  it('the packages the app imports are production dependencies, DuckDB’s native binding for this platform included and unpacked', () => {
    const prod = productionPackages();
    expect([...closure.packages].filter((p) => !prod.has(p)).sort()).toEqual([]);
    expect(closure.packages).toContain('@duckdb/node-api');
    const binding = `@duckdb/node-bindings-${process.platform}-${process.arch}`;
    expect(prod).toContain(binding);
    const native = filesUnder(path.join(ROOT, 'node_modules', ...binding.split('/'))).filter((f) => f.endsWith('.node'));
    expect(native.length).toBeGreaterThan(0);
    for (const f of native) expect(unpacked(f), f).toBe(true);
  });

  it('packs the designer the window loads: its page, and every script and style it and its modules reference (the vendor bundle too)', () => {
    const page = fs.readFileSync(path.join(paths.rendererDir, 'index.html'), 'utf8');
    const refs = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string).filter((r) => !/^(https?:|data:|#)/.test(r));
    expect(refs.length).toBeGreaterThan(0);
    const entries = refs.map((r) => path.posix.join(app(paths.rendererDir), r.replace(/^\.?\//, '')));
    const designer = runtimeClosure([app(path.join(paths.rendererDir, 'index.html')), ...entries], app(paths.rendererDir));
    // The designer's modules import nothing by package name: everything it loads is in renderer/dist.
    expect(designer.problems).toEqual([]);
    expect([...designer.packages]).toEqual([]);
    expect([...designer.files].filter((f) => !f.startsWith('renderer/dist/'))).toEqual([]);
    expect([...designer.files].some((f) => f.startsWith('renderer/dist/vendor/'))).toBe(true);
    expect([...designer.files].filter((f) => !included(f))).toEqual([]);
  });
});
