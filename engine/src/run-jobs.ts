// Runs a long-lived host started and can stop: each gets a job id at once, reports its nodes as they start and
// finish, and can be cancelled. The work happens in a supervised worker (`runSupervised`).
import * as crypto from 'node:crypto';
import type { IoStats, NodeMetrics, RunJobStatus, RunSpec } from '@sluice/format/api/contract';
import { UserError } from './runtime/exec-context.js';
import { runPipeline } from './runtime/run.js';
import { CANCEL_GRACE_MS, runSupervised, workerAvailable } from './runtime/supervise.js';

/** A started run is the contract's RunSpec, as the service resolved it. */
export type RunJobOptions = RunSpec;

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
    const onEvent = (e: { type: string; nodeId?: string; metrics?: NodeMetrics; io?: IoStats; note?: string }) => {
      if (e.type === 'node-start' && e.nodeId) status.running = [...status.running.filter((n) => n !== e.nodeId), e.nodeId];
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
      }
    };
    const useWorker = !this.opts.inProcess && workerAvailable();
    const work = useWorker
      ? runSupervised({ ...o, onNode: onEvent, signal: controller.signal, graceMs: this.opts.graceMs ?? CANCEL_GRACE_MS }).then((r) => ({
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
