// The pipeline canvas: React Flow over the designer store, plus palette drops.
import {
  Background,
  BackgroundVariant,
  ControlButton,
  Controls,
  MiniMap,
  ReactFlow,
  useNodesInitialized,
  useReactFlow,
  useStore,
  useStoreApi,
  type Connection,
  type Edge,
  type EdgeTypes,
  type IsValidConnection,
  type NodeTypes,
  type OnConnectEnd,
  type OnSelectionChangeParams,
} from '@xyflow/react';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent, type MouseEvent as ReactMouseEvent, type ReactElement } from 'react';
import { create } from 'zustand';
import { categoryColor } from '../lib/categories';
import { connectionRefusal } from '../lib/connections';
import { notify } from '../state/toasts';
import { CountEdge } from './CountEdge';
import type { FlowEdge, FlowNode } from '../lib/graph';
import { DND_KIND_MIME, NODE_HEIGHT_ESTIMATE, NODE_WIDTH, nearestFreeSpot } from '../lib/placement';
import { useDesigner } from '../store';
import { useUi } from '../state/ui';
import { NodeMenu, type NodeMenuAt } from './NodeMenu';
import { AnnotationsLayer, NOTE_SIZE } from './Annotations';
import { CanvasMiniMap, OverviewLayer } from './Overview';
import { PipelineNode } from './PipelineNode';
import { CULL_MIN_NODES, FAR_ZOOM, OVERVIEW_ZOOM, cullNodes, fitViewport, liveNodeIds, regionFor, regionHolds, type Region } from '../lib/viewport';

function NoteIcon(): ReactElement {
  return (
    <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
      <path d="M3 2h10v8l-4 4H3z M9 14v-4h4" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinejoin="round" />
    </svg>
  );
}

function GroupIcon(): ReactElement {
  return (
    <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
      <rect x="1.5" y="1.5" width="13" height="13" rx="2" fill="none" stroke="currentColor" strokeWidth="1.5" strokeDasharray="3 2" />
      <rect x="4.5" y="5.5" width="7" height="5" rx="1" fill="currentColor" />
    </svg>
  );
}

/** The edge under a screen point, if any (its invisible 16 px interaction path counts). */
function edgeAt(x: number, y: number): string | undefined {
  for (const el of document.elementsFromPoint(x, y)) {
    const edge = el.closest('.react-flow__edge');
    const id = edge?.getAttribute('data-id');
    if (id) return id;
  }
  return undefined;
}

// Module-level so React Flow sees the same object every render (a new one remounts every node).
const nodeTypes: NodeTypes = { pipeline: PipelineNode };
// Fit View must show the whole graph, even 1,000 nodes: the minimum zoom is low enough for that. Below
// OVERVIEW_ZOOM (45 %) a big graph is drawn as an overview on one canvas (see Overview.tsx) and a small one as simplified
// cards below FAR_ZOOM (see canvas.css), so the overview stays legible and cheap to paint.
const MIN_ZOOM = 0.02;
// A fixed margin in pixels, not a share of the pane: a wide pipeline in a wide pane kept 4.5 % of the width
// empty on each side (37 px of an 815 px canvas), which made a small graph's nodes smaller than they need be.
const FIT = { padding: { x: '24px', y: '32px' }, maxZoom: 1, minZoom: MIN_ZOOM } as const;
// Hidden nodes count for Fit View: a big graph keeps the nodes away from the view hidden (see lib/viewport).
const FIT_ALL = { ...FIT, includeHiddenNodes: true } as const;
/** Before a big document is fitted, nothing is drawn as DOM (React Flow would draw every unmeasured node). */
const PENDING: Region = { far: true, box: { x: 0, y: 0, w: 0, h: 0 } };

/**
 * The nodes React Flow gets: for a big graph, those around the view (see lib/viewport), the rest hidden; a
 * newly loaded big document is fitted from its node positions before anything is drawn, as unmeasured nodes
 * would otherwise all be drawn once to be measured. Returns the nodes and whether culling is on.
 */
/** The culling region of the open document (module state: there is one canvas); kept outside React's state so
 * that the fit on load and the view's subscription can set it without a render cascade. */
const useCull = create<{ docId: number; region: Region } | { docId: undefined; region: undefined }>()(() => ({ docId: undefined, region: undefined }));

function useCulledNodes(nodes: FlowNode[], edges: FlowEdge[], docId: number, fittedDocRef: { current: number }): { shown: FlowNode[]; culling: boolean } {
  const culling = nodes.length >= CULL_MIN_NODES;
  const store = useStoreApi<FlowNode, FlowEdge>();
  const { setViewport } = useReactFlow<FlowNode, FlowEdge>();
  const cull = useCull();
  const region = culling && cull.docId === docId ? cull.region : PENDING;

  // A new big document: fit it from its positions (sizes estimated where not measured), then draw its region.
  useLayoutEffect(() => {
    if (!culling || useCull.getState().docId === docId) return;
    const s = store.getState();
    let viewport = { x: s.transform[0], y: s.transform[1], zoom: s.transform[2] };
    if (fittedDocRef.current !== docId) {
      const fit = fitViewport(nodes, s.width, s.height, FIT);
      if (!fit) return;
      viewport = fit;
      void setViewport(fit);
      fittedDocRef.current = docId;
    }
    useCull.setState({ docId, region: regionFor(viewport, s.width, s.height) });
  }, [culling, docId, nodes, store, setViewport, fittedDocRef]);

  // The region moves only when the view leaves it (or crosses the overview zoom): panning within it is free.
  useEffect(() => {
    if (!culling) return;
    return store.subscribe((s) => {
      const current = useCull.getState();
      if (current.docId !== docId || s.width === 0) return;
      const viewport = { x: s.transform[0], y: s.transform[1], zoom: s.transform[2] };
      if (!regionHolds(current.region, viewport, s.width, s.height)) useCull.setState({ docId, region: regionFor(viewport, s.width, s.height) });
    });
  }, [culling, docId, store]);

  const shown = useMemo(() => (culling ? cullNodes(nodes, liveNodeIds(nodes, edges, region)) : nodes), [culling, nodes, edges, region]);
  return { shown, culling };
}
// Every edge draws through CountEdge, which shows the rows it carried in the last run.
const DEFAULT_EDGE = { interactionWidth: 16, type: 'counted' } as const;
const edgeTypes: EdgeTypes = { counted: CountEdge };
// Small: the canvas shares the window with the palette, the settings and the data panel.
const MINIMAP_SIZE = { width: 150, height: 96 } as const;

export function Canvas(): ReactElement {
  const nodes = useDesigner((s) => s.nodes);
  const edges = useDesigner((s) => s.edges);
  const kinds = useDesigner((s) => s.kinds);
  const theme = useDesigner((s) => s.theme);
  const docId = useDesigner((s) => s.docId);
  const status = useDesigner((s) => s.status);
  const onNodesChange = useDesigner((s) => s.onNodesChange);
  const onEdgesChange = useDesigner((s) => s.onEdgesChange);
  const connect = useDesigner((s) => s.connect);
  const addNode = useDesigner((s) => s.addNode);
  const setSelection = useDesigner((s) => s.setSelection);
  const { screenToFlowPosition, fitView } = useReactFlow<FlowNode, FlowEdge>();

  // Fit each newly loaded document once its nodes have been measured (sizes are unknown before).
  // An empty document has nothing to fit: it counts as fitted, so the first node dropped on it stays where it
  // was dropped instead of being re-centred when it is measured.
  const initialized = useNodesInitialized();
  const empty = nodes.length === 0;
  const fittedDoc = useRef(-1);
  const { shown, culling } = useCulledNodes(nodes, edges, docId, fittedDoc);
  useEffect(() => {
    if (fittedDoc.current === docId) return;
    if (empty) fittedDoc.current = docId;
    else if (initialized) {
      fittedDoc.current = docId;
      void fitView(FIT);
    }
  }, [initialized, empty, docId, fitView]);
  // One subscription for the whole canvas (not one per node): it changes only when the zoom crosses the limit.
  const far = useStore((s) => s.transform[2] < (culling ? OVERVIEW_ZOOM : FAR_ZOOM));

  // After an auto-layout the graph may sit anywhere: bring it into view once the new positions are drawn.
  const fitRequest = useUi((s) => s.fitRequest);
  useEffect(() => {
    if (fitRequest === 0) return;
    const frame = requestAnimationFrame(() => void fitView({ ...FIT_ALL, duration: 200 }));
    return () => cancelAnimationFrame(frame);
  }, [fitRequest, fitView]);

  const onDragOver = useCallback((e: DragEvent) => {
    if (!e.dataTransfer.types.includes(DND_KIND_MIME)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const kind = e.dataTransfer.getData(DND_KIND_MIME);
      if (!kind) return;
      e.preventDefault();
      const at = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      // Dropped on an edge: the node goes into it. Otherwise it follows the selected node when it can.
      const edge = edgeAt(e.clientX, e.clientY);
      const id = addNode(kind, { x: Math.round(at.x - NODE_WIDTH / 2), y: Math.round(at.y - NODE_HEIGHT_ESTIMATE / 2) }, { autoConnect: edge === undefined });
      if (id && edge && !useDesigner.getState().insertOnEdge(edge, id)) notify({ tone: 'info', title: 'Not inserted', detail: 'This node cannot go into that connection; it was added unconnected.' });
    },
    [screenToFlowPosition, addNode],
  );

  // A node with no connections dragged onto an edge goes into it.
  const onNodeDragStop = useCallback((e: MouseEvent | TouchEvent, dragged: FlowNode) => {
    const { edges, insertOnEdge } = useDesigner.getState();
    if (edges.some((x) => x.source === dragged.id || x.target === dragged.id)) return;
    const point = 'clientX' in e ? e : e.changedTouches[0];
    if (!point) return;
    const edge = edgeAt(point.clientX, point.clientY);
    if (edge) insertOnEdge(edge, dragged.id);
  }, []);

  const [menu, setMenu] = useState<NodeMenuAt | undefined>(undefined);
  const wrapper = useRef<HTMLDivElement>(null);
  const onNodeContextMenu = useCallback((e: ReactMouseEvent, n: FlowNode) => {
    e.preventDefault();
    const box = wrapper.current?.getBoundingClientRect();
    setMenu({ nodeId: n.id, x: e.clientX - (box?.left ?? 0), y: e.clientY - (box?.top ?? 0) });
  }, []);
  // The Menu key or Shift+F10 on a focused node opens its menu under the node.
  const onKeyDown = useCallback((e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ContextMenu' && !(e.shiftKey && e.key === 'F10')) return;
    const el = (e.target as HTMLElement).closest<HTMLElement>('.react-flow__node');
    const id = el?.getAttribute('data-id');
    if (!el || !id) return;
    e.preventDefault();
    const box = wrapper.current?.getBoundingClientRect();
    const r = el.getBoundingClientRect();
    setMenu({ nodeId: id, x: r.left - (box?.left ?? 0), y: r.bottom - (box?.top ?? 0) + 4 });
  }, []);
  const closeMenu = useCallback((refocus: boolean) => {
    setMenu((m) => {
      if (m && refocus) wrapper.current?.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(m.nodeId)}"]`)?.focus();
      return undefined;
    });
  }, []);

  // Reads the store at call time so the callback stays stable across drag frames.
  const isValidConnection = useCallback<IsValidConnection<FlowEdge>>((c: Connection | Edge) => {
    const { nodes, edges, kinds } = useDesigner.getState();
    return connectionRefusal(c, nodes, edges, kinds) === undefined;
  }, []);

  // React Flow only learns yes or no; when a drop on a port is refused, say why.
  const onConnectEnd = useCallback<OnConnectEnd>((_event, state) => {
    if (state.isValid !== false || !state.fromHandle || !state.toHandle) return;
    const [from, to] = state.fromHandle.type === 'source' ? [state.fromHandle, state.toHandle] : [state.toHandle, state.fromHandle];
    const { nodes, edges, kinds } = useDesigner.getState();
    const reason = connectionRefusal({ source: from.nodeId, sourceHandle: from.id, target: to.nodeId, targetHandle: to.id }, nodes, edges, kinds);
    if (reason) notify({ tone: 'error', title: 'Not connected', detail: reason });
  }, []);

  const onSelectionChange = useCallback(
    ({ nodes: selected }: OnSelectionChangeParams<FlowNode, FlowEdge>) => setSelection(selected.map((n) => n.id)),
    [setSelection],
  );

  // A new note lands in the free room nearest the centre of the view (a note under a node would be hidden).
  const addNoteHere = useCallback(() => {
    const box = wrapper.current?.getBoundingClientRect();
    if (!box) return;
    const centre = screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 });
    const { nodes: all, addNote } = useDesigner.getState();
    addNote(nearestFreeSpot(centre, all, { w: NOTE_SIZE.width, h: NOTE_SIZE.height }));
  }, [screenToFlowPosition]);
  const groupSelected = useCallback(() => {
    if (useDesigner.getState().groupSelection() === undefined) notify({ tone: 'info', title: 'Nothing to group', detail: 'Select the nodes to group first (Shift-drag a box, or Ctrl/⌘-click).' });
  }, []);

  const miniMapColor = useCallback((n: FlowNode) => categoryColor(kinds[n.data.kind]?.category), [kinds]);

  return (
    <div ref={wrapper} className={`canvas${far ? ' is-far' : ''}${culling && far ? ' has-overview' : ''}`} data-testid="canvas" onDragOver={onDragOver} onDrop={onDrop} onKeyDown={onKeyDown}>
      <ReactFlow<FlowNode, FlowEdge>
        nodes={shown}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={connect}
        onConnectEnd={onConnectEnd}
        onNodeDragStop={onNodeDragStop}
        onNodeContextMenu={onNodeContextMenu}
        isValidConnection={isValidConnection}
        edgeTypes={edgeTypes}
        onSelectionChange={onSelectionChange}
        colorMode={theme}
        // Only what is on screen is in the DOM: a 1,000-node pipeline pans like a small one.
        onlyRenderVisibleElements
        minZoom={MIN_ZOOM}
        maxZoom={2}
        // Deleting goes through the store (one undo step for a node and its edges); see useShortcuts.
        deleteKeyCode={null}
        snapToGrid
        snapGrid={[8, 8]}
        defaultEdgeOptions={DEFAULT_EDGE}
        aria-label="Pipeline canvas"
      >
        {/* Zoomed far out the dots would be a pixel apart: thousands of them to paint on every frame. */}
        {!far && <Background variant={BackgroundVariant.Dots} gap={16} size={1.25} />}
        {culling && far && <OverviewLayer nodes={nodes} edges={edges} />}
        <AnnotationsLayer />
        <Controls position="bottom-left" showInteractive={false} fitViewOptions={FIT_ALL}>
          <ControlButton onClick={addNoteHere} title="Add a sticky note" aria-label="Add a sticky note" data-testid="add-note">
            <NoteIcon />
          </ControlButton>
          <ControlButton onClick={groupSelected} title="Group the selected nodes" aria-label="Group the selected nodes" data-testid="group-nodes">
            <GroupIcon />
          </ControlButton>
        </Controls>
        {culling && <CanvasMiniMap nodes={nodes} />}
        {!culling && nodes.length > 0 && (
          <MiniMap<FlowNode> position="bottom-right" nodeColor={miniMapColor} nodeBorderRadius={4} pannable zoomable ariaLabel="Pipeline overview" style={MINIMAP_SIZE} />
        )}
      </ReactFlow>
      {menu && <NodeMenu at={menu} onClose={closeMenu} />}
      {nodes.length === 0 && status === 'ready' && (
        <div className="canvas__empty" data-testid="canvas-empty">
          <div className="canvas__empty-title">An empty pipeline</div>
          <div className="canvas__empty-text">Drag a node from the palette onto the canvas, or select one and press Enter.</div>
        </div>
      )}
    </div>
  );
}
