// Write rows to a table in a DuckDB database file, inside one transaction: all rows land or none do.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { DuckDBInstance } from '@duckdb/node-api';
import type { NodeKind } from './types.js';
import { LINEAGE, UserError } from '../runtime/exec-context.js';
import { qi, qlit } from '../sql/quote.js';
import { requireColumns, requireSomeColumns } from './shared/columns.js';
import { faultPoint } from '../runtime/faults.js';

/** Where the target database records which run and node committed rows (see the exactly-once note below). */
const COMMITS = qi('_sluice_commits');

const config = z.strictObject({
  path: z.string().min(1).describe('DuckDB database file, relative to the pipeline file'),
  table: z.string().min(1).max(128),
  mode: z.enum(['overwrite', 'append', 'merge']).default('overwrite'),
  key: z.array(z.string().min(1)).default([]),
  includeLineage: z.boolean().default(false),
});

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
  statics: (c) => [{ type: 'output-path', field: 'path', value: c.path }],
  async execute(ctx, c) {
    const input = ctx.input('in');
    const target = ctx.resolveOutput(c.path, 'path');
    const cols = await ctx.columns(input);
    await requireSomeColumns(ctx, input, cols, c.includeLineage);
    if (c.mode === 'merge') {
      if (c.key.length === 0) throw new UserError('merge mode needs "key" columns', { nodeId: ctx.nodeId, field: 'key' });
      requireColumns(ctx.nodeId, 'key', c.key, cols);
    }
    // Rows cross from the locked-down engine database to the target through a Parquet file in scratch.
    const staged = path.join(ctx.scratchDir, 'staged.parquet');
    const select = `SELECT ${c.includeLineage ? `${qi(LINEAGE)}, ` : ''}${cols.map((x) => qi(x.name)).join(', ')} FROM ${input}`;
    await ctx.run(`COPY (${select}) TO ${qlit(staged)} (FORMAT parquet)`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    let inst: DuckDBInstance;
    try {
      inst = await DuckDBInstance.create(target, { enable_external_access: 'true', autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
    } catch (e) {
      const msg = e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e);
      const why = /lock/i.test(msg) ? `another process has it open (${msg.replace(/^IO Error: /, '')}); close it and run again` : msg;
      throw new UserError(`cannot open ${target}: ${why}; nothing was changed`, { nodeId: ctx.nodeId, field: 'path' });
    }
    const conn = await inst.connect();
    const t = qi(c.table);
    const src = `read_parquet(${qlit(staged)})`;
    const rows = await ctx.count(`SELECT count(*) FROM ${input}`);
    try {
      await conn.run('BEGIN TRANSACTION');
      // Exactly once: the commit is recorded in the target, in the same transaction as the rows. A resumed run
      // that finds its own record knows the rows are already there and writes nothing.
      if (ctx.commitId !== undefined) {
        await conn.run(`CREATE TABLE IF NOT EXISTS ${COMMITS} (commit_id VARCHAR, node_id VARCHAR, table_name VARCHAR, row_count BIGINT, committed_at TIMESTAMPTZ)`);
        const prior = (await conn.runAndReadAll(`SELECT row_count FROM ${COMMITS} WHERE commit_id = $r AND node_id = $n`, { r: ctx.commitId, n: ctx.nodeId })).getRowsJS()[0];
        if (prior) {
          await conn.run('ROLLBACK');
          return { written: Number(prior[0]) };
        }
      }
      const exists = Number((await conn.runAndReadAll(`SELECT count(*) FROM duckdb_tables() WHERE table_name = $t AND schema_name = 'main'`, { t: c.table })).getRowsJS()[0]?.[0] ?? 0) > 0;
      if (c.mode === 'overwrite' || !exists) await conn.run(`CREATE OR REPLACE TABLE ${t} AS SELECT * FROM ${src}`);
      else if (c.mode === 'append') await conn.run(`INSERT INTO ${t} BY NAME SELECT * FROM ${src}`);
      else {
        const match = c.key.map((k) => `${t}.${qi(k)} IS NOT DISTINCT FROM s.${qi(k)}`).join(' AND ');
        await conn.run(`DELETE FROM ${t} WHERE EXISTS (SELECT 1 FROM ${src} s WHERE ${match})`);
        await conn.run(`INSERT INTO ${t} BY NAME SELECT * FROM ${src}`);
      }
      if (ctx.commitId !== undefined) {
        await conn.run(`INSERT INTO ${COMMITS} VALUES ($r, $n, $t, $rows, now())`, { r: ctx.commitId, n: ctx.nodeId, t: c.table, rows });
      }
      faultPoint('duckdb-commit', ctx.nodeId);
      await conn.run('COMMIT');
    } catch (e) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw new UserError(`writing table "${c.table}" in ${path.basename(target)} failed, nothing was changed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, { nodeId: ctx.nodeId, field: 'table' });
    } finally {
      conn.closeSync();
      inst.closeSync();
    }
    return { written: rows };
  },
};
