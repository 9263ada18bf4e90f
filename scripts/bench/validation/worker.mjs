// One measured run of the validation or Parquet workload, printed as a JSON line (time and peak RSS of this whole
// process). After the clock stops, the run's quarantine (line, sorted rule ids) and daily groups (day, country,
// orders, revenue in cents) are written as CSV for the independent oracle (oracle.mjs) to check.
//   node worker.mjs engine|sql|sql-staged|parquet-engine|parquet-sql DIR
// BENCH_MEMORY_LIMIT (e.g. 1.5GB) limits DuckDB in both the engine and the hand-written SQL.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { COUNTRIES, STATUSES } from './generate.mjs';

const [mode, dir] = process.argv.slice(2);
const out = path.join(dir, `out-${mode}`);
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
const q = (p) => `'${p.replaceAll("'", "''")}'`;
const limit = process.env.BENCH_MEMORY_LIMIT;
// The hand-written SQL loads DuckDB's package before its clock starts, as a script using it would. The engine modes do
// not load it: the engine loads DuckDB itself (its bundle carries DuckDB's JavaScript: scripts/bundle-engine.mjs), so
// they measure what a process running the engine loads. The whole-process time counts both from the spawn.
let DuckDBInstance = mode.includes('sql') ? (await import('@duckdb/node-api')).DuckDBInstance : undefined;
const started = performance.now();
const EMAIL = '[^@\\s]+@[^@\\s]+\\.[a-z]+';
const DEC = '\\s*[+-]?([0-9]+(\\.[0-9]{0,2})?|\\.[0-9]{1,2})\\s*';
const TS_RE = '[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}';
const TS_FMT = '%Y-%m-%d %H:%M:%S';
const inSet = (xs) => xs.map((x) => `'${x}'`).join(', ');
let extra = {};
// SLUICE_BENCH_ENGINE: another build of the engine (a folder like engine/dist), to compare before and after. The
// engine is loaded as a process that runs it does: from its bundle (engine/dist/bundle, the run worker's), or from the
// per-file output when the build has none (an older build).
const engineDir = path.resolve(process.env.SLUICE_BENCH_ENGINE ?? fileURLToPath(new URL('../../../engine/dist', import.meta.url)));
const engineRun = pathToFileURL(fs.existsSync(path.join(engineDir, 'bundle', 'run.js')) ? path.join(engineDir, 'bundle', 'run.js') : path.join(engineDir, 'runtime', 'run.js')).href;

async function duck() {
  const inst = await DuckDBInstance.create(':memory:', { threads: '2', ...(limit ? { memory_limit: limit } : {}) });
  const c = await inst.connect();
  await c.run(`SET temp_directory = ${q(path.join(out, 'tmp'))}`);
  return c;
}

// The rules of the workload, the same for both SQL baselines: each is TRUE when the row fails it.
const RULE_SQL = [
  ['amount_decimal', `amount IS NULL OR NOT (regexp_full_match(amount, '${DEC}') AND TRY_CAST(amount AS DECIMAL(12,2)) IS NOT NULL)`],
  ['amount_nonnegative', `amount IS NOT NULL AND coalesce(NOT isfinite(TRY_CAST(amount AS DOUBLE)) OR TRY_CAST(amount AS DOUBLE) < 0, true)`],
  ['country_known', `country IS NOT NULL AND country NOT IN (${inSet(COUNTRIES)})`],
  ['created_at_format', `created_at IS NULL OR NOT regexp_full_match(created_at, '${TS_RE}') OR try_strptime(created_at, '${TS_FMT}') IS NULL`],
  ['customer_required', 'customer_id IS NULL'],
  ['email_format', `email IS NOT NULL AND NOT regexp_full_match(email, '${EMAIL}')`],
  ['known_customer', 'customer_id IS NOT NULL AND segment IS NULL'],
  ['order_id_required', 'order_id IS NULL'],
  ['order_id_unique', 'first_line IS NOT NULL AND line > first_line'],
  ['status_known', `status IS NOT NULL AND status NOT IN (${inSet(STATUSES)})`],
];
const ruleList = `list_filter([${RULE_SQL.map(([id, sql]) => `CASE WHEN ${sql} THEN '${id}' END`).join(', ')}], x -> x IS NOT NULL)`;
const COLS = ['order_id', 'customer_id', 'email', 'amount', 'country', 'status', 'created_at', 'channel'];
// A field as the CSV means it: a quoted field loses its quotes, and an empty field (quoted or not) is NULL.
const UNQUOTE = `CREATE MACRO unq(x) AS nullif(CASE WHEN length(x) >= 2 AND starts_with(x, '"') AND ends_with(x, '"') THEN replace(x[2:-2], '""', '"') ELSE x END, '')`;
// Every physical line as one text value (a byte that never occurs as the delimiter, no quoting): nothing can be
// rejected, blank lines come back as NULL, and the table's row order is the file's line order.
const readLines = (file) => `SELECT l FROM read_csv(${q(file)}, columns = {'l': 'VARCHAR'}, delim = '\x01', quote = '', escape = '', header = false, auto_detect = false, strict_mode = false)`;

if (mode === 'sql') {
  // The fastest lossless script we could write: one copy of the lines, one judging pass that splits, types and
  // checks every rule at once (the customers join doubles as the lookup), and three COPYs from the judged rows.
  const c = await duck();
  await c.run(UNQUOTE);
  await c.run(`CREATE TABLE lines AS ${readLines(path.join(dir, 'orders.csv'))}`);
  await c.run(`CREATE TABLE customers AS SELECT * FROM read_csv(${q(path.join(dir, 'customers.csv'))}, header = true, all_varchar = true)`);
  await c.run(`CREATE TABLE judged AS
    WITH split AS (SELECT rowid + 1 AS line, l, string_split(l, ',') AS f FROM lines WHERE rowid > 0),
    fields AS (SELECT line, l, len(f) AS n, ${COLS.map((x, i) => `CASE WHEN len(f) = 8 THEN unq(f[${i + 1}]) END AS ${x}`).join(', ')} FROM split),
    dups AS (SELECT order_id, min(line) AS first_line FROM fields WHERE n = 8 AND order_id IS NOT NULL GROUP BY order_id HAVING count(*) > 1),
    checked AS (
      SELECT f.*, k.segment, d.first_line,
        CASE WHEN f.l IS NULL THEN ['blank_line'] WHEN f.n <> 8 THEN ['malformed'] ELSE ${ruleList} END AS rules
      FROM fields f LEFT JOIN customers k USING (customer_id) LEFT JOIN dups d USING (order_id))
    SELECT line, CASE WHEN len(rules) > 0 THEN l END AS l, rules, order_id, customer_id, email,
      CASE WHEN len(rules) = 0 THEN CAST(amount AS DECIMAL(12,2)) END AS amount, country, status,
      CASE WHEN len(rules) = 0 THEN strptime(created_at, '${TS_FMT}') END AS created_at, channel, segment
    FROM checked`);
  await c.run(`COPY (SELECT line, rules, l AS raw FROM judged WHERE len(rules) > 0 ORDER BY line) TO ${q(path.join(out, 'quarantine.parquet'))} (FORMAT parquet, COMPRESSION zstd)`);
  await c.run(`COPY (SELECT * EXCLUDE (line, l, rules) FROM judged WHERE len(rules) = 0) TO ${q(path.join(out, 'clean.parquet'))} (FORMAT parquet, COMPRESSION zstd)`);
  await c.run(`COPY (SELECT CAST(created_at AS DATE) AS day, country, count(*) AS orders, sum(amount) AS revenue FROM judged WHERE len(rules) = 0 GROUP BY ALL) TO ${q(path.join(out, 'daily.parquet'))} (FORMAT parquet, COMPRESSION zstd)`);
} else if (mode === 'sql-staged') {
  // The same work written the way the old baseline was: a table per step (lines, fields, typed, valid), each a
  // full copy of the rows; what a careful but not speed-minded DuckDB user writes.
  const c = await duck();
  await c.run(UNQUOTE);
  await c.run(`CREATE TABLE raw AS ${readLines(path.join(dir, 'orders.csv'))}`);
  await c.run('CREATE TABLE lines AS SELECT rowid + 1 AS line, l FROM raw');
  await c.run(`CREATE TABLE customers AS SELECT * FROM read_csv(${q(path.join(dir, 'customers.csv'))}, header = true, all_varchar = true)`);
  await c.run(`CREATE TABLE fields AS SELECT line, l, len(string_split(l, ',')) AS n, ${COLS.map((x, i) => `unq(string_split(l, ',')[${i + 1}]) AS ${x}`).join(', ')} FROM lines WHERE line > 1`);
  await c.run(`CREATE TABLE judged AS SELECT f.*, k.segment, CASE WHEN row_number() OVER (PARTITION BY f.order_id ORDER BY f.line) > 1 AND f.order_id IS NOT NULL THEN f.line END AS dup FROM fields f LEFT JOIN customers k USING (customer_id) WHERE f.n = 8`);
  await c.run(`CREATE TABLE q AS SELECT line, l, CASE WHEN l IS NULL THEN ['blank_line'] ELSE ['malformed'] END AS rules FROM fields WHERE n IS DISTINCT FROM 8
    UNION ALL SELECT line, l, ${ruleList.replaceAll('first_line IS NOT NULL AND line > first_line', 'dup IS NOT NULL')} AS rules FROM judged`);
  await c.run('DELETE FROM q WHERE len(rules) = 0');
  await c.run(`CREATE TABLE valid AS SELECT order_id, customer_id, email, CAST(amount AS DECIMAL(12,2)) AS amount, country, status, strptime(created_at, '${TS_FMT}') AS created_at, channel, segment FROM judged WHERE line NOT IN (SELECT line FROM q)`);
  await c.run(`COPY (SELECT line, rules, l AS raw FROM q ORDER BY line) TO ${q(path.join(out, 'quarantine.parquet'))} (FORMAT parquet, COMPRESSION zstd)`);
  await c.run(`COPY valid TO ${q(path.join(out, 'clean.parquet'))} (FORMAT parquet, COMPRESSION zstd)`);
  await c.run(`COPY (SELECT CAST(created_at AS DATE) AS day, country, count(*) AS orders, sum(amount) AS revenue FROM valid GROUP BY ALL) TO ${q(path.join(out, 'daily.parquet'))} (FORMAT parquet, COMPRESSION zstd)`);
} else if (mode === 'engine') {
  const { runPipeline } = await import(engineRun);
  const historyDir = path.join(out, 'history');
  const rel = path.relative(dir, out);
  const edge = (from, fromPort, to, toPort) => ({ from: { node: from, port: fromPort }, to: { node: to, port: toPort } });
  const pipeline = {
    version: 1,
    name: 'validation-bench',
    nodes: [
      { id: 'orders', kind: 'source.csv', config: { path: 'orders.csv', nullValues: [''], blankLines: 'quarantine' } },
      { id: 'customers', kind: 'source.csv', config: { path: 'customers.csv' } },
      { id: 'rules', kind: 'validate', kindVersion: 3, config: { rules: [
        { id: 'order_id_required', type: 'not_null', column: 'order_id' },
        { id: 'order_id_unique', type: 'unique', column: 'order_id', keep: 'first' },
        { id: 'customer_required', type: 'not_null', column: 'customer_id' },
        { id: 'known_customer', type: 'lookup', column: 'customer_id', referenceColumn: 'customer_id' },
        { id: 'email_format', type: 'regex', column: 'email', pattern: EMAIL },
        { id: 'amount_decimal', type: 'castable_to', column: 'amount', to: 'DECIMAL(12,2)', nulls: 'fail' },
        { id: 'amount_nonnegative', type: 'range', column: 'amount', min: 0 },
        { id: 'country_known', type: 'in_set', column: 'country', values: COUNTRIES },
        { id: 'status_known', type: 'in_set', column: 'status', values: STATUSES },
        { id: 'created_at_format', type: 'castable_to', column: 'created_at', to: 'TIMESTAMP', format: TS_FMT, nulls: 'fail' },
      ] } },
      { id: 'enrich', kind: 'join', config: { type: 'inner', on: [{ left: 'customer_id', right: 'customer_id' }] } },
      { id: 'day', kind: 'derive', config: { columns: [{ name: 'day', expression: 'CAST(created_at AS DATE)' }] } },
      { id: 'daily', kind: 'aggregate', config: { groupBy: ['day', 'country'], aggregates: [{ fn: 'count', as: 'orders' }, { fn: 'sum', column: 'amount', as: 'revenue' }] } },
      { id: 'write_clean', kind: 'sink.parquet', config: { path: `${rel}/clean.parquet` } },
      { id: 'write_daily', kind: 'sink.parquet', config: { path: `${rel}/daily.parquet` } },
    ],
    edges: [
      edge('orders', 'out', 'rules', 'in'),
      edge('customers', 'out', 'rules', 'reference'),
      edge('rules', 'valid', 'enrich', 'left'),
      edge('customers', 'out', 'enrich', 'right'),
      edge('enrich', 'out', 'write_clean', 'in'),
      edge('enrich', 'out', 'day', 'in'),
      edge('day', 'out', 'daily', 'in'),
      edge('daily', 'out', 'write_daily', 'in'),
    ],
  };
  const m = await runPipeline({ pipeline, baseDir: dir, historyDir, checkpoint: process.env.SLUICE_BENCH_CHECKPOINT ?? 'auto' });
  if (m.outcome !== 'succeeded') throw new Error(m.errors.join('\n'));
  extra = { nodes: Object.fromEntries(m.nodes.map((n) => [n.nodeId, n.durationMs])) };
  // The run keeps each node's quarantine as Parquet in its run folder: that is the engine's quarantine output.
  fs.writeFileSync(path.join(out, 'quarantine.list'), Object.values(m.quarantine).map((f) => path.join(historyDir, m.runId, f)).join('\n'));
} else if (mode === 'parquet-sql') {
  const c = await duck();
  await c.run(`COPY (SELECT carrier, origin, count(*) AS flights, avg(arr_delay) AS avg_arr_delay, sum(distance) AS distance FROM read_parquet(${q(path.join(dir, 'flights.parquet'))}) WHERE NOT cancelled AND distance > 500 GROUP BY ALL) TO ${q(path.join(out, 'by_route.parquet'))} (FORMAT parquet, COMPRESSION zstd)`);
} else if (mode === 'parquet-engine') {
  const { runPipeline } = await import(engineRun);
  const rel = path.relative(dir, out);
  const edge = (from, to) => ({ from: { node: from, port: 'out' }, to: { node: to, port: 'in' } });
  const pipeline = {
    version: 1,
    name: 'parquet-bench',
    nodes: [
      { id: 'flights', kind: 'source.parquet', config: { path: 'flights.parquet' } },
      { id: 'flown', kind: 'filter', config: { expression: 'NOT cancelled AND distance > 500', reason: 'cancelled or short' } },
      { id: 'by_route', kind: 'aggregate', config: { groupBy: ['carrier', 'origin'], aggregates: [{ fn: 'count', as: 'flights' }, { fn: 'avg', column: 'arr_delay', as: 'avg_arr_delay' }, { fn: 'sum', column: 'distance', as: 'distance' }] } },
      { id: 'write', kind: 'sink.parquet', config: { path: `${rel}/by_route.parquet` } },
    ],
    edges: [edge('flights', 'flown'), edge('flown', 'by_route'), edge('by_route', 'write')],
  };
  const m = await runPipeline({ pipeline, baseDir: dir, historyDir: path.join(out, 'history'), checkpoint: process.env.SLUICE_BENCH_CHECKPOINT ?? 'auto' });
  if (m.outcome !== 'succeeded') throw new Error(m.errors.join('\n'));
  extra = { nodes: Object.fromEntries(m.nodes.map((n) => [n.nodeId, n.durationMs])) };
} else if (mode === 'preview-sources') {
  // Preview of each source node, as the designer asks for it when a source is selected (200 rows): the engine's
  // start-up (importing it, a run's modules included) is timed apart from each preview; each source gets a fresh
  // session, so its time includes opening the session's database. Only the files present in DIR are previewed.
  const t = performance.now();
  const { PreviewSession } = await import(new URL('preview.js', new URL(engineRun, import.meta.url)).href);
  const { preparePipeline } = await import(engineRun);
  const startupMs = performance.now() - t;
  const sources = [
    ['csv', 'preview.csv', { id: 's', kind: 'source.csv', config: { path: 'preview.csv' } }],
    ['ndjson', 'preview.ndjson', { id: 's', kind: 'source.json', config: { path: 'preview.ndjson' } }],
    ['parquet', 'flights.parquet', { id: 's', kind: 'source.parquet', config: { path: 'flights.parquet' } }],
  ].filter(([, file]) => fs.existsSync(path.join(dir, file)));
  const previews = {};
  for (const [name, , node] of sources) {
    const p = preparePipeline({ version: 1, name: 'preview-bench', nodes: [node], edges: [] }, {});
    const s = new PreviewSession();
    const t0 = performance.now();
    const r = await s.preview(p, 's', 200, dir);
    previews[name] = { ms: Math.round(performance.now() - t0), rows: r.rows.length, sampled: r.sampled };
    s.close();
  }
  extra = { startupMs: Math.round(startupMs), previews };
} else {
  throw new Error(`unknown mode ${mode}`);
}

const seconds = (performance.now() - started) / 1000;
// With the parent's spawn time: the whole process up to the end of its work (Node's start, module loading, the
// run); the check of the outputs below is left out.
const doneAt = performance.timeOrigin + started + seconds * 1000;
const maxRssMB = process.resourceUsage().maxRSS / 1024;

// Not timed: the outputs in the oracle's plain form.
DuckDBInstance ??= (await import('@duckdb/node-api')).DuckDBInstance;
const c = await (await DuckDBInstance.create(':memory:')).connect();
if (mode === 'preview-sources') {
  // Nothing to check: the previews' row counts are in the result.
} else if (mode.startsWith('parquet')) {
  const r = await c.runAndReadAll(`SELECT count(*)::VARCHAR || '/' || sum(flights)::VARCHAR || '/' || sum(distance)::VARCHAR || '/' || round(sum(avg_arr_delay * flights))::VARCHAR FROM read_parquet(${q(path.join(out, 'by_route.parquet'))})`);
  extra.checksum = String(r.getRowsJS()[0][0]);
} else {
  const quarantine = mode === 'engine'
    ? `SELECT source_line AS line, array_to_string(list_sort(list_transform(rule_ids, x -> CASE WHEN x = 'blank_line' OR NOT ends_with(filename, '/orders.parquet') THEN x ELSE 'malformed' END)), '|') AS rules FROM read_parquet([${fs.readFileSync(path.join(out, 'quarantine.list'), 'utf8').split('\n').filter(Boolean).map(q).join(', ')}], filename = true)`
    : `SELECT line, array_to_string(list_sort(rules), '|') AS rules FROM read_parquet(${q(path.join(out, 'quarantine.parquet'))})`;
  await c.run(`COPY (${quarantine} ORDER BY line) TO ${q(path.join(out, 'quarantine.csv'))} (HEADER false)`);
  await c.run(`COPY (SELECT day, country, orders, CAST(revenue * 100 AS HUGEINT) FROM read_parquet(${q(path.join(out, 'daily.parquet'))}) ORDER BY ALL) TO ${q(path.join(out, 'groups.csv'))} (HEADER false)`);
  extra.rows = Number((await c.runAndReadAll(`SELECT count(*) FROM read_parquet(${q(path.join(out, 'clean.parquet'))})`)).getRowsJS()[0][0]);
}
process.stdout.write(`${JSON.stringify({ mode, seconds, maxRssMB, doneAt, ...extra })}\n`);
