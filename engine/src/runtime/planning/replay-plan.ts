// The replay planner: after a rule is fixed (or the rows edited), the rows a node quarantined in an earlier run go
// through that node again, and through what is downstream of its data outputs, in a new run. This decides, from
// the pipeline and the original run's record alone, whether that can be done faithfully and what runs: a kind
// that judges rows together (`traits.replay: 'refuses'`) or a node that also reads something the replay does not
// run would give wrong results on a few rows, so the replay is refused, naming it. Loading the rows is the
// executor's part (replay.ts).
import type { ReplayRequest, RunManifest } from '@sluice/format/api/contract';
import { topologicalOrder, upstreamClosure } from '@sluice/format/pipeline/graph';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { nodeName } from '@sluice/format/pipeline/node-name';
import { UserError } from '../exec-context.js';
import { runEverything, type ExecutionPlan, type KindOf } from './plan.js';

/**
 * `judging`: the kinds whose quarantine can be replayed (for the message when the node is not one of them).
 * `original`: the record of the run whose quarantine is replayed.
 */
export function planReplay(p: Pipeline, req: ReplayRequest, original: RunManifest, kindOf: KindOf, judging: string[]): ExecutionPlan {
  const node = p.nodes.find((n) => n.id === req.nodeId);
  if (!node) throw new UserError(`the pipeline has no node "${req.nodeId}"`, { nodeId: req.nodeId });
  const kind = kindOf(node.kind);
  // Each kind says how a replay treats it: `judges` (its quarantine can be replayed there), `passes`, `refuses`.
  if (kind?.traits.replay !== 'judges') {
    throw new UserError(`quarantined rows can be replayed at ${judging.join(', ')} nodes; ${nodeName(node)} is ${node.kind}`, { nodeId: node.id });
  }
  const rel = original.quarantine[node.id];
  if (!rel) throw new UserError(`run ${original.runId} quarantined nothing at ${nodeName(node)}`, { nodeId: node.id });
  const inEdge = p.edges.find((e) => e.to.node === node.id && e.to.port === 'in');
  if (!inEdge) throw new UserError('input "in" is not connected', { nodeId: node.id, field: 'in' });

  // Downstream of the node's data outputs (rows quarantined again stay in this run's quarantine).
  const dataPorts = new Set(kind.outputs.filter((x) => x.role === 'data').map((x) => x.name));
  const reach = new Set([node.id]);
  const stack = [node.id];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    for (const e of p.edges) {
      if (e.from.node !== id || reach.has(e.to.node)) continue;
      if (id === node.id && !dataPorts.has(e.from.port)) continue;
      reach.add(e.to.node);
      stack.push(e.to.node);
    }
  }
  for (const id of reach) {
    if (id === node.id) continue;
    const n = p.nodes.find((x) => x.id === id);
    if (!n) continue;
    if (kindOf(n.kind)?.traits.replay === 'refuses') throw new UserError(`replay cannot pass through "${id}" (${n.kind}): it judges rows together, so a few replayed rows would give it wrong results; rerun the pipeline instead`, { nodeId: id });
    const outside = p.edges.find((e) => e.to.node === id && !reach.has(e.from.node));
    if (outside) throw new UserError(`replay cannot pass through "${id}": it also reads "${outside.from.node}", which the replay does not run; rerun the pipeline instead`, { nodeId: id });
  }
  const warnings: string[] = [];
  const fedByQuarantine = p.edges.filter((e) => e.from.node === node.id && !dataPorts.has(e.from.port)).map((e) => e.to.node);
  if (fedByQuarantine.length > 0) warnings.push(`${fedByQuarantine.join(', ')} still list the rows of run ${original.runId} that pass now; rerun the pipeline to refresh them`);

  // The replayed rows join the earlier output: a sink that would overwrite it appends to it instead.
  const pipeline: Pipeline = {
    ...p,
    nodes: p.nodes.map((n) => (reach.has(n.id) && kindOf(n.kind)?.category === 'sink' && (n.config['mode'] ?? 'overwrite') === 'overwrite' ? { ...n, config: { ...n.config, mode: 'append' } } : n)),
  };
  const order = topologicalOrder(pipeline).order.filter((id) => reach.has(id));
  return {
    ...runEverything('replay', pipeline, order, kindOf),
    replay: { request: req, originalRunId: original.runId, nodeId: node.id, quarantineFile: rel, input: { node: inEdge.from.node, port: inEdge.from.port }, probe: upstreamClosure(p, inEdge.from.node), earlierReplays: (original.replays ?? []).filter((x) => x.nodeId === node.id).map((x) => x.runId), warnings },
  };
}
