#!/usr/bin/env node
// `npm run build:engine|build:renderer|build:electron` (and so `npm run build` and `npm start`): builds a part only
// when one of its inputs changed since its last build, so an unchanged tree starts in seconds.
//
// Each part's stamp (.tsbuild/stamps/<part>.json) records the content hash of every file that went into its
// build: for the engine every file under engine/src; for the designer and the shell the files the bundler
// actually read (Rollup's and esbuild's module lists), so a change anywhere else does not rebuild them. The
// configs, package-lock.json (for node_modules) and this script are inputs of every part. A part also rebuilds
// when its output is missing, or with --force.
//   node scripts/build.mjs [engine] [renderer] [electron] [--force]     (no part named: all three)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BUNDLE_ENTRIES, bundleEngine } from './bundle-engine.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// Vite's colour library colours whenever CI is set, even into a log file; a log gets plain text, as in scripts/test.mjs.
const forced = process.env.FORCE_COLOR;
if (forced === '0' || forced === 'false' || (forced === undefined && !process.stdout.isTTY)) process.env.NO_COLOR = '1';
const stampDir = path.join(root, '.tsbuild', 'stamps');
const COMMON = ['package-lock.json', 'tsconfig.base.json', 'scripts/build.mjs'];

const rel = (p) => path.relative(root, p).split(path.sep).join('/');

function filesUnder(dir) {
  const out = [];
  for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

function fingerprint(file) {
  const abs = path.join(root, file);
  if (!existsSync(abs)) return undefined;
  const st = statSync(abs);
  return { size: st.size, mtimeMs: st.mtimeMs, sha1: createHash('sha1').update(readFileSync(abs)).digest('hex') };
}

/** True when every recorded input still has its content (mtime and size equal short-cut the hash). */
function unchanged(stamp, currentFiles) {
  if (currentFiles) {
    const recorded = new Set(Object.keys(stamp.inputs));
    if (!currentFiles.every((f) => recorded.has(f))) return false; // a file was added
  }
  for (const [file, was] of Object.entries(stamp.inputs)) {
    const abs = path.join(root, file);
    let st;
    try {
      st = statSync(abs);
    } catch {
      return false;
    }
    if (st.size !== was.size) return false;
    if (st.mtimeMs === was.mtimeMs) continue;
    if (createHash('sha1').update(readFileSync(abs)).digest('hex') !== was.sha1) return false;
  }
  return true;
}

function readStamp(part) {
  try {
    return JSON.parse(readFileSync(path.join(stampDir, `${part}.json`), 'utf8'));
  } catch {
    return undefined;
  }
}

function writeStamp(part, files) {
  const inputs = {};
  for (const f of [...new Set(files)].sort()) {
    const fp = fingerprint(f);
    if (fp) inputs[f] = fp;
  }
  mkdirSync(stampDir, { recursive: true });
  writeFileSync(path.join(stampDir, `${part}.json`), `${JSON.stringify({ inputs }, null, 1)}\n`);
}

/** Source files of a bundle: on disk, inside the repository, outside node_modules (package-lock.json stands for those). */
function ownFiles(ids) {
  const out = [];
  for (const id of ids) {
    const file = id.split('?')[0];
    if (!file || file.startsWith('\0') || !path.isAbsolute(file)) continue;
    const r = rel(file);
    if (r.startsWith('..') || r.includes('node_modules/') || !existsSync(file)) continue;
    out.push(r);
  }
  return out;
}

const parts = {
  engine: {
    // The engine and the package it depends on, @sluice/format (format/dist), which Node loads at run time.
    output: 'engine/dist/cli/main.js',
    outputs: ['format/dist/api/contract.js', ...Object.keys(BUNDLE_ENTRIES).map((name) => `engine/dist/bundle/${name}.js`)],
    currentFiles: () => [...filesUnder('format/src'), ...filesUnder('engine/src')],
    configs: ['engine/tsconfig.build.json', 'engine/package.json', 'format/tsconfig.build.json', 'format/package.json', 'scripts/bundle-engine.mjs'],
    async build() {
      // tsc -b follows the project reference to format/ and is incremental (dist/.tsbuildinfo in each): after a
      // one-file change it re-checks what that file touches.
      const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'engine/tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
      if (r.status !== 0) throw new Error(`tsc -b engine/tsconfig.build.json failed (exit code ${r.status ?? r.signal})`);
      // The processes that start the engine load it from bundles made of that output (see scripts/bundle-engine.mjs).
      await bundleEngine();
      return [...filesUnder('format/src'), ...filesUnder('engine/src')];
    },
  },
  renderer: {
    output: 'renderer/dist/index.html',
    configs: ['renderer/vite.config.ts', 'renderer/vendor.ts', 'renderer/index.html', 'renderer/tsconfig.json', 'renderer/package.json', ...(existsSync(path.join(root, 'renderer/public')) ? filesUnder('renderer/public') : [])],
    async build() {
      const { build } = await import('vite');
      const ids = new Set();
      const record = {
        name: 'sluice-build-inputs',
        buildEnd() {
          for (const id of this.getModuleIds()) ids.add(id);
        },
      };
      // Web workers are bundled by a build of their own; record what they read too.
      await build({ configFile: path.join(root, 'renderer', 'vite.config.ts'), plugins: [record], worker: { plugins: () => [record] } });
      return ownFiles(ids);
    },
  },
  electron: {
    output: 'dist/electron/main.js',
    configs: ['scripts/build-electron.mjs', 'electron/package.json'],
    async build() {
      const { buildElectron } = await import(pathToFileURL(path.join(root, 'scripts', 'build-electron.mjs')).href);
      return (await buildElectron()).map((f) => rel(path.resolve(root, f)));
    },
  },
};

/** Builds the named parts that are out of date, in order; returns how long each took or that it was skipped. */
export async function buildParts(names = Object.keys(parts), { force = false, log = (line) => process.stdout.write(`${line}\n`) } = {}) {
  const done = [];
  for (const name of names) {
    const part = parts[name];
    if (!part) throw new Error(`unknown build part "${name}" (known: ${Object.keys(parts).join(', ')})`);
    const stamp = readStamp(name);
    if (!force && stamp && [part.output, ...(part.outputs ?? [])].every((o) => existsSync(path.join(root, o))) && unchanged(stamp, part.currentFiles?.())) {
      log(`${name}: up to date (no input changed since its last build)`);
      done.push({ name, skipped: true });
      continue;
    }
    const started = Date.now();
    const files = await part.build();
    writeStamp(name, [...files, ...part.configs, ...COMMON]);
    done.push({ name, skipped: false, seconds: (Date.now() - started) / 1000 });
  }
  return done;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const names = args.filter((a) => !a.startsWith('--'));
  try {
    await buildParts(names.length ? names : undefined, { force: args.includes('--force') });
  } catch (err) {
    process.stderr.write(`build: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
