// A node's row accounting in one line: in, out, quarantined, filtered, and whether they add up.
import type { ReactElement } from 'react';
import type { NodeMetrics } from '@sluice/format/api/contract';
import { formatCount, formatDuration } from '../../lib/format';

export function StatusDot({ status }: { status: NodeMetrics['status'] | 'cancelled' }): ReactElement {
  return <span className={`status-dot status-dot--${status}`} role="img" aria-label={status} title={status} />;
}

/** `sampled`: the counts come from a preview that read only part of its sources, and say so beside them. */
export function MetricsStrip({ m, compact, sampled }: { m: NodeMetrics; compact?: boolean; sampled?: boolean }): ReactElement {
  return (
    <dl className={`metrics${compact ? ' metrics--compact' : ''}`} data-testid="node-metrics" data-sampled={sampled ? 'true' : undefined}>
      {sampled && (
        <div className="metrics__sample" title="Counted over the part of the input this preview read, not the whole input; a run counts everything.">
          <dt className="visually-hidden">counts of</dt>
          <dd data-testid="metrics-sample">in a sample:</dd>
        </div>
      )}
      <div>
        <dt>in</dt>
        <dd data-metric="in">{formatCount(m.rowsIn)}</dd>
      </div>
      <div>
        <dt>out</dt>
        <dd data-metric="out">{formatCount(m.rowsOut)}</dd>
      </div>
      <div className={m.quarantined > 0 ? 'metrics__q' : undefined}>
        <dt>quarantined</dt>
        <dd data-metric="quarantined">{formatCount(m.quarantined)}</dd>
      </div>
      <div title={m.filterReason ? `Filtered by: ${m.filterReason}` : undefined}>
        <dt>filtered</dt>
        <dd data-metric="filtered">
          {formatCount(m.filtered)}
          {m.filterReason && m.filtered > 0 && !compact && <span className="metrics__reason"> ({m.filterReason})</span>}
        </dd>
      </div>
      {!compact && (
        <div>
          <dt>time</dt>
          <dd>{formatDuration(m.durationMs)}</dd>
        </div>
      )}
    </dl>
  );
}
