// Static schema pass on a 300-node pipeline (engine side, as `validate`/`schemas` run it after each edit): a
// cold pass (file header read, every expression described by DuckDB), a warm pass (nothing changed), and passes
// after edits that change no schema (a filter's condition) and that change one (a derived column's type). Then
// the same from the designer's page in Chromium: the time from an edited document to the schemas answer the
// page receives from `sluice serve` (the request the designer sends after its edit debounce, without the debounce).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startServer } from './ui.mjs';

export function schemaBenchPipeline(n = 300) {
  const nodes = [{ id: 'src', kind: 'source.csv', config: { path: 'orders.csv', types: { quantity: 'INTEGER', unit_price: 'DECIMAL(10,2)' } } }];
  const cycle = [
    (i) => ({ kind: 'filter', config: { expression: `quantity > ${i % 7}` } }),
    (i) => ({ kind: 'derive', config: { columns: [{ name: `d${i}`, expression: `quantity * unit_price + ${i}` }] } }),
    () => ({ kind: 'validate', config: { rules: [{ id: 'q', type: 'range', column: 'quantity', min: 0 }] } }),
    () => ({ kind: 'sort', config: { by: [{ column: 'quantity' }] } }),
    () => ({ kind: 'cast', config: { types: { country: 'VARCHAR' } } }),
  ];
  for (let i = 1; i < n - 1; i++) nodes.push({ id: `n${i}`, ...cycle[i % cycle.length](i) });
  nodes.push({ id: 'agg', kind: 'aggregate', config: { groupBy: ['country'], aggregates: [{ fn: 'sum', column: 'unit_price', as: 'revenue' }] } });
  // A chain; validate nodes feed on from `valid`.
  const byId = new Map(nodes.map((x) => [x.id, x]));
  const fixed = [];
  let last = 'src';
  for (const x of nodes.slice(1)) {
    const from = byId.get(last);
    fixed.push({ from: { node: last, port: from.kind === 'validate' ? 'valid' : 'out' }, to: { node: x.id, port: 'in' } });
    last = x.id;
  }
  return { version: 1, name: `schema bench ${n}`, nodes: nodes.map((x, i) => ({ ...x, position: { x: i * 10, y: 0 } })), edges: fixed };
}

export async function measureSchemas(root) {
  const { staticCheck } = await import(path.join(root, 'engine', 'dist', 'analysis', 'check.js'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-schema-bench-'));
  fs.writeFileSync(path.join(dir, 'orders.csv'), 'order_id,customer_id,country,quantity,unit_price\n1,C1,DE,2,9.90\n');
  const p = schemaBenchPipeline(300);
  const time = async (doc) => {
    const t0 = performance.now();
    const r = await staticCheck(doc, { baseDir: dir });
    const ms = performance.now() - t0;
    if (r.problems.length > 0) throw new Error(`bench pipeline has problems: ${r.problems[0].message}`);
    return ms;
  };
  const cold = await time(p);
  const warm = [];
  for (let i = 0; i < 15; i++) warm.push(await time(p));
  const edits = [];
  for (let i = 0; i < 15; i++) {
    const doc = structuredClone(p);
    doc.nodes[150].config = doc.nodes[150].kind === 'filter' ? { expression: `quantity > ${100 + i}` } : doc.nodes[150].config;
    doc.nodes.find((x) => x.kind === 'filter' && x.id !== doc.nodes[150].id).config = { expression: `quantity >= ${200 + i}` };
    edits.push(await time(doc));
  }
  const typed = [];
  for (let i = 0; i < 9; i++) {
    const doc = structuredClone(p);
    // A derive near the start changes a column every later node sees: their cached describes no longer apply.
    const d = doc.nodes.find((x) => x.kind === 'derive');
    // A different type each time, so no pass finds the downstream describes cached from an earlier one.
    const retype = ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'FLOAT', 'DOUBLE', 'DATE', 'BOOLEAN'][i];
    d.config = { columns: [{ name: d.config.columns[0].name, expression: `CAST(NULL AS ${retype})` }] };
    typed.push(await time(doc));
  }
  fs.rmSync(dir, { recursive: true, force: true });
  // Median and best: on a shared machine the median includes time the process was not scheduled.
  const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const stat = (a) => ({ median: med(a), best: Math.min(...a) });
  return { nodes: p.nodes.length, cold, warm: stat(warm), edit: stat(edits), schemaEdit: stat(typed) };
}

export function printSchemas(r) {
  const f = (x) => `${x.median.toFixed(1)} ms (best ${x.best.toFixed(1)})`;
  process.stdout.write(`\nstatic schemas, ${r.nodes}-node pipeline (engine process, file check + schema pass, median of runs): cold ${r.cold.toFixed(0)} ms; unchanged ${f(r.warm)}; after an edit ${f(r.edit)}; after an edit that retypes a column seen by ~250 nodes ${f(r.schemaEdit)}\n`);
}

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

export async function measureSchemasInBrowser(root, edits = 40) {
  let chromium;
  try {
    ({ chromium } = await import('@playwright/test'));
  } catch {
    return { skipped: 'Playwright is not installed' };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-schema-browser-'));
  fs.writeFileSync(path.join(dir, 'orders.csv'), 'order_id,customer_id,country,quantity,unit_price\n1,C1,DE,2,9.90\n');
  const { link, child } = await startServer(root, dir);
  let browser;
  try {
    const executablePath = process.env.SLUICE_CHROMIUM ?? (fs.existsSync(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : undefined);
    browser = await chromium.launch({ ...(executablePath ? { executablePath } : {}), args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    const page = await browser.newPage();
    const url = new URL(link);
    const token = new URLSearchParams(url.hash.replace(/^#/, '')).get('token');
    await page.goto(`${url.origin}/`);
    const times = await page.evaluate(
      async ({ p, token, edits }) => {
        const ask = async (doc) => {
          const t0 = performance.now();
          const res = await fetch('/api/schemas', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ pipeline: doc }) });
          const body = await res.json();
          const ms = performance.now() - t0;
          if (!res.ok || body.problems.length > 0) throw new Error(`schemas answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
          return ms;
        };
        await ask(p);
        const out = [];
        for (let i = 0; i < edits; i++) {
          const doc = structuredClone(p);
          // An edit in the middle of the chain, as a user typing into a filter's condition.
          const f = doc.nodes.filter((x) => x.kind === 'filter')[Math.floor(doc.nodes.length / 10)];
          f.config = { expression: `quantity > ${1000 + i}` };
          out.push(await ask(doc));
        }
        return out;
      },
      { p: schemaBenchPipeline(300), token, edits },
    );
    const sorted = [...times].sort((a, b) => a - b);
    const q = (x) => sorted[Math.min(sorted.length - 1, Math.floor(x * sorted.length))];
    return { edits, median: q(0.5), p95: q(0.95), best: sorted[0], load: os.loadavg()[0] };
  } finally {
    await browser?.close();
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function printSchemasInBrowser(r) {
  if (r.skipped) {
    process.stdout.write(`static schemas in the browser skipped: ${r.skipped}\n`);
    return;
  }
  process.stdout.write(`static schemas in Chromium, 300-node pipeline, edit to answer (${r.edits} edits, load average ${r.load.toFixed(1)}): median ${r.median.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, best ${r.best.toFixed(1)} ms\n`);
}
