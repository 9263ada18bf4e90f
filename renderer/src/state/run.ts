// Running the whole pipeline from the designer and keeping the result for the canvas and the run panel.
// A run is started in the background and followed as the engine pushes its status (polled only where the engine
// cannot push): nodes show "running" with their rows so far, then their counts as they finish; it can be cancelled.
import { useEffect } from 'react';
import { create } from 'zustand';
import type { EngineApi, EngineStreams, InputFingerprint, IoStats, NodeMetrics, RunJobStatus, RunManifest } from '@sluice/format/api/contract';

export type NodeProgress = NonNullable<RunJobStatus['progress']>[string];

/** A running node's retries and breaker, with its last progress note (e.g. "retry 2/5 in 800 ms (503), page 3"). */
export interface LiveIo {
  stats: IoStats;
  note?: string | undefined;
}
import type { Problem } from '@sluice/format/pipeline/problems';
import { EngineError } from '../api/client';
import { askRunParams } from './questions';
import { previewKey } from '../lib/doc-ops';
import { useDesigner } from '../store';
import { notify } from './toasts';
import { useUi } from './ui';

interface RunState {
  phase: 'idle' | 'running' | 'done' | 'error';
  manifest: RunManifest | undefined;
  metrics: ReadonlyMap<string, NodeMetrics>;
  error: { message: string; problems: Problem[] } | undefined;
  /** What the document was when the run started; counts are marked stale once it changes. */
  docKey: string | undefined;
  docId: number;
  /** The document changed since the run: its counts are shown faded, as history rather than truth. */
  stale: boolean;
  /** The input files as they were when the run started (its counts describe these). */
  inputs: InputFingerprint[] | undefined;
  /** An input file that changed since the run (its path): the counts are stale though the document is not. */
  inputChanged: string | undefined;
  /** How far each running node is (rows its query has worked through, percent done), as the engine pushed it. */
  progress: ReadonlyMap<string, NodeProgress>;
  /** Edges of the document the run was started with: a count is shown only on an edge that was in the run. */
  runEdges: ReadonlySet<string>;
  /** Nodes the engine is working on right now. */
  running: ReadonlySet<string>;
  /**
   * A "run up to here": the node it stopped at and the nodes it ran (that node and what feeds it). The summary
   * says so, so a partial run is not read as the whole pipeline's (the engine's record lists only the nodes run).
   */
  upTo: { nodeId: string; nodes: ReadonlySet<string> } | undefined;
  /** I/O statistics of running nodes that retry (REST sources, file sinks). */
  io: ReadonlyMap<string, LiveIo>;
  /** The engine's id of the run going on, for cancelling it. */
  jobId: string | undefined;
  cancelling: boolean;
  /** Which node outputs this window's runs checkpoint for a resume (the engine's policies; see RUNBOOK.md). */
  checkpoint: CheckpointChoice;
  /**
   * Network hosts the user allowed REST sources to reach, for this window's runs and previews. Kept out of the
   * pipeline document on purpose: a pipeline file is untrusted and must not grant itself network access.
   */
  allowHosts: string[];
  /**
   * Environment variables REST sources may read secrets from besides `SLUICE_SECRET_…`, for this window's runs
   * and previews. Also kept out of the pipeline document: a file must not choose which variables it sends.
   */
  allowEnv: string[];
}

export type CheckpointChoice = 'auto' | 'all' | 'off';

export const useRun = create<RunState>()(() => ({
  phase: 'idle',
  manifest: undefined,
  metrics: new Map(),
  error: undefined,
  docKey: undefined,
  docId: -1,
  stale: false,
  inputs: undefined,
  inputChanged: undefined,
  progress: new Map(),
  runEdges: new Set(),
  running: new Set(),
  upTo: undefined,
  io: new Map(),
  jobId: undefined,
  cancelling: false,
  checkpoint: 'auto',
  allowHosts: [],
  allowEnv: [],
}));

/** How often a going run is asked for its progress when the engine cannot push it. */
export const POLL_MS = 300;

function canPush(api: EngineApi): api is EngineApi & EngineStreams {
  return typeof (api as Partial<EngineStreams>).followRun === 'function';
}

/**
 * Follows a started run until it ends: `onRunning` gets every status while it goes, the promise the last one, or
 * undefined when `gone()` says the designer moved on. Pushed by the engine where it can (one stream per run);
 * polled otherwise, and if the stream breaks off.
 */
async function followRun(api: EngineApi, jobId: string, onRunning: (s: RunJobStatus) => void, gone: () => boolean): Promise<RunJobStatus | undefined> {
  const poll = async (): Promise<RunJobStatus | undefined> => {
    let status = await api.runStatus({ jobId });
    while (status.state === 'running') {
      if (gone()) return undefined;
      onRunning(status);
      await sleep(POLL_MS);
      status = await api.runStatus({ jobId });
    }
    return status;
  };
  if (!canPush(api)) return poll();
  return new Promise<RunJobStatus | undefined>((resolve, reject) => {
    let settled = false;
    const stop = api.followRun(
      jobId,
      (status) => {
        if (settled) return;
        if (gone()) {
          settled = true;
          stop();
          resolve(undefined);
        } else if (status.state === 'running') onRunning(status);
        else {
          settled = true;
          resolve(status);
        }
      },
      () => {
        if (settled) return;
        settled = true;
        poll().then(resolve, reject);
      },
    );
  });
}

export function documentKey(): string {
  const s = useDesigner.getState();
  return previewKey(s.toPipeline(), '', s.origin.baseDir);
}

/** Mounted once (in App): forgets the run when another document is loaded, and marks it stale after edits. */
export function useRunDriver(): void {
  useEffect(() => {
    let last: { nodes: unknown; edges: unknown; meta: unknown } | undefined;
    return useDesigner.subscribe((s) => {
      const run = useRun.getState();
      if (run.docKey === undefined) return;
      if (s.docId !== run.docId) {
        resetRun();
        return;
      }
      if (last && last.nodes === s.nodes && last.edges === s.edges && last.meta === s.meta) return;
      last = { nodes: s.nodes, edges: s.edges, meta: s.meta };
      const stale = documentKey() !== run.docKey || run.inputChanged !== undefined;
      if (stale !== run.stale) useRun.setState({ stale });
    });
  }, []);
}

/**
 * What a stale number says about itself: "from the run at 10:42, before your last edit", or, when an input file
 * changed though the document did not, "from the run at 10:42, input orders.csv changed since".
 */
export function staleNote(manifest: Pick<RunManifest, 'finishedAt'> | undefined, inputChanged?: string): string {
  const at = manifest ? new Date(manifest.finishedAt) : undefined;
  const time = at && !Number.isNaN(at.getTime()) ? ` at ${at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}` : '';
  if (inputChanged !== undefined) return `from the run${time}, input ${inputChanged.split('/').pop() ?? inputChanged} changed since`;
  return `from the run${time}, before your last edit`;
}

/**
 * The status to show for a node of a run: a node stopped by a cancel is "cancelled", not "failed" (the engine
 * records it as failed, with the cancel as its error).
 */
export function shownStatus(m: NodeMetrics, outcome: RunManifest['outcome'] | undefined): NodeMetrics['status'] | 'cancelled' {
  if (m.status === 'failed' && (outcome === 'cancelled' || /the run was cancelled/.test(m.error ?? ''))) return 'cancelled';
  return m.status;
}

export function resetRun(): void {
  useRun.setState({ phase: 'idle', manifest: undefined, metrics: new Map(), error: undefined, docKey: undefined, stale: false, inputs: undefined, inputChanged: undefined, progress: new Map(), runEdges: new Set(), running: new Set(), upTo: undefined, io: new Map(), jobId: undefined, cancelling: false });
}

/** Asks the engine to stop the run going on; its record will say it was cancelled. */
export async function cancelRunNow(): Promise<void> {
  const { api } = useDesigner.getState();
  const { phase, jobId, cancelling } = useRun.getState();
  if (!api || phase !== 'running' || !jobId || cancelling) return;
  useRun.setState({ cancelling: true });
  try {
    await api.cancelRun({ jobId });
  } catch (err) {
    useRun.setState({ cancelling: false });
    notify({ tone: 'error', title: 'The run could not be cancelled', detail: err instanceof Error ? err.message : String(err) });
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Run the document, or with `resume` finish an earlier failed, partial or cancelled run of it: the engine skips
 * nodes whose checkpoints still hold and sinks that already published.
 */
export async function runPipelineNow(opts: { resume?: string; upTo?: { nodeId: string; nodes: ReadonlySet<string> } } = {}): Promise<void> {
  const s = useDesigner.getState();
  if (!s.api || useRun.getState().phase === 'running') return;
  // Parameters without a default are asked for first; cancelling the question cancels the run.
  const params = await askRunParams();
  if (!params) return;
  const docKey = documentKey();
  const docId = s.docId;
  // The previous run's counts go: the nodes fill in again as this run reaches them.
  useRun.setState({ phase: 'running', error: undefined, manifest: undefined, metrics: new Map(), inputs: undefined, inputChanged: undefined, progress: new Map(), runEdges: new Set(s.edges.filter((e) => !opts.upTo || (opts.upTo.nodes.has(e.source) && opts.upTo.nodes.has(e.target))).map((e) => e.id)), running: new Set(), upTo: opts.upTo, io: new Map(), jobId: undefined, cancelling: false, stale: false, docKey: undefined });
  const baseDir = s.origin.baseDir;
  try {
    // "Run up to here": the node and what feeds it; nothing downstream is read or written. Cut here too (the engine
    // cuts at `upTo` after its checks), so a half-built branch after the node does not stop the run.
    const whole = s.toPipeline();
    const only = opts.upTo?.nodes;
    const pipeline = only ? { ...whole, nodes: whole.nodes.filter((n) => only.has(n.id)), edges: whole.edges.filter((e) => only.has(e.from.node) && only.has(e.to.node)) } : whole;
    // A pipeline with problems is not sent to run: its problems are the answer, and they come faster this way.
    // With the values just given: a parameter without a default is not a problem once the user has answered.
    const verdict = await s.api.validate({ pipeline, params, ...(baseDir ? { baseDir } : {}) });
    if (!verdict.ok) throw new EngineError('invalid_pipeline', `the pipeline has ${verdict.problems.length === 1 ? 'a problem' : `${verdict.problems.length} problems`}; fix ${verdict.problems.length === 1 ? 'it' : 'them'} first`, 422, verdict.problems);
    const { checkpoint, allowHosts, allowEnv } = useRun.getState();
    const { jobId } = await s.api.startRun({ pipeline, params, checkpoint, ...(allowHosts.length > 0 ? { allowHosts } : {}), ...(allowEnv.length > 0 ? { allowEnv } : {}), ...(baseDir ? { baseDir } : {}), ...(opts.resume ? { resume: opts.resume } : {}), ...(opts.upTo ? { upTo: opts.upTo.nodeId } : {}) });
    useRun.setState({ jobId });
    useUi.getState().setBottomTab('run');
    const status = await followRun(
      s.api,
      jobId,
      (st) => useRun.setState({ metrics: new Map(st.metrics.map((m) => [m.nodeId, m])), running: new Set(st.running), io: new Map(Object.entries(st.io ?? {})), progress: new Map(Object.entries(st.progress ?? {})) }),
      // A document loaded while the run goes on does not get the old document's counts painted on it.
      () => useDesigner.getState().docId !== docId,
    );
    if (!status || useDesigner.getState().docId !== docId) return resetRun();
    if (!status.manifest) throw new EngineError(status.error?.code ?? 'run_failed', status.error?.message ?? 'the run did not finish', 0, status.error?.problems ?? []);
    const manifest = status.manifest;
    useRun.setState({ phase: 'done', manifest, inputs: status.inputs, metrics: new Map(manifest.nodes.map((m) => [m.nodeId, m])), progress: new Map(), running: new Set(), io: new Map(), jobId: undefined, cancelling: false, docKey, docId, stale: documentKey() !== docKey });
    useUi.getState().setBottomTab('run');
    const quarantined = manifest.nodes.reduce((sum, n) => sum + n.quarantined, 0);
    if (manifest.outcome === 'cancelled') {
      notify({ tone: 'info', title: 'Run cancelled', detail: 'Nothing was published by the unfinished nodes.' });
    } else if (manifest.outcome === 'succeeded') {
      const title = opts.upTo ? `Run up to ${s.nodes.find((n) => n.id === opts.upTo?.nodeId)?.data.label || opts.upTo.nodeId} finished` : 'Run finished';
      notify({ tone: 'success', title, detail: quarantined > 0 ? `${quarantined} rows quarantined; see the Quarantine tab.` : 'Every row was written.' });
    } else {
      const title = manifest.outcome === 'gate_failed' ? 'A quality gate stopped the run' : manifest.outcome === 'partial' ? 'Some branches failed; the others published' : 'The run failed';
      notify({ tone: 'error', title, detail: manifest.errors[0] });
    }
  } catch (err) {
    if (useDesigner.getState().docId !== docId) return resetRun();
    const message = err instanceof Error ? err.message : String(err);
    const problems = err instanceof EngineError ? err.problems : [];
    useRun.setState({ phase: 'error', error: { message, problems }, manifest: undefined, metrics: new Map(), running: new Set(), io: new Map(), jobId: undefined, cancelling: false, docKey, docId, stale: false });
    useUi.getState().setBottomTab('run');
    notify({ tone: 'error', title: 'The pipeline did not run', detail: message });
  }
}

/**
 * A running node's progress in words: "245,760 rows in · 16%" where the engine counts rows (nodes reading
 * tables), "16% read" for a source reading its files (DuckDB's share done; it counts no rows there).
 */
export function progressText(p: NodeProgress | undefined): string | undefined {
  if (!p) return undefined;
  const pct = `${Math.floor(Math.max(0, p.percent))}%`;
  return p.rows !== undefined ? `${p.rows.toLocaleString('en-US')} rows in · ${pct}` : `${pct} read`;
}
