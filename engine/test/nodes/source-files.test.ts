// Incremental file source: only new files each run, changed files by policy, exactly once across failures.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/runtime/run.js';
import { candidates, type FileSig } from '../../src/nodes/source-files.js';
import { chain, expectSucceeded, parseCsv, run, tmpDir, writeFiles } from '../helpers.js';

const old = new Date(Date.now() - 60_000);

function land(dir: string, files: Record<string, string>): void {
  writeFiles(dir, files);
  // Landed a minute ago: settled, so read at once.
  for (const f of Object.keys(files)) fs.utimesSync(path.join(dir, f), old, old);
}

function filesPipeline(source: Record<string, unknown> = {}): Record<string, unknown> {
  return chain([
    { id: 'inbox', kind: 'source.files', config: { path: 'inbox/*.csv', ...source } },
    { id: 'out', kind: 'sink.csv', config: { path: 'out/all.csv', mode: 'append' } },
  ]);
}

function outRows(dir: string): string[] {
  return parseCsv(fs.readFileSync(path.join(dir, 'out', 'all.csv'), 'utf8')).slice(1).map((r) => r.join('|')).sort();
}

describe('source.files', () => {
  it('reads only new files each run, and nothing twice', async () => {
    const baseDir = tmpDir();
    const historyDir = tmpDir();
    const p = filesPipeline();
    land(baseDir, { 'inbox/a.csv': 'id,v\n1,a\n2,a\n', 'inbox/b.csv': 'id,v\n3,b\n' });
    const r1 = await run(p, { baseDir, historyDir });
    expectSucceeded(r1);
    expect(r1.metric('inbox').rowsOut).toBe(3);
    const r2 = await run(p, { baseDir, historyDir });
    expectSucceeded(r2);
    expect(r2.metric('inbox').rowsOut).toBe(0);
    expect(r2.metric('inbox').warnings.join(' ')).toContain('no new files');
    land(baseDir, { 'inbox/c.csv': 'id,v\n4,c\n5,c\n' });
    const r3 = await run(p, { baseDir, historyDir });
    expectSucceeded(r3);
    expect(r3.metric('inbox').rowsOut).toBe(2);
    expect(outRows(baseDir)).toEqual(['1|a', '2|a', '3|b', '4|c', '5|c']);
    // --full-refresh reads everything again (here into an appended file, so every row shows twice).
    const r4 = await runPipeline({ pipeline: p, baseDir, historyDir, fullRefresh: true });
    expect(r4.outcome).toBe('succeeded');
    expect(r4.nodes[0]?.rowsOut).toBe(5);
  });

  it('leaves a file that may still be being written for a later run', async () => {
    const baseDir = tmpDir();
    const historyDir = tmpDir();
    land(baseDir, { 'inbox/a.csv': 'id,v\n1,a\n' });
    writeFiles(baseDir, { 'inbox/b.csv': 'id,v\n2,b\n' }); // Just written.
    const r = await run(filesPipeline({ settleMs: 30_000 }), { baseDir, historyDir });
    expectSucceeded(r);
    expect(r.metric('inbox').rowsOut).toBe(1);
    expect(r.metric('inbox').warnings.join(' ')).toContain('1 file(s) modified within the last 30000 ms');
    fs.utimesSync(path.join(baseDir, 'inbox/b.csv'), old, old);
    const r2 = await run(filesPipeline({ settleMs: 30_000 }), { baseDir, historyDir });
    expect(r2.metric('inbox').rowsOut).toBe(1);
    expect(outRows(baseDir)).toEqual(['1|a', '2|b']);
  });

  it('quarantines a consumed file that changed, reprocesses it or ignores it, by policy', async () => {
    for (const onChanged of ['quarantine', 'reprocess', 'ignore'] as const) {
      const baseDir = tmpDir();
      const historyDir = tmpDir();
      const p = filesPipeline({ onChanged });
      land(baseDir, { 'inbox/a.csv': 'id,v\n1,a\n' });
      expectSucceeded(await run(p, { baseDir, historyDir }));
      land(baseDir, { 'inbox/a.csv': 'id,v\n1,a\n9,late addition\n' });
      const r = await run(p, { baseDir, historyDir });
      expectSucceeded(r);
      const m = r.metric('inbox');
      if (onChanged === 'quarantine') {
        expect([m.rowsIn, m.rowsOut, m.quarantined]).toEqual([1, 0, 1]);
        const q = await r.quarantine('inbox');
        expect(q.entries[0]?.reasons[0]).toMatch(/^inbox\/a\.csv changed after consumption/);
      } else if (onChanged === 'reprocess') {
        expect(m.rowsOut).toBe(2);
      } else {
        expect(m.rowsOut).toBe(0);
        expect(m.warnings.join(' ')).toContain('inbox/a.csv changed after an earlier run consumed it; ignored');
      }
      // Handled once: the next run does not see the change again.
      const again = await run(p, { baseDir, historyDir });
      expect([again.metric('inbox').rowsOut, again.metric('inbox').quarantined]).toEqual([0, 0]);
    }
  });

  it('bounds a batch with maxFiles, oldest first', async () => {
    const baseDir = tmpDir();
    const historyDir = tmpDir();
    for (let i = 0; i < 5; i++) {
      writeFiles(baseDir, { [`inbox/f${i}.csv`]: `id\n${i}\n` });
      const t = new Date(Date.now() - 60_000 + i * 1000);
      fs.utimesSync(path.join(baseDir, `inbox/f${i}.csv`), t, t);
    }
    const p = filesPipeline({ maxFiles: 2 });
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await run(p, { baseDir, historyDir });
      expectSucceeded(r);
      seen.push(r.metric('inbox').rowsOut);
    }
    expect(seen).toEqual([2, 2, 1]);
    expect(outRows(baseDir)).toEqual(['0', '1', '2', '3', '4']);
  });

  it('looks at a consumed, unchanged file with a stat only, so a batch costs the same however many files came before', () => {
    const baseDir = tmpDir();
    const ledger = new Map<string, FileSig>();
    for (let i = 0; i < 40; i++) {
      land(baseDir, { [`inbox/old${i}.csv`]: `id\n${i}\n` });
      const st = fs.statSync(path.join(baseDir, `inbox/old${i}.csv`));
      ledger.set(`inbox/old${i}.csv`, { file: `inbox/old${i}.csv`, size: st.size, mtimeMs: st.mtimeMs, sha256: 'x' });
    }
    land(baseDir, { 'inbox/new.csv': 'id\n1\n' });
    // The path check (several system calls a file) runs for the pattern and for the new file, not for the 40 others.
    const checked: string[] = [];
    const resolve = (p: string) => (checked.push(p), path.resolve(baseDir, p));
    const r = candidates(baseDir, resolve, { path: 'inbox/*.csv', settleMs: 0 }, ledger, Date.now());
    expect(r.ready.map((f) => f.rel)).toEqual(['inbox/new.csv']);
    expect(checked).toEqual(['inbox/*.csv', path.join(baseDir, 'inbox/new.csv')]);
  });

  it('bounds a batch by bytes with maxBytes (rows are not known before reading)', async () => {
    const baseDir = tmpDir();
    const historyDir = tmpDir();
    // Files of 5, 5, 13 and 5 bytes: at most 10 bytes a batch, but a larger file still goes alone.
    const sizes = ['id\n1\n', 'id\n2\n', 'id\n3\n4\n5\n6\n7\n', 'id\n8\n'];
    sizes.forEach((text, i) => {
      writeFiles(baseDir, { [`inbox/f${i}.csv`]: text });
      const t = new Date(Date.now() - 60_000 + i * 1000);
      fs.utimesSync(path.join(baseDir, `inbox/f${i}.csv`), t, t);
    });
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await run(filesPipeline({ maxBytes: 10 }), { baseDir, historyDir });
      expectSucceeded(r);
      seen.push(r.metric('inbox').rowsOut);
    }
    expect(seen).toEqual([2, 5, 1]);
  });

  it('does not consume files of a run that failed before publishing; an interrupted run must be resumed first', async () => {
    const baseDir = tmpDir();
    const historyDir = tmpDir();
    land(baseDir, { 'inbox/a.csv': 'id,v\n1,a\n' });
    // A sink that fails: nothing published, so the file is not consumed.
    const bad = chain([
      { id: 'inbox', kind: 'source.files', config: { path: 'inbox/*.csv' } },
      { id: 'out', kind: 'sink.csv', config: { path: 'out/all.csv', mode: 'merge', key: ['nope'] } },
    ]);
    const failed = await run(bad, { baseDir, historyDir });
    expect(failed.manifest.outcome).toBe('failed');
    const p = filesPipeline();
    // Cancelled at the sink: its outputs may or may not be written, so the next run must resume it.
    const controller = new AbortController();
    const cancelled = await runPipeline({ pipeline: p, baseDir, historyDir, signal: controller.signal, onEvent: (e) => e.type === 'node-end' && e.metrics.nodeId === 'inbox' && controller.abort() });
    expect(cancelled.outcome).toBe('cancelled');
    await expect(runPipeline({ pipeline: p, baseDir, historyDir })).rejects.toThrow(`run ${cancelled.runId} of this pipeline did not finish`);
    land(baseDir, { 'inbox/b.csv': 'id,v\n2,b\n' });
    const resumed = await runPipeline({ pipeline: p, baseDir, historyDir, resume: cancelled.runId });
    expect(resumed.outcome).toBe('succeeded');
    // The resume read the files the interrupted attempt chose (a only); b waits for the next run.
    expect(resumed.nodes.find((n) => n.nodeId === 'inbox')?.rowsOut).toBe(1);
    const next = await runPipeline({ pipeline: p, baseDir, historyDir });
    expect(next.nodes.find((n) => n.nodeId === 'inbox')?.rowsOut).toBe(1);
    expect(outRows(baseDir)).toEqual(['1|a', '2|b']);
  });

  it('lets a full refresh start over past an interrupted run', async () => {
    const baseDir = tmpDir();
    const historyDir = tmpDir();
    land(baseDir, { 'inbox/a.csv': 'id,v\n1,a\n' });
    const p = chain([
      { id: 'inbox', kind: 'source.files', config: { path: 'inbox/*.csv' } },
      { id: 'out', kind: 'sink.csv', config: { path: 'out/all.csv' } },
    ]);
    const controller = new AbortController();
    const cut = await runPipeline({ pipeline: p, baseDir, historyDir, signal: controller.signal, onEvent: (e) => e.type === 'node-end' && e.metrics.nodeId === 'inbox' && controller.abort() });
    expect(cut.outcome).toBe('cancelled');
    await expect(runPipeline({ pipeline: p, baseDir, historyDir })).rejects.toThrow('or start over with --full-refresh');
    const fresh = await runPipeline({ pipeline: p, baseDir, historyDir, fullRefresh: true });
    expect(fresh.outcome).toBe('succeeded');
    expect(outRows(baseDir)).toEqual(['1|a']);
    // The interrupted run is left behind for good: its state can no longer be committed over the fresh one.
    await expect(runPipeline({ pipeline: p, baseDir, historyDir, resume: cut.runId })).rejects.toThrow('no state in flight');
  });

  it('reads NDJSON and Parquet files the same way', async () => {
    const baseDir = tmpDir();
    const historyDir = tmpDir();
    land(baseDir, { 'events/a.ndjson': '{"id":1}\n{"id":2}\nnot json\n' });
    const p = chain([
      { id: 'inbox', kind: 'source.files', config: { path: 'events/*.ndjson', format: 'ndjson' } },
      { id: 'out', kind: 'sink.parquet', config: { path: 'out/events.parquet', mode: 'append' } },
    ]);
    const r = await run(p, { baseDir, historyDir });
    expectSucceeded(r);
    expect([r.metric('inbox').rowsOut, r.metric('inbox').quarantined]).toEqual([2, 1]);
    fs.mkdirSync(path.join(baseDir, 'pq'));
    fs.copyFileSync(path.join(baseDir, 'out/events.parquet'), path.join(baseDir, 'pq/one.parquet'));
    fs.utimesSync(path.join(baseDir, 'pq/one.parquet'), old, old);
    const q = chain([
      { id: 'inbox', kind: 'source.files', config: { path: 'pq/*.parquet', format: 'parquet' } },
      { id: 'out', kind: 'sink.csv', config: { path: 'out/pq.csv', mode: 'append' } },
    ]);
    const r2 = await run(q, { baseDir, historyDir: tmpDir() });
    expectSucceeded(r2);
    expect(r2.metric('inbox').rowsOut).toBe(2);
  });
});
