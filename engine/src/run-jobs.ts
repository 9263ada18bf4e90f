// Runs a long-lived host started and can stop: each gets a job id at once, reports its nodes as they start and
// finish, and can be cancelled. The work happens in a supervised worker (`runSupervised`).
import * as crypto from 'node:crypto';
import type { InputFingerprint, IoStats, NodeMetrics, RunJobStatus, RunSpec } from '@sluice/format/api/contract';
import { UserError } from './runtime/exec-context.js';
import { runPipeline } from './runtime/run.js';
import { CANCEL_GRACE_MS, runSupervised, workerAvailable } from './runtime/supervision/supervise.js';
import { WarmWorker } from './runtime/supervision/warm-worker.js';

/** A started run is the contract's RunSpec, as the service resolved it. */
export type RunJobOptions = RunSpec;

/** Finished jobs are remembered for this long, so a designer polling late still gets the answer. */
const KEEP_FINISHED_MS = 10 * 60_000;

interface Job {
  status: RunJobStatus;
  cancel: () => void;
  finishedAt?: number;
  /** Followers of the job (pushed statuses); see `follow`. */
  followers: Set<(s: RunJobStatus) => void>;
  flush?: NodeJS.Timeout;
}

/** Pushed statuses are coalesced: at most one per this many milliseconds while a run goes on. */
export const PUSH_EVERY_MS = 100;

const withWorker = <T>(w: T | undefined): { worker?: T } => (w ? { worker: w } : {});

export class RunJobs {
  private readonly jobs = new Map<string, Job>();
  private readonly warm = new WarmWorker();

  /** Starts a worker ahead of the next run (the designer calls this as the user edits; see warm-worker.ts). */
  prepare(): void {
    if (!this.opts.inProcess) this.warm.prepare();
  }

  /** Ends the worker kept waiting, if any (the host is shutting down). */
  close(): void {
    this.cancelAll();
    this.warm.close();
  }

  constructor(private readonly opts: { graceMs?: number; inProcess?: boolean } = {}) {}

  start(o: RunJobOptions, inputs?: InputFingerprint[]): string {
    this.prune();
    const jobId = crypto.randomBytes(8).toString('hex');
    const status: RunJobStatus = { jobId, state: 'running', running: [], metrics: [], cancelRequested: false, ...(inputs ? { inputs } : {}) };
    const controller = new AbortController();
    const job: Job = {
      status,
      cancel: () => controller.abort(),
      followers: new Set(),
    };
    this.jobs.set(jobId, job);
    const onEvent = (e: { type: string; nodeId?: string; metrics?: NodeMetrics; io?: IoStats; note?: string; rows?: number; percent?: number }) => {
      this.changed(job);
      if (e.type === 'node-start' && e.nodeId) status.running = [...status.running.filter((n) => n !== e.nodeId), e.nodeId];
      else if (e.type === 'node-progress' && e.nodeId && e.percent !== undefined) {
        status.progress = { ...status.progress, [e.nodeId]: { percent: e.percent, ...(e.rows !== undefined ? { rows: e.rows } : {}) } };
      }
      else if (e.type === 'node-io' && e.nodeId && e.io) {
        const previous = status.io?.[e.nodeId]?.note;
        const note = e.note ?? previous;
        status.io = { ...status.io, [e.nodeId]: { stats: e.io, ...(note !== undefined ? { note } : {}) } };
      } else if (e.type === 'node-end' && e.metrics) {
        const m = e.metrics;
        status.running = status.running.filter((n) => n !== m.nodeId);
        status.metrics = [...status.metrics, m];
        if (status.io?.[m.nodeId]) {
          const { [m.nodeId]: _done, ...rest } = status.io;
          status.io = rest;
        }
        if (status.progress?.[m.nodeId]) {
          const { [m.nodeId]: _done, ...rest } = status.progress;
          status.progress = rest;
        }
      }
    };
    const useWorker = !this.opts.inProcess && workerAvailable();
    const work = useWorker
      ? runSupervised({ ...o, onNode: onEvent, signal: controller.signal, graceMs: this.opts.graceMs ?? CANCEL_GRACE_MS, ...withWorker(this.warm.take()) }).then((r) => ({
          manifest: r.manifest ?? r.crashedManifest,
          crash: r.crash,
        }))
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
        delete status.progress;
        this.push(job);
        job.followers.clear();
      });
    return jobId;
  }

  /**
   * Calls `onStatus` with the job's status now and after every change (coalesced, see PUSH_EVERY_MS), the last
   * time with the status that is no longer `running`. Returns a function that stops following.
   */
  follow(jobId: string, onStatus: (s: RunJobStatus) => void): () => void {
    const job = this.jobs.get(jobId);
    if (!job) throw new UserError(`no run "${jobId}" (it ended too long ago, or the engine restarted)`);
    onStatus(structuredClone(job.status));
    if (job.status.state !== 'running') return () => undefined;
    job.followers.add(onStatus);
    return () => job.followers.delete(onStatus);
  }

  private changed(job: Job): void {
    if (job.followers.size === 0 || job.flush) return;
    job.flush = setTimeout(() => this.push(job), PUSH_EVERY_MS);
  }

  private push(job: Job): void {
    if (job.flush) clearTimeout(job.flush);
    job.flush = undefined;
    for (const f of [...job.followers]) {
      try {
        f(structuredClone(job.status));
      } catch {
        // A follower that fails (a closed stream) is dropped; the run goes on.
        job.followers.delete(f);
      }
    }
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
