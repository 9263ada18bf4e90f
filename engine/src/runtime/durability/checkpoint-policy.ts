// Which node outputs a run keeps checkpoints of. A checkpoint is paid for on every run but pays back only when
// a run is resumed, and writing a large table costs about as much as the node that made it. So by default
// ('auto') a node's outputs are written only when the work a resume would otherwise redo to rebuild them (the
// node and every upstream node not itself checkpointed) is at least `worth` times the estimated cost of writing
// them: an aggregate after a long chain is kept, a plain copy of a file just read is not. `worth` is one over the
// chance that a run of this pipeline needs resuming, judged from its recent runs (checkpointWorth): a write is paid
// on every run, a saving only on the runs that fail, so a pipeline that rarely fails keeps fewer checkpoints. A
// resume is exactly once either way; the policy only decides how much it recomputes. 'all' keeps every table
// output, 'off' none.
import type { Pipeline } from '@sluice/format/pipeline/pipeline';

export type CheckpointPolicy = 'auto' | 'all' | 'off';

export const CHECKPOINT_POLICIES: readonly CheckpointPolicy[] = ['auto', 'all', 'off'];

/**
 * The work a checkpoint must save, as a multiple of its cost, to be written under 'auto' when a pipeline has no
 * history: as if one run in ten failed. (It was 3 until session 7: as if one run in three failed, which made a
 * 5 M-row validation run write its 4.7 M valid rows on every run for a resume that seldom comes.)
 */
export const WORTH = 10;
/** Bounds on `worth` from history: even a pipeline that never failed keeps a checkpoint that saves 20× its cost. */
const MIN_WORTH = 2;
const MAX_WORTH = 20;
/** How many recent runs judge the failure rate, and the prior's weight (ten runs, one of them failed). */
export const WORTH_RUNS = 20;
const PRIOR_RUNS = 10;

/**
 * `worth` from the outcomes of a pipeline's recent runs (newest first, at most WORTH_RUNS): one over the chance a
 * run needs resuming, smoothed by a prior of one failure in ten runs so that a few runs do not swing it.
 */
export function checkpointWorth(outcomes: readonly string[]): number {
  const recent = outcomes.slice(0, WORTH_RUNS);
  const failed = recent.filter((x) => x !== 'succeeded').length;
  const chance = (failed + PRIOR_RUNS / WORTH) / (recent.length + PRIOR_RUNS);
  return Math.min(MAX_WORTH, Math.max(MIN_WORTH, 1 / chance));
}
/**
 * Fixed cost of one checkpoint file (create, fsync, hash, journal), in milliseconds, before this run has measured
 * its own: small writes then tell what it is on this machine (on a loaded one, several times this).
 */
const FIXED_MS = 10;
/**
 * Cells (rows × columns) written per millisecond before this run has measured its own: a little below what
 * DuckDB's Parquet writer managed on a 2-core machine (40 M cells in 2.8 s), so a first guess errs toward
 * fewer checkpoints rather than a slower run.
 */
const PRIOR_CELLS_PER_MS = 10_000;
/** Writes smaller than this are dominated by fixed costs and say little about throughput. */
const MIN_OBSERVED_CELLS = 100_000;

export interface OutputSize {
  rows: number;
  columns: number;
}

export class CheckpointPlanner {
  /** For each finished node that is not checkpointed: the nodes a resume would run again to rebuild its outputs. */
  private readonly rerun = new Map<string, Set<string>>();
  private readonly durations = new Map<string, number>();
  private cellsPerMs = PRIOR_CELLS_PER_MS;
  private fixedMs = FIXED_MS;
  /** Each node's upstream nodes, so that a node's rerun set does not scan every edge (5,000-node chains). */
  private readonly upstream = new Map<string, string[]>();

  constructor(
    readonly policy: CheckpointPolicy,
    pipeline: Pipeline,
    private readonly worth: number = WORTH,
  ) {
    for (const e of pipeline.edges) {
      const list = this.upstream.get(e.to.node);
      if (list) list.push(e.from.node);
      else this.upstream.set(e.to.node, [e.from.node]);
    }
  }

  /** Whether to checkpoint a node that just finished, given the outputs another node reads. */
  decide(nodeId: string, durationMs: number, outputs: OutputSize[]): boolean {
    this.durations.set(nodeId, durationMs);
    if (this.policy !== 'auto') return this.policy === 'all';
    if (outputs.length === 0) return false;
    return this.redoMs(nodeId) >= this.worth * this.costMs(outputs);
  }

  /** Milliseconds a resume would spend rebuilding this node's outputs without a checkpoint of them. */
  redoMs(nodeId: string): number {
    let ms = 0;
    for (const id of this.rerunSet(nodeId)) ms += this.durations.get(id) ?? 0;
    return ms;
  }

  /** Estimated milliseconds to write checkpoints of these outputs. */
  costMs(outputs: OutputSize[]): number {
    return outputs.reduce((s, o) => s + this.fixedMs + (o.rows * Math.max(1, o.columns)) / this.cellsPerMs, 0);
  }

  /** What was kept of a finished node: a checkpointed node is where a resume starts again. */
  record(nodeId: string, checkpointed: boolean): void {
    if (checkpointed) this.rerun.delete(nodeId);
    else this.rerun.set(nodeId, this.rerunSet(nodeId));
  }

  /** A checkpoint write's measured speed, for the estimates that follow in this run. */
  observe(cells: number, ms: number): void {
    if (cells >= MIN_OBSERVED_CELLS) this.cellsPerMs = cells / Math.max(1, ms);
    // A small write is its fixed cost: followed as a moving average, never below the prior (a chain of tiny
    // nodes otherwise checkpoints every other node, each write costing more than the work it saves).
    else this.fixedMs = Math.max(FIXED_MS, 0.7 * this.fixedMs + 0.3 * ms);
  }

  private rerunSet(nodeId: string): Set<string> {
    const set = new Set([nodeId]);
    // An upstream node not recorded here was checkpointed, or restored from a checkpoint by a resume.
    for (const from of this.upstream.get(nodeId) ?? []) for (const id of this.rerun.get(from) ?? []) set.add(id);
    return set;
  }
}

/** The policy a run option asks for: `true` and `false` are the older boolean form. */
export function checkpointPolicy(option: CheckpointPolicy | boolean | undefined): CheckpointPolicy {
  if (option === true) return 'all';
  if (option === false) return 'off';
  return option ?? defaultPolicy();
}

/**
 * SLUICE_CHECKPOINT sets the default for every run of this process (the designer's engine server, a CI job);
 * an explicit option wins.
 */
function defaultPolicy(): CheckpointPolicy {
  const env = process.env['SLUICE_CHECKPOINT'];
  return CHECKPOINT_POLICIES.find((p) => p === env) ?? 'auto';
}
