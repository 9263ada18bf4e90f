// The summary of the last run: outcome, errors, and every node's accounting (in = out + quarantined + filtered).
import { WithNodeRefs } from '../NodeRef';
import { RunDrift } from './RunDrift';
import type { ReactElement } from 'react';
import type { NodeMetrics, RunManifest } from '@sluice/format/api/contract';
import { formatCount, formatDuration, plural } from '../../lib/format';
import { AlertIcon, CheckIcon, PlayIcon, SpinnerIcon } from '../../lib/icons';
import { configFieldOf, humanizeMessage } from '../../lib/problems';
import { cancelRunNow, progressText, runPipelineNow, shownStatus, staleNote, useRun } from '../../state/run';
import { useDesigner } from '../../store';
import type { KindIndex } from '../../lib/graph';
import { StatusDot } from './Metrics';

const OUTCOME: Record<string, string> = {
  succeeded: 'Run succeeded',
  failed: 'Run failed',
  gate_failed: 'A quality gate stopped the run',
  cancelled: 'Run cancelled',
  partial: 'Run partly finished: some branches failed, the others published',
};

/** Outcomes a resume can finish (the engine keeps checkpoints of such runs). */
const RESUMABLE = new Set(['failed', 'partial', 'cancelled']);

function balanced(m: NodeMetrics, kinds: KindIndex): boolean {
  // Joins and aggregates make new rows; the engine reconciles their consumed rows (`passed`), not rowsOut.
  // Kinds whose counts are opaque (SQL: new rows, not reconciled one by one) say so in the catalog.
  return m.status === 'skipped' || m.status === 'failed' || m.passed + m.quarantined + m.filtered === m.rowsIn || kinds[m.kind]?.traits.counts === 'opaque';
}

/** While a run goes: each node's state as the engine reports it, and a way to stop the run. */
function RunProgress(): ReactElement {
  const nodes = useDesigner((s) => s.nodes);
  const metrics = useRun((s) => s.metrics);
  const running = useRun((s) => s.running);
  const progress = useRun((s) => s.progress);
  const canCancel = useRun((s) => s.jobId !== undefined);
  const cancelling = useRun((s) => s.cancelling);
  const upTo = useRun((s) => s.upTo);
  // A "run up to here" lists only the nodes it runs: the others would wait forever.
  const shown = upTo ? nodes.filter((n) => upTo.nodes.has(n.id)) : nodes;
  const done = shown.filter((n) => metrics.has(n.id)).length;
  return (
    <div className="run-summary" data-testid="run-running">
      <div className="run-summary__head">
        <SpinnerIcon size={14} />
        <strong>{cancelling ? 'Cancelling…' : 'Running…'}</strong>
        <span className="run-summary__facts" data-testid="run-progress">
          {done === 0 && running.size === 0 ? 'starting the engine…' : `${done} of ${shown.length} nodes finished`}
        </span>
        <span className="panel-toolbar__spacer" />
        <button type="button" className="button button--ghost" onClick={() => void cancelRunNow()} disabled={!canCancel || cancelling} data-testid="run-cancel-panel">
          Cancel run
        </button>
      </div>
      <div className="run-table-wrap" tabIndex={0} role="region" aria-label="Nodes of the run">
        <table className="run-table">
          <RunTableHead columns={PROGRESS_COLUMNS} />
          <tbody>
            {shown.map((n) => {
              const m = metrics.get(n.id);
              const state = m ? shownStatus(m, undefined) : running.has(n.id) ? 'running' : 'waiting';
              return (
                <tr key={n.id} data-testid={`run-progress-${n.id}`} data-state={state}>
                  <td>
                    <span className="run-table__node">{n.data.label || n.id}</span> <code className="run-table__id">{n.id}</code>
                  </td>
                  <td>{state === 'running' ? <SpinnerIcon size={11} /> : m ? <StatusDot status={shownStatus(m, undefined)} /> : null} {state}</td>
                  <td className="num" data-testid={state === 'running' && progress.has(n.id) ? `run-progress-rows-${n.id}` : undefined}>
                    {m ? formatCount(m.rowsIn) : state === 'running' ? (progressText(progress.get(n.id)) ?? '') : ''}
                  </td>
                  <td className="num">{m ? formatCount(m.rowsOut) : ''}</td>
                  <td className="num">{m ? formatDuration(m.durationMs) : ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

const rowsIds = (m: RunManifest): string[] => m.nodes.map((n) => n.nodeId);

export function RunTab(): ReactElement {
  const phase = useRun((s) => s.phase);
  const manifest = useRun((s) => s.manifest);
  const error = useRun((s) => s.error);
  const stale = useRun((s) => s.stale);
  const inputChanged = useRun((s) => s.inputChanged);
  const selectOnly = useDesigner((s) => s.selectOnly);
  const kinds = useDesigner((s) => s.kinds);
  const labels = useDesigner((s) => s.nodes);
  const runUpTo = useRun((s) => s.upTo);

  if (phase === 'idle') {
    return (
      <div className="panel-empty" data-testid="run-empty">
        <div>
          <p>Run the whole pipeline: every source is read in full and every sink is written.</p>
          <button type="button" className="button button--primary" onClick={() => void runPipelineNow()}>
            <PlayIcon size={12} /> Run pipeline
          </button>
        </div>
      </div>
    );
  }
  if (phase === 'running' && !manifest) return <RunProgress />;
  if (phase === 'error' && error) {
    return (
      <div className="run-summary" data-testid="run-summary" data-outcome="not-run">
        <div className="panel-message panel-message--error" role="alert">
          <AlertIcon size={16} />
          <div>
            <div className="panel-message__title">The pipeline did not run</div>
            {error.problems.length > 0 ? (
              <ul className="panel-message__list">
                {error.problems.map((p, i) => (
                  <li key={i}>
                    {p.nodeId && (
                      <button type="button" className="link-button" onClick={() => selectOnly(p.nodeId as string)}>
                        {p.nodeId}
                      </button>
                    )}
                    {p.nodeId ? ': ' : ''}
                    {configFieldOf(p) ? `${configFieldOf(p)}: ${humanizeMessage(p.message)}` : p.message}
                  </li>
                ))}
              </ul>
            ) : (
              <div className="panel-message__detail">{error.message}</div>
            )}
          </div>
        </div>
      </div>
    );
  }
  if (!manifest) return <div className="panel-empty" />;

  const ms = Date.parse(manifest.finishedAt) - Date.parse(manifest.startedAt);
  const quarantined = manifest.nodes.reduce((s, n) => s + n.quarantined, 0);
  const filtered = manifest.nodes.reduce((s, n) => s + n.filtered, 0);
  const read = manifest.nodes.filter((n) => n.kind.startsWith('source.')).reduce((s, n) => s + n.rowsIn, 0);
  const ok = manifest.outcome === 'succeeded';
  const labelOf = (id: string) => labels.find((n) => n.id === id)?.data.label;
  // The record says where a partial run stopped (the engine's `upTo`); this window also knows what it left out.
  const upTo = manifest.upTo !== undefined ? { nodeId: manifest.upTo, nodes: runUpTo?.nodeId === manifest.upTo ? runUpTo.nodes : new Set(rowsIds(manifest)) } : runUpTo;
  const upToLabel = upTo ? labelOf(upTo.nodeId) || upTo.nodeId : '';
  // The same order as while the run went (the document's), so rows do not jump when it ends; nodes the
  // document no longer has come last.
  const order = new Map(labels.map((n, i) => [n.id, i]));
  const rows = [...manifest.nodes].sort((a, b) => (order.get(a.nodeId) ?? Infinity) - (order.get(b.nodeId) ?? Infinity));

  return (
    <div className={`run-summary${stale ? ' is-stale' : ''}`} data-testid="run-summary" data-outcome={manifest.outcome}>
      <div className={`run-summary__head run-summary__head--${ok ? 'ok' : 'failed'}`}>
        {ok ? <CheckIcon size={16} /> : <AlertIcon size={16} />}
        <strong>{upTo ? `Run up to ${upToLabel}: ${(OUTCOME[manifest.outcome] ?? manifest.outcome).replace(/^Run /, '')}` : (OUTCOME[manifest.outcome] ?? manifest.outcome)}</strong>
        <span className="run-summary__facts">
          {formatDuration(ms)} · {plural(read, 'row')} read · {plural(quarantined, 'row')} quarantined · {formatCount(filtered)} filtered
          {manifest.quality && manifest.quality.score !== null && (
            <>
              {' · '}
              <span title="Quality score: the share of rows passed by the nodes that judge rows, weighted by rows; 0 when a gate failed (docs/OPERATIONS.md)" data-testid="run-quality">
                quality {manifest.quality.score.toFixed(1)}
              </span>
            </>
          )}
        </span>
        <span className="panel-toolbar__spacer" />
        {stale && (
          <span className="tag tag--muted" title={inputChanged ? `The input file ${inputChanged} changed after this run; run it again for current numbers` : 'The pipeline was edited after this run; run it again for current numbers'} data-testid="run-stale">
            {staleNote(manifest, inputChanged)}
          </span>
        )}
        {phase === 'running' && <SpinnerIcon size={14} />}
        <code className="run-summary__id" title={`Started ${manifest.startedAt}`}>
          {manifest.runId}
        </code>
        {RESUMABLE.has(manifest.outcome) && phase !== 'running' && (
          <button
            type="button"
            className="button"
            onClick={() => void runPipelineNow({ resume: manifest.runId, ...(upTo ? { upTo } : {}) })}
            title="Fix the cause, then finish this run: nodes whose results still hold are skipped, outputs already published are not written again"
            data-testid="run-resume"
          >
            <PlayIcon size={12} /> Resume
          </button>
        )}
      </div>
      {upTo && (
        <p className="run-summary__partial" data-testid="run-up-to">
          A partial run: {upToLabel} and the nodes that feed it ran; {plural(labels.filter((n) => !upTo.nodes.has(n.id)).length, 'other node')} did not run and
          nothing after it was written.
        </p>
      )}
      {manifest.errors.length > 0 && (
        <ul className="run-summary__errors" role="alert">
          {manifest.errors.map((e, i) => (
            <li key={i}>
              <WithNodeRefs text={e} />
            </li>
          ))}
        </ul>
      )}
      <RunDrift manifest={manifest} />
      <div className="run-table-wrap" tabIndex={0} role="region" aria-label="Nodes of the run">
        <table className="run-table">
          <RunTableHead columns={SUMMARY_COLUMNS} />
          <tbody>
            {rows.map((m) => (
              <tr key={m.nodeId} data-testid={`run-row-${m.nodeId}`} data-status={shownStatus(m, manifest.outcome)} onClick={() => selectOnly(m.nodeId)} className={shownStatus(m, manifest.outcome) === 'failed' ? 'is-failed' : undefined}>
                <td>
                  <span className="run-table__node">{labelOf(m.nodeId) ?? m.nodeId}</span> <code className="run-table__id">{m.nodeId}</code>
                </td>
                <td>
                  <StatusDot status={shownStatus(m, manifest.outcome)} /> {shownStatus(m, manifest.outcome)}
                </td>
                <td className="num">{formatCount(m.rowsIn)}</td>
                <td className="num">{formatCount(m.rowsOut)}</td>
                <td className={`num${m.quarantined > 0 ? ' run-table__q' : ''}`}>{formatCount(m.quarantined)}</td>
                <td className="num" title={m.filterReason}>
                  {formatCount(m.filtered)}
                </td>
                <td className="num">{formatDuration(m.durationMs)}</td>
                <td className="run-table__notes">
                  {m.error ?? [m.resumed ? 'from the earlier attempt' : undefined, m.checkpointed && manifest.outcome !== 'succeeded' ? 'checkpointed' : undefined, m.filterReason && m.filtered > 0 ? `filtered: ${m.filterReason}` : undefined, ...m.warnings].filter(Boolean).join('; ')}
                  {!balanced(m, kinds) && <span className="tag tag--danger">does not add up</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

interface RunColumn {
  label: string;
  numeric?: boolean;
}

const PROGRESS_COLUMNS: RunColumn[] = [{ label: 'Node' }, { label: 'Status' }, { label: 'In', numeric: true }, { label: 'Out', numeric: true }, { label: 'Time', numeric: true }];
const SUMMARY_COLUMNS: RunColumn[] = [
  { label: 'Node' },
  { label: 'Status' },
  { label: 'In', numeric: true },
  { label: 'Out', numeric: true },
  { label: 'Quarantined', numeric: true },
  { label: 'Filtered', numeric: true },
  { label: 'Time', numeric: true },
  { label: 'Notes' },
];

/** The header row of the live progress table and of the finished run's table. */
function RunTableHead({ columns }: { columns: RunColumn[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th key={c.label} className={c.numeric ? 'num' : undefined}>
            {c.label}
          </th>
        ))}
      </tr>
    </thead>
  );
}
