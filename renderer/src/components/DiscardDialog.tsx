// The unsaved-changes question, asked in the app (not with the browser's confirm()): Save, Discard or Cancel.
// `askToDiscard` resolves true when the caller may go on (the document was saved or the user let it go).
import { useEffect, useRef, type ReactElement } from 'react';
import { useQuestion } from '../state/questions';

export function DiscardDialog(): ReactElement | null {
  const q = useQuestion((s) => s.open);
  const save = useRef<HTMLButtonElement>(null);
  const back = useRef<Element | null>(null);
  useEffect(() => {
    if (!q) return;
    back.current = document.activeElement;
    save.current?.focus();
    return () => {
      if (back.current instanceof HTMLElement) back.current.focus();
    };
  }, [q]);
  if (!q) return null;
  return (
    <div className="modal-backdrop" data-testid="unsaved-dialog">
      <div
        className="modal"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="unsaved-title"
        aria-describedby="unsaved-text"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            q.answer('cancel');
          }
          // Focus stays in the dialog: Tab cycles through its three buttons.
          if (e.key === 'Tab') {
            const buttons = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('button')];
            const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
            e.preventDefault();
            buttons[(i + (e.shiftKey ? buttons.length - 1 : 1)) % buttons.length]?.focus();
          }
        }}
      >
        <h2 id="unsaved-title" className="modal__title">
          Save the changes to “{q.name}”?
        </h2>
        <p id="unsaved-text" className="modal__text">
          Your edits are not saved yet. If you go on without saving, they are lost.
        </p>
        <div className="modal__actions">
          <button type="button" className="button button--ghost" onClick={() => q.answer('cancel')} data-testid="unsaved-cancel">
            Cancel
          </button>
          <button type="button" className="button button--danger" onClick={() => q.answer('discard')} data-testid="unsaved-discard">
            Discard
          </button>
          <button ref={save} type="button" className="button button--primary" onClick={() => q.answer('save')} data-testid="unsaved-save">
            Save
          </button>
        </div>
      </div>
    </div>
  );
}
