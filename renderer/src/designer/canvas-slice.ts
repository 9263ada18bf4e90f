// What React Flow reports back (moves, sizes, selection, removals) and the connections drawn on the canvas,
// turned into document edits and view state. A move edits the document; selection and sizes are view state.
import type { EdgeChange, NodeChange } from '@xyflow/react';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { deleteElements } from '../lib/doc-ops';
import type { FlowEdge, FlowNode } from '../lib/graph';
import type { CanvasView, Size } from './derive';
import type { Kit } from './kit';
import type { DesignerState } from './types';

type CanvasActions = Pick<DesignerState, 'onNodesChange' | 'onEdgesChange' | 'connect' | 'selectOnly' | 'setSelection'>;

/** The document with the nodes in `moves` at their new positions (other nodes keep their objects). */
function moved(doc: Pipeline, moves: ReadonlyMap<string, { x: number; y: number }>): Pipeline {
  if (moves.size === 0) return doc;
  return { ...doc, nodes: doc.nodes.map((n) => (moves.has(n.id) ? { ...n, position: moves.get(n.id) as { x: number; y: number } } : n)) };
}

export function canvasSlice(kit: Kit): CanvasActions {
  const { get, commit, edit } = kit;
  return {
    onNodesChange: (changes: NodeChange<FlowNode>[]) => {
      const s = get();
      const moves = new Map<string, { x: number; y: number }>();
      const removed = new Set<string>();
      let selectedNodes: Set<string> | undefined;
      let measured: Map<string, Size> | undefined;
      let dragging: Set<string> | undefined;
      let moving = false;
      let dropped = false;
      /** Nodes whose view state changed; with the document unchanged, only these are derived again. */
      const touched = new Set<string>();
      for (const c of changes) {
        if (c.type === 'position') {
          if (c.position) moves.set(c.id, { x: c.position.x, y: c.position.y });
          if (c.dragging !== undefined && c.dragging !== s.view.dragging.has(c.id)) {
            dragging ??= new Set(s.view.dragging);
            touched.add(c.id);
            if (c.dragging) dragging.add(c.id);
            else dragging.delete(c.id);
          }
          if (c.dragging === true) moving = true;
          if (c.dragging === false) dropped = true;
        } else if (c.type === 'dimensions') {
          const prev = s.view.measured.get(c.id);
          if (c.dimensions && (prev?.width !== c.dimensions.width || prev.height !== c.dimensions.height)) {
            measured ??= new Map(s.view.measured);
            touched.add(c.id);
            measured.set(c.id, { width: c.dimensions.width, height: c.dimensions.height });
          }
        } else if (c.type === 'select') {
          if (c.selected !== s.view.selectedNodes.has(c.id)) {
            selectedNodes ??= new Set(s.view.selectedNodes);
            touched.add(c.id);
            if (c.selected) selectedNodes.add(c.id);
            else selectedNodes.delete(c.id);
          }
        } else if (c.type === 'remove') removed.add(c.id);
        // 'add' and 'replace' come only from code that hands React Flow nodes of its own; the designer does not.
      }
      const view: CanvasView | undefined =
        selectedNodes || measured || dragging
          ? { ...s.view, selectedNodes: selectedNodes ?? s.view.selectedNodes, measured: measured ?? s.view.measured, dragging: dragging ?? s.view.dragging }
          : undefined;
      let doc = moved(s.doc, moves);
      if (removed.size > 0) doc = deleteElements(doc, removed, new Set());
      if (doc === s.doc) {
        if (view) commit({ view }, touched);
        return;
      }
      // A drag is one step: its first frame records where the nodes were, the frames after it (and the drop) join.
      const drag = moving ? (kit.gesture.dragging ? 'continue' : 'start') : dropped && kit.gesture.dragging ? 'end' : undefined;
      edit(undefined, doc, view ? { view } : {}, removed.size > 0 ? undefined : drag);
    },

    onEdgesChange: (changes: EdgeChange<FlowEdge>[]) => {
      const s = get();
      let selectedEdges: Set<string> | undefined;
      const removed = new Set<string>();
      for (const c of changes) {
        if (c.type === 'select' && c.selected !== s.view.selectedEdges.has(c.id)) {
          selectedEdges ??= new Set(s.view.selectedEdges);
          if (c.selected) selectedEdges.add(c.id);
          else selectedEdges.delete(c.id);
        } else if (c.type === 'remove') removed.add(c.id);
      }
      const view = selectedEdges ? { ...s.view, selectedEdges } : undefined;
      if (removed.size > 0) edit(undefined, deleteElements(s.doc, new Set(), removed), view ? { view } : {});
      else if (view) commit({ view });
    },

    connect: (c) => {
      if (!c.sourceHandle || !c.targetHandle) return;
      const s = get();
      const exists = s.doc.edges.some((e) => e.from.node === c.source && e.from.port === c.sourceHandle && e.to.node === c.target && e.to.port === c.targetHandle);
      if (exists) return;
      edit(undefined, { ...s.doc, edges: [...s.doc.edges, { from: { node: c.source, port: c.sourceHandle }, to: { node: c.target, port: c.targetHandle } }] });
    },

    selectOnly: (nodeId) => {
      const s = get();
      const exists = s.doc.nodes.some((n) => n.id === nodeId);
      const selectedNodes = new Set(exists ? [nodeId] : []);
      const selectedEdges = s.view.selectedEdges.size === 0 ? s.view.selectedEdges : new Set<string>();
      commit({ view: { ...s.view, selectedNodes, selectedEdges }, selectedNodeIds: exists ? [nodeId] : [] }, [...s.view.selectedNodes, ...selectedNodes]);
    },

    setSelection: (ids) => commit({ selectedNodeIds: ids }),
  };
}
