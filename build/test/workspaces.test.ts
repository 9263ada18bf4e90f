// The workspace packages' boundaries bite: a deliberate bad import is refused by resolution (package.json exports)
// and by the lint rules. (scripts/import-graph.mjs checks the same on the whole tree, in `npm run lint`.)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const eslint = new ESLint({ cwd: ROOT });

/** The messages eslint reports for `code` as if it were the file `file` (repository-relative). */
async function lint(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the workspace packages', () => {
  it('are the root package.json workspaces, each named @sluice/*', () => {
    const root = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
    const names = root.workspaces.map((dir) => (JSON.parse(readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as { name: string }).name);
    expect(Object.fromEntries(root.workspaces.map((d, i) => [d, names[i]]))).toEqual({ format: '@sluice/format', engine: '@sluice/engine', renderer: '@sluice/renderer', electron: '@sluice/shell' });
  });

  it('resolve only what their exports list, at run time to the built files', () => {
    // In a plain Node process (vitest's own workers resolve the "sluice-source" condition, i.e. the sources).
    const specs = ['@sluice/format/api/errors', '@sluice/engine/service', '@sluice/engine/runtime/run', '@sluice/engine/src/runtime/run.js', '@sluice/format/src/api/errors.ts', '@sluice/shell/main'];
    const script = `for (const s of ${JSON.stringify(specs)}) { try { console.log(require.resolve(s)); } catch (e) { console.log(e.code); } }`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(r.stdout.trim().split('\n')).toEqual([
      path.join(ROOT, 'format', 'dist', 'api', 'errors.js'),
      path.join(ROOT, 'engine', 'dist', 'service.js'),
      ...Array(4).fill('ERR_PACKAGE_PATH_NOT_EXPORTED'),
    ]);
  });

  it('refuse a relative path into another package, from every package', async () => {
    // The bad imports are built, not written out, so that no scan of this repository takes them for real imports.
    const up = '../'.repeat(3);
    expect(await lint('renderer/src/lib/bad.ts', `export { runPipeline } from '${up}engine/src/runtime/run.js';\n`)).toEqual([expect.stringContaining('not by a relative path')]);
    expect(await lint('engine/src/cli/bad.ts', `export { UserError } from '${up}format/src/api/errors.js';\n`)).toEqual([expect.stringContaining('not by a relative path')]);
    expect(await lint('electron/bad.ts', `export { createEngineService } from '${up.slice(6)}engine/src/service.js';\n`)).toEqual([expect.stringContaining('not by a relative path')]);
    // Inside a package, relative paths are the rule.
    expect(await lint('format/src/api/bad.ts', "export { formatProblem } from '../pipeline/problems.js';\n")).toEqual([]);
  });

  it('refuse a dependency the architecture does not have', async () => {
    expect(await lint('renderer/src/lib/bad.ts', "export { createEngineService } from '@sluice/engine/service';\n")).toEqual([expect.stringContaining('only through @sluice/format')]);
    expect(await lint('renderer/src/lib/bad.ts', "export { isPipelineFileName } from '@sluice/shell/launch-args';\n")).toEqual([expect.stringContaining('only the bridge')]);
    expect(await lint('renderer/src/lib/ok.ts', "export type { SluiceBridge } from '@sluice/shell/bridge';\n")).toEqual([]);
    expect(await lint('format/src/api/bad.ts', "export { createEngineService } from '@sluice/engine/service';\n")).toEqual([expect.stringContaining('depends on no other package')]);
    expect(await lint('engine/src/cli/bad.ts', "export type { SluiceBridge } from '@sluice/shell/bridge';\n")).toEqual([expect.stringContaining('depends on @sluice/format only')]);
  });
});
