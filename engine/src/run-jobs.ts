// Runs a long-lived host started and can stop: each gets a job id at once, reports its nodes as they start and
// finish, and can be cancelled. The work happens in a supervised worker (as `runSupervised` does), which this
// module spawns itself so that it holds the child and can interrupt it.
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { runManifestSchema, type NodeMetrics, type RunJobStatus, type RunManifest } from './api/contract.js';
import { UserError } from './runtime/exec-context.js';
import { runPipeline, writeManifest } from './runtime/run.js';
import { SLUICE_BIN, WORKER_ENV, workerAvailable } from './runtime/supervise.js';

export interface RunJobOptions {
  pipeline: unknown;
  params: Record<string, string>;
  baseDir: string;
  historyDir: string;
}

/** How long a worker asked to stop (SIGINT, which ends its run as `cancelled`) gets before it is killed. */
export const CANCEL_GRACE_MS = 3_000;
/** Finished jobs are remembered for this long, so a designer polling late still gets the answer. */
const KEEP_FINISHED_MS = 10 * 60_000;

interface Job {
  status: RunJobStatus;
  cancel: () => void;
  finishedAt?: number;
}

export class RunJobs {
  private readonly jobs = new Map<string, Job>();

  constructor(private readonly opts: { graceMs?: number; inProcess?: boolean } = {}) {}

  start(o: RunJobOptions): string {
    this.prune();
    const jobId = crypto.randomBytes(8).toString('hex');
    const status: RunJobStatus = { jobId, state: 'running', running: [], metrics: [], cancelRequested: false };
    const controller = new AbortController();
    const job: Job = {
      status,
      cancel: () => controller.abort(),
    };
    this.jobs.set(jobId, job);
    const onEvent = (e: { type: string; nodeId?: string; metrics?: NodeMetrics }) => {
      if (e.type === 'node-start' && e.nodeId) status.running = [...status.running.filter((n) => n !== e.nodeId), e.nodeId];
      else if (e.type === 'node-end' && e.metrics) {
        const m = e.metrics;
        status.running = status.running.filter((n) => n !== m.nodeId);
        status.metrics = [...status.metrics, m];
      }
    };
    const useWorker = !this.opts.inProcess && workerAvailable();
    const work = useWorker
      ? runInWorker(o, controller.signal, this.opts.graceMs ?? CANCEL_GRACE_MS, onEvent)
      : runPipeline({ ...o, signal: controller.signal, onEvent }).then((manifest) => ({ manifest, crash: undefined }));
    work
      .then((res) => {
        status.running = [];
        if (res.manifest) {
          status.manifest = res.manifest;
          status.metrics = res.manifest.nodes;
          status.state = 'done';
        } else {
          status.state = 'error';
          status.error = { code: 'run_failed', message: res.crash ?? 'the run did not finish' };
        }
      })
      .catch((err: unknown) => {
        status.running = [];
        status.state = 'error';
        status.error = { code: 'run_failed', message: err instanceof Error ? err.message : String(err) };
      })
      .finally(() => {
        job.finishedAt = Date.now();
      });
    return jobId;
  }

  status(jobId: string): RunJobStatus {
    const job = this.jobs.get(jobId);
    if (!job) throw new UserError(`no run "${jobId}" (it ended too long ago, or the engine restarted)`);
    // A copy: the caller serializes it later, while the run keeps changing the original.
    return structuredClone(job.status);
  }

  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (!job || job.status.state !== 'running') return false;
    job.status.cancelRequested = true;
    job.cancel();
    return true;
  }

  /** Stops every run still going (the host is shutting down). */
  cancelAll(): void {
    for (const id of this.jobs.keys()) this.cancel(id);
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, job] of this.jobs) if (job.finishedAt !== undefined && now - job.finishedAt > KEEP_FINISHED_MS) this.jobs.delete(id);
  }
}

/**
 * The supervised worker, spawned here so that it can be interrupted: `signal` sends it SIGINT (its run then ends
 * as `cancelled` between nodes, with a record), and after `graceMs` a worker still busy in a node is killed; its
 * record is then completed here, saying it was cancelled. A worker that dies by itself fails the run, as with
 * `runSupervised`. Sinks write atomically, so the unfinished node publishes nothing either way.
 */
async function runInWorker(
  o: RunJobOptions,
  signal: AbortSignal,
  graceMs: number,
  onEvent: (e: { type: string; nodeId?: string; metrics?: NodeMetrics }) => void,
): Promise<{ manifest?: RunManifest; crash?: string }> {
  const pending = path.join(o.historyDir, '.pending');
  fs.mkdirSync(pending, { recursive: true });
  const file = path.join(pending, `${crypto.randomBytes(8).toString('hex')}.pipeline.json`);
  fs.writeFileSync(file, JSON.stringify(o.pipeline));
  const args = ['run', file, '--base-dir', o.baseDir, '--history', o.historyDir, ...Object.entries(o.params).flatMap(([k, v]) => ['--param', `${k}=${v}`]), '--json'];
  const child = spawn(process.execPath, [SLUICE_BIN, ...args], { env: { ...process.env, [WORKER_ENV]: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let killTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    child.kill('SIGINT');
    killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  };
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  let manifest: RunManifest | undefined;
  let runDir: string | undefined;
  let current: string | undefined;
  const seen: NodeMetrics[] = [];
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString('utf8');
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    let msg: { event?: string; nodeId?: string; runDir?: string; metrics?: NodeMetrics; manifest?: RunManifest };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      return;
    }
    if (msg.event === 'run-start' && typeof msg.runDir === 'string') runDir = msg.runDir;
    else if (msg.event === 'node-start' && msg.nodeId) {
      current = msg.nodeId;
      onEvent({ type: 'node-start', nodeId: msg.nodeId });
    } else if (msg.event === 'node-end' && msg.metrics) {
      current = undefined;
      seen.push(msg.metrics);
      onEvent({ type: 'node-end', metrics: msg.metrics });
    } else if (msg.event === 'run-end' && msg.manifest) manifest = msg.manifest;
  });
  try {
    const { code, signal: sig } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (c, s) => resolve({ code: c, signal: s })),
    );
    if (manifest) return { manifest };
    const cancelled = signal.aborted;
    if (!cancelled && (code === 2 || code === 0)) return { crash: stderr.trim() || `the engine process exited with code ${code}` };
    const how = cancelled ? 'was stopped because the run was cancelled' : sig ? `was killed by ${sig}` : `exited with code ${code}`;
    const where = current ? ` while running node "${current}"` : '';
    const detail = cancelled ? '' : stderr.trim().split('\n').slice(-3).join(' ');
    const crash = `the engine process ${how}${where}; nothing was published by the unfinished node${detail ? ` (${detail})` : ''}`;
    const nodes = accountedNodes(o.pipeline, seen, current, crash);
    const ended = runDir ? completeRecord(runDir, cancelled ? 'cancelled' : 'failed', crash, nodes) : undefined;
    return ended ? { manifest: ended, crash } : { crash };
  } finally {
    if (killTimer) clearTimeout(killTimer);
    signal.removeEventListener('abort', stop);
    fs.rmSync(file, { force: true });
  }
}

/** The worker was stopped before it could finish its run record; this finishes it, so history is honest. */
function completeRecord(runDir: string, outcome: 'cancelled' | 'failed', why: string, nodes: NodeMetrics[]): RunManifest | undefined {
  const file = path.join(runDir, 'manifest.json');
  try {
    const m = runManifestSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (m.outcome !== 'running') return m;
    const done: RunManifest = { ...m, outcome, nodes: m.nodes.length > 0 ? m.nodes : nodes, finishedAt: new Date().toISOString(), errors: [...m.errors, why] };
    writeManifest(file, done);
    return done;
  } catch {
    return undefined;
  }
}

/**
 * Every node of a stopped run, for its record: those that finished as the worker reported them, the one it was
 * in as failed (its output was never published), and the rest as not run.
 */
export function accountedNodes(pipeline: unknown, finished: NodeMetrics[], current: string | undefined, why: string): NodeMetrics[] {
  const listed = (pipeline as { nodes?: unknown }).nodes;
  const all = Array.isArray(listed) ? listed.flatMap((n: unknown) => (typeof n === 'object' && n !== null && typeof (n as { id?: unknown }).id === 'string' ? [{ id: (n as { id: string }).id, kind: String((n as { kind?: unknown }).kind) }] : [])) : [];
  const done = new Map(finished.map((m) => [m.nodeId, m]));
  const blank = (id: string, kind: string): NodeMetrics => ({ nodeId: id, kind, status: 'skipped', rowsIn: 0, rowsOut: 0, quarantined: 0, filtered: 0, passed: 0, durationMs: 0, outputs: {}, warnings: [] });
  const rest = all.filter((n) => !done.has(n.id)).map((n) => (n.id === current ? { ...blank(n.id, n.kind), status: 'failed' as const, error: why } : { ...blank(n.id, n.kind), warnings: ['not run: the run was stopped before it got here'] }));
  return [...finished, ...rest];
}
