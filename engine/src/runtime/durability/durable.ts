// What a run keeps of each finished node: its quarantine (always, it is part of the run record) and checkpoints
// of its table outputs (for resume), then one journal entry saying so. The entry is written last, so a node the
// journal calls finished really has everything on disk.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NodeMetrics } from '@sluice/format/api/contract';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import type { NodeKind } from '../../nodes/types.js';
import { qi, qlit } from '../../sql/quote.js';
import { sha256File, writeCheckpoint } from './checkpoint.js';
import type { CheckpointPlanner } from './checkpoint-policy.js';
import type { Database } from '../../db/database.js';
import { UserError } from '../exec-context.js';
import { faultPoint } from '../faults.js';
import type { Journal, NodeEntry } from './journal.js';

export class DurableOutputs {
  private readonly quarantines = new Map<string, string>();
  /** Outputs some node reads, as `node\u0000port`: looked up per node, never by scanning every edge. */
  private readonly read: Set<string>;

  constructor(
    private readonly db: Database,
    private readonly journal: Journal,
    private readonly runDir: string,
    pipeline: Pipeline,
    private readonly tableName: (nodeId: string, port: string) => string,
    private readonly planner: CheckpointPlanner,
    private readonly fingerprints: Map<string, string>,
  ) {
    this.read = new Set(pipeline.edges.map((e) => `${e.from.node}\u0000${e.from.port}`));
  }

  quarantineFile(nodeId: string): string | undefined {
    return this.quarantines.get(nodeId);
  }

  async keep(nodeId: string, kind: NodeKind, m: NodeMetrics): Promise<void> {
    const quarantine = m.quarantined > 0 ? await this.keepQuarantine(nodeId, m.quarantined) : null;
    const outputs: NodeEntry['outputs'] = {};
    const tables: { port: string; rows: number; columns: number }[] = [];
    for (const port of kind.outputs) {
      const table = this.tableName(nodeId, port.name);
      if (!this.read.has(`${nodeId}\u0000${port.name}`)) outputs[port.name] = 'unread';
      // A view (a CSV source over its clean copy, a Parquet scan) is stored like a table when the policy chooses it:
      // the planner weighs its node's time (a CSV scan is most of a run) against the copy, so a cheap view is not
      // kept, while a resume does not pay again for a scan the policy decided to keep.
      else if ((await this.db.relationKind(table)) === undefined) outputs[port.name] = null;
      else tables.push({ port: port.name, rows: m.outputs[port.name] ?? 0, columns: (await this.db.describe(qi(table))).length });
    }
    const write = this.planner.decide(nodeId, m.durationMs, tables);
    const started = performance.now();
    for (const t of tables) outputs[t.port] = write ? await this.checkpoint(nodeId, t.port, m) : null;
    const kept = Object.values(outputs).every((x) => x !== null);
    this.planner.record(nodeId, kept);
    if (kept && tables.length > 0) m.checkpointed = true;
    faultPoint('checkpoint-write', nodeId);
    this.journal.append({ t: 'node', nodeId, fingerprint: this.fingerprints.get(nodeId) ?? '', metrics: m, outputs, quarantine });
    // What a checkpoint cost, its journal entry's fsync included (a third of it on a chain of tiny nodes), per
    // output, for the planner's next estimates.
    if (write && tables.length > 0) {
      const cells = tables.reduce((sum, t) => sum + t.rows * t.columns, 0);
      this.planner.observe(cells / tables.length, (performance.now() - started) / tables.length);
    }
  }

  private async keepQuarantine(nodeId: string, rows: number): Promise<{ file: string; sha256: string; rows: number }> {
    const file = path.join(this.runDir, 'quarantine', `${nodeId}.parquet`);
    const tmp = `${file}.tmp`;
    try {
      await this.db.run(`COPY (SELECT * FROM ${qi(this.tableName(nodeId, '__q'))}) TO ${qlit(tmp)} (FORMAT parquet)`);
      faultPoint('quarantine-write', nodeId);
      fs.renameSync(tmp, file);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      // Quarantined rows are part of the record: if they cannot be kept, the node did not finish.
      throw new UserError(`could not keep the ${rows} quarantined row(s) in ${file}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, { nodeId });
    }
    this.quarantines.set(nodeId, file);
    return { file, sha256: await sha256File(file), rows };
  }

  private async checkpoint(nodeId: string, port: string, m: NodeMetrics): Promise<NodeEntry['outputs'][string]> {
    const file = path.join(this.runDir, 'checkpoint', `${nodeId}.${port}.parquet`);
    try {
      return (await writeCheckpoint(this.db, this.tableName(nodeId, port), file, m.outputs[port] ?? 0)) ?? null;
    } catch (e) {
      // A checkpoint only saves work on resume; without it the node reruns. The run itself goes on.
      m.warnings.push(`no checkpoint of output "${port}" (a resume will rerun this node): ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      return null;
    }
  }
}
