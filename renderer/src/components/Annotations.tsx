// Sticky notes and node groups on the canvas (saved in the pipeline file's `annotations`; the engine ignores
// them). Both live in React Flow's viewport, under the nodes: a note is Markdown text (lib/markdown, never
// HTML); a group is a titled frame drawn around its nodes' boxes, so it moves with them, and dragging its title
// moves them all. Everything is reachable by keyboard: Tab to a note or a group title, Enter edits, arrow keys
// move (Shift: further), Delete removes (a group's nodes stay).
import { ViewportPortal, useStore } from '@xyflow/react';
import { memo, useCallback, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent as ReactPointerEvent, type ReactElement } from 'react';
import type { Group, Note } from '@sluice/format/pipeline/pipeline';
import { Markdown } from '../lib/markdown';
import { nodeBox } from '../lib/viewport';
import { isTyping } from '../hooks/useShortcuts';
import { useDesigner } from '../store';

/** A group's frame around its nodes, in flow units: the padding, and the title bar above them (Overview draws the same). */
export const GROUP_PAD = 24;
export const GROUP_TITLE = 30;
export const NOTE_SIZE = { width: 240, height: 140 } as const;
const NUDGE = 8;

type Target = { note: string } | { group: string };

/** Pointer drag in flow units: the first move is recorded as an undo step, the rest join it. */
function useAnnotationDrag(target: Target): { onPointerDown(e: ReactPointerEvent<HTMLElement>): void } {
  const zoom = useStore((s) => s.transform[2]);
  const moveAnnotation = useDesigner((s) => s.moveAnnotation);
  const endAnnotationDrag = useDesigner((s) => s.endAnnotationDrag);
  const onPointerDown = useCallback(
    (e: ReactPointerEvent<HTMLElement>) => {
      if (e.button !== 0 || (e.target as HTMLElement).closest('button, textarea, input, a')) return;
      const el = e.currentTarget;
      el.setPointerCapture(e.pointerId);
      let last = { x: e.clientX, y: e.clientY };
      let first = true;
      const move = (ev: PointerEvent) => {
        const dx = (ev.clientX - last.x) / zoom;
        const dy = (ev.clientY - last.y) / zoom;
        if (dx === 0 && dy === 0) return;
        last = { x: ev.clientX, y: ev.clientY };
        moveAnnotation(target, dx, dy, first);
        first = false;
      };
      const up = () => {
        el.removeEventListener('pointermove', move);
        el.removeEventListener('pointerup', up);
        el.removeEventListener('pointercancel', up);
        endAnnotationDrag();
      };
      el.addEventListener('pointermove', move);
      el.addEventListener('pointerup', up);
      el.addEventListener('pointercancel', up);
    },
    [zoom, moveAnnotation, endAnnotationDrag, target],
  );
  return { onPointerDown };
}

/** Arrow keys move the focused annotation a grid step (Shift: five), one undo step per key. */
function nudge(e: KeyboardEvent<HTMLElement>, target: Target): boolean {
  const step = e.shiftKey ? NUDGE * 5 : NUDGE;
  const d = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[e.key];
  if (!d) return false;
  const s = useDesigner.getState();
  s.moveAnnotation(target, d[0] ?? 0, d[1] ?? 0, true);
  s.endAnnotationDrag();
  return true;
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.replace(/^[#>*\-\s]+/, '').slice(0, 60) || 'empty';
}

const NoteView = memo(function NoteView({ note }: { note: Note }): ReactElement {
  const target = useMemo<Target>(() => ({ note: note.id }), [note.id]);
  const drag = useAnnotationDrag(target);
  const [editing, setEditing] = useState(note.text === '');
  const updateNote = useDesigner((s) => s.updateNote);
  const deleteNote = useDesigner((s) => s.deleteNote);
  const box = useRef<HTMLDivElement>(null);
  const width = note.width ?? NOTE_SIZE.width;
  const height = note.height ?? NOTE_SIZE.height;
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (isTyping(e.target)) {
      if (e.key === 'Escape') {
        e.preventDefault();
        setEditing(false);
        box.current?.focus();
      }
      e.stopPropagation();
      return;
    }
    if (e.target !== e.currentTarget) return;
    if (e.key === 'Enter') setEditing(true);
    else if (e.key === 'Delete' || e.key === 'Backspace') deleteNote(note.id);
    else if (!nudge(e, target)) return;
    // The designer's own shortcuts (Delete removes selected nodes) must not act on the same key.
    e.preventDefault();
    e.stopPropagation();
  };
  return (
    <div
      ref={box}
      className="sl-note nopan nodrag nowheel"
      style={{ transform: `translate(${note.position.x}px, ${note.position.y}px)`, width, height }}
      data-testid={`note-${note.id}`}
      role="group"
      aria-label={`Note: ${firstLine(note.text)}`}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onDoubleClick={() => setEditing(true)}
      {...drag}
    >
      <div className="sl-note__bar">
        <span className="sl-note__grip" aria-hidden="true">
          Note
        </span>
        <button type="button" className="sl-note__btn" onClick={() => setEditing(!editing)} aria-label={editing ? 'Done editing the note' : 'Edit the note'} data-testid={`note-edit-${note.id}`}>
          {editing ? 'Done' : 'Edit'}
        </button>
        <button type="button" className="sl-note__btn" onClick={() => deleteNote(note.id)} aria-label="Delete the note" data-testid={`note-delete-${note.id}`}>
          ×
        </button>
      </div>
      {editing ? (
        <textarea
          className="sl-note__input"
          value={note.text}
          autoFocus
          aria-label="Note text (Markdown)"
          placeholder="Write a note (Markdown: **bold**, *italic*, - lists, # headings)"
          onChange={(e) => updateNote(note.id, { text: e.target.value })}
          onBlur={() => setEditing(false)}
          data-testid={`note-input-${note.id}`}
        />
      ) : (
        <div className="sl-note__body" data-testid={`note-body-${note.id}`}>
          <Markdown text={note.text} />
        </div>
      )}
    </div>
  );
});

/** A group's frame: the bounding box of its nodes (measured sizes, estimates before), padded, with a title. */
const GroupView = memo(function GroupView({ group }: { group: Group }): ReactElement | null {
  const frame = useDesigner((s) => {
    const members = new Set(group.nodes);
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const n of s.nodes) {
      if (!members.has(n.id)) continue;
      const b = nodeBox(n);
      x0 = Math.min(x0, b.x);
      y0 = Math.min(y0, b.y);
      x1 = Math.max(x1, b.x + b.w);
      y1 = Math.max(y1, b.y + b.h);
    }
    // A string, so that the selector's result compares by value and the frame re-renders only when it moves.
    return x0 === Infinity ? '' : `${x0 - GROUP_PAD},${y0 - GROUP_PAD - GROUP_TITLE},${x1 - x0 + 2 * GROUP_PAD},${y1 - y0 + 2 * GROUP_PAD + GROUP_TITLE}`;
  });
  const target = useMemo<Target>(() => ({ group: group.id }), [group.id]);
  const drag = useAnnotationDrag(target);
  const renameGroup = useDesigner((s) => s.renameGroup);
  const ungroup = useDesigner((s) => s.ungroup);
  const [editing, setEditing] = useState(false);
  if (!frame) return null;
  const [x, y, w, h] = frame.split(',').map(Number) as [number, number, number, number];
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (isTyping(e.target)) {
      if (e.key === 'Enter' || e.key === 'Escape') {
        e.preventDefault();
        setEditing(false);
      }
      e.stopPropagation();
      return;
    }
    if (e.target !== e.currentTarget) return;
    if (e.key === 'Enter') setEditing(true);
    else if (e.key === 'Delete' || e.key === 'Backspace') ungroup(group.id);
    else if (!nudge(e, target)) return;
    e.preventDefault();
    e.stopPropagation();
  };
  return (
    <div className="sl-group" style={{ transform: `translate(${x}px, ${y}px)`, width: w, height: h }} data-testid={`group-${group.id}`}>
      <div
        className="sl-group__title nopan nodrag nowheel"
        role="group"
        aria-label={`Group: ${group.title || 'untitled'} (${group.nodes.length} nodes). Arrow keys move it with its nodes.`}
        tabIndex={0}
        onKeyDown={onKeyDown}
        onDoubleClick={() => setEditing(true)}
        {...drag}
      >
        {editing ? (
          <input
            className="sl-group__input"
            value={group.title}
            autoFocus
            aria-label="Group title"
            onChange={(e) => renameGroup(group.id, e.target.value)}
            onBlur={() => setEditing(false)}
            data-testid={`group-input-${group.id}`}
          />
        ) : (
          <span className="sl-group__text" data-testid={`group-title-${group.id}`}>
            {group.title || 'Untitled group'}
          </span>
        )}
        <button type="button" className="sl-note__btn" onClick={() => setEditing(!editing)} aria-label="Rename the group">
          Rename
        </button>
        <button type="button" className="sl-note__btn" onClick={() => ungroup(group.id)} aria-label="Remove the group (its nodes stay)" data-testid={`group-delete-${group.id}`}>
          ×
        </button>
      </div>
    </div>
  );
});

export function AnnotationsLayer(): ReactElement | null {
  const annotations = useDesigner((s) => s.meta.annotations);
  if (!annotations || (annotations.notes.length === 0 && annotations.groups.length === 0)) return null;
  return (
    <ViewportPortal>
      <div className="sl-annotations">
        {annotations.groups.map((g) => (
          <GroupView key={g.id} group={g} />
        ))}
        {annotations.notes.map((n) => (
          <NoteView key={n.id} note={n} />
        ))}
      </div>
    </ViewportPortal>
  );
}
