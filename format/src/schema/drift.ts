// Schema drift per edge after a run: the columns each edge actually carried compared with the accepted schema
// (the static pass over the file's declared types, before the run read anything). Pure, so the engine writes it
// into the manifest and the designer can word it the same way.
import type { EdgeDrift } from '../api/contract.js';

interface Edge {
  from: { node: string; port: string };
  to: { node: string; port: string };
}
type Columns = readonly { name: string; type: string }[];

/**
 * Edges whose actual columns differ from the accepted ones: added (with their type), removed, retyped. Edges
 * whose accepted or actual columns are not known (a REST source, a node that did not run) are left out.
 */
export function edgeDrift(edges: readonly Edge[], accepted: (node: string, port: string) => Columns | undefined, actual: (node: string, port: string) => Columns | undefined): EdgeDrift[] {
  const out: EdgeDrift[] = [];
  for (const e of edges) {
    const was = accepted(e.from.node, e.from.port);
    const is = actual(e.from.node, e.from.port);
    if (!was || !is) continue;
    const before = new Map(was.map((c) => [c.name, c.type]));
    const now = new Map(is.map((c) => [c.name, c.type]));
    const added = is.filter((c) => !before.has(c.name)).map((c) => ({ name: c.name, type: c.type }));
    const removed = was.filter((c) => !now.has(c.name)).map((c) => c.name);
    const retyped = is.filter((c) => before.has(c.name) && before.get(c.name) !== c.type).map((c) => ({ name: c.name, from: before.get(c.name) as string, to: c.type }));
    if (added.length + removed.length + retyped.length > 0) out.push({ from: e.from, to: e.to, added, removed, retyped });
  }
  return out;
}

/** One line for a tooltip or a run report: "added x (VARCHAR); removed y; retyped z BIGINT → VARCHAR". */
export function describeDrift(d: Pick<EdgeDrift, 'added' | 'removed' | 'retyped'>): string {
  const parts: string[] = [];
  if (d.added.length) parts.push(`added ${d.added.map((c) => `${c.name} (${c.type})`).join(', ')}`);
  if (d.removed.length) parts.push(`removed ${d.removed.join(', ')}`);
  if (d.retyped.length) parts.push(`retyped ${d.retyped.map((c) => `${c.name} ${c.from} → ${c.to}`).join(', ')}`);
  return parts.join('; ');
}
