// Parquet source: typed data, read as is; each row's lineage is its file and row number.
import * as path from 'node:path';
import * as z from 'zod';
import type { NodeKind } from './types.js';
import { PATH } from '@sluice/format/api/editor-hints';
import type { ExecContext } from '../runtime/exec-context.js';
import { LINEAGE, ROWID_REASON, UserError, isRowidName } from '../runtime/exec-context.js';
import { qi, qlit } from '../sql/quote.js';

const config = z.strictObject({ path: z.string().min(1, 'needs a file: choose the file to read').meta(PATH).describe('File path or glob, relative to the pipeline file') });

export const sourceParquetNode: NodeKind<z.infer<typeof config>> = {
  kind: 'source.parquet',
  category: 'source',
  title: 'Parquet file',
  description: 'Read Parquet files (typed). Each row keeps its file and row number as lineage.',
  inputs: [],
  outputs: [{ name: 'out', title: 'Rows', role: 'data' }],
  config,
  defaults: { path: '' },
  accounting: 'source',
  version: 1,
  migrations: [],
  traits: { rows: 'row-wise', replay: 'passes', counts: 'source' },
  async outputSchema({ config: c, env }) {
    if (!c.path) return { outputs: { out: undefined }, problems: [{ code: 'needs_file', field: 'path', message: 'needs a file: choose the Parquet file to read' }] };
    const r = await env.parquetColumns(c.path);
    if ('error' in r) return { outputs: { out: undefined }, problems: [{ code: r.code, field: 'path', message: r.error }] };
    return { outputs: { out: r.columns }, problems: [] };
  },
  statics: (c) => [{ type: 'input-path', field: 'path', value: c.path }],
  async execute(ctx, c) {
    const files = await ctx.resolveGlob(c.path, 'path');
    const parts = files.map((f) => {
      const prefix = `${ctx.nodeId}:${path.basename(f)}:`;
      return `SELECT ${qlit(prefix)} || (file_row_number + 1) AS ${qi(LINEAGE)}, * EXCLUDE (file_row_number) FROM read_parquet(${qlit(f)}, file_row_number = true)${ctx.limit !== undefined ? ` LIMIT ${Math.floor(ctx.limit)}` : ''}`;
    });
    const query = parts.join(' UNION ALL BY NAME ');
    const out = ctx.output('out');
    // Parquet is typed already, so the output is a view, not a copy: the nodes that read it run the scan inside
    // their own queries, and DuckDB reads only the columns and row groups those need (projection and filter
    // pushdown). Binding the view reads each file's footer, so a file that is not Parquet fails here.
    let warnings: string[];
    let recordsRead: number;
    try {
      const renamed = rowidRenames((await ctx.columns(`(${query})`)).map((x) => x.name));
      warnings = renamed.map(([from, to]) => `column "${from}" ${ROWID_REASON}; named it "${to}"`);
      const rename = renamed.length > 0 ? ` RENAME (${renamed.map(([from, to]) => `${qi(from)} AS ${qi(to)}`).join(', ')})` : '';
      if (ctx.limit !== undefined) {
        // A preview keeps its few rows as a table: each read of the view would decode the files' first row groups
        // again (the preview reads its rows, then counts them), ~50 ms each over a large file.
        await ctx.run(`CREATE TABLE ${out} AS SELECT *${rename} FROM (${query})`);
        recordsRead = await ctx.count(`SELECT count(*) FROM ${out}`);
      } else {
        await ctx.run(`CREATE VIEW ${out} AS SELECT *${rename} FROM (${query})`);
        // The row count is each footer's (the number of rows the scan yields), so no data page is decoded here.
        const [counted] = await ctx.rows(`SELECT coalesce(sum(num_rows), 0) AS n FROM parquet_file_metadata([${files.map(qlit).join(', ')}])`);
        recordsRead = Number(counted?.['n'] ?? 0);
      }
    } catch (e) {
      const msg = e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e);
      // DuckDB does not always say which file of a glob it choked on; reading each one alone finds it.
      const culprit = await firstUnreadable(ctx, files);
      throw new UserError(`cannot read Parquet: ${msg}`, { nodeId: ctx.nodeId, field: 'path', ...(culprit ? { file: path.basename(culprit) } : {}) });
    }
    // Data pages are decoded by the nodes that read the view: one of them meets a damaged page, and the failure
    // is then told as this source's file (runtime/execution/read-failures.ts), found by reading each file whole.
    ctx.leaveExplainer?.(async (failure, probe) => {
      const culprit = await firstUnreadable(probe, files, true);
      if (!culprit) return undefined;
      const msg = failure.message.split('\n')[0] ?? '';
      return new UserError(`cannot read Parquet ${path.basename(culprit)} (source node ${JSON.stringify(ctx.nodeId)}): ${msg}`);
    });
    // Each file stops at the limit; reaching it in total is the sign that a file may hold more.
    // The view yields exactly the footers' rows, so the run need not scan it to count its output.
    return { recordsRead, truncated: ctx.limit !== undefined && recordsRead >= ctx.limit, warnings, ...(ctx.limit === undefined ? { outputRows: { out: recordsRead } } : {}) };
  },
};

/** A column named `rowid` would hide DuckDB's row positions: it is data, so it is kept under another name. */
function rowidRenames(names: string[]): [string, string][] {
  const taken = [...names];
  const out: [string, string][] = [];
  for (const name of names.filter(isRowidName)) {
    let renamed = `${name}_1`;
    for (let k = 2; taken.some((n) => n.toLowerCase() === renamed.toLowerCase()); k++) renamed = `${name}_${k}`;
    taken.push(renamed);
    out.push([name, renamed]);
  }
  return out;
}

/**
 * The first of `files` whose every page cannot be decoded. `always`: test a lone file too (a failure met
 * downstream may not be the file's); otherwise a lone file is the one that failed.
 */
async function firstUnreadable(reader: Pick<ExecContext, 'count'>, files: string[], always = false): Promise<string | undefined> {
  if (files.length === 1 && !always) return files[0];
  for (const f of files) {
    try {
      // The whole row is referenced so that every column's pages are decoded, not only the row count read.
      await reader.count(`SELECT count(*) FROM read_parquet(${qlit(f)}) AS t WHERE t IS NOT NULL`);
    } catch {
      return f;
    }
  }
  return undefined;
}
