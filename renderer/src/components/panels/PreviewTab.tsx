// The preview of the selected node: its first rows, its schema and its counts, or why there are none.
import { useState, type ReactElement } from 'react';
import type { Column, NodeMetrics, PreviewResult } from '@sluice/format/api/contract';
import { formatCount, plural } from '../../lib/format';
import { AlertIcon, RefreshIcon, SpinnerIcon } from '../../lib/icons';
import { humanizeMessage, configFieldOf, fieldLabel } from '../../lib/problems';
import { usePreview, type PreviewError, type PreviewTarget } from '../../state/preview';
import { useUi } from '../../state/ui';
import { DataGrid, type ColumnJump } from './DataGrid';
import { NodeRef, WithNodeRefs } from '../NodeRef';
import { MetricsStrip } from './Metrics';
import { PinButton } from './TestsTab';
import { PreviewRowLineage } from './PreviewRowLineage';
import { useDesigner } from '../../store';

function NodeLink({ nodeId }: { nodeId: string }): ReactElement {
  return <NodeRef nodeId={nodeId} link />;
}

function ErrorState({ error }: { error: PreviewError }): ReactElement {
  return (
    <div className="panel-message panel-message--error" role="alert" data-testid="preview-error">
      <AlertIcon size={16} />
      <div>
        <div className="panel-message__title">{error.problems.length > 0 ? 'This node cannot be previewed until the pipeline up to it is fixed' : 'The preview failed'}</div>
        {error.problems.length > 0 ? (
          <ul className="panel-message__list">
            {error.problems.map((p, i) => (
              <li key={i}>
                {p.nodeId && (
                  <>
                    <NodeLink nodeId={p.nodeId} />
                    {configFieldOf(p) ? ` › ${fieldLabel(configFieldOf(p) ?? '')}` : ''}:{' '}
                  </>
                )}
                {configFieldOf(p) ? humanizeMessage(p.message) : p.message}
              </li>
            ))}
          </ul>
        ) : (
          <div className="panel-message__detail">{error.message}</div>
        )}
      </div>
    </div>
  );
}

function NodeFailed({ m, all }: { m: NodeMetrics; all: readonly NodeMetrics[] }): ReactElement {
  if (m.status === 'skipped') {
    const failed = all.find((x) => x.status === 'failed');
    return (
      <div className="panel-message panel-message--muted" data-testid="preview-skipped">
        <AlertIcon size={16} />
        <div>
          <div className="panel-message__title">Not computed: a node upstream failed</div>
          {failed && (
            <div className="panel-message__detail">
              <NodeLink nodeId={failed.nodeId} />: <WithNodeRefs text={failed.error ?? ''} />
            </div>
          )}
        </div>
      </div>
    );
  }
  return (
    <div className="panel-message panel-message--error" role="alert" data-testid="preview-error">
      <AlertIcon size={16} />
      <div>
        <div className="panel-message__title">This node failed</div>
        <pre className="panel-message__pre">
          <WithNodeRefs text={m.error ?? 'no message'} />
        </pre>
      </div>
    </div>
  );
}

function Summary({ result, target }: { result: PreviewResult; target: PreviewTarget }): ReactElement {
  const shown = result.rows.length;
  const total = result.totalRows;
  return (
    <span className="preview__summary" data-testid="preview-summary">
      {shown < total ? (
        <>
          first <strong>{formatCount(shown)}</strong> of <strong>{formatCount(total)}</strong> rows
        </>
      ) : (
        <strong>{plural(total, 'row')}</strong>
      )}
      {result.sampled && (
        <span className="tag tag--muted" title="Sources were read only up to a row limit for this preview, so the counts describe a sample. A run reads everything." data-testid="preview-sampled">
          sampled
        </span>
      )}
      {target.via && (
        <span className="preview__via">
          arriving from <NodeLink nodeId={target.requestNodeId} /> › {target.via.port}
        </span>
      )}
    </span>
  );
}

/**
 * The preview's columns, searchable: a click brings a column into view in the grid, the box beside it shows or
 * hides it (a 200-column preview is read a few columns at a time).
 */
function ColumnList({ columns, hidden, setHidden, onJump }: { columns: readonly Column[]; hidden: ReadonlySet<string>; setHidden: (h: ReadonlySet<string>) => void; onJump: (name: string) => void }): ReactElement {
  const [query, setQuery] = useState('');
  const q = query.trim().toLowerCase();
  const matching = q ? columns.filter((c) => c.name.toLowerCase().includes(q) || c.type.toLowerCase().includes(q)) : columns;
  const toggle = (name: string) => {
    const next = new Set(hidden);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    setHidden(next);
  };
  return (
    <aside className="schema" aria-label="Columns" data-testid="preview-schema">
      <div className="schema__title">
        Columns · {columns.length}
        {hidden.size > 0 && ` · ${hidden.size} hidden`}
      </div>
      <input
        className="schema__find"
        type="search"
        placeholder="Find a column"
        aria-label="Find a column"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && matching[0]) onJump(matching[0].name);
        }}
        data-testid="column-search"
      />
      <ol className="schema__list">
        {matching.map((c) => (
          <li key={c.name} className={hidden.has(c.name) ? 'is-hidden' : undefined} data-testid={`column-item-${c.name}`}>
            <input type="checkbox" checked={!hidden.has(c.name)} onChange={() => toggle(c.name)} aria-label={`Show column ${c.name}`} data-testid={`column-show-${c.name}`} />
            <button type="button" className="schema__jump" onClick={() => onJump(c.name)} disabled={hidden.has(c.name)} title={`Scroll to ${c.name}`}>
              {c.name}
            </button>
            <span className="schema__type">{c.type}</span>
          </li>
        ))}
        {matching.length === 0 && <li className="schema__none">no column matches</li>}
      </ol>
    </aside>
  );
}

export function PreviewTab(): ReactElement {
  const target = usePreview((s) => s.target);
  const phase = usePreview((s) => s.phase);
  const result = usePreview((s) => s.result);
  const error = usePreview((s) => s.error);
  const refresh = usePreview((s) => s.refresh);
  const inputChanged = usePreview((s) => s.inputChanged);
  const [hidden, setHidden] = useState<ReadonlySet<string>>(() => new Set());
  const [jump, setJump] = useState<ColumnJump | undefined>();
  // Another node's preview has other columns: its column list starts with all of them shown.
  // The preview row whose origin is shown (from 0); closed when the preview shows other rows.
  const [traced, setTraced] = useState<number | null>(null);
  const [tracedIn, setTracedIn] = useState(result);
  if (tracedIn !== result) {
    setTracedIn(result);
    setTraced(null);
  }
  const doc = useDesigner((s) => s.doc);
  const [columnsOf, setColumnsOf] = useState(target?.nodeId);
  if (columnsOf !== target?.nodeId) {
    setColumnsOf(target?.nodeId);
    setHidden(new Set());
    setJump(undefined);
  }
  const setTab = useUi((s) => s.setBottomTab);

  if (!target) {
    return (
      <div className="panel-empty" data-testid="preview-empty">
        Select a node to preview the rows it produces.
      </div>
    );
  }
  const busy = phase === 'waiting' || phase === 'loading';
  const m = result?.metrics.find((x) => x.nodeId === target.requestNodeId);
  const quarantineFeed = target.via?.role === 'quarantine';

  return (
    // Escape anywhere in the preview closes an open row origin (the row's number button keeps the focus).
    <div
      className={`preview${inputChanged ? ' is-stale' : ''}`}
      onKeyDown={(e) => {
        if (e.key !== 'Escape' || traced === null) return;
        e.stopPropagation();
        setTraced(null);
      }}
      data-testid="preview" data-phase={phase} data-node={target.nodeId} data-stale={inputChanged ? 'true' : undefined}>
      <div className="panel-toolbar">
        {result && m && m.status !== 'failed' && m.status !== 'skipped' && !quarantineFeed && <Summary result={result} target={target} />}
        {inputChanged && result && (
          <span className="tag tag--muted" title={`The input file ${inputChanged} changed after these rows were read; they are being read again`} data-testid="preview-input-changed">
            input {inputChanged.split('/').pop()} changed since; recomputing
          </span>
        )}
        {busy && (
          <span className="preview__busy" data-testid="preview-busy">
            <SpinnerIcon size={14} /> {result ? 'Updating…' : 'Computing preview…'}
          </span>
        )}
        <span className="panel-toolbar__spacer" />
        {m && <MetricsStrip m={m} compact sampled={result?.sampled === true} />}
        {result && m && m.status !== 'failed' && m.status !== 'skipped' && <PinButton nodeId={target.nodeId} />}
        <button type="button" className="icon-button icon-button--sm" onClick={refresh} title="Recompute (files on disk may have changed)" aria-label="Refresh preview">
          <RefreshIcon size={14} />
        </button>
      </div>
      {error && phase === 'error' && <ErrorState error={error} />}
      {result && m && (m.status === 'failed' || m.status === 'skipped') && <NodeFailed m={m} all={result.metrics} />}
      {result && m && m.status !== 'failed' && m.status !== 'skipped' && quarantineFeed && (
        <div className="panel-message panel-message--muted">
          <div>
            <div className="panel-message__title">
              This sink receives the rows quarantined at <NodeRef nodeId={target.requestNodeId} />
            </div>
            <div className="panel-message__detail">
              {plural(result.quarantineTotal, 'row')} in this preview.{' '}
              <button type="button" className="link-button" onClick={() => setTab('quarantine')}>
                Open them in the Quarantine tab
              </button>
            </div>
          </div>
        </div>
      )}
      {result && m && m.status !== 'failed' && m.status !== 'skipped' && !quarantineFeed && traced !== null && traced < result.rows.length && (
        <PreviewRowLineage pipeline={doc} nodeId={target.requestNodeId} row={traced + 1} lineage={result.lineage?.[traced] ?? null} onClose={() => setTraced(null)} />
      )}
      {result && m && m.status !== 'failed' && m.status !== 'skipped' && !quarantineFeed && (
        <div className={`preview__body${busy ? ' is-busy' : ''}`}>
          {result.columns.length > 0 ? (
            <DataGrid columns={result.columns} rows={result.rows} label={`Preview of ${target.nodeId}`} hidden={hidden} jump={jump} onTrace={result.lineage ? (i) => setTraced((t) => (t === i ? null : i)) : undefined} traced={traced} />
          ) : (
            <div className="panel-empty">This node produces no columns.</div>
          )}
          <ColumnList columns={result.columns} hidden={hidden} setHidden={setHidden} onJump={(name) => setJump({ name, seq: (jump?.seq ?? 0) + 1 })} />
        </div>
      )}
    </div>
  );
}
