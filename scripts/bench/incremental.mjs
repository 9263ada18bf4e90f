#!/usr/bin/env node
// The incremental figure (`npm run bench -- --incremental [--files N] [--file-rows R] [--batch B]`, or run this file):
// N CSV files of R rows land in an inbox B at a time while `sluice watch` (in this process) consumes them. Each
// landing waits for the batch it triggered, so every batch reads exactly B files. The pipeline is the sample's
// shape: new files -> 1-minute event-time windows per key -> upsert into a DuckDB table. Reported: per-batch
// time (median of the first and the last 100 batches, or 10 when there are fewer than 200: flat means the last
// within 1.2x of the first), CPU time per batch (less disturbed by other jobs than wall time), RSS after and peak
// RSS during each batch (flat means no growth with the files consumed), and latency from a file landing to its
// rows committed. Checked: every row reached a window (counts add up), no batch failed.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const FILES = arg('files', 1000);
const ROWS = arg('file-rows', 10_000);
const BATCH = arg('batch', 20);
const KEYS = 50;

const { watchPipeline } = await import(pathToFileURL(path.join(root, 'engine', 'dist', 'runtime', 'supervision', 'watch.js')).href);
const { DuckDBInstance } = await import('@duckdb/node-api');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-incr-'));
fs.mkdirSync(path.join(dir, 'inbox'));
const pipeline = {
  version: 1,
  name: 'bench incremental',
  nodes: [
    { id: 'inbox', kind: 'source.files', config: { path: 'inbox/*.csv', settleMs: 0, types: { ts: 'TIMESTAMP', amount: 'INTEGER' } } },
    { id: 'win', kind: 'window', config: { timeColumn: 'ts', type: 'tumbling', size: '1m', lateness: '10s', groupBy: ['key'], aggregates: [{ fn: 'count', as: 'events' }, { fn: 'sum', column: 'amount', as: 'amount' }] } },
    { id: 'out', kind: 'sink.duckdb', config: { path: 'out/summary.duckdb', table: 'summary', mode: 'merge', key: ['window_start', 'key'] } },
  ],
  edges: [
    { from: { node: 'inbox', port: 'out' }, to: { node: 'win', port: 'in' } },
    { from: { node: 'win', port: 'out' }, to: { node: 'out', port: 'in' } },
  ],
};

/** File f covers one minute of event time (events in order within it), so windows close steadily. */
function fileText(f) {
  const base = Date.UTC(2026, 0, 1) + f * 60_000;
  const lines = ['id,key,ts,amount'];
  for (let r = 0; r < ROWS; r++) {
    const t = new Date(base + Math.floor((r * 60_000) / ROWS)).toISOString().replace('T', ' ').replace('Z', '');
    lines.push(`${f * ROWS + r},k${r % KEYS},${t},${(r % 97) + 1}`);
  }
  return `${lines.join('\n')}\n`;
}

let landed = 0;
const landedAt = new Map();
function land() {
  for (let i = 0; i < BATCH && landed < FILES; i++, landed++) {
    const name = `f${String(landed).padStart(5, '0')}.csv`;
    const tmp = path.join(dir, `.${name}.tmp`);
    fs.writeFileSync(tmp, fileText(landed));
    fs.renameSync(tmp, path.join(dir, 'inbox', name));
    landedAt.set(name, Date.now());
  }
}

const batches = [];
const stop = new AbortController();
// Per batch: CPU time of this process (the engine runs in it; DuckDB's threads included), which a loaded machine
// disturbs far less than wall time, and peak RSS sampled while the batch runs.
let cpuMark = process.cpuUsage();
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const loadStart = os.loadavg()[0];
process.stdout.write(`incremental: ${FILES} files of ${ROWS.toLocaleString()} rows landing ${BATCH} at a time in ${dir}\n`);
land();
const started = performance.now();
const summary = await watchPipeline({
  pipeline,
  baseDir: dir,
  historyDir: path.join(dir, '.sluice', 'runs'),
  maxFiles: BATCH,
  pollMs: 20,
  stop: stop.signal,
  onBatch: (b) => {
    if (process.env.SLUICE_BENCH_VERBOSE) process.stderr.write(`${JSON.stringify(b.manifest.nodes.map((n) => [n.nodeId, n.rowsIn, n.rowsOut, n.quarantined]))}\n`);
    const cpu = process.cpuUsage(cpuMark);
    cpuMark = process.cpuUsage();
    const rss = process.memoryUsage().rss;
    batches.push({ nodeMs: Object.fromEntries(b.manifest.nodes.map((n) => [n.nodeId, n.durationMs])), ms: b.ms, cpuMs: Math.round((cpu.user + cpu.system) / 1000), files: b.files, rssMB: rss / 2 ** 20, peakMB: Math.max(peakRss, rss) / 2 ** 20, outcome: b.manifest.outcome, latency: b.latencyMs, rows: b.manifest.nodes[0]?.rowsOut ?? 0, errors: b.manifest.errors });
    peakRss = 0;
    if (b.manifest.outcome !== 'succeeded') process.stderr.write(`batch ${b.batch} ${b.manifest.outcome}: ${b.manifest.errors.join('; ')}\n`);
    if (batches.length % 10 === 0) process.stdout.write(`  ${batches.length} batches, ${landed} files landed, last batch ${b.ms} ms, RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB\n`);
    if (landed >= FILES) stop.abort();
    else land();
  },
});
const total = (performance.now() - started) / 1000;
clearInterval(sampler);
const loadEnd = os.loadavg()[0];

const med = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
// The issue's measure: the last 100 batches' median against the first 100's; with fewer than 200 batches, the
// first and last 10 (or a fifth, when fewer than 50), as printed.
const tenth = batches.length >= 200 ? 100 : Math.max(1, Math.min(10, Math.floor(batches.length / 5)));
const first = batches.slice(0, tenth);
const last = batches.slice(-tenth);
const tFirst = med(first.map((b) => b.ms));
const tLast = med(last.map((b) => b.ms));
const mFirst = med(first.map((b) => b.rssMB));
const mLast = med(last.map((b) => b.rssMB));
const cFirst = med(first.map((b) => b.cpuMs));
const cLast = med(last.map((b) => b.cpuMs));
const pFirst = Math.max(...first.map((b) => b.peakMB));
const pLast = Math.max(...last.map((b) => b.peakMB));
const lat = batches.filter((b) => b.latency).map((b) => b.latency.median);
const latMax = Math.max(...batches.filter((b) => b.latency).map((b) => b.latency.max));

const inst = await DuckDBInstance.create(path.join(dir, 'out', 'summary.duckdb'), { access_mode: 'READ_ONLY' });
const conn = await inst.connect();
const folded = Number((await conn.runAndReadAll('SELECT coalesce(sum(events), 0) FROM summary')).getRowsJS()[0][0]);
conn.closeSync();
inst.closeSync();
const read = batches.reduce((s, b) => s + b.rows, 0);
const failed = batches.filter((b) => b.outcome !== 'succeeded').length;

process.stdout.write(`\n${summary.batches} batches of ${BATCH} files (${read.toLocaleString()} rows) in ${total.toFixed(1)} s (${Math.round(read / total).toLocaleString()} rows/s), ${failed} failed\n`);
process.stdout.write(`per-batch time: first ${tenth} batches median ${tFirst} ms, last ${tenth} median ${tLast} ms, ratio ${(tLast / tFirst).toFixed(2)} (flat: at most 1.2)\n`);
// Where the time goes, so a slower tail can be told apart from a loaded machine (every node slower alike).
const nodeMed = (list, id) => med(list.map((b) => b.nodeMs[id] ?? 0));
process.stdout.write(`  by node, first / last: ${Object.keys(batches[0]?.nodeMs ?? {}).map((id) => `${id} ${nodeMed(first, id)} / ${nodeMed(last, id)} ms`).join(', ')}; outside nodes (run setup, state commit, manifest) ${med(first.map((b) => b.ms - Object.values(b.nodeMs).reduce((x, y) => x + y, 0)))} / ${med(last.map((b) => b.ms - Object.values(b.nodeMs).reduce((x, y) => x + y, 0)))} ms\n`);
process.stdout.write(`per-batch CPU time (this process, DuckDB threads included): first ${tenth} median ${cFirst} ms, last ${tenth} median ${cLast} ms, ratio ${(cLast / cFirst).toFixed(2)}\n`);
process.stdout.write(`RSS after a batch: first ${tenth} median ${Math.round(mFirst)} MB, last ${tenth} median ${Math.round(mLast)} MB, ratio ${(mLast / mFirst).toFixed(2)}; peak RSS during a batch: first ${tenth} max ${Math.round(pFirst)} MB, last ${tenth} max ${Math.round(pLast)} MB\n`);
process.stdout.write(`machine load (1-minute average): ${loadStart.toFixed(1)} at the start, ${loadEnd.toFixed(1)} at the end, ${os.cpus().length} CPUs\n`);
if (process.env.SLUICE_BENCH_BATCHES) fs.writeFileSync(process.env.SLUICE_BENCH_BATCHES, `${JSON.stringify(batches.map(({ errors: _e, ...b }) => b))}\n`);
process.stdout.write(`latency from landing to rows committed: median over batches ${med(lat)} ms, worst file ${latMax} ms\n`);
// The windows still open at the end hold the rest: rows in emitted windows never exceed the rows read.
process.stdout.write(`rows read ${read.toLocaleString()}, rows in emitted windows ${folded.toLocaleString()} (the last windows stay open until later events pass the watermark)\n`);
fs.rmSync(dir, { recursive: true, force: true });
const ok = failed === 0 && read === FILES * ROWS && folded <= read && folded >= read - 2 * ROWS;
process.exit(ok ? 0 : 1);
