#!/usr/bin/env node
// Builds the desktop shell into dist/electron: main and the engine's process as ES modules that load the compiled
// engine from engine/dist (so its paths to samples, workers and the CLI stay right) and @sluice/format from
// node_modules (format/dist, the one copy the engine loads too), and the preload as one self-contained CommonJS file,
// since a sandboxed preload cannot load modules.
// Run it through scripts/build.mjs (`npm run build:electron`), which skips it when none of its inputs changed.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = path.join(root, 'dist', 'electron');
const ELECTRON_NODE = 'node22'; // Electron 39 ships Node 22
const engineExports = JSON.parse(readFileSync(path.join(root, 'engine', 'package.json'), 'utf8')).exports;

/**
 * `@sluice/engine/x` becomes `../../engine/dist/x.js` (the export's built file), left for Node to load at run time:
 * the packaged app carries engine/ as a folder, not as a node_modules package.
 */
const compiledEngine = {
  name: 'compiled-engine',
  setup(b) {
    b.onResolve({ filter: /^@sluice\/engine\// }, (args) => {
      const built = engineExports[`./${args.path.slice('@sluice/engine/'.length)}`]?.default;
      if (typeof built !== 'string') return { errors: [{ text: `${args.path} is not an export of @sluice/engine with a built file (engine/package.json)` }] };
      return { path: `../../engine/${built.replace(/^\.\//, '')}`, external: true };
    });
  },
};

/** Builds dist/electron; returns the source files esbuild read (relative to the repository), for the build stamp. */
export async function buildElectron() {
  rmSync(out, { recursive: true, force: true });
  const common = { bundle: true, platform: 'node', target: ELECTRON_NODE, sourcemap: true, logLevel: 'warning', absWorkingDir: root, metafile: true };
  const results = await Promise.all([
    build({
      ...common,
      entryPoints: { main: 'electron/main.ts', 'engine-host': 'electron/engine-host.ts' },
      outdir: out,
      format: 'esm',
      packages: 'external',
      plugins: [compiledEngine],
    }),
    build({
      ...common,
      entryPoints: { preload: 'electron/preload.ts' },
      outdir: out,
      outExtension: { '.js': '.cjs' },
      format: 'cjs',
      // The preload bundles what it uses of @sluice/format from its TypeScript source.
      conditions: ['sluice-source'],
      minify: true,
      external: ['electron'],
    }),
  ]);
  process.stdout.write(`built ${path.relative(root, out)}/{main.js,engine-host.js,preload.cjs}\n`);
  return results.flatMap((r) => Object.keys(r.metafile.inputs));
}
