// State a pipeline carries from one run to the next (an incremental source's consumed files, a window node's
// open windows and watermark). It must move forward only together with the outputs computed from it, or a
// crash would lose rows (state ahead of outputs) or repeat them (outputs ahead of state). So:
//
// - Each run reads the state of the last committed run (a "generation"), pinned when the run starts, and writes
//   its node's next state into its own durable run folder (`runDir/state/<node>/next`), which a resume keeps.
// - Only after every sink of the run has committed does the run commit the state: the next states are gathered
//   into a new generation folder, then one atomic rename of `CURRENT` makes it the pipeline's state.
// - While a run is in flight, `inflight.json` names it and the generation it started from. A later run of the
//   same pipeline must first finish it (resume), because its sinks may already hold outputs whose state has not
//   been committed; a resume reads the same pinned generation and so recomputes the same outputs, which sinks
//   recognise as already committed. A run that failed without publishing anything is simply abandoned.
//
// The store lives next to the run history: `<historyDir>/_state/<pipeline>/` (run ids never start with "_").
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runManifestSchema, type RunManifest } from '@sluice/format/api/contract';
import { UserError } from '../exec-context.js';
import { faultPoint } from '../faults.js';
import { syncDir, writeAtomic } from '../../fsutil/files.js';
import { processAlive } from '../../fsutil/process.js';

interface Inflight {
  runId: string;
  /** The generation the run reads (null: none yet, or a full refresh). */
  base: string | null;
  fullRefresh: boolean;
}

export function stateStoreDir(historyDir: string, pipelineName: string): string {
  const slug = pipelineName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'pipeline';
  const hash = crypto.createHash('sha256').update(pipelineName).digest('hex').slice(0, 8);
  return path.join(historyDir, '_state', `${slug}-${hash}`);
}

export class PipelineState {
  private inflight: Inflight | undefined;

  constructor(readonly dir: string) {}

  private get currentFile(): string {
    return path.join(this.dir, 'CURRENT');
  }

  private get inflightFile(): string {
    return path.join(this.dir, 'inflight.json');
  }

  /** The committed generation (the run id that committed it), if any. */
  current(): string | null {
    if (!fs.existsSync(this.currentFile)) return null;
    const v = (JSON.parse(fs.readFileSync(this.currentFile, 'utf8')) as { generation?: unknown }).generation;
    return typeof v === 'string' ? v : null;
  }

  /** The run that started and has not committed its state yet, if any. */
  unfinished(): Inflight | undefined {
    if (!fs.existsSync(this.inflightFile)) return undefined;
    return JSON.parse(fs.readFileSync(this.inflightFile, 'utf8')) as Inflight;
  }

  /**
   * Pin the generation this run reads. A new run refuses to start while another run of the pipeline is in flight
   * (running now, or interrupted: it must be resumed first), except one that failed without publishing anything.
   */
  begin(runId: string, historyDir: string, opts: { resume: boolean; fullRefresh: boolean }): void {
    const open = this.unfinished();
    if (open && open.runId === runId) {
      this.inflight = open;
      return;
    }
    if (open) {
      const m = readManifest(historyDir, open.runId);
      if (m && mustResume(m) && this.current() !== open.runId) {
        const now = m.outcome === 'running' && lockHolderAlive(path.join(historyDir, open.runId));
        // A full refresh starts over from nothing, so it may leave an interrupted run behind (not a live one).
        if (now || !opts.fullRefresh) throw new UnfinishedRun(open.runId, now);
      }
      // Failed before publishing anything, already committed, or left behind by a full refresh.
    }
    if (opts.resume) throw new UserError(`run ${runId} has no state in flight to resume; start a new run`);
    const inflight: Inflight = { runId, base: opts.fullRefresh ? null : this.current(), fullRefresh: opts.fullRefresh };
    fs.mkdirSync(this.dir, { recursive: true });
    writeAtomic(this.inflightFile, JSON.stringify(inflight));
    this.inflight = inflight;
  }

  /** The folder holding a node's committed state as of the pinned generation; undefined when there is none. */
  committedDir(nodeId: string): string | undefined {
    const base = this.inflight?.base;
    if (!base) return undefined;
    const d = path.join(this.dir, 'gen', base, nodeId);
    return fs.existsSync(d) ? d : undefined;
  }

  get fullRefresh(): boolean {
    return this.inflight?.fullRefresh ?? false;
  }

  /**
   * Make the run's next states the pipeline's state: one new generation (nodes that wrote no next state keep
   * theirs), then an atomic switch of CURRENT. Idempotent: a resume of a run that already committed does nothing.
   */
  commit(runId: string, runStateDir: string, nodeIds: string[]): void {
    const inflight = this.inflight;
    if (!inflight || inflight.runId !== runId) throw new Error(`state commit of ${runId} without begin`);
    if (this.current() !== runId) {
      const gen = path.join(this.dir, 'gen', runId);
      fs.rmSync(gen, { recursive: true, force: true });
      fs.mkdirSync(gen, { recursive: true });
      for (const id of nodeIds) {
        const next = path.join(runStateDir, id, 'next');
        const prior = this.committedDir(id);
        if (fs.existsSync(next)) fs.cpSync(next, path.join(gen, id), { recursive: true });
        else if (prior) fs.cpSync(prior, path.join(gen, id), { recursive: true });
      }
      syncTree(gen);
      // The sinks have committed and the state has not: the moment a crash tests exactly-once the hardest.
      faultPoint('state-commit', runId);
      writeAtomic(this.currentFile, JSON.stringify({ generation: runId, at: new Date().toISOString() }));
    }
    fs.rmSync(this.inflightFile, { force: true });
    // Older generations are no longer read by anyone: the next run pins this one.
    const gens = path.join(this.dir, 'gen');
    for (const g of fs.readdirSync(gens)) if (g !== runId) fs.rmSync(path.join(gens, g), { recursive: true, force: true });
  }
}

/**
 * Whether an interrupted run must be finished (resumed) before another run reads the state. A run that failed by
 * itself published nothing (it would say `partial` otherwise), so it is abandoned. But a run whose worker died
 * says `failed` in the record its supervisor completed (runtime/supervision/supervise.ts, whose message this recognises),
 * and it may have died after its sinks committed and before its state did: reading its files again would write
 * their rows twice, so it is resumed like any interrupted run.
 */
export function mustResume(m: Pick<RunManifest, 'outcome' | 'errors'>): boolean {
  if (m.outcome !== 'failed') return true;
  return m.errors.some((e) => /^the engine process .*nothing was published by the unfinished node/.test(e));
}

export class UnfinishedRun extends UserError {
  constructor(
    readonly runId: string,
    readonly runningNow: boolean,
  ) {
    super(
      runningNow
        ? `run ${runId} of this pipeline is running now; a pipeline with incremental state runs one at a time`
        : `run ${runId} of this pipeline did not finish, and its outputs may be partly written; resume it first (--resume ${runId}) so that no input is read twice or lost, or start over with --full-refresh`,
    );
  }
}

function readManifest(historyDir: string, runId: string): RunManifest | undefined {
  const file = path.join(historyDir, runId, 'manifest.json');
  if (!fs.existsSync(file)) return undefined;
  const r = runManifestSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  return r.success ? r.data : undefined;
}

function lockHolderAlive(runDir: string): boolean {
  const lock = path.join(runDir, 'run.lock');
  if (!fs.existsSync(lock)) return false;
  const pid = Number.parseInt(fs.readFileSync(lock, 'utf8'), 10);
  return Number.isInteger(pid) && processAlive(pid);
}


function syncTree(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) syncTree(p);
    else {
      const fd = fs.openSync(p, 'r');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
    }
  }
  syncDir(dir);
}
