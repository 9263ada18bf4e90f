// "Run up to here" (the `upTo` run option, `sluice run --up-to NODE`): only the node and what feeds it run, nothing
// after or beside it is read or written, and the run's record says where it stopped.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../src/runtime/run.js';
import { pipeline, tmpDir, writeFiles } from './helpers.js';

// src → big → out, and src → all (a second sink beside the node run up to).
const doc = pipeline(
  [
    { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
    { id: 'big', kind: 'filter', config: { expression: 'CAST(amount AS INTEGER) > 15', reason: 'small' } },
    { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
    { id: 'all', kind: 'sink.csv', config: { path: 'all.csv' } },
  ],
  ['src -> big', 'big -> out', 'src -> all'],
);

describe('run up to a node', () => {
  it('runs the node and what feeds it, writes nothing after or beside it, and the record names the node', async () => {
    const baseDir = tmpDir('sluice-upto-');
    writeFiles(baseDir, { 'in.csv': 'id,amount\n1,10\n2,20\n3,30\n' });
    const m = await runPipeline({ pipeline: doc, baseDir, historyDir: tmpDir('sluice-upto-hist-'), upTo: 'big' });
    expect(m.outcome).toBe('succeeded');
    expect(m.upTo).toBe('big');
    expect(m.nodes.map((n) => n.nodeId).sort()).toEqual(['big', 'src']);
    expect(m.nodes.find((n) => n.nodeId === 'big')?.rowsOut).toBe(2);
    expect(fs.existsSync(path.join(baseDir, 'out.csv'))).toBe(false);
    expect(fs.existsSync(path.join(baseDir, 'all.csv'))).toBe(false);
  });

  it('a whole run says nothing of the kind; an unknown node is refused by name before anything runs', async () => {
    const baseDir = tmpDir('sluice-upto-');
    writeFiles(baseDir, { 'in.csv': 'id,amount\n1,10\n' });
    const historyDir = tmpDir('sluice-upto-hist-');
    const whole = await runPipeline({ pipeline: doc, baseDir, historyDir });
    expect(whole.upTo).toBeUndefined();
    await expect(runPipeline({ pipeline: doc, baseDir, historyDir, upTo: 'nope' })).rejects.toThrow('cannot run up to "nope": the pipeline has no node with that id');
  });
});
