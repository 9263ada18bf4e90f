// The run store with many runs: the cost of indexing runs (a rebuild of 10,000, one more run after a run) and of
// the queries the Runs view makes when it opens (runHistory for the pipeline list, runHistory for the table,
// runTrends for the charts), each through the engine's own service as the designer calls it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

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
    const service = createEngineService({ workspaces: [ws] });
    const openViewMs = await time(async () => {
      await Promise.all([service.runPipelines({}), service.runHistory({ limit: 500, pipelineName: 'pipeline 1' }), service.runTrends({ pipelineName: 'pipeline 1', limit: 30 })]);
    }, 5);
    const listMs = await time(() => service.runHistory({ limit: 500, pipelineName: 'pipeline 1' }), 5);
    const trendsMs = await time(() => service.runTrends({ pipelineName: 'pipeline 1', limit: 30 }), 5);
    service.close();
    const bytes = fs.statSync(path.join(historyDir, STORE_FILE)).size;
    return { runs, rebuildMs, perRunIngestMs: rebuildMs / runs, oneMoreMs: median(oneMore), openViewMs, listMs, trendsMs, bytes };
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
}

export function printRunStore(r) {
  process.stdout.write(
    `\nrun store with ${r.runs.toLocaleString()} runs (8 nodes, 4 rules, 40 column profiles each; file ${(r.bytes / 1e6).toFixed(1)} MB)\n` +
      `  index all from the manifests : ${Math.round(r.rebuildMs)} ms (${r.perRunIngestMs.toFixed(2)} ms a run)\n` +
      `  one more run (after a run)   : ${Math.round(r.oneMoreMs)} ms (lock, open, find the new manifest among all, insert)\n` +
      `  Runs view opens (3 queries)  : ${Math.round(r.openViewMs)} ms (median of 5; target < 500 ms)\n` +
      `  list 500 runs of a pipeline  : ${Math.round(r.listMs)} ms; trends of 30 runs: ${Math.round(r.trendsMs)} ms\n`,
  );
}
