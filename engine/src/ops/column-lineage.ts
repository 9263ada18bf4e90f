// Column lineage for OpenLineage's columnLineage facet: which source columns each column a sink writes derives
// from, worked out over the graph from the static schema pass (every port's columns, engine/src/analysis) and the
// nodes' configs. What a kind does to columns is known for the kinds that name them (cast converts, select
// renames, derive computes, aggregate and window summarise, join prefixes); every other kind passes columns on by name. Nothing is
// claimed for an SQL node's output (its query can do anything), nor for a column no input has (a validator's
// reasons, say).
import type { Pipeline, PipelineNode } from '@sluice/format/pipeline/pipeline';
import { topologicalOrder } from '@sluice/format/pipeline/graph';
import type { NodeKind } from '../nodes/types.js';

/** How a column came to be, in OpenLineage's words (DIRECT transformations), weakest first. */
const SUBTYPES = ['IDENTITY', 'TRANSFORMATION', 'AGGREGATION'] as const;
export type Subtype = (typeof SUBTYPES)[number];

/** One source column an output column derives from. */
export interface Origin {
  source: string;
  field: string;
  subtype: Subtype;
}

/** node → port → column → its origins. */
export type Origins = Map<string, Map<string, Map<string, Origin[]>>>;

type Ports = Record<string, Record<string, { name: string }[] | null>>;

const stronger = (a: Subtype, b: Subtype): Subtype => (SUBTYPES.indexOf(a) >= SUBTYPES.indexOf(b) ? a : b);

/** `origins` with each subtype raised to at least `to`, without duplicates. */
function as(origins: readonly Origin[], to: Subtype): Origin[] {
  const out = new Map<string, Origin>();
  for (const o of origins) {
    const key = `${o.source}\u0000${o.field}`;
    const sub = stronger(o.subtype, to);
    const had = out.get(key);
    out.set(key, { ...o, subtype: had ? stronger(had.subtype, sub) : sub });
  }
  return [...out.values()];
}

/** Column names an SQL expression mentions (bare or double-quoted), among those the input has. */
export function columnsIn(expression: string, names: Iterable<string>): string[] {
  const found: string[] = [];
  for (const n of names) {
    const bare = new RegExp(`(^|[^A-Za-z0-9_."])${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9_"])`, 'i');
    if (expression.includes(`"${n.replace(/"/g, '""')}"`) || (/^[A-Za-z_][A-Za-z0-9_]*$/.test(n) && bare.test(expression))) found.push(n);
  }
  return found;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : []);

export function columnOrigins(p: Pipeline, ports: Ports, kindOf: (kind: string) => NodeKind | undefined): Origins {
  const out: Origins = new Map();
  const get = (node: string, port: string): Map<string, Origin[]> => out.get(node)?.get(port) ?? new Map<string, Origin[]>();
  for (const id of topologicalOrder(p).order) {
    const n = p.nodes.find((x) => x.id === id) as PipelineNode;
    const k = kindOf(n.kind);
    if (!k) continue;
    const mine = new Map<string, Map<string, Origin[]>>();
    out.set(id, mine);
    // The columns arriving at each input port, by name (several edges into one port: a union of them).
    const inputs = new Map<string, Map<string, Origin[]>>();
    for (const port of k.inputs) {
      const cols = new Map<string, Origin[]>();
      for (const e of p.edges.filter((x) => x.to.node === id && x.to.port === port.name)) {
        for (const [name, o] of get(e.from.node, e.from.port)) cols.set(name, as([...(cols.get(name) ?? []), ...o], 'IDENTITY'));
      }
      inputs.set(port.name, cols);
    }
    // Columns pass on by name from data inputs only: a reference input (a validator's lookup table) is read, not passed.
    const all = new Map<string, Origin[]>();
    for (const port of k.inputs.filter((x) => x.role === 'data')) {
      for (const [name, o] of inputs.get(port.name) ?? []) all.set(name, as([...(all.get(name) ?? []), ...o], 'IDENTITY'));
    }
    const c = n.config;
    for (const port of k.outputs) {
      const cols = ports[id]?.[port.name];
      if (!cols) continue;
      const m = new Map<string, Origin[]>();
      mine.set(port.name, m);
      if (k.category === 'source') {
        for (const col of cols) m.set(col.name, [{ source: id, field: col.name, subtype: 'IDENTITY' }]);
        continue;
      }
      if (n.kind === 'sql') continue;
      const derived = new Map<string, Origin[]>();
      if (n.kind === 'cast') {
        // A typed value is not the text it was read from.
        const types = typeof c['types'] === 'object' && c['types'] !== null ? Object.keys(c['types']) : [];
        for (const name of types) derived.set(name, as(all.get(name) ?? [], 'TRANSFORMATION'));
      } else if (n.kind === 'derive') {
        for (const d of list(c['columns'])) {
          const name = str(d['name']);
          const expr = str(d['expression']) ?? '';
          if (name) derived.set(name, as(columnsIn(expr, all.keys()).flatMap((x) => all.get(x) ?? []), 'TRANSFORMATION'));
        }
      } else if (n.kind === 'select') {
        for (const s of list(c['columns'])) {
          const name = str(s['name']);
          if (name) derived.set(str(s['as']) ?? name, all.get(name) ?? []);
        }
      } else if (n.kind === 'aggregate' || n.kind === 'window') {
        for (const a of list(c['aggregates'])) {
          const name = str(a['as']);
          const col = str(a['column']);
          if (name) derived.set(name, col ? as(all.get(col) ?? [], 'AGGREGATION') : []);
        }
        const time = str(c['timeColumn']);
        if (time) for (const w of ['window_start', 'window_end']) derived.set(w, as(all.get(time) ?? [], 'TRANSFORMATION'));
      } else if (n.kind === 'join') {
        const left = inputs.get('left') ?? new Map<string, Origin[]>();
        const right = inputs.get('right') ?? new Map<string, Origin[]>();
        const prefix = str(c['rightPrefix']) ?? '';
        for (const col of cols) {
          if (left.has(col.name)) continue;
          const r = right.get(col.name) ?? (prefix && col.name.startsWith(prefix) ? right.get(col.name.slice(prefix.length)) : undefined);
          if (r) derived.set(col.name, r);
        }
        for (const [name, o] of left) if (!derived.has(name)) derived.set(name, o);
      }
      for (const col of cols) {
        const o = derived.get(col.name) ?? all.get(col.name);
        if (o && o.length > 0) m.set(col.name, o);
      }
    }
  }
  return out;
}
