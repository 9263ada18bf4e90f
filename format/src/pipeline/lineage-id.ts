// A row's lineage id decoded without a run: the source kinds write `<node>:<file>:<line>` (CSV, JSON lines),
// `<node>:<file>:<row>` (Parquet), `<node>:page-<n>:<record>` (REST), `<node>:<file>` (file listings), and the
// aggregate and SQL kinds write `<node>:group:<key>`, `<node>:all`, `<node>:row:<n>`. Shared by the engine's
// `traceRow` and the designer's preview grid, which decodes the ids a preview sends with its rows.
import type { Origin } from '../api/trace-contract.js';
import { reachable, topologicalOrder } from './graph.js';
import type { Pipeline } from './pipeline.js';

export function parseLineage(lineage: string, kindOfNode: (id: string) => string | undefined): Origin {
  const i = lineage.indexOf(':');
  if (i <= 0) return { type: 'unknown', node: '', text: lineage };
  const node = lineage.slice(0, i);
  const rest = lineage.slice(i + 1);
  if (rest === 'all') return { type: 'all', node };
  if (rest.startsWith('group:')) return { type: 'group', node, key: rest.slice('group:'.length) };
  if (rest.startsWith('row:') && /^\d+$/.test(rest.slice(4))) return { type: 'sql-row', node, row: Number(rest.slice(4)) };
  const j = rest.lastIndexOf(':');
  const pos = j >= 0 ? rest.slice(j + 1) : '';
  if (j < 0 || !/^\d+$/.test(pos)) return { type: 'file', node, file: rest };
  const where = rest.slice(0, j);
  const page = /^page-(\d+)$/.exec(where);
  if (page) return { type: 'page', node, page: Number(page[1]), record: Number(pos) };
  // Parquet sources number rows; text sources number lines.
  return kindOfNode(node) === 'source.parquet' ? { type: 'row', node, file: where, row: Number(pos) } : { type: 'line', node, file: where, line: Number(pos) };
}

export interface PassedNode {
  nodeId: string;
  kind: string;
  label?: string;
}

/** Nodes on some path from the origin node to the given node, in graph order, with their labels. */
export function nodesPassed(p: Pick<Pipeline, 'nodes' | 'edges'>, from: string, to: string): PassedNode[] {
  const down = reachable(p, [from], 'down');
  const up = reachable(p, [to], 'up');
  down.add(from);
  up.add(to);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  return topologicalOrder(p)
    .order.filter((id) => down.has(id) && up.has(id))
    .map((id) => {
      const n = byId.get(id);
      return { nodeId: id, kind: n?.kind ?? '', ...(n?.label ? { label: n.label } : {}) };
    });
}
