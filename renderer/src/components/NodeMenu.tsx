// A node's context menu (right click, or the Menu key / Shift+F10 on a focused node): run up to here, reset
// its settings, delete it, and connect its ports without a mouse (the port picker lists every connection the
// canvas would accept from or to this node).
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactElement } from 'react';
import { connectionRefusal } from '../lib/connections';
import type { FlowNode } from '../lib/graph';
import { runPipelineNow } from '../state/run';
import { useDesigner } from '../store';

export interface NodeMenuAt {
  nodeId: string;
  /** Where to draw the menu, in the canvas element's coordinates. */
  x: number;
  y: number;
}

interface Option {
  key: string;
  label: string;
  action: () => void;
  testId: string;
}

function nameOf(n: FlowNode): string {
  return n.data.label || n.id;
}

/** Every connection the canvas accepts between this node and another, as menu options. */
function portOptions(nodeId: string): Option[] {
  const { nodes, edges, kinds, connect } = useDesigner.getState();
  const self = nodes.find((n) => n.id === nodeId);
  if (!self) return [];
  const out: Option[] = [];
  const portsOf = (n: FlowNode) => ({ inputs: kinds[n.data.kind]?.inputs ?? [], outputs: kinds[n.data.kind]?.outputs ?? [] });
  const mine = portsOf(self);
  for (const other of nodes) {
    if (other.id === nodeId) continue;
    const theirs = portsOf(other);
    const pairs = [
      ...mine.outputs.flatMap((o) => theirs.inputs.map((i) => ({ source: self, sp: o, target: other, tp: i }))),
      ...theirs.outputs.flatMap((o) => mine.inputs.map((i) => ({ source: other, sp: o, target: self, tp: i }))),
    ];
    for (const p of pairs) {
      const c = { source: p.source.id, sourceHandle: p.sp.name, target: p.target.id, targetHandle: p.tp.name };
      if (connectionRefusal(c, nodes, edges, kinds) !== undefined) continue;
      out.push({
        key: `${c.source}.${c.sourceHandle}>${c.target}.${c.targetHandle}`,
        label: `${nameOf(p.source)} › ${p.sp.title}  →  ${nameOf(p.target)} › ${p.tp.title}`,
        action: () => connect(c),
        testId: `connect-${c.source}.${c.sourceHandle}-${c.target}.${c.targetHandle}`,
      });
    }
  }
  return out;
}

/** The node and everything upstream of it: what "run up to here" runs (nothing downstream is read or written). */
function upstreamOf(nodeId: string): Set<string> {
  const { edges } = useDesigner.getState();
  const keep = new Set([nodeId]);
  const stack = [nodeId];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    for (const e of edges) {
      if (e.target === id && !keep.has(e.source)) {
        keep.add(e.source);
        stack.push(e.source);
      }
    }
  }
  return keep;
}

export function NodeMenu({ at, onClose }: { at: NodeMenuAt; onClose: (refocus: boolean) => void }): ReactElement {
  const [picking, setPicking] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const options = useMemo<Option[]>(
    () =>
      picking
        ? portOptions(at.nodeId)
        : [
            { key: 'connect', label: 'Connect a port…', action: () => setPicking(true), testId: 'node-menu-connect' },
            { key: 'run', label: 'Run up to here', action: () => void runPipelineNow({ upTo: { nodeId: at.nodeId, nodes: upstreamOf(at.nodeId) } }), testId: 'node-menu-run-to' },
            { key: 'reset', label: 'Reset this node’s settings', action: () => useDesigner.getState().resetNode(at.nodeId), testId: 'node-menu-reset' },
            {
              key: 'delete',
              label: 'Delete',
              action: () => {
                useDesigner.getState().selectOnly(at.nodeId);
                useDesigner.getState().deleteSelection();
              },
              testId: 'node-menu-delete',
            },
          ],
    [picking, at.nodeId],
  );

  // Focus the first item whenever the list changes, so arrow keys and Enter work at once.
  useEffect(() => {
    root.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  }, [options]);

  useEffect(() => {
    const away = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) onClose(false);
    };
    window.addEventListener('pointerdown', away);
    return () => window.removeEventListener('pointerdown', away);
  }, [onClose]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const items = [...(root.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const i = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      if (picking) setPicking(false);
      else onClose(true);
    } else if (e.key === 'Tab') {
      e.preventDefault();
      onClose(true);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = items[(i + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length];
      next?.focus();
    }
    e.stopPropagation();
  };

  return (
    <div
      ref={root}
      className="menu__popover node-menu"
      role="menu"
      aria-label={picking ? 'Connect a port' : 'Node actions'}
      style={{ left: at.x, top: at.y }}
      onKeyDown={onKeyDown}
      data-testid="node-menu"
    >
      {picking && <div className="menu__heading">Connect a port</div>}
      {picking && options.length === 0 && <div className="menu__empty">No connection this node can take.</div>}
      {options.map((o) => (
        <button
          key={o.key}
          type="button"
          role="menuitem"
          className="menu__item"
          data-testid={o.testId}
          onClick={() => {
            o.action();
            if (o.key !== 'connect') onClose(true);
          }}
        >
          <span>{o.label}</span>
        </button>
      ))}
    </div>
  );
}
