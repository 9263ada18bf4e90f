// Keyboard shortcuts of the designer. Inside text fields the browser's own undo and editing keys win.
import { useEffect } from 'react';
import { useFileDialog } from '../files/dialogs';
import { openDocument, saveDocument, saveDocumentAs } from '../state/files';
import { runPipelineNow } from '../state/run';
import { useDesigner } from '../store';
import { useUi } from '../state/ui';

/** Lays the graph out and brings it into view. */
export function autoLayoutNow(): void {
  useDesigner.getState().autoLayout();
  useUi.getState().requestFit();
}

/** Text fields, and the Monaco code editors (whose focus may sit on an EditContext div rather than a textarea). */
export function isTyping(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.closest('.monaco-editor, .code-input') !== null)
  );
}

export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const s = useDesigner.getState();
      // The shortcuts overlay and the file dialogs are modal: they handle their own keys.
      if (s.status !== 'ready' || useUi.getState().helpOpen || useFileDialog.getState().request) return;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      // Saving, opening and running make sense from anywhere, including a text field.
      if (mod && key === 's') {
        e.preventDefault();
        void (e.shiftKey ? saveDocumentAs() : saveDocument());
        return;
      }
      if (mod && key === 'o') {
        e.preventDefault();
        void openDocument();
        return;
      }
      if (mod && key === 'enter') {
        e.preventDefault();
        void runPipelineNow();
        return;
      }
      if (isTyping(e.target)) return;
      if (mod && key === 'z') {
        e.preventDefault();
        if (e.shiftKey) s.redo();
        else s.undo();
      } else if (mod && key === 'y') {
        e.preventDefault();
        s.redo();
      } else if (mod && key === 'd') {
        e.preventDefault();
        s.duplicateSelection();
      } else if (mod && key === 'c' && !e.shiftKey && !e.altKey) {
        // A text selection on the page (e.g. in the preview grid) is copied by the browser as usual.
        if (window.getSelection()?.toString()) return;
        if (s.copySelection() > 0) e.preventDefault();
      } else if (mod && key === 'v' && !e.shiftKey && !e.altKey) {
        if (s.paste() > 0) e.preventDefault();
      } else if (!mod && !e.altKey && e.shiftKey && key === 'l') {
        e.preventDefault();
        autoLayoutNow();
      } else if (!mod && !e.altKey && e.key === '?') {
        e.preventDefault();
        useUi.getState().setHelpOpen(true);
      } else if ((e.key === 'Delete' || e.key === 'Backspace') && !mod) {
        e.preventDefault();
        s.deleteSelection();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
