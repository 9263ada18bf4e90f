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

/**
 * The edges a graph already has, indexed for the rule's questions. A file's check adds its edges one by one and
 * asks about each (`add`), in time linear in the edges; asking with a plain array of the existing edges scanned
 * them all for every edge, quadratic for a 5,000-node chain.
 */
export class EdgeIndex {
  private readonly keys = new Set<string>();
  private readonly inputs = new Set<string>();
  private readonly next = new Map<string, string[]>();

  constructor(edges: readonly EdgeEnds[] = []) {
    for (const e of edges) this.add(e);
  }

  add(e: EdgeEnds): void {
    this.keys.add(edgeKey(e));
    this.inputs.add(`${e.to.node}\u0000${e.to.port}`);
    const out = this.next.get(e.from.node);
    if (out) out.push(e.to.node);
    else this.next.set(e.from.node, [e.to.node]);
  }

  has(e: EdgeEnds): boolean {
    return this.keys.has(edgeKey(e));
  }

  inputTaken(node: string, port: string): boolean {
    return this.inputs.has(`${node}\u0000${port}`);
  }

  /** Whether `goal` is reachable from `start` along the edges. */
  reaches(start: string, goal: string): boolean {
    const seen = new Set<string>([start]);
    const stack = [start];
    while (stack.length > 0) {
      const id = stack.pop() as string;
      if (id === goal) return true;
      for (const to of this.next.get(id) ?? []) {
        if (!seen.has(to)) {
          seen.add(to);
          stack.push(to);
        }
      }
    }
    return false;
  }
}

function edgeKey(e: EdgeEnds): string {
  return JSON.stringify([e.from.node, e.from.port, e.to.node, e.to.port]);
}

/**
 * Every reason the edge `e` may not join a graph that already has `existing` edges, most basic first; empty when
 * it may. `loops: false` leaves cycles to a whole-graph check (a file reports a cycle once, not per edge).
 */
export function connectionRefusals(existing: readonly EdgeEnds[] | EdgeIndex, e: EdgeEnds, portsOf: (nodeId: string) => NodePorts | undefined, opts: { loops?: boolean } = {}): ConnectionRefusal[] {
  const index = existing instanceof EdgeIndex ? existing : new EdgeIndex(existing);
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
  if (index.has(e)) out.push({ reason: 'duplicate' });
  else if (input && !input.multiple && index.inputTaken(e.to.node, e.to.port)) out.push({ reason: 'occupied', input });
  if (opts.loops !== false && e.from.node !== e.to.node && index.reaches(e.to.node, e.from.node)) out.push({ reason: 'loop' });
  return out;
}
