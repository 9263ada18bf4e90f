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
  /** Set for runs (which free outputs as they go), not for previews (which cache and show every node's rows). */
  dropConsumed?: boolean | undefined;
  /** Every output is checkpointed (policy 'all'): see viewPays. */
  keepTables?: boolean | undefined;
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
    // A preview shows a node's first rows, in order, whatever reads them later. (A run also names the nodes it
    // runs, in `only`, so a preview is told apart by not freeing outputs: with `only` alone, order mattered
    // everywhere in every run and a join before an aggregate sorted its whole output for nothing.)
    let matters = o.dropConsumed !== true;
    for (const e of g.outOf.get(id) ?? []) {
      if (matters) break;
      const consumer = g.node.get(e.to.node);
      const ck = consumer && o.kindOf(consumer.kind);
      const how = (ck && (ck.inputOrderOf?.(consumer.config) ?? ck.inputOrder)) ?? 'requires';
      // A consumer outside this run (not in the order) is treated as requiring order, as before.
      if (how === 'requires' || (how === 'propagates' && (g.orderMatters.get(e.to.node) ?? true))) matters = true;
    }
    g.orderMatters.set(id, matters);
  }
}

/**
 * How many times the rows of a view would be computed if this output were one: once per reader, where a
 * row-wise transform that answers with a view itself (derive, select, a filter over a view) passes its own
 * readers' count through. Stops counting past `cap`.
 */
function viewReads(o: GraphRun, g: GraphIndex, nodeId: string, port: string, cap: number): number {
  let reads = 0;
  // A worklist, not recursion: a long chain of filters after the node must not overflow the stack.
  const work = (g.outOf.get(nodeId) ?? []).filter((e) => e.from.port === port);
  while (work.length > 0 && reads <= cap) {
    const e = work.pop() as Edge;
    const consumer = g.node.get(e.to.node);
    const ck = consumer && o.kindOf(consumer.kind);
    if (ck && ck.category === 'transform' && ck.traits.rows === 'row-wise' && !ck.tableInputs?.length && ck.outputs.length === 1) {
      const next = g.outOf.get(e.to.node) ?? [];
      // An unread row-wise node is still counted once (the runtime counts its output).
      if (next.length === 0) reads += 1;
      else work.push(...next);
    } else reads += 1;
  }
  return reads;
}

/**
 * The most times a set-wise node's output may be computed again by its readers before storing it once is
 * cheaper. Measured on the validation workload's join (orders joined to 10 K customers, 2 threads, load ~12),
 * paired and interleaved in one process, 4 rounds each, the statements a run makes after the join with its output
 * stored or a view: stored, the sorted join 8.6-11.7 s + its profile 3.6-4.3 s + a Parquet sink's COPY 11.7-12.6 s
 * + a derive and an aggregate 0.2-0.5 s = 24.7-29.0 s in all; as a view, the runtime's count 0.7-1.2 s + the
 * COPY (the join and sort streaming into the writer) 13.6-16.5 s + the derive's two counts 2.2-2.9 s + the
 * aggregate 1.5-2.4 s = 18.7-22.5 s (5 M rows); at 1 M rows 5.9-7.3 s against 4.0-6.2 s. Storing costs about
 * what five to ten narrow reads of the view do; three readers (each with its counts) stay well below.
 */
export const MAX_VIEW_READS = 3;

/**
 * Whether a node may answer on this output port with a view (its readers run its query inside their own)
 * rather than a stored table. Never in a preview (its nodes' rows are cached and read again as the user moves
 * along), nor when every output is checkpointed (the checkpoint would compute the view once more), nor when a
 * reader needs a table anyway (`tableInputs`: it would be stored before that reader runs, after the runtime
 * counted the view), nor when a reader is outside this run; otherwise while at most `maxReads` reads compute it
 * (MAX_VIEW_READS unless the kind measured its own: a sort, whose every read sorts again, allows one).
 */
export function viewPays(o: GraphRun, g: GraphIndex, nodeId: string, port: string, maxReads = MAX_VIEW_READS): boolean {
  if (o.dropConsumed !== true || o.keepTables === true) return false;
  for (const e of g.outOf.get(nodeId) ?? []) {
    if (e.from.port !== port) continue;
    if (!g.position.has(e.to.node)) return false;
    const ck = o.kindOf(g.node.get(e.to.node)?.kind ?? '');
    if (!ck || ck.tableInputs?.includes(e.to.port)) return false;
  }
  return viewReads(o, g, nodeId, port, maxReads) <= maxReads;
}

/**
 * The one edge reading a node's output port, when its reader counts every row it reads there (its kind's
 * `countsInputs`) and runs after the node in this run: the node may leave the port's row count to that reader.
 * Runs only (a preview shows and caches each node's counts as it goes); never into a port fed by several edges
 * (the reader's count would be their sum) or one the reader needs as a table (it would be stored, and counted,
 * before the reader runs).
 */
export function countingReader(o: GraphRun, g: GraphIndex, nodeId: string, port: string): Edge | undefined {
  if (o.dropConsumed !== true) return undefined;
  const out = (g.outOf.get(nodeId) ?? []).filter((e) => e.from.port === port);
  const e = out[0];
  if (out.length !== 1 || !e) return undefined;
  const at = g.position.get(e.to.node);
  const self = g.position.get(nodeId);
  if (at === undefined || self === undefined || at <= self) return undefined;
  const ck = o.kindOf(g.node.get(e.to.node)?.kind ?? '');
  if (!ck?.countsInputs?.includes(e.to.port) || ck.tableInputs?.includes(e.to.port)) return undefined;
  return (g.into.get(e.to.node) ?? []).filter((x) => x.to.port === e.to.port).length === 1 ? e : undefined;
}
