// `sluice serve` wiring: the printed link works, and a given pipeline file opens first.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serve, type ServeHandle } from '../src/server/serve.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sluice-serve-'));
const handles: ServeHandle[] = [];
writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Sluice</title>');

afterAll(async () => {
  await Promise.all(handles.map((h) => h.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function call(h: ServeHandle, method: string, body: unknown = {}): Promise<Response> {
  return fetch(new URL(`/api/${method}`, h.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('serve', () => {
  it('prints one link carrying a fresh 192-bit token in the fragment', async () => {
    const lines: string[] = [];
    const h = await serve({ port: 0, openBrowser: false, staticDir: dir, print: (l) => lines.push(l) });
    handles.push(h);
    expect(lines).toEqual([`Sluice designer: http://127.0.0.1:${h.port}/#token=${h.token}`, `Workspace (pipeline files open and save here): ${process.cwd()}`]);
    expect(h.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect((await call(h, 'catalog')).status).toBe(200);
  });

  it('lists the given pipeline file first among the samples', async () => {
    const file = path.join(dir, 'mine.pipeline.json');
    writeFileSync(file, JSON.stringify({ version: 1, name: 'Mine', nodes: [] }));
    const h = await serve({ port: 0, openBrowser: false, staticDir: dir, pipelinePath: file, print: () => undefined });
    handles.push(h);
    const samples = (await (await call(h, 'samples')).json()) as { name: string; path: string }[];
    expect(samples[0]).toMatchObject({ name: 'mine.pipeline.json', path: file });
  });

  it('refuses a pipeline file that is not JSON, naming it', async () => {
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, '{ nope');
    await expect(serve({ port: 0, openBrowser: false, staticDir: dir, pipelinePath: file, print: () => undefined })).rejects.toThrow(/broken\.json: not valid JSON/);
  });

  it("confines the file methods to the pipeline's folder by default, and to --workspace when given", async () => {
    const ws = mkdtempSync(path.join(tmpdir(), 'sluice-ws-'));
    const file = path.join(ws, 'start.pipeline.json');
    writeFileSync(file, JSON.stringify({ version: 1, name: 'Start', nodes: [] }));
    const h = await serve({ port: 0, openBrowser: false, staticDir: dir, pipelinePath: file, print: () => undefined });
    handles.push(h);
    const listed = (await (await call(h, 'listFiles')).json()) as { files: { path: string }[] };
    expect(listed.files.map((f) => f.path)).toEqual(['start.pipeline.json']);
    expect((await call(h, 'writeFile', { path: 'copy.pipeline.json', text: '{}' })).status).toBe(200);
    const escape = await call(h, 'writeFile', { path: '../escape.json', text: '{}' });
    expect(escape.status).toBe(422);
    expect(((await escape.json()) as { error: { message: string } }).error.message).toContain('".." is not allowed');

    const other = mkdtempSync(path.join(tmpdir(), 'sluice-ws2-'));
    const h2 = await serve({ port: 0, openBrowser: false, staticDir: dir, pipelinePath: file, workspace: other, print: () => undefined });
    handles.push(h2);
    expect(((await (await call(h2, 'listFiles')).json()) as { files: unknown[] }).files).toEqual([]);
    rmSync(ws, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  });

  it('refuses a workspace folder that does not exist', async () => {
    await expect(serve({ port: 0, openBrowser: false, staticDir: dir, workspace: path.join(dir, 'nope'), print: () => undefined })).rejects.toThrow(/workspace folder .*nope does not exist/);
  });
});
