// Runs started in the background: progress while they go, and cancelling one that is busy.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunJobStatus } from '@sluice/format/api/contract';
import { createEngineService } from '../src/service.js';
import { chain, pipeline, tmpDir } from './helpers.js';

const workspace = tmpDir('sluice-jobs-');
fs.writeFileSync(path.join(workspace, 'in.csv'), 'id,n\n1,2\n2,3\n');
const service = createEngineService({ workspaces: [workspace], cancelGraceMs: 1_000 });
afterAll(() => service.close());

/** A SQL node that keeps DuckDB busy for many seconds: a run cancelled there is stopped mid-node. */
export const SLOW_QUERY = 'WITH RECURSIVE t(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM t WHERE i < 1000000) SELECT in1.*, (SELECT max(i) FROM t) AS h FROM in1';

async function until(jobId: string, done: (s: RunJobStatus) => boolean, timeoutMs = 30_000): Promise<RunJobStatus> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = await service.runStatus({ jobId });
    if (done(s)) return s;
    if (Date.now() > end) throw new Error(`timed out; last status ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('background runs', () => {
  it('answers at once, reports nodes as they finish, and ends with the record', async () => {
    const doc = chain([
      { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
      { id: 'out', kind: 'sink.csv', config: { path: 'out/a.csv' } },
    ]);
    const { jobId } = await service.startRun({ pipeline: doc, baseDir: workspace });
    const end = await until(jobId, (s) => s.state !== 'running');
    expect(end.state).toBe('done');
    expect(end.manifest?.outcome).toBe('succeeded');
    expect(end.metrics.map((m) => m.nodeId)).toEqual(['src', 'out']);
    expect(end.running).toEqual([]);
    expect(await service.cancelRun({ jobId })).toEqual({ cancelled: false });
  });

  it('passes the checkpoint policy a run asks for to the worker', async () => {
    // 'all' keeps every output: the CSV source's view and the cast node's table.
    const doc = chain([
      { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
      { id: 'typed', kind: 'cast', config: { types: {} } },
      { id: 'out', kind: 'sink.csv', config: { path: 'out/b.csv' } },
    ]);
    const flagged = async (checkpoint: 'all' | 'off') => {
      const { jobId } = await service.startRun({ pipeline: doc, baseDir: workspace, checkpoint });
      const end = await until(jobId, (s) => s.state !== 'running');
      expect(end.manifest?.outcome).toBe('succeeded');
      return end.manifest?.nodes.filter((n) => n.checkpointed).map((n) => n.nodeId);
    };
    expect(await flagged('all')).toEqual(['src', 'typed']);
    expect(await flagged('off')).toEqual([]);
    await expect(service.startRun({ pipeline: doc, baseDir: workspace, checkpoint: 'sometimes' as 'off' })).rejects.toThrow();
  });

  it('refuses an invalid pipeline before starting', async () => {
    await expect(service.startRun({ pipeline: { version: 1, nodes: 'x' }, baseDir: workspace })).rejects.toThrow();
  });

  it('cancels a run busy in a node: the record says cancelled and the sink publishes nothing', async () => {
    const doc = pipeline(
      [
        { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
        { id: 'slow', kind: 'sql', config: { query: SLOW_QUERY } },
        { id: 'out', kind: 'sink.csv', config: { path: 'out/cancelled.csv' } },
      ],
      ['src -> slow.in1', 'slow -> out'],
    );
    const { jobId } = await service.startRun({ pipeline: doc, baseDir: workspace });
    const busy = await until(jobId, (s) => s.running.includes('slow'));
    expect(busy.metrics.map((m) => m.nodeId)).toEqual(['src']);
    expect(await service.cancelRun({ jobId })).toEqual({ cancelled: true });
    const end = await until(jobId, (s) => s.state !== 'running', 15_000);
    expect(end.cancelRequested).toBe(true);
    expect(end.manifest).toBeDefined();
    expect(end.manifest?.outcome).toBe('cancelled');
    expect(end.manifest?.nodes.map((m) => [m.nodeId, m.status])).toEqual([
      ['src', 'ok'],
      ['slow', 'failed'],
      ['out', 'skipped'],
    ]);
    const record = JSON.parse(fs.readFileSync(path.join(workspace, '.sluice', 'runs', end.manifest?.runId ?? '', 'manifest.json'), 'utf8')) as { outcome: string };
    expect(record.outcome).toBe(end.manifest?.outcome);
    expect(fs.existsSync(path.join(workspace, 'out', 'cancelled.csv'))).toBe(false);
  }, 40_000);

  it('says so for an unknown job', async () => {
    await expect(service.runStatus({ jobId: 'nope' })).rejects.toThrow(/no run/);
  });
});
