// The execution plan: what one run does, decided before anything executes. Three planners make one (a fresh run
// here, a resume in resume-plan.ts, a replay in replay-plan.ts) and one executor (execute-plan.ts) carries it out, so
// the cases differ only in their plans: which nodes run, which are taken as recorded (and which of their
// checkpoints are loaded back), where a replay's rows enter, and how each sink commits. Planners are pure: they
// read the pipeline and facts gathered beforehand (journal, settled commits, verified checkpoints, the original
// run's record), never DuckDB or the clock, so each case is tested without running anything.
import type { NodeMetrics } from '@sluice/format/api/contract';
import { topologicalOrder } from '@sluice/format/pipeline/graph';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import type { NodeKind } from '../../nodes/types.js';
import type { CheckpointFile } from '../durability/checkpoint.js';
import type { ReplayInput } from '../durability/replay.js';

export type RunMode = 'fresh' | 'resume' | 'replay';
export type KindOf = (kind: string) => NodeKind | undefined;

/** A checkpointed output of a restored node that a node still to run reads, so it is loaded back first. */
export interface CheckpointLoad {
  port: string;
  checkpoint: CheckpointFile;
}

export type NodeStep =
  | { do: 'run' }
  /** Taken as an earlier attempt recorded it: its counts stand, its quarantine file stands, `load` is read back. */
  | { do: 'restore'; metrics: NodeMetrics; load: CheckpointLoad[] };

export type SinkCommit =
  /** The sink writes and publishes its output; `mode` as it runs (a replay turns overwrite into append). */
  | { how: 'publish'; mode: string }
  /** An earlier attempt of this run published it: it is not written again. */
  | { how: 'committed'; rows: number };

/** Where a replay's rows enter (see ReplayInput), and what to tell the user about the plan. */
export interface ReplayEntry extends ReplayInput {
  warnings: string[];
}

export interface ExecutionPlan {
  mode: RunMode;
  /** The pipeline as this run executes it (a replay's sinks append). */
  pipeline: Pipeline;
  /** Nodes this run touches, in topological order: each either runs or is restored (see `steps`). */
  order: string[];
  steps: Map<string, NodeStep>;
  /** Every sink in `order`, and how it commits. */
  sinks: Map<string, SinkCommit>;
  replay?: ReplayEntry;
}

/** Which planner a run spec asks for. */
export function runMode(spec: { resume?: string | undefined; replay?: unknown }): RunMode {
  return spec.resume !== undefined ? 'resume' : spec.replay !== undefined ? 'replay' : 'fresh';
}

/** Anomaly gates judge a run against history only when it saw all the data: a resume or a replay saw part. */
export function judgesHistory(mode: RunMode): boolean {
  return mode === 'fresh';
}

export function sinkMode(node: Pipeline['nodes'][number]): string {
  const mode = node.config['mode'];
  return typeof mode === 'string' ? mode : 'overwrite';
}

/** A plan in which every listed node runs and every sink publishes as configured. */
export function runEverything(mode: RunMode, pipeline: Pipeline, order: string[], kindOf: KindOf): ExecutionPlan {
  const steps = new Map<string, NodeStep>(order.map((id) => [id, { do: 'run' }]));
  const sinks = new Map<string, SinkCommit>();
  for (const id of order) {
    const node = pipeline.nodes.find((n) => n.id === id);
    if (node && kindOf(node.kind)?.category === 'sink') sinks.set(id, { how: 'publish', mode: sinkMode(node) });
  }
  return { mode, pipeline, order, steps, sinks };
}

/** A fresh run: every node runs from its sources, every sink publishes. */
export function planFresh(pipeline: Pipeline, kindOf: KindOf): ExecutionPlan {
  return runEverything('fresh', pipeline, topologicalOrder(pipeline).order, kindOf);
}
