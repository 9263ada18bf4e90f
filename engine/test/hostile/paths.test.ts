// Defects 3, 4 and the file-API race of defect 8 (issue 12): one path policy wherever a path enters. A baseDir
// sent to the API is resolved through symlinks; sinks started through the API obey the same rules as the file
// API (no hidden or version-control folders, no pipeline files, no Windows device names, no over-long names);
// the server's writeFile re-checks its folder after the rename and undoes a write a swapped folder redirected;
// `serve` refuses a home folder or a filesystem root as its workspace unless told otherwise.
import * as fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngineService } from '../../src/service.js';
import { serve, broadWorkspace, type ServeHandle } from '../../src/server/serve.js';
import { WorkspaceFiles } from '../../src/workspace-files.js';
import { chain, pipeline, tmpDir, writeFiles } from '../helpers.js';

const SECRET = 'CANARY-paths-3e0f';
const handles: ServeHandle[] = [];
afterAll(async () => {
  await Promise.all(handles.map((h) => h.close()));
});

/** ws (the workspace) beside outside/, with ws/link → outside. */
function world(): { ws: string; outside: string } {
  const outer = tmpDir('sluice-hostile-paths-');
  const ws = path.join(outer, 'ws');
  const outside = path.join(outer, 'outside');
  writeFiles(outside, { 'secret.csv': `id,name\n1,${SECRET}\n` });
  writeFiles(ws, { 'in.csv': 'id,name\n1,ann\n', 'sub/in.csv': 'id,name\n1,ann\n', 'main.pipeline.json': '{"version":1,"nodes":[]}', 'other.json': '{"version": 1, "name": "x", "nodes": []}', '.git/hooks/.keep': '' });
  fs.symlinkSync(outside, path.join(ws, 'link'));
  return { ws, outside };
}

const copy = (from: string, to: string) =>
  chain([
    { id: 'src', kind: 'source.csv', config: { path: from } },
    { id: 'out', kind: 'sink.csv', config: { path: to } },
  ]);

async function api(ws: string): Promise<ServeHandle> {
  const staticDir = tmpDir('sluice-static-');
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html>');
  const h = await serve({ port: 0, openBrowser: false, staticDir, workspace: ws, print: () => undefined });
  handles.push(h);
  return h;
}

async function call(h: ServeHandle, method: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(new URL(`/api/${method}`, h.url), { method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

describe('defect 3: baseDir is resolved through symlinks', () => {
  it('preview and run refuse a baseDir that is a link leading out of the workspace (the issue\'s case)', async () => {
    const w = world();
    const svc = createEngineService({ workspaces: [w.ws], inProcessRuns: true });
    try {
      const p = copy('secret.csv', 'written.csv');
      await expect(svc.preview({ pipeline: p, nodeId: 'src', baseDir: path.join(w.ws, 'link'), limit: 10 })).rejects.toThrow(/outside the workspace/);
      await expect(svc.run({ pipeline: p, baseDir: path.join(w.ws, 'link') })).rejects.toThrow(/outside the workspace/);
      expect(fs.existsSync(path.join(w.outside, 'written.csv'))).toBe(false);
    } finally {
      svc.close();
    }
  });

  it('a chain of links (ws/a → ws/b → outside) is followed to its end', async () => {
    const w = world();
    fs.symlinkSync(path.join(w.ws, 'link'), path.join(w.ws, 'b'));
    fs.symlinkSync(path.join(w.ws, 'b'), path.join(w.ws, 'a'));
    const svc = createEngineService({ workspaces: [w.ws], inProcessRuns: true });
    try {
      await expect(svc.preview({ pipeline: copy('secret.csv', 'x.csv'), nodeId: 'src', baseDir: path.join(w.ws, 'a', 'sub', '..'), limit: 10 })).rejects.toThrow(/outside the workspace|does not exist/);
      await expect(svc.preview({ pipeline: copy('secret.csv', 'x.csv'), nodeId: 'src', baseDir: path.join(w.ws, 'a'), limit: 10 })).rejects.toThrow(/outside the workspace/);
    } finally {
      svc.close();
    }
  });

  it('a baseDir inside .git is refused, so sinks cannot name hooks relative to it', async () => {
    const w = world();
    const svc = createEngineService({ workspaces: [w.ws], inProcessRuns: true });
    try {
      await expect(svc.run({ pipeline: copy('../../in.csv', 'pre-commit'), baseDir: path.join(w.ws, '.git', 'hooks') })).rejects.toThrow(/version-control folder/);
      expect(fs.existsSync(path.join(w.ws, '.git', 'hooks', 'pre-commit'))).toBe(false);
    } finally {
      svc.close();
    }
  });

  it('the workspace itself may be reached through a link (a link into it is fine)', async () => {
    const w = world();
    const alias = path.join(path.dirname(w.ws), 'alias');
    fs.symlinkSync(w.ws, alias);
    const svc = createEngineService({ workspaces: [w.ws], inProcessRuns: true });
    try {
      const r = await svc.preview({ pipeline: copy('in.csv', 'x.csv'), nodeId: 'src', baseDir: alias, limit: 10 });
      expect(r.rows).toEqual([['1', 'ann']]);
    } finally {
      svc.close();
    }
  });
});

describe('defect 4: sinks started through the API obey the path policy', () => {
  const refused: [string, string, RegExp][] = [
    ['a dotfile in the workspace (the issue\'s case)', '.bashrc', /hidden/],
    ['a git hook', '.git/hooks/pre-commit', /version-control folder/],
    ['a pipeline file by name', 'main.pipeline.json', /pipeline file/],
    ['a .json file holding a pipeline', 'other.json', /pipeline file/],
    ['a Windows device name', 'CON.csv', /reserved device name/],
    ['a Windows device name in a folder', 'aux/out.csv', /reserved device name/],
    ['a name longer than a file system allows', `${'x'.repeat(300)}.csv`, /at most 255/],
    ['a hidden folder reached through ..', 'sub/../.config/autostart.csv', /hidden/],
  ];
  for (const [name, target, why] of refused) {
    it(`/api/run refuses ${name}`, async () => {
      const w = world();
      const h = await api(w.ws);
      const before = fs.existsSync(path.join(w.ws, target)) ? fs.readFileSync(path.join(w.ws, target), 'utf8') : undefined;
      const r = await call(h, 'run', { pipeline: copy('in.csv', target), baseDir: w.ws });
      const outcome = r.status === 200 ? (JSON.parse(r.text) as { outcome: string; errors: string[] }) : undefined;
      // Refused either up front (4xx) or as a failed run naming the node and field, never written.
      if (outcome) {
        expect(outcome.outcome).toBe('failed');
        expect(outcome.errors.join(' ')).toMatch(/node "out".*field "path"/);
        expect(outcome.errors.join(' ')).toMatch(why);
      } else {
        expect(r.status).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
        expect(r.text).toMatch(why);
      }
      const after = fs.existsSync(path.join(w.ws, target)) ? fs.readFileSync(path.join(w.ws, target), 'utf8') : undefined;
      expect(after).toBe(before);
    });
  }

  it('a source may not read a hidden folder either (run records, keys)', async () => {
    const w = world();
    writeFiles(w.ws, { '.sluice/runs/r1/rows.csv': `id,name\n1,${SECRET}\n` });
    const h = await api(w.ws);
    const r = await call(h, 'run', { pipeline: copy('.sluice/runs/*/rows.csv', 'copy.csv'), baseDir: w.ws });
    expect(r.text).toMatch(/hidden/);
    expect(fs.existsSync(path.join(w.ws, 'copy.csv'))).toBe(false);
  });

  it('a sink.duckdb target in a version-control folder is refused too', async () => {
    const w = world();
    const h = await api(w.ws);
    const p = pipeline([{ id: 'src', kind: 'source.csv', config: { path: 'in.csv' } }, { id: 'out', kind: 'sink.duckdb', config: { path: '.git/objects/x.duckdb', table: 't' } }], ['src -> out']);
    const r = await call(h, 'run', { pipeline: p, baseDir: w.ws });
    expect(r.text).toMatch(/version-control folder/);
    expect(fs.existsSync(path.join(w.ws, '.git/objects/x.duckdb'))).toBe(false);
  });
});

describe('file API: names and the check-then-write race', () => {
  it('a 240-character file name is saved; a 300-byte one is a clear 422, not a 500', async () => {
    const w = world();
    const h = await api(w.ws);
    const ok = await call(h, 'writeFile', { path: `${'a'.repeat(235)}.json`, text: '{}', overwrite: false });
    expect(ok.status).toBe(200);
    const long = await call(h, 'writeFile', { path: `${'b'.repeat(300)}.json`, text: '{}', overwrite: false });
    expect(long.status).toBe(422);
    expect(long.text).toMatch(/at most 255/);
    const dev = await call(h, 'writeFile', { path: 'nul.json', text: '{}', overwrite: false });
    expect(dev.status).toBe(422);
    expect(dev.text).toMatch(/reserved device name/);
  });

  it('a folder swapped for a link between the check and the rename: the write is undone', async () => {
    const w = world();
    const files = new WorkspaceFiles(w.ws);
    // Swap ws/sub for a link to outside/ at the worst moment: just before the rename.
    const fsp = createRequire(import.meta.url)('node:fs/promises') as typeof import('node:fs/promises');
    const rename = fsp.rename;
    fsp.rename = async (from, to) => {
      const tmp = path.join(w.outside, path.basename(String(from)));
      fs.renameSync(String(from), tmp);
      fs.rmSync(path.join(w.ws, 'sub'), { recursive: true });
      fs.symlinkSync(w.outside, path.join(w.ws, 'sub'));
      return rename(tmp, to);
    };
    syncBuiltinESMExports();
    try {
      await expect(files.write('sub/evil.json', `{"x":"${SECRET}"}`, true)).rejects.toThrow(/changed while saving/);
    } finally {
      fsp.rename = rename;
      syncBuiltinESMExports();
    }
    expect(fs.readdirSync(w.outside).sort()).toEqual(['secret.csv']);
  });
});

describe('serve: the workspace is never a home folder or a filesystem root by accident', () => {
  it('names the reason', () => {
    expect(broadWorkspace('/')).toBe('a filesystem root');
    const home = tmpDir('sluice-home-');
    expect(broadWorkspace(home, home)).toBe('your home folder');
    expect(broadWorkspace(path.join(home, '.'), home)).toBe('your home folder');
    expect(broadWorkspace(path.join(home, 'project'), home)).toBeUndefined();
  });

  it('serve refuses the home folder (as when started from ~ without a pipeline) unless --allow-broad-workspace', async () => {
    const staticDir = tmpDir('sluice-static-');
    await expect(serve({ port: 0, openBrowser: false, staticDir, workspace: os.homedir(), print: () => undefined })).rejects.toThrow(/home folder.*--allow-broad-workspace/);
    await expect(serve({ port: 0, openBrowser: false, staticDir, workspace: '/', print: () => undefined })).rejects.toThrow(/filesystem root/);
    const h = await serve({ port: 0, openBrowser: false, staticDir, workspace: os.homedir(), allowBroadWorkspace: true, print: () => undefined });
    handles.push(h);
    expect(h.port).toBeGreaterThan(0);
  });
});
