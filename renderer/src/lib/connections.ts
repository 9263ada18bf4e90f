// Which connections the canvas accepts, and in words why not. React Flow only asks yes or no; the reason
// is what the user sees when a drop is refused, so each rule here names the ports and nodes involved.
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

/** True when `to` already reaches `from`, so an edge from → to would close a loop. */
function reaches(edges: readonly FlowEdge[], start: string, goal: string): boolean {
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (id === goal) return true;
    for (const e of edges) {
      if (e.source === id && !seen.has(e.target)) {
        seen.add(e.target);
        stack.push(e.target);
      }
    }
  }
  return false;
}

/** Undefined when the connection is fine; else a sentence saying why it is refused. */
export function connectionRefusal(c: Attempt, nodes: readonly FlowNode[], edges: readonly FlowEdge[], kinds: KindIndex): string | undefined {
  const from = nodes.find((n) => n.id === c.source);
  const to = nodes.find((n) => n.id === c.target);
  if (!from || !to) return 'Both ends of a connection must be nodes on the canvas.';
  if (!c.sourceHandle || !c.targetHandle) return 'Connect an output port to an input port.';
  if (from.id === to.id) return `${label(from)} cannot feed itself.`;

  const fromKind = kinds[from.data.kind];
  const toKind = kinds[to.data.kind];
  const outputs = fromKind ? fromKind.outputs.map((p) => p.name) : (from.data.unknownPorts?.outputs ?? []);
  if (!outputs.includes(c.sourceHandle)) return `${label(from)} has no output “${c.sourceHandle}”.`;
  if (!toKind) return `${label(to)} is of an unknown kind (“${to.data.kind}”), so its inputs are unknown; remove it or install its kind.`;
  const port = toKind.inputs.find((p) => p.name === c.targetHandle);
  if (!port) {
    const names = toKind.inputs.map((p) => `“${p.title}”`).join(', ');
    return `${label(to)} has no input “${c.targetHandle}”${names ? `; its inputs are ${names}` : '; it takes no input'}.`;
  }
  if (edges.some((e) => e.source === c.source && e.sourceHandle === c.sourceHandle && e.target === c.target && e.targetHandle === c.targetHandle)) {
    return 'These ports are already connected.';
  }
  if (!port.multiple && edges.some((e) => e.target === c.target && e.targetHandle === c.targetHandle)) {
    return `Input “${port.title}” of ${label(to)} already has a connection; remove it first, or combine inputs with a Union node.`;
  }
  if (reaches(edges, to.id, from.id)) return `That would make a loop: ${label(to)} already feeds ${label(from)}.`;
  return undefined;
}
