// One-click fixes for the static problems the engine reports: each `Fix` becomes one edit of the document
// (one undo step). Pure: a document in, a document out.
import type { Fix } from '@sluice/format/api/contract';
import type { Pipeline, PipelineNode } from '@sluice/format/pipeline/pipeline';
import { freshNodeId, type KindIndex } from './graph';
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

/**
 * The document after `fix`, for the problem found at `nodeId`; undefined when the fix no longer applies (the
 * node or edge it names is gone). An inserted Cast node sits on the edge, halfway between its ends.
 */
export function applyFix(doc: Pipeline, nodeId: string | undefined, fix: Fix, kinds: KindIndex): { doc: Pipeline; created?: string } | undefined {
  if (fix.action === 'set_type') {
    const target = doc.nodes.find((n) => n.id === fix.nodeId);
    if (!target) return undefined;
    const types = { ...((target.config['types'] as Record<string, string> | undefined) ?? {}), [fix.column]: fix.type };
    return { doc: { ...doc, nodes: doc.nodes.map((n) => (n.id === fix.nodeId ? { ...n, config: { ...n.config, types } } : n)) } };
  }
  if (fix.action === 'set_field') {
    if (!nodeId || !doc.nodes.some((n) => n.id === nodeId)) return undefined;
    return { doc: { ...doc, nodes: doc.nodes.map((n) => (n.id === nodeId ? { ...n, config: setIn(n.config, parseField(fix.field), fix.value) as Record<string, unknown> } : n)) } };
  }
  const edge = doc.edges.find((e) => e.to.node === fix.nodeId && e.to.port === fix.port);
  const from = edge && doc.nodes.find((n) => n.id === edge.from.node);
  const to = doc.nodes.find((n) => n.id === fix.nodeId);
  const cast = kinds['cast'];
  if (!edge || !from || !to || !cast) return undefined;
  const id = freshNodeId('cast', new Set(doc.nodes.map((n) => n.id)));
  const node: PipelineNode = {
    id,
    kind: 'cast',
    kindVersion: cast.version,
    config: { types: { [fix.column]: fix.type } },
    position: { x: Math.round((from.position.x + to.position.x) / 2), y: Math.round((from.position.y + to.position.y) / 2) + 90 },
  };
  const edges = doc.edges.filter((e) => e !== edge);
  edges.push({ from: edge.from, to: { node: id, port: 'in' } });
  edges.push({ from: { node: id, port: 'out' }, to: { node: fix.nodeId, port: fix.port } });
  return { doc: { ...doc, nodes: [...doc.nodes, node], edges }, created: id };
}
