// `sluice inspect RUN_ID` finds the run wherever it is called: by record path, by pipeline, or in the history
// of the current folder or the nearest one above it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRun } from '../src/cli/find-run.js';
import { getRun } from '../src/runtime/durability/run-records.js';
import { chain, run, tmpDir } from './helpers.js';

const project = tmpDir('sluice-find-run-');
const history = path.join(project, '.sluice', 'runs');
const runDir = path.join(history, '20261207T0400-abc123');
fs.mkdirSync(runDir, { recursive: true });
fs.writeFileSync(path.join(runDir, 'manifest.json'), '{}');
const deep = path.join(project, 'data', 'raw');
fs.mkdirSync(deep, { recursive: true });
const elsewhere = tmpDir('sluice-find-run-elsewhere-');

describe('finding a run for inspect', () => {
  it('finds a run id from a folder below the pipeline\'s', () => {
    expect(findRun('20261207T0400-abc123', { cwd: deep })).toEqual({ historyDir: history, runId: '20261207T0400-abc123' });
    expect(findRun(undefined, { cwd: deep })).toEqual({ historyDir: history, runId: undefined });
    // "latest", as `run --resume latest` takes it: the newest run of the history found.
    expect(findRun('latest', { cwd: deep })).toEqual({ historyDir: history, runId: undefined });
    expect(findRun('latest', { cwd: elsewhere, pipeline: path.join(project, 'p.pipeline.json') })).toEqual({ historyDir: history, runId: undefined });
  });

  it('finds it from anywhere given the pipeline file or the record\'s path', () => {
    expect(findRun('20261207T0400-abc123', { cwd: elsewhere, pipeline: path.join(project, 'p.pipeline.json') }).historyDir).toBe(history);
    expect(findRun(runDir, { cwd: elsewhere })).toEqual({ historyDir: history, runId: '20261207T0400-abc123' });
    expect(findRun(path.join(runDir, 'manifest.json'), { cwd: elsewhere })).toEqual({ historyDir: history, runId: '20261207T0400-abc123' });
    expect(findRun(path.relative(elsewhere, runDir), { cwd: elsewhere }).runId).toBe('20261207T0400-abc123');
  });

  it('says where it looked and what to give instead', () => {
    expect(() => findRun('nope', { cwd: deep })).toThrow(/no run "nope" in .*\.sluice\/runs or the history of any folder above it; name the pipeline with --pipeline FILE/);
    expect(() => findRun(path.join(elsewhere, 'x', 'manifest.json'), { cwd: deep })).toThrow(/no run record at .*: expected a run's folder/);
  });
});

describe('"latest" is the run started last', () => {
  // Run ids carry their start to the millisecond, so runs started within one second (a run of a small pipeline
  // takes a fraction of one) still sort in start order; with whole seconds the random part decided, and
  // `--resume latest` could resume an earlier, finished run and do nothing.
  it('three runs in a row: each id sorts after the one before, and getRun finds the third', async () => {
    const dir = tmpDir('sluice-latest-');
    const hist = path.join(dir, 'h');
    const doc = chain([
      { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
      { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
    ]);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await run(doc, { baseDir: dir, historyDir: hist, files: { 'in.csv': 'a\n1\n' } })).manifest.runId);
    for (const id of ids) expect(id).toMatch(/^\d{8}T\d{9}-[0-9a-f]{6}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(getRun(hist, undefined).runId).toBe(ids[2]);
  });
});
