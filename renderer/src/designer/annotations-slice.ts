// Sticky notes and node groups: the document's optional `annotations` block (the engine ignores it). A group
// lists node ids; moving it moves its nodes. Each change is an undo step; a drag is one step.
import type { Annotations, Group, Note, Pipeline } from '@sluice/format/pipeline/pipeline';
import type { Kit } from './kit';
import type { DesignerState } from './types';

type AnnotationActions = Pick<DesignerState, 'addNote' | 'updateNote' | 'deleteNote' | 'groupSelection' | 'renameGroup' | 'ungroup' | 'moveAnnotation' | 'endAnnotationDrag'>;

const emptyAnnotations = (): Annotations => ({ notes: [], groups: [] });

/** The first free `<prefix>_<n>` among `taken`. */
function freshId(prefix: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  let n = 1;
  while (used.has(`${prefix}_${n}`)) n += 1;
  return `${prefix}_${n}`;
}

const withAnnotations = (doc: Pipeline, annotations: Annotations): Pipeline => ({ ...doc, annotations });

export function annotationsSlice(kit: Kit): AnnotationActions {
  const { get, edit } = kit;
  return {
    addNote: (position, text = '') => {
      const doc = get().doc;
      const a = doc.annotations ?? emptyAnnotations();
      const id = freshId('note', a.notes.map((n) => n.id));
      const note: Note = { id, text, position: { x: Math.round(position.x), y: Math.round(position.y) } };
      edit(undefined, withAnnotations(doc, { ...a, notes: [...a.notes, note] }));
      return id;
    },
    updateNote: (id, patch) => {
      const doc = get().doc;
      const a = doc.annotations;
      if (!a?.notes.some((n) => n.id === id)) return;
      edit(`#note:${id}:${Object.keys(patch).join(',')}`, withAnnotations(doc, { ...a, notes: a.notes.map((n) => (n.id === id ? { ...n, ...patch } : n)) }));
    },
    deleteNote: (id) => {
      const doc = get().doc;
      const a = doc.annotations;
      if (!a?.notes.some((n) => n.id === id)) return;
      edit(undefined, withAnnotations(doc, { ...a, notes: a.notes.filter((n) => n.id !== id) }));
    },
    groupSelection: (title) => {
      const s = get();
      const members = s.nodes.filter((n) => n.selected).map((n) => n.id);
      if (members.length === 0) return undefined;
      const a = s.doc.annotations ?? emptyAnnotations();
      const id = freshId('group', a.groups.map((g) => g.id));
      const group: Group = { id, title: title ?? `Group ${a.groups.length + 1}`, nodes: members };
      edit(undefined, withAnnotations(s.doc, { ...a, groups: [...a.groups, group] }));
      return id;
    },
    renameGroup: (id, title) => {
      const doc = get().doc;
      const a = doc.annotations;
      if (!a?.groups.some((g) => g.id === id)) return;
      edit(`#group:${id}:title`, withAnnotations(doc, { ...a, groups: a.groups.map((g) => (g.id === id ? { ...g, title } : g)) }));
    },
    ungroup: (id) => {
      const doc = get().doc;
      const a = doc.annotations;
      if (!a?.groups.some((g) => g.id === id)) return;
      edit(undefined, withAnnotations(doc, { ...a, groups: a.groups.filter((g) => g.id !== id) }));
    },
    moveAnnotation: (target, dx, dy, first) => {
      const doc = get().doc;
      const a = doc.annotations;
      if (!a) return;
      let next: Pipeline;
      if ('note' in target) {
        if (!a.notes.some((n) => n.id === target.note)) return;
        const notes = a.notes.map((n) => (n.id === target.note ? { ...n, position: { x: Math.round(n.position.x + dx), y: Math.round(n.position.y + dy) } } : n));
        next = withAnnotations(doc, { ...a, notes });
      } else {
        const members = new Set(a.groups.find((g) => g.id === target.group)?.nodes ?? []);
        if (members.size === 0) return;
        next = { ...doc, nodes: doc.nodes.map((n) => (members.has(n.id) ? { ...n, position: { x: n.position.x + dx, y: n.position.y + dy } } : n)) };
      }
      // The first frame is its own step (it holds where things were); the rest of the drag joins it. A frame
      // without a drag under way (its start was lost) joins the last step rather than making one per frame.
      if (first) edit(undefined, next, {}, 'start');
      else {
        kit.gesture.dragging = true;
        edit(undefined, next, {}, 'continue');
      }
    },
    endAnnotationDrag: () => {
      kit.gesture.dragging = false;
    },
  };
}
