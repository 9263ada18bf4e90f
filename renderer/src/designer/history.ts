// Undo/redo over document versions. A version is a whole `Pipeline`, but versions share every node, edge and
// config they did not change, so 200 steps of a 1,000-node pipeline cost 200 node arrays, not 200 copies.
// What makes one step is about input timing, not the document: a drag is one step (its first frame records where
// things were), typing into one field is one step (edits with the same key in quick succession join), and
// selection, measuring and panels are never history.
import type { Pipeline } from '@sluice/format/pipeline/pipeline';

export interface History {
  /** Older versions, oldest first. */
  past: readonly Pipeline[];
  /** Undone versions, the next redo first. */
  future: readonly Pipeline[];
}

export const LIMIT = 200;
export const COALESCE_MS = 1200;

export const emptyHistory = (): History => ({ past: [], future: [] });

/** Input timing that decides whether an edit starts a step or joins the one before. */
export interface Gesture {
  /** A node drag or an annotation drag is under way: its frames join the step its first frame made. */
  dragging: boolean;
  lastEdit: { key: string; at: number } | undefined;
}

export const idleGesture = (): Gesture => ({ dragging: false, lastEdit: undefined });

/**
 * The history after replacing `before` with a new version: a new step holding `before`, or none when the edit
 * joins the last step (same key within COALESCE_MS, or a drag under way).
 */
export function record(h: History, before: Pipeline, g: Gesture, key: string | undefined, now: number, joinsDrag = false): History {
  const last = g.lastEdit;
  const joins = joinsDrag || (key !== undefined && last?.key === key && now - last.at < COALESCE_MS);
  g.lastEdit = key === undefined ? undefined : { key, at: now };
  if (joins) return h.future.length === 0 ? h : { past: h.past, future: [] };
  const past = h.past.length >= LIMIT ? [...h.past.slice(h.past.length - LIMIT + 1), before] : [...h.past, before];
  return { past, future: [] };
}

/** The version to go back to and the history after; undefined when there is nothing to undo. */
export function undo(h: History, current: Pipeline): { doc: Pipeline; history: History } | undefined {
  const doc = h.past[h.past.length - 1];
  if (!doc) return undefined;
  return { doc, history: { past: h.past.slice(0, -1), future: [current, ...h.future] } };
}

export function redo(h: History, current: Pipeline): { doc: Pipeline; history: History } | undefined {
  const doc = h.future[0];
  if (!doc) return undefined;
  return { doc, history: { past: [...h.past, current], future: h.future.slice(1) } };
}
