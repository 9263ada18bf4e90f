// One pass over the graph, in topological order: each node kind states its output ports' columns from its
// inputs' columns and its config, and the problems it can see. Nothing is run; files are touched only for a
// CSV header or a Parquet footer, and DuckDB only to describe expressions and queries over empty inputs.
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import type { Problem } from '@sluice/format/pipeline/problems';
import { topologicalOrder } from '@sluice/format/pipeline/graph';
import { hasParamRef, problemsAt } from '@sluice/format/kinds/kind';
import type { NodeKind } from '../nodes/types.js';
import type { Schema, SchemaEnv } from '@sluice/format/schema/types';

export interface PipelineSchemas {
  /** node id → output port → columns (undefined: not knowable before a run, or upstream of a problem). */
  ports: Map<string, Record<string, Schema | undefined>>;
  problems: Problem[];
}

/**
 * A node's answer depends only on its kind, id, config and input columns (the env's describes are pure functions
 * of columns and text), so it is kept under those: after an edit, only the edited node and the nodes whose input
 * columns it changed are worked out again. Sources are always asked, as files can change (the env caches them by
 * size and modification time).
 */
const memo = new Map<string, { outputs: Record<string, Schema | undefined>; problems: Problem[] }>();
const MEMO_MAX = 5000;
const schemaKeys = new WeakMap<Schema, string>();
function keyOf(s: Schema): string {
  let k = schemaKeys.get(s);
  if (k === undefined) {
    k = s.map((c) => `${c.name}\u0001${c.type}\u0001${c.nullable ?? ''}\u0001${c.typedAt ?? ''}`).join('\u0002');
    schemaKeys.set(s, k);
  }
  return k;
}

/**
 * Port schemas of a pipeline that passed `checkPipeline` (configs complete, ports valid, no cycle). A node
 * whose connected input is unknown gets unknown outputs and no problems: it is judged once its input is known.
 */
export async function inferSchemas(p: Pipeline, env: SchemaEnv, kindOf: (kind: string) => NodeKind | undefined): Promise<PipelineSchemas> {
  const ports = new Map<string, Record<string, Schema | undefined>>();
  const problems: Problem[] = [];
  const index = new Map(p.nodes.map((n, i) => [n.id, i]));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const into = new Map<string, typeof p.edges>();
  for (const e of p.edges) {
    const list = into.get(e.to.node);
    if (list) list.push(e);
    else into.set(e.to.node, [e]);
  }
  for (const id of topologicalOrder(p).order) {
    const node = byId.get(id);
    const kind = node ? kindOf(node.kind) : undefined;
    if (!node || !kind) continue;
    const unknown = Object.fromEntries(kind.outputs.map((o) => [o.name, undefined]));
    const incoming = new Map<string, (Schema | undefined)[]>();
    for (const e of into.get(id) ?? []) {
      const list = incoming.get(e.to.port) ?? [];
      list.push(ports.get(e.from.node)?.[e.from.port]);
      incoming.set(e.to.port, list);
    }
    const anyUnknown = [...incoming.values()].some((l) => l.some((s) => s === undefined));
    const parsed = kind.config.safeParse(node.config);
    if (anyUnknown || !parsed.success || hasParamRef(node.config)) {
      ports.set(id, unknown);
      continue;
    }
    const r = await inferNode({ id, at: index.get(id) as number, kind: node.kind, config: node.config, parsed: parsed.data }, kind, incoming as Map<string, Schema[]>, env);
    ports.set(id, r.outputs);
    problems.push(...r.problems);
  }
  return { ports, problems };
}

export interface NodeVerdict {
  outputs: Record<string, Schema | undefined>;
  problems: Problem[];
}

/**
 * One node's output columns and problems from its (known) input columns, through the memo. Shared by the pass over
 * a whole document and by `schemasFor`, which judges the nodes an edit touched from the columns the designer gives.
 */
export async function inferNode(
  node: { id: string; at: number; kind: string; config: Record<string, unknown>; parsed: unknown },
  kind: NodeKind,
  known: Map<string, Schema[]>,
  env: SchemaEnv,
): Promise<NodeVerdict> {
  const unknown = Object.fromEntries(kind.outputs.map((o) => [o.name, undefined]));
  const memoKey =
    kind.inputs.length > 0
      ? `${node.kind}\u0003${kind.version}\u0003${node.id}\u0003${node.at}\u0003${JSON.stringify(node.config)}\u0003${[...known.entries()].map(([port, list]) => `${port}\u0004${list.map(keyOf).join('\u0005')}`).join('\u0006')}`
      : undefined;
  const hit = memoKey !== undefined ? memo.get(memoKey) : undefined;
  if (hit) return hit;
  try {
    const r = await kind.outputSchema({
      nodeId: node.id,
      config: node.parsed as never,
      input: (port) => known.get(port)?.[0] ?? [],
      inputs: (port) => known.get(port) ?? [],
      connected: (port) => known.has(port),
      env,
    });
    const verdict = { outputs: { ...unknown, ...r.outputs }, problems: problemsAt(node.at, node.id, r.problems) };
    if (memoKey !== undefined) {
      memo.set(memoKey, verdict);
      if (memo.size > MEMO_MAX) memo.delete(memo.keys().next().value as string);
    }
    return verdict;
  } catch (e) {
    // A kind's schema code failing is Sluice's bug, not the user's: the node's columns stay unknown.
    if (process.env['SLUICE_DEBUG']) console.error(`outputSchema of ${node.id} failed:`, e);
    return { outputs: unknown, problems: [] };
  }
}
