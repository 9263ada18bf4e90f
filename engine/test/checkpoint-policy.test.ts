// Which outputs a run checkpoints: 'auto' weighs the work a resume would redo against the cost of writing.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CheckpointPlanner, WORTH, checkpointPolicy, checkpointWorth } from '../src/runtime/durability/checkpoint-policy.js';
import { recentOutcomes } from '../src/runtime/durability/run-records.js';
import { runPipeline } from '../src/runtime/run.js';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { pipeline, tmpDir, writeFiles } from './helpers.js';

const BIG = { rows: 5_000_000, columns: 8 };
const SMALL = { rows: 12, columns: 4 };

/** Only the edges matter to the planner. */
function graph(edges: [string, string][]): Pipeline {
  return { edges: edges.map(([from, to]) => ({ from: { node: from, port: 'out' }, to: { node: to, port: 'in' } })) } as unknown as Pipeline;
}

describe('the checkpoint planner', () => {
  it('"all" and "off" decide without weighing', () => {
    const p = graph([['a', 'b']]);
    expect(new CheckpointPlanner('all', p).decide('a', 1, [SMALL])).toBe(true);
    expect(new CheckpointPlanner('off', p).decide('a', 60_000, [SMALL])).toBe(false);
  });

  it('"auto" skips a big copy of what was just read and keeps a small result of a long chain', () => {
    const planner = new CheckpointPlanner('auto', graph([['src', 'rules'], ['rules', 'agg'], ['agg', 'sink']]));
    // 5 M rows of 8 columns cost about 4 s to write (prior estimate): more than a third of 5 s of work saved.
    expect(planner.decide('src', 5000, [BIG])).toBe(false);
    planner.record('src', false);
    expect(planner.redoMs('src')).toBe(5000);
    expect(planner.decide('rules', 700, [BIG])).toBe(false);
    planner.record('rules', false);
    // The aggregate would need the source and the rules again: 6 s of work against a few milliseconds.
    expect(planner.decide('agg', 300, [SMALL])).toBe(true);
    expect(planner.redoMs('agg')).toBe(6000);
    planner.record('agg', true);
    // After a checkpoint a resume starts there: what follows counts only its own work.
    expect(planner.redoMs('sink')).toBe(0);
    planner.decide('sink', 40, []);
    expect(planner.redoMs('sink')).toBe(40);
  });

  it('writes when the work saved reaches WORTH times the estimated cost', () => {
    const planner = new CheckpointPlanner('auto', graph([]));
    const cost = planner.costMs([BIG]);
    expect(planner.decide('a', Math.ceil(WORTH * cost), [BIG])).toBe(true);
    expect(planner.decide('b', Math.floor(WORTH * cost) - 1, [BIG])).toBe(false);
  });

  it("weighs by how often the pipeline's recent runs failed: a pipeline that keeps failing keeps more checkpoints", () => {
    // No history: as if one run in ten failed.
    expect(checkpointWorth([])).toBeCloseTo(WORTH);
    // Twenty successes: a write must save twenty times its cost (the bound).
    expect(checkpointWorth(Array(20).fill('succeeded'))).toBe(20);
    // Half of the last twenty failed: a write that saves about twice its cost pays.
    const shaky = checkpointWorth(Array.from({ length: 20 }, (_, i) => (i % 2 ? 'failed' : 'succeeded')));
    expect(shaky).toBeGreaterThanOrEqual(2);
    expect(shaky).toBeLessThan(3);
    // A crashed run (left 'running'), a cancelled or partial one all needed a resume.
    expect(checkpointWorth(['running', 'cancelled', 'partial'])).toBeLessThan(checkpointWorth(['succeeded', 'succeeded', 'succeeded']));
    const work = 4 * new CheckpointPlanner('auto', graph([])).costMs([BIG]);
    expect(new CheckpointPlanner('auto', graph([]), shaky).decide('a', work, [BIG])).toBe(true);
    expect(new CheckpointPlanner('auto', graph([])).decide('a', work, [BIG])).toBe(false);
  });

  it('reads the recent outcomes of the same pipeline only, newest first, without the run that asks', () => {
    const dir = tmpDir();
    const runs: [string, string, string][] = [['20260101T000000-a', 'p', 'failed'], ['20260102T000000-b', 'q', 'failed'], ['20260103T000000-c', 'p', 'succeeded'], ['20260104T000000-d', 'p', 'running']];
    for (const [id, name, outcome] of runs) {
      fs.mkdirSync(path.join(dir, id));
      fs.writeFileSync(path.join(dir, id, 'manifest.json'), JSON.stringify({ runId: id, pipelineName: name, outcome }));
    }
    fs.mkdirSync(path.join(dir, '20260105T000000-e'));
    fs.writeFileSync(path.join(dir, '20260105T000000-e', 'manifest.json'), '{not json');
    expect(recentOutcomes(dir, 'p', '20260104T000000-d')).toEqual(['succeeded', 'failed']);
    expect(recentOutcomes(dir, 'p', 'none')).toEqual(['running', 'succeeded', 'failed']);
    expect(recentOutcomes(path.join(dir, 'missing'), 'p', 'x')).toEqual([]);
  });

  it('counts an upstream node shared by two paths once', () => {
    const planner = new CheckpointPlanner('auto', graph([['src', 'left'], ['src', 'right'], ['left', 'join'], ['right', 'join']]));
    for (const [id, ms] of [['src', 1000], ['left', 10], ['right', 20]] as const) {
      planner.decide(id, ms, [BIG]);
      planner.record(id, false);
    }
    planner.decide('join', 5, [BIG]);
    expect(planner.redoMs('join')).toBe(1035);
  });

  it('an upstream node restored from a checkpoint by a resume costs nothing to redo', () => {
    const planner = new CheckpointPlanner('auto', graph([['restored', 'next']]));
    planner.decide('next', 50, [SMALL]);
    expect(planner.redoMs('next')).toBe(50);
  });

  it('learns this run\'s write speed from the checkpoints it writes', () => {
    const planner = new CheckpointPlanner('auto', graph([]));
    const before = planner.costMs([BIG]);
    planner.observe(40_000_000, 1000);
    expect(planner.costMs([BIG])).toBeLessThan(before / 3);
    // A tiny write says more about fixed costs than about speed, so it is not learnt from.
    planner.observe(10, 1000);
    expect(planner.costMs([BIG])).toBeLessThan(before / 3);
  });

  it('reads the older boolean option and the SLUICE_CHECKPOINT default', () => {
    expect(checkpointPolicy(true)).toBe('all');
    expect(checkpointPolicy(false)).toBe('off');
    expect(checkpointPolicy('off')).toBe('off');
    const saved = process.env['SLUICE_CHECKPOINT'];
    try {
      delete process.env['SLUICE_CHECKPOINT'];
      expect(checkpointPolicy(undefined)).toBe('auto');
      process.env['SLUICE_CHECKPOINT'] = 'all';
      expect(checkpointPolicy(undefined)).toBe('all');
      process.env['SLUICE_CHECKPOINT'] = 'sometimes';
      expect(checkpointPolicy(undefined)).toBe('auto');
    } finally {
      if (saved === undefined) delete process.env['SLUICE_CHECKPOINT'];
      else process.env['SLUICE_CHECKPOINT'] = saved;
    }
  });
});

describe('checkpoint policies in runs', () => {
  const chain = () =>
    pipeline(
      [
        { id: 'src', kind: 'source.csv', config: { path: 'a.csv' } },
        { id: 'typed', kind: 'cast', config: { types: { amount: 'INTEGER' } } },
        { id: 'out', kind: 'sink.csv', config: { path: 'out/a.csv' } },
      ],
      ['src -> typed', 'typed -> out'],
    );
  const journalOutputs = (historyDir: string, runId: string) =>
    fs
      .readFileSync(path.join(historyDir, runId, 'journal.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { t: string; nodeId?: string; outputs?: Record<string, unknown> })
      .filter((e) => e.t === 'node')
      .map((e) => [e.nodeId, Object.values(e.outputs ?? {}).map((o) => (o === null || o === 'unread' ? o : 'file'))]);

  it('records in the journal what each policy kept, and every policy gives the same result', async () => {
    const results: string[] = [];
    for (const policy of ['all', 'off', 'auto'] as const) {
      const baseDir = tmpDir('sluice-policy-');
      const historyDir = path.join(baseDir, 'h');
      writeFiles(baseDir, { 'a.csv': 'id,amount\n1,10\n2,x\n3,30\n' });
      const m = await runPipeline({ pipeline: chain(), baseDir, historyDir, checkpoint: policy });
      expect(m.outcome).toBe('succeeded');
      results.push(fs.readFileSync(path.join(baseDir, 'out', 'a.csv'), 'utf8'));
      const kept = journalOutputs(historyDir, m.runId);
      if (policy === 'all') expect(kept).toEqual([['src', ['file']], ['typed', ['file']], ['out', []]]);
      const flagged = m.nodes.filter((n) => n.checkpointed).map((n) => n.nodeId);
      if (policy === 'all') expect(flagged).toEqual(['src', 'typed']);
      if (policy === 'off') expect(flagged).toEqual([]);
      if (policy === 'off') expect(kept).toEqual([['src', [null]], ['typed', [null]], ['out', []]]);
    }
    expect(new Set(results).size).toBe(1);
  });

  it('the CLI refuses an unknown policy by name', () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
    const bin = path.join(root, 'engine', 'bin', 'sluice.js');
    if (!fs.existsSync(path.join(root, 'engine', 'dist', 'cli', 'main.js'))) return;
    const dir = tmpDir('sluice-policy-cli-');
    writeFiles(dir, { 'a.csv': 'id,amount\n1,10\n', 'p.json': JSON.stringify(chain()) });
    const r = spawnSync(process.execPath, [bin, 'run', path.join(dir, 'p.json'), '--checkpoint', 'sometimes'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--checkpoint must be one of auto, all, off, not "sometimes"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
