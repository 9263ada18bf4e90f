// Graph helpers over a pipeline's nodes and edges. Pure: used by the engine and the designer.
// Every algorithm here is iterative and linear in nodes + edges: a pipeline file is untrusted, and a 5,000-node
// chain must neither overflow the call stack nor take quadratic time.
import type { Pipeline, Edge } from './pipeline.js';

type Graph = Pick<Pipeline, 'nodes' | 'edges'>;

/** Adjacency lists by node id (edges to or from unknown nodes are left out). */
export interface Adjacency {
  next: Map<string, string[]>;
  prev: Map<string, string[]>;
}

export function adjacency(p: Graph): Adjacency {
  const next = new Map<string, string[]>();
  const prev = new Map<string, string[]>();
  for (const n of p.nodes) {
    next.set(n.id, []);
    prev.set(n.id, []);
  }
  for (const e of p.edges) {
    const out = next.get(e.from.node);
    const into = prev.get(e.to.node);
    if (!out || !into) continue;
    out.push(e.to.node);
    into.push(e.from.node);
  }
  return { next, prev };
}

/**
 * Kahn's algorithm; ties are broken by file order so that runs are deterministic. `cycles` lists each cycle
 * found, exactly the nodes on it in edge order (nodes merely downstream of a cycle are not on it); `cycle` is
 * their union, for callers that only need to know whether there is one.
 */
export function topologicalOrder(p: Graph): { order: string[]; cycle: string[]; cycles: string[][] } {
  const ids = p.nodes.map((n) => n.id);
  const { next, prev } = adjacency(p);
  const indegree = new Map<string, number>();
  for (const id of ids) indegree.set(id, prev.get(id)?.length ?? 0);
  const ready = ids.filter((id) => indegree.get(id) === 0);
  const order: string[] = [];
  // An index instead of shift(): shift is linear, which made the sort quadratic.
  for (let head = 0; head < ready.length; head++) {
    const id = ready[head] as string;
    order.push(id);
    for (const m of next.get(id) ?? []) {
      const d = (indegree.get(m) ?? 0) - 1;
      indegree.set(m, d);
      if (d === 0) ready.push(m);
    }
  }
  if (order.length === ids.length) return { order, cycle: [], cycles: [] };
  const cycles = findCycles(ids.filter((id) => (indegree.get(id) ?? 0) > 0), prev, indegree);
  return { order, cycle: cycles.flat(), cycles };
}

/**
 * Among the nodes Kahn's algorithm could not order, each has a predecessor that is also unordered. Walking
 * predecessors from any of them must therefore come back to a node of the same walk: that loop is a cycle.
 * Every node is walked at most once, so this is linear.
 */
function findCycles(left: string[], prev: Map<string, string[]>, indegree: Map<string, number>): string[][] {
  const walkOf = new Map<string, number>();
  const cycles: string[][] = [];
  left.forEach((start, walk) => {
    if (walkOf.has(start)) return;
    const path: string[] = [];
    let cur: string | undefined = start;
    while (cur !== undefined && !walkOf.has(cur)) {
      walkOf.set(cur, walk);
      path.push(cur);
      cur = (prev.get(cur) ?? []).find((x) => (indegree.get(x) ?? 0) > 0);
    }
    if (cur === undefined || walkOf.get(cur) !== walk) return;
    // The walk went against the edges; the cycle reads forwards from the node where it closed.
    const loop = path.slice(path.indexOf(cur)).reverse();
    const at = loop.indexOf(cur);
    cycles.push([...loop.slice(at), ...loop.slice(0, at)]);
  });
  return cycles;
}

export function incomingEdges(p: Pick<Pipeline, 'edges'>, nodeId: string): Edge[] {
  return p.edges.filter((e) => e.to.node === nodeId);
}

/** Every node reachable from `from` along the edges (`'up'`: against them), `from` included. */
export function reachable(p: Graph, from: string[], direction: 'up' | 'down', adj = adjacency(p)): Set<string> {
  const links = direction === 'up' ? adj.prev : adj.next;
  const seen = new Set<string>(from);
  const stack = [...from];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    for (const m of links.get(id) ?? []) {
      if (!seen.has(m)) {
        seen.add(m);
        stack.push(m);
      }
    }
  }
  return seen;
}

/** The node and everything it depends on, in topological order. */
export function upstreamClosure(p: Graph, nodeId: string): string[] {
  const need = reachable(p, [nodeId], 'up');
  return topologicalOrder(p).order.filter((id) => need.has(id));
}
