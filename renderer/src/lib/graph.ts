// Pipeline document <-> React Flow elements. The pipeline file stays the source of truth for
// what is saved; React Flow's node objects carry it (plus UI-only fields) while editing.
import type { Edge as FlowEdgeBase, Node as FlowNodeBase } from '@xyflow/react';
import type { NodeKindInfo, PortSpec } from '@sluice/format/api/contract';
import type { Edge as PipelineEdge, Pipeline, PipelineNode } from '@sluice/format/pipeline/pipeline';

export type PortRole = PortSpec['role'];

export type PipelineNodeData = {
  kind: string;
  label?: string;
  config: Record<string, unknown>;
  /** The kind's config version the node was saved with (kept as loaded; the engine migrates older ones). */
  kindVersion?: number;
  /** Only for kinds this engine does not know: the ports the file's edges use, so they still draw. */
  unknownPorts?: { inputs: string[]; outputs: string[] };
};

export type FlowNode = FlowNodeBase<PipelineNodeData, 'pipeline'>;
export type FlowEdge = FlowEdgeBase<{ role: PortRole }>;

export type PipelineMeta = Omit<Pipeline, 'nodes' | 'edges'>;

export type KindIndex = Readonly<Record<string, NodeKindInfo>>;

export function edgeId(e: PipelineEdge): string {
  return `${e.from.node}.${e.from.port}->${e.to.node}.${e.to.port}`;
}

function outputRole(kinds: KindIndex, kind: string | undefined, port: string): PortRole {
  const info = kind ? kinds[kind] : undefined;
  return info?.outputs.find((p) => p.name === port)?.role ?? 'data';
}

export function toFlowEdge(e: PipelineEdge, role: PortRole): FlowEdge {
  return {
    id: edgeId(e),
    source: e.from.node,
    sourceHandle: e.from.port,
    target: e.to.node,
    targetHandle: e.to.port,
    data: { role },
    className: `sl-edge sl-edge--${role}`,
  };
}

export function toFlow(p: Pipeline, kinds: KindIndex): { meta: PipelineMeta; nodes: FlowNode[]; edges: FlowEdge[] } {
  const { nodes, edges, ...meta } = p;
  const kindOf = new Map(nodes.map((n) => [n.id, n.kind]));
  const flowNodes = nodes.map((n): FlowNode => {
    const data: PipelineNodeData = { kind: n.kind, config: n.config };
    if (n.label !== undefined) data.label = n.label;
    if (n.kindVersion !== undefined) data.kindVersion = n.kindVersion;
    if (!kinds[n.kind]) {
      data.unknownPorts = {
        inputs: [...new Set(edges.filter((e) => e.to.node === n.id).map((e) => e.to.port))],
        outputs: [...new Set(edges.filter((e) => e.from.node === n.id).map((e) => e.from.port))],
      };
    }
    return { id: n.id, type: 'pipeline', position: { ...n.position }, data };
  });
  const flowEdges = edges.map((e) => toFlowEdge(e, outputRole(kinds, kindOf.get(e.from.node), e.from.port)));
  return { meta, nodes: flowNodes, edges: flowEdges };
}

/** Back to the file format: positions rounded so that nudging a node does not churn the diff with decimals. */
export function toPipeline(meta: PipelineMeta, nodes: readonly FlowNode[], edges: readonly FlowEdge[]): Pipeline {
  const { annotations, ...rest } = meta;
  return {
    ...rest,
    ...annotationsOf(annotations, nodes),
    nodes: nodes.map((n): PipelineNode => {
      const out: PipelineNode = {
        id: n.id,
        kind: n.data.kind,
        config: n.data.config,
        position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
      };
      if (n.data.label !== undefined) out.label = n.data.label;
      if (n.data.kindVersion !== undefined) out.kindVersion = n.data.kindVersion;
      return out;
    }),
    edges: edges.map((e) => ({
      from: { node: e.source, port: e.sourceHandle ?? '' },
      to: { node: e.target, port: e.targetHandle ?? '' },
    })),
  };
}

/**
 * The annotations as saved: a group lists only nodes that still exist (deleting a node leaves its group), a
 * group left without nodes goes, and no annotations at all leaves the key out (the file saves as before).
 */
function annotationsOf(a: PipelineMeta['annotations'], nodes: readonly FlowNode[]): Pick<Pipeline, 'annotations'> {
  if (!a) return {};
  const ids = new Set(nodes.map((n) => n.id));
  const groups = a.groups.map((g) => (g.nodes.every((id) => ids.has(id)) ? g : { ...g, nodes: g.nodes.filter((id) => ids.has(id)) })).filter((g) => g.nodes.length > 0);
  if (a.notes.length === 0 && groups.length === 0) return {};
  return { annotations: { notes: a.notes, groups } };
}

/** Ids must match the file's id alphabet; the first free `<kind>_<n>` counting from the kind's next ordinal. */
export function freshNodeId(kind: string, taken: ReadonlySet<string>): string {
  let base = kind.replace(/[^A-Za-z0-9_-]/g, '_');
  if (!/^[A-Za-z]/.test(base)) base = `n_${base}`;
  base = base.slice(0, 56);
  let n = [...taken].filter((id) => id === base || id.startsWith(`${base}_`)).length + 1;
  while (taken.has(`${base}_${n}`)) n += 1;
  return `${base}_${n}`;
}
