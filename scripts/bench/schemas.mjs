// Static schema pass on a 300-node pipeline (engine side, as `validate`/`schemas` run it after each edit): a
// cold pass (file header read, every expression described by DuckDB), a warm pass (nothing changed), and passes
// after edits that change no schema (a filter's condition) and that change one (a derived column's type). Then
// the same from the designer's page in Chromium, the designer's way: its own pass over the edited document, and the
// engine's answer only where that pass needs one (see measureSchemasInBrowser).
/* global window -- the function given to page.evaluate runs in the browser */
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

/** The designer's own pass (@sluice/format/schema/local) bundled for the page, as the designer's bundle holds it. */
async function localPassBundle(root) {
  const esbuild = await import('esbuild');
  const r = await esbuild.build({
    // The contract too: the designer's client checks every answer against it (renderer/src/api/client.ts).
    // By package name, as the designer imports them; the `sluice-source` condition picks the TypeScript sources (the
    // package's exports), so no built format/dist is needed.
    stdin: { contents: "export { engineBasis, localSchemas, settle } from '@sluice/format/schema/local'; export { engineMethods } from '@sluice/format/api/contract';", resolveDir: root, loader: 'ts' },
    conditions: ['sluice-source'],
    bundle: true,
    format: 'iife',
    globalName: 'SluiceLocal',
    platform: 'browser',
    write: false,
    minify: true,
  });
  return r.outputFiles[0].text;
}

/**
 * Edit to answer in Chromium, the designer's way: its own pass over the edited document (the engine's last answer
 * per node, pure kinds computed in the page) and, only when that pass names nodes the engine must judge, the
 * request to `sluice serve` and its answer (without the designer's debounce). Two edits: a pure node (a sort's
 * column and direction, in the middle of the chain) and an expression node (a filter's condition). Each pure
 * edit's answer is checked against the engine's own answer for the same document (untimed).
 */
export async function measureSchemasInBrowser(root, edits = 40) {
  let chromium;
  try {
    ({ chromium } = await import('@playwright/test'));
  } catch {
    return { skipped: 'Playwright is not installed' };
  }
  const bundle = await localPassBundle(root);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-schema-browser-'));
  fs.writeFileSync(path.join(dir, 'orders.csv'), 'order_id,customer_id,country,quantity,unit_price\n1,C1,DE,2,9.90\n');
  const { link, child } = await startServer(root, dir);
  let browser;
  try {
    const executablePath = process.env.SLUICE_CHROMIUM ?? (fs.existsSync(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : undefined);
    browser = await chromium.launch({ ...(executablePath ? { executablePath } : {}), args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    // The designer's page allows only its own scripts; the bench adds the pass as its bundle would hold it.
    const page = await (await browser.newContext({ bypassCSP: true })).newPage();
    const url = new URL(link);
    const token = new URLSearchParams(url.hash.replace(/^#/, '')).get('token');
    await page.goto(`${url.origin}/`);
    await page.addScriptTag({ content: bundle });
    const loadBefore = os.loadavg()[0];
    await page.exposeFunction('sluiceLoad', () => os.loadavg()[0]);
    const r = await page.evaluate(
      async ({ p, token, edits }) => {
        const { engineBasis, engineMethods, localSchemas, settle } = window.SluiceLocal;
        const post = async (method, body) => {
          const res = await fetch(`/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
          const json = await res.json();
          if (!res.ok) throw new Error(`${method} answered ${res.status}: ${JSON.stringify(json).slice(0, 300)}`);
          const checked = engineMethods[method].output.safeParse(json);
          if (!checked.success) throw new Error(`${method}'s answer does not match the contract`);
          return checked.data;
        };
        const catalog = await post('catalog', {});
        const outputs = new Map(catalog.kinds.map((k) => [k.kind, k.outputs.map((o) => o.name)]));
        const outputsOf = (kind) => outputs.get(kind);
        // The designer sends its document with every parameter block filled in; the engine's checked form does too.
        const full = (doc) => ({ params: {}, ...doc });
        let first = await post('schemas', { pipeline: p });
        if (first.problems.length > 0) throw new Error(`bench pipeline has problems: ${first.problems[0].message}`);
        let basis = engineBasis(full(p), first);
        const sorts = p.nodes.filter((x) => x.kind === 'sort');
        const sortAt = p.nodes.indexOf(sorts[Math.floor(sorts.length / 2)]);
        const filters = p.nodes.filter((x) => x.kind === 'filter');
        const filterAt = p.nodes.indexOf(filters[Math.floor(filters.length / 10)]);
        const pure = [];
        const expression = { columns: [], verdict: [], sent: [], incomplete: 0, mismatches: 0 };
        let mismatches = 0;
        let engineAsked = 0;
        // The machine's load as each section starts (1-minute average, read by the bench's Node side).
        const loads = { pure: await window.sluiceLoad() };
        for (let i = 0; i < edits; i++) {
          const doc = structuredClone(p);
          doc.nodes[sortAt].config = { by: [{ column: i % 2 ? 'unit_price' : 'quantity', descending: i % 3 === 0 }] };
          const t0 = performance.now();
          const local = localSchemas(full(doc), basis, outputsOf);
          const ms = performance.now() - t0;
          if (local.unjudged || local.stale.length > 0) {
            engineAsked++;
          }
          pure.push(ms);
          // Untimed: the engine's own answer for this document must be the same.
          const engine = await post('schemas', { pipeline: doc });
          if (JSON.stringify(engine.ports) !== JSON.stringify(local.ports) || JSON.stringify(engine.problems) !== JSON.stringify(local.problems)) mismatches++;
        }
        // An expression edit, the designer's way (state/checks.ts): its own pass, then `schemasFor` about the stale
        // nodes (and those below them if their columns changed), learnt and passed over again (`settle`). Each merged answer is checked against the
        // engine's whole-document answer (untimed), and the basis goes on from the merged answer as the designer's does.
        const expressionEdit = async (doc, sample) => {
          const t0 = performance.now();
          const local = localSchemas(full(doc), basis, outputsOf);
          const t1 = performance.now();
          if (local.unjudged) throw new Error(`the edit was not judged locally: ${local.unjudged}`);
          const r = await settle(full(doc), basis, outputsOf, (nodes) => post('schemasFor', { nodes }));
          basis = r.basis;
          const merged = r.local;
          const sent = r.sent.join('+');
          const t2 = performance.now();
          sample.columns.push(t1 - t0);
          sample.verdict.push(t2 - t0);
          sample.sent.push(sent);
          if (merged.stale.length > 0 || merged.unjudged) sample.incomplete++;
          const engine = await post('schemas', { pipeline: doc });
          if (JSON.stringify(engine.ports) !== JSON.stringify(merged.ports) || JSON.stringify(engine.problems) !== JSON.stringify(merged.problems)) sample.mismatches++;
        };
        const sample = () => ({ columns: [], verdict: [], sent: [], incomplete: 0, mismatches: 0 });
        loads.filter = await window.sluiceLoad();
        for (let i = 0; i < edits; i++) {
          const doc = structuredClone(p);
          doc.nodes[filterAt].config = { expression: `quantity > ${1000 + i}` };
          await expressionEdit(doc, expression);
        }
        // A derive near the start retyped, a new type and text each time: every node below sees the column change.
        const derives = p.nodes.filter((x) => x.kind === 'derive');
        const deriveAt = p.nodes.indexOf(derives[Math.floor(derives.length / 10)]);
        const retypes = ['DOUBLE', 'BIGINT', 'FLOAT', 'HUGEINT', 'INTEGER', 'DECIMAL(18,3)', 'SMALLINT', 'DECIMAL(12,1)'];
        const derive = sample();
        loads.derive = await window.sluiceLoad();
        for (let i = 0; i < edits; i++) {
          const doc = structuredClone(p);
          const d = doc.nodes[deriveAt];
          d.config = { columns: [{ name: d.config.columns[0].name, expression: `CAST(quantity AS ${retypes[i % retypes.length]}) + ${2000 + i}` }] };
          await expressionEdit(doc, derive);
        }
        // The same filter edits the way the designer asked before schemasFor: the whole document, for comparison.
        const whole = [];
        loads.whole = await window.sluiceLoad();
        for (let i = 0; i < edits; i++) {
          const doc = structuredClone(p);
          doc.nodes[filterAt].config = { expression: `quantity > ${3000 + i}` };
          const t0 = performance.now();
          const local = localSchemas(full(doc), basis, outputsOf);
          if (local.stale.length > 0 || local.unjudged) basis = engineBasis(full(doc), await post('schemas', { pipeline: doc }));
          whole.push(performance.now() - t0);
        }
        return { pure, expression, derive, whole, mismatches, engineAsked, loads };
      },
      { p: schemaBenchPipeline(300), token, edits },
    );
    const stat = (times) => {
      const sorted = [...times].sort((a, b) => a - b);
      const q = (x) => sorted[Math.min(sorted.length - 1, Math.floor(x * sorted.length))];
      return { median: q(0.5), p95: q(0.95), best: sorted[0] };
    };
    const common = (a) => [...new Set(a)].join(', ');
    const edit = (x) => ({ columns: stat(x.columns), verdict: stat(x.verdict), sent: common(x.sent), incomplete: x.incomplete, mismatches: x.mismatches });
    return { edits, pure: stat(r.pure), filter: edit(r.expression), derive: edit(r.derive), whole: stat(r.whole), mismatches: r.mismatches, engineAsked: r.engineAsked, loads: r.loads, load: [loadBefore, os.loadavg()[0]] };
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
  const f = (x) => `median ${x.median.toFixed(2)} ms, p95 ${x.p95.toFixed(2)} ms, best ${x.best.toFixed(2)} ms`;
  const load = `load average ${r.load[0].toFixed(1)} → ${r.load[1].toFixed(1)}`;
  const at = (k) => ` (load ${r.loads[k].toFixed(1)})`;
  const expr = (x) => `columns ${f(x.columns)}; with the engine's verdict (schemasFor, nodes sent per request: ${x.sent}) ${f(x.verdict)}; left stale ${x.incomplete}, differing from the engine's whole-document answer ${x.mismatches}`;
  process.stdout.write(`static schemas in Chromium, 300-node pipeline, edit to answer (${r.edits} edits each, ${load}):\n`);
  process.stdout.write(`  edit to a pure node (a sort)${at('pure')}: ${f(r.pure)}; the engine asked ${r.engineAsked} times; answers differing from the engine's: ${r.mismatches}\n`);
  process.stdout.write(`  edit to a filter's condition${at('filter')}: ${expr(r.filter)}\n`);
  process.stdout.write(`  edit retyping a derive's column (near the start)${at('derive')}: ${expr(r.derive)}\n`);
  process.stdout.write(`  the filter edit with the whole document sent instead (as before schemasFor)${at('whole')}: ${f(r.whole)}\n`);
}
