// Preview at a node: run only its upstream subgraph, push a row limit down to the sources when every step
// between them streams row by row, and reuse results of nodes whose config and inputs did not change.
import { capCell } from './display-cap.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import type { NodeMetrics, PreviewResult } from '@sluice/format/api/contract';
import type { ProfileResult } from '@sluice/format/api/ops-contract';
import { profileTable } from '../ops/column-profile.js';
import { upstreamClosure } from '@sluice/format/pipeline/graph';
import { previewTarget } from '@sluice/format/pipeline/preview-target';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { kindOf } from '../nodes/registry.js';
import { qi } from '../sql/quote.js';
import { Database } from '../db/database.js';
import { UserError, LINEAGE } from './exec-context.js';
import { executePipeline } from './execution/execute.js';
import { nodeFingerprints } from './execution/fingerprint.js';
import { inputFingerprints } from './execution/input-fingerprints.js';
import { QUARANTINE_ENTRY_COLUMNS, toEntry } from './durability/history.js';
import { LimitError, resolveLimits, type LimitsInput, type ResourceLimits } from './execution/limits.js';
import { nodeName, nodeNamer } from '@sluice/format/pipeline/node-name';


export class PreviewSession {
  private db: Database | undefined;
  private dbRoots = '';
  private readonly metrics = new Map<string, NodeMetrics>();
  private readonly workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-preview-'));

  /** `allowHosts`: network hosts REST sources may reach while previewing. */
  constructor(private readonly opts: { allowHosts?: string[]; limits?: LimitsInput } = {}) {}

  /** Memory, spill and the preview's wall-clock limit, as given, else SLUICE_* variables, else the machine's. */
  /** Limits of the preview being made (a request may set its own; memory and spill apply when the database opens). */
  private requestLimits: LimitsInput;

  private limits(): ResourceLimits {
    try {
      return resolveLimits({ ...this.opts.limits, ...this.requestLimits }, this.workDir);
    } catch (e) {
      throw e instanceof LimitError ? new UserError(e.message) : e;
    }
  }

  private async database(roots: string[]): Promise<Database> {
    const key = roots.join('\u0000');
    if (this.db && key === this.dbRoots) return this.db;
    this.db?.close();
    this.metrics.clear();
    fs.mkdirSync(path.join(this.workDir, 'tmp'), { recursive: true });
    const limits = this.limits();
    this.db = await Database.open({ allowedDirs: [...roots, this.workDir], tempDir: path.join(this.workDir, 'tmp'), memoryLimit: limits.memoryLimit, tempLimit: limits.tempLimit });
    this.dbRoots = key;
    return this.db;
  }

  private queue: Promise<unknown> = Promise.resolve();

  /**
   * One preview at a time: previews share one database and cache tables by name, so two running at once could
   * drop or rebuild a table the other is counting. Later calls wait; a failed one does not block the next.
   */
  preview(p: Pipeline, nodeId: string, limit: number, baseDir: string, allow: string[] = [], allowHosts = this.opts.allowHosts ?? [], allowEnv: string[] = [], limits?: LimitsInput): Promise<PreviewResult> {
    const run = () => {
      this.requestLimits = limits;
      return this.previewNow(p, nodeId, limit, baseDir, allow, allowHosts, allowEnv);
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async previewNow(p: Pipeline, nodeId: string, limit: number, baseDir: string, allow: string[], allowHosts: string[], allowEnv: string[]): Promise<PreviewResult> {
    const node = p.nodes.find((n) => n.id === nodeId);
    if (!node) throw new UserError(`no node "${nodeId}" in the pipeline`);
    const kind = kindOf(node.kind);
    if (!kind) throw new UserError(`unknown node kind "${node.kind}"`, { nodeId });
    // A preview never writes: sinks are not run, and previewing a sink shows the rows that would reach it, from
    // the port that feeds it (format/preview-target.ts, the rule the designer uses too).
    const target = previewTarget(p, nodeId, kindOf);
    if (kind.category === 'sink') {
      if (!target?.port || target.requestNodeId === nodeId) throw new UserError(`sink "${nodeId}" has no input to preview`, { nodeId });
      const upstream = await this.previewPort(p, target.requestNodeId, target.port, limit, baseDir, allow, allowHosts, allowEnv);
      return { ...upstream, nodeId, quarantine: [], quarantineTotal: 0 };
    }
    return this.previewPort(p, nodeId, target?.port ?? '', limit, baseDir, allow, allowHosts, allowEnv);
  }

  /**
   * Run the node's upstream subgraph (a sample of the sources when `sourceLimit` is set, else all of them),
   * reusing tables of unchanged nodes: tables are named by the fingerprint of each node's config and inputs
   * (and of the limit), so a whole-output run never reuses a sampled one.
   */
  private async materialise(p: Pipeline, nodeId: string, sourceLimit: number | undefined, baseDir: string, allow: string[], allowHosts: string[], allowEnv: string[]) {
    const order = upstreamClosure(p, nodeId);
    const roots = [baseDir, ...allow];
    const db = await this.database(roots);
    // Taken before the sources read: a file changing during the preview then shows as changed afterwards.
    const inputs = inputFingerprints(p, baseDir, roots, new Set(order));
    const hashes = nodeFingerprints(p, order, baseDir, roots, { limit: sourceLimit });
    const table = (id: string, port: string) => `h_${hashes.get(id) ?? id}__${port}`;
    const result = await executePipeline({
      pipeline: p,
      kindOf,
      db,
      baseDir,
      roots,
      workDir: this.workDir,
      only: order,
      ...(sourceLimit !== undefined ? { limit: sourceLimit } : {}),
      tableName: table,
      allowHosts,
      limits: this.limits(),
      timeLimit: 'preview',
      allowEnv,
      reuse: (id) => {
        const m = this.metrics.get(hashes.get(id) ?? '');
        return m && m.status !== 'failed' ? m : undefined;
      },
    });
    for (const m of result.metrics) if (m.status !== 'failed' && m.status !== 'skipped') this.metrics.set(hashes.get(m.nodeId) ?? '', m);
    return { db, table, result, inputs };
  }

  /** The rows of one output port of a (non-sink) node, with the node's own quarantine. */
  private async previewPort(p: Pipeline, nodeId: string, port: string, limit: number, baseDir: string, allow: string[], allowHosts: string[], allowEnv: string[]): Promise<PreviewResult> {
    const order = upstreamClosure(p, nodeId);
    const streaming = order.every((id) => {
      const k = kindOf(p.nodes.find((n) => n.id === id)?.kind ?? '');
      // Row-wise kinds' first N output rows depend only on their first N-ish input rows, so a sample suffices.
      return k?.category === 'source' || k?.traits.rows === 'row-wise';
    });
    // A source previewed by itself shows its first `limit` records and needs no more; a node further down may
    // filter some out, so its sources read a margin more.
    const onlySources = order.every((id) => kindOf(p.nodes.find((n) => n.id === id)?.kind ?? '')?.category === 'source');
    const sourceLimit = streaming ? (onlySources ? Math.max(1, Math.floor(limit)) : Math.max(limit * 10, 1000)) : undefined;
    const { db, table, result, inputs } = await this.materialise(p, nodeId, sourceLimit, baseDir, allow, allowHosts, allowEnv);
    const mine = result.metrics.find((m) => m.nodeId === nodeId);
    let columns: PreviewResult['columns'] = [];
    let rows: PreviewResult['rows'] = [];
  let lineage: (string | null)[] = [];
    let totalRows = 0;
    if (mine && mine.status !== 'failed' && mine.status !== 'skipped' && port) {
      const t = qi(table(nodeId, port));
      // The lineage id comes first and is split off, so the grid's columns stay the node's own.
      const cells = await db.cells(`SELECT ${qi(LINEAGE)}, * EXCLUDE (${qi(LINEAGE)}) FROM ${t} LIMIT ${Math.floor(limit)}`);
      columns = cells.columns.slice(1);
      rows = cells.rows.map((r) => r.slice(1).map(capCell));
      lineage = cells.rows.map((r) => (typeof r[0] === 'string' ? r[0] : null));
      totalRows = await db.count(`SELECT count(*) FROM ${t}`);
    }
    let quarantine: PreviewResult['quarantine'] = [];
    let quarantineTotal = 0;
    const quarantineByRule: Record<string, number> = {};
    if (mine && mine.status !== 'skipped') {
      const q = qi(table(nodeId, '__q'));
      if (await db.tableExists(table(nodeId, '__q'))) {
        quarantineTotal = await db.count(`SELECT count(*) FROM ${q}`);
        // Totals per rule over the whole quarantine table, so the inspector never shows counts of the 100 sent.
        const byRule = await db.rows(`SELECT r AS rule, count(*) AS n FROM (SELECT unnest(rule_ids) AS r FROM ${q}) GROUP BY r`);
        for (const r of byRule) Object.defineProperty(quarantineByRule, String(r['rule']), { value: Number(r['n']), enumerable: true });
        const qrows = await db.rawRows(`SELECT ${QUARANTINE_ENTRY_COLUMNS} FROM ${q} LIMIT 100`);
        quarantine = qrows.map(toEntry);
      }
    }
    // Sampled only when a source actually stopped at the limit, not merely because a limit was offered.
    const sampled = result.metrics.some((m) => m.sampled === true);
    return { nodeId, port, columns, rows, lineage, totalRows, metrics: result.metrics, quarantine, quarantineTotal, quarantineByRule, sampled, inputs };
  }

  /**
   * The column profile of a node's output (a sink's: of the rows that would reach it), over its whole output:
   * the upstream runs without a source limit. Queued with the previews (they share the database and its tables).
   */
  profile(p: Pipeline, nodeId: string, baseDir: string, allow: string[] = [], allowHosts = this.opts.allowHosts ?? [], allowEnv: string[] = [], limits?: LimitsInput): Promise<ProfileResult> {
    const run = async (): Promise<ProfileResult> => {
      this.requestLimits = limits;
      const node = p.nodes.find((n) => n.id === nodeId);
      if (!node) throw new UserError(`no node "${nodeId}" in the pipeline`);
      const target = previewTarget(p, nodeId, kindOf);
      if (!target?.port) throw new UserError(`${nodeName(node)} has no output to profile`, { nodeId });
      const { db, table, result } = await this.materialise(p, target.requestNodeId, undefined, baseDir, allow, allowHosts, allowEnv);
      const mine = result.metrics.find((m) => m.nodeId === target.requestNodeId);
      if (!mine || mine.status === 'failed' || mine.status === 'skipped' || (await db.relationKind(table(target.requestNodeId, target.port))) === undefined) {
        const why = result.metrics.find((m) => m.status === 'failed')?.error;
        throw new UserError(`${nodeNamer(p.nodes)(target.requestNodeId)} produced no output to profile${why ? `: ${why}` : ''}`, { nodeId: target.requestNodeId });
      }
      const profile = await profileTable(db, table(target.requestNodeId, target.port), nodeId, target.port);
      return { ...profile, sampled: profile.sampled || result.metrics.some((m) => m.sampled === true) };
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
    fs.rmSync(this.workDir, { recursive: true, force: true });
  }
}
