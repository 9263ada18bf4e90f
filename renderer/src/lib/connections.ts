// Which connections the canvas accepts, and in words why not. React Flow only asks yes or no; the reason
// is what the user sees when a drop is refused, so each rule here names the ports and nodes involved.
import { connectionRefusals, type NodePorts } from '@sluice/format/pipeline/connections';
import type { FlowEdge, FlowNode, KindIndex } from './graph';

export interface Attempt {
  source: string;
  sourceHandle?: string | null | undefined;
  target: string;
  targetHandle?: string | null | undefined;
}

function label(n: FlowNode): string {
  return n.data.label ? `“${n.data.label}”` : `“${n.id}”`;
}

/** Undefined when the connection is fine; else a sentence saying why it is refused (the engine's rule, in the canvas's words). */
export function connectionRefusal(c: Attempt, nodes: readonly FlowNode[], edges: readonly FlowEdge[], kinds: KindIndex): string | undefined {
  const from = nodes.find((n) => n.id === c.source);
  const to = nodes.find((n) => n.id === c.target);
  if (!from || !to) return 'Both ends of a connection must be nodes on the canvas.';
  if (!c.sourceHandle || !c.targetHandle) return 'Connect an output port to an input port.';
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const portsOf = (id: string): NodePorts | undefined => {
    const n = byId.get(id);
    if (!n) return undefined;
    const kind = kinds[n.data.kind];
    return { outputs: kind ? kind.outputs.map((p) => p.name) : (n.data.unknownPorts?.outputs ?? []), inputs: kind?.inputs };
  };
  const existing = edges.map((e) => ({ from: { node: e.source, port: e.sourceHandle ?? '' }, to: { node: e.target, port: e.targetHandle ?? '' } }));
  const [first] = connectionRefusals(existing, { from: { node: c.source, port: c.sourceHandle }, to: { node: c.target, port: c.targetHandle } }, portsOf);
  switch (first?.reason) {
    case undefined:
      return undefined;
    case 'missing-from-node':
    case 'missing-to-node':
      return 'Both ends of a connection must be nodes on the canvas.';
    case 'self':
      return `${label(from)} cannot feed itself.`;
    case 'no-output':
      return `${label(from)} has no output “${c.sourceHandle}”.`;
    case 'unknown-input-kind':
      return `${label(to)} is of an unknown kind (“${to.data.kind}”), so its inputs are unknown; remove it or install its kind.`;
    case 'no-input': {
      const names = first.inputs.map((p) => `“${p.title}”`).join(', ');
      return `${label(to)} has no input “${c.targetHandle}”${names ? `; its inputs are ${names}` : '; it takes no input'}.`;
    }
    case 'duplicate':
      return 'These ports are already connected.';
    case 'occupied':
      return `Input “${first.input.title}” of ${label(to)} already has a connection; remove it first, or combine inputs with a Union node.`;
    case 'loop':
      return `That would make a loop: ${label(to)} already feeds ${label(from)}.`;
  }
}
