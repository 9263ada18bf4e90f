// One pass over the graph, in topological order: each node kind states its output ports' columns from its
// inputs' columns and its config, and the problems it can see. Nothing is run; files are touched only for a
// CSV header or a Parquet footer, and DuckDB only to describe expressions and queries over empty inputs.
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import type { Problem } from '@sluice/format/pipeline/problems';
import { topologicalOrder } from '@sluice/format/pipeline/graph';
import type { NodeKind } from '../nodes/types.js';
import type { Schema, SchemaEnv } from '../schema/types.js';

export interface PipelineSchemas {
  /** node id → output port → columns (undefined: not knowable before a run, or upstream of a problem). */
  ports: Map<string, Record<string, Schema | undefined>>;
  problems: Problem[];
}

/** Config values with an unresolved `${param}` are known only at run time. */
function hasParamRef(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('${');
  if (Array.isArray(v)) return v.some(hasParamRef);
  if (v !== null && typeof v === 'object') return Object.values(v).some(hasParamRef);
  return false;
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
    const known = incoming as Map<string, Schema[]>;
    try {
      const r = await kind.outputSchema({
        nodeId: id,
        config: parsed.data,
        input: (port) => known.get(port)?.[0] ?? [],
        inputs: (port) => known.get(port) ?? [],
        connected: (port) => known.has(port),
        env,
      });
      ports.set(id, { ...unknown, ...r.outputs });
      const at = index.get(id) as number;
      for (const pr of r.problems) {
        problems.push({
          path: `nodes[${at}].config${pr.field ? (pr.field.startsWith('[') ? pr.field : `.${pr.field}`) : ''}`,
          nodeId: id,
          ...(pr.field ? { field: pr.field } : {}),
          message: pr.message,
          code: pr.code,
          ...(pr.fix ? { fix: pr.fix } : {}),
        });
      }
    } catch (e) {
      // A kind's schema code failing is Sluice's bug, not the user's: the node's columns stay unknown.
      ports.set(id, unknown);
      if (process.env['SLUICE_DEBUG']) console.error(`outputSchema of ${id} failed:`, e);
    }
  }
  return { ports, problems };
}
