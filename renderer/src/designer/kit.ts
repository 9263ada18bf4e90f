// What every slice of the store writes through: `commit` sets the document or view state and derives React
// Flow's objects and the meta from them in the same update; `edit` is a document change, recorded for undo.
import type { StoreApi } from 'zustand';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { derive, rederiveNodes } from './derive';
import { metaOf } from './document';
import { idleGesture, record, type Gesture } from './history';
import type { DesignerState } from './types';

export type Patch = Partial<Pick<DesignerState, 'doc' | 'view' | 'selectedNodeIds' | 'history' | 'saved' | 'savedText' | 'docId' | 'origin' | 'kinds' | 'catalog'>>;

export interface Kit {
  get: () => DesignerState;
  /**
   * Sets the patch, with `nodes`, `edges` and `meta` derived from the resulting document and view. `touched`:
   * when only the view changed, the nodes it changed (the others keep their objects without being looked at).
   */
  commit(patch: Patch, touched?: Iterable<string>): void;
  /**
   * Replaces the document with `doc` as an edit: a new undo step, or part of the last one when `key` repeats
   * within a moment (typing into one field) or a drag is under way (`drag`). A no-op edit (the same document)
   * records nothing.
   */
  edit(key: string | undefined, doc: Pipeline, extra?: Patch, drag?: 'start' | 'continue' | 'end'): void;
  /** Input timing shared by the slices (drags, typing). */
  gesture: Gesture;
}

export function makeKit(set: StoreApi<DesignerState>['setState'], get: () => DesignerState): Kit {
  const gesture = idleGesture();
  const commit: Kit['commit'] = (patch, touched) => {
    const s = get();
    const doc = patch.doc ?? s.doc;
    const view = patch.view ?? s.view;
    const kinds = patch.kinds ?? s.kinds;
    if (doc === s.doc && kinds === s.kinds && s.nodes.length === doc.nodes.length) {
      // The document is the same: only view state changed (or nothing React Flow sees).
      if (view === s.view) return set(patch);
      const nodes = touched ? rederiveNodes(doc, view, kinds, s.nodes, touched) : derive(doc, view, kinds, s).nodes;
      const edges = view.selectedEdges === s.view.selectedEdges ? s.edges : derive(doc, view, kinds, s).edges;
      return set({ ...patch, nodes, edges });
    }
    set({ ...patch, ...derive(doc, view, kinds, s), meta: metaOf(doc, s.meta) });
  };
  const edit: Kit['edit'] = (key, doc, extra = {}, drag) => {
    const s = get();
    if (doc === s.doc) {
      if (Object.keys(extra).length > 0) commit(extra);
      return;
    }
    // A drag whose end never arrived (the node vanished mid-drag) must not swallow the next edit's step.
    const joinsDrag = gesture.dragging && (drag === 'continue' || drag === 'end');
    if (drag === undefined || drag === 'start') gesture.dragging = false;
    const history = record(s.history, s.doc, gesture, key, Date.now(), joinsDrag);
    if (drag === 'start') gesture.dragging = true;
    if (drag === 'end') gesture.dragging = false;
    commit({ ...extra, doc, history });
  };
  return { get, commit, edit, gesture };
}
