// Start and stop watching the pipeline (micro-batches whenever files land in its "New files" sources), with the
// watch's progress and lag. Shown only for pipelines that have such a source.
import { useEffect, useState, type ReactElement } from 'react';
import type { WatchStatus } from '@sluice/format/api/contract';
import { useDesigner } from '../../store';

function lagText(l: WatchStatus['lag']): string {
  if (l.ready === 0 && l.waiting === 0) return 'no files waiting';
  const parts = [`${l.ready} file${l.ready === 1 ? '' : 's'} waiting`];
  if (l.ready > 0) parts.push(`oldest landed ${(l.oldestMs / 1000).toFixed(1)} s ago`);
  if (l.waiting > 0) parts.push(`${l.waiting} still being written`);
  return parts.join(', ');
}

export function WatchField(): ReactElement | null {
  const api = useDesigner((s) => s.api);
  const hasSource = useDesigner((s) => s.nodes.some((n) => n.data.kind === 'source.files'));
  const docId = useDesigner((s) => s.docId);
  // Kept with the document it belongs to: a document opened meanwhile does not show the old one's watch.
  const [held, setHeld] = useState<{ docId: unknown; status?: WatchStatus; error?: string }>({ docId });
  const status = held.docId === docId ? held.status : undefined;
  const error = held.docId === docId ? held.error : undefined;
  const setStatus = (st: WatchStatus) => setHeld({ docId, status: st });
  const setError = (e: string | undefined) => setHeld((h) => ({ ...h, docId, ...(e === undefined ? { error: undefined } : { error: e }) }));
  const watchId = status?.watchId;
  const live = status?.state === 'watching' || status?.state === 'stopping';

  // Follow the watch while it lives.
  useEffect(() => {
    if (!api || !watchId || !live) return;
    const t = setInterval(() => {
      api.watchStatus({ watchId }).then(
        (st) => setHeld((h) => ({ ...h, status: st })),
        (e: unknown) => setHeld((h) => ({ ...h, error: e instanceof Error ? e.message : String(e) })),
      );
    }, 1000);
    return () => clearInterval(t);
  }, [api, watchId, live]);

  if (!hasSource) return null;
  const start = async () => {
    const s = useDesigner.getState();
    if (!s.api) return;
    setError(undefined);
    try {
      const baseDir = s.origin.baseDir;
      const { watchId: id } = await s.api.watchStart({ pipeline: s.toPipeline(), ...(baseDir ? { baseDir } : {}) });
      setStatus(await s.api.watchStatus({ watchId: id }));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const stop = async () => {
    if (!api || !watchId) return;
    await api.watchStop({ watchId });
    setStatus(await api.watchStatus({ watchId }));
  };
  const last = status?.lastBatch;
  return (
    <div className="field" data-testid="watch-field">
      <div className="field__label">Watch for new files</div>
      {live ? (
        <button type="button" className="button" onClick={() => void stop()} disabled={status.state === 'stopping'} data-testid="watch-stop">
          {status.state === 'stopping' ? 'Stopping after this batch…' : 'Stop watching'}
        </button>
      ) : (
        <button type="button" className="button" onClick={() => void start()} disabled={!api} data-testid="watch-start">
          Start watching
        </button>
      )}
      {error ? (
        <ul className="field__errors" role="alert">
          <li>{error}</li>
        </ul>
      ) : status ? (
        <p className="field__help" data-testid="watch-status">
          {status.state === 'error' ? `Stopped: ${status.error ?? 'failed'}. ` : status.state === 'stopped' ? 'Stopped. ' : 'Watching. '}
          {status.batches} batch{status.batches === 1 ? '' : 'es'}
          {status.failed > 0 ? ` (${status.failed} not succeeded)` : ''}
          {last ? `; last: ${last.files} file${last.files === 1 ? '' : 's'} in ${(last.ms / 1000).toFixed(1)} s, ${last.outcome}${last.latencyMs !== undefined ? `, landing to output ${(last.latencyMs / 1000).toFixed(1)} s` : ''}` : ''}
          . Lag: {lagText(status.lag)}.
        </p>
      ) : (
        <p className="field__help">Runs a batch whenever files land in this pipeline&apos;s &quot;New files&quot; sources; each batch is a normal run in the history.</p>
      )}
    </div>
  );
}
