// Edits of the pipeline document that touch several nodes and edges at once; pure, so one edit is one
// store update (and one undo step).
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { upstreamClosure } from '@sluice/format/pipeline/graph';
import { freshNodeId, toFlowEdge, type FlowEdge, type FlowNode, type KindIndex, type PipelineMeta } from './graph';

export interface Graph {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

/** Removes the nodes, every edge touching them, and the edges given. */
export function deleteElements(g: Graph, nodeIds: ReadonlySet<string>, edgeIds: ReadonlySet<string>): Graph {
  return {
    nodes: g.nodes.filter((n) => !nodeIds.has(n.id)),
    edges: g.edges.filter((e) => !edgeIds.has(e.id) && !nodeIds.has(e.source) && !nodeIds.has(e.target)),
  };
}

const DUPLICATE_OFFSET = 40;

/**
 * Copies the nodes (fresh ids, offset so the copy is visible) and the edges between them; edges from the
 * rest of the graph are not copied, since a copy fed by the same input would often be refused anyway.
 * The copies come back selected and the originals deselected, so a second duplicate copies the copy.
 */
export function duplicateNodes(g: Graph, ids: ReadonlySet<string>, kinds: KindIndex): Graph & { created: string[] } {
  const taken = new Set(g.nodes.map((n) => n.id));
  const rename = new Map<string, string>();
  const copies: FlowNode[] = [];
  for (const n of g.nodes) {
    if (!ids.has(n.id)) continue;
    const id = freshNodeId(n.data.kind, taken);
    taken.add(id);
    rename.set(n.id, id);
    const data = { ...n.data, config: structuredClone(n.data.config) };
    copies.push({ id, type: n.type, position: { x: n.position.x + DUPLICATE_OFFSET, y: n.position.y + DUPLICATE_OFFSET }, data, selected: true });
  }
  const edgeCopies = g.edges.flatMap((e) => {
    const source = rename.get(e.source);
    const target = rename.get(e.target);
    if (!source || !target) return [];
    const role = e.data?.role ?? kinds[g.nodes.find((n) => n.id === e.source)?.data.kind ?? '']?.outputs.find((p) => p.name === e.sourceHandle)?.role ?? 'data';
    return [toFlowEdge({ from: { node: source, port: e.sourceHandle ?? '' }, to: { node: target, port: e.targetHandle ?? '' } }, role)];
  });
  return {
    nodes: [...g.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...copies],
    edges: [...g.edges.map((e) => (e.selected ? { ...e, selected: false } : e)), ...edgeCopies],
    created: copies.map((c) => c.id),
  };
}

/** Nodes copied with Ctrl+C: deep copies, with the edges that ran between them. */
export interface Clipboard {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

export function copyNodes(g: Graph, ids: ReadonlySet<string>): Clipboard | undefined {
  const nodes = g.nodes.filter((n) => ids.has(n.id)).map((n) => ({ id: n.id, type: n.type, position: { ...n.position }, data: structuredClone(n.data) }));
  if (nodes.length === 0) return undefined;
  const edges = g.edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map((e) => structuredClone({ ...e, selected: false }));
  return { nodes, edges };
}

/**
 * Adds the clipboard's nodes with fresh ids (never clashing with the graph's), shifted by `offset`, and their
 * edges re-pointed at the copies. The pasted nodes come back selected and everything else deselected.
 */
export function pasteNodes(g: Graph, clip: Clipboard, offset: number): Graph & { created: string[] } {
  const taken = new Set(g.nodes.map((n) => n.id));
  const rename = new Map<string, string>();
  const copies: FlowNode[] = clip.nodes.map((n) => {
    const id = freshNodeId(n.data.kind, taken);
    taken.add(id);
    rename.set(n.id, id);
    return { id, type: n.type, position: { x: n.position.x + offset, y: n.position.y + offset }, data: structuredClone(n.data), selected: true };
  });
  const edgeCopies = clip.edges.flatMap((e) => {
    const source = rename.get(e.source);
    const target = rename.get(e.target);
    if (!source || !target) return [];
    return [toFlowEdge({ from: { node: source, port: e.sourceHandle ?? '' }, to: { node: target, port: e.targetHandle ?? '' } }, e.data?.role ?? 'data')];
  });
  return {
    nodes: [...g.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...copies],
    edges: [...g.edges.map((e) => (e.selected ? { ...e, selected: false } : e)), ...edgeCopies],
    created: copies.map((c) => c.id),
  };
}

export interface DocSnapshot {
  meta: PipelineMeta;
  nodes: FlowNode[];
  edges: FlowEdge[];
}

/**
 * Whether two states hold the same document. Selection, measured sizes and drag flags are view state, so
 * they are ignored; a node's data object is replaced on every config edit, so comparing it by identity is exact.
 */
export function sameDocument(a: DocSnapshot, b: DocSnapshot): boolean {
  if (a.meta !== b.meta || a.nodes.length !== b.nodes.length || a.edges.length !== b.edges.length) return false;
  for (let i = 0; i < a.nodes.length; i++) {
    const x = a.nodes[i] as FlowNode;
    const y = b.nodes[i] as FlowNode;
    if (x.id !== y.id || x.data !== y.data || x.position.x !== y.position.x || x.position.y !== y.position.y) return false;
  }
  for (let i = 0; i < a.edges.length; i++) if (a.edges[i]?.id !== b.edges[i]?.id) return false;
  return true;
}

/**
 * The part of a pipeline a preview at `nodeId` needs: the node and everything upstream of it. Sending only
 * that keeps a half-configured node elsewhere on the canvas from blocking every preview.
 */
export function upstreamPipeline(p: Pipeline, nodeId: string): Pipeline {
  const keep = new Set(upstreamClosure(p, nodeId));
  return { ...p, nodes: p.nodes.filter((n) => keep.has(n.id)), edges: p.edges.filter((e) => keep.has(e.from.node) && keep.has(e.to.node)) };
}

/** A key that changes when what a preview computes changes; positions and labels do not count. */
export function previewKey(p: Pipeline, nodeId: string, baseDir: string | undefined): string {
  return JSON.stringify({
    nodeId,
    baseDir,
    params: p.params,
    nodes: p.nodes.map((n) => [n.id, n.kind, n.config]),
    edges: p.edges.map((e) => [e.from.node, e.from.port, e.to.node, e.to.port]),
  });
}
