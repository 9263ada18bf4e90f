// Write rows to a CSV file, atomically (overwrite, append or merge by key).
import * as z from 'zod';
import type { NodeKind } from './types.js';
import { sinkCsvSchema } from '@sluice/format/kinds/sink-csv';
import { writeFileSink } from './shared/file-sink.js';
import { qi, qlit } from '../sql/quote.js';

const config = sinkCsvSchema.config;

/**
 * A text cell a spreadsheet would evaluate (CSV formula injection): one starting with `=`, `@`, a tab or a
 * carriage return, or with `+`/`-` when it is not simply a number (so "-5" stays quiet, "-2+cmd|…" does not).
 */
export function formulaLike(quotedColumn: string): string {
  return `(left(${quotedColumn}, 1) IN ('=', '@', chr(9), chr(13)) OR (left(${quotedColumn}, 1) IN ('+', '-') AND TRY_CAST(${quotedColumn} AS DOUBLE) IS NULL))`;
}

export const sinkCsvNode: NodeKind<z.infer<typeof config>> = {
  kind: 'sink.csv',
  category: 'sink',
  title: 'Write CSV',
  description: 'Write rows to a CSV file atomically: overwrite, append, or merge by key. Formula-like text cells are kept (with a warning) or neutralized.',
  inputs: [{ name: 'in', title: 'Rows', role: 'data' }],
  outputs: [],
  config,
  defaults: { path: 'output.csv', mode: 'overwrite', key: [] },
  accounting: 'sink',
  // Its COPY writes every input row (or it counts them first: append, merge, delete markers).
  countsInputs: ['in'],
  version: 1,
  migrations: [],
  traits: { rows: 'row-wise', replay: 'passes', counts: 'sink' },
  outputSchema: sinkCsvSchema.outputSchema,
  statics: (c) => [{ type: 'output-path', field: 'path', value: c.path }],
  execute: (ctx, c) =>
    writeFileSink(ctx, c, {
      copyOptions: `FORMAT csv, HEADER true, DELIMITER ${qlit(c.delimiter)}`,
      readExisting: (p) => `SELECT * FROM read_csv(${p}, header = true, all_varchar = true, delim = ${qlit(c.delimiter)})`,
      async textCells(ctx2, input, columns) {
        if (c.formulas === 'neutralize') return { cell: (q) => `CASE WHEN ${formulaLike(q)} THEN '''' || ${q} ELSE ${q} END`, warnings: [] };
        if (columns.length === 0) return { warnings: [] };
        const quoted = columns.map(qi);
        const counts = await ctx2.rows(`SELECT ${quoted.map((q, i) => `count(*) FILTER (WHERE ${formulaLike(q)}) AS c${i}`).join(', ')} FROM ${input}`);
        const per = columns.map((n, i) => ({ n, k: Number(counts[0]?.[`c${i}`] ?? 0) })).filter((x) => x.k > 0);
        const total = per.reduce((a, x) => a + x.k, 0);
        if (total === 0) return { warnings: [] };
        const where = per.map((x) => `${x.n} (${x.k})`).join(', ');
        return { warnings: [`${total} cell(s) start like a spreadsheet formula (=, @, +, -) and were written unchanged: ${where}; set "formulas": "neutralize" to prefix them with '`] };
      },
    }),
};
