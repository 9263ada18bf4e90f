// Geometry for big canvases, free of React: which nodes React Flow should draw as DOM for the current view,
// and where Fit View puts a graph whose nodes have not all been measured.
//
// Why: React Flow draws every node that has not been measured yet (to measure it), whatever
// `onlyRenderVisibleElements` says, so a freshly opened 1,000-node pipeline put 1,000 full nodes in the page and
// every pan repainted them. Nodes outside a region around the view are therefore handed to React Flow as
// `hidden` (never drawn, never measured), and the region moves only when the view leaves it.
import { getViewportForBounds, type Rect, type Viewport } from '@xyflow/react';
import type { FlowEdge, FlowNode } from './graph';
import { NODE_HEIGHT_ESTIMATE, NODE_WIDTH } from './placement';

/** From this many nodes on, the canvas culls nodes itself (below it React Flow's own culling is enough). */
export const CULL_MIN_NODES = 120;
/**
 * Below this zoom a big graph is drawn as an overview (one canvas), not as DOM nodes: a node's text is under
 * 6 px there, unreadable as DOM, while the overview writes its label at a legible size where it fits.
 */
export const OVERVIEW_ZOOM = 0.45;
/** Below this zoom a small graph's nodes are drawn as simplified cards (canvas.css, `.is-far`). */
export const FAR_ZOOM = 0.3;

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A node's box in flow coordinates: its measured size, or the estimate used before it was ever drawn. */
export function nodeBox(n: Pick<FlowNode, 'position' | 'measured'>): Box {
  return { x: n.position.x, y: n.position.y, w: n.measured?.width ?? NODE_WIDTH, h: n.measured?.height ?? NODE_HEIGHT_ESTIMATE };
}

export function graphBounds(nodes: readonly Pick<FlowNode, 'position' | 'measured'>[]): Rect | undefined {
  if (nodes.length === 0) return undefined;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const n of nodes) {
    const b = nodeBox(n);
    x0 = Math.min(x0, b.x);
    y0 = Math.min(y0, b.y);
    x1 = Math.max(x1, b.x + b.w);
    y1 = Math.max(y1, b.y + b.h);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

export interface FitOptions {
  /** A share of the pane (0.1) or pixels per side ({ x: '24px', y: '32px' }), as React Flow takes it. */
  padding: Parameters<typeof getViewportForBounds>[5];
  minZoom: number;
  maxZoom: number;
}

/** The viewport that shows every node in a pane of `width` × `height` pixels. */
export function fitViewport(nodes: readonly FlowNode[], width: number, height: number, fit: FitOptions): Viewport | undefined {
  const bounds = graphBounds(nodes);
  if (!bounds || width <= 0 || height <= 0) return undefined;
  return getViewportForBounds(bounds, width, height, fit.minZoom, fit.maxZoom, fit.padding);
}

/** What a pane of `width` × `height` pixels shows at `viewport`, in flow coordinates. */
export function visibleRect(viewport: Viewport, width: number, height: number): Box {
  return { x: -viewport.x / viewport.zoom, y: -viewport.y / viewport.zoom, w: width / viewport.zoom, h: height / viewport.zoom };
}

/**
 * The part of the flow whose nodes are drawn as DOM: the visible rectangle grown by a quarter of its size on
 * each side, so that panning within it changes nothing (more margin means more nodes mounted at once when the
 * region moves, which is what a pan pays for). `far`: the view is an overview, no node is drawn as DOM.
 */
export interface Region {
  far: boolean;
  box: Box;
}

export function regionFor(viewport: Viewport, width: number, height: number): Region {
  const v = visibleRect(viewport, width, height);
  return { far: viewport.zoom < OVERVIEW_ZOOM, box: { x: v.x - v.w / 4, y: v.y - v.h / 4, w: v.w * 1.5, h: v.h * 1.5 } };
}

function inside(inner: Box, outer: Box): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w && inner.y + inner.h <= outer.y + outer.h;
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** Whether the view at `viewport` still lies in `region` (and on the same side of the overview zoom). */
export function regionHolds(region: Region | undefined, viewport: Viewport, width: number, height: number): boolean {
  if (!region) return false;
  const far = viewport.zoom < OVERVIEW_ZOOM;
  if (far !== region.far) return false;
  return far || inside(visibleRect(viewport, width, height), region.box);
}

/**
 * The ids of the nodes to draw as DOM in `region`: those overlapping it, plus their direct neighbours (so an
 * edge leaving the region still has both ends drawn), plus the selected nodes (so the selection keeps its
 * keyboard focus and its handles).
 */
export function liveNodeIds(nodes: readonly FlowNode[], edges: readonly FlowEdge[], region: Region): Set<string> {
  const live = new Set<string>();
  for (const n of nodes) if (n.selected || n.dragging || (!region.far && overlaps(nodeBox(n), region.box))) live.add(n.id);
  if (region.far) return live;
  const inRegion = new Set(live);
  for (const e of edges) {
    if (inRegion.has(e.source)) live.add(e.target);
    if (inRegion.has(e.target)) live.add(e.source);
  }
  return live;
}

/** Hidden stand-ins, one per node object, so an unchanged node keeps its identity (React Flow skips it). */
const hiddenCopies = new WeakMap<FlowNode, FlowNode>();

function hiddenCopy(n: FlowNode): FlowNode {
  let copy = hiddenCopies.get(n);
  if (!copy) {
    // The estimated size lets Fit View (includeHiddenNodes) count a node that was never drawn.
    copy = { ...n, hidden: true, ...(n.measured?.width === undefined ? { initialWidth: NODE_WIDTH, initialHeight: NODE_HEIGHT_ESTIMATE } : {}) };
    hiddenCopies.set(n, copy);
  }
  return copy;
}

/** The nodes as React Flow should get them: the document's nodes, those outside `live` hidden. */
export function cullNodes(nodes: readonly FlowNode[], live: ReadonlySet<string>): FlowNode[] {
  return nodes.map((n) => (live.has(n.id) ? n : hiddenCopy(n)));
}
