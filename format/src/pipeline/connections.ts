// Whether an edge may connect two ports: the one rule, used when a pipeline file is checked (format/load.ts) and
// when the designer's canvas is asked to accept a drop (renderer/src/lib/connections.ts). It answers with
// structured reasons; each side words them for its reader. Pure, shared with the renderer.
import type { PortSpec } from '../api/contract.js';

export interface EdgeEnds {
  from: { node: string; port: string };
  to: { node: string; port: string };
}

/** What the rule knows about a node's ports; `undefined` lists mean the node's kind is unknown. */
export interface NodePorts {
  outputs: readonly string[] | undefined;
  inputs: readonly Pick<PortSpec, 'name' | 'title' | 'multiple'>[] | undefined;
}

export type ConnectionRefusal =
  | { reason: 'missing-from-node' }
  | { reason: 'missing-to-node' }
  | { reason: 'self' }
  | { reason: 'no-output'; outputs: readonly string[] }
  | { reason: 'unknown-input-kind' }
  | { reason: 'no-input'; inputs: readonly Pick<PortSpec, 'name' | 'title'>[] }
  | { reason: 'duplicate' }
  | { reason: 'occupied'; input: Pick<PortSpec, 'name' | 'title'> }
  | { reason: 'loop' };

/** Whether `goal` is reachable from `start` along the edges. */
function reaches(edges: readonly EdgeEnds[], start: string, goal: string): boolean {
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (id === goal) return true;
    for (const e of edges) {
      if (e.from.node === id && !seen.has(e.to.node)) {
        seen.add(e.to.node);
        stack.push(e.to.node);
      }
    }
  }
  return false;
}

/**
 * Every reason the edge `e` may not join a graph that already has `existing` edges, most basic first; empty when
 * it may. `loops: false` leaves cycles to a whole-graph check (a file reports a cycle once, not per edge).
 */
export function connectionRefusals(existing: readonly EdgeEnds[], e: EdgeEnds, portsOf: (nodeId: string) => NodePorts | undefined, opts: { loops?: boolean } = {}): ConnectionRefusal[] {
  const out: ConnectionRefusal[] = [];
  const from = portsOf(e.from.node);
  const to = portsOf(e.to.node);
  if (!from) out.push({ reason: 'missing-from-node' });
  if (!to) out.push({ reason: 'missing-to-node' });
  if (e.from.node === e.to.node) out.push({ reason: 'self' });
  if (!from || !to) return out;
  if (from.outputs && !from.outputs.includes(e.from.port)) out.push({ reason: 'no-output', outputs: from.outputs });
  if (!to.inputs) out.push({ reason: 'unknown-input-kind' });
  const input = to.inputs?.find((p) => p.name === e.to.port);
  if (to.inputs && !input) out.push({ reason: 'no-input', inputs: to.inputs });
  if (existing.some((x) => x.from.node === e.from.node && x.from.port === e.from.port && x.to.node === e.to.node && x.to.port === e.to.port)) out.push({ reason: 'duplicate' });
  else if (input && !input.multiple && existing.some((x) => x.to.node === e.to.node && x.to.port === e.to.port)) out.push({ reason: 'occupied', input });
  if (opts.loops !== false && e.from.node !== e.to.node && reaches(existing, e.to.node, e.from.node)) out.push({ reason: 'loop' });
  return out;
}
