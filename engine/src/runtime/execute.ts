// Runs a checked pipeline node by node, materializing each node's outputs and reconciling its row counts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IoStats, NodeMetrics } from '@sluice/format/api/contract';
import type { Edge, Pipeline, PipelineNode } from '@sluice/format/pipeline/pipeline';
import { topologicalOrder } from '@sluice/format/pipeline/graph';
import type { NodeKind } from '../nodes/types.js';
import { qi } from '../sql/quote.js';
import type { Database } from '../db/database.js';
import { ERROR_CODES, QueryError, faultDetail, isUserFacing } from '@sluice/format/api/errors';
import { LINEAGE, ROWID_REASON, UserError, isReservedColumn, isRowidName, type ExecContext, type QuarantineRecord, type SqlParams } from './exec-context.js';
import { expandGlob, resolveInside } from './paths.js';
import { pipelineEnv } from './secrets.js';
import { GateFailure } from './gate.js';
import { faultPoint } from './faults.js';
import { limitReason, type ResourceLimits } from './limits.js';
import { followProgress } from './progress.js';

export { GateFailure };

export type RunEvent =
  | { type: 'run-start'; runId: string; runDir: string }
  | { type: 'node-start'; nodeId: string }
  | { type: 'node-end'; metrics: NodeMetrics }
  /** A node's I/O statistics changed (a request failed, a retry is scheduled, the breaker moved). */
  | { type: 'node-io'; nodeId: string; io: IoStats; note?: string }
  /** How far a running node's current query is (runtime/progress.ts). */
  | { type: 'node-progress'; nodeId: string; percent: number; rows?: number };

/** A fault of the engine in one node: kept with its stack in the run record (`faults`), never shown as a message. */
export interface InternalFault {
  nodeId?: string;
  detail: string;
}


/** Columns a quarantine output port carries besides the row's own. */
export const QUARANTINE_PORT_COLUMNS = [LINEAGE, '__rule_ids', '__reasons'];

export interface ExecuteOptions {
  pipeline: Pipeline;
  kindOf: (kind: string) => NodeKind | undefined;
  db: Database;
  baseDir: string;
  /** Folders pipeline paths may resolve into. */
  roots: string[];
  workDir: string;
  /** Where nodes keep durable progress across a resume (default: `workDir/state`). */
  stateDir?: string;
  /** A stateful node's committed state folder (see runtime/pipeline-state.ts); none by default. */
  committedState?: (nodeId: string) => string | undefined;
  /** Relative sink paths resolve here (default: baseDir). */
  outDir?: string;
  /** Run only these nodes (a preview's upstream closure); default all. */
  only?: string[];
  limit?: number;
  /** Table name (unquoted) holding a node's port; `quarantine` is the node's quarantine table. */
  tableName: (nodeId: string, port: string) => string;
  /** Drop a node's tables once every node reading them has run (runs, not previews, which cache them). */
  dropConsumed?: boolean;
  /** Metrics of a node whose tables already exist (preview cache): the node is not executed again. */
  reuse?: (nodeId: string) => NodeMetrics | undefined;
  /**
   * A resumed run's node whose checkpoint verified: its metrics (and, where a node still to run reads them, its
   * tables loaded back); undefined runs the node.
   */
  restore?: (nodeId: string) => Promise<NodeMetrics | undefined>;
  /** After a node succeeded, before its inputs are released: make its outputs durable (checkpoints, quarantine). */
  afterNode?: (nodeId: string, kind: NodeKind, metrics: NodeMetrics) => Promise<void>;
  /** A node's commit id within the run (see ExecContext.commitId). */
  commitId?: (nodeId: string) => string;
  /** How a sink publishes a complete staged file over its target (default: a rename). */
  publish?: (nodeId: string, staged: string, target: string, rows: number) => Promise<void>;
  signal?: AbortSignal;
  /** Network hosts nodes may connect to (see ExecContext.allowHosts); none by default. */
  allowHosts?: string[];
  /** Where nodes read secrets named in their config (default: this process's environment). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Environment variables the user allowed for this run or preview, besides `SLUICE_SECRET_…` (see secrets.ts). */
  allowEnv?: readonly string[];
  onEvent?: (e: RunEvent) => void;
  /** The run's resource limits, for the reasons of nodes a limit stopped (see runtime/limits.ts). */
  limits?: ResourceLimits;
  /**
   * Wall-clock limit that interrupts a node's query: `node` gives each node the run's per-node limit, `preview`
   * gives all nodes of a preview one shared deadline. Off without `limits`.
   */
  timeLimit?: 'node' | 'preview';
}

export interface ExecuteResult {
  metrics: NodeMetrics[];
  errors: string[];
  gateFailed: boolean;
  /** Faults of the engine itself (not user mistakes), with their stacks, for the run record. */
  faults: InternalFault[];
}

/** Lookups built once per run, so that per-node work does not scan every node and edge (5,000-node chains). */
interface GraphIndex {
  node: Map<string, PipelineNode>;
  into: Map<string, Edge[]>;
  outOf: Map<string, Edge[]>;
  /** Position of each node in the run's order; a node is done when its position is at most the current one. */
  position: Map<string, number>;
  orderMatters: Map<string, boolean>;
}

function indexGraph(p: Pipeline, order: string[]): GraphIndex {
  const node = new Map(p.nodes.map((n) => [n.id, n]));
  const into = new Map<string, Edge[]>();
  const outOf = new Map<string, Edge[]>();
  for (const e of p.edges) {
    (into.get(e.to.node) ?? into.set(e.to.node, []).get(e.to.node))?.push(e);
    (outOf.get(e.from.node) ?? outOf.set(e.from.node, []).get(e.from.node))?.push(e);
  }
  return { node, into, outOf, position: new Map(order.map((id, i) => [id, i])), orderMatters: new Map() };
}

const graphIndex = new WeakMap<ExecuteOptions, GraphIndex>();

function indexOf(o: ExecuteOptions): GraphIndex {
  const g = graphIndex.get(o);
  if (!g) throw new Error('executePipeline did not index its graph');
  return g;
}

export async function executePipeline(o: ExecuteOptions): Promise<ExecuteResult> {
  const { pipeline: p } = o;
  const only = o.only ? new Set(o.only) : undefined;
  const order = topologicalOrder(p).order.filter((id) => !only || only.has(id));
  const g = indexGraph(p, order);
  graphIndex.set(o, g);
  computeOrderMatters(o, g, order);
  const metrics = new Map<string, NodeMetrics>();
  const errors: string[] = [];
  const faults: InternalFault[] = [];
  let gateFailed = false;
  const signal = o.signal ?? new AbortController().signal;

  const limitSeconds = o.limits ? (o.timeLimit === 'preview' ? o.limits.previewTimeoutSeconds : o.timeLimit === 'node' ? o.limits.nodeTimeoutSeconds : 0) : 0;
  const deadline = o.timeLimit === 'preview' && limitSeconds > 0 ? performance.now() + limitSeconds * 1000 : undefined;
  // After a DuckDB FATAL error the database refuses every statement; the node it happened in is named, the
  // rest are not run.
  let fatalIn: string | undefined;

  for (const [position, id] of order.entries()) {
    const node = g.node.get(id) as PipelineNode;
    const kind = o.kindOf(node.kind);
    if (!kind) throw new UserError(`unknown node kind "${node.kind}"`, { nodeId: id });
    const upstream = g.into.get(id) ?? [];
    const blocked = upstream.find((e) => metrics.get(e.from.node)?.status === 'failed' || metrics.get(e.from.node)?.status === 'skipped');
    if (blocked || fatalIn !== undefined) {
      const m = emptyMetrics(node, 'skipped');
      m.warnings.push(fatalIn !== undefined ? `not run: a fatal DuckDB error in node "${fatalIn}" invalidated the run's database` : `not run: upstream node "${blocked?.from.node ?? ''}" did not finish`);
      metrics.set(id, m);
      o.onEvent?.({ type: 'node-end', metrics: m });
      continue;
    }
    const cached = o.reuse?.(id);
    if (cached) {
      metrics.set(id, cached);
      o.onEvent?.({ type: 'node-end', metrics: cached });
      continue;
    }
    if (signal.aborted) throw new UserError('the run was cancelled');
    const restored = await o.restore?.(id);
    if (restored) {
      metrics.set(id, restored);
      o.onEvent?.({ type: 'node-end', metrics: restored });
      continue;
    }
    o.onEvent?.({ type: 'node-start', nodeId: id });
    faultPoint('node-start', id);
    const started = performance.now();
    const m = emptyMetrics(node, 'ok');
    // The wall-clock limit: interrupt DuckDB's query and abort the node's own waits (REST requests, retries).
    let timedOut = false;
    const stopNode = new AbortController();
    const ms = deadline !== undefined ? Math.max(1, deadline - performance.now()) : limitSeconds * 1000;
    const timer = ms > 0 ? setTimeout(() => {
      timedOut = true;
      stopNode.abort();
      o.db.interrupt();
    }, ms) : undefined;
    // A stop interrupts DuckDB's query; an interrupt that lands between two of the node's statements is lost, so
    // it is repeated until the node ends (a never-ending query that starts just after the stop is stopped too).
    let stopping: NodeJS.Timeout | undefined;
    const onStop = () => {
      o.db.interrupt();
      stopping ??= setInterval(() => o.db.interrupt(), 200);
    };
    signal.addEventListener('abort', onStop, { once: true });
    const ticker = o.onEvent ? followProgress(o.db, id, kind.category !== 'source', o.onEvent) : undefined;
    try {
      await runNode(o, node, kind, m, AbortSignal.any([signal, stopNode.signal]), (id, port) => metrics.get(id)?.outputs[port]).finally(() => {
        signal.removeEventListener('abort', onStop);
        if (stopping) clearInterval(stopping);
        if (ticker) clearInterval(ticker);
      });
      if (timedOut) throw new Error('INTERRUPT Error: the time limit ran out as the node finished');
      m.durationMs = Math.round(performance.now() - started);
      await o.afterNode?.(id, kind, m);
    } catch (raised) {
      // The node that raised a DuckDB error is the place it belongs to.
      const e = raised instanceof QueryError ? raised.at({ nodeId: id }) : raised;
      m.status = 'failed';
      const fsFault = fileSystemFault(e, o.workDir);
      const limit = signal.aborted ? undefined : limitReason(e, o.limits, timedOut ? (o.timeLimit ?? 'node') : undefined);
      const where = `node "${node.id}" (${node.kind})`;
      m.error = limit ? `${where}: ${limit}` : fsFault ? `${where}: ${fsFault}` : describeError(e, node);
      if (isFatal(e)) fatalIn = node.id;
      errors.push(m.error);
      if (e instanceof GateFailure) gateFailed = true;
      if (!isUserFacing(e) && !fsFault && !limit) {
        // Not a user mistake: the stack goes to the run record and the log for whoever debugs it, never to the user.
        const detail = faultDetail(e);
        faults.push({ nodeId: id, detail });
        process.stderr.write(`[sluice] internal error in node ${id}: ${detail}\n`);
      }
    }
    if (timer) clearTimeout(timer);
    if (m.status === 'failed') m.durationMs = Math.round(performance.now() - started);
    metrics.set(id, m);
    o.onEvent?.({ type: 'node-end', metrics: m });
    if (o.dropConsumed && fatalIn === undefined) {
      try {
        await releaseInputs(o, id, position);
      } catch (e) {
        // Freeing inputs is the engine's housekeeping, but it runs in this node's name: say so.
        if (isFatal(e)) fatalIn = id;
        errors.push(`node "${id}" (${node.kind}): freeing its inputs failed: ${e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e)}`);
      }
    }
  }
  return { metrics: order.map((id) => metrics.get(id) as NodeMetrics), errors, gateFailed, faults };
}

/** A DuckDB FATAL error: the database is invalidated and refuses every later statement. */
function isFatal(e: unknown): boolean {
  return e instanceof Error && /^FATAL Error|database has been invalidated/i.test(e.message);
}

/**
 * Free the memory of upstream outputs that no node still to run will read. A view keeps its inputs alive (it
 * reads them when consumed), so a node that produced views releases nothing until its views are dropped.
 * Quarantine tables are kept for the run record.
 */
async function releaseInputs(o: ExecuteOptions, nodeId: string, now: number): Promise<void> {
  const g = indexOf(o);
  // A worklist instead of recursion: dropping a view releases its own inputs in turn, down a chain of any length.
  const work = [nodeId];
  while (work.length > 0) {
    const id = work.pop() as string;
    const kind = o.kindOf(g.node.get(id)?.kind ?? '');
    let producedView = false;
    for (const port of kind?.outputs ?? []) {
      if ((await o.db.relationKind(o.tableName(id, port.name))) === 'view') producedView = true;
    }
    if (producedView) continue;
    for (const e of g.into.get(id) ?? []) {
      if (await releaseOutput(o, e.from.node, e.from.port, now)) work.push(e.from.node);
    }
  }
}

/** Drops an output no node still to run reads; true when it was a view, whose own inputs may now go too. */
async function releaseOutput(o: ExecuteOptions, nodeId: string, port: string, now: number): Promise<boolean> {
  const g = indexOf(o);
  const consumers = (g.outOf.get(nodeId) ?? []).filter((x) => x.from.port === port).map((x) => x.to.node);
  if (consumers.some((c) => (g.position.get(c) ?? Number.POSITIVE_INFINITY) > now)) return false;
  // A consumer that answered with a view still reads this output whenever its view is read.
  for (const c of consumers) {
    const ck = o.kindOf(g.node.get(c)?.kind ?? '');
    for (const out of ck?.outputs ?? []) if ((await o.db.relationKind(o.tableName(c, out.name))) === 'view') return false;
  }
  const name = o.tableName(nodeId, port);
  const wasView = (await o.db.relationKind(name)) === 'view';
  await o.db.dropRelation(name);
  return wasView;
}

/**
 * Whether a consumer of each node, or one further down through order-keeping nodes, depends on row order.
 * Computed once, in reverse order (every consumer before its producers), instead of recursing down the graph.
 */
function computeOrderMatters(o: ExecuteOptions, g: GraphIndex, order: string[]): void {
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i] as string;
    // A preview shows a node's first rows, in order, whatever reads them later.
    let matters = o.only !== undefined;
    for (const e of g.outOf.get(id) ?? []) {
      if (matters) break;
      const consumer = g.node.get(e.to.node);
      const how = (consumer && o.kindOf(consumer.kind)?.inputOrder) ?? 'requires';
      // A consumer outside this run (not in the order) is treated as requiring order, as before.
      if (how === 'requires' || (how === 'propagates' && (g.orderMatters.get(e.to.node) ?? true))) matters = true;
    }
    g.orderMatters.set(id, matters);
  }
}

async function renameOver(staged: string, target: string): Promise<void> {
  await fs.promises.rename(staged, target);
}

const FULL = new Set(['ENOSPC', 'EFBIG', 'EDQUOT']);
const DENIED = new Set(['EACCES', 'EPERM', 'EROFS']);

/** A full disk or a refused file is the machine's state, not a bug: said plainly, with what to do. */
function fileSystemFault(e: unknown, workDir: string): string | undefined {
  const err = e as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof err.code !== 'string' || (!FULL.has(err.code) && !DENIED.has(err.code))) return undefined;
  // A failed write names no file; it was one of the node's working files.
  const where = err.path ? '' : ` (writing the run's working files in ${workDir})`;
  const hint = FULL.has(err.code) ? 'free disk space (or raise the file-size limit) and run again' : 'check the permissions of the file and its folder';
  return `${err.message}${where}; ${hint}`;
}

function emptyMetrics(node: PipelineNode, status: NodeMetrics['status']): NodeMetrics {
  return { nodeId: node.id, kind: node.kind, status, rowsIn: 0, rowsOut: 0, quarantined: 0, filtered: 0, passed: 0, durationMs: 0, outputs: {}, warnings: [] };
}

function describeError(e: unknown, node: PipelineNode): string {
  const where = `node "${node.id}" (${node.kind})`;
  if (e instanceof QueryError && e.code === ERROR_CODES.cancelled) return `${where}: stopped because the run was cancelled; nothing of this node was published`;
  if (e instanceof QueryError && e.userCaused) {
    // DuckDB's messages are already user-readable (binder and conversion errors); keep their first lines.
    return `${where}: ${e.message.split('\n').slice(0, 3).join(' ').trim()}`;
  }
  if (isUserFacing(e)) {
    const bits = [e.where.field ? `field "${e.where.field}"` : '', e.where.file ? `file ${e.where.file}${e.where.line ? `:${e.where.line}` : ''}` : '']
      .filter(Boolean)
      .join(', ');
    return `${where}${bits ? `, ${bits}` : ''}: ${e.message}`;
  }
  // A fault of the engine: its first line says what broke; the stack is in the run record, not in this message.
  const msg = e instanceof Error ? e.message : String(e);
  return `${where}: internal error: ${msg.split('\n')[0]?.trim() ?? ''}`;
}

/** `counted` gives an upstream port's row count as its node reported it, so inputs are not counted again. */
async function runNode(
  o: ExecuteOptions,
  node: PipelineNode,
  kind: NodeKind,
  m: NodeMetrics,
  signal: AbortSignal,
  counted: (nodeId: string, port: string) => number | undefined,
): Promise<void> {
  const { db } = o;
  const g = indexOf(o);
  const intoPort = (port: string): Edge[] => (g.into.get(node.id) ?? []).filter((e) => e.to.port === port);
  const quarantineName = o.tableName(node.id, '__q');
  const scratchDir = path.join(o.workDir, 'scratch', node.id);
  await db.dropRelation(quarantineName);
  for (const port of kind.outputs) await db.dropRelation(o.tableName(node.id, port.name));
  for (const port of kind.tableInputs ?? []) {
    for (const e of intoPort(port)) await db.materialize(o.tableName(e.from.node, e.from.port));
  }
  await db.createQuarantineTable(qi(quarantineName));

  const inputsOf = (port: string): string[] =>
    intoPort(port).map((e) => qi(o.tableName(e.from.node, e.from.port)));

  const ctx: ExecContext = {
    nodeId: node.id,
    baseDir: o.baseDir,
    scratchDir,
    commitId: o.commitId?.(node.id),
    orderMatters: indexOf(o).orderMatters.get(node.id) ?? true,
    publish: (staged, target, rows) => (o.publish ? o.publish(node.id, staged, target, rows) : renameOver(staged, target)),
    stateDir: path.join(o.stateDir ?? path.join(o.workDir, 'state'), node.id),
    committedState: o.committedState?.(node.id),
    limit: o.limit,
    signal,
    allowHosts: o.allowHosts ?? [],
    env: o.env ?? pipelineEnv(o.allowEnv ?? []),
    reportIo(io, note) {
      m.io = io;
      o.onEvent?.({ type: 'node-io', nodeId: node.id, io, ...(note !== undefined ? { note } : {}) });
    },
    inputs: inputsOf,
    input(port) {
      const list = inputsOf(port);
      if (list.length === 0) throw new UserError(`input "${port}" is not connected`, { nodeId: node.id, field: port });
      return list[0] as string;
    },
    async claimInput(port) {
      if (!o.dropConsumed) return undefined;
      const edges = intoPort(port);
      const from = edges[0]?.from;
      if (edges.length !== 1 || !from) return undefined;
      // Another reader (even this node, on a second port) still needs the rows as they are.
      if ((g.outOf.get(from.node) ?? []).filter((e) => e.from.port === from.port).length !== 1) return undefined;
      const name = o.tableName(from.node, from.port);
      return (await db.relationKind(name)) === 'table' ? qi(name) : undefined;
    },
    output(port) {
      if (!kind.outputs.some((x) => x.name === port)) throw new Error(`node kind ${kind.kind} has no output ${port}`);
      return qi(o.tableName(node.id, port));
    },
    quarantine: qi(quarantineName),
    columns: async (table) => (await db.describe(table)).filter((c) => c.name !== LINEAGE),
    run: (sql: string, params?: SqlParams) => db.run(sql, params),
    rows: (sql: string, params?: SqlParams) => db.rows(sql, params),
    count: (sql: string, params?: SqlParams) => db.count(sql, params),
    appendQuarantine: (records: QuarantineRecord[]) => db.appendQuarantine(quarantineName, records),
    resolvePath: (p2, field) => resolveInside(o.baseDir, o.roots, p2, { nodeId: node.id, field }),
    resolveOutput: (p2, field) => resolveInside(o.outDir ?? o.baseDir, o.roots, p2, { nodeId: node.id, field }, { write: true }),
    async resolveGlob(pattern, field) {
      const abs = resolveInside(o.baseDir, o.roots, pattern, { nodeId: node.id, field });
      const files = expandGlob(abs).map((f) => resolveInside(o.baseDir, o.roots, f, { nodeId: node.id, field }));
      if (files.length === 0) throw new UserError(`no file matches "${pattern}"`, { nodeId: node.id, field });
      return files;
    },
  };
  fs.mkdirSync(scratchDir, { recursive: true });
  fs.mkdirSync(ctx.stateDir, { recursive: true });

  const dataInputs = kind.inputs.filter((i) => i.role !== 'reference');
  let rowsIn = 0;
  for (const port of dataInputs) {
    for (const e of intoPort(port.name)) {
      rowsIn += counted(e.from.node, e.from.port) ?? (await db.count(`SELECT count(*) FROM ${qi(o.tableName(e.from.node, e.from.port))}`));
    }
  }

  // Known before the node runs, so a node that fails still records how many rows it was given.
  if (kind.accounting !== 'source') m.rowsIn = rowsIn;
  const result = await kind.execute(ctx, node.config as never);

  for (const port of kind.outputs) {
    const t = qi(o.tableName(node.id, port.name));
    if (!(await db.relationKind(o.tableName(node.id, port.name)))) throw new Error(`node kind ${kind.kind} did not create output "${port.name}"`);
    // A user column named like the lineage or a helper column would be silently renamed next to it and read in
    // its place, so reserved names fail the node instead.
    const allowed = port.role === 'quarantine' ? QUARANTINE_PORT_COLUMNS : [LINEAGE];
    const reserved = (await db.describe(t)).map((c) => c.name).filter((n) => isReservedColumn(n) && !allowed.includes(n));
    const rowid = reserved.find(isRowidName);
    if (rowid) throw new UserError(`column name "${rowid}" ${ROWID_REASON}; choose another name`, { nodeId: node.id });
    if (reserved.length > 0) {
      throw new UserError(`column name${reserved.length > 1 ? 's' : ''} ${reserved.map((n) => `"${n.replace(/_\d+$/, '')}"`).join(', ')} ${reserved.length > 1 ? 'are' : 'is'} reserved by Sluice (lineage and helper columns); choose another name`, { nodeId: node.id });
    }
    m.outputs[port.name] = await db.count(`SELECT count(*) FROM ${t}`);
  }
  m.quarantined = await db.count(`SELECT count(*) FROM ${qi(quarantineName)}`);
  m.filtered = result.filtered?.count ?? 0;
  m.rowsOut = kind.outputs.filter((x) => x.role === 'data').reduce((s, x) => s + (m.outputs[x.name] ?? 0), 0);
  m.rowsIn = kind.accounting === 'source' ? (result.recordsRead ?? 0) : rowsIn;
  m.warnings.push(...(result.warnings ?? []));
  if (result.truncated) m.sampled = true;
  if (result.filtered && m.filtered > 0) m.filterReason = result.filtered.reason;

  switch (kind.accounting) {
    case 'conserving':
    case 'source':
      m.passed = m.rowsOut;
      break;
    case 'reducing':
      m.passed = result.passed ?? 0;
      break;
    case 'sink':
      m.passed = result.written ?? 0;
      break;
    case 'opaque':
      m.passed = m.rowsIn - m.quarantined - m.filtered;
      m.warnings.push('rows are not reconciled one by one through a SQL node; its output is counted as new rows');
      break;
  }
  const accounted = m.passed + m.quarantined + m.filtered;
  if (kind.accounting !== 'opaque' && accounted !== m.rowsIn) {
    throw new Error(
      `row accounting does not balance: ${m.rowsIn} in, but ${m.passed} passed + ${m.quarantined} quarantined + ${m.filtered} filtered = ${accounted} (${m.rowsIn - accounted} unaccounted)`,
    );
  }
  // The SQL node's own note about reconciliation is not a warning about this run's rows; the node's warnings are.
  if (m.quarantined > 0 || (result.warnings?.length ?? 0) > 0) m.status = 'warning';
}
