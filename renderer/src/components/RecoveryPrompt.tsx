// Offered once at start-up when the last session ended with unsaved changes (a crash, a closed tab).
import type { ReactElement } from 'react';
import { discardDraft, restoreDraft, useRecovery } from '../files/recovery';
import { AlertIcon } from '../lib/icons';
import { resetRun } from '../state/run';
import { notify } from '../state/toasts';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function RecoveryPrompt(): ReactElement | null {
  const offer = useRecovery((s) => s.offer);
  if (!offer) return null;
  const file = offer.origin.file?.path ?? offer.origin.fileName;
  return (
    <div className="recovery" role="alertdialog" aria-labelledby="recovery-title" aria-describedby="recovery-detail" data-testid="recovery-prompt">
      <AlertIcon size={16} className="recovery__icon" />
      <div className="recovery__text">
        <div className="recovery__title" id="recovery-title">
          Unsaved changes to “{offer.name}” were kept from your last session
        </div>
        <div className="recovery__detail" id="recovery-detail">
          Last edited {when.format(offer.at)}
          {file ? (
            <>
              {' '}
              · <code>{file}</code>
            </>
          ) : null}
          . Restore them to keep working, or discard them.
        </div>
      </div>
      <button type="button" className="button button--ghost" onClick={discardDraft} data-testid="recovery-discard">
        Discard
      </button>
      <button
        type="button"
        className="button button--primary"
        onClick={() => {
          resetRun();
          const problem = restoreDraft(offer);
          notify(problem ? { tone: 'error', title: problem } : { tone: 'success', title: `Restored “${offer.name}”`, detail: 'Save it to keep the changes.' });
        }}
        data-testid="recovery-restore"
      >
        Restore
      </button>
    </div>
  );
}
