// DuckDB can crash its process on crafted input, so runs happen in a child process that this module watches: a
// crash becomes a failed run that names the node it happened in, never a dead CLI or designer. The same
// supervisor cancels runs: SIGINT first (the worker ends its run as `cancelled` between nodes), then, after a
// grace period, SIGKILL for a worker stuck inside a node.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ioStatsSchema, runManifestSchema, type NodeMetrics, type RunManifest, type RunSpec } from '@sluice/format/api/contract';
import { errorBodySchema, type EngineErrorBody } from '@sluice/format/api/errors';
// Only what spawning, watching and completing a record needs: this module must not load the engine it supervises
// (DuckDB, the node kinds), or every supervised run pays for loading it twice (see the start-up bench).
import { writeManifest } from '../durability/run-records.js';
import { nodeNamerOfRaw } from '@sluice/format/pipeline/node-name';

// The worker's process (how it is started, its environment, how it is stopped) is in worker-process.ts, which loads
// nothing else: `sluice run` starts the worker with it before it has read its own flags.
export { CANCEL_GRACE_MS, PARENT_PIPE_ENV, RUN_WORKER, STOP_SIGNALS, WORKER_ENV, spawnWorker, workerAvailable } from './worker-process.js';
import { CANCEL_GRACE_MS, spawnWorker } from './worker-process.js';
import type { RunEvent } from '../execution/execute-options.js';

/** A run's events about its nodes, as the worker reports them (the run's start is the supervisor's own). */
export type NodeEvent = Exclude<RunEvent, { type: 'run-start' }>;

export interface SupervisedResult {
  manifest?: RunManifest;
  /** Set when the worker ended without finishing its run (crashed, or was stopped). */
  crash?: string;
  /** That run's record, completed by the supervisor, when the worker got as far as creating it. */
  crashedManifest?: RunManifest;
  /**
   * Why the worker refused the run before starting it (an invalid pipeline, a run that cannot be resumed), as the
   * contract's error body, so that a host reports it exactly as it reports its own checks (`fromErrorBody`).
   */
  refused?: EngineErrorBody['error'];
}

export interface SuperviseOptions {
  /** Aborting stops the run (see the module comment). Without it, the host's own SIGINT is forwarded. */
  signal?: AbortSignal;
  graceMs?: number;
  /** The pipeline, so that a stopped run's record can list every node (finished, interrupted, not run). */
  pipeline?: unknown;
  /** A worker process started ahead with `spawnWorker`, waiting for its spec; default: one started now. */
  worker?: ChildProcessWithoutNullStreams;
}

export async function superviseRun(spec: RunSpec, onNode: (e: NodeEvent) => void, opts: SuperviseOptions = {}): Promise<SupervisedResult> {
  // A worker started ahead (runtime/supervision/warm-worker.ts) has loaded the engine already and waits for its spec.
  const child = opts.worker ?? spawnWorker();
  child.stdin.write(`${JSON.stringify(spec)}\n`);
  let killTimer: NodeJS.Timeout | undefined;
  const signalWorker = (sig: NodeJS.Signals) => {
    try {
      child.kill(sig);
    } catch {
      // The worker is gone already.
    }
  };
  const stop = () => {
    signalWorker('SIGINT');
    killTimer ??= setTimeout(() => signalWorker('SIGKILL'), opts.graceMs ?? CANCEL_GRACE_MS);
  };
  if (opts.signal) {
    if (opts.signal.aborted) stop();
    else opts.signal.addEventListener('abort', stop, { once: true });
  }

  let manifest: RunManifest | undefined;
  let current: string | undefined;
  // Started and not ended: the node running, and a node whose rows the node after it counts as it reads them
  // (its end comes once that reader has run: runtime/execution/execute.ts, countedByReader).
  const unended = new Set<string>();
  let runDir: string | undefined;
  let refused: EngineErrorBody['error'] | undefined;
  const finished: NodeMetrics[] = [];
  const err = new WorkerStderr((line) => process.stderr.write(`${line}\n`));
  child.stderr.on('data', (b: Buffer) => err.push(b.toString('utf8')));
  createInterface({ input: child.stdout }).on('line', (line) => {
    let msg: { event?: string; nodeId?: string; runDir?: unknown; metrics?: NodeMetrics; manifest?: RunManifest; io?: unknown; note?: unknown; rows?: unknown; percent?: unknown; error?: unknown };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      return;
    }
    if (msg.event === 'run-start' && typeof msg.runDir === 'string') runDir = msg.runDir;
    else if (msg.event === 'node-start' && msg.nodeId) {
      current = msg.nodeId;
      unended.add(msg.nodeId);
      onNode({ type: 'node-start', nodeId: msg.nodeId });
    } else if (msg.event === 'node-end' && msg.metrics) {
      if (current === msg.metrics.nodeId) current = undefined;
      unended.delete(msg.metrics.nodeId);
      finished.push(msg.metrics);
      onNode({ type: 'node-end', metrics: msg.metrics });
    } else if (msg.event === 'node-io' && msg.nodeId) {
      const io = ioStatsSchema.safeParse(msg.io);
      if (io.success) onNode({ type: 'node-io', nodeId: msg.nodeId, io: io.data, ...(typeof msg.note === 'string' ? { note: msg.note } : {}) });
    } else if (msg.event === 'node-progress' && msg.nodeId && typeof msg.percent === 'number') {
      onNode({ type: 'node-progress', nodeId: msg.nodeId, percent: msg.percent, ...(typeof msg.rows === 'number' ? { rows: msg.rows } : {}) });
    } else if (msg.event === 'run-end' && msg.manifest) manifest = msg.manifest;
    else if (msg.event === 'run-refused') {
      const body = errorBodySchema.safeParse(msg.error);
      if (body.success) refused = body.data;
    }
  });
  try {
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (c, s) => resolve({ code: c, signal: s })),
    );
    const stderr = err.end();
    if (manifest) return { manifest };
    const cancelled = opts.signal?.aborted === true;
    if (!cancelled && (code === 2 || code === 0)) return { crash: refused?.message ?? (stderr.trim() || `the engine process exited with code ${code}`), ...(refused ? { refused } : {}) };
    const how = cancelled ? 'was stopped because the run was cancelled' : signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const where = current ? ` while running ${nodeNamerOfRaw(opts.pipeline)(current)}` : '';
    const detail = cancelled ? '' : stderr.trim().split('\n').slice(-3).join(' ');
    const crash = `the engine process ${how}${where}; nothing was published by the unfinished node${detail ? ` (${detail})` : ''}`;
    const nodes = opts.pipeline === undefined ? undefined : accountedNodes(opts.pipeline, finished, current, crash, unended);
    const crashedManifest = runDir ? completeRecord(runDir, cancelled ? 'cancelled' : 'failed', crash, nodes) : undefined;
    return { crash, ...(crashedManifest ? { crashedManifest } : {}) };
  } finally {
    if (killTimer) clearTimeout(killTimer);
    opts.signal?.removeEventListener('abort', stop);
  }
}

/** SQL trace lines the worker prints under SLUICE_TRACE_SQL=1 (runtime/database.ts). */
const TRACE_LINE = /^\[sql \d+ ms\] /;
/** The worker's own last words are kept for a crash message; more than this is never needed. */
const KEEP_STDERR = 64 * 1024;

/**
 * Splits the worker's stderr into lines: SQL trace lines pass straight through to the user (they asked for
 * them with SLUICE_TRACE_SQL=1), everything else is kept, bounded, for the message of a crash.
 */
export class WorkerStderr {
  private partial = '';
  private kept = '';

  constructor(private readonly trace: (line: string) => void) {}

  push(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  /** Everything that was not a trace line. */
  end(): string {
    if (this.partial) this.line(this.partial);
    this.partial = '';
    return this.kept;
  }

  private line(line: string): void {
    if (TRACE_LINE.test(line)) {
      this.trace(line);
      return;
    }
    this.kept += `${line}\n`;
    if (this.kept.length > KEEP_STDERR) this.kept = this.kept.slice(-KEEP_STDERR);
  }
}

/** The worker could not finish its run record; the supervisor does, so history is honest about the run. */
function completeRecord(runDir: string, outcome: 'cancelled' | 'failed', why: string, nodes: NodeMetrics[] | undefined): RunManifest | undefined {
  const file = path.join(runDir, 'manifest.json');
  try {
    const m = runManifestSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (m.outcome !== 'running') return m;
    const done: RunManifest = { ...m, outcome, nodes: m.nodes.length > 0 || !nodes ? m.nodes : nodes, finishedAt: new Date().toISOString(), errors: [...m.errors, why] };
    writeManifest(file, done);
    // The worker that held the run's lock is gone; the run can be resumed at once.
    fs.rmSync(path.join(runDir, 'run.lock'), { force: true });
    return done;
  } catch {
    // No readable record: the message is all there is.
    return undefined;
  }
}

/**
 * Every node of a stopped run, for its record: those that finished as the worker reported them, the one it was
 * in as failed (its output was never published), one that ran but whose rows were still to be counted by the
 * node after it (`unended`) as failed too, and the rest as not run.
 */
export function accountedNodes(pipeline: unknown, finished: NodeMetrics[], current: string | undefined, why: string, unended: ReadonlySet<string> = new Set()): NodeMetrics[] {
  const listed = (pipeline as { nodes?: unknown }).nodes;
  const all = Array.isArray(listed)
    ? listed.flatMap((n: unknown) => (typeof n === 'object' && n !== null && typeof (n as { id?: unknown }).id === 'string' ? [{ id: (n as { id: string }).id, kind: String((n as { kind?: unknown }).kind) }] : []))
    : [];
  const done = new Map(finished.map((m) => [m.nodeId, m]));
  const blank = (id: string, kind: string): NodeMetrics => ({ nodeId: id, kind, status: 'skipped', rowsIn: 0, rowsOut: 0, quarantined: 0, filtered: 0, passed: 0, durationMs: 0, outputs: {}, warnings: [] });
  const rest = all
    .filter((n) => !done.has(n.id))
    .map((n) =>
      n.id === current
        ? { ...blank(n.id, n.kind), status: 'failed' as const, error: why }
        : unended.has(n.id)
          ? { ...blank(n.id, n.kind), status: 'failed' as const, error: `its rows were not counted: ${why}` }
          : { ...blank(n.id, n.kind), warnings: ['not run: the run was stopped before it got here'] },
    );
  return [...finished, ...rest];
}

/** A RunSpec, plus how this host follows and stops the run. */
export type SupervisedRunOptions = RunSpec & {
  onNode?: (e: NodeEvent) => void;
  signal?: AbortSignal;
  graceMs?: number;
  worker?: ChildProcessWithoutNullStreams;
};

/**
 * A run for a long-lived host (the designer's server, Electron's main process) or the CLI: the spec goes to the
 * worker as it is, and a crash of the worker ends the run as failed instead of taking the host down.
 */
export async function runSupervised(o: SupervisedRunOptions): Promise<SupervisedResult> {
  const { onNode, signal, graceMs, worker, ...spec } = o;
  return superviseRun(spec, onNode ?? (() => undefined), {
    pipeline: spec.pipeline,
    ...(worker ? { worker } : {}),
    ...(signal ? { signal } : {}),
    ...(graceMs !== undefined ? { graceMs } : {}),
  });
}
