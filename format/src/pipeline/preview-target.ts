// What a preview of a node shows: the one rule, used by the engine's preview and by the designer. A sink has no
// output rows, and previewing it would run (and write) it, so it shows the rows arriving at its input: the
// upstream node's port that feeds it, which may be a quarantine port (a sink of rejected rows shows those rows,
// not the upstream node's valid ones). Pure, shared with the renderer.
import type { PortSpec } from '../api/contract.js';
import type { Pipeline } from './pipeline.js';

/** What the rule needs to know about a kind: its category and its ports (a catalog entry or a node kind). */
export interface PreviewKindInfo {
  category: 'source' | 'transform' | 'quality' | 'sink';
  outputs: readonly Pick<PortSpec, 'name' | 'role'>[];
}

export interface PreviewTarget {
  /** The node the user asked about. */
  nodeId: string;
  /** The node whose output is shown (a sink's upstream node for a sink). */
  requestNodeId: string;
  /** The output port of `requestNodeId` whose rows are shown; undefined when the node has no output to show. */
  port: string | undefined;
  /** For a sink: the upstream port feeding it and that port's role. */
  via?: { port: string; role: PortSpec['role'] };
}

/** Undefined when the node is not in the pipeline. */
export function previewTarget(p: Pipeline, nodeId: string, kindOf: (kind: string) => PreviewKindInfo | undefined): PreviewTarget | undefined {
  const node = p.nodes.find((n) => n.id === nodeId);
  if (!node) return undefined;
  const kind = kindOf(node.kind);
  if (kind?.category !== 'sink') return { nodeId, requestNodeId: nodeId, port: kind?.outputs.find((o) => o.role === 'data')?.name };
  const feed = p.edges.find((e) => e.to.node === nodeId);
  if (!feed) return { nodeId, requestNodeId: nodeId, port: undefined };
  const from = p.nodes.find((n) => n.id === feed.from.node);
  const role = (from && kindOf(from.kind)?.outputs.find((o) => o.name === feed.from.port)?.role) ?? 'data';
  return { nodeId, requestNodeId: feed.from.node, port: feed.from.port, via: { port: feed.from.port, role } };
}
