// The Profile tab: per column of the selected node's output its type, null share, distinct count, min/max, most
// frequent values and a histogram (Chart.js), computed by the engine over the whole output. Asked for only once the
// node's preview succeeded (so the pipeline up to it is valid), and cached per node state like previews.
import { useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import type { ColumnProfile, ProfileResult } from '@sluice/format/api/ops-contract';
import { formatCount } from '../../lib/format';
import { AlertIcon, SpinnerIcon } from '../../lib/icons';
import { previewKey, upstreamPipeline } from '../../lib/doc-ops';
import { usePreview } from '../../state/preview';
import { useRun } from '../../state/run';
import { useDesigner } from '../../store';
import './profile.css';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

const CACHE_SIZE = 24;
const cache = new Map<string, ProfileResult>();

function remember(key: string, r: ProfileResult): void {
  cache.delete(key);
  cache.set(key, r);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
}

const pct = (x: number) => (x === 0 ? '0 %' : x < 0.001 ? '< 0.1 %' : `${(100 * x).toFixed(1)} %`);

export function ProfileTab(): ReactElement {
  const target = usePreview((s) => s.target);
  const previewPhase = usePreview((s) => s.phase);
  const refreshes = usePreview((s) => s.refreshes);
  const api = useDesigner((s) => s.api);
  const nodes = useDesigner((s) => s.nodes);
  const edges = useDesigner((s) => s.edges);
  const baseDir = useDesigner((s) => s.origin.baseDir);
  const [state, setState] = useState<{ key: string; result?: ProfileResult; error?: string } | undefined>();

  const requestNodeId = target?.requestNodeId;
  const ready = previewPhase === 'ready';
  // The same identity as the node's preview (its upstream subgraph and folder), and a refresh asks again.
  const ask = useMemo(() => {
    if (!requestNodeId || !nodes || !edges) return undefined;
    const sub = upstreamPipeline(useDesigner.getState().toPipeline(), requestNodeId);
    return { sub, key: `${previewKey(sub, requestNodeId, baseDir)}#${refreshes}` };
  }, [requestNodeId, nodes, edges, baseDir, refreshes]);
  const cached = ask ? cache.get(ask.key) : undefined;

  useEffect(() => {
    if (!api || !requestNodeId || !ask || !ready || cache.has(ask.key)) return;
    let current = true;
    const { allowHosts, allowEnv } = useRun.getState();
    api
      .profile({ pipeline: ask.sub, nodeId: requestNodeId, ...(baseDir ? { baseDir } : {}), ...(allowHosts.length > 0 ? { allowHosts } : {}), ...(allowEnv.length > 0 ? { allowEnv } : {}) })
      .then(
        (r) => {
          remember(ask.key, r);
          if (current) setState({ key: ask.key, result: r });
        },
        (e: unknown) => current && setState({ key: ask.key, error: e instanceof Error ? e.message : String(e) }),
      );
    return () => {
      current = false;
    };
  }, [api, requestNodeId, ask, ready, baseDir]);

  if (!target) {
    return (
      <div className="panel-empty" data-testid="profile-empty">
        Select a node to profile the columns it produces.
      </div>
    );
  }
  if (previewPhase === 'error') {
    return (
      <div className="panel-empty" data-testid="profile-empty">
        This node has no output to profile: see the Preview tab for why.
      </div>
    );
  }
  const mine = state && state.key === ask?.key ? state : undefined;
  const result = cached ?? mine?.result;
  const error = cached ? undefined : mine?.error;
  return (
    <div className="profile" data-testid="profile" data-node={target.nodeId}>
      <div className="panel-toolbar">
        {result && (
          <span data-testid="profile-summary">
            {result.sampled ? (
              <>
                <span className="tag tag--muted">sampled</span> a random <strong>{formatCount(result.profiledRows)}</strong> of <strong>{formatCount(result.rows)}</strong> rows
              </>
            ) : (
              <>
                all <strong>{formatCount(result.rows)}</strong> rows of the output
              </>
            )}
            {` · ${result.columns.length} columns`}
            {result.omittedColumns > 0 && ` (${result.omittedColumns} more not profiled)`}
          </span>
        )}
        {!result && !error && (
          <span className="preview__busy" data-testid="profile-busy">
            <SpinnerIcon size={14} /> Profiling the whole output…
          </span>
        )}
      </div>
      {error && (
        <div className="panel-message panel-message--error" role="alert" data-testid="profile-error">
          <AlertIcon size={16} />
          <div>
            <div className="panel-message__title">The profile failed</div>
            <div className="panel-message__detail">{error}</div>
          </div>
        </div>
      )}
      {result && (
        // It scrolls, so it takes focus: a keyboard user scrolls it with the arrow keys (axe: scrollable-region-focusable).
        <div className="profile__grid" tabIndex={0} role="region" aria-label="Column profiles">
          {result.columns.map((c) => (
            <ColumnCard key={c.name} c={c} />
          ))}
        </div>
      )}
    </div>
  );
}

function ColumnCard({ c }: { c: ColumnProfile }): ReactElement {
  return (
    <section className="profile-col" aria-label={`Profile of ${c.name}`} data-testid={`profile-col-${c.name}`}>
      <header className="profile-col__head">
        <span className="profile-col__name">{c.name}</span>
        <span className="profile-col__type">{c.type}</span>
      </header>
      <dl className="profile-col__stats">
        <dt>nulls</dt>
        <dd>
          <span className="profile-col__bar" aria-hidden="true">
            <span style={{ width: `${Math.max(c.nullRate > 0 ? 2 : 0, 100 * c.nullRate)}%` }} />
          </span>
          {pct(c.nullRate)}
        </dd>
        <dt>distinct</dt>
        <dd>{c.distinct === null ? '–' : formatCount(c.distinct)}</dd>
        <dt>min</dt>
        <dd title={c.min ?? ''}>{c.min ?? '–'}</dd>
        <dt>max</dt>
        <dd title={c.max ?? ''}>{c.max ?? '–'}</dd>
      </dl>
      {c.histogram ? (
        <Histogram c={c} />
      ) : (
        <ol className="profile-col__top" aria-label="Most frequent values">
          {c.top.map((t) => (
            <li key={t.value ?? '\u0000null'}>
              <span className={t.value === null ? 'profile-col__null' : ''}>{t.value ?? 'null'}</span>
              <span className="profile-col__count">{formatCount(t.count)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Histogram({ c }: { c: ColumnProfile }): ReactElement {
  const canvas = useRef<HTMLCanvasElement>(null);
  const bins = useMemo(() => c.histogram ?? [], [c.histogram]);
  useEffect(() => {
    if (!canvas.current) return;
    const styles = getComputedStyle(document.documentElement);
    const text = styles.getPropertyValue('--text-muted').trim() || '#52525b';
    const bar = styles.getPropertyValue('--accent').trim() || '#4f46e5';
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: { labels: bins.map((b) => b.from), datasets: [{ data: bins.map((b) => b.count), backgroundColor: bar, barPercentage: 1, categoryPercentage: 0.95 }] },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false }, tooltip: { callbacks: { title: (items) => items.map((i) => `${bins[i.dataIndex]?.from ?? ''} – ${bins[i.dataIndex]?.to ?? ''}`) } } },
        scales: {
          x: { ticks: { color: text, maxRotation: 0, autoSkip: true, maxTicksLimit: 3, font: { size: 9 } }, grid: { display: false } },
          y: { display: false, beginAtZero: true },
        },
      },
    });
    return () => chart.destroy();
  }, [bins]);
  return (
    <div className="profile-col__hist">
      <canvas ref={canvas} role="img" aria-label={`Histogram of ${c.name}: ${bins.length} bins from ${c.min ?? ''} to ${c.max ?? ''}`} />
    </div>
  );
}
