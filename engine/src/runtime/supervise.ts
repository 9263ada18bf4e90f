// DuckDB can crash its process on crafted input, so runs happen in a child process that this module watches: a
// crash becomes a failed run that names the node it happened in, never a dead CLI or designer. The same
// supervisor cancels runs: SIGINT first (the worker ends its run as `cancelled` between nodes), then, after a
// grace period, SIGKILL for a worker stuck inside a node.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ioStatsSchema, runManifestSchema, type IoStats, type LimitsInput, type NodeMetrics, type RunManifest } from '../api/contract.js';
import { writeManifest } from './run.js';
import type { CheckpointPolicy } from './checkpoint-policy.js';

export const WORKER_ENV = 'SLUICE_RUN_WORKER';
/** Set for a worker whose stdin is a pipe from its supervisor: end of input means the supervisor is gone. */
export const PARENT_PIPE_ENV = 'SLUICE_PARENT_PIPE';
/** Signals that stop a run: the terminal's Ctrl-C, a service manager's stop, a closed terminal. */
export const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The `sluice` command, which a supervised run starts as its worker. */
export const SLUICE_BIN = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url));

/** How long a worker asked to stop gets before it is killed. */
export const CANCEL_GRACE_MS = 3_000;

/** Whether the compiled engine the worker runs exists (it does not while tests run the TypeScript sources). */
export function workerAvailable(): boolean {
  return fs.existsSync(fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url)));
}

export type NodeEvent =
  | { type: 'node-start'; nodeId: string }
  | { type: 'node-end'; metrics: NodeMetrics }
  | { type: 'node-io'; nodeId: string; io: IoStats; note?: string };

export interface SupervisedResult {
  manifest?: RunManifest;
  /** Set when the worker ended without finishing its run (crashed, or was stopped). */
  crash?: string;
  /** That run's record, completed by the supervisor, when the worker got as far as creating it. */
  crashedManifest?: RunManifest;
}

export interface SuperviseOptions {
  /** Aborting stops the run (see the module comment). Without it, the host's own SIGINT is forwarded. */
  signal?: AbortSignal;
  graceMs?: number;
  /** The pipeline, so that a stopped run's record can list every node (finished, interrupted, not run). */
  pipeline?: unknown;
}

export async function superviseRun(binPath: string, argv: string[], onNode: (e: NodeEvent) => void, opts: SuperviseOptions = {}): Promise<SupervisedResult> {
  // The worker leads its own process group, so that stopping it reaches everything it started; its stdin is a
  // pipe from this process, so that it notices when this process is gone, however that happened.
  const child = spawn(process.execPath, [binPath, ...argv, '--json'], {
    env: { ...process.env, [WORKER_ENV]: '1', [PARENT_PIPE_ENV]: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let killTimer: NodeJS.Timeout | undefined;
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, sig);
    } catch {
      // The group is gone already.
    }
  };
  const stop = () => {
    signalGroup('SIGINT');
    killTimer ??= setTimeout(() => signalGroup('SIGKILL'), opts.graceMs ?? CANCEL_GRACE_MS);
  };
  if (opts.signal) {
    if (opts.signal.aborted) stop();
    else opts.signal.addEventListener('abort', stop, { once: true });
  }

  let manifest: RunManifest | undefined;
  let current: string | undefined;
  let runDir: string | undefined;
  const finished: NodeMetrics[] = [];
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString('utf8');
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    let msg: { event?: string; nodeId?: string; runDir?: unknown; metrics?: NodeMetrics; manifest?: RunManifest; io?: unknown; note?: unknown };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      return;
    }
    if (msg.event === 'run-start' && typeof msg.runDir === 'string') runDir = msg.runDir;
    else if (msg.event === 'node-start' && msg.nodeId) {
      current = msg.nodeId;
      onNode({ type: 'node-start', nodeId: msg.nodeId });
    } else if (msg.event === 'node-end' && msg.metrics) {
      current = undefined;
      finished.push(msg.metrics);
      onNode({ type: 'node-end', metrics: msg.metrics });
    } else if (msg.event === 'node-io' && msg.nodeId) {
      const io = ioStatsSchema.safeParse(msg.io);
      if (io.success) onNode({ type: 'node-io', nodeId: msg.nodeId, io: io.data, ...(typeof msg.note === 'string' ? { note: msg.note } : {}) });
    } else if (msg.event === 'run-end' && msg.manifest) manifest = msg.manifest;
  });
  try {
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (c, s) => resolve({ code: c, signal: s })),
    );
    if (manifest) return { manifest };
    const cancelled = opts.signal?.aborted === true;
    if (!cancelled && (code === 2 || code === 0)) return { crash: stderr.trim() || `the engine process exited with code ${code}` };
    const how = cancelled ? 'was stopped because the run was cancelled' : signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const where = current ? ` while running node "${current}"` : '';
    const detail = cancelled ? '' : stderr.trim().split('\n').slice(-3).join(' ');
    const crash = `the engine process ${how}${where}; nothing was published by the unfinished node${detail ? ` (${detail})` : ''}`;
    const nodes = opts.pipeline === undefined ? undefined : accountedNodes(opts.pipeline, finished, current, crash);
    const crashedManifest = runDir ? completeRecord(runDir, cancelled ? 'cancelled' : 'failed', crash, nodes) : undefined;
    return { crash, ...(crashedManifest ? { crashedManifest } : {}) };
  } finally {
    if (killTimer) clearTimeout(killTimer);
    opts.signal?.removeEventListener('abort', stop);
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
 * in as failed (its output was never published), and the rest as not run.
 */
export function accountedNodes(pipeline: unknown, finished: NodeMetrics[], current: string | undefined, why: string): NodeMetrics[] {
  const listed = (pipeline as { nodes?: unknown }).nodes;
  const all = Array.isArray(listed)
    ? listed.flatMap((n: unknown) => (typeof n === 'object' && n !== null && typeof (n as { id?: unknown }).id === 'string' ? [{ id: (n as { id: string }).id, kind: String((n as { kind?: unknown }).kind) }] : []))
    : [];
  const done = new Map(finished.map((m) => [m.nodeId, m]));
  const blank = (id: string, kind: string): NodeMetrics => ({ nodeId: id, kind, status: 'skipped', rowsIn: 0, rowsOut: 0, quarantined: 0, filtered: 0, passed: 0, durationMs: 0, outputs: {}, warnings: [] });
  const rest = all
    .filter((n) => !done.has(n.id))
    .map((n) => (n.id === current ? { ...blank(n.id, n.kind), status: 'failed' as const, error: why } : { ...blank(n.id, n.kind), warnings: ['not run: the run was stopped before it got here'] }));
  return [...finished, ...rest];
}

/** A run request's limits as the worker's command-line flags. */
export function limitArgs(l: LimitsInput): string[] {
  if (!l) return [];
  return [
    ...(l.memoryLimit ? ['--memory-limit', l.memoryLimit] : []),
    ...(l.tempLimit ? ['--temp-limit', l.tempLimit] : []),
    ...(l.nodeTimeoutSeconds !== undefined ? ['--node-timeout', String(l.nodeTimeoutSeconds)] : []),
  ];
}

export interface SupervisedRunOptions {
  pipeline: unknown;
  params: Record<string, string>;
  baseDir: string;
  historyDir: string;
  resume?: string;
  checkpoint?: CheckpointPolicy;
  onNode?: (e: NodeEvent) => void;
  signal?: AbortSignal;
  graceMs?: number;
  allowHosts?: string[];
  limits?: LimitsInput;
  allowEnv?: string[];
}

/**
 * A run for a long-lived host (the designer's server, Electron's main process): the pipeline goes to a file the
 * worker reads, and a crash of the worker ends the run as failed instead of taking the host down.
 */
export async function runSupervised(o: SupervisedRunOptions): Promise<SupervisedResult> {
  const pending = path.join(o.historyDir, '.pending');
  fs.mkdirSync(pending, { recursive: true });
  const file = path.join(pending, `${crypto.randomBytes(8).toString('hex')}.pipeline.json`);
  fs.writeFileSync(file, JSON.stringify(o.pipeline));
  try {
    const args = ['run', file, '--base-dir', o.baseDir, '--history', o.historyDir, ...Object.entries(o.params).flatMap(([k, v]) => ['--param', `${k}=${v}`]), ...(o.resume ? ['--resume', o.resume] : []), ...(o.checkpoint ? ['--checkpoint', o.checkpoint] : []), ...(o.allowHosts ?? []).flatMap((h) => ['--allow-host', h]), ...(o.allowEnv ?? []).flatMap((n) => ['--allow-env', n]), ...limitArgs(o.limits)];
    return await superviseRun(SLUICE_BIN, args, o.onNode ?? (() => undefined), {
      pipeline: o.pipeline,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.graceMs !== undefined ? { graceMs: o.graceMs } : {}),
    });
  } finally {
    fs.rmSync(file, { force: true });
  }
}
