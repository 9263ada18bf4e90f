// Graph helpers over a pipeline's nodes and edges. Pure: used by the engine and the designer.
import type { Pipeline, Edge } from './pipeline.js';

/** Kahn's algorithm; ties are broken by file order so that runs are deterministic. */
export function topologicalOrder(p: Pick<Pipeline, 'nodes' | 'edges'>): { order: string[]; cycle: string[] } {
  const ids = p.nodes.map((n) => n.id);
  const indegree = new Map<string, number>(ids.map((id) => [id, 0]));
  const next = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of p.edges) {
    if (!indegree.has(e.from.node) || !indegree.has(e.to.node)) continue;
    indegree.set(e.to.node, (indegree.get(e.to.node) ?? 0) + 1);
    next.get(e.from.node)?.push(e.to.node);
  }
  const ready = ids.filter((id) => indegree.get(id) === 0);
  const order: string[] = [];
  // A read index instead of shift(): shifting is linear, which made large graphs quadratic.
  for (let head = 0; head < ready.length; head++) {
    const id = ready[head] as string;
    order.push(id);
    for (const m of next.get(id) ?? []) {
      const d = (indegree.get(m) ?? 0) - 1;
      indegree.set(m, d);
      if (d === 0) ready.push(m);
    }
  }
  const done = new Set(order);
  const cycle = ids.filter((id) => !done.has(id));
  return { order, cycle };
}

export function incomingEdges(p: Pick<Pipeline, 'edges'>, nodeId: string): Edge[] {
  return p.edges.filter((e) => e.to.node === nodeId);
}

/** The node and everything it depends on, in topological order. */
export function upstreamClosure(p: Pick<Pipeline, 'nodes' | 'edges'>, nodeId: string): string[] {
  const need = new Set<string>([nodeId]);
  const stack = [nodeId];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    for (const e of p.edges) {
      if (e.to.node === id && !need.has(e.from.node)) {
        need.add(e.from.node);
        stack.push(e.from.node);
      }
    }
  }
  return topologicalOrder(p).order.filter((id) => need.has(id));
}
