// Canvas-drawn views of a big graph: the overview that replaces DOM nodes below the overview zoom, and the
// minimap used when the canvas culls nodes itself (React Flow's own minimap only shows nodes it draws).
// One <canvas> repainted per view change costs a few milliseconds for 1,000 nodes; 1,000 DOM nodes with
// ports, borders and text cost most of a frame to paint on every pan in software rendering.
import { useReactFlow, useStore, type ReactFlowState, type Viewport } from '@xyflow/react';
import { useCallback, useLayoutEffect, useMemo, useRef, type PointerEvent as ReactPointerEvent, type ReactElement } from 'react';
import type { Group } from '@sluice/format/pipeline/pipeline';
import type { FlowEdge, FlowNode, KindIndex } from '../lib/graph';
import { graphBounds, nodeBox, visibleRect } from '../lib/viewport';
import { useChecks } from '../state/checks';
import { useRun } from '../state/run';
import { useDesigner } from '../store';
import { GROUP_PAD, GROUP_TITLE } from './Annotations';

interface Palette {
  cat: Record<string, string>;
  unknown: string;
  panel: string;
  text: string;
  danger: string;
  accent: string;
  edge: string;
  quarantineEdge: string;
  mask: string;
  groupBorder: string;
}

/** The theme's colours as the canvas needs them (CSS variables resolved on `el`). */
function readPalette(el: Element): Palette {
  const css = getComputedStyle(el);
  const v = (name: string, dflt: string) => css.getPropertyValue(name).trim() || dflt;
  return {
    cat: { source: v('--cat-source', '#2563eb'), transform: v('--cat-transform', '#7c3aed'), quality: v('--cat-quality', '#d97706'), sink: v('--cat-sink', '#059669') },
    unknown: v('--text-subtle', '#71717a'),
    panel: v('--bg-panel', '#ffffff'),
    text: v('--text', '#18181b'),
    danger: v('--danger', '#b91c1c'),
    accent: v('--accent', '#4f46e5'),
    edge: v('--text-subtle', '#71717a'),
    quarantineEdge: v('--danger', '#b91c1c'),
    mask: v('--text-subtle', '#71717a'),
    groupBorder: v('--border-strong', '#a1a1aa'),
  };
}

const selectView = (s: ReactFlowState) => ({ x: s.transform[0], y: s.transform[1], zoom: s.transform[2], width: s.width, height: s.height });
const sameView = (a: ReturnType<typeof selectView>, b: ReturnType<typeof selectView>) =>
  a.x === b.x && a.y === b.y && a.zoom === b.zoom && a.width === b.width && a.height === b.height;

/** Sizes a canvas to `width` × `height` CSS pixels at the screen's density; returns its context, scaled. */
function prepare(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D | null {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(width * dpr));
  const h = Math.max(1, Math.round(height * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return ctx;
}

interface DrawInput {
  nodes: readonly FlowNode[];
  edges: readonly FlowEdge[];
  kinds: KindIndex;
  palette: Palette;
  /** Nodes with a problem or a failed run: drawn in the danger colour. */
  bad: ReadonlySet<string>;
  labels: boolean;
  /** Node groups: frames under the nodes, titles readable at any zoom. */
  groups: readonly Group[];
}

/** Measured text widths by font size and text: a graph repeats a few titles, so a pan measures nothing new. */
const widths = new Map<string, number>();

function measured(ctx: CanvasRenderingContext2D, text: string, fontPx: number): number {
  const key = `${fontPx}|${text}`;
  let w = widths.get(key);
  if (w === undefined) {
    if (widths.size > 5000) widths.clear();
    w = ctx.measureText(text).width;
    widths.set(key, w);
  }
  return w;
}

/** `title`, cut with an ellipsis where it does not fit in `room` pixels. */
function fitted(ctx: CanvasRenderingContext2D, title: string, room: number, fontPx: number): string {
  if (measured(ctx, title, fontPx) <= room) return title;
  for (let n = title.length - 1; n > 1; n--) {
    const cut = `${title.slice(0, n).trimEnd()}…`;
    if (measured(ctx, cut, fontPx) <= room) return cut;
  }
  return title.slice(0, 1);
}

type Box = { x: number; y: number; w: number; h: number };

/**
 * Group frames around their nodes' boxes (screen pixels), padded as the canvas draws them (Annotations.tsx),
 * with the title above in a fixed 12 px: the overview is where a big graph's groups say what is where. Returns
 * the frames drawn on the pane, for their titles to be drawn over the nodes (groupTitles).
 */
function drawGroups(ctx: CanvasRenderingContext2D, groups: readonly Group[], boxes: ReadonlyMap<string, Box>, palette: Palette, z: number, width: number, height: number): { frame: Box; title: string }[] {
  const drawn: { frame: Box; title: string }[] = [];
  for (const g of groups) {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const id of g.nodes) {
      const b = boxes.get(id);
      if (!b) continue;
      x0 = Math.min(x0, b.x);
      y0 = Math.min(y0, b.y);
      x1 = Math.max(x1, b.x + b.w);
      y1 = Math.max(y1, b.y + b.h);
    }
    if (x0 === Infinity) continue;
    const f = { x: x0 - GROUP_PAD * z, y: y0 - (GROUP_PAD + GROUP_TITLE) * z, w: x1 - x0 + 2 * GROUP_PAD * z, h: y1 - y0 + (2 * GROUP_PAD + GROUP_TITLE) * z };
    if (f.x + f.w < 0 || f.x > width || f.y + f.h < 0 || f.y > height) continue;
    drawn.push({ frame: f, title: g.title || 'Untitled group' });
    ctx.globalAlpha = 0.07;
    ctx.fillStyle = palette.accent;
    ctx.fillRect(f.x, f.y, f.w, f.h);
    ctx.globalAlpha = 1;
    ctx.setLineDash([4, 3]);
    ctx.strokeStyle = palette.groupBorder;
    ctx.lineWidth = 1.25;
    ctx.strokeRect(f.x, f.y, f.w, f.h);
    ctx.setLineDash([]);
  }
  return drawn;
}

/** Each group's title on a chip of the panel's colour over its frame's top edge, drawn last so nodes do not hide it. */
function groupTitles(ctx: CanvasRenderingContext2D, frames: readonly { frame: Box; title: string }[], palette: Palette): void {
  const fontPx = 12;
  ctx.font = `600 ${fontPx}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  for (const { frame: f, title } of frames) {
    const room = Math.max(40, Math.min(f.w, 320));
    const text = fitted(ctx, title, room - 12, fontPx);
    const tw = measured(ctx, text, fontPx) + 12;
    const ty = Math.max(f.y - fontPx / 2 - 3, 0);
    ctx.fillStyle = palette.panel;
    ctx.fillRect(f.x, ty, tw, fontPx + 6);
    ctx.strokeStyle = palette.groupBorder;
    ctx.lineWidth = 1;
    ctx.strokeRect(f.x, ty, tw, fontPx + 6);
    ctx.fillStyle = palette.text;
    ctx.fillText(text, f.x + 6, ty + (fontPx + 6) / 2);
  }
}

/** Draws groups, nodes (and, with `edges`, the connections) at `view`; returns how many nodes were fully in the pane and how many groups were drawn. */
function drawGraph(ctx: CanvasRenderingContext2D, input: DrawInput, view: Viewport, width: number, height: number, withEdges: boolean): { inside: number; groups: number } {
  const { nodes, kinds, palette, bad } = input;
  const z = view.zoom;
  const boxes = new Map<string, { x: number; y: number; w: number; h: number }>();
  for (const n of nodes) {
    const b = nodeBox(n);
    boxes.set(n.id, { x: b.x * z + view.x, y: b.y * z + view.y, w: b.w * z, h: b.h * z });
  }
  const frames = drawGroups(ctx, input.groups, boxes, palette, z, width, height);
  if (withEdges) {
    // One path per colour: thousands of curves stroke in one call.
    for (const quarantine of [false, true]) {
      ctx.beginPath();
      for (const e of input.edges) {
        if ((e.data?.role === 'quarantine') !== quarantine) continue;
        const a = boxes.get(e.source);
        const b = boxes.get(e.target);
        if (!a || !b) continue;
        const x0 = a.x + a.w;
        const y0 = a.y + a.h / 2;
        const x1 = b.x;
        const y1 = b.y + b.h / 2;
        if (Math.max(x0, x1) < 0 || Math.min(x0, x1) > width || Math.max(y0, y1) < 0 || Math.min(y0, y1) > height) continue;
        const dx = Math.max(Math.abs(x1 - x0) / 2, 10 * z);
        ctx.moveTo(x0, y0);
        ctx.bezierCurveTo(x0 + dx, y0, x1 - dx, y1, x1, y1);
      }
      ctx.strokeStyle = quarantine ? palette.quarantineEdge : palette.edge;
      ctx.lineWidth = Math.max(0.75, Math.min(2, 1.5 * z * 3));
      ctx.globalAlpha = 0.7;
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
  }
  let inside = 0;
  const fontPx = Math.round(Math.max(10, Math.min(13, 40 * z)));
  ctx.font = `600 ${fontPx}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  for (const n of nodes) {
    const b = boxes.get(n.id);
    if (!b) continue;
    if (b.x >= 0 && b.y >= 0 && b.x + b.w <= width && b.y + b.h <= height) inside++;
    if (b.x + b.w < 0 || b.x > width || b.y + b.h < 0 || b.y > height) continue;
    const category = kinds[n.data.kind]?.category;
    const color = category ? (palette.cat[category] ?? palette.unknown) : palette.unknown;
    const isBad = bad.has(n.id);
    ctx.fillStyle = palette.panel;
    ctx.fillRect(b.x, b.y, b.w, b.h);
    ctx.globalAlpha = 0.28;
    ctx.fillStyle = isBad ? palette.danger : color;
    ctx.fillRect(b.x, b.y, b.w, b.h);
    ctx.globalAlpha = 1;
    // The category's colour as a bar on the left, as the full node shows it.
    ctx.fillStyle = color;
    ctx.fillRect(b.x, b.y, Math.max(2, b.w * 0.06), b.h);
    if (n.selected || isBad) {
      ctx.strokeStyle = n.selected ? palette.accent : palette.danger;
      ctx.lineWidth = 2;
      ctx.strokeRect(b.x - 1, b.y - 1, b.w + 2, b.h + 2);
    }
    // A label only where it fits readably; below that the colours and the shape carry the overview.
    if (input.labels && b.w >= 56 && b.h >= fontPx + 2) {
      const title = n.data.label || kinds[n.data.kind]?.title || n.data.kind;
      const room = b.w - b.w * 0.06 - 8;
      ctx.fillStyle = palette.text;
      ctx.fillText(fitted(ctx, title, room, fontPx), b.x + b.w * 0.06 + 4, b.y + b.h / 2, room);
    }
  }
  if (input.labels) groupTitles(ctx, frames, palette);
  return { inside, groups: frames.length };
}

const NO_GROUPS: readonly Group[] = [];

/** Nodes to draw in the danger colour: a problem from the checks, or a failure in the last run. */
function useBadNodes(): ReadonlySet<string> {
  const placed = useChecks((s) => s.placed);
  const metrics = useRun((s) => s.metrics);
  return useMemo(() => {
    const bad = new Set<string>();
    for (const [id, p] of placed.byNode) if (p.total > 0) bad.add(id);
    for (const [id, m] of metrics) if (m.status === 'failed') bad.add(id);
    return bad;
  }, [placed, metrics]);
}

/**
 * The theme's colours, read where the draw happens. The page's theme attribute is set by App in an effect,
 * which runs after this component's effects, so it is brought up to date first (setting it is idempotent).
 */
function themePalette(theme: string): Palette {
  const root = document.documentElement;
  if (root.dataset.theme !== theme) root.dataset.theme = theme;
  return readPalette(root);
}

/**
 * The whole graph drawn on one canvas, under React Flow's layer, while the view is zoomed out past the
 * overview zoom. `data-nodes` / `data-inside` say how many nodes it drew and how many lie wholly in the pane.
 */
export function OverviewLayer({ nodes, edges }: { nodes: readonly FlowNode[]; edges: readonly FlowEdge[] }): ReactElement {
  const ref = useRef<HTMLCanvasElement>(null);
  const view = useStore(selectView, sameView);
  const kinds = useDesigner((s) => s.kinds);
  const theme = useDesigner((s) => s.theme);
  const palette = useMemo(() => themePalette(theme), [theme]);
  const bad = useBadNodes();
  const groups = useDesigner((s) => s.meta.annotations?.groups ?? NO_GROUPS);
  useLayoutEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const ctx = prepare(canvas, view.width, view.height);
    if (!ctx) return;
    // Written straight to the element: a test reads it, and a re-render per frame would be wasted work.
    const drawn = drawGraph(ctx, { nodes, edges, kinds, palette, bad, labels: true, groups }, view, view.width, view.height, true);
    canvas.dataset.inside = String(drawn.inside);
    canvas.dataset.groups = String(drawn.groups);
  }, [nodes, edges, kinds, palette, bad, view, groups]);
  return (
    <canvas
      ref={ref}
      className="canvas-overview"
      data-testid="canvas-overview"
      data-nodes={nodes.length}
      style={{ width: view.width, height: view.height }}
      aria-hidden="true"
    />
  );
}

const MINI = { width: 150, height: 96 } as const;

/**
 * A minimap over every node of the document (React Flow's would show only the nodes it draws): the graph
 * and the visible rectangle; pressing or dragging on it moves the view there.
 */
export function CanvasMiniMap({ nodes }: { nodes: readonly FlowNode[] }): ReactElement {
  const ref = useRef<HTMLCanvasElement>(null);
  const view = useStore(selectView, sameView);
  const kinds = useDesigner((s) => s.kinds);
  const theme = useDesigner((s) => s.theme);
  const palette = useMemo(() => themePalette(theme), [theme]);
  const bad = useBadNodes();
  const groups = useDesigner((s) => s.meta.annotations?.groups ?? NO_GROUPS);
  const { setViewport } = useReactFlow();
  // The minimap's own scale: the graph and the visible rectangle together, fitted into its box.
  const frame = useRef<Viewport>({ x: 0, y: 0, zoom: 1 });
  useLayoutEffect(() => {
    const canvas = ref.current;
    const graph = graphBounds(nodes);
    if (!canvas || !graph) return;
    const v = visibleRect(view, view.width, view.height);
    const x0 = Math.min(graph.x, v.x);
    const y0 = Math.min(graph.y, v.y);
    const x1 = Math.max(graph.x + graph.width, v.x + v.w);
    const y1 = Math.max(graph.y + graph.height, v.y + v.h);
    const zoom = Math.min((MINI.width - 8) / (x1 - x0), (MINI.height - 8) / (y1 - y0));
    const mini: Viewport = { zoom, x: (MINI.width - (x1 - x0) * zoom) / 2 - x0 * zoom, y: (MINI.height - (y1 - y0) * zoom) / 2 - y0 * zoom };
    frame.current = mini;
    const ctx = prepare(canvas, MINI.width, MINI.height);
    if (!ctx) return;
    drawGraph(ctx, { nodes, edges: [], kinds, palette, bad, labels: false, groups }, mini, MINI.width, MINI.height, false);
    ctx.strokeStyle = palette.accent;
    ctx.lineWidth = 1.5;
    ctx.strokeRect(v.x * zoom + mini.x, v.y * zoom + mini.y, v.w * zoom, v.h * zoom);
  }, [nodes, kinds, palette, bad, view, groups]);

  const dragging = useRef(false);
  const centreAt = useCallback(
    (e: ReactPointerEvent<HTMLCanvasElement>) => {
      const box = e.currentTarget.getBoundingClientRect();
      const mini = frame.current;
      const fx = (e.clientX - box.left - mini.x) / mini.zoom;
      const fy = (e.clientY - box.top - mini.y) / mini.zoom;
      void setViewport({ zoom: view.zoom, x: view.width / 2 - fx * view.zoom, y: view.height / 2 - fy * view.zoom });
    },
    [setViewport, view],
  );
  return (
    <div className="react-flow__panel bottom right canvas-minimap" data-testid="canvas-minimap">
      <canvas
        ref={ref}
        role="img"
        aria-label="Pipeline overview"
        style={{ width: MINI.width, height: MINI.height }}
        onPointerDown={(e) => {
          dragging.current = true;
          e.currentTarget.setPointerCapture(e.pointerId);
          centreAt(e);
        }}
        onPointerMove={(e) => {
          if (dragging.current) centreAt(e);
        }}
        onPointerUp={() => {
          dragging.current = false;
        }}
      />
    </div>
  );
}
