// Designer state. Canvas nodes are kept as React Flow objects so that a drag frame replaces
// only the moved node and every other node keeps its identity (and skips re-rendering).
// Undo/redo (zundo) covers the pipeline document only: meta, nodes and edges; selection, sizes and panels
// are view state. A drag is one step and typing into one field is one step (see `editDocument`).
import { addEdge, applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange, type XYPosition } from '@xyflow/react';
import { temporal } from 'zundo';
import { create } from 'zustand';
import type { Catalog, EngineApi, NodeKindInfo, Sample } from '@sluice/format/api/contract';
import type { Annotations, Group, Note, Pipeline } from '@sluice/format/pipeline/pipeline';
import type { FileHostBinding, PipelineFileRef } from './lib/file-host';
import { serializePipeline } from '@sluice/format/pipeline/save';
import { copyNodes, deleteElements, duplicateNodes, pasteNodes, sameDocument, type Clipboard, type DocSnapshot } from './lib/doc-ops';
import { connectionRefusal } from './lib/connections';
import { DEFAULT_SIZE, layeredPositions } from './lib/layout';
import { applyFix } from './lib/fixes';
import type { Fix } from '@sluice/format/api/contract';
import { freshNodeId, toFlow, toFlowEdge, toPipeline, type FlowEdge, type FlowNode, type KindIndex, type PipelineMeta } from './lib/graph';

export type Theme = 'light' | 'dark';

export interface Banner {
  title: string;
  detail?: string;
  /** Offer a retry when the failure may pass (engine restarting), not when the link itself is wrong. */
  retryable: boolean;
}

export type Status = 'connecting' | 'ready' | 'failed';

/** Where the open document came from; relative paths in it resolve against `baseDir` on the engine's side. */
export interface DocumentOrigin {
  /** The file the document was opened from or saved to through the FileHost; Save writes back there. */
  file?: PipelineFileRef | undefined;
  /** A sample's or imported file's name, shown to the user and reused when exporting. */
  fileName: string | undefined;
  /** Folder the engine resolves the pipeline's relative paths in; undefined means the engine's default workspace. */
  baseDir: string | undefined;
}

interface DesignerState {
  /** Set once connected; components reach the engine only through it. */
  api: EngineApi | undefined;
  /** Where pipeline files are opened and saved (workspace in a browser, native dialogs in Electron). */
  files: FileHostBinding | undefined;
  status: Status;
  banner: Banner | undefined;
  catalog: Catalog | undefined;
  kinds: KindIndex;
  samples: Sample[];
  origin: DocumentOrigin;
  meta: PipelineMeta;
  nodes: FlowNode[];
  edges: FlowEdge[];
  selectedNodeIds: string[];
  /** The canonical text of the document as last loaded or exported; the document is dirty when it differs. */
  savedText: string;
  /** Bumped on every load so the canvas knows to fit the new document into view. */
  docId: number;
  theme: Theme;

  setApi(api: EngineApi, files?: FileHostBinding): void;
  setStatus(status: Status, banner?: Banner): void;
  setCatalog(catalog: Catalog): void;
  setSamples(samples: Sample[]): void;
  /** `savedText`: what the document's file holds, when that differs from the loaded document (a restored draft). */
  loadPipeline(pipeline: Pipeline, origin?: DocumentOrigin, savedText?: string): void;
  newPipeline(name?: string): void;
  markSaved(fileName?: string): void;
  /** After a save through the FileHost: the document now belongs to `origin`'s file and is clean. */
  markSavedAs(origin: DocumentOrigin): void;
  onNodesChange(changes: NodeChange<FlowNode>[]): void;
  onEdgesChange(changes: EdgeChange<FlowEdge>[]): void;
  connect(connection: Connection): void;
  /**
   * Adds a node of `kind` with its defaults, its top-left at `position`; returns the new id. With `autoConnect`,
   * when one node was selected and has a free output the new node can take, the two are connected (same step).
   */
  addNode(kind: string, position: XYPosition, opts?: { autoConnect?: boolean }): string | undefined;
  /** Puts node `nodeId` into edge `edgeId` (A → B becomes A → node → B), one undo step; false when it cannot go there. */
  insertOnEdge(edgeId: string, nodeId: string): boolean;
  /** Puts a node's config back to its kind's defaults (its label and position stay); one undo step. */
  resetNode(nodeId: string): void;
  /** Replaces a node's config; edits with the same `editKey` in quick succession are one undo step. */
  setNodeConfig(nodeId: string, config: Record<string, unknown>, editKey?: string): void;
  setNodeLabel(nodeId: string, label: string): void;
  /** Applies a static problem's one-click fix as one undo step; false when it no longer applies. */
  applyFix(nodeId: string | undefined, fix: Fix): boolean;
  setMeta(meta: Partial<Pick<PipelineMeta, 'name' | 'description' | 'params' | 'settings'>>): void;
  deleteSelection(): void;
  duplicateSelection(): void;
  /** Copies the selected nodes (and the edges between them) to the designer's clipboard. */
  copySelection(): number;
  /** Pastes the clipboard with fresh ids, selected; one undo step. Returns how many nodes were pasted. */
  paste(): number;
  /** Lays the whole graph out left to right; one undo step. */
  autoLayout(): void;
  selectOnly(nodeId: string): void;
  setSelection(ids: string[]): void;
  undo(): void;
  redo(): void;
  setTheme(theme: Theme): void;
  toPipeline(): Pipeline;

  /** Adds a sticky note at `position` (flow coordinates); returns its id. */
  addNote(position: XYPosition, text?: string): string;
  /** Changes a note's text or size; typing into one note is one undo step (as for a field). */
  updateNote(id: string, patch: Partial<Pick<Note, 'text' | 'width' | 'height'>>): void;
  deleteNote(id: string): void;
  /** Frames the selected nodes in a new group; returns its id, or undefined when no node is selected. */
  groupSelection(title?: string): string | undefined;
  renameGroup(id: string, title: string): void;
  /** Removes the group's frame; its nodes stay where they are. */
  ungroup(id: string): void;
  /**
   * Moves a note, or a group with its nodes, by (dx, dy) flow units. A drag is one undo step: its first frame
   * (`first`) is recorded, the rest join it; `endAnnotationDrag` closes it. A keyboard nudge is `first` alone.
   */
  moveAnnotation(target: { note: string } | { group: string }, dx: number, dy: number, first: boolean): void;
  endAnnotationDrag(): void;
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

/**
 * The last document serialized, and its text. Most store updates (node measurements, selection) leave the
 * document alone; comparing node data and positions by identity is far cheaper than serializing again, which
 * for a 1,000-node pipeline was most of the work on every measurement batch (useIsDirty runs on each update).
 */
let lastCanonical: { snap: DocSnapshot; text: string } | undefined;

export function canonicalText(s: Pick<DesignerState, 'meta' | 'nodes' | 'edges'>): string {
  if (lastCanonical && sameDocument(lastCanonical.snap, s)) return lastCanonical.text;
  const text = serializePipeline(toPipeline(s.meta, s.nodes, s.edges));
  lastCanonical = { snap: { meta: s.meta, nodes: s.nodes, edges: s.edges }, text };
  return text;
}

const emptyAnnotations = (): Annotations => ({ notes: [], groups: [] });

/** The first free `<prefix>_<n>` among `taken`. */
function freshId(prefix: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  let n = 1;
  while (used.has(`${prefix}_${n}`)) n += 1;
  return `${prefix}_${n}`;
}

/** What Ctrl+C copied, and how often it was pasted since (each paste lands a step further down and right). */
const clipboard: { content: Clipboard | undefined; pastes: number } = { content: undefined, pastes: 0 };
const PASTE_OFFSET = 40;

/** Module state for grouping edits into undo steps; it is about input timing, not the document. */
const history = { dragging: false, annotationDrag: false, lastEdit: undefined as { key: string; at: number } | undefined };
const COALESCE_MS = 1200;

export const useDesigner = create<DesignerState>()(
  temporal(
    (set, get) => {
      /** Runs a document update with undo tracking paused, so it joins the step before it. */
      const untracked = (update: () => void) => {
        const t = useDesigner.temporal.getState();
        const wasTracking = t.isTracking;
        if (wasTracking) t.pause();
        update();
        if (wasTracking) t.resume();
      };

      const editDocument = (editKey: string | undefined, update: () => void) => {
        // A drag whose end never arrived (the node vanished mid-drag) must not leave history switched off.
        if (history.dragging || history.annotationDrag) {
          history.dragging = false;
          history.annotationDrag = false;
          useDesigner.temporal.getState().resume();
        }
        const now = Date.now();
        const last = history.lastEdit;
        const joins = editKey !== undefined && last?.key === editKey && now - last.at < COALESCE_MS;
        history.lastEdit = editKey === undefined ? undefined : { key: editKey, at: now };
        if (joins) untracked(update);
        else update();
      };

      /** After undo/redo the restored nodes carry the selection of their time; keep the current one instead. */
      const keepSelection = () => {
        const selected = new Set(get().selectedNodeIds);
        untracked(() =>
          set({
            nodes: get().nodes.map((n) => (Boolean(n.selected) === selected.has(n.id) ? n : { ...n, selected: selected.has(n.id) })),
            selectedNodeIds: get().selectedNodeIds.filter((id) => get().nodes.some((n) => n.id === id)),
          }),
        );
      };

      const afterLoad = () => {
        history.lastEdit = undefined;
        history.dragging = false;
        history.annotationDrag = false;
        const t = useDesigner.temporal.getState();
        t.clear();
        if (!t.isTracking) t.resume();
      };

      return {
        api: undefined,
        files: undefined,
        status: 'connecting',
        banner: undefined,
        catalog: undefined,
        kinds: {},
        samples: [],
        origin: { fileName: undefined, baseDir: undefined },
        meta: emptyMeta(),
        nodes: [],
        edges: [],
        selectedNodeIds: [],
        savedText: '',
        docId: 0,
        theme: initialTheme(),

        setApi: (api, files) => set({ api, files }),
        setStatus: (status, banner) => set({ status, banner }),
        setCatalog: (catalog) => set({ catalog, kinds: indexKinds(catalog.kinds) }),
        setSamples: (samples) => set({ samples }),

        loadPipeline: (pipeline, origin, savedText) => {
          const { meta, nodes, edges } = toFlow(pipeline, get().kinds);
          set({
            meta,
            nodes,
            edges,
            selectedNodeIds: [],
            docId: get().docId + 1,
            savedText: savedText ?? canonicalText({ meta, nodes, edges }),
            ...(origin ? { origin } : {}),
          });
          afterLoad();
        },
        newPipeline: (name) => {
          const meta = emptyMeta(name);
          set({
            meta,
            nodes: [],
            edges: [],
            selectedNodeIds: [],
            docId: get().docId + 1,
            savedText: canonicalText({ meta, nodes: [], edges: [] }),
            origin: { fileName: undefined, baseDir: undefined },
          });
          afterLoad();
        },
        markSavedAs: (origin) => set({ savedText: canonicalText(get()), origin }),
        markSaved: (fileName) => set({ savedText: canonicalText(get()), ...(fileName ? { origin: { ...get().origin, fileName } } : {}) }),

        onNodesChange: (changes) => {
          const apply = () => set({ nodes: applyNodeChanges(changes, get().nodes) });
          const moving = changes.some((c) => c.type === 'position' && c.dragging === true);
          const dropped = changes.some((c) => c.type === 'position' && c.dragging === false);
          if (moving && !history.dragging) {
            // The first frame is tracked (it records where the nodes were), the rest of the drag is not.
            history.dragging = true;
            history.lastEdit = undefined;
            apply();
            useDesigner.temporal.getState().pause();
            return;
          }
          apply();
          if (dropped && history.dragging) {
            history.dragging = false;
            useDesigner.temporal.getState().resume();
          }
        },
        onEdgesChange: (changes) => set({ edges: applyEdgeChanges(changes, get().edges) }),

        connect: (c) => {
          if (!c.sourceHandle || !c.targetHandle) return;
          const kinds = get().kinds;
          const fromKind = get().nodes.find((n) => n.id === c.source)?.data.kind;
          const role = (fromKind && kinds[fromKind]?.outputs.find((p) => p.name === c.sourceHandle)?.role) || 'data';
          const edge = toFlowEdge({ from: { node: c.source, port: c.sourceHandle }, to: { node: c.target, port: c.targetHandle } }, role);
          editDocument(undefined, () => set({ edges: addEdge(edge, get().edges) }));
        },

        addNode: (kind, position, opts) => {
          const info = get().kinds[kind];
          if (!info) return undefined;
          const nodes = get().nodes;
          const id = freshNodeId(kind, new Set(nodes.map((n) => n.id)));
          const selected = nodes.filter((n) => n.selected);
          const from = opts?.autoConnect && selected.length === 1 ? selected[0] : undefined;
          // structuredClone: defaults come from the shared catalog object and must not be mutated through a node.
          const node: FlowNode = {
            id,
            type: 'pipeline',
            position,
            // A new node is written at its kind's current config version.
            data: { kind, config: structuredClone(info.defaults), kindVersion: info.version },
            selected: true,
          };
          const nextNodes = [...nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node];
          const link = from ? freeLink(from, node, nextNodes, get().edges, get().kinds) : undefined;
          editDocument(undefined, () => set({ nodes: nextNodes, selectedNodeIds: [id], ...(link ? { edges: [...get().edges, link] } : {}) }));
          return id;
        },
        insertOnEdge: (edgeId, nodeId) => {
          const { nodes, edges, kinds } = get();
          const edge = edges.find((e) => e.id === edgeId);
          const node = nodes.find((n) => n.id === nodeId);
          const info = node ? kinds[node.data.kind] : undefined;
          if (!edge || !node || !info || edge.source === nodeId || edge.target === nodeId) return false;
          if (edges.some((e) => e.target === nodeId || e.source === nodeId)) return false;
          const input = info.inputs[0];
          const output = info.outputs.find((p) => p.role !== 'quarantine') ?? info.outputs[0];
          if (!input || !output || !edge.sourceHandle || !edge.targetHandle) return false;
          const rest = edges.filter((e) => e.id !== edgeId);
          const a = { source: edge.source, sourceHandle: edge.sourceHandle, target: nodeId, targetHandle: input.name };
          const b = { source: nodeId, sourceHandle: output.name, target: edge.target, targetHandle: edge.targetHandle };
          if (connectionRefusal(a, nodes, rest, kinds) !== undefined) return false;
          const first = toFlowEdge({ from: { node: a.source, port: a.sourceHandle }, to: { node: nodeId, port: input.name } }, edge.data?.role ?? 'data');
          if (connectionRefusal(b, nodes, [...rest, first], kinds) !== undefined) return false;
          const second = toFlowEdge({ from: { node: nodeId, port: output.name }, to: { node: b.target, port: b.targetHandle } }, output.role);
          editDocument(undefined, () => set({ edges: [...rest, first, second] }));
          return true;
        },
        resetNode: (nodeId) => {
          const node = get().nodes.find((n) => n.id === nodeId);
          const info = node ? get().kinds[node.data.kind] : undefined;
          if (!node || !info) return;
          editDocument(undefined, () =>
            set({ nodes: get().nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, config: structuredClone(info.defaults) } } : n)) }),
          );
        },

        setNodeConfig: (nodeId, config, editKey) => {
          editDocument(editKey === undefined ? undefined : `${nodeId}:${editKey}`, () =>
            set({ nodes: get().nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, config } } : n)) }),
          );
        },
        applyFix: (nodeId, fix) => {
          const next = applyFix({ nodes: get().nodes, edges: get().edges }, nodeId, fix, get().kinds);
          if (!next) return false;
          editDocument(undefined, () => set({ nodes: next.nodes, edges: next.edges }));
          return true;
        },
        setNodeLabel: (nodeId, label) => {
          editDocument(`${nodeId}:#label`, () =>
            set({
              nodes: get().nodes.map((n) => {
                if (n.id !== nodeId) return n;
                const data = { ...n.data };
                // An empty label falls back to the kind's title, and is left out of the file.
                if (label.trim() === '') delete data.label;
                else data.label = label;
                return { ...n, data };
              }),
            }),
          );
        },
        setMeta: (patch) => {
          const key = Object.keys(patch).join(',');
          editDocument(`#meta:${key}`, () => set({ meta: { ...get().meta, ...patch } }));
        },

        deleteSelection: () => {
          const nodeIds = new Set(get().nodes.filter((n) => n.selected).map((n) => n.id));
          const edgeIds = new Set(get().edges.filter((e) => e.selected).map((e) => e.id));
          if (nodeIds.size === 0 && edgeIds.size === 0) return;
          editDocument(undefined, () => set({ ...deleteElements(get(), nodeIds, edgeIds), selectedNodeIds: [] }));
        },
        duplicateSelection: () => {
          const ids = new Set(get().nodes.filter((n) => n.selected).map((n) => n.id));
          if (ids.size === 0) return;
          const { nodes, edges, created } = duplicateNodes(get(), ids, get().kinds);
          editDocument(undefined, () => set({ nodes, edges, selectedNodeIds: created }));
        },
        copySelection: () => {
          const content = copyNodes(get(), new Set(get().nodes.filter((n) => n.selected).map((n) => n.id)));
          if (!content) return 0;
          clipboard.content = content;
          clipboard.pastes = 0;
          return content.nodes.length;
        },
        paste: () => {
          if (!clipboard.content) return 0;
          clipboard.pastes += 1;
          const { nodes, edges, created } = pasteNodes(get(), clipboard.content, PASTE_OFFSET * clipboard.pastes);
          editDocument(undefined, () => set({ nodes, edges, selectedNodeIds: created }));
          return created.length;
        },
        autoLayout: () => {
          const nodes = get().nodes;
          if (nodes.length === 0) return;
          const pos = layeredPositions(
            nodes.map((n) => ({ id: n.id, width: n.measured?.width ?? DEFAULT_SIZE.width, height: n.measured?.height ?? DEFAULT_SIZE.height })),
            get().edges,
          );
          const moved = nodes.map((n) => {
            const p = pos.get(n.id);
            return p && (p.x !== n.position.x || p.y !== n.position.y) ? { ...n, position: p } : n;
          });
          if (moved.every((n, i) => n === nodes[i])) return;
          editDocument(undefined, () => set({ nodes: moved }));
        },
        selectOnly: (nodeId) => {
          set({
            nodes: get().nodes.map((n) => (Boolean(n.selected) === (n.id === nodeId) ? n : { ...n, selected: n.id === nodeId })),
            edges: get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
            selectedNodeIds: get().nodes.some((n) => n.id === nodeId) ? [nodeId] : [],
          });
        },

        setSelection: (ids) => set({ selectedNodeIds: ids }),
        undo: () => {
          history.lastEdit = undefined;
          useDesigner.temporal.getState().undo();
          keepSelection();
        },
        redo: () => {
          history.lastEdit = undefined;
          useDesigner.temporal.getState().redo();
          keepSelection();
        },
        setTheme: (theme) => {
          localStorage.setItem('sluice.theme', theme);
          set({ theme });
        },
        toPipeline: () => toPipeline(get().meta, get().nodes, get().edges),

        addNote: (position, text = '') => {
          const a = get().meta.annotations ?? emptyAnnotations();
          const id = freshId('note', a.notes.map((n) => n.id));
          const note: Note = { id, text, position: { x: Math.round(position.x), y: Math.round(position.y) } };
          editDocument(undefined, () => set({ meta: { ...get().meta, annotations: { ...a, notes: [...a.notes, note] } } }));
          return id;
        },
        updateNote: (id, patch) => {
          const a = get().meta.annotations;
          if (!a?.notes.some((n) => n.id === id)) return;
          editDocument(`#note:${id}:${Object.keys(patch).join(',')}`, () =>
            set({ meta: { ...get().meta, annotations: { ...a, notes: a.notes.map((n) => (n.id === id ? { ...n, ...patch } : n)) } } }),
          );
        },
        deleteNote: (id) => {
          const a = get().meta.annotations;
          if (!a?.notes.some((n) => n.id === id)) return;
          editDocument(undefined, () => set({ meta: { ...get().meta, annotations: { ...a, notes: a.notes.filter((n) => n.id !== id) } } }));
        },
        groupSelection: (title) => {
          const members = get().nodes.filter((n) => n.selected).map((n) => n.id);
          if (members.length === 0) return undefined;
          const a = get().meta.annotations ?? emptyAnnotations();
          const id = freshId('group', a.groups.map((g) => g.id));
          const group: Group = { id, title: title ?? `Group ${a.groups.length + 1}`, nodes: members };
          editDocument(undefined, () => set({ meta: { ...get().meta, annotations: { ...a, groups: [...a.groups, group] } } }));
          return id;
        },
        renameGroup: (id, title) => {
          const a = get().meta.annotations;
          if (!a?.groups.some((g) => g.id === id)) return;
          editDocument(`#group:${id}:title`, () => set({ meta: { ...get().meta, annotations: { ...a, groups: a.groups.map((g) => (g.id === id ? { ...g, title } : g)) } } }));
        },
        ungroup: (id) => {
          const a = get().meta.annotations;
          if (!a?.groups.some((g) => g.id === id)) return;
          editDocument(undefined, () => set({ meta: { ...get().meta, annotations: { ...a, groups: a.groups.filter((g) => g.id !== id) } } }));
        },
        moveAnnotation: (target, dx, dy, first) => {
          const a = get().meta.annotations;
          if (!a) return;
          let update: (() => void) | undefined;
          if ('note' in target) {
            if (!a.notes.some((n) => n.id === target.note)) return;
            const notes = a.notes.map((n) => (n.id === target.note ? { ...n, position: { x: Math.round(n.position.x + dx), y: Math.round(n.position.y + dy) } } : n));
            update = () => set({ meta: { ...get().meta, annotations: { ...a, notes } } });
          } else {
            const members = new Set(a.groups.find((g) => g.id === target.group)?.nodes ?? []);
            if (members.size === 0) return;
            update = () => set({ nodes: get().nodes.map((n) => (members.has(n.id) ? { ...n, position: { x: n.position.x + dx, y: n.position.y + dy } } : n)) });
          }
          if (first) {
            // Recorded as its own step (it holds where things were), then the rest of the drag joins it.
            editDocument(undefined, update);
            history.annotationDrag = true;
            useDesigner.temporal.getState().pause();
          } else if (history.annotationDrag) update();
          else untracked(update);
        },
        endAnnotationDrag: () => {
          if (!history.annotationDrag) return;
          history.annotationDrag = false;
          useDesigner.temporal.getState().resume();
        },
      };
    },
    {
      partialize: (s): DocSnapshot => ({ meta: s.meta, nodes: s.nodes, edges: s.edges }),
      equality: sameDocument,
      limit: 200,
    },
  ),
);

/**
 * The edge that feeds a new node from `from`'s first output nothing reads yet, into the new node's first input
 * that accepts it; undefined when there is none (a sink, no free output, or the kinds do not fit).
 */
function freeLink(from: FlowNode, to: FlowNode, nodes: readonly FlowNode[], edges: readonly FlowEdge[], kinds: KindIndex): FlowEdge | undefined {
  const out = kinds[from.data.kind]?.outputs ?? [];
  const inputs = kinds[to.data.kind]?.inputs ?? [];
  // Data outputs first: a new node after a validate most often continues its valid rows, not its quarantine.
  const ordered = [...out.filter((p) => p.role !== 'quarantine'), ...out.filter((p) => p.role === 'quarantine')];
  for (const port of ordered) {
    if (edges.some((e) => e.source === from.id && e.sourceHandle === port.name)) continue;
    for (const input of inputs) {
      const attempt = { source: from.id, sourceHandle: port.name, target: to.id, targetHandle: input.name };
      if (connectionRefusal(attempt, nodes, edges, kinds) === undefined) {
        return toFlowEdge({ from: { node: from.id, port: port.name }, to: { node: to.id, port: input.name } }, port.role);
      }
    }
  }
  return undefined;
}

/** Whether the document differs from what was last loaded or exported (undoing back to it makes it clean again). */
export function useIsDirty(): boolean {
  return useDesigner((s) => s.status === 'ready' && canonicalText(s) !== s.savedText);
}
