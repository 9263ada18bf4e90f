// `sluice run`'s start-up, supervised (the default: the run happens in a worker process that a crash of DuckDB
// cannot take the CLI down with) against unsupervised (SLUICE_NO_SUPERVISOR=1, one process). Measured on a trivial
// pipeline (10 CSV rows, a filter, a CSV sink) as a user meets it, whole process: from spawning `sluice run --json`
// to the first `node-start` event on stdout, and to the process's exit. Configurations are interleaved and the
// median compared, since this machine's timings wander. Issue 18's target: supervised within 0.3 s of unsupervised.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

function trivialPipeline(dir) {
  fs.writeFileSync(path.join(dir, 'in.csv'), `id,v\n${Array.from({ length: 10 }, (_, i) => `${i + 1},v${i}`).join('\n')}\n`);
  const file = path.join(dir, 'trivial.pipeline.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      name: 'start-up',
      nodes: [
        { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
        { id: 'keep', kind: 'filter', config: { expression: "v <> 'v3'" } },
        { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
      ],
      edges: [
        { from: { node: 'src', port: 'out' }, to: { node: 'keep', port: 'in' } },
        { from: { node: 'keep', port: 'out' }, to: { node: 'out', port: 'in' } },
      ],
    }),
  );
  return file;
}

/** One `sluice run --json`: ms to the first node-start event and to exit; fails loudly on a non-zero exit. */
function once(root, file, env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let firstNode;
    let out = '';
    let err = '';
    const child = spawn(process.execPath, [path.join(root, 'engine', 'bin', 'sluice.js'), 'run', file, '--json', '--history', path.join(path.dirname(file), 'h')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (b) => {
      out += b.toString('utf8');
      if (firstNode === undefined && out.includes('"event":"node-start"')) firstNode = performance.now() - t0;
    });
    child.stderr.on('data', (b) => (err += b.toString('utf8')));
    child.on('close', (code) => {
      const total = performance.now() - t0;
      if (code !== 0 || firstNode === undefined) reject(new Error(`sluice run exited with ${code}: ${err.slice(-500)}`));
      else resolve({ firstNodeMs: firstNode, totalMs: total });
    });
  });
}

export async function benchStartup({ root, repeat = 5 }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-startup-'));
  try {
    const file = trivialPipeline(dir);
    const configs = { supervised: {}, unsupervised: { SLUICE_NO_SUPERVISOR: '1' } };
    const runs = { supervised: [], unsupervised: [] };
    // One untimed run of each first: the first start after a build reads every file from disk.
    for (const env of Object.values(configs)) await once(root, file, env);
    for (let i = 0; i < repeat; i++) for (const [k, env] of Object.entries(configs)) runs[k].push(await once(root, file, env));
    const summary = (k) => ({ firstNodeMs: median(runs[k].map((r) => r.firstNodeMs)), totalMs: median(runs[k].map((r) => r.totalMs)) });
    return { repeat, supervised: summary('supervised'), unsupervised: summary('unsupervised'), load: os.loadavg()[0] };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function printStartup(r) {
  const s = (x) => `first node started ${(x.firstNodeMs / 1000).toFixed(2)} s, finished ${(x.totalMs / 1000).toFixed(2)} s`;
  const over = (r.supervised.firstNodeMs - r.unsupervised.firstNodeMs) / 1000;
  process.stdout.write(`\nstart-up of \`sluice run\` on a 3-node, 10-row pipeline (median of ${r.repeat}, load ${r.load.toFixed(2)})\n`);
  process.stdout.write(`  supervised (default)        : ${s(r.supervised)}\n`);
  process.stdout.write(`  unsupervised (one process)  : ${s(r.unsupervised)}\n`);
  process.stdout.write(`  supervision costs ${over.toFixed(2)} s to the first node, ${((r.supervised.totalMs - r.unsupervised.totalMs) / 1000).toFixed(2)} s in all (target: at most 0.3 s)\n`);
}
