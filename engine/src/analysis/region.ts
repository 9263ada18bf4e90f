// `schemasFor`: the static pass over only the nodes an edit touched. The designer computes the other nodes itself
// (@sluice/format/schema/local) and sends these with the columns on their inputs, so the engine reads no document,
// checks no file structure and walks no graph: it judges each named node in the order given, through the same
// per-node memo and per-expression describe cache as the pass over a whole document.
import type { RegionNode, SchemasForResult } from '@sluice/format/api/contract';
import { hasParamRef } from '@sluice/format/kinds/kind';
import type { Schema } from '@sluice/format/schema/types';
import { kindOf } from '../nodes/registry.js';
import { publicColumns } from './check.js';
import { engineSchemaEnv } from './env.js';
import { inferNode } from './infer.js';

export async function schemasForNodes(nodes: readonly RegionNode[], o: { baseDir: string; roots?: string[] }): Promise<SchemasForResult> {
  const t0 = performance.now();
  const env = engineSchemaEnv({ baseDir: o.baseDir, roots: o.roots ?? [o.baseDir] });
  const outputs = new Map<string, Record<string, Schema | undefined>>();
  const answer: SchemasForResult['nodes'] = {};
  const unjudged = (why: string): SchemasForResult => ({ nodes: {}, unjudged: why, ms: performance.now() - t0 });
  for (const n of nodes) {
    const kind = kindOf(n.kind);
    // The designer falls back to the whole document, where such a node gets its file-level problem.
    if (!kind) return unjudged(`node "${n.id}" is of an unknown kind`);
    const parsed = kind.config.safeParse(n.config);
    if (!parsed.success) return unjudged(`node "${n.id}" has a config problem`);
    const incoming = new Map<string, (Schema | undefined)[]>();
    for (const [port, list] of Object.entries(n.inputs)) {
      if (!kind.inputs.some((i) => i.name === port)) return unjudged(`node "${n.id}" has no input port "${port}"`);
      const cols: (Schema | undefined)[] = [];
      for (const x of list) {
        if (x === null) cols.push(undefined);
        else if (Array.isArray(x)) cols.push(x);
        else {
          // An earlier node of this request; a reference forward or outside it is the designer's mistake.
          const from = outputs.get(x.node);
          if (!from) return unjudged(`node "${n.id}" reads from "${x.node}", which comes later or is not in the request`);
          cols.push(from[x.port]);
        }
      }
      incoming.set(port, cols);
    }
    const unknown = Object.fromEntries(kind.outputs.map((p) => [p.name, undefined]));
    // As in the pass over a whole document: a node with an input not yet known is judged once it is.
    const anyUnknown = [...incoming.values()].some((l) => l.some((s) => s === undefined));
    const r = anyUnknown || hasParamRef(n.config)
      ? { outputs: unknown, problems: [] }
      : await inferNode({ id: n.id, at: n.at, kind: n.kind, config: n.config, parsed: parsed.data }, kind, incoming as Map<string, Schema[]>, env);
    outputs.set(n.id, r.outputs);
    if (n.reply !== false) answer[n.id] = { outputs: Object.fromEntries(Object.entries(r.outputs).map(([k, s]) => [k, publicColumns(s)])), problems: r.problems };
  }
  return { nodes: answer, ms: performance.now() - t0 };
}
