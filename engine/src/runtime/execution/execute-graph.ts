// The run's graph as the executor needs it: lookups built once per run, which outputs a node's successors still
// need (so the others can be dropped as the run goes), and whether row order matters downstream of each node.
import type { Edge, Pipeline, PipelineNode } from '@sluice/format/pipeline/pipeline';
import type { Database } from '../../db/database.js';
import type { NodeKind } from '../../nodes/types.js';

/** What these helpers use of a run's options (ExecuteOptions has these and more). */
export interface GraphRun {
  kindOf: (kind: string) => NodeKind | undefined;
  db: Database;
  tableName: (nodeId: string, port: string) => string;
  only?: string[] | undefined;
}

/** Lookups built once per run, so that per-node work does not scan every node and edge (5,000-node chains). */
export interface GraphIndex {
  node: Map<string, PipelineNode>;
  into: Map<string, Edge[]>;
  outOf: Map<string, Edge[]>;
  /** Position of each node in the run's order; a node is done when its position is at most the current one. */
  position: Map<string, number>;
  orderMatters: Map<string, boolean>;
}

export function indexGraph(p: Pipeline, order: string[]): GraphIndex {
  const node = new Map(p.nodes.map((n) => [n.id, n]));
  const into = new Map<string, Edge[]>();
  const outOf = new Map<string, Edge[]>();
  for (const e of p.edges) {
    (into.get(e.to.node) ?? into.set(e.to.node, []).get(e.to.node))?.push(e);
    (outOf.get(e.from.node) ?? outOf.set(e.from.node, []).get(e.from.node))?.push(e);
  }
  return { node, into, outOf, position: new Map(order.map((id, i) => [id, i])), orderMatters: new Map() };
}

/** Each run's index, keyed by the run's options object (one per executePipeline call). */
export const graphIndex = new WeakMap<object, GraphIndex>();

export function indexOf(o: object): GraphIndex {
  const g = graphIndex.get(o);
  if (!g) throw new Error('executePipeline did not index its graph');
  return g;
}

/**
 * Free the memory of upstream outputs that no node still to run will read. A view keeps its inputs alive (it
 * reads them when consumed), so a node that produced views releases nothing until its views are dropped.
 * Quarantine tables are kept for the run record.
 */
export async function releaseInputs(o: GraphRun, nodeId: string, now: number): Promise<void> {
  const g = indexOf(o);
  // A worklist instead of recursion: dropping a view releases its own inputs in turn, down a chain of any length.
  const work = [nodeId];
  while (work.length > 0) {
    const id = work.pop() as string;
    const kind = o.kindOf(g.node.get(id)?.kind ?? '');
    let producedView = false;
    for (const port of kind?.outputs ?? []) {
      if ((await o.db.relationKind(o.tableName(id, port.name))) === 'view') producedView = true;
    }
    if (producedView) continue;
    for (const e of g.into.get(id) ?? []) {
      if (await releaseOutput(o, e.from.node, e.from.port, now)) work.push(e.from.node);
    }
  }
}

/** Drops an output no node still to run reads; true when it was a view, whose own inputs may now go too. */
async function releaseOutput(o: GraphRun, nodeId: string, port: string, now: number): Promise<boolean> {
  const g = indexOf(o);
  const consumers = (g.outOf.get(nodeId) ?? []).filter((x) => x.from.port === port).map((x) => x.to.node);
  if (consumers.some((c) => (g.position.get(c) ?? Number.POSITIVE_INFINITY) > now)) return false;
  // A consumer that answered with a view still reads this output whenever its view is read.
  for (const c of consumers) {
    const ck = o.kindOf(g.node.get(c)?.kind ?? '');
    for (const out of ck?.outputs ?? []) if ((await o.db.relationKind(o.tableName(c, out.name))) === 'view') return false;
  }
  const name = o.tableName(nodeId, port);
  const wasView = (await o.db.relationKind(name)) === 'view';
  await o.db.dropRelation(name);
  return wasView;
}

/**
 * Whether a consumer of each node, or one further down through order-keeping nodes, depends on row order.
 * Computed once, in reverse order (every consumer before its producers), instead of recursing down the graph.
 */
export function computeOrderMatters(o: GraphRun, g: GraphIndex, order: string[]): void {
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i] as string;
    // A preview shows a node's first rows, in order, whatever reads them later.
    let matters = o.only !== undefined;
    for (const e of g.outOf.get(id) ?? []) {
      if (matters) break;
      const consumer = g.node.get(e.to.node);
      const how = (consumer && o.kindOf(consumer.kind)?.inputOrder) ?? 'requires';
      // A consumer outside this run (not in the order) is treated as requiring order, as before.
      if (how === 'requires' || (how === 'propagates' && (g.orderMatters.get(e.to.node) ?? true))) matters = true;
    }
    g.orderMatters.set(id, matters);
  }
}
