// The Runs view: past runs from the engine's run store, with filters; one run's record; two runs compared per node
// and per rule; trend charts per node and per rule over a pipeline's last runs.
//
// It opens fast with 10,000 runs: its three questions go out together (the open document's pipeline is guessed
// before the list of pipelines answers), the engine answers each from one open store, and only the table rows in
// view are in the DOM.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import type { RunManifest } from '@sluice/format/api/contract';
import type { RunSummaryRow, TrendPoint } from '@sluice/format/api/ops-contract';
import { NodeBytesCell } from './NodeBytesCell';
import { formatBytes } from '../../lib/bytes';
import { diffRuns, signed } from '@sluice/format/api/run-diff';
import { useDesigner } from '../../store';
import { TrendChart, type Series } from './TrendChart';
import { useRunsView } from './runs-state';
import './runs.css';

/** The height of a table row (runs.css sets it), for the virtual list. */
const ROW_PX = 29;
/** How many runs the table asks for; the charts ask for the last 30 only. */
const LIST_LIMIT = 500;

const SINCE: Record<string, number | undefined> = { any: undefined, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };
const OUTCOMES = ['succeeded', 'gate_failed', 'partial', 'failed', 'cancelled', 'running'];

function when(iso: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const num = (n: number) => n.toLocaleString('en-US');
const secs = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

export function RunsButton(): ReactElement {
  const setOpen = useRunsView((s) => s.setOpen);
  return (
    <button type="button" className="button button--ghost" onClick={() => setOpen(true)} title="Past runs, trends and comparisons" data-testid="runs-open">
      Runs
    </button>
  );
}

export function RunsView(): ReactElement | null {
  const open = useRunsView((s) => s.open);
  return open ? <RunsDialog /> : null;
}

function RunsDialog(): ReactElement {
  const api = useDesigner((s) => s.api);
  const docName = useDesigner((s) => s.meta.name);
  const setOpen = useRunsView((s) => s.setOpen);
  // The open document's pipeline until the list of pipelines says it has no runs.
  const [pipeline, setPipeline] = useState<string>(docName);
  const [outcome, setOutcome] = useState('');
  const [startedBy, setStartedBy] = useState('');
  const [since, setSince] = useState('any');
  const [rows, setRows] = useState<RunSummaryRow[] | undefined>();
  const [names, setNames] = useState<string[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [picked, setPicked] = useState<string[]>([]);
  const [shown, setShown] = useState<RunManifest | undefined>();
  const [compared, setCompared] = useState<[RunManifest, RunManifest] | undefined>();
  const [trends, setTrends] = useState<TrendPoint[]>([]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setOpen]);

  // The pipelines that have runs, and the default choice: the open document's, when it has any.
  useEffect(() => {
    if (!api) return;
    let current = true;
    void api
      .runPipelines({})
      .then((all) => {
        if (!current) return;
        const ns = all.map((p) => p.name);
        const latest = [...all].sort((a, b) => b.lastRunAt.localeCompare(a.lastRunAt))[0];
        setNames(ns);
        setPipeline((p) => (p !== docName || ns.includes(docName) ? p : (latest?.name ?? '')));
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    return () => {
      current = false;
    };
  }, [api, docName]);

  // An answer to a question no longer asked (a filter changed meanwhile) is dropped, never shown.
  useEffect(() => {
    if (!api) return;
    let current = true;
    const ms = SINCE[since];
    void api
      .runHistory({ limit: LIST_LIMIT, ...(pipeline ? { pipelineName: pipeline } : {}), ...(outcome ? { outcome } : {}), ...(startedBy ? { startedBy } : {}), ...(ms ? { since: new Date(Date.now() - ms).toISOString() } : {}) })
      .then((r) => current && setRows(r))
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    return () => {
      current = false;
    };
  }, [api, pipeline, outcome, startedBy, since]);

  useEffect(() => {
    if (!api || !pipeline) return;
    let current = true;
    void api
      .runTrends({ pipelineName: pipeline, limit: 30 })
      .then((t) => current && setTrends(t))
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    return () => {
      current = false;
    };
  }, [api, pipeline]);


  const show = useCallback(
    (runId: string) => {
      if (!api) return;
      setCompared(undefined);
      void api.runRecord({ runId }).then(setShown, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    },
    [api],
  );

  const compare = useCallback(() => {
    if (!api || picked.length !== 2) return;
    setShown(undefined);
    void Promise.all(picked.map((runId) => api.runRecord({ runId }))).then(
      (ms) => {
        // Older first, so that deltas read as "what changed since".
        const [a, b] = ms.sort((x, y) => x.startedAt.localeCompare(y.startedAt));
        if (a && b) setCompared([a, b]);
      },
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, [api, picked]);

  const toggle = (runId: string) => setPicked((p) => (p.includes(runId) ? p.filter((x) => x !== runId) : [...p.slice(-1), runId]));

  return (
    <div className="modal-backdrop runs-backdrop" onMouseDown={(e) => e.target === e.currentTarget && setOpen(false)}>
      <section className="runs" role="dialog" aria-modal="true" aria-label="Runs" data-testid="runs-view">
        <header className="runs__head">
          <h2>Runs</h2>
          <label>
            Pipeline
            <select value={pipeline} onChange={(e) => setPipeline(e.target.value)} data-testid="runs-filter-pipeline">
              <option value="">all pipelines</option>
              {names.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <label>
            Outcome
            <select value={outcome} onChange={(e) => setOutcome(e.target.value)} data-testid="runs-filter-outcome">
              <option value="">any</option>
              {OUTCOMES.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          </label>
          <label>
            Started by
            <select value={startedBy} onChange={(e) => setStartedBy(e.target.value)} data-testid="runs-filter-by">
              <option value="">anyone</option>
              <option value="cli">CLI</option>
              <option value="designer">designer</option>
              <option value="desktop">desktop</option>
            </select>
          </label>
          <label>
            When
            <select value={since} onChange={(e) => setSince(e.target.value)} data-testid="runs-filter-since">
              <option value="any">any time</option>
              <option value="24h">last 24 hours</option>
              <option value="7d">last 7 days</option>
              <option value="30d">last 30 days</option>
            </select>
          </label>
          <button type="button" className="button" disabled={picked.length !== 2} onClick={compare} data-testid="runs-compare" title="Tick two runs to compare them">
            Compare {picked.length}/2
          </button>
          <div className="runs__spacer" />
          <button type="button" className="icon-button" onClick={() => setOpen(false)} aria-label="Close" data-testid="runs-close">
            ✕
          </button>
        </header>
        {rows && rows.length > 0 && (
          <p className="runs__count" data-testid="runs-count">
            {rows.length === LIST_LIMIT ? `the latest ${num(LIST_LIMIT)} runs (narrow the filters to see older ones)` : `${num(rows.length)} run${rows.length === 1 ? '' : 's'}`}
          </p>
        )}
        {error && (
          <p className="runs__error" role="alert">
            {error}
          </p>
        )}
        <div className="runs__body">
          <RunsList rows={rows} shownId={shown?.runId} picked={picked} onShow={show} onToggle={toggle} />
          <div className="runs__side">
            {shown && <RunDetail m={shown} />}
            {compared && <RunCompare a={compared[0]} b={compared[1]} />}
            {!shown && !compared && <p className="runs__hint">Select a run to see its counts, or tick two and press Compare.</p>}
          </div>
        </div>
        {pipeline && trends.length > 0 && <Trends points={trends} pipeline={pipeline} />}
      </section>
    </div>
  );
}

/** The runs table: only the rows in view (and a few either side) are in the DOM. */
function RunsList({ rows, shownId, picked, onShow, onToggle }: { rows: RunSummaryRow[] | undefined; shownId: string | undefined; picked: string[]; onShow: (runId: string) => void; onToggle: (runId: string) => void }): ReactElement {
  const listRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer's API returns fresh functions by design; this component is not memoised by the compiler.
  const virtualizer = useVirtualizer({ count: rows?.length ?? 0, getScrollElement: () => listRef.current, estimateSize: () => ROW_PX, overscan: 12 });
  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = items.length > 0 ? virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0) : 0;
  return (
    <div className="runs__list" ref={listRef}>
      <table className="runs-table" data-testid="runs-table">
        <thead>
          <tr>
            <th aria-label="compare" />
            <th>When</th>
            <th>Pipeline</th>
            <th>By</th>
            <th>Outcome</th>
            <th className="num">Duration</th>
            <th className="num">Read</th>
            <th className="num">Written</th>
            <th className="num">Quarantined</th>
            <th className="num">Quality</th>
          </tr>
        </thead>
        <tbody>
          {padTop > 0 && <tr aria-hidden="true" className="runs-table__pad" style={{ height: padTop }} />}
          {items.map(({ index }) => {
            const r = rows?.[index];
            if (!r) return null;
            return (
              <tr key={r.runId} className={shownId === r.runId ? 'is-selected' : ''} onClick={() => onShow(r.runId)} data-testid={`runs-row-${r.runId}`}>
                <td onClick={(e) => e.stopPropagation()}>
                  <input type="checkbox" checked={picked.includes(r.runId)} onChange={() => onToggle(r.runId)} aria-label={`compare ${r.runId}`} data-testid={`runs-pick-${r.runId}`} />
                </td>
                <td title={r.runId}>{when(r.startedAt)}</td>
                <td>{r.pipelineName}</td>
                <td>{r.startedBy}</td>
                <td>
                  <span className={`runs-outcome runs-outcome--${r.outcome}`}>{r.outcome.replace('_', ' ')}</span>
                  {r.anomalies > 0 && <span className="runs-anomaly" title="anomaly gates tripped">⚠ {r.anomalies}</span>}
                </td>
                <td className="num">{secs(r.durationMs)}</td>
                <td className="num" title={r.bytesRead > 0 ? `${num(r.bytesRead)} bytes of input files (their size when the run started)` : undefined}>
                  {num(r.rowsRead)}
                  {r.bytesRead > 0 && <span className="runs-bytes"> · {formatBytes(r.bytesRead)}</span>}
                </td>
                <td className="num" title={r.bytesWritten > 0 ? `${num(r.bytesWritten)} bytes of the files sinks wrote (their size after the run)` : undefined}>
                  {num(r.rowsWritten)}
                  {r.bytesWritten > 0 && <span className="runs-bytes"> · {formatBytes(r.bytesWritten)}</span>}
                </td>
                <td className="num">{num(r.quarantined)}</td>
                <td className="num">{r.quality === null ? '–' : r.quality.toFixed(1)}</td>
              </tr>
            );
          })}
          {padBottom > 0 && <tr aria-hidden="true" className="runs-table__pad" style={{ height: padBottom }} />}
        </tbody>
      </table>
      {rows && rows.length === 0 && <p className="runs__empty">No runs match these filters.</p>}
      {!rows && <p className="runs__empty">Loading runs…</p>}
    </div>
  );
}

function RunDetail({ m }: { m: RunManifest }): ReactElement {
  const rules = Object.entries(m.rules ?? {}).flatMap(([node, rs]) => Object.entries(rs).map(([rule, n]) => ({ node, rule, n })));
  return (
    <div className="runs-detail" data-testid="runs-detail">
      <h3>
        Run {m.runId} <span className={`runs-outcome runs-outcome--${m.outcome}`}>{m.outcome.replace('_', ' ')}</span>
      </h3>
      <p className="runs__meta">
        {when(m.startedAt)} · started by {m.startedBy ?? 'unknown'} · quality {m.quality?.score ?? '–'}
      </p>
      <table className="runs-table runs-table--compact">
        <thead>
          <tr>
            <th>Node</th>
            <th>Status</th>
            <th className="num">In</th>
            <th className="num">Out</th>
            <th className="num">Quarantined</th>
            <th className="num">Filtered</th>
            <th className="num">ms</th>
            <th className="num">Bytes</th>
            <th className="num">Quality</th>
          </tr>
        </thead>
        <tbody>
          {m.nodes.map((n) => (
            <tr key={n.nodeId}>
              <td>{n.nodeId}</td>
              <td>{n.status}</td>
              <td className="num">{num(n.rowsIn)}</td>
              <td className="num">{num(n.rowsOut)}</td>
              <td className="num">{num(n.quarantined)}</td>
              <td className="num">{num(n.filtered)}</td>
              <td className="num">{n.durationMs}</td>
              <NodeBytesCell b={m.bytes?.[n.nodeId]} />
              <td className="num">{m.quality?.nodes[n.nodeId] ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rules.length > 0 && (
        <ul className="runs-rules">
          {rules.map((r) => (
            <li key={`${r.node}.${r.rule}`}>
              <code>
                {r.node}.{r.rule}
              </code>{' '}
              failed {num(r.n)} row(s)
            </li>
          ))}
        </ul>
      )}
      {(m.anomalies ?? []).filter((a) => a.tripped).map((a) => (
        <p key={`${a.nodeId}.${a.metric}.${a.subject ?? ''}`} className="runs__error" role="alert">
          [{a.severity}] {a.message}
        </p>
      ))}
      {m.errors.map((e) => (
        <p key={e} className="runs__error">
          {e}
        </p>
      ))}
    </div>
  );
}

function delta(a: number | undefined, b: number | undefined): ReactElement {
  if (a === undefined || b === undefined) return <span>{`${a ?? '–'} → ${b ?? '–'}`}</span>;
  const d = b - a;
  return (
    <span>
      {num(a)} → {num(b)} <span className={d === 0 ? 'runs-delta' : d > 0 ? 'runs-delta runs-delta--up' : 'runs-delta runs-delta--down'}>({signed(d)})</span>
    </span>
  );
}

function RunCompare({ a, b }: { a: RunManifest; b: RunManifest }): ReactElement {
  const d = useMemo(() => diffRuns(a, b), [a, b]);
  return (
    <div className="runs-detail" data-testid="runs-compare-view">
      <h3>Compare</h3>
      <p className="runs__meta">
        a = {when(a.startedAt)} ({a.outcome}) · b = {when(b.startedAt)} ({b.outcome}) · quality {d.quality.a ?? '–'} → {d.quality.b ?? '–'}
      </p>
      <table className="runs-table runs-table--compact">
        <thead>
          <tr>
            <th>Node</th>
            <th>In</th>
            <th>Out</th>
            <th>Quarantined</th>
            <th>ms</th>
          </tr>
        </thead>
        <tbody>
          {d.nodes.map((n) => (
            <tr key={n.nodeId} data-testid={`runs-compare-node-${n.nodeId}`}>
              <td>{n.nodeId}</td>
              <td>{delta(n.a?.rowsIn, n.b?.rowsIn)}</td>
              <td>{delta(n.a?.rowsOut, n.b?.rowsOut)}</td>
              <td>{delta(n.a?.quarantined, n.b?.quarantined)}</td>
              <td>{delta(n.a?.durationMs, n.b?.durationMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {d.rules.length > 0 && (
        <table className="runs-table runs-table--compact">
          <thead>
            <tr>
              <th>Rule</th>
              <th>Failed rows</th>
            </tr>
          </thead>
          <tbody>
            {d.rules.map((r) => (
              <tr key={`${r.nodeId}.${r.rule}`} data-testid={`runs-compare-rule-${r.rule}`}>
                <td>
                  {r.nodeId}.{r.rule}
                </td>
                <td>{delta(r.a, r.b)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function Trends({ points, pipeline }: { points: TrendPoint[]; pipeline: string }): ReactElement {
  const { labels, rowsOut, rules, quality } = useMemo(() => {
    const runs = [...new Map(points.map((p) => [p.runId, p.startedAt])).entries()];
    const labels = runs.map(([, t]) => when(t).slice(5));
    const index = new Map(runs.map(([id], i) => [id, i]));
    const group = (pick: (p: TrendPoint) => string | undefined, value: (p: TrendPoint) => number | null): Series[] => {
      const m = new Map<string, (number | null)[]>();
      for (const p of points) {
        const k = pick(p);
        if (k === undefined) continue;
        const arr = m.get(k) ?? new Array<number | null>(runs.length).fill(null);
        arr[index.get(p.runId) as number] = value(p);
        m.set(k, arr);
      }
      return [...m.entries()].map(([label, values]) => ({ label, values }));
    };
    const rowsOut = group((p) => (p.rule === null ? p.nodeId : undefined), (p) => p.rowsOut);
    // Rules that failed no row in a run are absent from its record: 0 there, not a gap.
    const rules = group((p) => (p.rule === null ? undefined : `${p.nodeId}.${p.rule}`), (p) => p.quarantined).map((s) => ({ ...s, values: s.values.map((v) => v ?? 0) }));
    const quality = group((p) => (p.rule === null && p.quality !== null ? p.nodeId : undefined), (p) => p.quality);
    return { labels, rowsOut, rules, quality };
  }, [points]);
  return (
    <div className="runs-trends" data-testid="runs-trends">
      <h3>
        Trends: {pipeline}, last {labels.length} runs
      </h3>
      <div className="runs-trends__grid">
        <TrendChart title="Rows out per node" labels={labels} series={rowsOut} testId="trend-rows" />
        <TrendChart title="Rows failing each rule" labels={labels} series={rules} testId="trend-rules" />
        <TrendChart title="Quality score per node" labels={labels} series={quality} testId="trend-quality" percent />
      </div>
    </div>
  );
}
