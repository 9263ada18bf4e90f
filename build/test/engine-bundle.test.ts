// The engine's bundles (engine/dist/bundle, scripts/bundle-engine.mjs): every path a bundled module makes from its
// import.meta.url must reach the file its per-file twin in engine/dist reaches, and `sluice` must start from them.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUNDLE = path.join(ROOT, 'engine', 'dist', 'bundle');
const built = fs.existsSync(path.join(BUNDLE, 'main.js'));
if (!built) console.log('engine-bundle: needs `npm run build:engine` (engine/dist/bundle is missing)');

const bundleFiles = () => fs.readdirSync(BUNDLE).filter((f) => f.endsWith('.js'));

describe.skipIf(!built)('the engine bundles', () => {
  it("gives each bundled module its per-file twin's URL, so the files it locates from it are the same", () => {
    const located: { from: string; twin: string; target: string }[] = [];
    for (const f of bundleFiles()) {
      const text = fs.readFileSync(path.join(BUNDLE, f), 'utf8');
      // new URL("target", new URL("twin", import.meta.url).href): what the rewrite makes of new URL("target", import.meta.url).
      for (const m of text.matchAll(/new URL\("([^"]+)", new URL\("([^"]+)", import\.meta\.url\)\.href\)/g)) {
        located.push({ from: f, twin: m[2] as string, target: m[1] as string });
      }
    }
    // The run worker, the CSV scan worker (bundled and not), the designer's files: at least these are located so.
    expect(located.length).toBeGreaterThanOrEqual(4);
    // No other use of a bundle file's own URL: the banner's createRequire, and run-worker's "was I started?" check.
    for (const f of bundleFiles()) {
      const text = fs.readFileSync(path.join(BUNDLE, f), 'utf8');
      const twins = [...text.matchAll(/new URL\("([^"]+)", import\.meta\.url\)\.href/g)].map((m) => m[1] as string);
      for (const t of twins) expect(fs.existsSync(path.resolve(BUNDLE, t)), `${f}: twin ${t}`).toBe(true);
      const bare = text.split('import.meta.url').length - 1 - twins.length - 1;
      expect(bare, `${f}: import.meta.url used as the bundle's own`).toBe(f === 'run-worker.js' ? 1 : 0);
    }
    for (const l of located) {
      const twin = path.resolve(BUNDLE, l.twin);
      expect(fs.existsSync(twin), `${l.from}: twin ${l.twin}`).toBe(true);
      expect(path.relative(path.join(ROOT, 'engine', 'dist'), twin).startsWith('..'), `${l.twin} is inside engine/dist`).toBe(false);
      // A folder (renderer/dist) may not be built here; a module must exist, and be the one the twin would load.
      if (l.target.endsWith('.js')) expect(fs.existsSync(path.resolve(path.dirname(twin), l.target)), `${l.from}: ${l.target} from ${l.twin}`).toBe(true);
    }
  });

  it('starts `sluice` from the bundle, and its help lists the commands', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'engine', 'bin', 'sluice.js'), '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\brun\b/);
    expect(r.stdout).toMatch(/\bserve\b/);
  });
});
