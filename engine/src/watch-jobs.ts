// Watches started from a front end (`watchStart`): the watch loop of `sluice watch` in the engine's process, with
// each batch run in a supervised worker process (as the designer's runs are), so that a batch that crashes the
// engine fails that batch, not the designer. Followed with `watchStatus` (batches so far, the last batch, the lag)
// and stopped with `watchStop`, which lets the current batch finish. One watch per pipeline file at a time; a batch
// is a normal run, so it shows in the run history too.
import * as crypto from 'node:crypto';
import type { WatchStatus } from '@sluice/format/api/contract';
import { watchPipeline, type WatchOptions } from './runtime/supervision/watch.js';
import { UserError } from './runtime/exec-context.js';
import { workerAvailable } from './runtime/supervision/supervise.js';

interface Job {
  key: string;
  status: WatchStatus;
  stop: AbortController;
}

export class WatchJobs {
  private readonly jobs = new Map<string, Job>();

  /** `inProcess`: run batches in this process (tests of the TypeScript sources, where no compiled worker exists). */
  constructor(private readonly opts: { inProcess?: boolean } = {}) {}

  start(key: string, o: Omit<WatchOptions, 'stop' | 'onBatch' | 'onIdle'>): string {
    for (const j of this.jobs.values()) {
      if (j.key === key && (j.status.state === 'watching' || j.status.state === 'stopping')) throw new UserError('this pipeline is already being watched; stop that watch first');
    }
    const watchId = crypto.randomBytes(6).toString('hex');
    const job: Job = { key, stop: new AbortController(), status: { watchId, state: 'watching', batches: 0, failed: 0, lag: { ready: 0, waiting: 0, oldestMs: 0 } } };
    this.jobs.set(watchId, job);
    watchPipeline({
      ...o,
      supervised: !this.opts.inProcess && workerAvailable(),
      stop: job.stop.signal,
      onBatch: (b) => {
        job.status.batches = b.batch;
        if (b.manifest.outcome !== 'succeeded') job.status.failed++;
        job.status.lag = b.lag;
        job.status.lastBatch = { runId: b.manifest.runId, outcome: b.manifest.outcome, files: b.files, ms: b.ms, at: b.manifest.finishedAt, ...(b.latencyMs ? { latencyMs: b.latencyMs.median } : {}) };
      },
      onIdle: (lag) => {
        job.status.lag = lag;
      },
    }).then(
      () => {
        job.status.state = 'stopped';
      },
      (e: unknown) => {
        job.status.state = 'error';
        job.status.error = e instanceof Error ? e.message : String(e);
      },
    );
    return watchId;
  }

  status(watchId: string): WatchStatus {
    const j = this.jobs.get(watchId);
    if (!j) throw new UserError(`no watch "${watchId}"`);
    return { ...j.status, lag: { ...j.status.lag } };
  }

  stop(watchId: string): boolean {
    const j = this.jobs.get(watchId);
    if (!j || j.status.state !== 'watching') return false;
    j.status.state = 'stopping';
    j.stop.abort();
    return true;
  }

  stopAll(): void {
    for (const id of this.jobs.keys()) this.stop(id);
  }
}
