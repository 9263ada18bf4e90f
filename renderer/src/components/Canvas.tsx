// The pipeline canvas: React Flow over the designer store, plus palette drops.
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  useNodesInitialized,
  useReactFlow,
  useStore,
  type Connection,
  type Edge,
  type EdgeTypes,
  type IsValidConnection,
  type NodeTypes,
  type OnConnectEnd,
  type OnSelectionChangeParams,
} from '@xyflow/react';
import { useCallback, useEffect, useRef, type DragEvent, type ReactElement } from 'react';
import { categoryColor } from '../lib/categories';
import { connectionRefusal } from '../lib/connections';
import { notify } from '../state/toasts';
import { CountEdge } from './CountEdge';
import type { FlowEdge, FlowNode } from '../lib/graph';
import { DND_KIND_MIME, NODE_HEIGHT_ESTIMATE, NODE_WIDTH } from '../lib/placement';
import { useDesigner } from '../store';
import { useUi } from '../state/ui';
import { PipelineNode } from './PipelineNode';

// Module-level so React Flow sees the same object every render (a new one remounts every node).
const nodeTypes: NodeTypes = { pipeline: PipelineNode };
// Fit View must show the whole graph, even 1,000 nodes: the minimum zoom is low enough for that, and below
// FAR_ZOOM nodes draw as simplified cards (see canvas.css) so the overview stays legible and cheap to paint.
const MIN_ZOOM = 0.02;
const FAR_ZOOM = 0.45;
const FIT = { padding: 0.1, maxZoom: 1, minZoom: MIN_ZOOM } as const;
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
  useEffect(() => {
    if (fittedDoc.current === docId) return;
    if (empty) fittedDoc.current = docId;
    else if (initialized) {
      fittedDoc.current = docId;
      void fitView(FIT);
    }
  }, [initialized, empty, docId, fitView]);
  // One subscription for the whole canvas (not one per node): it changes only when the zoom crosses FAR_ZOOM.
  const far = useStore((s) => s.transform[2] < FAR_ZOOM);

  // After an auto-layout the graph may sit anywhere: bring it into view once the new positions are drawn.
  const fitRequest = useUi((s) => s.fitRequest);
  useEffect(() => {
    if (fitRequest === 0) return;
    const frame = requestAnimationFrame(() => void fitView({ ...FIT, duration: 200 }));
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
      addNode(kind, { x: Math.round(at.x - NODE_WIDTH / 2), y: Math.round(at.y - NODE_HEIGHT_ESTIMATE / 2) });
    },
    [screenToFlowPosition, addNode],
  );

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

  const miniMapColor = useCallback((n: FlowNode) => categoryColor(kinds[n.data.kind]?.category), [kinds]);

  return (
    <div className={`canvas${far ? ' is-far' : ''}`} data-testid="canvas" onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow<FlowNode, FlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={connect}
        onConnectEnd={onConnectEnd}
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
        <Background variant={BackgroundVariant.Dots} gap={16} size={1.25} />
        <Controls position="bottom-left" showInteractive={false} fitViewOptions={FIT} />
        {nodes.length > 0 && (
          <MiniMap<FlowNode> position="bottom-right" nodeColor={miniMapColor} nodeBorderRadius={4} pannable zoomable ariaLabel="Pipeline overview" style={MINIMAP_SIZE} />
        )}
      </ReactFlow>
      {nodes.length === 0 && status === 'ready' && (
        <div className="canvas__empty" data-testid="canvas-empty">
          <div className="canvas__empty-title">An empty pipeline</div>
          <div className="canvas__empty-text">Drag a node from the palette onto the canvas, or select one and press Enter.</div>
        </div>
      )}
    </div>
  );
}
