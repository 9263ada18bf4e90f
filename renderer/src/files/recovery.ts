// Crash recovery: while the document has unsaved changes, it is kept in localStorage (debounced), with the
// text of its last saved state. On the next start a draft newer than the last save is offered back; restoring
// it brings the document back unsaved, so the marker still says it must be saved.
import { create } from 'zustand';
import { parsePipelineText } from '@sluice/format/pipeline/load';
import { pipelineSchema } from '@sluice/format/pipeline/pipeline';
import { canonicalText, isDirty, useDesigner, type DocumentOrigin } from '../store';

const DRAFT_KEY = 'sluice.draft';
const SAVED_KEY = 'sluice.savedAt';
export const DRAFT_DEBOUNCE_MS = 800;

export interface Draft {
  version: 1;
  /** Epoch ms of the edit the draft holds. */
  at: number;
  text: string;
  /** What the document's file held (so a restored draft is still unsaved against it). */
  savedText: string;
  origin: DocumentOrigin;
  name: string;
}

function storage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

export function readDraft(store: Storage | undefined = storage()): Draft | undefined {
  try {
    const raw: unknown = JSON.parse(store?.getItem(DRAFT_KEY) ?? 'null');
    if (typeof raw !== 'object' || raw === null) return undefined;
    const d = raw as Partial<Draft>;
    if (d.version !== 1 || typeof d.at !== 'number' || typeof d.text !== 'string' || typeof d.savedText !== 'string' || typeof d.name !== 'string') return undefined;
    if (typeof d.origin !== 'object' || d.origin === null) return undefined;
    return d as Draft;
  } catch {
    return undefined;
  }
}

/** A draft is worth offering when it is newer than the last time a document was saved or opened clean. */
export function draftToOffer(store: Storage | undefined = storage()): Draft | undefined {
  const draft = readDraft(store);
  if (!draft) return undefined;
  const savedAt = Number(store?.getItem(SAVED_KEY) ?? 0);
  return draft.at > savedAt ? draft : undefined;
}

export function writeDraft(draft: Draft, store: Storage | undefined = storage()): void {
  try {
    store?.setItem(DRAFT_KEY, JSON.stringify(draft));
  } catch {
    // Storage full or disabled: recovery is a safety net, editing goes on without it.
  }
}

export function clearDraft(store: Storage | undefined = storage(), at = Date.now()): void {
  try {
    store?.removeItem(DRAFT_KEY);
    store?.setItem(SAVED_KEY, String(at));
  } catch {
    // As above.
  }
}

/** The draft on offer at start-up; the prompt (RecoveryPrompt) reads it. */
export const useRecovery = create<{ offer: Draft | undefined }>()(() => ({ offer: undefined }));

/**
 * Mounted once the document is ready: snapshots unsaved changes after edits settle and clears the draft once the
 * document is clean again (saved, exported, undone back, or another file opened). While a draft is on offer
 * nothing is written, so the start-up document cannot overwrite the draft the user has not answered yet.
 */
export function startDraftKeeper(): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last: unknown;
  const snapshot = () => {
    timer = undefined;
    const s = useDesigner.getState();
    if (s.status !== 'ready' || useRecovery.getState().offer) return;
    if (!isDirty(s)) {
      if (readDraft()) clearDraft();
      return;
    }
    writeDraft({ version: 1, at: Date.now(), text: canonicalText(s), savedText: s.savedText, origin: s.origin, name: s.meta.name });
  };
  const unsubscribe = useDesigner.subscribe((s) => {
    const key = [s.doc, s.saved, s.status];
    if (last !== undefined && (last as unknown[]).every((v, i) => v === key[i])) return;
    last = key;
    clearTimeout(timer);
    timer = setTimeout(snapshot, DRAFT_DEBOUNCE_MS);
  });
  return () => {
    unsubscribe();
    clearTimeout(timer);
  };
}

/** Puts the draft's document back, unsaved against its file. Answers a message when the draft is unusable. */
export function restoreDraft(draft: Draft): string | undefined {
  useRecovery.setState({ offer: undefined });
  const parsed = parsePipelineText(draft.text);
  const shape = parsed.raw === undefined ? undefined : pipelineSchema.safeParse(parsed.raw);
  if (!shape?.success) {
    clearDraft();
    return 'The recovered draft is not a readable pipeline; it was discarded.';
  }
  useDesigner.getState().loadPipeline(shape.data, draft.origin, draft.savedText);
  return undefined;
}

export function discardDraft(): void {
  useRecovery.setState({ offer: undefined });
  clearDraft();
}
