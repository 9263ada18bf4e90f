// `sluice run` survives the death of its engine process: the run ends as failed, naming the node, and its record says so.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tmpDir } from './helpers.js';
import { WorkerStderr, accountedNodes } from '../src/runtime/supervision/supervise.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(root, 'engine', 'bin', 'sluice.js');
const built = fs.existsSync(path.join(root, 'engine', 'dist', 'bundle', 'main.js'));

/**
 * The source files behind the modules a process loaded: a file of the engine's bundle (engine/dist/bundle) stands for
 * the sources its source map lists (engine/src, format/src, node_modules), any other file for itself.
 */
function sourcesOf(urls: string[]): string[] {
  return urls.flatMap((u) => {
    if (!u.startsWith('file:')) return [u];
    const file = fileURLToPath(u);
    if (!file.startsWith(path.join(root, 'engine', 'dist', 'bundle') + path.sep)) return [file];
    const map = JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
    return map.sources.map((s) => path.resolve(path.dirname(file), s));
  });
}

function pipelineIn(dir: string): string {
  fs.writeFileSync(path.join(dir, 'in.csv'), 'id,v\n1,a\n2,b\n');
  const file = path.join(dir, 'p.pipeline.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      name: 'crash',
      nodes: [
        { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
        { id: 'keep', kind: 'filter', config: { expression: 'true' } },
        { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
      ],
      edges: [
        { from: { node: 'src', port: 'out' }, to: { node: 'keep', port: 'in' } },
        { from: { node: 'keep', port: 'out' }, to: { node: 'out', port: 'in' } },
      ],
    }),
  );
  return file;
}

describe.skipIf(!built)('supervised runs (needs npm run build:engine)', () => {
  it('turns a killed engine process into a failed run that names the node, and records it', () => {
    const dir = tmpDir();
    const file = pipelineIn(dir);
    fs.writeFileSync(path.join(dir, 'out.csv'), 'previous output\n');
    const r = spawnSync(process.execPath, [bin, 'run', file, '--history', path.join(dir, 'h')], {
      env: { ...process.env, SLUICE_FAULT_KILL_AT: 'node-start:keep' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the engine process was killed by SIGKILL while running node "keep"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const runs = fs.readdirSync(path.join(dir, 'h'));
    expect(runs).toHaveLength(1);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'h', runs[0] as string, 'manifest.json'), 'utf8')) as { outcome: string; errors: string[] };
    expect(manifest.outcome).toBe('failed');
    expect(manifest.errors.join('\n')).toContain('killed by SIGKILL');
    expect(fs.readFileSync(path.join(dir, 'out.csv'), 'utf8')).toBe('previous output\n');
  });

  it('passes SLUICE_TRACE_SQL=1 trace lines through to the user under sluice run', () => {
    const dir = tmpDir();
    const file = pipelineIn(dir);
    const r = spawnSync(process.execPath, [bin, 'run', file, '--history', path.join(dir, 'h')], { env: { ...process.env, SLUICE_TRACE_SQL: '1' }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^\[sql \d+ ms\] .*read_csv/m);
  });

  it('the supervisor of sluice run loads neither DuckDB nor the node kinds: only its worker loads the engine', () => {
    const dir = tmpDir();
    const file = pipelineIn(dir);
    // A loader hook in the supervisor's process only (the worker is started without these flags) lists every
    // module that process loads.
    const log = path.join(dir, 'loaded.txt');
    fs.writeFileSync(path.join(dir, 'hook.mjs'), `import { appendFileSync } from 'node:fs';\nexport async function load(url, ctx, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, ctx); }\n`);
    fs.writeFileSync(path.join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(path.join(dir, 'hook.mjs')).href)});\n`);
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(path.join(dir, 'register.mjs')).href, bin, 'run', file, '--history', path.join(dir, 'h')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'out.csv'), 'utf8')).toBe('id,v\n1,a\n2,b\n');
    const loaded = sourcesOf(fs.readFileSync(log, 'utf8').split('\n').filter(Boolean));
    expect(loaded.some((u) => u.endsWith('/engine/src/runtime/supervision/supervise.ts'))).toBe(true);
    expect(loaded.filter((u) => /@duckdb|\/engine\/(src|dist)\/(nodes\/|db\/|analysis\/|runtime\/run\.[jt]s|runtime\/execution\/execute\.[jt]s)/.test(u))).toEqual([]);
  });

  it('reports a pipeline its worker refuses as its own check would: exit code 2, every problem, no run record', () => {
    const dir = tmpDir();
    const file = pipelineIn(dir);
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: { kind: string }[] };
    (doc.nodes[1] as { kind: string }).kind = 'filtre';
    fs.writeFileSync(file, JSON.stringify(doc));
    const r = spawnSync(process.execPath, [bin, 'run', file, '--history', path.join(dir, 'h')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('invalid pipeline:\n  nodes[1].kind, node "keep": unknown node kind "filtre"\n');
    expect(fs.existsSync(path.join(dir, 'h'))).toBe(false);
    const json = spawnSync(process.execPath, [bin, 'run', file, '--json', '--history', path.join(dir, 'h')], { encoding: 'utf8' });
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stdout.trim())).toEqual({ error: { code: 'invalid_pipeline', message: 'unknown node kind "filtre"', problems: [{ path: 'nodes[1].kind', nodeId: 'keep', message: 'unknown node kind "filtre"' }] } });
  });

  it('runs normally under supervision, with exit code 0', () => {
    const dir = tmpDir();
    const file = pipelineIn(dir);
    const r = spawnSync(process.execPath, [bin, 'run', file, '--history', path.join(dir, 'h')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'out.csv'), 'utf8')).toBe('id,v\n1,a\n2,b\n');
  });

  it('runs a pipeline object for a long-lived host, and survives the worker dying', async () => {
    const { runSupervised } = (await import(pathToFileURL(path.join(root, 'engine', 'dist', 'runtime', 'supervision', 'supervise.js')).href)) as {
      runSupervised: (o: { pipeline: unknown; params: Record<string, string>; baseDir: string; historyDir: string }) => Promise<{ manifest?: { outcome: string }; crash?: string }>;
    };
    const dir = tmpDir();
    const file = pipelineIn(dir);
    const pipeline = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    const ok = await runSupervised({ pipeline, params: {}, baseDir: dir, historyDir: path.join(dir, 'h') });
    expect(ok.manifest?.outcome).toBe('succeeded');
    expect(fs.readFileSync(path.join(dir, 'out.csv'), 'utf8')).toBe('id,v\n1,a\n2,b\n');
    process.env['SLUICE_FAULT_KILL_AT'] = 'node-start:out';
    try {
      const dead = await runSupervised({ pipeline, params: {}, baseDir: dir, historyDir: path.join(dir, 'h') });
      expect(dead.manifest).toBeUndefined();
      expect(dead.crash).toContain('while running node "out"');
    } finally {
      delete process.env['SLUICE_FAULT_KILL_AT'];
    }
    // The spec goes to the worker on stdin: no pipeline copy is left (or ever written) in the history folder.
    expect(fs.existsSync(path.join(dir, 'h', '.pending'))).toBe(false);
  });

  it('stops on Ctrl-C without waiting for a long node: the run is cancelled and nothing is published', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'in.csv'), 'id,v\n1,a\n');
    const file = path.join(dir, 'slow.pipeline.json');
    const slow = 'WITH RECURSIVE t(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM t WHERE i < 5000000) SELECT in1.*, (SELECT max(i) FROM t) AS h FROM in1';
    fs.writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        name: 'slow',
        nodes: [
          { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
          { id: 'slow', kind: 'sql', config: { query: slow } },
          { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
        ],
        edges: [
          { from: { node: 'src', port: 'out' }, to: { node: 'slow', port: 'in1' } },
          { from: { node: 'slow', port: 'out' }, to: { node: 'out', port: 'in' } },
        ],
      }),
    );
    const { spawn } = await import('node:child_process');
    // Its own process group, as a terminal has: Ctrl-C reaches the CLI and its worker together.
    const child = spawn(process.execPath, [bin, 'run', file, '--history', path.join(dir, 'h')], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    const started = Date.now();
    // Ctrl-C once the slow node is running (its start is in the run record), however slow the machine is.
    const running = () => {
      const h = path.join(dir, 'h');
      const runs = fs.existsSync(h) ? fs.readdirSync(h).filter((d) => fs.existsSync(path.join(h, d, 'journal.ndjson'))) : [];
      return runs.some((d) => fs.readFileSync(path.join(h, d, 'journal.ndjson'), 'utf8').includes('"nodeId":"src"'));
    };
    while (!running() && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300));
    process.kill(-(child.pid as number), 'SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(Date.now() - started).toBeLessThan(40_000);
    expect(code).toBe(1);
    expect(out).toMatch(/CANCELLED/);
    const runs = fs.readdirSync(path.join(dir, 'h'));
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'h', runs[0] as string, 'manifest.json'), 'utf8')) as { outcome: string };
    expect(manifest.outcome).toBe('cancelled');
    expect(fs.existsSync(path.join(dir, 'out.csv'))).toBe(false);
  }, 60_000);
});

describe('the supervisor reading its worker\'s stderr', () => {
  it('forwards SQL trace lines as they come, split across chunks, and keeps the rest for a crash message', () => {
    const traced: string[] = [];
    const err = new WorkerStderr((l) => traced.push(l));
    err.push('[sql 3 ms] CREATE TA');
    err.push('BLE x\nsomething went\n[sql 0 ms] SELECT 1\n');
    err.push(' wrong');
    expect(traced).toEqual(['[sql 3 ms] CREATE TABLE x', '[sql 0 ms] SELECT 1']);
    expect(err.end()).toBe('something went\n wrong\n');
  });

  it('keeps only the last 64 KB of other output', () => {
    const err = new WorkerStderr(() => undefined);
    for (let i = 0; i < 2000; i++) err.push(`${'x'.repeat(99)}\n`);
    err.push('last words\n');
    const kept = err.end();
    expect(kept.length).toBeLessThanOrEqual(64 * 1024);
    expect(kept.endsWith('last words\n')).toBe(true);
  });
});

describe('the record of a run whose worker died', () => {
  it('fails the node it was in and a node whose rows that one was still counting; the rest did not run', () => {
    const pipeline = { nodes: ['src', 'f', 'agg', 'out'].map((id) => ({ id, kind: id === 'f' ? 'filter' : 'x' })) };
    const src = { nodeId: 'src', kind: 'x', status: 'ok' as const, rowsIn: 5, rowsOut: 5, quarantined: 0, filtered: 0, passed: 5, durationMs: 1, outputs: { out: 5 }, warnings: [] };
    const nodes = accountedNodes(pipeline, [src], 'agg', 'the engine process was killed by SIGKILL while running node "agg"', new Set(['f', 'agg']));
    expect(nodes.map((n) => [n.nodeId, n.status, n.error ?? n.warnings[0]])).toEqual([
      ['src', 'ok', undefined],
      ['f', 'failed', 'its rows were not counted: the engine process was killed by SIGKILL while running node "agg"'],
      ['agg', 'failed', 'the engine process was killed by SIGKILL while running node "agg"'],
      ['out', 'skipped', 'not run: the run was stopped before it got here'],
    ]);
  });
});
