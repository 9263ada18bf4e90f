// Notices over the canvas, newest last; errors are announced to screen readers at once.
import type { ReactElement } from 'react';
import { AlertIcon, CheckIcon, CloseIcon } from '../lib/icons';
import { useToasts } from '../state/toasts';
import { InlineCode } from './InlineCode';

export function Toasts(): ReactElement {
  const toasts = useToasts((s) => s.toasts);
  const dismiss = useToasts((s) => s.dismiss);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast--${t.tone}`} role={t.tone === 'error' ? 'alert' : 'status'} data-testid="toast">
          <span className="toast__icon">{t.tone === 'error' ? <AlertIcon size={15} /> : <CheckIcon size={15} />}</span>
          <div className="toast__text">
            <div className="toast__title">{t.title}</div>
            {t.detail && (
              <div className="toast__detail">
                <InlineCode text={t.detail} />
              </div>
            )}
          </div>
          <button type="button" className="toast__close" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            <CloseIcon size={11} />
          </button>
        </div>
      ))}
    </div>
  );
}
