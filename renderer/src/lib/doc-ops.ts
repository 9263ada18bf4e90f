// Edits of the pipeline document that touch several nodes and edges at once; pure, so one edit is one
// store update (and one undo step).
import type { Edge, Pipeline, PipelineNode } from '@sluice/format/pipeline/pipeline';
import { upstreamClosure } from '@sluice/format/pipeline/graph';
import { edgeId, freshNodeId } from './graph';

/** Removes the nodes, every edge touching them, and the edges given (by `edgeId`). */
export function deleteElements(doc: Pipeline, nodeIds: ReadonlySet<string>, edgeIds: ReadonlySet<string>): Pipeline {
  const nodes = doc.nodes.filter((n) => !nodeIds.has(n.id));
  const edges = doc.edges.filter((e) => !edgeIds.has(edgeId(e)) && !nodeIds.has(e.from.node) && !nodeIds.has(e.to.node));
  // Nothing to remove is no edit: the same document (and so no undo step).
  if (nodes.length === doc.nodes.length && edges.length === doc.edges.length) return doc;
  return { ...doc, nodes, edges };
}

const DUPLICATE_OFFSET = 40;

/** Nodes copied with Ctrl+C: deep copies, with the edges that ran between them. */
export interface Clipboard {
  nodes: PipelineNode[];
  edges: Edge[];
}

/**
 * Adds copies of `nodes` with fresh ids (never clashing with the document's), shifted by `offset`, and copies of
 * `edges` re-pointed at them (edges leaving the copied set are not copied). Configs are deep copies.
 */
function addCopies(doc: Pipeline, nodes: readonly PipelineNode[], edges: readonly Edge[], offset: number): { doc: Pipeline; created: string[] } {
  const taken = new Set(doc.nodes.map((n) => n.id));
  const rename = new Map<string, string>();
  const copies = nodes.map((n): PipelineNode => {
    const id = freshNodeId(n.kind, taken);
    taken.add(id);
    rename.set(n.id, id);
    return { ...structuredClone(n), id, position: { x: n.position.x + offset, y: n.position.y + offset } };
  });
  const edgeCopies = edges.flatMap((e): Edge[] => {
    const from = rename.get(e.from.node);
    const to = rename.get(e.to.node);
    return from && to ? [{ from: { node: from, port: e.from.port }, to: { node: to, port: e.to.port } }] : [];
  });
  return { doc: { ...doc, nodes: [...doc.nodes, ...copies], edges: [...doc.edges, ...edgeCopies] }, created: copies.map((c) => c.id) };
}

/**
 * Copies the nodes (fresh ids, offset so the copy is visible) and the edges between them; edges from the
 * rest of the graph are not copied, since a copy fed by the same input would often be refused anyway.
 * `created` lists the copies, which the designer selects, so a second duplicate copies the copy.
 */
export function duplicateNodes(doc: Pipeline, ids: ReadonlySet<string>): { doc: Pipeline; created: string[] } {
  return addCopies(
    doc,
    doc.nodes.filter((n) => ids.has(n.id)),
    doc.edges.filter((e) => ids.has(e.from.node) && ids.has(e.to.node)),
    DUPLICATE_OFFSET,
  );
}

export function copyNodes(doc: Pipeline, ids: ReadonlySet<string>): Clipboard | undefined {
  const nodes = doc.nodes.filter((n) => ids.has(n.id)).map((n) => structuredClone(n));
  if (nodes.length === 0) return undefined;
  const edges = doc.edges.filter((e) => ids.has(e.from.node) && ids.has(e.to.node)).map((e) => structuredClone(e));
  return { nodes, edges };
}

/** Adds the clipboard's nodes with fresh ids, shifted by `offset`, and their edges re-pointed at the copies. */
export function pasteNodes(doc: Pipeline, clip: Clipboard, offset: number): { doc: Pipeline; created: string[] } {
  return addCopies(doc, clip.nodes, clip.edges, offset);
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
