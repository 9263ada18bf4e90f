// The designer's third-party code (Monaco and its worker, React, React Flow, chart.js…) is built once into
// renderer/dist/vendor and reused until package-lock.json changes, so a change to the app's own code rebuilds only
// the app (a few seconds) instead of Monaco's thousand modules (half a minute or more on a 2-core machine).
//
// How: before the app's build, an esbuild pass over renderer/src lists every package specifier the app imports
// (CSS excepted: that stays in the app's build). A separate Vite build makes one ES module per specifier, each
// re-exporting that package's API, with the code they share in common chunks (so there is one React). It is
// cached under node_modules/.cache/sluice-vendor/<key>, the key being a hash of package-lock.json, the specifier
// list, Vite's version and this file. The app's build then treats those specifiers as external and points its
// imports at ../vendor/<file>.js (relative, so app:// in Electron and the engine's server both work; no import
// map, which the CSP's `script-src 'self'` would refuse inline), copies the cached vendor files into
// dist/vendor. Vite loads a lazily imported chunk's CSS before the import resolves; nothing would do that for a
// vendor module, so each vendor module whose code imports CSS (Monaco's) loads its stylesheets itself, by a
// top-level await appended to it: the styles arrive when, and only when, the module is first imported, as before.
// `vite` dev mode is untouched (the plugin applies to builds only).
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import { build as viteBuild, type Logger, type Plugin, type Rollup, version as viteVersion } from 'vite';

const VIRTUAL = '\0sluice-vendor:';
const EXTERNAL = 'sluice-vendor:';
const MANIFEST = 'vendor-manifest.json';

interface VendorManifest {
  key: string;
  /** package specifier → its module, relative to the vendor folder */
  modules: Record<string, string>;
}

/** Assets imported by path (CSS, images, fonts) and Vite's `?query` imports of app files stay in the app build. */
const NOT_VENDORED = /\.(css|svg|png|jpe?g|gif|webp|ico|woff2?|ttf)(\?.*)?$/;

/** Every package specifier reachable from the app's entry, e.g. `react`, `monaco-editor/editor/editor.worker.js?worker`. */
export async function scanPackageImports(entry: string): Promise<string[]> {
  const found = new Set<string>();
  await esbuild({
    entryPoints: [entry],
    bundle: true,
    write: false,
    logLevel: 'silent',
    format: 'esm',
    platform: 'browser',
    jsx: 'automatic',
    // Resolve @sluice/* to their TypeScript sources, as the app build does (package.json exports).
    conditions: ['sluice-source'],
    plugins: [
      {
        name: 'sluice-scan',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            if (args.kind === 'entry-point') return undefined;
            const spec = args.path;
            if (NOT_VENDORED.test(spec) || spec.includes('?') && (spec.startsWith('.') || spec.startsWith('/'))) return { path: spec, external: true };
            // The workspace's own packages (@sluice/format, the shell's bridge) are app code: built with every change.
            if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('@sluice/')) return undefined;
            found.add(spec);
            return { path: spec, external: true };
          });
        },
      },
    ],
  });
  return [...found].sort();
}

function fileName(spec: string): string {
  return spec.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/\.js(_|$)/, '$1');
}

/** The export names of a CommonJS package (React's): Rollup cannot see them statically, Node can. */
function commonJsExportNames(root: string, spec: string): string[] {
  const require = createRequire(path.join(root, 'package.json'));
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    const mod = require(spec) as Record<string, unknown>;
    return Object.keys(mod).filter((n) => n !== 'default' && n !== '__esModule' && /^[A-Za-z_$][\w$]*$/.test(n));
  } finally {
    if (previous === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = previous;
  }
}

async function buildVendor(root: string, specifiers: string[], key: string, dir: string): Promise<VendorManifest> {
  const importer = path.join(root, 'src', 'main.tsx');
  const input: Record<string, string> = {};
  // Encoded: Vite's worker plugin would claim a virtual id ending in `?worker`.
  for (const spec of specifiers) {
    let name = fileName(spec);
    for (let n = 2; Object.hasOwn(input, name); n++) name = `${fileName(spec)}_${n}`;
    input[name] = `${VIRTUAL}${encodeURIComponent(spec)}`;
  }
  const entries: Plugin = {
    name: 'sluice-vendor-entries',
    resolveId(id) {
      return id.startsWith(VIRTUAL) ? id : null;
    },
    async load(id) {
      if (!id.startsWith(VIRTUAL)) return null;
      const spec = decodeURIComponent(id.slice(VIRTUAL.length));
      const resolved = await this.resolve(spec, importer);
      if (!resolved) this.error(`the designer imports "${spec}", which is not installed (run npm install)`);
      const info = await this.load({ id: resolved.id, resolveDependencies: false });
      const s = JSON.stringify(spec);
      const lines = [`export * from ${s};`];
      if (info.hasDefaultExport) lines.push(`export { default } from ${s};`);
      if (info.syntheticNamedExports) {
        const names = commonJsExportNames(root, spec.split('?')[0] ?? spec);
        if (names.length) lines.push(`export { ${names.join(', ')} } from ${s};`);
      }
      return lines.join('\n');
    },
  };
  const styles: Plugin = {
    name: 'sluice-vendor-styles',
    enforce: 'post',
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        const cssOf = (fileName: string, seen: Set<string>): string[] => {
          const chunk = bundle[fileName];
          if (!chunk || chunk.type !== 'chunk' || seen.has(fileName)) return [];
          seen.add(fileName);
          return [...(chunk.viteMetadata?.importedCss ?? []), ...chunk.imports.flatMap((f) => cssOf(f, seen))];
        };
        for (const chunk of Object.values(bundle)) {
          if (chunk.type !== 'chunk' || !chunk.isEntry) continue;
          const css = [...new Set(cssOf(chunk.fileName, new Set()))];
          if (!css.length) continue;
          const hrefs = css.map((f) => `./${path.posix.relative(path.posix.dirname(chunk.fileName), f)}`);
          const loader =
            `;await Promise.all(${JSON.stringify(hrefs)}.map((f)=>{const d=document,h=new URL(f,import.meta.url).href;` +
            `if([...d.querySelectorAll('link[rel=stylesheet]')].some((l)=>l.href===h))return;` +
            `return new Promise((ok,no)=>{const l=d.createElement('link');l.rel='stylesheet';l.href=h;l.onload=ok;` +
            `l.onerror=()=>no(new Error('Could not load the stylesheet '+h));d.head.append(l)})}));\n`;
          // After the code (and before a source map comment), so the source map's positions stay right.
          const at = chunk.code.lastIndexOf('//# sourceMappingURL=');
          chunk.code = at >= 0 ? `${chunk.code.slice(0, at)}${loader}${chunk.code.slice(at)}` : `${chunk.code}\n${loader}`;
        }
      },
    },
  };
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const result = await viteBuild({
    configFile: false,
    root,
    base: './',
    mode: 'production',
    publicDir: false,
    logLevel: 'warn',
    plugins: [entries, styles],
    worker: { format: 'es' },
    build: {
      outDir: tmp,
      emptyOutDir: true,
      assetsDir: '.',
      sourcemap: true,
      target: 'chrome120',
      reportCompressedSize: false,
      chunkSizeWarningLimit: 5000,
      modulePreload: false,
      rollupOptions: {
        input,
        preserveEntrySignatures: 'strict',
        output: { entryFileNames: '[name]-[hash].js', chunkFileNames: 'chunks/[name]-[hash].js' },
        onwarn(warning, warn) {
          if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('/node_modules/zod/')) return;
          // React Flow's "use client" means nothing outside React Server Components.
          if (warning.code === 'MODULE_LEVEL_DIRECTIVE' || warning.code === 'SOURCEMAP_ERROR') return;
          warn(warning);
        },
      },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rollup.RollupOutput[];
  const modules: Record<string, string> = {};
  for (const out of outputs) {
    for (const item of out.output) {
      if (item.type === 'chunk' && item.isEntry && item.facadeModuleId?.startsWith(VIRTUAL)) {
        modules[decodeURIComponent(item.facadeModuleId.slice(VIRTUAL.length))] = item.fileName;
      }
    }
  }
  const missing = specifiers.filter((s) => !modules[s]);
  if (missing.length) throw new Error(`the vendor build made no module for ${missing.join(', ')}`);
  const manifest: VendorManifest = { key, modules };
  writeFileSync(path.join(tmp, MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return manifest;
}

function readManifest(dir: string, key: string): VendorManifest | undefined {
  try {
    const m = JSON.parse(readFileSync(path.join(dir, MANIFEST), 'utf8')) as VendorManifest;
    return m.key === key ? m : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Vite plugin for the designer's production build. `root` is the renderer folder; the vendor cache lives in the
 * repository's node_modules/.cache, so a fresh clone builds it once and `npm install` with a new lock rebuilds it.
 */
export function vendorPlugin(root: string): Plugin {
  const repo = path.dirname(root);
  const cacheRoot = path.join(repo, 'node_modules', '.cache', 'sluice-vendor');
  let manifest: VendorManifest | undefined;
  let vendorDir = '';
  let outDir = '';
  let assetsDir = 'assets';
  let logger: Logger | undefined;
  return {
    name: 'sluice-vendor',
    apply: 'build',
    // Before Vite's resolver, which would otherwise resolve the specifiers into node_modules.
    enforce: 'pre',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
      assetsDir = config.build.assetsDir;
      logger = config.logger;
    },
    async buildStart() {
      const specifiers = await scanPackageImports(path.join(root, 'src', 'main.tsx'));
      const hash = createHash('sha256');
      for (const f of [path.join(repo, 'package-lock.json'), fileURLToPath(import.meta.url)]) {
        hash.update(existsSync(f) ? readFileSync(f) : '');
      }
      hash.update(JSON.stringify({ vite: viteVersion, specifiers }));
      const key = hash.digest('hex').slice(0, 16);
      vendorDir = path.join(cacheRoot, key);
      manifest = readManifest(vendorDir, key);
      if (!manifest) {
        const started = Date.now();
        logger?.info(`building the vendor bundle (${specifiers.length} package imports; once per package-lock.json)`);
        // An older key is stale once a new one is built: the cache holds one entry.
        rmSync(cacheRoot, { recursive: true, force: true });
        mkdirSync(cacheRoot, { recursive: true });
        manifest = await buildVendor(root, specifiers, key, vendorDir);
        logger?.info(`vendor bundle built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
    },
    resolveId(id) {
      if (manifest && Object.hasOwn(manifest.modules, id)) return { id: `${EXTERNAL}${id}`, external: true };
      return null;
    },
    outputOptions(options) {
      const fromAssets = path.posix.relative(assetsDir, 'vendor') || '.';
      const previous = options.paths;
      return {
        ...options,
        paths: (id: string) => {
          const spec = id.startsWith(EXTERNAL) ? id.slice(EXTERNAL.length) : undefined;
          const file = spec !== undefined ? manifest?.modules[spec] : undefined;
          if (file) return `${fromAssets}/${file}`;
          if (typeof previous === 'function') return previous(id);
          return previous?.[id] ?? id;
        },
      };
    },
    writeBundle() {
      cpSync(vendorDir, path.join(outDir, 'vendor'), { recursive: true, filter: (src) => path.basename(src) !== MANIFEST });
    },
  };
}
