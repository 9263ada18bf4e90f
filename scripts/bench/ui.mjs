// UI measurements of the designer in Chromium (Playwright) against `sluice serve`:
// - for a 300-node and a 1,000-node pipeline: time to open it (double-click in the Open dialog to nodes drawn),
//   how many node elements stay in the DOM, and pan/zoom frame times: requestAnimationFrame intervals while the canvas is dragged and
//   wheel-zoomed for a few seconds; median / p95 / max and dropped frames (an interval longer than 1.5 frames
//   counts the frames it skipped);
// - time to first preview rows for a node over the big orders source: from the click that selects the node to
//   the engine's preview answer, and to the first row rendered in the preview grid.
// Figures are printed, never asserted.
/* global window, requestAnimationFrame -- the functions given to page.evaluate run in the browser */
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const DEBIAN_CHROMIUM = '/usr/bin/chromium';
const KINDS = [
  ['cast', { types: { quantity: 'INTEGER' } }],
  ['validate', { rules: [{ id: 'quantity_positive', type: 'range', column: 'quantity', min: 1 }] }],
  ['derive', { columns: [{ name: 'amount', expression: 'quantity * 2' }] }],
  ['filter', { expression: "status <> 'cancelled'" }],
  ['select', { columns: ['order_id', 'quantity', 'amount'] }],
  ['sort', { by: [{ column: 'order_id' }] }],
  ['limit', { count: 100 }],
  ['deduplicate', { keys: ['order_id'] }],
];

/** 30 chains of 10 nodes (a source, eight transforms, a sink), laid out in rows: 300 nodes, 270 edges. */
export function bigPipeline(chains = 30, perChain = 10) {
  const nodes = [];
  const edges = [];
  for (let c = 0; c < chains; c++) {
    let prev;
    for (let i = 0; i < perChain; i++) {
      const id = `c${c}_n${i}`;
      const last = i === perChain - 1;
      const [kind, config] = i === 0 ? ['source.csv', { path: 'orders.csv' }] : last ? ['sink.csv', { path: `out/c${c}.csv` }] : KINDS[(i - 1) % KINDS.length];
      nodes.push({ id, kind, config, position: { x: i * 280, y: c * 150 } });
      if (prev) edges.push({ from: { node: prev.id, port: prev.kind === 'validate' ? 'valid' : 'out' }, to: { node: id, port: 'in' } });
      prev = { id, kind };
    }
  }
  return { version: 1, name: `Benchmark: ${nodes.length} nodes`, nodes, edges };
}

function previewPipeline() {
  return {
    version: 1,
    name: 'Benchmark: preview over the big source',
    nodes: [
      { id: 'orders', kind: 'source.csv', config: { path: 'orders.csv', types: { quantity: 'INTEGER', unit_price: 'DECIMAL(10,2)' } }, position: { x: 0, y: 0 } },
      { id: 'rules', kind: 'validate', config: { rules: [{ id: 'quantity_positive', type: 'range', column: 'quantity', min: 1 }] }, position: { x: 320, y: 0 } },
    ],
    edges: [{ from: { node: 'orders', port: 'out' }, to: { node: 'rules', port: 'in' } }],
  };
}

export function startServer(root, workspace) {
  const child = spawn(process.execPath, [path.join(root, 'engine', 'bin', 'sluice.js'), 'serve', '--port', '0', '--no-open', '--workspace', workspace], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`sluice serve printed no link:\n${out}`)), 30_000);
    child.stdout.on('data', (b) => {
      out += b.toString();
      const m = /Sluice designer: (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ link: m[1], child });
      }
    });
    child.on('exit', (code) => reject(new Error(`sluice serve exited (${code}):\n${out}`)));
  });
}

/** Frame period of a 60 Hz display, which headless Chromium also paces its frames to. */
const FRAME_MS = 1000 / 60;

function stats(intervals) {
  const sorted = [...intervals].sort((a, b) => a - b);
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  // An interval of k frame periods means k - 1 frames were not drawn.
  const dropped = intervals.reduce((n, x) => n + (x > 1.5 * FRAME_MS ? Math.round(x / FRAME_MS) - 1 : 0), 0);
  return { frames: intervals.length, median: q(0.5), p95: q(0.95), max: sorted[sorted.length - 1], dropped };
}

/** Frame intervals while nothing happens: what this machine's browser gives before any work. */
async function idleFrames(page, ms) {
  const frames = await page.evaluate(
    (ms) =>
      new Promise((resolve) => {
        const out = [];
        let last = performance.now();
        const end = last + ms;
        const tick = (t) => {
          out.push(t - last);
          last = t;
          if (t < end) requestAnimationFrame(tick);
          else resolve(out.slice(1));
        };
        requestAnimationFrame(tick);
      }),
    ms,
  );
  return stats(frames);
}

/** Opens a workspace file; resolves with the ms from the double-click to the first frame showing its nodes. */
export async function openFromWorkspace(page, file, lastNodeId, nodeCount) {
  await page.getByTestId('open-menu').click();
  await page.getByTestId('open-document').click();
  const item = page.getByTestId(`workspace-file-${file}`);
  await item.waitFor();
  const t0 = Date.now();
  await item.dblclick();
  await page.getByTestId('document-file').filter({ hasText: file }).waitFor();
  // A node only the new document has (the one before may share ids with it), drawn as an element, or the
  // overview canvas that a big graph is drawn on when zoomed out, holding every node of the new document.
  if (lastNodeId) {
    const drawn = `.react-flow__node[data-id="${lastNodeId}"], [data-testid="canvas-overview"][data-nodes="${nodeCount}"]`;
    await page.locator(drawn).first().waitFor({ state: 'attached' });
  }
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  return Date.now() - t0;
}

/** Opens `file`, lets the fit-to-view settle, and pans and zooms it for `seconds`. */
async function measureGraph(page, file, nodes, seconds, lastNodeId) {
  const openMs = await openFromWorkspace(page, file, lastNodeId, nodes);
  await page.waitForTimeout(500);
  const rendered = await page.locator('.react-flow__node').count();
  const panZoom = await panAndZoom(page, seconds * 1000);
  return { nodes, openMs, rendered, panZoom };
}

/** Drags the pane around and zooms with the wheel for `ms`, while the page records frame intervals. */
async function panAndZoom(page, ms) {
  await page.evaluate(() => {
    const w = window;
    w.__frames = [];
    w.__stop = false;
    let last = performance.now();
    const tick = (t) => {
      w.__frames.push(t - last);
      last = t;
      if (!w.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const pane = await page.locator('.react-flow__pane').boundingBox();
  const cx = pane.x + pane.width / 2;
  const cy = pane.y + pane.height / 2;
  const end = Date.now() + ms;
  let step = 0;
  while (Date.now() < end) {
    // Half the time a drag in a circle (pan), half the time wheel steps in and out (zoom).
    if (step % 2 === 0) {
      await page.mouse.move(cx, cy);
      await page.mouse.down();
      for (let a = 0; a < 2 * Math.PI; a += Math.PI / 12) await page.mouse.move(cx + 160 * Math.cos(a), cy + 100 * Math.sin(a));
      await page.mouse.up();
    } else {
      await page.mouse.move(cx, cy);
      for (let i = 0; i < 8; i++) await page.mouse.wheel(0, -120);
      for (let i = 0; i < 8; i++) await page.mouse.wheel(0, 120);
    }
    step++;
  }
  const frames = await page.evaluate(() => {
    window.__stop = true;
    return window.__frames.slice(1);
  });
  return stats(frames);
}

export async function measureUi({ root, dir, rows, seconds = 4 }) {
  let chromium;
  try {
    ({ chromium } = await import('@playwright/test'));
  } catch {
    return { skipped: 'Playwright is not installed' };
  }
  const executablePath = process.env.SLUICE_CHROMIUM ?? (fs.existsSync(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : undefined);
  fs.writeFileSync(path.join(dir, 'ui-300.pipeline.json'), JSON.stringify(bigPipeline(), null, 2));
  fs.writeFileSync(path.join(dir, 'ui-1000.pipeline.json'), JSON.stringify(bigPipeline(50, 20), null, 2));
  fs.writeFileSync(path.join(dir, 'ui-preview.pipeline.json'), JSON.stringify(previewPipeline(), null, 2));
  const { link, child } = await startServer(root, dir);
  let browser;
  try {
    browser = await chromium.launch({ ...(executablePath ? { executablePath } : {}), args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(link);
    await page.getByTestId('pipeline-name').waitFor();

    const idle = await idleFrames(page, 1000);
    const graphs = [await measureGraph(page, 'ui-300.pipeline.json', 300, seconds, 'c29_n9'), await measureGraph(page, 'ui-1000.pipeline.json', 1000, seconds, 'c49_n19')];

    await openFromWorkspace(page, 'ui-preview.pipeline.json');
    await page.waitForTimeout(300);
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/preview') && r.request().postData()?.includes('"limit":200') === true, { timeout: 600_000 });
    const t0 = Date.now();
    await page.getByTestId('canvas-node-rules').locator('.sl-node__title').click();
    const response = await answered;
    const engineMs = Date.now() - t0;
    await page.getByTestId('preview-grid').locator('.grid__body [role="row"]').first().waitFor({ timeout: 600_000 });
    const gridMs = Date.now() - t0;
    const body = await response.json();
    return { load: os.loadavg()[0], cpus: os.cpus().length, seconds, idle, graphs, preview: { rows, engineMs, gridMs, sampled: body.sampled, shown: body.rows?.length ?? 0 } };
  } finally {
    await browser?.close();
    child.kill('SIGTERM');
  }
}

export function printUi(r, write = (s) => process.stdout.write(s)) {
  if (r.skipped) {
    write(`\nUI measurements skipped: ${r.skipped}\n`);
    return;
  }
  const f = (x) => `${x.toFixed(1)} ms`;
  write(`\ndesigner in Chromium (headless, software rendering; load average ${r.load.toFixed(1)} on ${r.cpus} CPUs):\n`);
  const line = (x) => `${x.frames} frames, frame time median ${f(x.median)}, p95 ${f(x.p95)}, max ${f(x.max)}; dropped at 60 Hz ${x.dropped} (${((100 * x.dropped) / (x.frames + x.dropped)).toFixed(1)}%)`;
  write(`  idle for 1 s (baseline): ${line(r.idle)}\n`);
  for (const g of r.graphs) {
    write(`  ${g.nodes}-node pipeline: opened in ${g.openMs} ms, ${g.rendered} node elements in the DOM after Fit View\n`);
    write(`    pan/zoom for ${r.seconds} s: ${line(g.panZoom)}\n`);
  }
  write(`  first preview rows of a validate node over the ${r.preview.rows.toLocaleString()}-row source: engine answered ${r.preview.engineMs} ms after the click, first row in the grid at ${r.preview.gridMs} ms (${r.preview.shown} rows shown, sources sampled: ${r.preview.sampled})\n`);
}
