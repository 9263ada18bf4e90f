// React Flow's nodes and edges, derived from the document and the canvas's view state (selection, measured sizes,
// drag flags). Each is remembered per document node: an unchanged node keeps its object (and its `data` object
// through a move), so React Flow skips re-rendering it, and an update that changes no node keeps the whole array,
// so subscribers to `nodes` are not woken by a panel opening. Large canvases depend on both.
import type { Edge as PipelineEdge, Pipeline, PipelineNode } from '@sluice/format/pipeline/pipeline';
import { toFlowEdge, type FlowEdge, type FlowNode, type KindIndex, type PipelineNodeData, type PortRole } from '../lib/graph';

export interface Size {
  width: number;
  height: number;
}

/** What the canvas knows about nodes that is not part of the document. */
export interface CanvasView {
  selectedNodes: ReadonlySet<string>;
  selectedEdges: ReadonlySet<string>;
  measured: ReadonlyMap<string, Size>;
  dragging: ReadonlySet<string>;
}

export const emptyView = (): CanvasView => ({ selectedNodes: new Set(), selectedEdges: new Set(), measured: new Map(), dragging: new Set() });

export interface Derived {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

/** Caches for one catalog (an edge's role and a node's ports depend on the kinds). */
interface Caches {
  kinds: KindIndex;
  data: WeakMap<object, PipelineNodeData>;
  nodes: WeakMap<PipelineNode, FlowNode>;
  edges: WeakMap<PipelineEdge, FlowEdge>;
  /** Data of nodes of unknown kinds, with the edge list their ports were read from. */
  unknown: WeakMap<PipelineNode, { edges: readonly PipelineEdge[]; data: PipelineNodeData }>;
}

let caches: Caches | undefined;

function cachesFor(kinds: KindIndex): Caches {
  if (!caches || caches.kinds !== kinds) caches = { kinds, data: new WeakMap(), nodes: new WeakMap(), edges: new WeakMap(), unknown: new WeakMap() };
  return caches;
}

/** Ports the file's edges use on nodes of kinds this engine does not know, so they still draw. */
function unknownPorts(doc: Pipeline, id: string): { inputs: string[]; outputs: string[] } {
  return {
    inputs: [...new Set(doc.edges.filter((e) => e.to.node === id).map((e) => e.to.port))],
    outputs: [...new Set(doc.edges.filter((e) => e.from.node === id).map((e) => e.from.port))],
  };
}

/** The node's `data`, the same object as long as kind, label, version and config are (a move keeps it). */
function dataOf(n: PipelineNode, c: Caches, doc: Pipeline): PipelineNodeData {
  if (!c.kinds[n.kind]) {
    // Rare (a file from a newer engine): its ports follow the edges, so it is kept only while they stay.
    const known = c.unknown.get(n);
    if (known && known.edges === doc.edges) return known.data;
    const data: PipelineNodeData = { kind: n.kind, config: n.config, unknownPorts: unknownPorts(doc, n.id) };
    if (n.label !== undefined) data.label = n.label;
    if (n.kindVersion !== undefined) data.kindVersion = n.kindVersion;
    c.unknown.set(n, { edges: doc.edges, data });
    return data;
  }
  const prev = c.data.get(n.config);
  if (prev && prev.kind === n.kind && prev.label === n.label && prev.kindVersion === n.kindVersion) return prev;
  const data: PipelineNodeData = { kind: n.kind, config: n.config };
  if (n.label !== undefined) data.label = n.label;
  if (n.kindVersion !== undefined) data.kindVersion = n.kindVersion;
  c.data.set(n.config, data);
  return data;
}

function flowNode(n: PipelineNode, view: CanvasView, c: Caches, doc: Pipeline): FlowNode {
  const selected = view.selectedNodes.has(n.id);
  const measured = view.measured.get(n.id);
  const dragging = view.dragging.has(n.id);
  const data = dataOf(n, c, doc);
  const prev = c.nodes.get(n);
  if (prev && prev.data === data && Boolean(prev.selected) === selected && prev.measured === measured && Boolean(prev.dragging) === dragging) return prev;
  const node: FlowNode = { id: n.id, type: 'pipeline', position: n.position, data };
  if (selected) node.selected = true;
  if (measured) node.measured = measured;
  if (dragging) node.dragging = true;
  c.nodes.set(n, node);
  return node;
}

function outputRole(kinds: KindIndex, kind: string | undefined, port: string): PortRole {
  return (kind ? kinds[kind]?.outputs.find((p) => p.name === port)?.role : undefined) ?? 'data';
}

function flowEdge(e: PipelineEdge, view: CanvasView, c: Caches, kindOf: (id: string) => string | undefined): FlowEdge {
  const prev = c.edges.get(e);
  if (prev && Boolean(prev.selected) === view.selectedEdges.has(prev.id)) return prev;
  const base = prev ? { ...prev } : toFlowEdge(e, outputRole(c.kinds, kindOf(e.from.node), e.from.port));
  const edge: FlowEdge = { ...base };
  delete edge.selected;
  if (view.selectedEdges.has(edge.id)) edge.selected = true;
  c.edges.set(e, edge);
  return edge;
}

/** Keeps `prev` when every element is the same object, so an unchanged list keeps its identity. */
function sameOr<T>(next: T[], prev: readonly T[] | undefined): T[] {
  if (prev && prev.length === next.length && next.every((x, i) => x === prev[i])) return prev as T[];
  return next;
}

const indexes = new WeakMap<readonly PipelineNode[], Map<string, number>>();

/**
 * `prev` with only the nodes in `ids` derived again: for view changes (a measured batch, a selection) of a
 * document that did not change, which then cost what they touch rather than the whole canvas.
 */
export function rederiveNodes(doc: Pipeline, view: CanvasView, kinds: KindIndex, prev: FlowNode[], ids: Iterable<string>): FlowNode[] {
  const c = cachesFor(kinds);
  let index = indexes.get(doc.nodes);
  if (!index) {
    index = new Map(doc.nodes.map((n, i) => [n.id, i]));
    indexes.set(doc.nodes, index);
  }
  let out: FlowNode[] | undefined;
  for (const id of ids) {
    const i = index.get(id);
    const n = i === undefined ? undefined : doc.nodes[i];
    if (i === undefined || !n) continue;
    const node = flowNode(n, view, c, doc);
    if (node === prev[i]) continue;
    out ??= prev.slice();
    out[i] = node;
  }
  return out ?? prev;
}

export function derive(doc: Pipeline, view: CanvasView, kinds: KindIndex, prev?: Derived): Derived {
  const c = cachesFor(kinds);
  const nodes = sameOr(
    doc.nodes.map((n) => flowNode(n, view, c, doc)),
    prev?.nodes,
  );
  let kindById: Map<string, string> | undefined;
  const kindOf = (id: string) => {
    kindById ??= new Map(doc.nodes.map((n) => [n.id, n.kind]));
    return kindById.get(id);
  };
  const edges = sameOr(
    doc.edges.map((e) => flowEdge(e, view, c, kindOf)),
    prev?.edges,
  );
  return { nodes, edges };
}
