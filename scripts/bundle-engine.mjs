// Bundles the engine's process entry points into engine/dist/bundle, after tsc has compiled engine/dist and
// format/dist (scripts/build.mjs runs it as part of `npm run build:engine`).
//
// Why: a process that starts from the per-file output loads ~240 ES modules (the engine, @sluice/format, zod's 95)
// one by one; resolving, reading and linking them was ~100 ms of the ~135 ms the engine's import took on the Parquet
// benchmark, and every `sluice` command, run worker and benchmark run paid it. One bundle (with the code the entries
// share in common chunks) loads in a handful of files. engine/dist stays as it is: tests, the desktop shell and the
// package's exports use it, and the bundles find the run worker, the CSV scan worker and the designer through it.
//
// The bundles are flat (every output file in engine/dist/bundle), so a module's own location is one fixed step from
// its chunk: each `import.meta.url` in a bundled module is rewritten to the URL its per-file twin in engine/dist has,
// and paths made from it (`new URL('../../../renderer/dist', import.meta.url)`) mean what they meant. One module
// keeps its real URL (OWN_URL below): run-worker.ts compares it with process.argv[1] to know it was started as a
// process, and it locates nothing with it.
//
// Source maps are linked and go back to the TypeScript (through tsc's maps): `node --enable-source-maps` (or
// NODE_OPTIONS) shows a crash's stack in engine/src files.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = path.join(root, 'engine', 'dist');
export const BUNDLE_DIR = path.join(dist, 'bundle');

/** Entry name -> compiled module. The names are the files in engine/dist/bundle (flat: see above). */
export const BUNDLE_ENTRIES = {
  // `sluice` (every command but run), and `sluice serve`'s designer server with it.
  main: 'cli/main.js',
  // `sluice run`'s supervisor: it must not load the engine (its worker does).
  'run-main': 'cli/run-main.js',
  // The supervised run's worker process (runtime/supervision/worker-process.ts starts this file).
  'run-worker': 'runtime/supervision/run-worker.js',
  // What `npm run bench` imports (scripts/bench/validation/worker.mjs), to measure what a process starting the engine pays.
  run: 'runtime/run.js',
  preview: 'runtime/preview.js',
  // A parallel CSV scan's thread (sources/csv-scan-parallel.ts starts this file when it exists).
  'csv-scan-worker': 'sources/csv-scan-worker.js',
};

/** Entries whose import.meta.url stays the bundle's own: only for a "was I started as the process?" check. */
const OWN_URL = new Set(['run-worker']);

// DuckDB's native binding stays a package Node resolves at run time (it picks the platform's .node file). Its
// JavaScript API, @duckdb/node-api, is bundled: loaded as a package from an ES module, its ~120 CommonJS files were
// each read, compiled and scanned for exports (Node's CommonJS lexer follows its re-exports), ~240 ms of CPU
// against ~50 ms bundled (import alone, medians of 7 at load 6).
const EXTERNAL = ['@duckdb/node-bindings'];

const relativeUrl = (from, to) => {
  const r = path.relative(from, to).split(path.sep).join('/');
  return r.startsWith('.') ? r : `./${r}`;
};

/** Each bundled module's import.meta.url becomes that of its compiled file in engine/dist (but see OWN_URL). */
function ownLocations(keep) {
  return {
    name: 'own-locations',
    setup(b) {
      b.onLoad({ filter: /[\\/]engine[\\/]dist[\\/].*\.js$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url') || keep.has(args.path)) return undefined;
        const own = `new URL(${JSON.stringify(relativeUrl(BUNDLE_DIR, args.path))}, import.meta.url).href`;
        // Every mention, comments included (harmless there): tsc's output keeps the expression as written.
        return { contents: text.replaceAll(/\bimport\.meta\.url\b/g, own), loader: 'js', resolveDir: path.dirname(args.path) };
      });
    },
  };
}

/** Builds engine/dist/bundle from engine/dist; returns the files it wrote (relative to the repository). */
export async function bundleEngine() {
  const entryPoints = Object.fromEntries(Object.entries(BUNDLE_ENTRIES).map(([name, file]) => [name, path.join(dist, file)]));
  rmSync(BUNDLE_DIR, { recursive: true, force: true }); // chunk names change with their content
  const result = await build({
    entryPoints,
    outdir: BUNDLE_DIR,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    // Bundled CommonJS packages (commander) require Node's modules; an ES module has no `require` of its own.
    banner: { js: "import { createRequire as __sluiceRequire } from 'node:module'; const require = __sluiceRequire(import.meta.url);" },
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'eof', // the bundled packages' license notices stay with their code
    logLevel: 'warning',
    absWorkingDir: root,
    metafile: true,
    write: true,
    plugins: [ownLocations(new Set([...OWN_URL].map((name) => entryPoints[name])))],
  });
  // An entry that keeps its own import.meta.url must be in its own output file, not moved into a shared chunk
  // (which happens when another entry imports it): its URL would then be the chunk's.
  const outputs = result.metafile.outputs;
  for (const name of OWN_URL) {
    const file = entryPoints[name];
    const out = outputs[path.relative(root, path.join(BUNDLE_DIR, `${name}.js`)).split(path.sep).join('/')];
    if (!out || !(path.relative(root, file).split(path.sep).join('/') in out.inputs)) throw new Error(`bundle: ${name}'s code was moved into a shared chunk, so its import.meta.url would not be its own`);
  }
  return Object.keys(outputs);
}
