// The resume planner: what a resumed run may take from its earlier attempts. A node is taken as recorded only when
// everything it produced is durable and verified: its table outputs as checkpoint files whose hash still matches,
// its quarantine file, and for a sink its commit. Everything else runs again, and a restored node's checkpoints
// are loaded back only where a node that runs again reads them. Facts that need the disk (hashing files,
// settling interrupted publishes: resume.ts, commit.ts) are gathered first; planResume itself is pure.
import type { NodeMetrics } from '@sluice/format/api/contract';
import { UserError } from '../exec-context.js';
import type { JournalState, NodeEntry } from '../durability/journal.js';
import { sinkMode, type CheckpointLoad, type ExecutionPlan, type KindOf, type NodeStep, type SinkCommit } from './plan.js';

export interface ResumeFacts {
  /** What earlier attempts journaled, by node (the latest entry). */
  journal: JournalState;
  /** Sinks whose output is published, after settling the publishes a crash interrupted (commit.ts). */
  committed: Map<string, { rows: number; fingerprint: string }>;
  /** Node fingerprints of the pipeline as it runs now (fingerprint.ts): an edit or a changed input reruns. */
  fingerprints: Map<string, string>;
  /** Nodes whose journaled files (checkpoints, quarantine) exist and still hash as recorded. */
  verified: ReadonlySet<string>;
}

/**
 * `base`: the plan of the run being resumed (fresh, or the replay it was), as if it started now. The resume
 * keeps its nodes and sinks and takes from the journal what is still valid.
 */
export function planResume(base: ExecutionPlan, facts: ResumeFacts, kindOf: KindOf): ExecutionPlan {
  const p = base.pipeline;
  const { journal, committed, fingerprints, verified } = facts;
  const restored = new Map<string, NodeMetrics>();
  const kept = new Map<string, NodeEntry>();
  const sinks = new Map<string, SinkCommit>(base.sinks);
  for (const id of base.order) {
    const node = p.nodes.find((n) => n.id === id);
    const kind = node ? kindOf(node.kind) : undefined;
    if (!node || !kind) continue;
    const entry = journal.nodes.get(id);
    const fingerprint = fingerprints.get(id);
    if (kind.category === 'sink') {
      const commit = committed.get(id);
      if (commit === undefined) continue;
      if (commit.fingerprint !== fingerprint) {
        // Publishing a changed result over an overwrite or merge target is what the user wants; appending it
        // again would add rows next to the ones this run already appended.
        if (sinkMode(node) === 'append') {
          throw new UserError(`sink "${id}" already appended its rows in this run, and what feeds it has changed since; resuming would append again. Start a new run instead`, { nodeId: id });
        }
        continue;
      }
      // Committed but the process died before recording the node: its counts follow from the commit.
      const metrics: NodeMetrics = (entry?.fingerprint === fingerprint ? entry?.metrics : undefined) ?? {
        nodeId: id, kind: node.kind, status: 'ok', rowsIn: commit.rows, rowsOut: 0, quarantined: 0, filtered: 0, passed: commit.rows, durationMs: 0, outputs: {}, warnings: [],
      };
      restored.set(id, { ...metrics, resumed: true });
      sinks.set(id, { how: 'committed', rows: commit.rows });
      continue;
    }
    if (!entry || entry.fingerprint !== fingerprint) continue;
    // A view output is recomputed, not checkpointed, so its node runs again (cheaply: it defines a view).
    if (kind.outputs.some((o) => entry.outputs[o.name] === null || entry.outputs[o.name] === undefined)) continue;
    if (!verified.has(id)) continue;
    restored.set(id, { ...entry.metrics, resumed: true });
    kept.set(id, entry);
  }
  // A node that finished in an earlier attempt but kept no checkpoint (the policy judged it cheap, or its output
  // is a view) need not run again when nothing that runs reads it: every node downstream is taken as recorded.
  // Walking back from the outputs settles whole chains, e.g. source -> validate -> join before a checkpointed
  // aggregate. Its recorded counts and quarantine file stand; it has no tables to load.
  for (const id of [...base.order].reverse()) {
    if (restored.has(id)) continue;
    const node = p.nodes.find((n) => n.id === id);
    const kind = node ? kindOf(node.kind) : undefined;
    const entry = journal.nodes.get(id);
    if (!kind || kind.category === 'sink' || !entry || entry.fingerprint !== fingerprints.get(id)) continue;
    if (!p.edges.filter((e) => e.from.node === id).every((e) => restored.has(e.to.node))) continue;
    if (!verified.has(id)) continue;
    restored.set(id, { ...entry.metrics, resumed: true });
  }
  const steps = new Map<string, NodeStep>();
  for (const id of base.order) {
    const metrics = restored.get(id);
    steps.set(id, metrics ? { do: 'restore', metrics, load: loadsOf(id, kept.get(id), base, restored) } : { do: 'run' });
  }
  return { ...base, mode: 'resume', steps, sinks };
}

/** The checkpointed outputs of a restored node that some node running in this plan reads. */
function loadsOf(id: string, entry: NodeEntry | undefined, base: ExecutionPlan, restored: Map<string, NodeMetrics>): CheckpointLoad[] {
  if (!entry) return [];
  const out: CheckpointLoad[] = [];
  for (const [port, checkpoint] of Object.entries(entry.outputs)) {
    if (!checkpoint || checkpoint === 'unread') continue;
    const readers = base.pipeline.edges.filter((e) => e.from.node === id && e.from.port === port).map((e) => e.to.node);
    if (readers.some((r) => base.steps.has(r) && !restored.has(r))) out.push({ port, checkpoint });
  }
  return out;
}
