// Runs a checked pipeline node by node, materializing each node's outputs and reconciling its row counts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IoStats, NodeMetrics } from '@sluice/format/api/contract';
import type { Edge, Pipeline, PipelineNode } from '@sluice/format/pipeline/pipeline';
import { topologicalOrder } from '@sluice/format/pipeline/graph';
import { nodeNameWithKind, nodeNamer } from '@sluice/format/pipeline/node-name';
import type { NodeKind } from '../../nodes/types.js';
import { qi } from '../../sql/quote.js';
import type { Database } from '../../db/database.js';
import { QueryError, faultDetail, isUserFacing } from '@sluice/format/api/errors';
import { LINEAGE, ROWID_REASON, UserError, isReservedColumn, isRowidName, type ExecContext, type QuarantineRecord, type SqlParams } from '../exec-context.js';
import { expandGlob, resolveInside } from '../paths.js';
import { pipelineEnv } from '../secrets.js';
import { GateFailure } from '../gate.js';
import { faultPoint } from '../faults.js';
import { limitReason, type ResourceLimits } from './limits.js';
import { followProgress, ownProgress } from './progress.js';
import { explainFailure, leaveExplainer } from './read-failures.js';
import { computeOrderMatters, countingReader, graphIndex, indexGraph, indexOf, releaseInputs, viewPays } from './execute-graph.js';
import { describeError, fileSystemFault, isFatal } from './execute-errors.js';
import { ReaderCounts, verifyCounts } from './reader-counts.js';

export { GateFailure };

export type RunEvent =
  | { type: 'run-start'; runId: string; runDir: string }
  | { type: 'node-start'; nodeId: string }
  | { type: 'node-end'; metrics: NodeMetrics }
  /** A node's I/O statistics changed (a request failed, a retry is scheduled, the breaker moved). */
  | { type: 'node-io'; nodeId: string; io: IoStats; note?: string }
  /** How far a running node's current query is (runtime/execution/progress.ts). */
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
  /** A stateful node's committed state folder (see runtime/durability/pipeline-state.ts); none by default. */
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
  /**
   * Whether a node may leave an output's row count to its one reader (ExecResult.countedByReader): its numbers
   * are then known only once that reader has run, so not for a node an anomaly gate judges (the gate must stop
   * the run before anything after the node runs). Default: no node may.
   */
  countsFromReaders?: (nodeId: string) => boolean;
  /**
   * Make every node's quarantine table, empty or not, and keep it to the end: a preview shows each node's, a
   * replay reads its node's. Default: when outputs are not dropped (a preview). A run makes a node's quarantine
   * table only when the node names it, and drops it again when it stays empty.
   */
  keepQuarantines?: boolean;
  /** Every node output is checkpointed (policy 'all'), so a set-wise node stores its output rather than a view. */
  keepTables?: boolean;
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
  /** The run's resource limits, for the reasons of nodes a limit stopped (see runtime/execution/limits.ts). */
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

export async function executePipeline(o: ExecuteOptions): Promise<ExecuteResult> {
  const { pipeline: p } = o;
  const only = o.only ? new Set(o.only) : undefined;
  const order = topologicalOrder(p).order.filter((id) => !only || only.has(id));
  const g = indexGraph(p, order);
  const nameOf = nodeNamer(p.nodes);
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
  // Nodes whose output rows their reader counts (ExecResult.countedByReader): settled once that reader has run.
  const readerCounts = new ReaderCounts({
    db: o.db,
    tableName: o.tableName,
    nameOf,
    fatalIn: () => fatalIn,
    done: async (d) => {
      await o.afterNode?.(d.node.id, d.kind, d.m);
    },
    failed: (d, e) => {
      d.m.status = 'failed';
      d.m.error = describeError(e, d.node);
      errors.push(d.m.error);
      if (isFatal(e)) fatalIn ??= d.node.id;
      if (!isUserFacing(e)) faults.push({ nodeId: d.node.id, detail: faultDetail(e) });
    },
    ended: (m) => o.onEvent?.({ type: 'node-end', metrics: m }),
  });
  const counted = (nodeId: string, port: string): number | 'reader' | undefined => (readerCounts.waits(nodeId, port) ? 'reader' : metrics.get(nodeId)?.outputs[port]);

  for (const [position, id] of order.entries()) {
    const node = g.node.get(id) as PipelineNode;
    const kind = o.kindOf(node.kind);
    if (!kind) throw new UserError(`unknown node kind "${node.kind}"`, { nodeId: id });
    const upstream = g.into.get(id) ?? [];
    const blocked = upstream.find((e) => metrics.get(e.from.node)?.status === 'failed' || metrics.get(e.from.node)?.status === 'skipped');
    if (blocked || fatalIn !== undefined) {
      const m = emptyMetrics(node, 'skipped');
      m.warnings.push(fatalIn !== undefined ? `not run: a fatal DuckDB error in ${nameOf(fatalIn)} invalidated the run's database` : `not run: upstream ${nameOf(blocked?.from.node ?? '')} did not finish`);
      await readerCounts.settle(id, undefined);
      metrics.set(id, m);
      o.onEvent?.({ type: 'node-end', metrics: m });
      continue;
    }
    const cached = o.reuse?.(id);
    if (cached) {
      await readerCounts.settle(id, undefined);
      metrics.set(id, cached);
      o.onEvent?.({ type: 'node-end', metrics: cached });
      continue;
    }
    if (signal.aborted) throw new UserError('the run was cancelled');
    const restored = await o.restore?.(id);
    if (restored) {
      await readerCounts.settle(id, undefined);
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
    let waits = false;
    // The rows on its inputs that were counted before it ran (not those it was to count itself).
    const given = { rows: 0 };
    try {
      const ran = await runNode(o, node, kind, m, AbortSignal.any([signal, stopNode.signal]), counted, given).finally(() => {
        signal.removeEventListener('abort', onStop);
        if (stopping) clearInterval(stopping);
        if (ticker) clearInterval(ticker);
      });
      if (timedOut) throw new Error('INTERRUPT Error: the time limit ran out as the node finished');
      m.durationMs = Math.round(performance.now() - started);
      // The nodes whose rows this one counted are settled first: their journal entries precede its own.
      const up = await readerCounts.settle(id, ran.read);
      if (up.failed !== undefined) throw new UserError(`not finished: ${nameOf(up.failed)}, whose rows this node counted, failed`, { nodeId: id });
      const reader = ran.countedByReader ? countingReader(o, g, id, ran.countedByReader.port) : undefined;
      if (ran.countedByReader && reader) {
        waits = true;
        readerCounts.defer(reader.to.node, { node, kind, m, port: ran.countedByReader.port, reason: ran.countedByReader.reason, readerPort: reader.to.port });
      } else await o.afterNode?.(id, kind, m);
    } catch (raised) {
      // Nodes whose rows this one was to count are counted now, so that they, and its own input, are known.
      const stopped = signal.aborted ? 'the run was cancelled' : timedOut ? 'the time limit ran out' : undefined;
      const up = await readerCounts.settle(id, undefined, stopped);
      if (up.settled > 0) m.rowsIn = given.rows + up.rows;
      if (up.failed !== undefined && stopped === undefined) {
        // A node whose rows this one was to count fails when counted alone (a filter whose condition cannot be
        // computed for some row): that is the failure, as if it had failed before this node ran, and this node's
        // attempt (which published nothing) is told as not run, with no second message of the same cause. (A
        // stop is this node's own failure: it is told as such, and the node it counted says it was not counted.)
        Object.assign(m, emptyMetrics(node, 'skipped'));
        m.warnings.push(`not run: upstream ${nameOf(up.failed)} did not finish`);
      } else {
        // The node that raised a DuckDB error is the place it belongs to, unless it met a damaged file upstream.
        const told = await explainFailure(o, id, g.into, raised, o.db);
        const e = told instanceof QueryError ? told.at({ nodeId: id }) : told;
        m.status = 'failed';
        const fsFault = fileSystemFault(e, o.workDir);
        const limit = signal.aborted ? undefined : limitReason(e, o.limits, timedOut ? (o.timeLimit ?? 'node') : undefined);
        const where = nodeNameWithKind(node);
        // An explainer may tell the failure as an upstream node's (a derive whose value this node computed).
        const toldBy = isUserFacing(e) && e.where.nodeId !== undefined && e.where.nodeId !== id ? g.node.get(e.where.nodeId) : undefined;
        m.error = limit ? `${where}: ${limit}` : fsFault ? `${where}: ${fsFault}` : toldBy ? `${describeError(e, toldBy)} (met by ${where}, which computes it)` : describeError(e, node);
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
    }
    if (timer) clearTimeout(timer);
    if (m.status === 'failed') m.durationMs = Math.round(performance.now() - started);
    metrics.set(id, m);
    if (!waits) o.onEvent?.({ type: 'node-end', metrics: m });
    if (o.dropConsumed && fatalIn === undefined) {
      try {
        await releaseInputs(o, id, position);
      } catch (e) {
        // Freeing inputs is the engine's housekeeping, but it runs in this node's name: say so.
        if (isFatal(e)) fatalIn = id;
        errors.push(`${nodeNameWithKind(node)}: freeing its inputs failed: ${e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e)}`);
      }
      // An empty quarantine has nothing to keep: dropped, so that the run's tables stay as few as its live data
      // (a 5,000-node chain otherwise carries 5,000 of them). A replay reads its node's quarantine at the end.
      if (m.status !== 'failed' && m.quarantined === 0 && !keepQuarantines(o)) await o.db.dropRelation(o.tableName(id, '__q'));
    }
  }
  await readerCounts.settleAll();
  return { metrics: order.map((id) => metrics.get(id) as NodeMetrics), errors, gateFailed, faults };
}

/** A relation name as the catalog lists it, from its quoted form (as ctx.input gives it). */
const unquoted = (quoted: string): string => (quoted.startsWith('"') && quoted.endsWith('"') ? quoted.slice(1, -1).replaceAll('""', '"') : quoted);

const keepQuarantines = (o: ExecuteOptions): boolean => o.keepQuarantines ?? !o.dropConsumed;

/**
 * An output's rows. A table is counted (DuckDB keeps its row count: no rows are read). A view is counted only when
 * its node did not report its rows: counting a view runs its whole chain again, down to re-reading a CSV source's
 * clean copy, only to learn a number the node already had.
 */
async function outputRows(db: Database, table: string, relation: 'table' | 'view', reported: number | undefined, who: string, port: string): Promise<number> {
  if (reported !== undefined && relation === 'view' && !verifyCounts()) return reported;
  const real = await db.count(`SELECT count(*) FROM ${table}`);
  if (reported !== undefined && reported !== real) {
    throw new Error(`${who} reported ${reported} rows on output "${port}", which holds ${real}: its row accounting cannot be trusted`);
  }
  return real;
}

async function renameOver(staged: string, target: string): Promise<void> {
  await fs.promises.rename(staged, target);
}

function emptyMetrics(node: PipelineNode, status: NodeMetrics['status']): NodeMetrics {
  return { nodeId: node.id, kind: node.kind, status, rowsIn: 0, rowsOut: 0, quarantined: 0, filtered: 0, passed: 0, durationMs: 0, outputs: {}, warnings: [] };
}

/**
 * `counted` gives an upstream port's row count as its node reported it, so inputs are not counted again, or
 * 'reader' when this node counts it as it reads it (ExecResult.countedByReader). Returns what this node read on
 * such inputs, and what it leaves to its own reader to count.
 */
async function runNode(
  o: ExecuteOptions,
  node: PipelineNode,
  kind: NodeKind,
  m: NodeMetrics,
  signal: AbortSignal,
  counted: (nodeId: string, port: string) => number | 'reader' | undefined,
  given: { rows: number },
): Promise<{ read: Record<string, number>; countedByReader?: { port: string; reason: string } }> {
  const { db } = o;
  const g = indexOf(o);
  const intoPort = (port: string): Edge[] => (g.into.get(node.id) ?? []).filter((e) => e.to.port === port);
  const quarantineName = o.tableName(node.id, '__q');
  // Made on first use: most nodes need neither, and two folders per node were a large part of a long chain's time.
  const scratchDir = path.join(o.workDir, 'scratch', node.id);
  const stateDir = path.join(o.stateDir ?? path.join(o.workDir, 'state'), node.id);
  const made = new Set<string>();
  const folder = (dir: string): string => {
    if (!made.has(dir)) fs.mkdirSync(dir, { recursive: true });
    made.add(dir);
    return dir;
  };
  await db.dropRelation(quarantineName);
  for (const port of kind.outputs) await db.dropRelation(o.tableName(node.id, port.name));
  for (const port of kind.tableInputs ?? []) {
    for (const e of intoPort(port)) await db.materialize(o.tableName(e.from.node, e.from.port));
  }
  // The quarantine table is made when the node first names it (most kinds never do: a filter, a derive), just
  // before the node's next statement; a preview or a replay reads every node's quarantine afterwards, so there
  // it is made at once. A table made and dropped per node was a fifth of a long chain's statements.
  let quarantineWanted = keepQuarantines(o);
  let quarantineMade = false;
  const ready = async (): Promise<void> => {
    if (!quarantineWanted || quarantineMade) return;
    await db.createQuarantineTable(quarantineName);
    quarantineMade = true;
  };
  await ready();

  const dataInputs = kind.inputs.filter((i) => i.role !== 'reference');
  const rowsOnPort = new Map<string, number>();
  // Inputs this node counts itself as it reads them (the one edge into each: see countingReader).
  const countsHere = new Set<string>();
  for (const port of dataInputs) {
    let n = 0;
    for (const e of intoPort(port.name)) {
      const c = counted(e.from.node, e.from.port);
      if (c === 'reader') countsHere.add(port.name);
      else n += c ?? (await db.count(`SELECT count(*) FROM ${qi(o.tableName(e.from.node, e.from.port))}`));
    }
    rowsOnPort.set(port.name, n);
  }
  let rowsIn = [...rowsOnPort.values()].reduce((a, b) => a + b, 0);
  given.rows = rowsIn;

  const inputsOf = (port: string): string[] =>
    intoPort(port).map((e) => qi(o.tableName(e.from.node, e.from.port)));

  const ctx: ExecContext = {
    nodeId: node.id,
    baseDir: o.baseDir,
    get scratchDir() {
      return folder(scratchDir);
    },
    commitId: o.commitId?.(node.id),
    orderMatters: indexOf(o).orderMatters.get(node.id) ?? true,
    viewPays: (port, maxReads) => viewPays(o, g, node.id, port, maxReads),
    readerCounts: (port) => o.countsFromReaders?.(node.id) === true && countingReader(o, g, node.id, port) !== undefined,
    publish: (staged, target, rows) => (o.publish ? o.publish(node.id, staged, target, rows) : renameOver(staged, target)),
    get stateDir() {
      return folder(stateDir);
    },
    committedState: o.committedState?.(node.id),
    limit: o.limit,
    signal,
    allowHosts: o.allowHosts ?? [],
    env: o.env ?? pipelineEnv(o.allowEnv ?? []),
    ...(o.onEvent ? { reportProgress: ownProgress(node.id, o.onEvent) } : {}),
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
    inputRows(port) {
      if (countsHere.has(port)) throw new Error(`node kind ${kind.kind} counts input "${port}" as it reads it (countsInputs): its rows are not known before it runs`);
      const n = rowsOnPort.get(port);
      if (n === undefined) throw new Error(`node kind ${kind.kind} has no data input "${port}" whose rows were counted`);
      return n;
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
    get quarantine() {
      quarantineWanted = true;
      return qi(quarantineName);
    },
    columns: async (table) => (await ready(), await db.describe(table)).filter((c) => c.name !== LINEAGE),
    isView: async (table) => (await db.relationKind(unquoted(table))) === 'view',
    run: async (sql: string, params?: SqlParams) => (await ready(), await db.run(sql, params)),
    rows: async (sql: string, params?: SqlParams) => (await ready(), await db.rows(sql, params)),
    count: async (sql: string, params?: SqlParams) => (await ready(), await db.count(sql, params)),
    appendQuarantine: async (records: QuarantineRecord[]) => {
      quarantineWanted = true;
      await ready();
      await db.appendQuarantine(quarantineName, records);
    },
    resolvePath: (p2, field) => resolveInside(o.baseDir, o.roots, p2, { nodeId: node.id, field }),
    resolveOutput: (p2, field) => resolveInside(o.outDir ?? o.baseDir, o.roots, p2, { nodeId: node.id, field }, { write: true }),
    async resolveGlob(pattern, field) {
      const abs = resolveInside(o.baseDir, o.roots, pattern, { nodeId: node.id, field });
      const files = expandGlob(abs).map((f) => resolveInside(o.baseDir, o.roots, f, { nodeId: node.id, field }));
      if (files.length === 0) throw new UserError(`no file matches "${pattern}"`, { nodeId: node.id, field });
      return files;
    },
    leaveExplainer: (explain, kind) => leaveExplainer(o, node.id, explain, kind),
    readers: (port) => (g.outOf.get(node.id) ?? []).filter((e) => e.from.port === port && g.position.has(e.to.node)).length,
  };

  // Known before the node runs, so a node that fails still records how many rows it was given.
  if (kind.accounting !== 'source') m.rowsIn = rowsIn;
  const result = await kind.execute(ctx, node.config as never);
  const read: Record<string, number> = {};
  for (const port of countsHere) {
    const n = result.inputRowsRead?.[port];
    if (n === undefined) throw new Error(`node kind ${kind.kind} did not report the rows it read on input "${port}"`);
    rowsOnPort.set(port, n);
    read[port] = n;
  }
  rowsIn = [...rowsOnPort.values()].reduce((a, b) => a + b, 0);
  const byReader = result.countedByReader;
  if (byReader) {
    const dataOutputs = kind.outputs.filter((x) => x.role === 'data');
    if (kind.accounting !== 'conserving' || dataOutputs.length !== 1 || dataOutputs[0]?.name !== byReader.port || !ctx.readerCounts(byReader.port)) {
      throw new Error(`node kind ${kind.kind} left the rows of output "${byReader.port}" to a reader that does not count them`);
    }
  }

  for (const port of kind.outputs) {
    const t = qi(o.tableName(node.id, port.name));
    const relation = await db.relationKind(o.tableName(node.id, port.name));
    if (!relation) throw new Error(`node kind ${kind.kind} did not create output "${port.name}"`);
    // A user column named like the lineage or a helper column would be silently renamed next to it and read in
    // its place, so reserved names fail the node instead.
    const allowed = port.role === 'quarantine' ? QUARANTINE_PORT_COLUMNS : [LINEAGE];
    const reserved = (await db.describe(t)).map((c) => c.name).filter((n) => isReservedColumn(n) && !allowed.includes(n));
    const rowid = reserved.find(isRowidName);
    if (rowid) throw new UserError(`column name "${rowid}" ${ROWID_REASON}; choose another name`, { nodeId: node.id });
    if (reserved.length > 0) {
      throw new UserError(`column name${reserved.length > 1 ? 's' : ''} ${reserved.map((n) => `"${n.replace(/_\d+$/, '')}"`).join(', ')} ${reserved.length > 1 ? 'are' : 'is'} reserved by Sluice (lineage and helper columns); choose another name`, { nodeId: node.id });
    }
    if (byReader?.port !== port.name) m.outputs[port.name] = await outputRows(db, t, relation, result.outputRows?.[port.name], `node kind ${kind.kind}`, port.name);
  }
  await ready();
  m.quarantined = quarantineMade ? await db.count(`SELECT count(*) FROM ${qi(quarantineName)}`) : 0;
  m.filtered = result.filtered?.count ?? 0;
  m.rowsOut = kind.outputs.filter((x) => x.role === 'data').reduce((s, x) => s + (m.outputs[x.name] ?? 0), 0);
  m.rowsIn = kind.accounting === 'source' ? (result.recordsRead ?? 0) : rowsIn;
  m.warnings.push(...(result.warnings ?? []));
  if (result.truncated) m.sampled = true;
  if (result.filtered && m.filtered > 0) m.filterReason = result.filtered.reason;
  if (byReader) {
    // Balanced once its reader has counted its output (executePipeline settles it).
    if (m.quarantined > 0 || (result.warnings?.length ?? 0) > 0) m.status = 'warning';
    return { read, countedByReader: byReader };
  }

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
      // A SQL node that kept the lineage column reconciles by it (passed: input rows whose lineage reached the
      // output), and is held to the balance like any other node.
      if (result.passed !== undefined) m.passed = result.passed;
      else {
        m.passed = m.rowsIn - m.quarantined - m.filtered;
        m.warnings.push('rows are not reconciled one by one through a SQL node; its output is counted as new rows');
      }
      break;
  }
  const accounted = m.passed + m.quarantined + m.filtered;
  if ((kind.accounting !== 'opaque' || result.passed !== undefined) && accounted !== m.rowsIn) {
    throw new Error(
      `row accounting does not balance: ${m.rowsIn} in, but ${m.passed} passed + ${m.quarantined} quarantined + ${m.filtered} filtered = ${accounted} (${m.rowsIn - accounted} unaccounted)`,
    );
  }
  // The SQL node's own note about reconciliation is not a warning about this run's rows; the node's warnings are.
  if (m.quarantined > 0 || (result.warnings?.length ?? 0) > 0) m.status = 'warning';
  return { read };
}
