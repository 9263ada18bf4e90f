// What a run does for operating it over time, in one place so that runtime/run.ts only calls in: before it starts,
// read the pipeline's history for its anomaly gates and emit the OpenLineage START; after each node, profile its
// outputs, count its rule failures and judge its gates; at the end, score it and judge whole-run checks; once its
// manifest is final, index it in the run store and emit the OpenLineage end event.
import type { NodeMetrics, RunManifest } from '@sluice/format/api/contract';
import type { AnomalyFinding, ColumnStat } from '@sluice/format/api/ops-contract';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { anomalyBlockSchema, type AnomalyBlock, type AnomalyCheck } from '@sluice/format/pipeline/ops';
import type { NodeKind } from '../nodes/types.js';
import type { Database } from '../db/database.js';
import { traceStep } from '../db/trace.js';
import { GateFailure } from '../runtime/gate.js';
import { checksOf, judge, type MetricSource } from './anomaly.js';
import { columnStats, MAX_PROFILED_COLUMNS, qualityScore, ruleFailures } from './profile.js';
import { qi } from '../sql/quote.js';
import { isReservedColumn } from '../runtime/exec-context.js';
import { recordInStore, RunStore } from './store.js';
import { LineageEmitter } from './openlineage.js';
import { sinkBytes, sourceBytes } from './bytes.js';
import type { NodeBytes } from '@sluice/format/api/ops-contract';

export type StartedBy = NonNullable<RunManifest['startedBy']>;

export interface RunOpsOptions {
  pipeline: Pipeline;
  historyDir: string;
  runId: string;
  startedAt: string;
  /** Resumes and replays are not judged: resuming a held run is how the user accepts what its gate found. */
  judge: boolean;
  kindOf: (kind: string) => NodeKind | undefined;
  allowHosts: string[];
  /** Where relative paths resolve (dataset names in lineage events). */
  baseDir: string;
  outDir?: string | undefined;
  /** Folders the run may use (for measuring the bytes of its files). */
  roots?: string[] | undefined;
}

export class RunOps {
  private readonly rules: Record<string, Record<string, number>> = {};
  private readonly columns: Record<string, ColumnStat[]> = {};
  /** Every data output's columns as the run produced them, profiled or not (schema drift compares these). */
  private readonly produced = new Map<string, { port: string; name: string; type: string }[]>();
  private readonly findings: AnomalyFinding[] = [];
  private readonly gated = new Set<string>();
  private held: string | undefined;
  /** Input bytes of the sources, measured before they read. */
  private readBytes: Record<string, NodeBytes> = {};

  private constructor(
    private readonly o: RunOpsOptions,
    private readonly block: AnomalyBlock | undefined,
    private readonly history: MetricSource[],
    private readonly checks: AnomalyCheck[],
    private readonly lineage: LineageEmitter,
  ) {}

  static async start(o: RunOpsOptions): Promise<RunOps> {
    const block = o.pipeline.ops?.anomaly ? anomalyBlockSchema.parse(o.pipeline.ops.anomaly) : undefined;
    let history: MetricSource[] = [];
    if (block && o.judge) {
      try {
        const past = await RunStore.with(o.historyDir, (s) => s.successfulManifests(o.pipeline.name, block.window));
        history = past.map((m) => ({ nodes: m.nodes, rules: m.rules, columns: m.columns, durationMs: Date.parse(m.finishedAt) - Date.parse(m.startedAt) }));
      } catch (e) {
        // Without its history a gate cannot judge; the run goes on and says so in each finding.
        process.stderr.write(`[sluice] anomaly gates have no history this run: ${e instanceof Error ? e.message : String(e)}\n`);
      }
    }
    const sources = o.pipeline.nodes.filter((n) => o.kindOf(n.kind)?.category === 'source').map((n) => n.id);
    const lineage = new LineageEmitter(o.pipeline, o.historyDir, o.runId, o.kindOf, o.allowHosts, o.baseDir, o.outDir ?? o.baseDir);
    lineage.start(o.startedAt);
    const ops = new RunOps(o, block, history, block ? checksOf(block, sources) : [], lineage);
    ops.readBytes = sourceBytes(o.pipeline, o.kindOf, o.baseDir, ops.roots());
    return ops;
  }

  private roots(): string[] {
    return this.o.roots ?? [this.o.baseDir, ...(this.o.outDir ? [this.o.outDir] : [])];
  }

  /** After a node succeeded (its tables still exist): profile it and judge its gates. */
  async afterNode(db: Database, id: string, kind: NodeKind, m: NodeMetrics, tableName: (node: string, port: string) => string): Promise<void> {
    if (m.quarantined > 0) {
      const r = await ruleFailures(db, tableName(id, '__q'));
      if (Object.keys(r).length > 0) Object.defineProperty(this.rules, id, { value: r, enumerable: true });
    }
    // Statistics are read from a stored table, once. A view is the query its readers run: profiling it would run
    // its whole upstream chain again (a Parquet scan, a derive) only to count nulls, so a view's columns are
    // profiled only when a null_rate gate of this node asks for them.
    const asked = this.checks.some((c) => c.node === id && c.metric === 'null_rate');
    const stats: ColumnStat[] = [];
    for (const port of kind.outputs.filter((p) => p.role === 'data')) {
      const t = tableName(id, port.name);
      const relation = await db.relationKind(t);
      if (relation === undefined) continue;
      if (relation !== 'table' && !asked) {
        // Lineage and the drift check still name its columns (a DESCRIBE reads no rows).
        const described = (await db.describe(qi(t))).filter((c) => !isReservedColumn(c.name)).slice(0, MAX_PROFILED_COLUMNS);
        this.lineage.noteSchema(id, port.name, described);
        this.produced.set(id, [...(this.produced.get(id) ?? []), ...described.map((c) => ({ port: port.name, name: c.name, type: c.type }))]);
        continue;
      }
      const portStats = await columnStats(db, t, port.name);
      stats.push(...portStats);
      this.produced.set(id, [...(this.produced.get(id) ?? []), ...portStats.map((c) => ({ port: c.port, name: c.name, type: c.type }))]);
    }
    if (stats.length > 0) Object.defineProperty(this.columns, id, { value: stats, enumerable: true });
    if (!this.block || !this.o.judge) return;
    const current: MetricSource = { nodes: [m], rules: this.rules, columns: this.columns };
    const tripped: AnomalyFinding[] = [];
    for (const c of this.checks.filter((x) => x.node === id)) {
      const f = judge(c, this.block, current, this.history);
      if (!f) continue;
      this.findings.push(f);
      if (f.tripped) tripped.push(f);
    }
    const stopping = tripped.filter((f) => f.severity !== 'warn');
    for (const f of tripped.filter((x) => x.severity === 'warn')) m.warnings.push(`anomaly: ${f.message}`);
    if (stopping.length === 0) return;
    this.gated.add(id);
    const hold = stopping.find((f) => f.severity === 'hold');
    if (hold) this.held = hold.message;
    throw new GateFailure(`anomaly gate${hold ? ' (hold: nothing is published; resume the run to accept it)' : ''}: ${stopping.map((f) => f.message).join('; ')}`, { nodeId: id });
  }

  /** Whether a gate of this run judges the node's numbers as soon as it finishes (see afterNode). */
  judgesNode(id: string): boolean {
    return this.block !== undefined && this.o.judge && this.checks.some((c) => c.node === id);
  }

  /** The columns each node's data outputs had in this run (node id → columns with their port), profiled or not. */
  producedColumns(): Record<string, { port: string; name: string; type: string }[]> {
    return Object.fromEntries(this.produced);
  }

  /** Before a sink publishes: a held run publishes nothing. */
  guardPublish(nodeId: string): void {
    if (this.held) throw new GateFailure(`not published: the run is held by an anomaly gate (${this.held}); resume the run to accept it and publish`, { nodeId });
  }

  /** Score the run, judge whole-run checks, and put it all in the manifest. */
  finish(manifest: RunManifest): void {
    const nodeIds = new Set(manifest.nodes.map((n) => n.nodeId));
    // A resumed run keeps what the earlier attempt measured for the nodes it did not run again.
    const keep = <T>(prev: Record<string, T> | undefined, now: Record<string, T>): Record<string, T> => {
      const out: Record<string, T> = {};
      for (const [k, v] of [...Object.entries(prev ?? {}), ...Object.entries(now)]) if (nodeIds.has(k)) Object.defineProperty(out, k, { value: v, enumerable: true, configurable: true });
      return out;
    };
    manifest.rules = keep(manifest.rules, this.rules);
    manifest.columns = keep(manifest.columns, this.columns);
    // Only nodes that ran in this attempt are measured now; a resumed run keeps the earlier attempt's numbers.
    const ran = new Set(manifest.nodes.filter((n) => n.status !== 'failed' && n.status !== 'skipped' && n.resumed !== true).map((n) => n.nodeId));
    const read = Object.fromEntries(Object.entries(this.readBytes).filter(([id]) => ran.has(id)));
    manifest.bytes = keep(manifest.bytes, { ...read, ...sinkBytes(this.o.pipeline, this.o.kindOf, ran, this.o.outDir ?? this.o.baseDir, this.roots()) });
    manifest.startedBy = manifest.startedBy ?? startedByFromEnv();
    if (this.block && this.o.judge) {
      const durationMs = Date.now() - Date.parse(manifest.startedAt);
      for (const c of this.checks.filter((x) => x.node === undefined)) {
        const f = judge(c, this.block, { nodes: manifest.nodes, durationMs }, this.history);
        if (!f) continue;
        this.findings.push(f);
        // The outputs are out by now: a whole-run check can only warn or fail the run (hold acts as fail).
        if (f.tripped && f.severity !== 'warn' && manifest.outcome === 'succeeded') {
          manifest.outcome = 'gate_failed';
          manifest.errors.push(`anomaly gate: ${f.message}`);
        }
      }
    }
    if (this.findings.length > 0 || this.o.judge) manifest.anomalies = this.findings;
    if (this.held) manifest.held = true;
    manifest.quality = qualityScore(manifest.nodes, (k) => this.o.kindOf(k)?.category, this.gated);
  }

  /** Once the manifest is on disk: index it and tell lineage consumers. Neither can fail the run. */
  async record(manifest: RunManifest): Promise<void> {
    await this.lineage.end(manifest);
    traceStep('run: lineage end event written');
    await recordInStore(this.o.historyDir, manifest.runId, {}, manifest);
  }
}

export function startedByFromEnv(): StartedBy {
  const v = process.env['SLUICE_STARTED_BY'];
  return v === 'designer' || v === 'desktop' || v === 'test' ? v : 'cli';
}
