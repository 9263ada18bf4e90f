// React Flow's shapes for the pipeline document: the designer's store holds the document itself (a `Pipeline`)
// and derives these from it (designer/derive.ts).
import type { Edge as FlowEdgeBase, Node as FlowNodeBase } from '@xyflow/react';
import type { NodeKindInfo, PortSpec } from '@sluice/format/api/contract';
import type { Edge as PipelineEdge, Pipeline } from '@sluice/format/pipeline/pipeline';

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

/** Ids must match the file's id alphabet; the first free `<kind>_<n>` counting from the kind's next ordinal. */
export function freshNodeId(kind: string, taken: ReadonlySet<string>): string {
  let base = kind.replace(/[^A-Za-z0-9_-]/g, '_');
  if (!/^[A-Za-z]/.test(base)) base = `n_${base}`;
  base = base.slice(0, 56);
  let n = [...taken].filter((id) => id === base || id.startsWith(`${base}_`)).length + 1;
  while (taken.has(`${base}_${n}`)) n += 1;
  return `${base}_${n}`;
}
