// The run store with many runs: the cost of indexing runs (a rebuild of 10,000, one more run after a run) and of
// the queries the Runs view makes when it opens (runPipelines for the pipeline filter, runHistory for the table,
// runTrends for the charts), each through the engine's own service as the designer calls it: cold (the service
// holds no open store, as after a pause) and warm (the store still open from the requests before). Then the view
// itself in Chromium against `sluice serve`: from the click on "Runs" to the first row and the trend charts drawn.
/* global requestAnimationFrame -- the function given to page.evaluate runs in the browser */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEBIAN_CHROMIUM, openFromWorkspace, startServer } from './ui.mjs';

function manifest(i, nodes, rules, columns) {
  const t = new Date(Date.UTC(2026, 0, 1) + i * 3_600_000);
  const runId = `${t.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${i.toString(16).padStart(6, '0')}`;
  const rows = 48_000 + Math.round(2_000 * Math.sin(i / 7));
  const ids = Array.from({ length: nodes }, (_, n) => `node${n}`);
  return {
    runId, pipelineName: `pipeline ${i % 5}`, pipelineHash: 'h', params: {}, engineVersion: 'bench', startedAt: t.toISOString(), finishedAt: new Date(t.getTime() + 4_000).toISOString(),
    outcome: i % 17 === 0 ? 'failed' : 'succeeded', startedBy: i % 2 ? 'designer' : 'cli', quarantine: {}, errors: [],
    nodes: ids.map((id, n) => ({ nodeId: id, kind: n === 0 ? 'source.csv' : n === nodes - 1 ? 'sink.csv' : 'validate', status: 'ok', rowsIn: rows, rowsOut: rows - n * 10, quarantined: n * 10, filtered: 0, passed: rows, durationMs: 100 + n, outputs: {}, warnings: [] })),
    rules: { node1: Object.fromEntries(Array.from({ length: rules }, (_, r) => [`rule${r}`, (i * (r + 1)) % 13])) },
    columns: Object.fromEntries(ids.slice(0, 2).map((id) => [id, Array.from({ length: columns }, (_, c) => ({ port: 'out', name: `col${c}`, type: 'BIGINT', rows, nulls: c, distinct: rows - c, min: '0', max: String(rows) }))])),
    quality: { score: 97.5, nodes: { node1: 97.5 } },
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
async function time(f, n = 1) {
  const ms = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

export async function benchRunStore({ root, runs = 10_000 }) {
  const { RunStore, recordInStore, STORE_FILE } = await import(pathToFileURL(path.join(root, 'engine/dist/ops/store.js')).href);
  const { createEngineService } = await import(pathToFileURL(path.join(root, 'engine/dist/service.js')).href);
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-runstore-'));
  const historyDir = path.join(ws, '.sluice', 'runs');
  try {
    for (let i = 0; i < runs; i++) {
      const m = manifest(i, 8, 4, 20);
      fs.mkdirSync(path.join(historyDir, m.runId), { recursive: true });
      fs.writeFileSync(path.join(historyDir, m.runId, 'manifest.json'), JSON.stringify(m));
    }
    const rebuildMs = await time(() => RunStore.with(historyDir, async () => undefined));
    const extra = manifest(runs, 8, 4, 20);
    fs.mkdirSync(path.join(historyDir, extra.runId), { recursive: true });
    const oneMore = [];
    for (let k = 0; k < 5; k++) {
      fs.writeFileSync(path.join(historyDir, extra.runId, 'manifest.json'), JSON.stringify({ ...extra, errors: [String(k)] }));
      const t = performance.now();
      await recordInStore(historyDir, extra.runId);
      oneMore.push(performance.now() - t);
    }
    const openView = (service) =>
      Promise.all([service.runPipelines({}), service.runHistory({ limit: 500, pipelineName: 'pipeline 1' }), service.runTrends({ pipelineName: 'pipeline 1', limit: 30 })]);
    const cold = [];
    for (let k = 0; k < 5; k++) {
      const fresh = createEngineService({ workspaces: [ws] });
      const t = performance.now();
      await openView(fresh);
      cold.push(performance.now() - t);
      fresh.close();
      await new Promise((r) => setTimeout(r, 200)); // the store's close, which runs after the last answer
    }
    const service = createEngineService({ workspaces: [ws] });
    await openView(service);
    const openViewWarmMs = await time(() => openView(service), 5);
    const listMs = await time(() => service.runHistory({ limit: 500, pipelineName: 'pipeline 1' }), 5);
    const trendsMs = await time(() => service.runTrends({ pipelineName: 'pipeline 1', limit: 30 }), 5);
    service.close();
    await new Promise((r) => setTimeout(r, 200));
    const bytes = fs.statSync(path.join(historyDir, STORE_FILE)).size;
    const browser = await inChromium(root, ws);
    return { runs, rebuildMs, perRunIngestMs: rebuildMs / runs, oneMoreMs: median(oneMore), openViewMs: median(cold), openViewWarmMs, listMs, trendsMs, bytes, browser };
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
}

/** The Runs view in Chromium: ms from the click on "Runs" to its first row, and to its trend charts drawn (cold each time). */
async function inChromium(root, ws) {
  let chromium;
  try {
    ({ chromium } = await import('@playwright/test'));
  } catch {
    return { skipped: 'Playwright is not installed' };
  }
  if (!fs.existsSync(path.join(root, 'renderer', 'dist', 'index.html'))) return { skipped: 'the renderer is not built (npm run build)' };
  const executablePath = process.env.SLUICE_CHROMIUM ?? (fs.existsSync(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : undefined);
  // The view shows the open document's pipeline when it has runs: the user has opened one that has.
  fs.writeFileSync(path.join(ws, 'p1.pipeline.json'), JSON.stringify({ version: 1, name: 'pipeline 1', nodes: [{ id: 'src', kind: 'source.csv', config: { path: 'in.csv' }, position: { x: 0, y: 0 } }], edges: [] }));
  const { link, child } = await startServer(root, ws);
  let browser;
  try {
    browser = await chromium.launch({ ...(executablePath ? { executablePath } : {}), args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(link);
    await page.getByTestId('pipeline-name').waitFor();
    await openFromWorkspace(page, 'p1.pipeline.json', 'src');
    const firstRow = [];
    const charts = [];
    let rendered = 0;
    for (let k = 0; k < 5; k++) {
      // Longer than the service keeps an unused store open: every open below is a cold one.
      await page.waitForTimeout(2_000);
      const t0 = Date.now();
      await page.getByTestId('runs-open').click();
      await page.locator('[data-testid^="runs-row-"]').first().waitFor({ timeout: 60_000 });
      firstRow.push(Date.now() - t0);
      await page.getByTestId('trend-quality').locator('canvas').waitFor({ timeout: 60_000 });
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      charts.push(Date.now() - t0);
      rendered = await page.locator('[data-testid^="runs-row-"]').count();
      await page.getByTestId('runs-close').click();
    }
    return { firstRowMs: median(firstRow), chartsMs: median(charts), rendered };
  } catch (err) {
    return { skipped: `failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` };
  } finally {
    await browser?.close();
    child.kill('SIGTERM');
  }
}

export function printRunStore(r) {
  process.stdout.write(
    `\nrun store with ${r.runs.toLocaleString()} runs (8 nodes, 4 rules, 40 column profiles each; file ${(r.bytes / 1e6).toFixed(1)} MB)\n` +
      `  index all from the manifests : ${Math.round(r.rebuildMs)} ms (${r.perRunIngestMs.toFixed(2)} ms a run)\n` +
      `  one more run (after a run)   : ${Math.round(r.oneMoreMs)} ms (lock, open, find the new manifest among all, insert)\n` +
      `  Runs view's 3 queries, cold  : ${Math.round(r.openViewMs)} ms (median of 5; warm ${Math.round(r.openViewWarmMs)} ms)\n` +
      `  list 500 runs of a pipeline  : ${Math.round(r.listMs)} ms; trends of 30 runs: ${Math.round(r.trendsMs)} ms (warm)\n` +
      (r.browser.skipped
        ? `  Runs view in Chromium        : not measured (${r.browser.skipped})\n`
        : `  Runs view in Chromium        : first row ${r.browser.firstRowMs} ms, charts drawn ${r.browser.chartsMs} ms (median of 5 cold opens; target < 500 ms; ${r.browser.rendered} row elements in the DOM)\n`),
  );
}
