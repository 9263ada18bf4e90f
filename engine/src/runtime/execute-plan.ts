// The one executor of a run's plan (plan.ts), whichever planner made it: restored nodes take their recorded counts
// and load back the checkpoints the plan lists, a replay's rows are loaded where the plan says they enter, the
// nodes that run do so in order with their results made durable, and a sink publishes only if the plan says so.
import * as path from 'node:path';
import type { Database } from '../db/database.js';
import type { RunOps } from '../ops/run-ops.js';
import { CheckpointPlanner, type CheckpointPolicy } from './durability/checkpoint-policy.js';
import { publishFile } from './durability/commit.js';
import { DurableOutputs } from './durability/durable.js';
import { executePipeline } from './execution/execute.js';
import type { ExecuteOptions, ExecuteResult } from './execution/execute-options.js';
import type { Journal } from './durability/journal.js';
import type { ResourceLimits } from './execution/limits.js';
import type { ExecutionPlan, KindOf } from './planning/plan.js';
import { loadReplayInput } from './durability/replay.js';
import { loadCheckpoints } from './durability/resume.js';

export interface PlanEnv {
  runId: string;
  runDir: string;
  workDir: string;
  historyDir: string;
  baseDir: string;
  outDir?: string | undefined;
  roots: string[];
  db: Database;
  journal: Journal;
  ops: RunOps;
  kindOf: KindOf;
  /** Node fingerprints of the plan's pipeline: commit ids, and what the journal records for a later resume. */
  fingerprints: Map<string, string>;
  checkpoint: CheckpointPolicy;
  /** Under 'auto', how many times its cost a checkpoint must save (from the pipeline's recent runs). */
  checkpointWorth?: number;
  limits: ResourceLimits;
  tableName: (nodeId: string, port: string) => string;
  committedState?: ((nodeId: string) => string | undefined) | undefined;
  pass: Pick<ExecuteOptions, 'allowHosts' | 'allowEnv' | 'signal' | 'onEvent'>;
}

export interface PlanResult {
  result: ExecuteResult;
  durable: DurableOutputs;
  /** A replay's rows (lineage ids) and what was said about rows left out. */
  replay?: { replayed: string[]; warnings: string[] };
}

export async function executePlan(plan: ExecutionPlan, env: PlanEnv): Promise<PlanResult> {
  const { db, journal, fingerprints, tableName } = env;
  const replay = plan.replay
    ? await loadReplayInput(db, plan.pipeline, plan.replay, { historyDir: env.historyDir, baseDir: env.baseDir, roots: env.roots, workDir: env.workDir, tableName, kindOf: env.kindOf })
    : undefined;
  const durable = new DurableOutputs(db, journal, env.runDir, plan.pipeline, tableName, new CheckpointPlanner(env.checkpoint, plan.pipeline, env.checkpointWorth), fingerprints);
  const result = await executePipeline({
    pipeline: plan.pipeline,
    only: plan.order,
    kindOf: env.kindOf,
    db,
    baseDir: env.baseDir,
    roots: env.roots,
    workDir: env.workDir,
    stateDir: path.join(env.runDir, 'state'),
    ...(env.committedState ? { committedState: env.committedState } : {}),
    ...(env.outDir ? { outDir: env.outDir } : {}),
    tableName,
    ...env.pass,
    dropConsumed: true,
    // A replay reads its node's quarantine once the run is done (recordReplay), empty or not.
    keepQuarantines: plan.replay !== undefined,
    // A node an anomaly gate judges is counted at once: the gate must stop the run before its readers run.
    countsFromReaders: (id) => !env.ops.judgesNode(id),
    keepTables: env.checkpoint === 'all',
    commitId: (id) => `${env.runId}/${fingerprints.get(id) ?? ''}`,
    publish: (nodeId, staged, target, rows) => {
      // An earlier attempt published this sink; writing it again would duplicate or replace what it committed.
      if (plan.sinks.get(nodeId)?.how !== 'publish') throw new Error(`the ${plan.mode} plan does not let sink "${nodeId}" publish`);
      env.ops.guardPublish(nodeId);
      return publishFile(journal, nodeId, fingerprints.get(nodeId) ?? '', staged, target, rows);
    },
    afterNode: async (id, kind, m) => {
      await durable.keep(id, kind, m);
      await env.ops.afterNode(db, id, kind, m, tableName);
    },
    restore: async (id) => {
      const step = plan.steps.get(id);
      if (step?.do !== 'restore') return undefined;
      await loadCheckpoints(db, id, step.load, tableName);
      return step.metrics;
    },
    limits: env.limits,
    timeLimit: 'node',
  });
  return { result, durable, ...(replay ? { replay } : {}) };
}
