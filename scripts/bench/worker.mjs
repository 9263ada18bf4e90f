// One measured run, engine or hand-written SQL, printed as a JSON line.
import * as path from 'node:path';
import * as fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

// SLUICE_BENCH_ENGINE: another build of the engine (a folder like engine/dist), to compare before and after.
const engineDir = path.resolve(process.env.SLUICE_BENCH_ENGINE ?? fileURLToPath(new URL('../../engine/dist', import.meta.url)));
/** The engine's module as a process that runs it loads it: bundled (engine/dist/bundle), or per file in an older build. */
const engineModule = (name) => pathToFileURL(fs.existsSync(path.join(engineDir, 'bundle', `${name}.js`)) ? path.join(engineDir, 'bundle', `${name}.js`) : path.join(engineDir, 'runtime', `${name}.js`)).href;

const [mode, dir] = process.argv.slice(2);
const out = path.join(dir, `out-${mode}`);
fs.mkdirSync(out, { recursive: true });
const started = performance.now();
let result;
let checkpointed;

if (mode === 'preview') {
  // Time to first rows: what the designer waits for when a node over the big source is selected.
  const { PreviewSession } = await import(engineModule('preview'));
  const { preparePipeline } = await import(engineModule('run'));
  const p = preparePipeline({ version: 1, name: 'preview', nodes: [
    { id: 'orders', kind: 'source.csv', config: { path: 'orders.csv', types: { quantity: 'INTEGER', unit_price: 'DECIMAL(10,2)' } } },
    { id: 'rules', kind: 'validate', config: { rules: [{ id: 'quantity_positive', type: 'range', column: 'quantity', min: 1 }] } },
    { id: 'big', kind: 'aggregate', config: { groupBy: ['country'], aggregates: [{ fn: 'count', as: 'orders' }] } },
  ], edges: [
    { from: { node: 'orders', port: 'out' }, to: { node: 'rules', port: 'in' } },
    { from: { node: 'rules', port: 'valid' }, to: { node: 'big', port: 'in' } },
  ] }, {});
  const s = new PreviewSession();
  const timed = async (node) => { const t = performance.now(); const r = await s.preview(p, node, 200, dir); return { ms: Math.round(performance.now() - t), rows: r.rows.length, sampled: r.sampled }; };
  const first = await timed('rules');
  const cached = await timed('rules');
  const full = await timed('big');
  s.close();
  result = { valid: 0, rejected: 0, filtered: 0, groupsChecksum: '', previewFirstMs: first.ms, previewCachedMs: cached.ms, previewAggregateMs: full.ms, sampled: first.sampled };
} else if (mode === 'sql') {
  const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
  const c = await inst.connect();
  const src = path.join(dir, 'orders.csv').replaceAll("'", "''");
  const cust = path.join(dir, 'customers.csv').replaceAll("'", "''");
  await c.run(`CREATE TABLE raw AS SELECT * FROM read_csv('${src}', header=true, all_varchar=true, auto_detect=false, columns={'order_id':'VARCHAR','customer_id':'VARCHAR','country':'VARCHAR','quantity':'VARCHAR','unit_price':'VARCHAR','status':'VARCHAR'}, strict_mode=true, store_rejects=true)`);
  await c.run(`CREATE TABLE customers AS SELECT * FROM read_csv('${cust}', header=true, all_varchar=true)`);
  await c.run(`CREATE TABLE typed AS SELECT order_id, customer_id, country, TRY_CAST(quantity AS INTEGER) AS quantity, TRY_CAST(unit_price AS DECIMAL(10,2)) AS unit_price, status FROM raw WHERE regexp_full_match(quantity, '[+-]?[0-9]+') AND regexp_full_match(unit_price, '[+-]?[0-9]+(\\.[0-9]{0,2})?')`);
  await c.run(`CREATE TABLE valid AS SELECT t.* FROM typed t WHERE customer_id IS NOT NULL AND quantity >= 1 AND EXISTS (SELECT 1 FROM customers k WHERE k.customer_id = t.customer_id)`);
  await c.run(`CREATE TABLE agg AS SELECT v.country, k.segment, count(*) AS orders, sum(v.quantity * v.unit_price) AS revenue FROM valid v JOIN customers k USING (customer_id) GROUP BY ALL ORDER BY ALL`);
  await c.run(`COPY agg TO '${path.join(out, 'agg.parquet').replaceAll("'", "''")}' (FORMAT parquet)`);
  const n = async (q) => Number((await c.runAndReadAll(q)).getRowsJS()[0][0]);
  const valid = await n('SELECT count(*) FROM valid');
  const total = await n('SELECT count(*) FROM raw') + await n('SELECT count(DISTINCT line) FROM reject_errors');
  const checksum = String((await c.runAndReadAll('SELECT sum(orders)::VARCHAR || \'/\' || sum(revenue)::VARCHAR FROM agg')).getRowsJS()[0][0]);
  result = { valid, rejected: total - valid, filtered: 0, groupsChecksum: checksum };
} else {
  const { runPipeline } = await import(engineModule('run'));
  const pipeline = {
    version: 1,
    name: 'bench',
    nodes: [
      { id: 'orders', kind: 'source.csv', config: { path: 'orders.csv', types: { quantity: 'INTEGER', unit_price: 'DECIMAL(10,2)' } } },
      { id: 'customers', kind: 'source.csv', config: { path: 'customers.csv' } },
      { id: 'rules', kind: 'validate', config: { rules: [
        { id: 'customer_required', type: 'not_null', column: 'customer_id' },
        { id: 'quantity_positive', type: 'range', column: 'quantity', min: 1 },
        { id: 'known_customer', type: 'lookup', column: 'customer_id', referenceColumn: 'customer_id' },
      ] } },
      { id: 'enrich', kind: 'join', config: { type: 'inner', on: [{ left: 'customer_id', right: 'customer_id' }] } },
      { id: 'agg', kind: 'aggregate', config: { groupBy: ['country', 'segment'], aggregates: [{ fn: 'count', as: 'orders' }, { fn: 'sum', column: 'line_total', as: 'revenue' }] } },
      { id: 'amount', kind: 'derive', config: { columns: [{ name: 'line_total', expression: 'quantity * unit_price' }] } },
      { id: 'write', kind: 'sink.parquet', config: { path: `out-${mode}/agg.parquet` } },
    ],
    edges: [
      { from: { node: 'orders', port: 'out' }, to: { node: 'rules', port: 'in' } },
      { from: { node: 'customers', port: 'out' }, to: { node: 'rules', port: 'reference' } },
      { from: { node: 'rules', port: 'valid' }, to: { node: 'enrich', port: 'left' } },
      { from: { node: 'customers', port: 'out' }, to: { node: 'enrich', port: 'right' } },
      { from: { node: 'enrich', port: 'out' }, to: { node: 'amount', port: 'in' } },
      { from: { node: 'amount', port: 'out' }, to: { node: 'agg', port: 'in' } },
      { from: { node: 'agg', port: 'out' }, to: { node: 'write', port: 'in' } },
    ],
  };
  const historyDir = path.join(dir, 'history', mode + (process.env.SLUICE_BENCH_CHECKPOINT ?? 'auto'));
  const m = await runPipeline({ pipeline, baseDir: dir, historyDir, checkpoint: process.env.SLUICE_BENCH_CHECKPOINT ?? 'auto' });
  if (m.outcome !== 'succeeded') throw new Error(m.errors.join('\n'));
  for (const n of m.nodes) process.stderr.write(`  ${n.nodeId.padEnd(10)} ${String(n.durationMs).padStart(7)} ms\n`);
  // The journal says which outputs were checkpointed (the files themselves are removed once a run succeeds).
  const journal = fs.readFileSync(path.join(historyDir, m.runId, 'journal.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  checkpointed = journal.filter((e) => e.t === 'node' && Object.values(e.outputs).some((o) => o && o !== 'unread')).map((e) => e.nodeId);
  const node = (id) => m.nodes.find((x) => x.nodeId === id);
  const quarantined = m.nodes.filter((x) => x.nodeId !== 'customers').reduce((s, x) => s + x.quarantined, 0);
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  const checksum = String((await c.runAndReadAll(`SELECT sum(orders)::VARCHAR || '/' || sum(revenue)::VARCHAR FROM read_parquet('${path.join(out, 'agg.parquet').replaceAll("'", "''")}')`)).getRowsJS()[0][0]);
  result = { valid: node('enrich').rowsOut, rejected: quarantined, filtered: node('orders').filtered, groupsChecksum: checksum, checkpointed };
}

const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ mode, seconds, maxRssMB: process.resourceUsage().maxRSS / 1024, ...result })}\n`);
