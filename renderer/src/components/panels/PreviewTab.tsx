// The preview of the selected node: its first rows, its schema and its counts, or why there are none.
import type { ReactElement } from 'react';
import type { NodeMetrics, PreviewResult } from '@sluice/format/api/contract';
import { formatCount, plural } from '../../lib/format';
import { AlertIcon, RefreshIcon, SpinnerIcon } from '../../lib/icons';
import { humanizeMessage, configFieldOf, fieldLabel } from '../../lib/problems';
import { usePreview, type PreviewError, type PreviewTarget } from '../../state/preview';
import { useUi } from '../../state/ui';
import { useDesigner } from '../../store';
import { DataGrid } from './DataGrid';
import { MetricsStrip } from './Metrics';

function NodeLink({ nodeId }: { nodeId: string }): ReactElement {
  const selectOnly = useDesigner((s) => s.selectOnly);
  const label = useDesigner((s) => s.nodes.find((n) => n.id === nodeId)?.data.label);
  return (
    <button type="button" className="link-button" onClick={() => selectOnly(nodeId)}>
      {label ?? nodeId}
    </button>
  );
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
              <NodeLink nodeId={failed.nodeId} />: {failed.error}
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
        <pre className="panel-message__pre">{m.error ?? 'no message'}</pre>
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

export function PreviewTab(): ReactElement {
  const target = usePreview((s) => s.target);
  const phase = usePreview((s) => s.phase);
  const result = usePreview((s) => s.result);
  const error = usePreview((s) => s.error);
  const refresh = usePreview((s) => s.refresh);
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
    <div className="preview" data-testid="preview" data-phase={phase} data-node={target.nodeId}>
      <div className="panel-toolbar">
        {result && m && m.status !== 'failed' && m.status !== 'skipped' && !quarantineFeed && <Summary result={result} target={target} />}
        {busy && (
          <span className="preview__busy" data-testid="preview-busy">
            <SpinnerIcon size={14} /> {result ? 'Updating…' : 'Computing preview…'}
          </span>
        )}
        <span className="panel-toolbar__spacer" />
        {m && <MetricsStrip m={m} compact />}
        <button type="button" className="icon-button icon-button--sm" onClick={refresh} title="Recompute (files on disk may have changed)" aria-label="Refresh preview">
          <RefreshIcon size={14} />
        </button>
      </div>
      {error && phase === 'error' && <ErrorState error={error} />}
      {result && m && (m.status === 'failed' || m.status === 'skipped') && <NodeFailed m={m} all={result.metrics} />}
      {result && m && m.status !== 'failed' && m.status !== 'skipped' && quarantineFeed && (
        <div className="panel-message panel-message--muted">
          <div>
            <div className="panel-message__title">This sink receives the rows quarantined at {target.requestNodeId}</div>
            <div className="panel-message__detail">
              {plural(result.quarantineTotal, 'row')} in this preview.{' '}
              <button type="button" className="link-button" onClick={() => setTab('quarantine')}>
                Open them in the Quarantine tab
              </button>
            </div>
          </div>
        </div>
      )}
      {result && m && m.status !== 'failed' && m.status !== 'skipped' && !quarantineFeed && (
        <div className={`preview__body${busy ? ' is-busy' : ''}`}>
          {result.columns.length > 0 ? (
            <DataGrid columns={result.columns} rows={result.rows} label={`Preview of ${target.nodeId}`} />
          ) : (
            <div className="panel-empty">This node produces no columns.</div>
          )}
          <aside className="schema" aria-label="Schema" data-testid="preview-schema">
            <div className="schema__title">Schema · {result.columns.length} columns</div>
            <ol className="schema__list">
              {result.columns.map((c) => (
                <li key={c.name}>
                  <span className="schema__name">{c.name}</span>
                  <span className="schema__type">{c.type}</span>
                </li>
              ))}
            </ol>
          </aside>
        </div>
      )}
    </div>
  );
}
