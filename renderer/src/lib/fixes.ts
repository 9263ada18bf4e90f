// One-click fixes for the static problems the engine reports: each `Fix` becomes one edit of the document
// (one undo step). Pure: nodes and edges in, nodes and edges out.
import type { Fix } from '@sluice/format/api/contract';
import { freshNodeId, toFlowEdge, type FlowEdge, type FlowNode, type KindIndex } from './graph';
import { setIn, type Path } from './immutable';

/** `rules[0].column` → ['rules', 0, 'column'] */
export function parseField(field: string): Path {
  const out: (string | number)[] = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(JSON.parse(`"${m[3]}"`) as string);
  }
  return out;
}

export interface DocumentGraph {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

/**
 * The document after `fix`, for the problem found at `nodeId`; undefined when the fix no longer applies (the
 * node or edge it names is gone). An inserted Cast node sits on the edge, halfway between its ends.
 */
export function applyFix(doc: DocumentGraph, nodeId: string | undefined, fix: Fix, kinds: KindIndex): (DocumentGraph & { created?: string }) | undefined {
  if (fix.action === 'set_type') {
    const target = doc.nodes.find((n) => n.id === fix.nodeId);
    if (!target) return undefined;
    const types = { ...((target.data.config['types'] as Record<string, string> | undefined) ?? {}), [fix.column]: fix.type };
    return { ...doc, nodes: doc.nodes.map((n) => (n.id === fix.nodeId ? { ...n, data: { ...n.data, config: { ...n.data.config, types } } } : n)) };
  }
  if (fix.action === 'set_field') {
    if (!nodeId || !doc.nodes.some((n) => n.id === nodeId)) return undefined;
    return { ...doc, nodes: doc.nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, config: setIn(n.data.config, parseField(fix.field), fix.value) as Record<string, unknown> } } : n)) };
  }
  const edge = doc.edges.find((e) => e.target === fix.nodeId && e.targetHandle === fix.port);
  const from = edge && doc.nodes.find((n) => n.id === edge.source);
  const to = doc.nodes.find((n) => n.id === fix.nodeId);
  const cast = kinds['cast'];
  if (!edge || !from || !to || !cast) return undefined;
  const id = freshNodeId('cast', new Set(doc.nodes.map((n) => n.id)));
  const node: FlowNode = {
    id,
    type: 'pipeline',
    position: { x: Math.round((from.position.x + to.position.x) / 2), y: Math.round((from.position.y + to.position.y) / 2) + 90 },
    data: { kind: 'cast', config: { types: { [fix.column]: fix.type } }, kindVersion: cast.version },
  };
  const edges = doc.edges.filter((e) => e !== edge);
  edges.push(toFlowEdge({ from: { node: edge.source, port: edge.sourceHandle ?? '' }, to: { node: id, port: 'in' } }, edge.data?.role ?? 'data'));
  edges.push(toFlowEdge({ from: { node: id, port: 'out' }, to: { node: fix.nodeId, port: fix.port } }, 'data'));
  return { nodes: [...doc.nodes, node], edges, created: id };
}
