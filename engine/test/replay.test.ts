// Replaying quarantined rows after a fix: only those rows, through the node and what follows it, never twice, with
// a ledger in both run records that balances.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../src/runtime/run.js';
import { getRun } from '../src/runtime/durability/history.js';
import { pipeline, tmpDir, writeFiles } from './helpers.js';

const CSV = 'id,email,amount\n1,a@x.io,10\n2,broken,20\n3,c@x.io,30\n4,,40\n';

function checked(pattern: string, extraNodes: 'plain' | 'aggregate' = 'plain') {
  const nodes = [
    { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
    { id: 'typed', kind: 'cast', config: { types: { amount: 'INTEGER' } } },
    { id: 'rules', kind: 'validate', config: { rules: [{ id: 'email_ok', type: 'regex', column: 'email', pattern }, { id: 'email_set', type: 'not_null', column: 'email' }] } },
    ...(extraNodes === 'aggregate' ? [{ id: 'total', kind: 'aggregate', config: { groupBy: [], aggregates: [{ column: 'amount', fn: 'sum', as: 'total' }] } }] : []),
    { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
  ];
  const edges = extraNodes === 'aggregate' ? ['src -> typed', 'typed -> rules', 'rules.valid -> total', 'total -> out'] : ['src -> typed', 'typed -> rules', 'rules.valid -> out'];
  return pipeline(nodes, edges);
}

function setUp() {
  const baseDir = tmpDir('sluice-replay-');
  writeFiles(baseDir, { 'in.csv': CSV });
  return { baseDir, historyDir: path.join(baseDir, 'history') };
}

describe('replaying quarantined rows', () => {
  it('replays only the quarantined rows after a rule is fixed, appends what passes, and keeps a balanced ledger', async () => {
    const { baseDir, historyDir } = setUp();
    const first = await runPipeline({ pipeline: checked('^[^@]+@[^@]+$'), baseDir, historyDir });
    expect(first.outcome).toBe('succeeded');
    expect(first.nodes.find((n) => n.nodeId === 'rules')?.quarantined).toBe(2);
    expect(fs.readFileSync(path.join(baseDir, 'out.csv'), 'utf8')).toBe('id,email,amount\n1,a@x.io,10\n3,c@x.io,30\n');

    // The fix: "broken" is accepted now; the missing email still is not.
    const replay = await runPipeline({ pipeline: checked('.+'), baseDir, historyDir, replay: { runId: first.runId, nodeId: 'rules' } });
    expect(replay.outcome).toBe('succeeded');
    expect(replay.replayOf).toEqual({ runId: first.runId, nodeId: 'rules', rows: 2 });
    // Only the replayed node and what follows it ran; the source was not read again.
    expect(replay.nodes.map((n) => n.nodeId)).toEqual(['rules', 'out']);
    const rules = replay.nodes.find((n) => n.nodeId === 'rules');
    expect([rules?.rowsIn, rules?.rowsOut, rules?.quarantined]).toEqual([2, 1, 1]);
    expect(fs.readFileSync(path.join(baseDir, 'out.csv'), 'utf8')).toBe('id,email,amount\n1,a@x.io,10\n3,c@x.io,30\n2,broken,20\n');

    const ledger = getRun(historyDir, first.runId).replays;
    expect(ledger).toEqual([expect.objectContaining({ runId: replay.runId, nodeId: 'rules', replayed: 2, passed: 1, quarantined: 1, filtered: 0, outcome: 'succeeded' })]);

    // A second replay does not send the row that already passed again.
    const again = await runPipeline({ pipeline: checked('.+'), baseDir, historyDir, replay: { runId: first.runId, nodeId: 'rules' } });
    expect(again.replayOf?.rows).toBe(1);
    expect(again.nodes.find((n) => n.nodeId === 'rules')?.warnings.join()).toContain('1 row(s) passed in an earlier replay');
    expect(fs.readFileSync(path.join(baseDir, 'out.csv'), 'utf8')).toBe('id,email,amount\n1,a@x.io,10\n3,c@x.io,30\n2,broken,20\n');

    // Edited rows replace the stored values of the row they name.
    const lineage = (await import('../src/runtime/durability/history.js')).quarantinePage;
    const q = await lineage(historyDir, { runId: first.runId, nodeId: 'rules', offset: 0, limit: 10 });
    const missing = q.entries.find((e) => e.reasons.join().includes('missing'));
    if (!missing) throw new Error('expected the missing-email row in quarantine');
    const edited = await runPipeline({
      pipeline: checked('.+'),
      baseDir,
      historyDir,
      replay: { runId: first.runId, nodeId: 'rules', rows: [{ __lineage: missing.lineage, id: '4', email: 'd@x.io', amount: 40 }] },
    });
    expect(edited.outcome).toBe('succeeded');
    expect(fs.readFileSync(path.join(baseDir, 'out.csv'), 'utf8')).toBe('id,email,amount\n1,a@x.io,10\n3,c@x.io,30\n2,broken,20\n4,d@x.io,40\n');
    const total = getRun(historyDir, first.runId).replays ?? [];
    expect(total.reduce((s, r) => s + r.passed, 0)).toBe(2);
  });

  it('refuses replays it cannot do faithfully, naming why', async () => {
    const { baseDir, historyDir } = setUp();
    const first = await runPipeline({ pipeline: checked('^[^@]+@[^@]+$', 'aggregate'), baseDir, historyDir });
    const through = await runPipeline({ pipeline: checked('.+', 'aggregate'), baseDir, historyDir, replay: { runId: first.runId, nodeId: 'rules' } });
    expect(through.outcome).toBe('failed');
    expect(through.errors.join()).toMatch(/cannot pass through "total" \(aggregate\)/);
    const plain = await runPipeline({ pipeline: checked('^[^@]+@[^@]+$'), baseDir, historyDir });
    const unknownRow = await runPipeline({ pipeline: checked('.+'), baseDir, historyDir, replay: { runId: plain.runId, nodeId: 'rules', rows: [{ __lineage: 'src:in.csv:99' }] } });
    expect(unknownRow.errors.join()).toMatch(/names src:in.csv:99, which node "rules" did not quarantine/);
    const atSource = await runPipeline({ pipeline: checked('.+', 'aggregate'), baseDir, historyDir, replay: { runId: first.runId, nodeId: 'src' } });
    expect(atSource.errors.join()).toMatch(/can be replayed at cast, validate, schema_contract nodes/);
  });
});
