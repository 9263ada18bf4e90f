// Deciding what a resumed run may take from its checkpoints. A node is skipped only when everything it produced
// is durable and verified: its table outputs as checkpoint files whose hash still matches, its quarantine file,
// and for a sink its commit. Everything else runs again, and a skipped node's tables are loaded back only where
// a node that runs again reads them.
import type { NodeMetrics } from '@sluice/format/api/contract';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import type { NodeKind } from '../nodes/types.js';
import { restoreCheckpoint, sha256File } from './checkpoint.js';
import type { Database } from '../db/database.js';
import type { JournalState, NodeEntry } from './journal.js';
import * as fs from 'node:fs';
import { UserError } from './exec-context.js';
import { topologicalOrder } from '@sluice/format/pipeline/graph';

export interface ResumePlan {
  /** Nodes whose results are taken as recorded. */
  skip: Map<string, NodeMetrics>;
  /** Checkpointed outputs, by node, for loading back on demand. */
  entries: Map<string, NodeEntry>;
}

async function verified(entry: NodeEntry): Promise<boolean> {
  const files = [...Object.values(entry.outputs), entry.quarantine];
  for (const f of files) {
    if (f === null || f === 'unread') continue;
    if (!fs.existsSync(f.file) || (await sha256File(f.file)) !== f.sha256) return false;
  }
  return true;
}

export async function planResume(
  p: Pipeline,
  kindOf: (k: string) => NodeKind | undefined,
  state: JournalState,
  committedSinks: Map<string, { rows: number; fingerprint: string }>,
  fingerprints: Map<string, string>,
): Promise<ResumePlan> {
  const skip = new Map<string, NodeMetrics>();
  const entries = new Map<string, NodeEntry>();
  for (const node of p.nodes) {
    const kind = kindOf(node.kind);
    if (!kind) continue;
    const entry = state.nodes.get(node.id);
    const fingerprint = fingerprints.get(node.id);
    if (kind.category === 'sink') {
      const commit = committedSinks.get(node.id);
      if (commit === undefined) continue;
      if (commit.fingerprint !== fingerprint) {
        // Publishing a changed result over an overwrite or merge target is what the user wants; appending it
        // again would add rows next to the ones this run already appended.
        if (node.config['mode'] === 'append') {
          throw new UserError(`sink "${node.id}" already appended its rows in this run, and what feeds it has changed since; resuming would append again. Start a new run instead`, { nodeId: node.id });
        }
        continue;
      }
      const rows = commit.rows;
      // Committed but the process died before recording the node: its counts follow from the commit.
      const metrics: NodeMetrics = (entry?.fingerprint === fingerprint ? entry?.metrics : undefined) ?? {
        nodeId: node.id, kind: node.kind, status: 'ok', rowsIn: rows, rowsOut: 0, quarantined: 0, filtered: 0, passed: rows, durationMs: 0, outputs: {}, warnings: [],
      };
      skip.set(node.id, { ...metrics, resumed: true });
      continue;
    }
    if (!entry || entry.fingerprint !== fingerprint) continue;
    // A view output is recomputed, not checkpointed, so its node runs again (cheaply: it defines a view).
    if (kind.outputs.some((o) => entry.outputs[o.name] === null || entry.outputs[o.name] === undefined)) continue;
    if (!(await verified(entry))) continue;
    skip.set(node.id, { ...entry.metrics, resumed: true });
    entries.set(node.id, entry);
  }
  // A node that finished in an earlier attempt but kept no checkpoint (the policy judged it cheap, or its output
  // is a view) need not run again when nothing that runs reads it: every node downstream is taken as recorded.
  // Walking back from the outputs settles whole chains, e.g. source -> validate -> join before a checkpointed
  // aggregate. Its recorded counts and quarantine file stand; it has no tables to load.
  for (const id of [...topologicalOrder(p).order].reverse()) {
    if (skip.has(id)) continue;
    const node = p.nodes.find((n) => n.id === id);
    const kind = node ? kindOf(node.kind) : undefined;
    const entry = state.nodes.get(id);
    if (!kind || kind.category === 'sink' || !entry || entry.fingerprint !== fingerprints.get(id)) continue;
    if (!p.edges.filter((e) => e.from.node === id).every((e) => skip.has(e.to.node))) continue;
    if (!(await verified(entry))) continue;
    skip.set(id, { ...entry.metrics, resumed: true });
  }
  return { skip, entries };
}

/**
 * Load back the tables of a skipped node that a node still to run reads. Called in topological order, so a
 * consumer's inputs are in place before it runs.
 */
export async function loadNeededOutputs(
  db: Database,
  p: Pipeline,
  plan: ResumePlan,
  nodeId: string,
  tableName: (nodeId: string, port: string) => string,
): Promise<void> {
  const entry = plan.entries.get(nodeId);
  if (!entry) return;
  for (const [port, cp] of Object.entries(entry.outputs)) {
    if (!cp || cp === 'unread') continue;
    const readers = p.edges.filter((e) => e.from.node === nodeId && e.from.port === port).map((e) => e.to.node);
    if (readers.every((r) => plan.skip.has(r))) continue;
    // planResume already checked every file's hash; reading a large checkpoint twice would only cost time.
    const why = await restoreCheckpoint(db, tableName(nodeId, port), cp, { hashChecked: true });
    if (why) throw new Error(`cannot resume node "${nodeId}": ${why}`);
  }
}
