// Designer state. Canvas nodes are kept as React Flow objects so that a drag frame replaces
// only the moved node and every other node keeps its identity (and skips re-rendering).
import { addEdge, applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange, type XYPosition } from '@xyflow/react';
import { create } from 'zustand';
import type { Catalog, EngineApi, NodeKindInfo } from '../../engine/src/api/contract';
import type { Pipeline } from '../../engine/src/format/pipeline';
import { freshNodeId, toFlow, toFlowEdge, toPipeline, type FlowEdge, type FlowNode, type KindIndex, type PipelineMeta } from './lib/graph';

export type Theme = 'light' | 'dark';

export interface Banner {
  title: string;
  detail?: string;
  /** Offer a retry when the failure may pass (engine restarting), not when the link itself is wrong. */
  retryable: boolean;
}

export type Status = 'connecting' | 'ready' | 'failed';

interface DesignerState {
  /** Set once connected; components reach the engine only through it. */
  api: EngineApi | undefined;
  status: Status;
  banner: Banner | undefined;
  catalog: Catalog | undefined;
  kinds: KindIndex;
  meta: PipelineMeta;
  nodes: FlowNode[];
  edges: FlowEdge[];
  selectedNodeIds: string[];
  /** Bumped on every load so the canvas knows to fit the new document into view. */
  docId: number;
  theme: Theme;

  setApi(api: EngineApi): void;
  setStatus(status: Status, banner?: Banner): void;
  setCatalog(catalog: Catalog): void;
  loadPipeline(pipeline: Pipeline): void;
  newPipeline(name?: string): void;
  onNodesChange(changes: NodeChange<FlowNode>[]): void;
  onEdgesChange(changes: EdgeChange<FlowEdge>[]): void;
  connect(connection: Connection): void;
  /** Adds a node of `kind` with its defaults, its top-left at `position`; returns the new id. */
  addNode(kind: string, position: XYPosition): string | undefined;
  setSelection(ids: string[]): void;
  setTheme(theme: Theme): void;
  toPipeline(): Pipeline;
}

const emptyMeta = (name = 'Untitled pipeline'): PipelineMeta => ({ version: 1, name, params: {} });

function initialTheme(): Theme {
  const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem('sluice.theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return typeof matchMedia !== 'undefined' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function indexKinds(kinds: readonly NodeKindInfo[]): KindIndex {
  return Object.fromEntries(kinds.map((k) => [k.kind, k]));
}

export const useDesigner = create<DesignerState>()((set, get) => ({
  api: undefined,
  status: 'connecting',
  banner: undefined,
  catalog: undefined,
  kinds: {},
  meta: emptyMeta(),
  nodes: [],
  edges: [],
  selectedNodeIds: [],
  docId: 0,
  theme: initialTheme(),

  setApi: (api) => set({ api }),
  setStatus: (status, banner) => set({ status, banner }),
  setCatalog: (catalog) => set({ catalog, kinds: indexKinds(catalog.kinds) }),

  loadPipeline: (pipeline) => {
    const { meta, nodes, edges } = toFlow(pipeline, get().kinds);
    set({ meta, nodes, edges, selectedNodeIds: [], docId: get().docId + 1 });
  },
  newPipeline: (name) => set({ meta: emptyMeta(name), nodes: [], edges: [], selectedNodeIds: [], docId: get().docId + 1 }),

  onNodesChange: (changes) => set({ nodes: applyNodeChanges(changes, get().nodes) }),
  onEdgesChange: (changes) => set({ edges: applyEdgeChanges(changes, get().edges) }),

  connect: (c) => {
    if (!c.sourceHandle || !c.targetHandle) return;
    const kinds = get().kinds;
    const fromKind = get().nodes.find((n) => n.id === c.source)?.data.kind;
    const role = (fromKind && kinds[fromKind]?.outputs.find((p) => p.name === c.sourceHandle)?.role) || 'data';
    const edge = toFlowEdge({ from: { node: c.source, port: c.sourceHandle }, to: { node: c.target, port: c.targetHandle } }, role);
    set({ edges: addEdge(edge, get().edges) });
  },

  addNode: (kind, position) => {
    const info = get().kinds[kind];
    if (!info) return undefined;
    const nodes = get().nodes;
    const id = freshNodeId(kind, new Set(nodes.map((n) => n.id)));
    // structuredClone: defaults come from the shared catalog object and must not be mutated through a node.
    const node: FlowNode = {
      id,
      type: 'pipeline',
      position,
      data: { kind, config: structuredClone(info.defaults) },
      selected: true,
    };
    set({ nodes: [...nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node], selectedNodeIds: [id] });
    return id;
  },

  setSelection: (ids) => set({ selectedNodeIds: ids }),
  setTheme: (theme) => {
    localStorage.setItem('sluice.theme', theme);
    set({ theme });
  },
  toPipeline: () => toPipeline(get().meta, get().nodes, get().edges),
}));
