// Write rows to a table in a DuckDB database file, inside one transaction: all rows land or none do.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod';
import { DuckDBInstance } from '@duckdb/node-api';
import type { NodeKind } from './types.js';
import { sinkDuckdbSchema } from '@sluice/format/kinds/sink-duckdb';
import { deleteColumnOf } from './shared/file-sink.js';
import { LINEAGE, UserError } from '../runtime/exec-context.js';
import { qi, qlit } from '../sql/quote.js';
import { requireColumns, requireSomeColumns } from './shared/columns.js';
import { faultPoint } from '../runtime/faults.js';

/** Where the target database records which run and node committed rows (see the exactly-once note below). */
const COMMITS = qi('_sluice_commits');
/** The catalog name the target is attached under; never on the search path. */
const TGT = 'sl_target';

const config = sinkDuckdbSchema.config;

export const sinkDuckdbNode: NodeKind<z.infer<typeof config>> = {
  kind: 'sink.duckdb',
  category: 'sink',
  title: 'Write DuckDB table',
  description: 'Write rows to a table in a DuckDB file in one transaction: overwrite, append, or merge by key.',
  inputs: [{ name: 'in', title: 'Rows', role: 'data' }],
  outputs: [],
  config,
  defaults: { path: 'output.duckdb', table: 'results', mode: 'overwrite', key: [] },
  accounting: 'sink',
  version: 1,
  migrations: [],
  traits: { rows: 'row-wise', replay: 'passes', counts: 'sink' },
  outputSchema: sinkDuckdbSchema.outputSchema,
  statics: (c) => [{ type: 'output-path', field: 'path', value: c.path }],
  async execute(ctx, c) {
    const input = ctx.input('in');
    const target = ctx.resolveOutput(c.path, 'path');
    const cols = await ctx.columns(input);
    await requireSomeColumns(ctx, input, cols, c.includeLineage);
    const del = deleteColumnOf(ctx.nodeId, c.mode, c.deleteColumn, cols);
    if (c.mode === 'merge') {
      if (c.key.length === 0) throw new UserError('merge mode needs "key" columns', { nodeId: ctx.nodeId, field: 'key' });
      requireColumns(ctx.nodeId, 'key', c.key, cols);
      if (c.key.includes(del ?? '')) throw new UserError(`"deleteColumn" ${del ?? ''} is also a key column; the marker says what to do with a key, so it cannot be part of it`, { nodeId: ctx.nodeId, field: 'deleteColumn' });
      // A key twice in one batch (written twice, or written and deleted) has no single current row.
      if (del !== undefined) {
        const dupes = await ctx.count(`SELECT count(*) FROM (SELECT ${c.key.map(qi).join(', ')} FROM ${input} GROUP BY ALL HAVING count(*) > 1)`);
        if (dupes > 0) throw new UserError(`merge key ${c.key.join(', ')} is not unique in the input (${dupes} key(s) repeat), so which of its rows deletes or replaces the table's row is ambiguous; deduplicate first`, { nodeId: ctx.nodeId, field: 'key' });
      }
    }
    // Rows cross from the locked-down engine database to the target through a Parquet file in scratch. The delete
    // marker travels with them (it says what to do with a row) but is not a column of the target.
    const staged = path.join(ctx.scratchDir, 'staged.parquet');
    const names = [...(c.includeLineage ? [LINEAGE] : []), ...cols.map((x) => x.name).filter((n) => n !== del)];
    // Parquet has no 128-bit integers: DuckDB would stage a HUGEINT (a sum of whole numbers) as a DOUBLE and the
    // table would hold rounded values. Such columns cross as text and are cast back in the target.
    const wide = new Map(cols.filter((x) => x.type === 'HUGEINT' || x.type === 'UHUGEINT').map((x) => [x.name, x.type]));
    const select = `SELECT ${[...names, ...(del !== undefined ? [del] : [])].map((n) => (wide.has(n) ? `CAST(${qi(n)} AS VARCHAR) AS ${qi(n)}` : qi(n))).join(', ')} FROM ${input}`;
    await ctx.run(`COPY (${select}) TO ${qlit(staged)} (FORMAT parquet)`);
    faultPoint('sink-staged', ctx.nodeId);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const rows = await ctx.count(`SELECT count(*) FROM ${input}`);
    const written = await writeTarget(ctx.nodeId, target, staged, c, names, del, wide, rows, ctx.commitId);
    return { written };
  },
};

/**
 * The target file is untrusted: anyone could have made it, and a DuckDB file can carry macros, views and column
 * defaults that run when referenced. So it is never opened as the main database. Rows move through an
 * in-memory database of our own that attaches the target, every name in the SQL below is qualified (the target's
 * catalog is not on the search path, system functions are spelled `system.main.…`), and before any statement
 * touches the target the instance is locked so that the only file it can read is this node's staged Parquet
 * file. Afterwards the rows in the target are compared with the rows staged (count and a hash of every value),
 * so a run never reports rows written that are not there.
 */
async function writeTarget(nodeId: string, target: string, staged: string, c: z.infer<typeof config>, names: string[], del: string | undefined, wide: Map<string, string>, rows: number, commitId: string | undefined): Promise<number> {
  const inst = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false', threads: '2' });
  const conn = await inst.connect();
  const fail = (why: string, field = 'path'): never => {
    throw new UserError(why, { nodeId, field });
  };
  try {
    try {
      await conn.run(`ATTACH ${qlit(target)} AS ${TGT}`);
    } catch (e) {
      const msg = e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e);
      const why = /lock/i.test(msg) ? `another process has it open (${msg.replace(/^IO Error: /, '')}); close it and run again` : msg;
      fail(`cannot open ${target}: ${why}; nothing was changed`);
    }
    await conn.run(`SET allowed_paths = [${qlit(staged)}]`);
    await conn.run('SET enable_external_access = false');
    await conn.run('SET lock_configuration = true');
    const q = async (sql: string, params?: Record<string, string | number>): Promise<unknown[][]> => (await conn.runAndReadAll(sql, params)).getRowsJS();
    const t = `${TGT}.main.${qi(c.table)}`;
    const src = `system.main.read_parquet(${qlit(staged)})`;
    // The rows to be in the table afterwards; with a delete marker, its true rows only remove their key.
    const restored = wide.size === 0 ? src : `(SELECT * REPLACE (${[...wide].map(([n, t]) => `CAST(${qi(n)} AS ${t}) AS ${qi(n)}`).join(', ')}) FROM ${src})`;
    const kept = del === undefined ? restored : `(SELECT * FROM ${restored} WHERE NOT coalesce(${qi(del)}, false))`;
    const commits = `${TGT}.main.${COMMITS}`;
    const list = names.map(qi).join(', ');
    try {
      const kinds = await q(
        `SELECT 'table' FROM system.main.duckdb_tables() WHERE database_name = 'sl_target' AND schema_name = 'main' AND table_name = $t UNION ALL SELECT 'view' FROM system.main.duckdb_views() WHERE database_name = 'sl_target' AND schema_name = 'main' AND view_name = $t`,
        { t: c.table },
      );
      if (kinds.some((k) => k[0] === 'view')) fail(`"${c.table}" in ${path.basename(target)} is a view, not a table; Sluice writes only tables`, 'table');
      const exists = kinds.length > 0;
      if (exists && c.mode !== 'overwrite') {
        // A default is an expression stored in the target, possibly calling the target's own macros: never run it.
        const wanted = new Set(names);
        const defaults = (await q(`SELECT column_name FROM system.main.duckdb_columns() WHERE database_name = 'sl_target' AND schema_name = 'main' AND table_name = $t AND column_default IS NOT NULL`, { t: c.table }))
          .map((r) => String(r[0]))
          .filter((n) => !wanted.has(n));
        if (defaults.length > 0) fail(`table "${c.table}" in ${path.basename(target)} gives column(s) ${defaults.join(', ')} a default expression; Sluice does not run code stored in a target database, so add the column(s) to the input`, 'table');
      }
      // The expected rows, typed as the target will store them. A new or replaced table takes the staged types, so
      // the staged file itself is the expectation; rows added to an existing table are first cast to its types in
      // a plain copy (no defaults, no constraints).
      const castFirst = exists && c.mode !== 'overwrite';
      if (castFirst) {
        await conn.run(`CREATE TABLE memory.main.sl_expected AS SELECT ${list} FROM ${t} LIMIT 0`);
        await conn.run(`INSERT INTO memory.main.sl_expected BY NAME SELECT ${list} FROM ${kept}`);
      }
      const expectedFrom = castFirst ? 'memory.main.sl_expected' : kept;
      await conn.run('BEGIN TRANSACTION');
      // Exactly once: the commit is recorded in the target, in the same transaction as the rows. A resumed run
      // that finds its own record knows the rows are already there and writes nothing.
      if (commitId !== undefined) {
        const has = Number((await q(`SELECT count(*) FROM system.main.duckdb_tables() WHERE database_name = 'sl_target' AND schema_name = 'main' AND table_name = '_sluice_commits'`))[0]?.[0] ?? 0) > 0;
        if (!has) await conn.run(`CREATE TABLE ${commits} (commit_id VARCHAR, node_id VARCHAR, table_name VARCHAR, row_count BIGINT, committed_at TIMESTAMPTZ)`);
        const prior = (await q(`SELECT row_count FROM ${commits} WHERE commit_id = $r AND node_id = $n`, { r: commitId, n: nodeId }))[0];
        if (prior) {
          await conn.run('ROLLBACK');
          return Number(prior[0]);
        }
      }
      const digest = async (from: string): Promise<string> => {
        const r = (await q(`SELECT count(*)::VARCHAR || ':' || coalesce(sum(system.main.hash(${list})::HUGEINT), 0)::VARCHAR FROM ${from}`))[0];
        return String(r?.[0]);
      };
      const before = exists && c.mode === 'append' ? await digest(t) : undefined;
      if (c.mode === 'overwrite' || !exists) await conn.run(`CREATE OR REPLACE TABLE ${t} AS SELECT ${list} FROM ${kept}`);
      else if (c.mode === 'append') await conn.run(`INSERT INTO ${t} BY NAME SELECT ${list} FROM ${kept}`);
      else {
        // Every key of the batch goes, deleted or replaced; then the kept rows come in. Replayed, the same batch
        // leaves the same table.
        const match = c.key.map((k) => `d.${qi(k)} IS NOT DISTINCT FROM s.${qi(k)}`).join(' AND ');
        await conn.run(`DELETE FROM ${t} AS d WHERE EXISTS (SELECT 1 FROM ${restored} s WHERE ${match})`);
        await conn.run(`INSERT INTO ${t} BY NAME SELECT ${list} FROM ${kept}`);
      }
      const expected = await digest(expectedFrom);
      let actual: string;
      if (before !== undefined) {
        const [bn, bh] = before.split(':').map(BigInt) as [bigint, bigint];
        const [an, ah] = (await digest(t)).split(':').map(BigInt) as [bigint, bigint];
        actual = `${an - bn}:${ah - bh}`;
      } else if (c.mode === 'merge' && exists) {
        const match = c.key.map((k) => `x.${qi(k)} IS NOT DISTINCT FROM e.${qi(k)}`).join(' AND ');
        actual = await digest(`(SELECT ${list} FROM ${t} x WHERE EXISTS (SELECT 1 FROM ${expectedFrom} e WHERE ${match}))`);
      } else actual = await digest(t);
      if (actual !== expected) fail(`the rows in table "${c.table}" of ${path.basename(target)} are not the rows written (expected ${expected.replace(':', ' rows, hash ')}; found ${actual.replace(':', ' rows, hash ')}); nothing was changed`, 'table');
      if (del !== undefined) {
        const match = c.key.map((k) => `x.${qi(k)} IS NOT DISTINCT FROM s.${qi(k)}`).join(' AND ');
        const left = Number((await q(`SELECT count(*) FROM ${t} x WHERE EXISTS (SELECT 1 FROM ${restored} s WHERE coalesce(s.${qi(del)}, false) AND ${match})`))[0]?.[0] ?? 0);
        if (left > 0) fail(`${left} row(s) of table "${c.table}" in ${path.basename(target)} still hold keys marked deleted; nothing was changed`, 'table');
      }
      if (commitId !== undefined) {
        await conn.run(`INSERT INTO ${commits} VALUES ($r, $n, $t, $rows, system.main.now())`, { r: commitId, n: nodeId, t: c.table, rows });
      }
      faultPoint('duckdb-commit', nodeId);
      await conn.run('COMMIT');
      faultPoint('duckdb-committed', nodeId);
    } catch (e) {
      await conn.run('ROLLBACK').catch(() => undefined);
      if (e instanceof UserError) throw e;
      throw new UserError(`writing table "${c.table}" in ${path.basename(target)} failed, nothing was changed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, { nodeId, field: 'table' });
    }
    await conn.run(`DETACH ${TGT}`);
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
  return rows;
}
