// The keyboard shortcuts overlay ("?" or the toolbar's keyboard button).
import { Fragment, useEffect, useRef, type ReactElement } from 'react';
import { shortcutList } from '../lib/shortcuts';
import { useUi } from '../state/ui';

export function ShortcutsHelp(): ReactElement | null {
  const open = useUi((s) => s.helpOpen);
  const setOpen = useUi((s) => s.setHelpOpen);
  const closeButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    closeButton.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        setOpen(false);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, setOpen]);
  if (!open) return null;
  return (
    <div className="modal-backdrop" onPointerDown={(e) => e.target === e.currentTarget && setOpen(false)} data-testid="shortcuts-backdrop">
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" data-testid="shortcuts-help">
        <div className="modal__head">
          <h2 id="shortcuts-title">Keyboard shortcuts</h2>
          <button ref={closeButton} type="button" className="button button--ghost" onClick={() => setOpen(false)} data-testid="shortcuts-close">
            Close
          </button>
        </div>
        <div className="shortcuts">
          {shortcutList().map((g) => (
            <section key={g.group} className="shortcuts__group">
              <h3>{g.group}</h3>
              <dl>
                {g.items.map((item) => (
                  <Fragment key={item.action}>
                    <dt>
                      {item.keys.map((k, i) => (
                        <Fragment key={k}>
                          {i > 0 && <span className="shortcuts__or">{item.keys[0] === 'Shift' ? '+' : 'or'}</span>}
                          <kbd>{k}</kbd>
                        </Fragment>
                      ))}
                    </dt>
                    <dd>{item.action}</dd>
                  </Fragment>
                ))}
              </dl>
            </section>
          ))}
        </div>
      </div>
    </div>
  );
}
