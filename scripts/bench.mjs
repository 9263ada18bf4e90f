#!/usr/bin/env node
// `npm run bench [-- --rows N] [--repeat N] [--workloads orders,validation,parquet] [--memory-limit SIZE]
// [--parquet-rows N] [--ui-only | --no-ui] [--incremental | --incremental-only]`: the engine against hand-written
// DuckDB SQL doing the same work on the same data, each in its own process so that peak memory is its own.
// Workloads: "orders" (the first bench: 6 columns, 3 rules, a baseline that reads with DuckDB's reject tables),
// "validation" (issue 18: 8 columns, 10 rules, checked line by line against an independent oracle, against the
// fastest lossless SQL we could write; scripts/bench/validation/) and "parquet" (a typed 3 M-row Parquet source,
// filter, aggregate). `--rows 50000000` is the memory-limited run: the validation workload only, under a 1.5 GB
// DuckDB limit unless --memory-limit says otherwise. Then the designer's UI figures in Chromium
// (scripts/bench/ui.mjs): pan/zoom frame times on a 300-node pipeline and time to first preview rows over the big
// source. `--ui-only` runs just the UI part. "startup" (scripts/bench/startup.mjs): `sluice run`'s start-up,
// supervised against unsupervised, on a 3-node pipeline (`--workloads startup` runs just that). "chain"
// (scripts/bench/chain.mjs): validate, plan and run a 5,000-node chain of filters (`--chain-nodes N`).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './bench/generate.mjs';
import { measureUi, printUi } from './bench/ui.mjs';
import { benchRunStore, printRunStore } from './bench/runstore.mjs';
import { measureSchemas, measureSchemasInBrowser, printSchemas, printSchemasInBrowser } from './bench/schemas.mjs';
import { benchParquet, benchValidation } from './bench/validation/run.mjs';
import { benchStartup, printStartup } from './bench/startup.mjs';
import { benchChain, printChain } from './bench/chain.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  // The usage is this file's opening comment: one text, so the two cannot drift apart.
  const lines = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1);
  const head = lines.slice(0, lines.findIndex((l) => !l.startsWith('//')));
  process.stdout.write(`${head.map((l) => l.replace(/^\/\/ ?/, '')).join('\n')}\n`);
  process.exit(0);
}
const root = path.resolve(here, '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const rows = Number(arg('rows', process.env.SLUICE_BENCH_ROWS ?? '5000000'));
const uiOnly = process.argv.includes('--ui-only');
// From 20 M rows on, the run is about bounded memory: only the validation workload, limited, once.
const huge = rows >= 20_000_000;
const withUi = !process.argv.includes('--no-ui') && !huge;
const workloads = new Set(arg('workloads', huge ? 'validation' : 'startup,chain,orders,validation,parquet').split(','));
const memoryLimit = arg('memory-limit', huge ? '1.5GB' : undefined);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-'));

if (!fs.existsSync(path.join(root, 'engine', 'dist', 'runtime', 'run.js'))) {
  spawnSync('npm', ['run', '--silent', 'build:engine'], { cwd: root, stdio: 'inherit' });
}
// The incremental figure (scripts/bench/incremental.mjs) is opt-in: 1,000 files of 10,000 rows take minutes.
const incremental = () => spawnSync(process.execPath, [path.join(here, 'bench', 'incremental.mjs'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' }).status === 0;
if (process.argv.includes('--incremental-only')) {
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(incremental() ? 0 : 1);
}

if (withUi && !fs.existsSync(path.join(root, 'renderer', 'dist', 'index.html'))) {
  spawnSync('npm', ['run', '--silent', 'build:renderer'], { cwd: root, stdio: 'inherit' });
}
// `--runstore-only`: just the run store with 10,000 runs (scripts/bench/runstore.mjs).
if (process.argv.includes('--runstore-only')) {
  printRunStore(await benchRunStore({ root, runs: Number(arg('runs', '10000')) }));
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
if (process.argv.includes('--schemas-only')) {
  printSchemas(await measureSchemas(root));
  printSchemasInBrowser(await measureSchemasInBrowser(root));
  process.exit(0);
}
// This machine's timings wander by ±15 % from one run to the next, so each configuration runs `--repeat` times
// (default 3), interleaved so that a slow patch hits all of them alike, and the median time is compared.
const repeat = Math.max(1, Number(arg('repeat', huge ? '1' : '3')));
let extraOk = true;
if (workloads.has('startup')) printStartup(await benchStartup({ root, repeat: Math.max(3, repeat) }));
if (workloads.has('chain')) {
  const chain = benchChain({ root, nodes: Number(arg('chain-nodes', '5000')) });
  printChain(chain);
  extraOk = chain.exact && extraOk;
}
if (workloads.has('validation')) extraOk = (await benchValidation({ rows, repeat, memoryLimit })).exact && extraOk;
if (workloads.has('parquet')) extraOk = (await benchParquet({ rows: Number(arg('parquet-rows', '3000000')), repeat })).exact && extraOk;
if (!workloads.has('orders')) {
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(extraOk ? 0 : 1);
}
process.stdout.write(`\norders workload: generating ${rows.toLocaleString()} order rows in ${dir} …\n`);
const gen = generate(dir, rows);
process.stdout.write(`  ${gen.bytes.toLocaleString()} bytes, ${gen.dirty.toLocaleString()} dirty rows (${Object.entries(gen.kinds).map(([k, v]) => `${k} ${v}`).join(', ')})\n`);

function measure(mode, env = {}) {
  const r = spawnSync(process.execPath, [path.join(here, 'bench', 'worker.mjs'), mode, dir], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, ...env } });
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`${mode} run failed`);
  }
  if (process.env.SLUICE_BENCH_VERBOSE) process.stderr.write(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function ui() {
  try {
    printUi(await measureUi({ root, dir, rows }));
  } catch (err) {
    process.stdout.write(`\nUI measurements failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return false;
  }
  return true;
}

if (uiOnly) {
  const ok = await ui();
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(ok ? 0 : 1);
}

// Runs keep checkpoints of node outputs for --resume. By default ('auto') only where one saves more work than it
// costs; 'all' keeps every table output; 'off' keeps none (the same work as the hand-written SQL).
const configs = { sql: ['sql', {}], engine: ['engine', {}], all: ['engine', { SLUICE_BENCH_CHECKPOINT: 'all' }], plain: ['engine', { SLUICE_BENCH_CHECKPOINT: 'off' }] };
const runs = Object.fromEntries(Object.keys(configs).map((k) => [k, []]));
for (let i = 0; i < repeat; i++) {
  for (const [k, [mode, env]] of Object.entries(configs)) runs[k].push(measure(mode, env));
  process.stdout.write(`  round ${i + 1}/${repeat}: ${Object.entries(runs).map(([k, r]) => `${k} ${r[i].seconds.toFixed(2)} s`).join(', ')}  (load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')})\n`);
}
const median = (list) => {
  const byTime = [...list].sort((a, b) => a.seconds - b.seconds);
  return { ...byTime[Math.floor((byTime.length - 1) / 2)], maxRssMB: Math.max(...list.map((x) => x.maxRssMB)) };
};
const [sql, engine, all, plain] = ['sql', 'engine', 'all', 'plain'].map((k) => median(runs[k]));
const fmt = (x) => `${x.seconds.toFixed(2)} s  ${Math.round(rows / x.seconds).toLocaleString()} rows/s  peak RSS ${Math.round(x.maxRssMB)} MB`;
const kept = (x) => `checkpointed: ${x.checkpointed.length ? x.checkpointed.join(', ') : 'none'}`;
const ratio = (x) => `time ${(x.seconds / sql.seconds).toFixed(2)}, memory ${(x.maxRssMB / sql.maxRssMB).toFixed(2)}`;
process.stdout.write(`\nmedian of ${repeat} (peak RSS: the largest)\nhand-written SQL                 : ${fmt(sql)}  (${sql.valid} valid, ${sql.rejected} rejected)\n`);
process.stdout.write(`sluice engine (default, auto)    : ${fmt(engine)}  (${engine.valid} valid, ${engine.rejected} quarantined, ${engine.filtered} filtered; ${kept(engine)})\n`);
process.stdout.write(`sluice engine --checkpoint all   : ${fmt(all)}  (${kept(all)})\n`);
process.stdout.write(`sluice engine --checkpoint off   : ${fmt(plain)}\n`);
process.stdout.write(`ratio engine / SQL: ${ratio(engine)} by default (target: time at most 1.3); ${ratio(all)} with every checkpoint; ${ratio(plain)} with none\n`);
const pv = measure('preview');
process.stdout.write(`preview at a validate node over the ${rows.toLocaleString()}-row source: first rows in ${pv.previewFirstMs} ms (sources sampled: ${pv.sampled}), again from cache in ${pv.previewCachedMs} ms; an aggregate (which must read everything) in ${pv.previewAggregateMs} ms\n`);
const lost = Math.max(...[...runs.engine, ...runs.all, ...runs.plain].map((e) => Math.abs(rows + gen.blank - (e.valid + e.rejected + e.filtered))));
process.stdout.write(`rows lost by the engine: ${lost}\n`);
const differ = [...runs.engine, ...runs.all, ...runs.plain].filter((e) => e.groupsChecksum !== sql.groupsChecksum);
for (const e of differ) process.stdout.write(`ERROR: aggregates differ (engine ${e.groupsChecksum}, SQL ${sql.groupsChecksum})\n`);
const uiOk = withUi ? await ui() : true;
printRunStore(await benchRunStore({ root, runs: 10_000 }));
fs.rmSync(dir, { recursive: true, force: true });
const incrOk = process.argv.includes('--incremental') ? incremental() : true;
process.exit(lost === 0 && differ.length === 0 && uiOk && incrOk && extraOk ? 0 : 1);
