// "Where did this come from?": one row of a past run traced back to its source file and line (or API page and
// record) and the nodes it passed, answered by the engine's `traceRow` from what the run kept. Shown as a disclosure
// under the row, so it is reached with Tab, opened with Enter or Space, and closed with Escape.
import { useId, useRef, useState, type KeyboardEvent, type ReactElement } from 'react';
import type { Origin, TraceResult } from '@sluice/format/api/trace-contract';
import { originText } from '../../lib/lineage';
import { SpinnerIcon } from '../../lib/icons';
import { useDesigner } from '../../store';

type State = { status: 'idle' } | { status: 'loading' } | { status: 'done'; trace: TraceResult } | { status: 'error'; message: string };

export interface RowLineageProps {
  runId: string;
  nodeId: string;
  /** The row's lineage id, as the run's quarantine page (or output) shows it. */
  lineage: string;
  quarantine: boolean;
}

export function RowLineage({ runId, nodeId, lineage, quarantine }: RowLineageProps): ReactElement {
  const api = useDesigner((s) => s.api);
  const [open, setOpen] = useState(false);
  const [state, setState] = useState<State>({ status: 'idle' });
  const button = useRef<HTMLButtonElement>(null);
  const panelId = useId();

  const toggle = () => {
    const next = !open;
    setOpen(next);
    if (!next || state.status === 'done' || state.status === 'loading' || !api) return;
    setState({ status: 'loading' });
    // The document as it is now gives the nodes passed (with their labels) when the pipeline is not saved by name.
    const pipeline = useDesigner.getState().toPipeline();
    api.traceRow({ runId, nodeId, lineage, quarantine, pipeline }).then(
      (trace) => setState({ status: 'done', trace }),
      (err: unknown) => setState({ status: 'error', message: err instanceof Error ? err.message : String(err) }),
    );
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || !open) return;
    e.stopPropagation();
    setOpen(false);
    button.current?.focus();
  };

  return (
    <div className="row-lineage" onKeyDown={onKey}>
      <button ref={button} type="button" className="button button--ghost row-lineage__toggle" aria-expanded={open} aria-controls={panelId} onClick={toggle} data-testid="trace-row">
        {open ? 'Hide where this came from' : 'Where did this come from?'}
      </button>
      {open && (
        <div id={panelId} className="row-lineage__panel" role="region" aria-label="Where this row came from" data-testid="row-lineage">
          {state.status === 'loading' || state.status === 'idle' ? (
            <span className="row-lineage__loading">
              <SpinnerIcon size={12} /> Tracing…
            </span>
          ) : state.status === 'error' ? (
            <p className="row-lineage__error" role="alert" data-testid="row-lineage-error">
              {state.message}
            </p>
          ) : (
            <TraceView trace={state.trace} />
          )}
        </div>
      )}
    </div>
  );
}

function TraceView({ trace }: { trace: TraceResult }): ReactElement {
  const labels = new Map((trace.path ?? []).map((n) => [n.nodeId, n.label]));
  const label = (id: string) => labels.get(id) ?? id;
  return (
    <>
      <LineageOrigin origin={trace.origin} label={label} />
      {trace.raw && (
        <div className="row-lineage__origin">
          <span className="row-lineage__key">The line</span>
          <pre className="q-entry__raw" data-testid="row-lineage-raw">
            {trace.raw}
          </pre>
        </div>
      )}
      {trace.path && <LineagePath path={trace.path} />}
      {trace.notes.map((n) => (
        <p key={n} className="row-lineage__note">
          {n}
        </p>
      ))}
    </>
  );
}

/** The nodes a row passed, from its source on, labels first (shared by a run's rows and a preview's rows). */
/** Where a row came from (the file and line, the source node by label), for a run's row and a preview's alike. */
export function LineageOrigin({ origin, label }: { origin: Origin; label: (id: string) => string }): ReactElement {
  const { where, by } = originText(origin, label);
  return (
    <div className="row-lineage__origin">
      <span className="row-lineage__key">Came from</span>
      <strong data-testid="row-lineage-where">{where}</strong>
      {by !== '' && (
        <span className="row-lineage__by">
          read by {by}
          {by !== origin.node && <> (<code>{origin.node}</code>)</>}
        </span>
      )}
    </div>
  );
}

export function LineagePath({ path }: { path: { nodeId: string; kind: string; label?: string | undefined }[] }): ReactElement {
  return (
    <div className="row-lineage__origin">
      <span className="row-lineage__key">Passed</span>
      <ol className="row-lineage__path" data-testid="row-lineage-path">
        {path.map((n) => (
          <li key={n.nodeId} title={`${n.nodeId} (${n.kind})`}>
            {n.label ?? n.nodeId}
            <span className="row-lineage__kind">{n.kind}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
