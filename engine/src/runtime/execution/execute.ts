// Runs a checked pipeline node by node, materializing each node's outputs and reconciling its row counts.
import type { NodeMetrics } from '@sluice/format/api/contract';
import type { PipelineNode } from '@sluice/format/pipeline/pipeline';
import { topologicalOrder } from '@sluice/format/pipeline/graph';
import { nodeNameWithKind, nodeNamer } from '@sluice/format/pipeline/node-name';
import { QueryError, faultDetail, isUserFacing } from '@sluice/format/api/errors';
import { UserError } from '../exec-context.js';
import { GateFailure } from '../gate.js';
import { faultPoint } from '../faults.js';
import { limitReason } from './limits.js';
import { followProgress } from './progress.js';
import { explainFailure } from './read-failures.js';
import { computeOrderMatters, countingReader, graphIndex, indexGraph, releaseInputs } from './execute-graph.js';
import { describeError, fileSystemFault, isFatal } from './execute-errors.js';
import { keepQuarantines, type ExecuteOptions, type ExecuteResult, type InternalFault } from './execute-options.js';
import { runNode } from './run-node.js';
import { ReaderCounts } from './reader-counts.js';

export { GateFailure };

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

function emptyMetrics(node: PipelineNode, status: NodeMetrics['status']): NodeMetrics {
  return { nodeId: node.id, kind: node.kind, status, rowsIn: 0, rowsOut: 0, quarantined: 0, filtered: 0, passed: 0, durationMs: 0, outputs: {}, warnings: [] };
}
