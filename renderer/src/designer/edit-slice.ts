// Edits of nodes and edges: adding, inserting, configuring, deleting, duplicating, pasting, laying out. Each is
// one new version of the document (one undo step; typing into one field joins its step, see `Kit.edit`).
import type { Edge, Pipeline, PipelineNode } from '@sluice/format/pipeline/pipeline';
import { connectionRefusal } from '../lib/connections';
import { copyNodes, deleteElements, duplicateNodes, pasteNodes, type Clipboard } from '../lib/doc-ops';
import { applyFix } from '../lib/fixes';
import { edgeId, freshNodeId, type FlowEdge, type FlowNode, type KindIndex } from '../lib/graph';
import { DEFAULT_SIZE, layeredPositions } from '../lib/layout';
import type { Kit } from './kit';
import type { DesignerState } from './types';

type EditActions = Pick<
  DesignerState,
  | 'addNode'
  | 'insertOnEdge'
  | 'resetNode'
  | 'setNodeConfig'
  | 'setNodeLabel'
  | 'applyFix'
  | 'setMeta'
  | 'deleteSelection'
  | 'duplicateSelection'
  | 'copySelection'
  | 'paste'
  | 'autoLayout'
>;

/** What Ctrl+C copied, and how often it was pasted since (each paste lands a step further down and right). */
const clipboard: { content: Clipboard | undefined; pastes: number } = { content: undefined, pastes: 0 };
const PASTE_OFFSET = 40;

/** The document with node `id` replaced by `f(node)`; every other node keeps its object. */
export function withNode(doc: Pipeline, id: string, f: (n: PipelineNode) => PipelineNode): Pipeline {
  return { ...doc, nodes: doc.nodes.map((n) => (n.id === id ? f(n) : n)) };
}

/**
 * The edge that feeds a new node from `from`'s first output nothing reads yet, into the new node's first input
 * that accepts it; undefined when there is none (a sink, no free output, or the kinds do not fit). Checked on
 * React Flow's objects, which `connectionRefusal` (shared with the canvas) reads.
 */
function freeLink(from: FlowNode, to: FlowNode, nodes: readonly FlowNode[], edges: readonly FlowEdge[], kinds: KindIndex): Edge | undefined {
  const out = kinds[from.data.kind]?.outputs ?? [];
  const inputs = kinds[to.data.kind]?.inputs ?? [];
  // Data outputs first: a new node after a validate most often continues its valid rows, not its quarantine.
  const ordered = [...out.filter((p) => p.role !== 'quarantine'), ...out.filter((p) => p.role === 'quarantine')];
  for (const port of ordered) {
    if (edges.some((e) => e.source === from.id && e.sourceHandle === port.name)) continue;
    for (const input of inputs) {
      const attempt = { source: from.id, sourceHandle: port.name, target: to.id, targetHandle: input.name };
      if (connectionRefusal(attempt, nodes, edges, kinds) === undefined) return { from: { node: from.id, port: port.name }, to: { node: to.id, port: input.name } };
    }
  }
  return undefined;
}

export function editSlice(kit: Kit): EditActions {
  const { get, edit } = kit;
  const selectedIds = () => new Set(get().nodes.filter((n) => n.selected).map((n) => n.id));
  /** Selects exactly `ids` (the nodes an edit created), as React Flow and the panels see it. */
  const selecting = (ids: string[]) => ({ view: { ...get().view, selectedNodes: new Set(ids), selectedEdges: new Set<string>() }, selectedNodeIds: ids });

  return {
    addNode: (kind, position, opts) => {
      const s = get();
      const info = s.kinds[kind];
      if (!info) return undefined;
      const id = freshNodeId(kind, new Set(s.doc.nodes.map((n) => n.id)));
      const selected = s.nodes.filter((n) => n.selected);
      const from = opts?.autoConnect && selected.length === 1 ? selected[0] : undefined;
      // structuredClone: defaults come from the shared catalog object and must not be mutated through a node.
      // A new node is written at its kind's current config version.
      const node: PipelineNode = { id, kind, kindVersion: info.version, config: structuredClone(info.defaults), position };
      const flowNode: FlowNode = { id, type: 'pipeline', position, data: { kind, config: node.config, kindVersion: info.version } };
      const link = from ? freeLink(from, flowNode, [...s.nodes, flowNode], s.edges, s.kinds) : undefined;
      edit(undefined, { ...s.doc, nodes: [...s.doc.nodes, node], edges: link ? [...s.doc.edges, link] : s.doc.edges }, { view: { ...s.view, selectedNodes: new Set([id]) }, selectedNodeIds: [id] });
      return id;
    },

    insertOnEdge: (id, nodeId) => {
      const s = get();
      const edge = s.edges.find((e) => e.id === id);
      const node = s.nodes.find((n) => n.id === nodeId);
      const info = node ? s.kinds[node.data.kind] : undefined;
      if (!edge || !node || !info || edge.source === nodeId || edge.target === nodeId) return false;
      if (s.edges.some((e) => e.target === nodeId || e.source === nodeId)) return false;
      const input = info.inputs[0];
      const output = info.outputs.find((p) => p.role !== 'quarantine') ?? info.outputs[0];
      if (!input || !output || !edge.sourceHandle || !edge.targetHandle) return false;
      const rest = s.edges.filter((e) => e.id !== id);
      const a = { source: edge.source, sourceHandle: edge.sourceHandle, target: nodeId, targetHandle: input.name };
      const b = { source: nodeId, sourceHandle: output.name, target: edge.target, targetHandle: edge.targetHandle };
      if (connectionRefusal(a, s.nodes, rest, s.kinds) !== undefined) return false;
      const first: Edge = { from: { node: a.source, port: a.sourceHandle }, to: { node: nodeId, port: input.name } };
      const asFlow: FlowEdge = { id: edgeId(first), source: a.source, sourceHandle: a.sourceHandle, target: nodeId, targetHandle: input.name, data: { role: edge.data?.role ?? 'data' } };
      if (connectionRefusal(b, s.nodes, [...rest, asFlow], s.kinds) !== undefined) return false;
      const second: Edge = { from: { node: nodeId, port: output.name }, to: { node: b.target, port: b.targetHandle } };
      edit(undefined, { ...s.doc, edges: [...s.doc.edges.filter((e) => edgeId(e) !== id), first, second] });
      return true;
    },

    resetNode: (nodeId) => {
      const s = get();
      const node = s.doc.nodes.find((n) => n.id === nodeId);
      const info = node ? s.kinds[node.kind] : undefined;
      if (!node || !info) return;
      edit(undefined, withNode(s.doc, nodeId, (n) => ({ ...n, config: structuredClone(info.defaults) })));
    },

    setNodeConfig: (nodeId, config, editKey) => {
      edit(editKey === undefined ? undefined : `${nodeId}:${editKey}`, withNode(get().doc, nodeId, (n) => ({ ...n, config })));
    },

    applyFix: (nodeId, fix) => {
      const next = applyFix(get().doc, nodeId, fix, get().kinds);
      if (!next) return false;
      edit(undefined, next.doc);
      return true;
    },

    setNodeLabel: (nodeId, label) => {
      edit(
        `${nodeId}:#label`,
        withNode(get().doc, nodeId, (n) => {
          const out = { ...n };
          // An empty label falls back to the kind's title, and is left out of the file.
          if (label.trim() === '') delete out.label;
          else out.label = label;
          return out;
        }),
      );
    },

    setMeta: (patch) => {
      edit(`#meta:${Object.keys(patch).join(',')}`, { ...get().doc, ...patch });
    },

    deleteSelection: () => {
      const s = get();
      const nodeIds = selectedIds();
      const edgeIds = new Set(s.edges.filter((e) => e.selected).map((e) => e.id));
      if (nodeIds.size === 0 && edgeIds.size === 0) return;
      edit(undefined, deleteElements(s.doc, nodeIds, edgeIds), selecting([]));
    },

    duplicateSelection: () => {
      const ids = selectedIds();
      if (ids.size === 0) return;
      const { doc, created } = duplicateNodes(get().doc, ids);
      edit(undefined, doc, selecting(created));
    },

    copySelection: () => {
      const content = copyNodes(get().doc, selectedIds());
      if (!content) return 0;
      clipboard.content = content;
      clipboard.pastes = 0;
      return content.nodes.length;
    },

    paste: () => {
      if (!clipboard.content) return 0;
      clipboard.pastes += 1;
      const { doc, created } = pasteNodes(get().doc, clipboard.content, PASTE_OFFSET * clipboard.pastes);
      edit(undefined, doc, selecting(created));
      return created.length;
    },

    autoLayout: () => {
      const s = get();
      if (s.doc.nodes.length === 0) return;
      const size = (id: string) => s.view.measured.get(id) ?? DEFAULT_SIZE;
      const pos = layeredPositions(
        s.doc.nodes.map((n) => ({ id: n.id, width: size(n.id).width, height: size(n.id).height })),
        s.edges,
      );
      const nodes = s.doc.nodes.map((n) => {
        const p = pos.get(n.id);
        return p && (p.x !== n.position.x || p.y !== n.position.y) ? { ...n, position: p } : n;
      });
      if (nodes.every((n, i) => n === s.doc.nodes[i])) return;
      edit(undefined, { ...s.doc, nodes });
    },
  };
}
