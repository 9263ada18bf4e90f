// A long pipeline: a CSV source of 10 rows, a chain of trivial filters, a CSV sink (5,000 nodes by default,
// `--chain-nodes N`). Issue 18's targets: validate and plan in under 2 s, run in under 30 s, cost linear in the
// node count. Measured as a user meets it: `sluice validate` and `sluice run` (supervised, default checkpoints),
// whole processes; and, in a process of its own, the engine's pre-run work alone (the static checks a run makes,
// the topological order, the node fingerprints) without the time it takes Node to load the engine. Nine filters
// along the chain each drop one row, so the result is checked exactly: 1 row out, 9 filtered, every node balanced.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

function chainPipeline(dir, n) {
  fs.writeFileSync(path.join(dir, 'in.csv'), `id,v\n${Array.from({ length: 10 }, (_, i) => `${i + 1},v${i}`).join('\n')}\n`);
  const filters = n - 2;
  const nodes = [{ id: 'src', kind: 'source.csv', config: { path: 'in.csv' } }];
  for (let i = 0; i < filters; i++) {
    // Nine filters spread along the chain drop ids 1..9; the others keep every row.
    const k = Math.floor(((i + 1) * 10) / filters);
    const drops = Math.floor((i * 10) / filters) !== k && k >= 1 && k <= 9;
    nodes.push({ id: `f${i}`, kind: 'filter', config: { expression: drops ? `id <> '${k}'` : `v <> 'none${i % 50}'`, reason: 'bench' } });
  }
  nodes.push({ id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } });
  const edges = nodes.slice(1).map((node, i) => ({ from: { node: nodes[i].id, port: 'out' }, to: { node: node.id, port: 'in' } }));
  const file = path.join(dir, 'chain.pipeline.json');
  fs.writeFileSync(file, JSON.stringify({ version: 1, name: `chain of ${n}`, nodes, edges }));
  return file;
}

/** The engine's pre-run work in a process that has loaded the engine already: what a run does before node one. */
const PLAN_SCRIPT = `
const [root, file] = process.argv.slice(1);
const fs = await import('node:fs');
const path = await import('node:path');
const { validateStatic } = await import(root + '/engine/dist/runtime/static-checks.js');
const { staticCheck } = await import(root + '/engine/dist/analysis/check.js');
const { topologicalOrder } = await import(root + '/format/dist/pipeline/graph.js');
const { nodeFingerprints } = await import(root + '/engine/dist/runtime/execution/fingerprint.js');
const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
const baseDir = path.dirname(file);
const t0 = performance.now();
const v = await validateStatic(raw, { params: {}, baseDir, roots: [baseDir] });
if (!v.pipeline) throw new Error(JSON.stringify(v.problems.slice(0, 3)));
const order = topologicalOrder(v.pipeline).order;
nodeFingerprints(v.pipeline, order, baseDir, [baseDir], {}, { pinnedStateful: true });
const t1 = performance.now();
const s = await staticCheck(raw, { params: {}, baseDir });
const t2 = performance.now();
process.stdout.write(JSON.stringify({ planMs: t1 - t0, schemaMs: t2 - t1, schemaProblems: s.problems.length }));
`;

function timed(cmd, args, opts) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  return { ...r, ms: performance.now() - t0 };
}

export function benchChain({ root, nodes = 5000 }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-chain-'));
  const bin = path.join(root, 'engine', 'bin', 'sluice.js');
  try {
    const file = chainPipeline(dir, nodes);
    const validate = timed(process.execPath, [bin, 'validate', file]);
    if (validate.status !== 0) throw new Error(`sluice validate failed: ${validate.stderr.slice(-500)}`);
    const planRun = spawnSync(process.execPath, ['--input-type=module', '-e', PLAN_SCRIPT, root, file], { encoding: 'utf8' });
    if (planRun.status !== 0) throw new Error(`planning failed: ${planRun.stderr.slice(-500)}`);
    const plan = JSON.parse(planRun.stdout);
    const run = timed(process.execPath, [bin, 'run', file, '--json', '--history', path.join(dir, 'h')]);
    const end = run.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.event === 'run-end');
    if (run.status !== 0 || !end) throw new Error(`sluice run failed (${run.status}): ${run.stderr.slice(-500)}`);
    const m = end.manifest;
    const out = fs.readFileSync(path.join(dir, 'out.csv'), 'utf8').trim().split('\n').length - 1;
    const filtered = m.nodes.reduce((s, x) => s + x.filtered, 0);
    const unbalanced = m.nodes.filter((x) => x.kind === 'filter' && x.rowsIn !== x.rowsOut + x.filtered).length;
    const exact = m.outcome === 'succeeded' && m.nodes.length === nodes && out === 1 && filtered === 9 && unbalanced === 0;
    return {
      nodes, validateMs: validate.ms, planMs: plan.planMs, schemaMs: plan.schemaMs, runMs: run.ms,
      checkpointed: m.nodes.filter((x) => x.checkpointed).length, out, filtered, unbalanced, exact, load: os.loadavg()[0],
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function printChain(r) {
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  process.stdout.write(`\na chain of ${r.nodes.toLocaleString()} nodes (10 rows, trivial filters; load ${r.load.toFixed(2)})\n`);
  process.stdout.write(`  pre-run checks and plan, engine loaded : ${s(r.planMs)} (target: under 2 s); the schema pass \`validate\` adds: ${s(r.schemaMs)}\n`);
  process.stdout.write(`  sluice validate, whole process          : ${s(r.validateMs)}\n`);
  process.stdout.write(`  sluice run, whole process               : ${s(r.runMs)} (target: under 30 s), ${(r.runMs / r.nodes).toFixed(1)} ms per node; ${r.checkpointed} nodes checkpointed\n`);
  process.stdout.write(`  result: ${r.out} row out, ${r.filtered} filtered, ${r.unbalanced} unbalanced nodes — ${r.exact ? 'exact' : 'ERROR: not exact'}\n`);
}
