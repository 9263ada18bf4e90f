// Micro-batches: run a pipeline whenever new input lands in the folders its incremental sources read, one batch
// at a time, each batch a normal run with its own manifest. Input waits on disk, not in memory: a batch takes at
// most `maxFiles` files per source (oldest first), so when runs cannot keep up the files queue in their folder
// (backpressure) and the lag (files waiting, age of the oldest) is reported with every batch.
//
// Exactly once across crashes comes from the pipeline state (pipeline-state.ts): a run interrupted by a crash is
// resumed before any new batch starts, reading the files it had chosen, and sinks recognise their committed work.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FSWatcher } from 'chokidar';
import type { RunManifest } from '@sluice/format/api/contract';
import { kindOf } from '../../nodes/registry.js';
import { candidates, readLedger, type FilesConfig } from '../../nodes/source-files.js';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { preparePipeline, runPipeline, type RunOptions } from '../run.js';
import { resolveInside } from '../paths.js';
import { mustResume, PipelineState, stateStoreDir, UnfinishedRun } from '../durability/pipeline-state.js';
import { UserError } from '../exec-context.js';

export interface Lag {
  /** New files ready to read, over all incremental sources. */
  ready: number;
  /** Files modified too recently (they may still be being written). */
  waiting: number;
  /** How long ago the oldest ready file landed (its modification time), in ms; 0 when none waits. */
  oldestMs: number;
}

export interface BatchReport {
  batch: number;
  manifest: RunManifest;
  /** This batch finished a run an earlier process left unfinished. */
  resumed: boolean;
  /** New files the batch's sources read. */
  files: number;
  /** From a file landing (its modification time) to the batch's outputs committed, over the batch's files. */
  latencyMs: { median: number; max: number } | undefined;
  ms: number;
  /** The lag after the batch. */
  lag: Lag;
}

export interface WatchOptions extends Omit<RunOptions, 'resume' | 'replay' | 'signal' | 'onEvent'> {
  /** At most this many files per source per batch (when the source does not set maxFiles itself). */
  maxFiles?: number;
  /** At most about this many bytes of files per source per batch (when the source does not set maxBytes). */
  maxBytes?: number;
  /** How often to look for new files when no file-system event arrives (ms). */
  pollMs?: number;
  /** Use file-system events (chokidar) to wake up early; polling alone when false. */
  fsEvents?: boolean;
  /** Stop once no batch ran and no file waited for this long (ms); forever when unset. */
  idleExitMs?: number;
  /** Stop after this many batches. */
  maxBatches?: number;
  /** Aborting stops watching once the current batch has finished (it is drained, not cut). */
  stop?: AbortSignal;
  /** Aborting also interrupts the current batch (a second Ctrl-C). */
  cancel?: AbortSignal;
  /**
   * Each batch in a supervised worker process (runtime/supervision/supervise.ts), as `sluice run` and the designer's runs do:
   * a crash of the engine on one batch ends that batch as failed, never the host. Needs the compiled worker.
   */
  supervised?: boolean;
  onBatch?: (b: BatchReport) => void;
  onIdle?: (lag: Lag) => void;
}

export interface WatchSummary {
  batches: number;
  failed: number;
  reason: 'stopped' | 'idle' | 'max-batches';
}

export async function watchPipeline(o: WatchOptions): Promise<WatchSummary> {
  const pipeline = withBatchLimit(preparePipeline(o.pipeline, o.params ?? {}), o.maxFiles ?? 100, o.maxBytes);
  const sources = pipeline.nodes.filter((n) => n.kind === 'source.files');
  if (sources.length === 0) throw new UnwatchableError();
  const state = new PipelineState(stateStoreDir(o.historyDir, pipeline.name));
  const roots = [o.baseDir, ...(o.outDir ? [o.outDir] : []), ...(o.allow ?? [])];
  const resolve = (p: string, nodeId: string) => resolveInside(o.baseDir, roots, p, { nodeId, field: 'path' });
  const configs = sources.map((n) => ({ id: n.id, c: kindOf('source.files')?.config.parse(n.config) as FilesConfig }));

  const lagNow = (): Lag => {
    const gen = state.current();
    let ready = 0;
    let waiting = 0;
    let oldest = Number.POSITIVE_INFINITY;
    const now = Date.now();
    for (const { id, c } of configs) {
      const ledger = readLedger(gen ? path.join(state.dir, 'gen', gen, id) : undefined);
      const r = candidates(o.baseDir, (p) => resolve(p, id), c, ledger, now);
      ready += r.ready.length;
      waiting += r.waiting;
      for (const f of r.ready) oldest = Math.min(oldest, f.mtimeMs);
    }
    return { ready, waiting, oldestMs: ready > 0 ? Math.max(0, now - oldest) : 0 };
  };

  // File-system events only wake the loop early; the poll is what guarantees nothing is missed.
  let wake: (() => void) | undefined;
  let watcher: FSWatcher | undefined;
  if (o.fsEvents !== false) {
    try {
      const { watch } = await import('chokidar');
      const dirs = configs.map(({ id, c }) => staticPrefix(resolve(c.path, id)));
      watcher = watch(dirs, { ignoreInitial: true, persistent: true });
      watcher.on('all', () => wake?.());
      watcher.on('error', () => undefined); // Events are a hint; polling continues.
    } catch {
      watcher = undefined;
    }
  }
  const sleep = (ms: number) =>
    new Promise<void>((res) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        wake = undefined;
        o.stop?.removeEventListener('abort', done);
        res();
      }
      wake = done;
      o.stop?.addEventListener('abort', done, { once: true });
    });

  const poll = o.pollMs ?? 1000;
  let batches = 0;
  let failed = 0;
  let backoff = 0;
  let idleSince = Date.now();
  const runOpts = { ...o, pipeline, ...(o.cancel ? { signal: o.cancel } : {}) };
  try {
    for (;;) {
      if (o.stop?.aborted) return { batches, failed, reason: 'stopped' };
      if (o.maxBatches !== undefined && batches >= o.maxBatches) return { batches, failed, reason: 'max-batches' };
      const open = state.unfinished();
      let resume: string | undefined;
      if (open && state.current() !== open.runId) {
        const m = readManifest(o.historyDir, open.runId);
        if (m && mustResume(m)) resume = open.runId;
      }
      const lag = lagNow();
      if (resume === undefined && lag.ready === 0) {
        o.onIdle?.(lag);
        if (o.idleExitMs !== undefined && lag.waiting === 0 && Date.now() - idleSince >= o.idleExitMs) return { batches, failed, reason: 'idle' };
        await sleep(lag.waiting > 0 ? Math.min(poll, 250) : poll);
        continue;
      }
      const started = performance.now();
      let manifest: RunManifest;
      try {
        manifest = o.supervised ? await superviseBatch(o, pipeline, resume) : await runPipeline({ ...runOpts, ...(resume ? { resume } : {}) });
      } catch (e) {
        // Another process is running this pipeline's batch: wait for it rather than fail.
        if (e instanceof UnfinishedRun && e.runningNow) {
          await sleep(poll);
          continue;
        }
        throw e;
      }
      batches++;
      idleSince = Date.now();
      const landed = state.current() === manifest.runId ? landedFiles(state, manifest.runId, configs.map((x) => x.id)) : [];
      const committedAt = Date.now();
      const lat = landed.map((t) => committedAt - t).sort((a, b) => a - b);
      const latencyMs = lat.length ? { median: Math.round(lat[Math.floor(lat.length / 2)] as number), max: Math.round(lat[lat.length - 1] as number) } : undefined;
      o.onBatch?.({ batch: batches, manifest, resumed: resume !== undefined, files: landed.length, latencyMs, ms: Math.round(performance.now() - started), lag: lagNow() });
      if (manifest.outcome === 'succeeded') backoff = 0;
      else {
        failed++;
        if (o.cancel?.aborted) return { batches, failed, reason: 'stopped' };
        // A failing batch (a bad file, a full disk) is retried, but not in a tight loop.
        backoff = Math.min(60_000, backoff === 0 ? poll : backoff * 2);
        await sleep(backoff);
      }
    }
  } finally {
    await watcher?.close();
  }
}

/**
 * One batch in a worker process. Its record is the worker's manifest, or, when the worker died, the record the
 * supervisor completed (failed, naming the node; the next batch resumes it). A worker that refused to start a run
 * (another process is running this pipeline's batch now, or the pipeline is invalid) made no record at all.
 */
async function superviseBatch(o: WatchOptions, pipeline: Pipeline, resume: string | undefined): Promise<RunManifest> {
  const { runSupervised } = await import('./supervise.js');
  const checkpoint = o.checkpoint === true ? 'all' : o.checkpoint === false ? 'off' : o.checkpoint;
  const r = await runSupervised({
    pipeline,
    baseDir: o.baseDir,
    historyDir: o.historyDir,
    ...(o.params ? { params: o.params } : {}),
    ...(o.outDir ? { outDir: o.outDir } : {}),
    ...(o.allow ? { allow: o.allow } : {}),
    ...(o.allowHosts ? { allowHosts: o.allowHosts } : {}),
    ...(o.allowEnv ? { allowEnv: o.allowEnv } : {}),
    ...(o.limits ? { limits: o.limits } : {}),
    ...(checkpoint ? { checkpoint } : {}),
    ...(o.fullRefresh ? { fullRefresh: true } : {}),
    ...(resume ? { resume } : {}),
    ...(o.cancel ? { signal: o.cancel } : {}),
  });
  if (r.manifest) return r.manifest;
  if (r.crashedManifest) return r.crashedManifest;
  const why = r.crash ?? 'the engine process ended without a record';
  const running = /of this pipeline is running now/.exec(why);
  if (running) throw new UnfinishedRun('', true);
  throw new UserError(why.replace(/^error: /i, ''));
}

export class UnwatchableError extends UserError {
  constructor() {
    super('this pipeline has no "New files (incremental)" source (source.files), so there is nothing to watch');
  }
}

/** Sources without their own maxFiles take the watch's bound, so that no batch is unbounded. */
function withBatchLimit(p: Pipeline, maxFiles: number, maxBytes: number | undefined): Pipeline {
  return {
    ...p,
    nodes: p.nodes.map((n) => {
      if (n.kind !== 'source.files') return n;
      const config = { ...n.config };
      config['maxFiles'] ??= maxFiles;
      if (maxBytes !== undefined) config['maxBytes'] ??= maxBytes;
      return { ...n, config };
    }),
  };
}

/** The folder part of a glob before its first wildcard: what to watch. */
function staticPrefix(abs: string): string {
  const parts = abs.split(path.sep);
  const i = parts.findIndex((s) => /[*?]/.test(s));
  const dir = i < 0 ? path.dirname(abs) : parts.slice(0, i).join(path.sep) || path.sep;
  return fs.existsSync(dir) ? dir : path.dirname(dir);
}

function readManifest(historyDir: string, runId: string): RunManifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(historyDir, runId, 'manifest.json'), 'utf8')) as RunManifest;
  } catch {
    return undefined;
  }
}

/** Landing times (modification times) of the files a committed batch read, from its sources' state. */
function landedFiles(state: PipelineState, runId: string, ids: string[]): number[] {
  const out: number[] = [];
  for (const id of ids) {
    const file = path.join(state.dir, 'gen', runId, id, 'last-batch.json');
    if (!fs.existsSync(file)) continue;
    for (const f of (JSON.parse(fs.readFileSync(file, 'utf8')) as { read: { mtimeMs: number }[] }).read) out.push(f.mtimeMs);
  }
  return out;
}
