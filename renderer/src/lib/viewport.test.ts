import { describe, expect, it } from 'vitest';
import type { FlowEdge, FlowNode } from './graph';
import { cullNodes, fitViewport, liveNodeIds, regionFor, regionHolds, visibleRect } from './viewport';

const node = (id: string, x: number, y: number, extra: Partial<FlowNode> = {}): FlowNode => ({ id, type: 'pipeline', position: { x, y }, data: { kind: 'filter', config: {} }, ...extra });
const edge = (source: string, target: string): FlowEdge => ({ id: `${source}->${target}`, source, target, sourceHandle: 'out', targetHandle: 'in' });

describe('big-canvas geometry', () => {
  // 40 × 25 nodes on a 280 × 150 grid: 1,000 nodes.
  const nodes = Array.from({ length: 1000 }, (_, i) => node(`n${i}`, (i % 40) * 280, Math.floor(i / 40) * 150));

  it('fits every node into the pane, unmeasured nodes counted at their estimated size', () => {
    const vp = fitViewport(nodes, 900, 600, { padding: 0.1, minZoom: 0.02, maxZoom: 1 })!;
    const v = visibleRect(vp, 900, 600);
    for (const n of nodes) {
      expect(n.position.x).toBeGreaterThanOrEqual(v.x);
      expect(n.position.y).toBeGreaterThanOrEqual(v.y);
      expect(n.position.x + 208).toBeLessThanOrEqual(v.x + v.w + 1e-6);
      expect(n.position.y + 88).toBeLessThanOrEqual(v.y + v.h + 1e-6);
    }
    expect(fitViewport([], 900, 600, { padding: 0.1, minZoom: 0.02, maxZoom: 1 })).toBeUndefined();
  });

  it('draws no node as DOM in the overview but the selected one, and only those around the view when zoomed in', () => {
    const selected = nodes.map((n) => (n.id === 'n999' ? { ...n, selected: true } : n));
    const far = regionFor({ x: 0, y: 0, zoom: 0.05 }, 900, 600);
    expect([...liveNodeIds(selected, [], far)]).toEqual(['n999']);
    const near = regionFor({ x: 0, y: 0, zoom: 1 }, 900, 600);
    const live = liveNodeIds(nodes, [edge('n0', 'n39'), edge('n500', 'n501')], near);
    // The region is the view grown by a quarter of its size each way: columns 0–4 (of 280 px) and rows 0–5 (of 150 px).
    expect(live.has('n0')).toBe(true);
    expect(live.has('n39')).toBe(true); // far away, but an edge from a node in the region ends there
    expect(live.has('n500')).toBe(false);
    expect(live.size).toBeLessThan(40);
  });

  it('keeps the region while the view stays inside it, and leaves it when the view moves out or crosses the overview zoom', () => {
    const r = regionFor({ x: 0, y: 0, zoom: 1 }, 900, 600);
    expect(regionHolds(r, { x: -200, y: -100, zoom: 1 }, 900, 600)).toBe(true);
    expect(regionHolds(r, { x: -2000, y: 0, zoom: 1 }, 900, 600)).toBe(false);
    expect(regionHolds(r, { x: 0, y: 0, zoom: 0.2 }, 900, 600)).toBe(false);
    expect(regionHolds(undefined, { x: 0, y: 0, zoom: 1 }, 900, 600)).toBe(false);
  });

  it('hands React Flow the same hidden stand-in for an unchanged node, so it is skipped', () => {
    const a = cullNodes(nodes, new Set(['n0']));
    const b = cullNodes(nodes, new Set(['n1']));
    expect(a[0]).toBe(nodes[0]);
    expect(a[0]?.hidden).toBeUndefined();
    expect(b[0]?.hidden).toBe(true);
    expect(a[2]).toBe(b[2]);
    expect(a[2]).toMatchObject({ hidden: true, initialWidth: 208 });
  });
});
