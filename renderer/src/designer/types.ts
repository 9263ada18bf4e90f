// The designer store's shape: what the open document is, the view state around it and every action. The store
// (store.ts) assembles it from slices in this folder; they share this type, not the store module.
import type { Connection, EdgeChange, NodeChange, XYPosition } from '@xyflow/react';
import type { Catalog, EngineApi, Fix, Sample } from '@sluice/format/api/contract';
import type { Note, Pipeline } from '@sluice/format/pipeline/pipeline';
import type { FileHostBinding, PipelineFileRef } from '../lib/file-host';
import type { FlowEdge, FlowNode, KindIndex, PipelineMeta } from '../lib/graph';
import type { CanvasView } from './derive';
import type { History } from './history';

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

export interface DesignerState {
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
  /**
   * The open document: the truth everything else is read from. Replaced (never mutated) by each edit; unchanged
   * nodes, edges and configs keep their objects, which is what history, the dirty check and the canvas rely on.
   */
  doc: Pipeline;
  /** The document as its file holds it (as last loaded or saved); undefined when that is not a readable pipeline. */
  saved: Pipeline | undefined;
  /** The canonical text of `saved` (what a restored draft is unsaved against). */
  savedText: string;
  /** Undo/redo: earlier and undone versions of `doc`. */
  history: History;
  /** Selection, measured sizes and drag flags of the canvas: view state, never history. */
  view: CanvasView;
  /** Derived from `doc` (kept as the same object while those fields do not change). */
  meta: PipelineMeta;
  /** Derived from `doc` and `view` for React Flow, one object per node kept while the node does not change. */
  nodes: FlowNode[];
  edges: FlowEdge[];
  selectedNodeIds: string[];
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
