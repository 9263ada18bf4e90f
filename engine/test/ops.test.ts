// Operating pipelines over time: the run store (rebuild, concurrent writers), quality score, anomaly gates,
// `sluice runs` and `sluice status`.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { runPipeline } from '../src/runtime/run.js';
import { recordInStore, RunStore, STORE_FILE } from '../src/ops/store.js';
import { StorePool } from '../src/ops/service-ops.js';
import { createEngineService } from '../src/service.js';
import { judge, mad, median } from '../src/ops/anomaly.js';
import { anomalyBlockSchema } from '@sluice/format/pipeline/ops';
import type { RunManifest } from '@sluice/format/api/contract';
import { tmpDir, writeFiles } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ordersDir = path.join(root, 'samples', 'orders');

/** `sluice ARGS` in this process (no supervisor), with its exit code and what it printed. */
async function cli(args: string[]): Promise<{ code: number; out: string }> {
  process.env['SLUICE_NO_SUPERVISOR'] = '1';
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return { code: await runCli(args), out };
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
}

function copyOrders(): string {
  const dir = tmpDir('sluice-ops-');
  for (const f of fs.readdirSync(ordersDir)) if (fs.statSync(path.join(ordersDir, f)).isFile()) fs.copyFileSync(path.join(ordersDir, f), path.join(dir, f));
  return dir;
}

const ordersPipeline = () => JSON.parse(fs.readFileSync(path.join(ordersDir, 'orders.pipeline.json'), 'utf8')) as Record<string, unknown>;

describe('run store', () => {
  it("a run's record is durable in the store's WAL without a checkpoint; the next open reads it, a reader's close folds it", async () => {
    const dir = copyOrders();
    const historyDir = path.join(dir, '.sluice', 'runs');
    const wal = path.join(historyDir, `${STORE_FILE}.wal`);
    const size = () => (fs.existsSync(wal) ? fs.statSync(wal).size : 0);
    const a = await runPipeline({ pipeline: ordersPipeline(), baseDir: dir, historyDir });
    const afterA = size();
    const b = await runPipeline({ pipeline: ordersPipeline(), baseDir: dir, historyDir });
    // Each run's commit stays in the WAL (the close skipped its checkpoint), one after the other.
    expect(afterA).toBeGreaterThan(0);
    expect(size()).toBeGreaterThan(afterA);
    const listed = await RunStore.with(historyDir, (s) => s.list({ limit: 10 }));
    expect(listed.map((r) => r.runId).sort()).toEqual([a.runId, b.runId].sort());
    expect(listed.find((r) => r.runId === b.runId)).toMatchObject({ outcome: 'succeeded', rowsRead: 21 });
    // The reader closed normally: its checkpoint folded the WAL into the file.
    expect(size()).toBe(0);
  });

  it('indexes each run with node, rule and column metrics and the quality score, and rebuilds from the manifests', async () => {
    const dir = copyOrders();
    const historyDir = path.join(dir, '.sluice', 'runs');
    const a = await runPipeline({ pipeline: ordersPipeline(), baseDir: dir, historyDir });
    const b = await runPipeline({ pipeline: ordersPipeline(), baseDir: dir, historyDir });
    expect(a.outcome).toBe('succeeded');
    // orders read 21 records and refused 2, typed refused 5 of 18, checks 3 of 13: (19 + 13 + 10) / (21 + 18 + 13).
    expect(a.quality).toEqual({ score: 80.8, nodes: { orders: 90.5, typed: 72.2, checks: 76.9 } });
    expect(Object.values(a.rules?.['checks'] ?? {}).reduce((x, y) => x + y, 0)).toBeGreaterThanOrEqual(3);
    const qty = a.columns?.['checks']?.find((c) => c.name === 'quantity' && c.port === 'valid');
    expect(qty).toMatchObject({ type: 'INTEGER', rows: 10, nulls: 0, min: '1', max: '5' });

    const list = await RunStore.with(historyDir, (s) => s.list({ limit: 10 }));
    expect(list.map((r) => r.runId)).toEqual([b.runId, a.runId]);
    expect(list[0]).toMatchObject({ outcome: 'succeeded', startedBy: 'cli', rowsRead: 21, quarantined: 10, quality: 80.8 });
    const trends = await RunStore.with(historyDir, (s) => s.trends(a.pipelineName, 30));
    expect(trends.filter((t) => t.nodeId === 'checks' && t.rule === null).map((t) => t.quarantined)).toEqual([3, 3]);

    // Deleting the store loses nothing: it is an index of the manifests.
    fs.rmSync(path.join(historyDir, STORE_FILE));
    const rebuilt = await RunStore.with(historyDir, (s) => s.list({ limit: 10 }));
    expect(rebuilt).toEqual(list);
    // A run deleted from disk leaves the index too.
    fs.rmSync(path.join(historyDir, a.runId), { recursive: true });
    expect((await RunStore.with(historyDir, (s) => s.list({ limit: 10 }))).map((r) => r.runId)).toEqual([b.runId]);
  });

  it('profiles stored tables once and leaves views alone unless a null_rate gate asks for them', async () => {
    const dir = copyOrders();
    const historyDir = path.join(dir, '.sluice', 'runs');
    // "amounts" (a derive) is a view its readers run: profiling it would run its upstream chain again.
    const plain = await runPipeline({ pipeline: ordersPipeline(), baseDir: dir, historyDir });
    expect(plain.outcome).toBe('succeeded');
    expect(plain.columns?.['checks']?.length).toBeGreaterThan(0);
    expect(plain.columns?.['amounts']).toBeUndefined();
    const gated = { ...ordersPipeline(), ops: { anomaly: { checks: [{ node: 'amounts', metric: 'null_rate', column: 'amount' }] } } };
    const asked = await runPipeline({ pipeline: gated, baseDir: dir, historyDir });
    expect(asked.columns?.['amounts']?.find((c) => c.name === 'amount')).toMatchObject({ rows: 10, nulls: 0 });
  });

  it('two processes writing at once both land, and the file stays readable', async () => {
    const historyDir = tmpDir('sluice-store-conc-');
    // The store module bundled for plain node, so that two real processes contend for the file.
    const bundle = path.join(tmpDir('sluice-store-bundle-'), 'store.mjs');
    await build({ entryPoints: [path.join(root, 'engine/src/ops/store.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, external: ['@duckdb/node-api'], logLevel: 'silent', nodePaths: [path.join(root, 'node_modules')] });
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(path.dirname(bundle), 'node_modules'));
    const writer = (tag: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const script = `
          import * as fs from 'node:fs'; import * as path from 'node:path';
          const { recordInStore } = await import(${JSON.stringify(bundle)});
          for (let i = 0; i < 8; i++) {
            const runId = '20260101T0000' + String(i).padStart(2, '0') + '-${tag}';
            fs.mkdirSync(path.join(${JSON.stringify(historyDir)}, runId), { recursive: true });
            const m = { runId, pipelineName: 'p', pipelineHash: 'h', params: {}, engineVersion: '0', startedAt: '2026-01-01T00:00:' + String(i).padStart(2, '0') + '.000Z',
              finishedAt: '2026-01-01T00:00:59.000Z', outcome: 'succeeded', quarantine: {}, errors: [],
              nodes: [{ nodeId: 'src', kind: 'source.csv', status: 'ok', rowsIn: 0, rowsOut: 100 + i, quarantined: 1, filtered: 0, passed: 0, durationMs: 5, outputs: {}, warnings: [] }],
              rules: { src: { r1: 1 } } };
            fs.writeFileSync(path.join(${JSON.stringify(historyDir)}, runId, 'manifest.json'), JSON.stringify(m));
            await recordInStore(${JSON.stringify(historyDir)});
          }`;
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'inherit', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
    // Each writer waits for the other's lock: no write is refused (DuckDB alone would refuse the second opener).
    expect(await Promise.all([writer('aaaaaa'), writer('bbbbbb')])).toEqual([{ code: 0, stderr: '' }, { code: 0, stderr: '' }]);
    // Read without syncing: every run must have been indexed by its own writer, none left for a reader to catch up.
    const s = await RunStore.open(historyDir);
    const rows = await s.rows('SELECT count(*) AS n, count(DISTINCT run_id) AS d FROM runs').finally(() => s.close());
    expect(rows[0]).toEqual({ n: 16n, d: 16n });
    expect(fs.existsSync(path.join(historyDir, 'runstore.lock'))).toBe(false);
  });
});

/** A small finished run's manifest written into `historyDir` (no engine run: the store only reads manifests). */
function writeManifest(historyDir: string, i: number, extra: Partial<RunManifest> = {}): string {
  const runId = `20260101T0000${String(i).padStart(2, '0')}-abcdef`;
  fs.mkdirSync(path.join(historyDir, runId), { recursive: true });
  const m = {
    runId, pipelineName: 'p', pipelineHash: 'h', params: {}, engineVersion: '0', startedAt: `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`,
    finishedAt: '2026-01-01T00:00:59.000Z', outcome: 'succeeded', quarantine: {}, errors: [],
    nodes: [{ nodeId: 'src', kind: 'source.csv', status: 'ok', rowsIn: 0, rowsOut: 100 + i, quarantined: 0, filtered: 0, passed: 0, durationMs: 5, outputs: {}, warnings: [] }],
    ...extra,
  };
  fs.writeFileSync(path.join(historyDir, runId, 'manifest.json'), JSON.stringify(m));
  return runId;
}

describe('run store sync and the service\'s shared store', () => {
  it('a sync finds new, deleted and still-running runs without looking at every manifest, and all of them after a failed writer', async () => {
    const h = tmpDir('sluice-store-sync-');
    const a = writeManifest(h, 1);
    const b = writeManifest(h, 2, { outcome: 'running' });
    const ids = async () => (await RunStore.with(h, (s) => s.list({ limit: 10 }))).map((r) => `${r.runId}:${r.outcome}`);
    expect(await ids()).toEqual([`${b}:running`, `${a}:succeeded`]);
    // A new folder is found; a running run is looked at again; a deleted one is forgotten.
    const c = writeManifest(h, 3);
    writeManifest(h, 2, { outcome: 'succeeded', errors: ['now done'] });
    fs.rmSync(path.join(h, a), { recursive: true });
    expect(await ids()).toEqual([`${c}:succeeded`, `${b}:succeeded`]);
    // A finished run's manifest rewritten behind the store's back (its writer could not index it) is seen once
    // the writer leaves its marker, and not before: the folders are the same, so nothing else is looked at.
    writeManifest(h, 3, { outcome: 'failed', errors: ['rewritten, longer than before'] });
    expect(await ids()).toEqual([`${c}:succeeded`, `${b}:succeeded`]);
    fs.writeFileSync(path.join(h, 'runstore.lock'), `${process.pid}:held`);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await recordInStore(h, c, { lockTimeoutMs: 50 }).finally(() => err.mockRestore());
    fs.rmSync(path.join(h, 'runstore.lock'));
    expect(fs.existsSync(path.join(h, 'runstore.dirty'))).toBe(true);
    expect(await ids()).toEqual([`${c}:failed`, `${b}:succeeded`]);
    expect(fs.existsSync(path.join(h, 'runstore.dirty'))).toBe(false);
  });

  it('answers requests that arrive together from one open store, and lets go of it when idle', async () => {
    const h = tmpDir('sluice-store-pool-');
    for (let i = 0; i < 3; i++) writeManifest(h, i);
    const pool = new StorePool();
    const opened = vi.spyOn(RunStore, 'open');
    try {
      const [l, p, t] = await Promise.all([pool.use(h, (s) => s.list({ limit: 10 })), pool.use(h, (s) => s.pipelines()), pool.use(h, (s) => s.trends('p', 30))]);
      expect([l.length, p[0]?.runs, new Set(t.map((x) => x.runId)).size]).toEqual([3, 3, 3]);
      expect(opened).toHaveBeenCalledTimes(1);
      // While it is open, the lock is the service's; after the idle time a run's writer gets it.
      expect(fs.existsSync(path.join(h, 'runstore.lock'))).toBe(true);
      writeManifest(h, 9);
      await recordInStore(h, undefined, { lockTimeoutMs: 5_000 });
      expect(fs.existsSync(path.join(h, 'runstore.dirty'))).toBe(false);
      expect((await pool.use(h, (s) => s.list({ limit: 10 }))).length).toBe(4);
      // The service's first open, the writer's, and the service's again after the idle close.
      expect(opened).toHaveBeenCalledTimes(3);
    } finally {
      opened.mockRestore();
      pool.close();
    }
  });
});

describe('anomaly gates', () => {
  const block = anomalyBlockSchema.parse({ severity: 'fail' });
  const src = (rows: number): RunManifest['nodes'][number] => ({ nodeId: 'orders', kind: 'source.csv', status: 'ok', rowsIn: 0, rowsOut: rows, quarantined: 0, filtered: 0, passed: 0, durationMs: 1, outputs: {}, warnings: [] });

  it('judges with the median and MAD of the history and says so in one sentence', () => {
    // Median 48,900; absolute deviations 5,241 (twenty of them) and 3,000 (ten): MAD 5,241.
    const values = [...Array(10).fill(43_659), ...Array(5).fill(45_900), ...Array(5).fill(51_900), ...Array(10).fill(54_141)] as number[];
    expect(median(values)).toBe(48_900);
    expect(mad(values)).toBe(5_241);
    const f = judge({ node: 'orders', metric: 'rows' }, block, { nodes: [src(1_204)] }, values.map((v) => ({ nodes: [src(v)] })));
    expect(f?.message).toBe('orders: rows read 1,204 is 9.1 MADs below the median 48,900 of the last 30 runs');
    expect(f).toMatchObject({ tripped: true, severity: 'fail', history: 30 });
    expect(judge({ node: 'orders', metric: 'rows' }, block, { nodes: [src(47_000)] }, values.map((v) => ({ nodes: [src(v)] })))?.tripped).toBe(false);
  });

  it('does not judge before the minimum history', () => {
    const f = judge({ node: 'orders', metric: 'rows' }, block, { nodes: [src(1)] }, [{ nodes: [src(100)] }, { nodes: [src(100)] }]);
    expect(f).toMatchObject({ tripped: false, deviation: null });
    expect(f?.message).toContain('not judged: 2 successful run(s) of history, 5 needed');
  });

  const gated = (severity: 'fail' | 'hold') => ({
    version: 1,
    name: `gated ${severity}`,
    ops: { anomaly: { severity, minHistory: 5, checks: [{ node: 'orders', metric: 'rows' }] } },
    nodes: [
      { id: 'orders', kind: 'source.csv', config: { path: 'in.csv' } },
      { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
    ],
    edges: [{ from: { node: 'orders', port: 'out' }, to: { node: 'out', port: 'in' } }],
  });
  const csv = (n: number) => `id,v\n${Array.from({ length: n }, (_, i) => `${i},x${i}`).join('\n')}\n`;

  it('a run with a drop in rows fails its gate with exit 3 and the message', async () => {
    const dir = tmpDir('sluice-gate-');
    fs.writeFileSync(path.join(dir, 'p.pipeline.json'), JSON.stringify(gated('fail')));
    for (const n of [100, 104, 98, 101, 99, 103]) {
      writeFiles(dir, { 'in.csv': csv(n) });
      expect((await cli(['run', path.join(dir, 'p.pipeline.json')])).code).toBe(0);
    }
    writeFiles(dir, { 'in.csv': csv(12) });
    const r = await cli(['run', path.join(dir, 'p.pipeline.json')]);
    expect(r.code).toBe(3);
    // Median 100.5, MAD 2 → (12 − 100.5) / 2 = 44.3 MADs.
    expect(r.out).toContain('orders: rows read 12 is 44.3 MADs below the median 100.5 of the last 6 runs');
    const list = await cli(['runs', '--history', path.join(dir, '.sluice', 'runs'), '--json']);
    const runs = JSON.parse(list.out) as { outcome: string; anomalies: number }[];
    expect(runs[0]).toMatchObject({ outcome: 'gate_failed', anomalies: 1 });
    expect(runs).toHaveLength(7);
  });

  it('hold publishes nothing and keeps the run for a resume, which accepts it and publishes', async () => {
    const dir = tmpDir('sluice-hold-');
    const historyDir = path.join(dir, 'h');
    for (const n of [50, 52, 49, 51, 50]) {
      writeFiles(dir, { 'in.csv': csv(n) });
      expect((await runPipeline({ pipeline: gated('hold'), baseDir: dir, historyDir })).outcome).toBe('succeeded');
    }
    fs.rmSync(path.join(dir, 'out.csv'));
    writeFiles(dir, { 'in.csv': csv(5) });
    const held = await runPipeline({ pipeline: gated('hold'), baseDir: dir, historyDir });
    expect(held).toMatchObject({ outcome: 'gate_failed', held: true });
    expect(held.quality?.score).toBe(0);
    expect(fs.existsSync(path.join(dir, 'out.csv'))).toBe(false);
    const resumed = await runPipeline({ pipeline: gated('hold'), baseDir: dir, historyDir, resume: held.runId });
    expect(resumed.outcome).toBe('succeeded');
    expect(fs.readFileSync(path.join(dir, 'out.csv'), 'utf8').trim().split('\n')).toHaveLength(6);
  });
});

describe('sluice runs and sluice status', () => {
  it('lists, shows and diffs runs', async () => {
    const dir = copyOrders();
    const file = path.join(dir, 'orders.pipeline.json');
    await cli(['run', file]);
    fs.appendFileSync(path.join(dir, 'orders.csv'), '1099,C-9,2026-01-05,DE,0,2.00,shipped\n');
    await cli(['run', file]);
    const h = ['--history', path.join(dir, '.sluice', 'runs')];
    const [b, a] = JSON.parse((await cli(['runs', ...h, '--json'])).out) as { runId: string }[];
    const show = await cli(['runs', 'show', 'latest', ...h]);
    expect(show.out).toContain(`run ${b?.runId}`);
    expect(show.out).toContain('quantity_positive');
    const diff = JSON.parse((await cli(['runs', 'diff', a?.runId ?? '', b?.runId ?? '', ...h, '--json'])).out) as { nodes: { nodeId: string; a: { rowsIn: number }; b: { rowsIn: number } }[]; rules: { rule: string; a: number; b: number }[] };
    expect(diff.nodes.find((n) => n.nodeId === 'orders')).toMatchObject({ a: { rowsIn: 21 }, b: { rowsIn: 22 } });
    const q = diff.rules.find((r) => r.rule === 'quantity_positive');
    expect(q && q.b - q.a).toBe(1);
  });

  it('status tells healthy, late and failing pipelines apart, and its exit code says which', async () => {
    const ws = tmpDir('sluice-ws-');
    const make = (name: string, maxAge: string, ok: boolean) => {
      const d = path.join(ws, name);
      fs.mkdirSync(d);
      writeFiles(d, ok ? { 'in.csv': 'id\n1\n2\n' } : {});
      const p = { version: 1, name, ops: { freshness: { cadence: '1h', maxAge, owner: `${name}-team` } }, nodes: [{ id: 's', kind: 'source.csv', config: { path: 'in.csv' } }, { id: 'o', kind: 'sink.csv', config: { path: 'o.csv' } }], edges: [{ from: { node: 's', port: 'out' }, to: { node: 'o', port: 'in' } }] };
      fs.writeFileSync(path.join(d, `${name}.pipeline.json`), JSON.stringify(p));
      return path.join(d, `${name}.pipeline.json`);
    };
    const healthy = make('healthy', '6h', true);
    const late = make('late', '30m', true);
    const failing = make('failing', '6h', true);
    for (const f of [healthy, late, failing]) expect((await cli(['run', f])).code).toBe(0);
    fs.rmSync(path.join(ws, 'failing', 'in.csv'));
    expect((await cli(['run', failing])).code).toBe(1);
    const inTwoHours = new Date(Date.now() + 2 * 3_600_000).toISOString();
    const r = await cli(['status', ws, '--json', '--now', inTwoHours]);
    const rows = JSON.parse(r.out) as { name: string; health: string }[];
    expect(Object.fromEntries(rows.map((x) => [x.name, x.health]))).toEqual({ healthy: 'healthy', late: 'late', failing: 'failing' });
    expect(r.code).toBe(7);
    // The designer asks the engine the same (its Open dialog): now, the late one is still within its 30 minutes.
    const service = createEngineService({ workspaces: [ws] });
    try {
      const seen = await service.workspaceStatus({});
      expect(Object.fromEntries(seen.map((x) => [x.name, x.health]))).toEqual({ healthy: 'healthy', late: 'healthy', failing: 'failing' });
      expect(seen.find((x) => x.name === 'failing')).toMatchObject({ file: path.join('failing', 'failing.pipeline.json'), owner: 'failing-team', lastOutcome: 'failed' });
    } finally {
      service.close();
    }
    const text = await cli(['status', ws, '--now', inTwoHours]);
    expect(text.out).toMatch(/late .*LATE .*more than the 30m allowed \(tell late-team\)/);
    fs.rmSync(path.join(ws, 'failing'), { recursive: true });
    expect((await cli(['status', ws, '--now', inTwoHours])).code).toBe(5);
    expect((await cli(['status', ws])).code).toBe(0);
  });
});
