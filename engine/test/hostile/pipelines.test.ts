// Hostile pipeline files: broken graphs, hostile identifiers, paths that leave the allowed folders, and SQL that
// tries to reach files, settings, extensions or the network. Each must be refused with a message naming the node
// and the field, nothing it asked for may run, and no file outside the allowed folders may be read or written:
// every case runs beside a canary folder whose bytes and listing are checked afterwards, and whose secret must
// not appear in anything the run left behind.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidPipeline, runPipeline } from '../../src/runtime/run.js';
import { chain, duck, pipeline, sq, tmpDir, writeFiles, type NodeDef } from '../helpers.js';

const SECRET = 'CANARY-5f1d3a9e';
const tally = { tried: 0, refused: 0, ranSafely: 0 };

afterAll(() => {
  console.log(`hostile pipelines: ${tally.tried} tried, ${tally.refused + tally.ranSafely} handled (${tally.refused} refused naming node and field, ${tally.ranSafely} run correctly without leaving their folder); canary untouched in every case`);
});

interface World {
  outer: string;
  base: string;
  hist: string;
  secretDir: string;
  canary: string;
  /** A path outside every root that a successful escape would create. */
  pwned: string;
}

/** A pipeline folder beside a secret folder, with links from the one into the other. */
function world(): World {
  const outer = tmpDir('sluice-hostile-p-');
  const base = path.join(outer, 'base');
  const secretDir = path.join(outer, 'secret');
  writeFiles(secretDir, { 'canary.csv': `id,name\n1,${SECRET}\n`, 'canary.parquet': '' });
  writeFiles(base, { 'in.csv': 'id,name\n1,ann\n2,bob\n' });
  fs.symlinkSync(secretDir, path.join(base, 'link'));
  fs.symlinkSync(path.join(secretDir, 'canary.csv'), path.join(base, 'linkfile.csv'));
  return { outer, base, hist: path.join(outer, 'hist'), secretDir, canary: path.join(secretDir, 'canary.csv'), pwned: path.join(outer, 'pwned') };
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    const st = fs.lstatSync(full);
    out[name] = st.isSymbolicLink() ? `-> ${fs.readlinkSync(full)}` : st.isDirectory() ? 'dir' : `${st.size}:${st.mtimeMs}:${fs.readFileSync(full, 'latin1')}`;
  }
  return out;
}

function allFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** Nothing outside base and the history was created, the secret folder is byte-identical, the secret leaked nowhere. */
function expectContained(w: World, secretBefore: Record<string, string>): void {
  expect(fs.readdirSync(w.outer).sort().filter((n) => n !== 'hist')).toEqual(['base', 'secret']);
  expect(snapshot(w.secretDir)).toEqual(secretBefore);
  expect(fs.existsSync(w.pwned)).toBe(false);
  for (const f of [...allFiles(w.base), ...allFiles(w.hist)]) {
    if (fs.lstatSync(f).isSymbolicLink()) continue;
    expect(fs.readFileSync(f, 'latin1').includes(SECRET), `${f} holds the secret`).toBe(false);
  }
}

type Doc = Record<string, unknown>;

/** src (the good input) → the hostile node → out (a CSV sink), unless the case brings its own document. */
function around(node: NodeDef, inPort = 'in'): Doc {
  return pipeline(
    [{ id: 'src', kind: 'source.csv', config: { path: 'in.csv' } }, node, { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } }],
    [`src -> ${node.id}.${inPort}`, `${node.id} -> out`],
  );
}

interface Case {
  name: string;
  doc: (w: World) => Doc;
  params?: Record<string, string>;
  /** Refused before anything runs: a problem at this path (and node), matching the message. */
  invalid?: { path: RegExp; nodeId?: string; message: RegExp };
  /** Refused when its node runs: the run fails there, naming the node and field. */
  refused?: { node: string; field: string; message: RegExp };
  /** Runs, and what it reads is only the pipeline folder's own data: this many rows reach out.csv. */
  contained?: { rows: number };
}

const sqlCase = (name: string, query: (w: World) => string, message: RegExp): Case => ({
  name: `sql: ${name}`,
  doc: (w) => around({ id: 'q', kind: 'sql', config: { query: query(w) } }, 'in1'),
  refused: { node: 'q', field: 'query', message },
});

const filterCase = (name: string, expression: (w: World) => string, message: RegExp): Case => ({
  name: `filter: ${name}`,
  doc: (w) => around({ id: 'f', kind: 'filter', config: { expression: expression(w) } }),
  refused: { node: 'f', field: 'expression', message },
});

const sourcePath = (name: string, kind: string, p: (w: World) => string, message: RegExp): Case => ({
  name: `${kind} path: ${name}`,
  doc: (w) => chain([{ id: 'src', kind, config: { path: p(w) } }, { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } }]),
  refused: { node: 'src', field: 'path', message },
});

const sinkPath = (name: string, kind: string, p: (w: World) => string, message: RegExp): Case => ({
  name: `${kind} path: ${name}`,
  doc: (w) => chain([{ id: 'src', kind: 'source.csv', config: { path: 'in.csv' } }, { id: 'out', kind, config: { path: p(w), ...(kind === 'sink.duckdb' ? { table: 't' } : {}) } }]),
  refused: { node: 'out', field: 'path', message },
});

const OUTSIDE = /is outside the folders this pipeline may use/;
const NOT_ALLOWED = /(is|are) not allowed|not allowed; read data through source nodes|unknown table|must not name a database|only a single SELECT|exactly one SELECT|syntax error|must be a single expression/;
const q = (s: string): string => s.replaceAll("'", "''");

const CASES: Case[] = [
  // ---- the graph -------------------------------------------------------------------------------------------
  { name: 'a cycle', doc: () => pipeline([{ id: 'a', kind: 'filter', config: { expression: 'true' } }, { id: 'b', kind: 'filter', config: { expression: 'true' } }], ['a -> b', 'b -> a']), invalid: { path: /^edges$/, message: /cycle: "a" → "b" → "a"/ } },
  { name: 'a dangling edge', doc: () => pipeline([{ id: 'src', kind: 'source.csv', config: { path: 'in.csv' } }], ['src -> ghost']), invalid: { path: /^edges\[0\]\.to\.node$/, message: /unknown node "ghost"/ } },
  { name: 'duplicate node ids', doc: () => pipeline([{ id: 'src', kind: 'source.csv', config: { path: 'in.csv' } }, { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } }], []), invalid: { path: /^nodes\[1\]\.id$/, nodeId: 'src', message: /duplicate node id "src"/ } },
  { name: 'an unknown kind', doc: () => pipeline([{ id: 'x', kind: 'shell.exec', config: { cmd: 'rm -rf /' } }], []), invalid: { path: /^nodes\[0\]\.kind$/, nodeId: 'x', message: /unknown node kind "shell\.exec"/ } },
  { name: 'a future version', doc: () => ({ ...pipeline([], []), version: 99 }), invalid: { path: /^version$/, message: /format version 99, saved by a newer Sluice/ } },
  { name: 'an unknown config key', doc: () => around({ id: 'f', kind: 'filter', config: { expression: 'true', exec: 'rm -rf /' } }), invalid: { path: /^nodes\[1\]\.config$/, nodeId: 'f', message: /exec/ } },
  { name: 'node ids with quotes, semicolons, newlines and unicode', doc: () => pipeline([{ id: 'a"; DROP TABLE t; --', kind: 'source.csv', config: { path: 'in.csv' } }, { id: 'b\nc', kind: 'filter' }, { id: '`d`', kind: 'filter' }, { id: 'naïve☃', kind: 'filter' }], []), invalid: { path: /^nodes\[0\]\.id$/, message: /must start with a letter/ } },
  { name: 'a port name that is SQL', doc: () => pipeline([{ id: 'src', kind: 'source.csv', config: { path: 'in.csv' } }, { id: 'out', kind: 'sink.csv', config: { path: 'o.csv' } }], ['src.out"; DROP TABLE x; -- -> out']), invalid: { path: /^edges\[0\]\.from\.port$/, nodeId: 'src', message: /has no output port/ } },
  { name: 'a document nested 10,000 levels deep', doc: () => ({ ...pipeline([], []), description: JSON.parse(`${'['.repeat(10_000)}${']'.repeat(10_000)}`) as unknown }), invalid: { path: /^$/, message: /nests deeper than 64 levels/ } },
  { name: 'a config array of a million elements', doc: () => around({ id: 'f', kind: 'filter', config: { expression: 'true', reason: Array.from({ length: 1_000_000 }, () => 0) } }), invalid: { path: /^nodes\[1\]\.config\.reason$/, nodeId: 'f', message: /expected string/ } },
  { name: 'a parameter nobody declared', doc: () => around({ id: 'f', kind: 'filter', config: { expression: '${evil}' } }), invalid: { path: /^nodes\[1\]\.config\.expression$/, nodeId: 'f', message: /unknown parameter "\$\{evil\}"/ } },

  // ---- paths -----------------------------------------------------------------------------------------------
  sourcePath('../../etc/passwd', 'source.csv', () => '../../etc/passwd', OUTSIDE),
  sourcePath('an absolute path', 'source.csv', () => '/etc/passwd', OUTSIDE),
  sourcePath('the canary beside the pipeline folder', 'source.csv', () => '../secret/canary.csv', OUTSIDE),
  sourcePath('the canary by its absolute path', 'source.csv', (w) => w.canary, OUTSIDE),
  sourcePath('a symlinked folder that leads out', 'source.csv', () => 'link/canary.csv', OUTSIDE),
  sourcePath('a symlinked file that leads out', 'source.csv', () => 'linkfile.csv', OUTSIDE),
  sourcePath('a glob that climbs out', 'source.csv', () => '../*/canary.csv', OUTSIDE),
  sourcePath('a glob through a symlinked folder', 'source.csv', () => 'li*/*.csv', /outside the folders|no file matches/),
  {
    name: 'source.csv path: a glob of every file below, with links out among them',
    doc: () => chain([{ id: 'src', kind: 'source.csv', config: { path: '**/*.csv' } }, { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } }]),
    contained: { rows: 2 },
  },
  sourcePath('an http URL', 'source.csv', () => 'http://127.0.0.1:9/data.csv', /must be a local file path, not a URL/),
  sourcePath('an s3 URL', 'source.parquet', () => 's3://bucket/data.parquet', /must be a local file path, not a URL/),
  sourcePath('a file URL', 'source.json', () => 'file:///etc/passwd', /must be a local file path, not a URL/),
  sourcePath('a NUL byte', 'source.csv', () => 'in.csv\u0000../../etc/passwd', /contains a NUL character/),
  sourcePath('a parquet glob outside', 'source.parquet', () => '../secret/*.parquet', OUTSIDE),
  {
    name: 'a parameter that smuggles a path out',
    doc: () => ({ ...chain([{ id: 'src', kind: 'source.csv', config: { path: '${file}' } }, { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } }]), params: { file: { default: 'in.csv' } } }),
    params: { file: '../secret/canary.csv' },
    refused: { node: 'src', field: 'path', message: OUTSIDE },
  },
  sinkPath('a CSV next to the canary', 'sink.csv', () => '../pwned/out.csv', OUTSIDE),
  sinkPath('a CSV through a symlinked folder', 'sink.csv', () => 'link/out.csv', OUTSIDE),
  sinkPath('over the symlinked canary', 'sink.csv', () => 'linkfile.csv', OUTSIDE),
  sinkPath('an absolute path', 'sink.json', (w) => path.join(w.pwned, 'x.ndjson'), OUTSIDE),
  sinkPath('a Parquet file in /tmp', 'sink.parquet', () => path.join(os.tmpdir(), `sluice-pwned-${process.pid}.parquet`), OUTSIDE),
  sinkPath('a DuckDB database outside', 'sink.duckdb', () => '../pwned/x.duckdb', OUTSIDE),
  sinkPath('a DuckDB database through a symlink', 'sink.duckdb', () => 'link/x.duckdb', OUTSIDE),
  sinkPath('an s3 URL', 'sink.parquet', () => 's3://bucket/x.parquet', /not a URL/),

  // ---- SQL that tries to leave -----------------------------------------------------------------------------
  sqlCase('COPY', (w) => `COPY in1 TO '${q(w.pwned)}.csv'`, NOT_ALLOWED),
  sqlCase('COPY from a subquery', (w) => `COPY (SELECT * FROM in1) TO '${q(w.pwned)}.csv' (FORMAT csv)`, NOT_ALLOWED),
  sqlCase('ATTACH', (w) => `ATTACH '${q(w.pwned)}.duckdb' AS x`, NOT_ALLOWED),
  sqlCase('INSTALL', () => 'INSTALL httpfs', NOT_ALLOWED),
  sqlCase('LOAD', () => 'LOAD httpfs', NOT_ALLOWED),
  sqlCase('PRAGMA', () => 'PRAGMA enable_profiling', NOT_ALLOWED),
  sqlCase('SET', () => 'SET enable_external_access = true', NOT_ALLOWED),
  sqlCase('RESET', () => 'RESET lock_configuration', NOT_ALLOWED),
  sqlCase('CALL enable_logging', () => 'CALL enable_logging()', NOT_ALLOWED),
  sqlCase('enable_logging as a table', () => 'SELECT * FROM enable_logging()', NOT_ALLOWED),
  sqlCase('enable_logging as a scalar', () => 'SELECT enable_logging() AS x FROM in1', NOT_ALLOWED),
  sqlCase('read_text of the canary', (w) => `SELECT * FROM read_text('${q(w.canary)}')`, NOT_ALLOWED),
  sqlCase('read_blob of the canary', (w) => `SELECT * FROM read_blob('${q(w.canary)}')`, NOT_ALLOWED),
  sqlCase("read_csv('/etc/passwd')", () => "SELECT * FROM read_csv('/etc/passwd')", NOT_ALLOWED),
  sqlCase('READ_CSV in capitals', (w) => `SELECT * FROM READ_CSV('${q(w.canary)}')`, NOT_ALLOWED),
  sqlCase('read_parquet', (w) => `SELECT * FROM read_parquet('${q(w.secretDir)}/*.parquet')`, NOT_ALLOWED),
  sqlCase('sniff_csv', (w) => `SELECT * FROM sniff_csv('${q(w.canary)}')`, NOT_ALLOWED),
  sqlCase('glob', (w) => `SELECT * FROM glob('${q(w.outer)}/**')`, NOT_ALLOWED),
  sqlCase('a file path as a table', (w) => `SELECT * FROM '${q(w.canary)}'`, NOT_ALLOWED),
  sqlCase('an http URL as a table', () => "SELECT * FROM 'http://127.0.0.1:9/x.csv'", NOT_ALLOWED),
  sqlCase('an s3 URL as a table', () => "SELECT * FROM 's3://bucket/x.parquet'", NOT_ALLOWED),
  sqlCase('getenv', () => "SELECT getenv('HOME') AS h FROM in1", NOT_ALLOWED),
  sqlCase('GETENV quoted as an identifier', () => `SELECT "GETENV"('HOME') AS h FROM in1`, NOT_ALLOWED),
  sqlCase('current_setting', () => "SELECT current_setting('allowed_directories') AS s FROM in1", NOT_ALLOWED),
  sqlCase('duckdb_settings', () => 'SELECT * FROM duckdb_settings()', NOT_ALLOWED),
  sqlCase('query() running a string', (w) => `SELECT * FROM query('SELECT * FROM read_text(''${q(q(w.canary))}'')')`, NOT_ALLOWED),
  sqlCase('query_table on an engine table', () => "SELECT * FROM query_table('n_src__out')", NOT_ALLOWED),
  sqlCase('an engine table by its name', () => 'SELECT * FROM n_src__out', NOT_ALLOWED),
  sqlCase('a catalog-qualified table', () => 'SELECT * FROM memory.main.n_src__out', NOT_ALLOWED),
  sqlCase('a scalar subquery reading a file', (w) => `SELECT (SELECT content FROM read_text('${q(w.canary)}')) AS c FROM in1`, NOT_ALLOWED),
  sqlCase('a CTE reading a file', (w) => `WITH x AS (SELECT * FROM read_csv('${q(w.canary)}')) SELECT * FROM x`, NOT_ALLOWED),
  sqlCase('a UNION reading a file', (w) => `SELECT id, name FROM in1 UNION ALL SELECT 1, content FROM read_text('${q(w.canary)}')`, NOT_ALLOWED),
  sqlCase('a lateral join to a file', (w) => `SELECT * FROM in1, LATERAL (SELECT * FROM read_text('${q(w.canary)}'))`, NOT_ALLOWED),
  sqlCase('two statements', (w) => `SELECT * FROM in1; COPY in1 TO '${q(w.pwned)}.csv'`, NOT_ALLOWED),
  sqlCase('a second statement after a line comment', (w) => `SELECT * FROM in1 -- harmless\n; COPY in1 TO '${q(w.pwned)}.csv'`, NOT_ALLOWED),
  sqlCase('a second statement after a block comment', (w) => `SELECT * FROM in1 /* ; */ ; ATTACH '${q(w.pwned)}.duckdb'`, NOT_ALLOWED),
  { name: 'sql: a trailing line comment cannot eat the wrapper', doc: () => around({ id: 'q', kind: 'sql', config: { query: 'SELECT * FROM in1 -- )' } }, 'in1'), contained: { rows: 2 } },
  sqlCase('an unterminated block comment', () => 'SELECT * FROM in1 /*', /./),
  sqlCase('DESCRIBE', () => 'DESCRIBE in1', NOT_ALLOWED),
  sqlCase('SUMMARIZE', () => 'SUMMARIZE in1', NOT_ALLOWED),
  sqlCase('SHOW TABLES', () => 'SHOW TABLES', NOT_ALLOWED),
  sqlCase('CREATE MACRO', () => 'CREATE MACRO m() AS 1', NOT_ALLOWED),
  sqlCase('EXPORT DATABASE', (w) => `EXPORT DATABASE '${q(w.pwned)}'`, NOT_ALLOWED),
  sqlCase('DETACH', () => 'DETACH memory', NOT_ALLOWED),
  sqlCase('USE another catalog', () => 'USE system', NOT_ALLOWED),

  // ---- expressions that try to leave -----------------------------------------------------------------------
  filterCase('a subquery reading a file', (w) => `(SELECT count(*) FROM read_text('${q(w.canary)}')) > 0`, NOT_ALLOWED),
  filterCase('getenv', () => "getenv('HOME') IS NOT NULL", NOT_ALLOWED),
  filterCase('breaking out of the parentheses', (w) => `true) OR (SELECT 1 FROM read_csv('${q(w.canary)}')) IS NOT NULL OR (true`, NOT_ALLOWED),
  filterCase('breaking out to a FROM clause', (w) => `1) FROM in1, read_text('${q(w.canary)}') --`, NOT_ALLOWED),
  filterCase('a second statement', (w) => `true; COPY n_src__out TO '${q(w.pwned)}.csv'`, NOT_ALLOWED),
  filterCase('an engine table', () => '(SELECT count(*) FROM n_src__out) > 0', NOT_ALLOWED),
  filterCase('a line comment eating the wrapper', () => 'true --', NOT_ALLOWED),
  {
    name: 'filter: a parameter that injects a function',
    doc: () => ({ ...around({ id: 'f', kind: 'filter', config: { expression: "name = '${who}'" } }), params: { who: { default: 'ann' } } }),
    params: { who: "x' OR getenv('HOME') IS NOT NULL OR '" },
    refused: { node: 'f', field: 'expression', message: NOT_ALLOWED },
  },
  {
    name: 'derive: current_setting',
    doc: () => around({ id: 'd', kind: 'derive', config: { columns: [{ name: 'x', expression: "current_setting('temp_directory')" }] } }),
    refused: { node: 'd', field: 'columns[0].expression', message: NOT_ALLOWED },
  },
  {
    name: 'validate: an expression rule reading a file',
    doc: (w) => pipeline(
      [{ id: 'src', kind: 'source.csv', config: { path: 'in.csv' } }, { id: 'v', kind: 'validate', config: { rules: [{ id: 'r', type: 'expression', expression: `name IN (SELECT content FROM read_text('${q(w.canary)}'))` }] } }, { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } }],
      ['src -> v', 'v.valid -> out'],
    ),
    refused: { node: 'v', field: 'rules[0].expression', message: NOT_ALLOWED },
  },
  {
    name: 'validate: a regular expression RE2 does not support',
    doc: () => pipeline(
      [{ id: 'src', kind: 'source.csv', config: { path: 'in.csv' } }, { id: 'v', kind: 'validate', config: { rules: [{ id: 'r', type: 'regex', column: 'name', pattern: '(?=a)b' }] } }, { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } }],
      ['src -> v', 'v.valid -> out'],
    ),
    refused: { node: 'v', field: 'rules[0].pattern', message: /not a valid regular expression/ },
  },
];

describe('hostile pipeline files', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      tally.tried++;
      const w = world();
      const before = snapshot(w.secretDir);
      const go = () => runPipeline({ pipeline: c.doc(w), baseDir: w.base, historyDir: w.hist, ...(c.params ? { params: c.params } : {}) });
      if (c.invalid) {
        const err = await go().then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(InvalidPipeline);
        const problems = (err as InvalidPipeline).problems;
        const hit = problems.find((p) => c.invalid?.path.test(p.path) && c.invalid.message.test(p.message));
        expect(hit, JSON.stringify(problems)).toBeDefined();
        if (c.invalid.nodeId) expect(hit?.nodeId).toBe(c.invalid.nodeId);
        // Nothing ran: not even a run record was started.
        expect(fs.existsSync(w.hist)).toBe(false);
      } else if (c.refused) {
        const got = await go().then((m) => ({ m }), (e: unknown) => ({ e }));
        if ('e' in got) {
          // Refused by the checks a run makes before any node executes (those `sluice validate` makes).
          expect(got.e).toBeInstanceOf(InvalidPipeline);
          const problems = (got.e as InvalidPipeline).problems;
          const hit = problems.find((p) => p.nodeId === c.refused?.node && p.path.endsWith(`.config.${c.refused?.field ?? ''}`));
          expect(hit, JSON.stringify(problems)).toBeDefined();
          expect(hit?.message).toMatch(c.refused.message);
          expect(fs.existsSync(w.hist)).toBe(false);
          expect(fs.existsSync(path.join(w.base, 'out.csv'))).toBe(false);
          expectContained(w, before);
          tally.refused++;
          return;
        }
        const m = got.m;
        expect(m.outcome).toBe('failed');
        const failed = m.nodes.filter((n) => n.status === 'failed');
        expect(failed.map((n) => n.nodeId)).toEqual([c.refused.node]);
        const err = failed[0]?.error ?? '';
        expect(err).toMatch(new RegExp(`^node "${c.refused.node}" \\([a-z.]+\\), field "${c.refused.field.replace(/[[\].]/g, '\\$&')}"`));
        expect(err).toMatch(c.refused.message);
        expect(err).not.toMatch(/\n\s+at /);
        // Nothing after the refused node ran.
        const after = m.nodes.slice(m.nodes.findIndex((n) => n.nodeId === c.refused?.node) + 1);
        expect(after.every((n) => n.status === 'skipped')).toBe(true);
        expect(fs.existsSync(path.join(w.base, 'out.csv'))).toBe(false);
      } else if (c.contained) {
        const m = await go();
        expect(m.errors).toEqual([]);
        expect(m.nodes.find((n) => n.nodeId === 'out')?.passed).toBe(c.contained.rows);
      }
      expectContained(w, before);
      if (c.contained) tally.ranSafely++;
      else tally.refused++;
    });
  }
});

describe('hostile identifiers are quoted, never interpreted', () => {
  const names = ['a"b', "c'd", 'x"); DROP TABLE t; --', '`tick`', 'semi;colon', 'new\nline', 'naïve ☃', '__proto__', 'constructor'];

  it('column names flow through select, derive, aggregate and sort, and reach CSV and DuckDB sinks exactly', async () => {
    tally.tried++;
    const w = world();
    const before = snapshot(w.secretDir);
    const header = names.map((n) => `"${n.replaceAll('"', '""')}"`).join(',');
    writeFiles(w.base, { 'odd.csv': `${header}\n${names.map((_, i) => i).join(',')}\n${names.map((_, i) => i + 10).join(',')}\n` });
    const doc = pipeline(
      [
        { id: 'src', kind: 'source.csv', config: { path: 'odd.csv', types: { [names[0] as string]: 'INTEGER' } } },
        { id: 'sel', kind: 'select', config: { columns: names.map((n) => ({ name: n, as: `${n} 2` })) } },
        { id: 'der', kind: 'derive', config: { columns: [{ name: 'd"; DROP TABLE x; --', expression: `"${'a"b 2'.replaceAll('"', '""')}" * 2` }] } },
        { id: 'agg', kind: 'aggregate', config: { groupBy: [`${names[2] as string} 2`], aggregates: [{ fn: 'sum', column: 'd"; DROP TABLE x; --', as: "s'um\"" }] } },
        { id: 'srt', kind: 'sort', config: { by: [{ column: "s'um\"", descending: true }] } },
        { id: 'csv', kind: 'sink.csv', config: { path: 'out.csv' } },
        { id: 'db', kind: 'sink.duckdb', config: { path: 'out.duckdb', table: 't"; DROP TABLE t; --' } },
      ],
      ['src -> sel', 'sel -> der', 'der -> agg', 'agg -> srt', 'srt -> csv', 'srt -> db'],
    );
    const m = await runPipeline({ pipeline: doc, baseDir: w.base, historyDir: w.hist });
    expect(m.errors).toEqual([]);
    expect(m.outcome).toBe('succeeded');
    const rows = await duck<{ name: string }>(`SELECT table_name AS name FROM duckdb_tables() WHERE table_name <> '_sluice_commits'`, path.join(w.base, 'out.duckdb'));
    expect(rows.map((r) => r.name)).toEqual(['t"; DROP TABLE t; --']);
    const cols = await duck<{ column_name: string }>(`DESCRIBE ${'"t""; DROP TABLE t; --"'}`, path.join(w.base, 'out.duckdb'));
    expect(cols.map((c) => c.column_name)).toEqual([`${names[2] as string} 2`, "s'um\""]);
    const data = await duck<Record<string, unknown>>(`SELECT * FROM read_csv(${sq(path.join(w.base, 'out.csv'))}, header = true, all_varchar = true)`);
    expect(data).toEqual([{ [`${names[2] as string} 2`]: '12', "s'um\"": '20' }, { [`${names[2] as string} 2`]: '2', "s'um\"": '0' }]);
    expectContained(w, before);
    tally.ranSafely++;
  });
});
