// Micro-batches in process: bounded batches, lag reported, a stop drains the current batch.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { watchPipeline, type BatchReport } from '../src/runtime/supervision/watch.js';
import { createEngineService } from '../src/service.js';
import { workerAvailable } from '../src/runtime/supervision/supervise.js';
import { chain, parseCsv, tmpDir, writeFiles } from './helpers.js';

const old = new Date(Date.now() - 60_000);

describe('watchPipeline', () => {
  it('runs bounded batches, reports the lag, and a stop lets the current batch finish', async () => {
    const baseDir = tmpDir();
    const historyDir = tmpDir();
    for (let i = 0; i < 5; i++) {
      writeFiles(baseDir, { [`inbox/f${i}.csv`]: `id\n${i}\n` });
      fs.utimesSync(path.join(baseDir, `inbox/f${i}.csv`), old, old);
    }
    const p = chain([
      { id: 'inbox', kind: 'source.files', config: { path: 'inbox/*.csv' } },
      { id: 'out', kind: 'sink.csv', config: { path: 'out/all.csv', mode: 'append' } },
    ]);
    const stop = new AbortController();
    const first: BatchReport[] = [];
    const s1 = await watchPipeline({ pipeline: p, baseDir, historyDir, maxFiles: 2, pollMs: 50, fsEvents: false, stop: stop.signal, onBatch: (b) => {
      first.push(b);
      stop.abort();
    } });
    expect(s1).toEqual({ batches: 1, failed: 0, reason: 'stopped' });
    expect(first[0]?.manifest.outcome).toBe('succeeded');
    expect(first[0]?.files).toBe(2);
    expect(first[0]?.lag.ready).toBe(3);
    expect(first[0]?.lag.oldestMs).toBeGreaterThan(50_000);
    expect(first[0]?.latencyMs?.max).toBeGreaterThan(50_000);
    const rest: BatchReport[] = [];
    const s2 = await watchPipeline({ pipeline: p, baseDir, historyDir, maxFiles: 2, pollMs: 50, fsEvents: false, idleExitMs: 200, onBatch: (b) => rest.push(b) });
    expect(s2.reason).toBe('idle');
    expect(rest.map((b) => b.files)).toEqual([2, 1]);
    expect(rest[1]?.lag).toEqual({ ready: 0, waiting: 0, oldestMs: 0 });
    const ids = parseCsv(fs.readFileSync(path.join(baseDir, 'out/all.csv'), 'utf8')).slice(1).map((r) => r[0]).sort();
    expect(ids).toEqual(['0', '1', '2', '3', '4']);
  });

  it('refuses a pipeline with no incremental source', async () => {
    const p = chain([{ id: 'a', kind: 'source.csv', config: { path: 'a.csv' } }, { id: 'out', kind: 'sink.csv', config: { path: 'o.csv' } }]);
    await expect(watchPipeline({ pipeline: p, baseDir: tmpDir(), historyDir: tmpDir() })).rejects.toThrow('no "New files (incremental)" source');
  });

  it('is started, followed and stopped through the engine API (the designer\'s watch)', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'inbox/a.csv': 'id\n1\n2\n' });
    fs.utimesSync(path.join(dir, 'inbox/a.csv'), old, old);
    const p = chain([
      { id: 'inbox', kind: 'source.files', config: { path: 'inbox/*.csv' } },
      { id: 'out', kind: 'sink.csv', config: { path: 'out/all.csv', mode: 'append' } },
    ]);
    const api = createEngineService({ workspaces: [dir] });
    try {
      const { watchId } = await api.watchStart({ pipeline: p, baseDir: dir });
      await expect(api.watchStart({ pipeline: p, baseDir: dir })).rejects.toThrow('already being watched');
      let st = await api.watchStatus({ watchId });
      // A batch runs in a worker process, whose start takes seconds on a loaded machine.
      for (let i = 0; i < 600 && st.batches === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        st = await api.watchStatus({ watchId });
      }
      expect(st).toMatchObject({ state: 'watching', batches: 1, failed: 0, lastBatch: { outcome: 'succeeded', files: 1 } });
      expect(await api.watchStop({ watchId })).toEqual({ stopping: true });
      for (let i = 0; i < 600 && st.state !== 'stopped'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        st = await api.watchStatus({ watchId });
      }
      expect(st.state).toBe('stopped');
    } finally {
      api.close();
    }
  });

  it.skipIf(!workerAvailable())('runs the designer\'s batches in a worker process: a batch that kills the engine fails alone, the next one finishes it, rows once (needs npm run build:engine)', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'inbox/a.csv': 'id\n1\n2\n' });
    fs.utimesSync(path.join(dir, 'inbox/a.csv'), old, old);
    const p = chain([
      { id: 'inbox', kind: 'source.files', config: { path: 'inbox/*.csv' } },
      { id: 'out', kind: 'sink.csv', config: { path: 'out/all.csv', mode: 'append' } },
    ]);
    const api = createEngineService({ workspaces: [dir] });
    const until = async (watchId: string, done: (s: Awaited<ReturnType<typeof api.watchStatus>>) => boolean) => {
      let st = await api.watchStatus({ watchId });
      for (let i = 0; i < 600 && !done(st); i++) {
        await new Promise((r) => setTimeout(r, 50));
        st = await api.watchStatus({ watchId });
      }
      return st;
    };
    // Only a run worker obeys this (runtime/faults.ts): in-process batches would not notice it. The worker dies
    // after the sink committed and before the state did: the next batch must resume, not read the file again.
    process.env['SLUICE_FAULT_KILL_AT'] = 'state-commit';
    try {
      const { watchId } = await api.watchStart({ pipeline: p, baseDir: dir });
      const crashed = await until(watchId, (s) => s.batches > 0);
      expect(crashed).toMatchObject({ state: 'watching', batches: 1, failed: 1, lastBatch: { outcome: 'failed', files: 0 } });
      delete process.env['SLUICE_FAULT_KILL_AT'];
      const next = await until(watchId, (s) => s.lastBatch?.outcome === 'succeeded');
      expect(next).toMatchObject({ state: 'watching', failed: 1, lastBatch: { outcome: 'succeeded', files: 1 } });
      await api.watchStop({ watchId });
      expect((await until(watchId, (s) => s.state === 'stopped')).state).toBe('stopped');
      expect(parseCsv(fs.readFileSync(path.join(dir, 'out/all.csv'), 'utf8')).slice(1).map((r) => r[0])).toEqual(['1', '2']);
    } finally {
      delete process.env['SLUICE_FAULT_KILL_AT'];
      api.close();
    }
  });
});
