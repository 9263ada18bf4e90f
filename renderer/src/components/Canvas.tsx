// The pipeline canvas: React Flow over the designer store, plus palette drops.
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  useNodesInitialized,
  useReactFlow,
  type Connection,
  type Edge,
  type IsValidConnection,
  type NodeTypes,
  type OnSelectionChangeParams,
} from '@xyflow/react';
import { useCallback, useEffect, useRef, type DragEvent, type ReactElement } from 'react';
import { categoryColor } from '../lib/categories';
import type { FlowEdge, FlowNode } from '../lib/graph';
import { DND_KIND_MIME, NODE_HEIGHT_ESTIMATE, NODE_WIDTH } from '../lib/placement';
import { useDesigner } from '../store';
import { PipelineNode } from './PipelineNode';

// Module-level so React Flow sees the same object every render (a new one remounts every node).
const nodeTypes: NodeTypes = { pipeline: PipelineNode };
const FIT = { padding: 0.1, maxZoom: 1 } as const;
const DELETE_KEYS = ['Backspace', 'Delete'];

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
  const initialized = useNodesInitialized();
  const fittedDoc = useRef(-1);
  useEffect(() => {
    if (initialized && fittedDoc.current !== docId) {
      fittedDoc.current = docId;
      void fitView(FIT);
    }
  }, [initialized, docId, fitView]);

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
    if (c.source === c.target) return false;
    const target = nodes.find((n) => n.id === c.target);
    const port = target && kinds[target.data.kind]?.inputs.find((p) => p.name === c.targetHandle);
    // A single-edge input that is already fed would silently become a union; refuse instead.
    if (port && !port.multiple && edges.some((e) => e.target === c.target && e.targetHandle === c.targetHandle)) return false;
    return !edges.some((e) => e.source === c.source && e.sourceHandle === c.sourceHandle && e.target === c.target && e.targetHandle === c.targetHandle);
  }, []);

  const onSelectionChange = useCallback(
    ({ nodes: selected }: OnSelectionChangeParams<FlowNode, FlowEdge>) => setSelection(selected.map((n) => n.id)),
    [setSelection],
  );

  const miniMapColor = useCallback((n: FlowNode) => categoryColor(kinds[n.data.kind]?.category), [kinds]);

  return (
    <div className="canvas" data-testid="canvas" onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow<FlowNode, FlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={connect}
        isValidConnection={isValidConnection}
        onSelectionChange={onSelectionChange}
        colorMode={theme}
        fitView
        fitViewOptions={FIT}
        minZoom={0.2}
        maxZoom={2}
        deleteKeyCode={DELETE_KEYS}
        snapToGrid
        snapGrid={[8, 8]}
        defaultEdgeOptions={{ interactionWidth: 16 }}
        aria-label="Pipeline canvas"
      >
        <Background variant={BackgroundVariant.Dots} gap={16} size={1.25} />
        <Controls position="bottom-left" showInteractive={false} />
        {nodes.length > 0 && (
          <MiniMap<FlowNode> position="bottom-right" nodeColor={miniMapColor} nodeBorderRadius={4} pannable zoomable ariaLabel="Pipeline overview" />
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
