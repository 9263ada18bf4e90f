// Where a node lands when it is added without a pointer (click or keyboard in the palette).
import { useStoreApi, type XYPosition } from '@xyflow/react';
import { useCallback } from 'react';
import type { FlowNode } from './graph';

/** Size of a freshly added node before it is measured, used to centre it and to find room for it. */
export const NODE_WIDTH = 208;
export const NODE_HEIGHT_ESTIMATE = 88;
const GRID = 24;
const GAP = 16;
const SEARCH_RADIUS = 24; // grid steps each way

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.w + GAP && b.x < a.x + a.w + GAP && a.y < b.y + b.h + GAP && b.y < a.y + a.h + GAP;
}

/** Grid offsets nearest first, computed once: the search below walks them in order. */
const OFFSETS: readonly XYPosition[] = (() => {
  const out: XYPosition[] = [];
  for (let i = -SEARCH_RADIUS; i <= SEARCH_RADIUS; i++) for (let j = -SEARCH_RADIUS; j <= SEARCH_RADIUS; j++) out.push({ x: i * GRID, y: j * GRID });
  return out.sort((a, b) => a.x * a.x + a.y * a.y - (b.x * b.x + b.y * b.y));
})();

/** The free spot nearest to `centre` for a box of `size` (a node's by default), or `centre` itself if the area is full. */
export function nearestFreeSpot(centre: XYPosition, nodes: readonly FlowNode[], size = { w: NODE_WIDTH, h: NODE_HEIGHT_ESTIMATE }): XYPosition {
  const rects: Rect[] = nodes.map((n) => ({
    x: n.position.x,
    y: n.position.y,
    w: n.measured?.width ?? NODE_WIDTH,
    h: n.measured?.height ?? NODE_HEIGHT_ESTIMATE,
  }));
  const start = { x: centre.x - size.w / 2, y: centre.y - size.h / 2 };
  for (const o of OFFSETS) {
    const r = { x: start.x + o.x, y: start.y + o.y, w: size.w, h: size.h };
    if (!rects.some((other) => overlaps(r, other))) return { x: Math.round(r.x), y: Math.round(r.y) };
  }
  return { x: Math.round(start.x), y: Math.round(start.y) };
}

/** Returns a function giving a free top-left position near the centre of the visible canvas. */
export function useCenterPlacement(): (nodes: readonly FlowNode[]) => XYPosition {
  // Read React Flow's store at call time instead of subscribing: the palette must not re-render on pan/zoom.
  const store = useStoreApi();
  return useCallback(
    (nodes) => {
      const { width, height, transform } = store.getState();
      const [tx, ty, zoom] = transform;
      return nearestFreeSpot({ x: (width / 2 - tx) / zoom, y: (height / 2 - ty) / zoom }, nodes);
    },
    [store],
  );
}

/** The drag payload type; a private MIME type so random text dropped on the canvas is ignored. */
export const DND_KIND_MIME = 'application/x-sluice-kind';
