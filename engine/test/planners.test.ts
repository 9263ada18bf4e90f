// The three planners (fresh, resume, replay) as pure functions: a plan from the pipeline and the facts gathered
// before it (journal, settled commits, verified checkpoints, the original run's record). Nothing runs here.
import { describe, expect, it } from 'vitest';
import type { NodeMetrics, ReplayRequest, RunManifest } from '@sluice/format/api/contract';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { UserError } from '@sluice/format/api/errors';
import { kindOf } from '../src/nodes/registry.js';
import { journalState, type JournalEntry, type NodeEntry } from '../src/runtime/durability/journal.js';
import { planFresh, type ExecutionPlan } from '../src/runtime/planning/plan.js';
import { planResume, type ResumeFacts } from '../src/runtime/planning/resume-plan.js';
import { planReplay } from '../src/runtime/planning/replay-plan.js';

type N = [id: string, kind: string, config?: Record<string, unknown>];

/** `a` is `a.out -> b.in`; `a.valid` names the port. */
function graph(nodes: N[], edges: string[]): Pipeline {
  const end = (s: string, port: string) => {
    const [node = '', p = port] = s.split('.');
    return { node, port: p };
  };
  return {
    version: 1,
    name: 'plans',
    nodes: nodes.map(([id, kind, config = {}]) => ({ id, kind, config })),
    edges: edges.map((e) => {
      const [from = '', to = ''] = e.split(' -> ');
      return { from: end(from, 'out'), to: end(to, 'in') };
    }),
  } as unknown as Pipeline;
}

const CHAIN = graph(
  [['src', 'source.csv', { path: 'in.csv' }], ['rules', 'validate', { rules: [] }], ['total', 'aggregate', { groupBy: [], aggregates: [] }], ['out', 'sink.csv', { path: 'out.csv' }], ['bad', 'sink.csv', { path: 'bad.csv', mode: 'append' }]],
  ['src -> rules', 'rules.valid -> total', 'total -> out', 'rules.quarantine -> bad'],
);

const metrics = (nodeId: string, kind: string): NodeMetrics => ({ nodeId, kind, status: 'ok', rowsIn: 4, rowsOut: 4, quarantined: 0, filtered: 0, passed: 4, durationMs: 5, outputs: {}, warnings: [] });
const ref = (file: string) => ({ file, sha256: `sha-${file}`, rows: 4, columns: [] });
const nodeEntry = (nodeId: string, kind: string, outputs: NodeEntry['outputs']): JournalEntry => ({ t: 'node', nodeId, fingerprint: `fp-${nodeId}`, metrics: metrics(nodeId, kind), outputs, quarantine: null });
const fingerprints = (p: Pipeline) => new Map(p.nodes.map((n) => [n.id, `fp-${n.id}`]));

function facts(p: Pipeline, entries: JournalEntry[], o: Partial<ResumeFacts> = {}): ResumeFacts {
  const journal = journalState(entries);
  return { journal, committed: new Map(), fingerprints: fingerprints(p), verified: new Set(journal.nodes.keys()), ...o };
}
const actions = (plan: ExecutionPlan) => Object.fromEntries([...plan.steps].map(([id, s]) => [id, s.do]));

describe('the fresh planner', () => {
  it('runs every node in order and lets every sink publish as configured', () => {
    const plan = planFresh(CHAIN, kindOf);
    expect(plan.mode).toBe('fresh');
    expect(new Set(plan.order)).toEqual(new Set(['src', 'rules', 'total', 'out', 'bad']));
    const at = (id: string) => plan.order.indexOf(id);
    expect([at('src') < at('rules'), at('rules') < at('total'), at('total') < at('out'), at('rules') < at('bad')]).toEqual([true, true, true, true]);
    expect(Object.values(actions(plan))).toEqual(['run', 'run', 'run', 'run', 'run']);
    expect(Object.fromEntries(plan.sinks)).toEqual({ out: { how: 'publish', mode: 'overwrite' }, bad: { how: 'publish', mode: 'append' } });
    expect(plan.replay).toBeUndefined();
  });
});

describe('the resume planner', () => {
  const base = () => planFresh(CHAIN, kindOf);
  const allCheckpointed = [
    nodeEntry('src', 'source.csv', { out: ref('src.out') }),
    nodeEntry('rules', 'validate', { valid: ref('rules.valid'), quarantine: ref('rules.quarantine') }),
    nodeEntry('total', 'aggregate', { out: ref('total.out') }),
  ];

  it('takes a committed sink as recorded and never lets it publish again', () => {
    const plan = planResume(base(), facts(CHAIN, allCheckpointed, { committed: new Map([['bad', { rows: 1, fingerprint: 'fp-bad' }]]) }), kindOf);
    expect(plan.mode).toBe('resume');
    expect(plan.steps.get('bad')).toMatchObject({ do: 'restore', metrics: { nodeId: 'bad', rowsIn: 1, passed: 1, resumed: true } });
    expect(plan.sinks.get('bad')).toEqual({ how: 'committed', rows: 1 });
    // The sink that did not commit still runs, from the aggregate's checkpoint; nothing upstream of it runs.
    expect(actions(plan)).toEqual({ src: 'restore', rules: 'restore', total: 'restore', out: 'run', bad: 'restore' });
    expect(plan.sinks.get('out')).toEqual({ how: 'publish', mode: 'overwrite' });
    expect(plan.steps.get('total')).toMatchObject({ load: [{ port: 'out', checkpoint: ref('total.out') }] });
    // Outputs only restored nodes read are not loaded back.
    expect(plan.steps.get('src')).toMatchObject({ load: [] });
    expect(plan.steps.get('rules')).toMatchObject({ load: [] });
  });

  it('publishes again over a committed overwrite sink whose input changed, and refuses to append twice', () => {
    const committed = new Map([['out', { rows: 2, fingerprint: 'old' }]]);
    expect(planResume(base(), facts(CHAIN, allCheckpointed, { committed }), kindOf).sinks.get('out')).toEqual({ how: 'publish', mode: 'overwrite' });
    const appended = new Map([['bad', { rows: 2, fingerprint: 'old' }]]);
    expect(() => planResume(base(), facts(CHAIN, allCheckpointed, { committed: appended }), kindOf)).toThrow(UserError);
    expect(() => planResume(base(), facts(CHAIN, allCheckpointed, { committed: appended }), kindOf)).toThrow(/sink "bad" already appended/);
  });

  it('reruns a node whose checkpoint did not verify, whose fingerprint changed, or whose output was a view', () => {
    const unverified = planResume(base(), facts(CHAIN, allCheckpointed, { verified: new Set(['src', 'rules']) }), kindOf);
    expect(actions(unverified)).toMatchObject({ src: 'restore', rules: 'restore', total: 'run', out: 'run', bad: 'run' });
    // The aggregate and the quarantine's sink run again, so the validator's checkpoints they read are loaded back.
    expect(unverified.steps.get('rules')).toMatchObject({ load: [{ port: 'valid', checkpoint: ref('rules.valid') }, { port: 'quarantine', checkpoint: ref('rules.quarantine') }] });

    const edited = fingerprints(CHAIN).set('rules', 'fp-edited');
    const afterEdit = planResume(base(), facts(CHAIN, allCheckpointed, { fingerprints: edited }), kindOf);
    expect(actions(afterEdit)).toMatchObject({ src: 'restore', rules: 'run' });

    const views = [allCheckpointed[0] as JournalEntry, nodeEntry('rules', 'validate', { valid: null, quarantine: ref('rules.quarantine') })];
    expect(actions(planResume(base(), facts(CHAIN, views), kindOf))).toMatchObject({ src: 'restore', rules: 'run', total: 'run' });
  });

  it('takes a finished node without checkpoints as recorded when nothing that runs reads it', () => {
    // Everything downstream of src and rules committed or was restored: they need not run, and load nothing.
    const entries = [nodeEntry('src', 'source.csv', { out: null }), nodeEntry('rules', 'validate', { valid: null, quarantine: null }), nodeEntry('total', 'aggregate', { out: ref('total.out') })];
    const committed = new Map([['bad', { rows: 1, fingerprint: 'fp-bad' }]]);
    const plan = planResume(base(), facts(CHAIN, entries, { committed }), kindOf);
    expect(actions(plan)).toEqual({ src: 'restore', rules: 'restore', total: 'restore', out: 'run', bad: 'restore' });
    // Without the aggregate's checkpoint, the chain has to run again.
    const noAggregate = planResume(base(), facts(CHAIN, entries.slice(0, 2), { committed }), kindOf);
    expect(actions(noAggregate)).toMatchObject({ src: 'run', rules: 'run', total: 'run', out: 'run' });
  });

  it('resumes a replay as that replay: the same nodes, its sinks appending, its rows entering where they did', () => {
    const p = graph([['src', 'source.csv', { path: 'in.csv' }], ['rules', 'validate', { rules: [] }], ['out', 'sink.csv', { path: 'out.csv' }]], ['src -> rules', 'rules.valid -> out']);
    const replay = planReplay(p, { runId: 'r1', nodeId: 'rules' }, original('r1', { rules: 'quarantine/rules.parquet' }), kindOf, ['validate']);
    const plan = planResume(replay, facts(replay.pipeline, [nodeEntry('rules', 'validate', { valid: ref('rules.valid'), quarantine: 'unread' })]), kindOf);
    expect(plan.order).toEqual(['rules', 'out']);
    expect(actions(plan)).toEqual({ rules: 'restore', out: 'run' });
    expect(plan.sinks.get('out')).toEqual({ how: 'publish', mode: 'append' });
    expect(plan.replay).toEqual(replay.replay);
  });
});

function original(runId: string, quarantine: Record<string, string>, replays: RunManifest['replays'] = []): RunManifest {
  return { runId, pipelineName: 'plans', pipelineHash: 'h', params: {}, engineVersion: '0', startedAt: '', finishedAt: '', outcome: 'succeeded', nodes: [], quarantine, errors: [], replays };
}

describe('the replay planner', () => {
  const req: ReplayRequest = { runId: 'r1', nodeId: 'rules' };
  const p = graph(
    [['src', 'source.csv', { path: 'in.csv' }], ['typed', 'cast', { types: {} }], ['rules', 'validate', { rules: [] }], ['pick', 'select', { columns: ['a'] }], ['out', 'sink.csv', { path: 'out.csv' }], ['db', 'sink.csv', { path: 'db.csv', mode: 'merge' }], ['bad', 'sink.csv', { path: 'bad.csv' }]],
    ['src -> typed', 'typed -> rules', 'rules.valid -> pick', 'pick -> out', 'pick -> db', 'rules.quarantine -> bad'],
  );
  const run1 = original('r1', { rules: 'quarantine/rules.parquet' }, [
    { runId: 'r2', nodeId: 'rules', at: '', replayed: 2, passed: 1, quarantined: 1, filtered: 0, outcome: 'succeeded' },
    { runId: 'r3', nodeId: 'typed', at: '', replayed: 1, passed: 1, quarantined: 0, filtered: 0, outcome: 'succeeded' },
  ]);

  it('runs the node and what its data outputs feed, never its upstream; overwrite sinks append', () => {
    const plan = planReplay(p, req, run1, kindOf, ['validate']);
    expect(plan.mode).toBe('replay');
    expect(plan.order.slice(0, 2)).toEqual(['rules', 'pick']);
    expect(new Set(plan.order)).toEqual(new Set(['rules', 'pick', 'out', 'db']));
    expect(Object.fromEntries(plan.sinks)).toEqual({ out: { how: 'publish', mode: 'append' }, db: { how: 'publish', mode: 'merge' } });
    expect(plan.pipeline.nodes.find((n) => n.id === 'out')?.config['mode']).toBe('append');
    // The quarantine's own sink is not part of the replay, and the user is told it still lists the old rows.
    expect(plan.replay).toMatchObject({ nodeId: 'rules', originalRunId: 'r1', quarantineFile: 'quarantine/rules.parquet', input: { node: 'typed', port: 'out' }, probe: ['src', 'typed'], earlierReplays: ['r2'] });
    expect(plan.replay?.warnings.join()).toContain('bad still list the rows of run r1');
  });

  it('refuses a set-wise kind downstream, naming it', () => {
    const agg = graph([['src', 'source.csv', { path: 'in.csv' }], ['rules', 'validate', { rules: [] }], ['total', 'aggregate', { groupBy: [], aggregates: [] }], ['out', 'sink.csv', { path: 'out.csv' }]], ['src -> rules', 'rules.valid -> total', 'total -> out']);
    expect(() => planReplay(agg, req, run1, kindOf, ['validate'])).toThrow(/replay cannot pass through "total" \(aggregate\): it judges rows together/);
  });

  it('refuses a node that also reads what the replay does not run, and a node that does not judge rows', () => {
    const joined = graph(
      [['src', 'source.csv', { path: 'in.csv' }], ['other', 'source.csv', { path: 'o.csv' }], ['rules', 'validate', { rules: [] }], ['j', 'join', { type: 'inner', on: [] }], ['out', 'sink.csv', { path: 'out.csv' }]],
      ['src -> rules', 'rules.valid -> j.left', 'other -> j.right', 'j -> out'],
    );
    expect(() => planReplay(joined, req, run1, kindOf, ['validate'])).toThrow(/replay cannot pass through "j": it also reads "other"/);
    expect(() => planReplay(p, { runId: 'r1', nodeId: 'pick' }, run1, kindOf, ['cast', 'validate'])).toThrow(/can be replayed at cast, validate nodes; node "pick" is select/);
    expect(() => planReplay(p, { runId: 'r1', nodeId: 'typed' }, run1, kindOf, ['cast', 'validate'])).toThrow(/run r1 quarantined nothing at node "typed"/);
  });
});
