// CSV source: our own scanner splits records and quarantines malformed lines; DuckDB then reads the clean copy
// with a fixed dialect, every field as text. Declared types are applied by a strict cast whose failures are
// quarantined with the value and the reason.
import * as path from 'node:path';
import { z } from 'zod';
import type { NodeKind } from './types.js';
import { PATH } from '@sluice/format/api/editor-hints';
import { applyTypesToSchema } from '../schema/typed.js';
import { CsvFileError } from '../sources/csv-record.js';
import { scanCsvFile } from '../sources/csv-scan-parallel.js';
import { UserError, LINEAGE, type QuarantineRecord } from '../runtime/exec-context.js';
import { qi, qlit } from '../sql/quote.js';
import { applyDeclaredTypes, trimSchema, typesSchema } from './shared/typing.js';
import { blankLinesSchema, nullIfSql, nullValuesSchema } from './shared/null-values.js';

const config = z.strictObject({
  path: z.string().min(1, 'needs a file: choose the file to read').meta(PATH).describe('File path or glob, relative to the pipeline file'),
  delimiter: z.string().min(1).max(1).default(','),
  quote: z.string().max(1).default('"'),
  escape: z.string().max(1).default('').describe('Escape character inside quotes; empty means a doubled quote'),
  header: z.boolean().default(true),
  encoding: z.enum(['utf-8', 'utf-16le', 'utf-16be', 'latin1']).default('utf-8'),
  types: typesSchema,
  trim: trimSchema,
  nullValues: nullValuesSchema,
  blankLines: blankLinesSchema,
});

export const sourceCsvNode: NodeKind<z.infer<typeof config>> = {
  kind: 'source.csv',
  category: 'source',
  title: 'CSV file',
  description: 'Read CSV files with an explicit dialect. Malformed lines go to quarantine with their line number and exact text.',
  inputs: [],
  outputs: [{ name: 'out', title: 'Rows', role: 'data' }],
  config,
  defaults: { path: '', delimiter: ',', quote: '"', header: true, encoding: 'utf-8', types: {} },
  accounting: 'source',
  version: 2,
  migrations: [
    {
      // Both options default to what the source always did (empty quoted text stays '', blank lines skipped).
      note: 'gained "nullValues" and "blankLines"; their defaults keep the old reading',
      up: (config) => config,
    },
  ],
  traits: { rows: 'row-wise', replay: 'passes', counts: 'source' },
  async outputSchema({ nodeId, config: c, env }) {
    if (!c.path) return { outputs: { out: undefined }, problems: [{ code: 'needs_file', field: 'path', message: 'needs a file: choose the CSV file to read' }] };
    const h = await env.csvHeader(c.path, c);
    if ('error' in h) return { outputs: { out: undefined }, problems: [{ code: h.code, field: h.code === 'needs_file' ? 'path' : h.code === 'encoding' ? 'encoding' : 'path', message: h.error }] };
    return applyTypesToSchema(nodeId, h.names.map((name) => ({ name, type: 'VARCHAR', typedAt: nodeId })), c.types, 'out', true);
  },
  statics: (c) => [{ type: 'input-path', field: 'path', value: c.path }],
  async execute(ctx, c) {
    const files = await ctx.resolveGlob(c.path, 'path');
    const parts: string[] = [];
    let header: string[] | undefined;
    let recordsRead = 0;
    let truncated = false;
    let blank = 0;
    const warnings: string[] = [];
    for (const [i, file] of files.entries()) {
      const name = path.basename(file);
      const clean = path.join(ctx.scratchDir, `clean_${i}`);
      let scan;
      try {
        scan = await scanCsvFile(file, clean, { delimiter: c.delimiter, quote: c.quote, escape: c.escape, header: c.header, encoding: c.encoding, blankLines: c.blankLines }, ctx.limit);
      } catch (e) {
        if (e instanceof CsvFileError) throw new UserError(e.message, { nodeId: ctx.nodeId, file: name, ...(e.field ? { field: e.field } : {}) });
        throw e;
      }
      if (header && scan.header.join('\u0001') !== header.join('\u0001')) {
        throw new UserError(`the columns of ${name} (${scan.header.join(', ')}) differ from those of ${path.basename(files[0] as string)} (${header.join(', ')})`, { nodeId: ctx.nodeId, file: name, field: 'path' });
      }
      header ??= scan.header;
      recordsRead += scan.records;
      blank += scan.blank;
      warnings.push(...scan.warnings.map((w) => `${name}: ${w}`));
      truncated ||= scan.truncated;
      if (scan.truncated) warnings.push(`${name}: preview read only the first ${scan.good} good records`);
      const records: QuarantineRecord[] = scan.bad.map((b) => ({
        lineage: `${ctx.nodeId}:${name}:${b.line}`,
        sourceLine: b.line,
        ruleIds: [b.rule],
        reasons: [`${name} line ${b.line}: ${b.reason}`],
        row: null,
        raw: b.raw,
      }));
      await ctx.appendQuarantine(records);
      if (scan.good === 0) continue;
      const cols = [`'__sl_line': 'BIGINT'`, ...scan.header.map((h) => `${qlit(h)}: 'VARCHAR'`)].join(', ');
      const prefix = `${ctx.nodeId}:${name}:`;
      for (const part of scan.parts) {
        parts.push(
          `SELECT ${qlit(prefix)} || ("__sl_line" + ${Math.floor(part.lineOffset)}) AS ${qi(LINEAGE)}, ${scan.header.map((h) => `${nullIfSql(qi(h), c.nullValues)} AS ${qi(h)}`).join(', ')} FROM read_csv(${qlit(part.path)}, header = false, auto_detect = false, columns = {${cols}}, delim = ${qlit(c.delimiter)}, quote = ${qlit(c.quote)}, escape = ${qlit(c.escape === '' ? c.quote : c.escape)}, strict_mode = true, null_padding = false, allow_quoted_nulls = false, parallel = true${lineSizeOptions(part.longest)})`,
        );
      }
    }
    const out = ctx.output('out');
    const cols = header ?? [];
    // The clean copies are read straight into the typed table: no intermediate copy of the text rows.
    const empty = `SELECT ${[`CAST(NULL AS VARCHAR) AS ${qi(LINEAGE)}`, ...cols.map((h) => `CAST(NULL AS VARCHAR) AS ${qi(h)}`)].join(', ')} WHERE false`;
    const raw = `(${parts.length === 0 ? empty : parts.join(' UNION ALL ')})`;
    const typed = await applyDeclaredTypes(ctx, raw, out, cols, c.types, 'types', { trim: c.trim });
    return {
      recordsRead,
      truncated,
      ...(blank > 0 ? { filtered: { count: blank, reason: 'blank line' } } : {}),
      warnings: [...warnings, ...typed.warnings],
    };
  },
};

/**
 * DuckDB refuses lines over 2 MB unless told, and needs a read buffer larger than the longest line. The clean
 * copy adds a line number and a delimiter to each record, hence the margin.
 */
function lineSizeOptions(longest: number): string {
  if (longest < 1_000_000) return '';
  const max = longest + 64;
  return `, max_line_size = ${max}, buffer_size = ${Math.max(2 * max, 32 << 20)}`;
}
