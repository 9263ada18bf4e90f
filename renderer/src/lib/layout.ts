// Auto-layout: a left-to-right layered drawing of the pipeline (dagre), sources on the left, sinks on the right.
import { Graph, layout } from '@dagrejs/dagre';

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
}

/** Node sizes before React Flow has measured a node. */
export const DEFAULT_SIZE = { width: 240, height: 120 };

/**
 * Top-left positions for every node, left to right along the edges. Nodes keep their order within a layer
 * as far as dagre can; disconnected nodes get their own rows.
 */
export function layeredPositions(nodes: readonly LayoutNode[], edges: readonly { source: string; target: string }[]): Map<string, { x: number; y: number }> {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 90, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.width, height: n.height });
  const ids = new Set(nodes.map((n) => n.id));
  edges.forEach((e, i) => {
    if (ids.has(e.source) && ids.has(e.target)) g.setEdge(e.source, e.target, {}, `e${i}`);
  });
  layout(g);
  const out = new Map<string, { x: number; y: number }>();
  for (const n of nodes) {
    const p = g.node(n.id);
    // dagre gives centres; the canvas places nodes by their top-left corner. Whole pixels keep the file tidy.
    out.set(n.id, { x: Math.round(p.x - n.width / 2), y: Math.round(p.y - n.height / 2) });
  }
  return out;
}
