// The quarantine inspector: rows a node refused, grouped by rule, each with its reasons, where it came from,
// and its values or the raw text of a malformed line. After a run it reads the run's complete quarantine;
// before one, the preview's sample of it.
import { useEffect, useMemo, useState, type ReactElement } from 'react';
import type { QuarantineEntry, QuarantinePage } from '@sluice/format/api/contract';
import { formatCount, plural } from '../../lib/format';
import { DownloadIcon, SpinnerIcon } from '../../lib/icons';
import { countByRule, fromRecord, quarantineCsv, rowValues, type RuleCount } from '../../lib/quarantine';
import { downloadText } from '../../state/files';
import { usePreview } from '../../state/preview';
import { useRun } from '../../state/run';
import { notify } from '../../state/toasts';
import { useDesigner } from '../../store';
import { RowLineage } from './RowLineage';

const PAGE = 200;
const EMPTY_PAGE: QuarantinePage = { total: 0, byRule: {}, entries: [] };
const EXPORT_PAGE = 10_000;

function valueText(v: unknown): string {
  return v === null ? 'null' : typeof v === 'string' ? v : JSON.stringify(v);
}

/** `run`: the run the entry was read from, so the row can be traced back to its source (a preview keeps no run). */
function Entry({ e, run }: { e: QuarantineEntry; run?: { runId: string; nodeId: string } }): ReactElement {
  const mentioned = (key: string) => e.reasons.some((r) => new RegExp(`(^|[^A-Za-z0-9_])${key.replace(/[^A-Za-z0-9_]/g, '\\$&')}([^A-Za-z0-9_]|$)`).test(r));
  return (
    <li className="q-entry" data-testid="quarantine-entry" data-line={e.sourceLine ?? ''}>
      <div className="q-entry__where">
        <span className="q-entry__line">{e.sourceLine !== null ? `line ${e.sourceLine}` : 'no line'}</span>
        <span className="q-entry__lineage" title="Lineage: where this row came from">
          {e.lineage}
        </span>
      </div>
      <div className="q-entry__main">
        <ul className="q-entry__reasons">
          {e.reasons.map((r, i) => (
            <li key={i}>
              <span className="tag tag--danger">{e.ruleIds[i] ?? e.ruleIds[0] ?? 'rule'}</span> {r}
            </li>
          ))}
        </ul>
        {e.raw !== null ? (
          <pre className="q-entry__raw" title="The line exactly as read (invalid bytes shown as �)">{e.raw}</pre>
        ) : e.row !== null ? (
          <div className="q-entry__values">
            {rowValues(e.row).map(([k, v]) => (
              <span key={k} className={`q-value${mentioned(k) ? ' q-value--hit' : ''}${v === null ? ' q-value--null' : ''}`}>
                <span className="q-value__key">{k}</span>
                <span className="q-value__val">{valueText(v)}</span>
              </span>
            ))}
          </div>
        ) : null}
        {run && e.lineage !== '' && <RowLineage runId={run.runId} nodeId={run.nodeId} lineage={e.lineage} quarantine />}
      </div>
    </li>
  );
}

interface Source {
  mode: 'run' | 'preview';
  nodeId: string;
  total: number;
  byRule: RuleCount[];
  entries: QuarantineEntry[];
  loading: boolean;
  /** Preview only: every quarantined row of the sample is in `entries`. */
  complete: boolean;
  /** Per-rule counts are totals (the engine's), not counts of the entries at hand. */
  exactRules?: boolean;
  /** Preview only: sources were read up to a limit, so every count here is of that sample. */
  sampled?: boolean;
}

/** After a fresh run, the node's run quarantine, page by page; the rule filter is applied by the engine. */
function useRunQuarantine(nodeId: string | undefined, rule: string | undefined): { page: QuarantinePage | undefined; loading: boolean; runId: string | undefined } {
  const api = useDesigner((s) => s.api);
  const manifest = useRun((s) => s.manifest);
  const stale = useRun((s) => s.stale);
  const count = useRun((s) => (nodeId ? s.metrics.get(nodeId)?.quarantined : undefined));
  const runId = manifest && !stale && nodeId && count !== undefined ? manifest.runId : undefined;
  const [state, setState] = useState<{ key: string; page: QuarantinePage } | undefined>(undefined);
  const key = `${runId}/${nodeId}/${rule ?? ''}`;
  useEffect(() => {
    // A node that quarantined nothing in the run needs no call; its empty page is known.
    if (!api || !runId || !nodeId || count === 0) return;
    let live = true;
    api.quarantinePage({ runId, nodeId, ...(rule ? { rule } : {}), offset: 0, limit: PAGE }).then(
      (page) => live && setState({ key, page }),
      (err: unknown) => live && notify({ tone: 'error', title: 'Could not read the run’s quarantine', detail: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [api, runId, nodeId, rule, key, count]);
  const page = count === 0 ? EMPTY_PAGE : state?.key === key ? state.page : undefined;
  return { page, loading: runId !== undefined && page === undefined, runId };
}

export function QuarantineTab(): ReactElement {
  const target = usePreview((s) => s.target);
  const preview = usePreview((s) => s.result);
  const api = useDesigner((s) => s.api);
  const nodeId = target?.requestNodeId;
  const [rule, setRule] = useState<string | undefined>(undefined);
  const [filterFor, setFilterFor] = useState(nodeId);
  if (filterFor !== nodeId) {
    setFilterFor(nodeId);
    setRule(undefined);
  }
  const run = useRunQuarantine(nodeId, rule);
  const [allRules, setAllRules] = useState<{ key: string; rules: RuleCount[]; total: number } | undefined>(undefined);
  // The rule list keeps the unfiltered counts while a filter is on.
  if (run.page && !rule && (allRules?.key !== `${run.runId}/${nodeId}` || allRules.total !== run.page.total)) {
    setAllRules({ key: `${run.runId}/${nodeId}`, rules: fromRecord(run.page.byRule), total: run.page.total });
  }

  const source = useMemo<Source | undefined>(() => {
    if (!nodeId) return undefined;
    if (run.runId) {
      const rules = allRules?.key === `${run.runId}/${nodeId}` ? allRules : undefined;
      return { mode: 'run', nodeId, total: rules?.total ?? run.page?.total ?? 0, byRule: rules?.rules ?? [], entries: run.page?.entries ?? [], loading: run.loading, complete: true };
    }
    if (!preview || preview.nodeId !== nodeId) return { mode: 'preview', nodeId, total: 0, byRule: [], entries: [], loading: true, complete: false };
    const entries = rule ? preview.quarantine.filter((e) => e.ruleIds.includes(rule)) : preview.quarantine;
    return {
      mode: 'preview',
      nodeId,
      total: preview.quarantineTotal,
      // The engine's exact counts over every row the preview quarantined; an older engine sends none, and then
      // the counts of the entries at hand are shown (and marked as such below).
      byRule: preview.quarantineByRule ? fromRecord(preview.quarantineByRule) : countByRule(preview.quarantine),
      exactRules: preview.quarantineByRule !== undefined,
      sampled: preview.sampled,
      entries,
      loading: false,
      complete: preview.quarantine.length >= preview.quarantineTotal,
    };
  }, [nodeId, run, allRules, preview, rule]);

  if (!target || !source) return <div className="panel-empty">Select a node to see the rows it quarantined.</div>;

  const exportCsv = async () => {
    let entries = source.entries;
    if (source.mode === 'run' && api && run.runId) {
      entries = [];
      for (let offset = 0; ; offset += EXPORT_PAGE) {
        const page = await api.quarantinePage({ runId: run.runId, nodeId: source.nodeId, offset, limit: EXPORT_PAGE });
        entries.push(...page.entries);
        if (page.entries.length < EXPORT_PAGE) break;
      }
    } else if (rule) entries = preview?.quarantine ?? [];
    const partial = source.mode === 'preview' && entries.length < source.total;
    const name = `${source.nodeId}-quarantine${source.mode === 'preview' ? '-preview' : ''}.csv`;
    downloadText(name, quarantineCsv(entries), 'text/csv');
    notify({
      tone: 'success',
      title: `Exported ${name}`,
      detail: partial ? `${plural(entries.length, 'row')}: the first of the preview's ${formatCount(source.total)}; run the pipeline to export them all` : plural(entries.length, 'row'),
    });
  };
  const shown = source.entries.length;
  const unknown = source.loading && source.total === 0;
  const filteredTotal = rule ? (source.byRule.find((r) => r.rule === rule)?.count ?? shown) : source.total;

  return (
    <div className="quarantine" data-testid="quarantine" data-node={source.nodeId} data-mode={source.mode}>
      <div className="panel-toolbar">
        <span className="preview__summary">
          {/* While the run's page loads its total is not known: no number rather than a 0 that is not true. */}
          <strong>{unknown ? '… rows' : plural(source.total, 'row')}</strong> quarantined at <code>{source.nodeId}</code>
          <span className="tag tag--muted" title={source.mode === 'run' ? 'Every quarantined row of the last run' : 'From the preview: sources were read only up to a limit'}>
            {source.mode === 'run' ? 'last run' : source.sampled ? 'preview · sample of the input' : 'preview'}
          </span>
          {source.mode === 'preview' && source.exactRules === false && (
            <span className="tag tag--muted" data-testid="quarantine-rules-sample" title="This engine did not send per-rule totals">
              per-rule counts of the {shown} rows shown
            </span>
          )}
        </span>
        {source.loading && <SpinnerIcon size={14} />}
        <span className="panel-toolbar__spacer" />
        <button
          type="button"
          className="button"
          disabled={source.total === 0}
          title={source.mode === 'preview' && !source.complete ? `Exports the ${shown} rows the preview holds of its ${source.total}; run the pipeline to export them all` : 'Download these rows as CSV'}
          onClick={() => void exportCsv().catch((err: unknown) => notify({ tone: 'error', title: 'Export failed', detail: err instanceof Error ? err.message : String(err) }))}
          data-testid="export-quarantine"
        >
          <DownloadIcon size={14} /> Export CSV
        </button>
      </div>
      {source.total === 0 && !source.loading ? (
        <div className="panel-empty" data-testid="quarantine-empty">
          Nothing was quarantined at this node {source.mode === 'preview' ? 'in the preview' : 'in the last run'}.
        </div>
      ) : (
        <div className="quarantine__body">
          <nav className="rule-list" aria-label="Rules">
            <button type="button" className={`rule-list__item${rule === undefined ? ' is-active' : ''}`} onClick={() => setRule(undefined)}>
              <span>All rules</span>
              <span className="rule-list__count">{unknown ? '…' : formatCount(source.total)}</span>
            </button>
            {source.byRule.map((r) => (
              <button type="button" key={r.rule} className={`rule-list__item${rule === r.rule ? ' is-active' : ''}`} onClick={() => setRule(r.rule)} data-testid={`rule-${r.rule}`}>
                <span className="rule-list__name">{r.rule}</span>
                <span className="rule-list__count">{formatCount(r.count)}</span>
              </button>
            ))}
          </nav>
          <div className="q-entries" tabIndex={0} role="region" aria-label="Quarantined rows">
            {shown < filteredTotal && (
              <div className="q-entries__note">
                Showing the first {formatCount(shown)} of {formatCount(filteredTotal)} rows{source.mode === 'run' ? '; export the CSV for all of them' : ''}.
              </div>
            )}
            <ol className="q-entries__list">
              {source.entries.map((e, i) => (
                <Entry key={`${e.lineage}-${i}`} e={e} {...(source.mode === 'run' && run.runId ? { run: { runId: run.runId, nodeId: source.nodeId } } : {})} />
              ))}
            </ol>
          </div>
        </div>
      )}
    </div>
  );
}
