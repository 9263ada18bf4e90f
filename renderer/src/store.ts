// Designer state. The open document is a `Pipeline` (`doc`), the truth everything is read from; React Flow's
// nodes and edges are derived from it and the canvas's view state, one remembered object per node (designer/
// derive.ts), so a drag frame replaces only the moved node. Undo/redo keeps document versions, which share what
// they did not change (designer/history.ts); the dirty check compares the document with the saved one without
// serialising either (designer/document.ts). Actions live in slices by idea: canvas changes, node and edge
// edits, annotations (designer/*-slice.ts).
import { create } from 'zustand';
import type { NodeKindInfo } from '@sluice/format/api/contract';
import { parsePipelineText } from '@sluice/format/pipeline/load';
import { pipelineSchema, type Pipeline } from '@sluice/format/pipeline/pipeline';
import { annotationsSlice } from './designer/annotations-slice';
import { canvasSlice } from './designer/canvas-slice';
import { emptyView } from './designer/derive';
import { differs, documentText, emptyDocument, metaOf, savedForm } from './designer/document';
import { editSlice } from './designer/edit-slice';
import { emptyHistory, idleGesture, redo, undo } from './designer/history';
import { makeKit } from './designer/kit';
import type { DesignerState, Theme } from './designer/types';
import type { KindIndex } from './lib/graph';

export type { Banner, DesignerState, DocumentOrigin, Status, Theme } from './designer/types';

function initialTheme(): Theme {
  const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem('sluice.theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return typeof matchMedia !== 'undefined' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function indexKinds(kinds: readonly NodeKindInfo[]): KindIndex {
  return Object.fromEntries(kinds.map((k) => [k.kind, k]));
}

/** What a file's text holds as a pipeline, or undefined when it is not one (a draft restored against a broken file). */
function pipelineOf(text: string): Pipeline | undefined {
  const parsed = parsePipelineText(text);
  const shape = parsed.raw === undefined ? undefined : pipelineSchema.safeParse(parsed.raw);
  return shape?.success ? shape.data : undefined;
}

export const useDesigner = create<DesignerState>()((set, get) => {
  const kit = makeKit(set, get);

  /** A document replaces the open one: no history, no selection, clean unless `savedText` says otherwise. */
  const open = (doc: Pipeline, savedText: string | undefined, origin: Partial<Pick<DesignerState, 'origin'>>) => {
    Object.assign(kit.gesture, idleGesture());
    const saved = savedText === undefined ? doc : pipelineOf(savedText);
    kit.commit({
      doc,
      saved,
      savedText: savedText ?? documentText(doc),
      history: emptyHistory(),
      view: emptyView(),
      selectedNodeIds: [],
      docId: get().docId + 1,
      ...origin,
    });
  };

  /** After undo/redo: the selection stays what it is now, less the nodes the restored version does not have. */
  const restore = (step: { doc: Pipeline; history: DesignerState['history'] } | undefined) => {
    kit.gesture.lastEdit = undefined;
    if (!step) return;
    const ids = new Set(step.doc.nodes.map((n) => n.id));
    const selectedNodeIds = get().selectedNodeIds.filter((id) => ids.has(id));
    kit.commit({ doc: step.doc, history: step.history, selectedNodeIds, view: { ...get().view, selectedNodes: new Set(get().selectedNodeIds) } });
  };

  const doc = emptyDocument();
  return {
    api: undefined,
    files: undefined,
    status: 'connecting',
    banner: undefined,
    catalog: undefined,
    kinds: {},
    samples: [],
    origin: { fileName: undefined, baseDir: undefined },
    doc,
    saved: doc,
    savedText: '',
    history: emptyHistory(),
    view: emptyView(),
    meta: metaOf(doc, undefined),
    nodes: [],
    edges: [],
    selectedNodeIds: [],
    docId: 0,
    theme: initialTheme(),

    setApi: (api, files) => set({ api, files }),
    setStatus: (status, banner) => set({ status, banner }),
    setCatalog: (catalog) => kit.commit({ catalog, kinds: indexKinds(catalog.kinds) }),
    setSamples: (samples) => set({ samples }),

    loadPipeline: (pipeline, origin, savedText) => open(pipeline, savedText, origin ? { origin } : {}),
    newPipeline: (name) => open(emptyDocument(name), undefined, { origin: { fileName: undefined, baseDir: undefined } }),
    markSavedAs: (origin) => kit.commit({ saved: get().doc, savedText: documentText(get().doc), origin }),
    markSaved: (fileName) => kit.commit({ saved: get().doc, savedText: documentText(get().doc), ...(fileName ? { origin: { ...get().origin, fileName } } : {}) }),

    ...canvasSlice(kit),
    ...editSlice(kit),
    ...annotationsSlice(kit),

    undo: () => restore(undo(get().history, get().doc)),
    redo: () => restore(redo(get().history, get().doc)),
    setTheme: (theme) => {
      localStorage.setItem('sluice.theme', theme);
      set({ theme });
    },
    toPipeline: () => savedForm(get().doc),
  };
});

/** The canonical text of the open document (what Save writes), serialised once per document version. */
export function canonicalText(s: Pick<DesignerState, 'doc'>): string {
  return documentText(s.doc);
}

/** Whether the document differs from its file (undoing back to what was saved makes it clean again). */
export function isDirty(s: Pick<DesignerState, 'doc' | 'saved'>): boolean {
  return differs(s.doc, s.saved);
}

export function useIsDirty(): boolean {
  return useDesigner((s) => s.status === 'ready' && isDirty(s));
}
