// Live progress is pushed, not polled: a started run's status reaches its followers as it changes, through the
// service and through the local server's event stream, and a running node reports how far it is.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EngineApi, EngineStreams, RunJobStatus } from '@sluice/format/api/contract';
import type { RunEvent } from '../src/runtime/execution/execute-options.js';
import { followProgress, PROGRESS_EVERY_MS } from '../src/runtime/execution/progress.js';
import { startServer } from '../src/server/server.js';
import { createEngineService } from '../src/service.js';
import { chain, tmpDir } from './helpers.js';

const workspace = tmpDir('sluice-live-');
fs.writeFileSync(path.join(workspace, 'in.csv'), 'id,n\n1,2\n2,3\n');
const service = createEngineService({ workspaces: [workspace], inProcessRuns: true });
afterAll(() => service.close());

const doc = chain([
  { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
  { id: 'typed', kind: 'cast', config: { types: { n: 'INTEGER' } } },
]);

describe('pushed run status', () => {
  it('a follower gets the nodes as they start and finish, and last the status with the record', async () => {
    const { jobId } = await service.startRun({ pipeline: doc, baseDir: workspace });
    const seen: RunJobStatus[] = [];
    const last = await new Promise<RunJobStatus>((resolve) => {
      service.followRun(jobId, (s) => {
        seen.push(s);
        if (s.state !== 'running') resolve(s);
      });
    });
    expect(last.state).toBe('done');
    expect(last.manifest?.outcome).toBe('succeeded');
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.slice(0, -1).every((s) => s.state === 'running')).toBe(true);
    // A late follower of a finished run gets its final status at once, and nothing after.
    const late: RunJobStatus[] = [];
    service.followRun(jobId, (s) => late.push(s));
    expect(late.map((s) => s.state)).toEqual(['done']);
  });

  it('the local server streams it as server-sent events, behind the token', async () => {
    const { jobId } = await service.startRun({ pipeline: doc, baseDir: workspace });
    const server = await startServer({ api: service as EngineApi, streams: service as EngineStreams, host: '127.0.0.1', port: 0, staticDir: workspace, token: 'tok-123456789', log: () => undefined });
    try {
      const url = `${server.url}api/stream/runStatus`;
      const refused = await fetch(url, { method: 'POST', body: JSON.stringify({ jobId }) });
      expect(refused.status).toBe(401);
      const res = await fetch(url, { method: 'POST', headers: { authorization: 'Bearer tok-123456789', 'content-type': 'application/json' }, body: JSON.stringify({ jobId }) });
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const events = (await res.text())
        .split('\n\n')
        .filter((e) => e.startsWith('data: '))
        .map((e) => JSON.parse(e.slice(6)) as RunJobStatus);
      expect(events.at(-1)?.state).toBe('done');
      expect(events.at(-1)?.manifest?.nodes.map((n) => n.nodeId)).toEqual(['src', 'typed']);
      const unknown = await fetch(url, { method: 'POST', headers: { authorization: 'Bearer tok-123456789' }, body: JSON.stringify({ jobId: 'nope' }) });
      expect(unknown.status).toBeGreaterThanOrEqual(400);
      expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain('no run "nope"');
    } finally {
      await server.close();
    }
  });
});

describe('a running node reports how far it is', () => {
  it('reports the share done, rows only where DuckDB counts rows, and nothing unchanged twice', async () => {
    const readings = [undefined, { rows: 122_880, percent: 8.19 }, { rows: 122_880, percent: 8.19 }, { rows: 245_760, percent: 16.38 }];
    let i = 0;
    const db = { progress: () => readings[Math.min(i++, readings.length - 1)] };
    const table: RunEvent[] = [];
    const file: RunEvent[] = [];
    const t1 = followProgress(db, 'typed', true, (e) => table.push(e));
    await new Promise((r) => setTimeout(r, PROGRESS_EVERY_MS * 5.5));
    clearInterval(t1);
    expect(table).toEqual([
      { type: 'node-progress', nodeId: 'typed', percent: 8.2, rows: 122_880 },
      { type: 'node-progress', nodeId: 'typed', percent: 16.4, rows: 245_760 },
    ]);
    i = 1;
    const t2 = followProgress(db, 'src', false, (e) => file.push(e));
    await new Promise((r) => setTimeout(r, PROGRESS_EVERY_MS * 1.5));
    clearInterval(t2);
    expect(file).toEqual([{ type: 'node-progress', nodeId: 'src', percent: 8.2 }]);
  });
});

describe('a CSV source reports its line scan', () => {
  it('says rows and share done while it scans, before DuckDB has a query to report on', async () => {
    const { runPipeline } = await import('../src/runtime/run.js');
    const dir = tmpDir('sluice-scan-progress-');
    fs.writeFileSync(path.join(dir, 'in.csv'), 'id,n\n1,2\n2,3\n3\n4,5\n');
    const events: RunEvent[] = [];
    const m = await runPipeline({ pipeline: chain([{ id: 'src', kind: 'source.csv', config: { path: 'in.csv' } }]), baseDir: dir, historyDir: path.join(dir, 'h'), onEvent: (e) => events.push(e) });
    expect(m.outcome).toBe('succeeded');
    const scanned = events.find((e) => e.type === 'node-progress' && e.nodeId === 'src' && e.rows !== undefined);
    // Three good records of four (one is ragged), the whole file read; reported before the node ends.
    expect(scanned).toEqual({ type: 'node-progress', nodeId: 'src', percent: 100, rows: 3 });
    expect(events.indexOf(scanned as RunEvent)).toBeLessThan(events.findIndex((e) => e.type === 'node-end' && e.metrics.nodeId === 'src'));
  });
});
