// The built shell (dist/electron, from `npm run build`) outside Electron: the engine host bundle answers over its
// port with the compiled engine (a run goes through the supervised worker, as in the app), and the preload is one
// CommonJS file that needs nothing but `electron`, as a sandboxed preload must.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '@sluice/engine/test/helpers';
import type { HostReply, HostRequest } from '../engine-link.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = path.join(ROOT, 'dist', 'electron');
const built = fs.existsSync(path.join(DIST, 'engine-host.js')) && fs.existsSync(path.join(ROOT, 'engine', 'dist', 'cli', 'main.js'));

/** Starts the host in plain Node with a stand-in for Electron's parentPort, carried over stdin/stdout. */
function startHost(env: Record<string, string>) {
  const shim = `
    import { createInterface } from 'node:readline';
    const listeners = [];
    process.parentPort = { on: (_e, l) => listeners.push(l), postMessage: (m) => process.stdout.write(JSON.stringify(m) + '\\n') };
    await import(${JSON.stringify(pathToFileURL(path.join(DIST, 'engine-host.js')).href)});
    createInterface({ input: process.stdin }).on('line', (line) => listeners.forEach((l) => l({ data: JSON.parse(line) })));
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', shim], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = new Map<number, (r: HostReply) => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    const reply = JSON.parse(line) as HostReply;
    waiting.get(reply.id)?.(reply);
  });
  let id = 0;
  return {
    call(method: string, input: unknown): Promise<HostReply> {
      const req = { kind: 'call', id: ++id, method, input } as HostRequest;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        child.stdin.write(`${JSON.stringify(req)}\n`);
      });
    },
    stop: () => child.kill(),
  };
}

describe.skipIf(!built)('the built shell', () => {
  it('runs the engine host on a writable copy of the samples and runs the orders sample with the expected counts', async () => {
    const samples = path.join(tmpDir(), 'samples');
    fs.cpSync(path.join(ROOT, 'samples', 'orders'), path.join(samples, 'orders'), { recursive: true, filter: (s) => !s.includes('.sluice') && !s.endsWith(`${path.sep}out`) });
    const host = startHost({ SLUICE_SAMPLES_DIR: samples });
    try {
      const listed = await host.call('samples', {});
      expect(listed.ok && (listed.value as { path: string }[]).map((s) => s.path)).toEqual([path.join(samples, 'orders', 'orders.pipeline.json')]);
      const pipeline = JSON.parse(fs.readFileSync(path.join(samples, 'orders', 'orders.pipeline.json'), 'utf8')) as unknown;
      const run = await host.call('run', { pipeline, params: {}, baseDir: path.join(samples, 'orders') });
      if (!run.ok) throw new Error(run.error.body.message);
      const manifest = run.value as { runId: string; outcome: string; nodes: { nodeId: string; rowsOut: number; quarantined: number; filtered: number }[] };
      const expected = (JSON.parse(fs.readFileSync(path.join(ROOT, 'samples', 'orders', 'expected.json'), 'utf8')) as Record<string, { nodes: { nodeId: string; rowsOut: number; quarantined: number; filtered: number }[] }>)['orders.pipeline.json'];
      expect(manifest.outcome).toBe('succeeded');
      expect(manifest.nodes.map(({ nodeId, rowsOut, quarantined, filtered }) => ({ nodeId, rowsOut, quarantined, filtered }))).toEqual(
        expected?.nodes.map(({ nodeId, rowsOut, quarantined, filtered }) => ({ nodeId, rowsOut, quarantined, filtered })),
      );
      // The run's record went beside the copy, not into the app's own (read-only, when installed) folder.
      expect(fs.existsSync(path.join(samples, 'orders', '.sluice', 'runs', manifest.runId))).toBe(true);
      const outside = await host.call('preview', { pipeline, nodeId: 'orders', baseDir: path.join(ROOT, 'samples', 'orders') });
      expect(outside).toMatchObject({ ok: false, error: { body: { code: 'user_error' } } });
    } finally {
      host.stop();
    }
  });

  it('bundles the preload into one CommonJS file that requires only electron', () => {
    const preload = fs.readFileSync(path.join(DIST, 'preload.cjs'), 'utf8');
    const required = new Set([...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
    expect([...required]).toEqual(['electron']);
    expect(preload).not.toMatch(/^\s*(import|export)\s/m);
  });
});
