// CSV source: our own scanner splits records and quarantines malformed lines; DuckDB then reads the clean copy
// with a fixed dialect, every field as text. Declared types are applied by a strict cast whose failures are
// quarantined with the value and the reason.
import * as path from 'node:path';
import * as z from 'zod';
import type { NodeKind } from './types.js';
import { PATH } from '@sluice/format/api/editor-hints';
import { applyTypesToSchema } from '@sluice/format/schema/typed';
import { CsvFileError, dialectBytes } from '../sources/csv-record.js';
import { scanCsvFile } from '../sources/csv-scan-parallel.js';
import type { BadRecord } from '../sources/csv-scan.js';
import { linesTable, readCsvLines } from '../sources/csv-lines.js';
import { UserError, LINEAGE, type QuarantineRecord } from '../runtime/exec-context.js';
import { qi, qlit } from '../sql/quote.js';
import { normalizeType } from '../sql/strict-cast.js';
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
  multiline: z.boolean().default(true).describe('A quoted field may span lines; false: one physical line is one record, and a line with an unclosed quote is quarantined alone'),
});

/** Records a sniff reads (from at most the file's first megabyte). */
const SNIFF_ROWS = 1000;

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
  sniff: {
    field: 'types',
    async run({ config: c, env }) {
      if (!c.path) return { error: 'needs a file: choose the CSV file to read', code: 'needs_file' };
      const sample = await env.csvSample(c.path, { ...c, nullValues: c.nullValues }, SNIFF_ROWS);
      if ('error' in sample) return sample;
      const columns = await env.classifyText(sample.names.map((name, i) => ({ name, values: sample.rows.map((r) => r[i] ?? null) })), { trim: c.trim });
      return { file: sample.file, rows: sample.rows.length, columns, field: 'types' };
    },
  },
  statics: (c) => [{ type: 'input-path', field: 'path', value: c.path }],
  async execute(ctx, c) {
    const files = await ctx.resolveGlob(c.path, 'path');
    const out = ctx.output('out');
    const parts: string[] = [];
    let header: string[] | undefined;
    let recordsRead = 0;
    let truncated = false;
    let blank = 0;
    let goodSoFar = 0;
    const warnings: string[] = [];
    for (const [i, file] of files.entries()) {
      const name = path.basename(file);
      const prefix = `${ctx.nodeId}:${name}:`;
      let read: FileRead;
      try {
        // A plain file is read by DuckDB a line per row (sources/csv-lines.ts), any other by our scanner. A preview
        // reads only a file's first records: the scanner stops there. SLUICE_CSV_SCAN=scan always scans.
        const plain = ctx.limit === undefined && c.encoding === 'utf-8' && c.header && process.env['SLUICE_CSV_SCAN'] !== 'scan';
        const lines = plain ? await readCsvLines(ctx, file, linesTable(out, i), dialectBytes(c), ctx.signal) : undefined;
        if (lines) {
          ctx.reportProgress?.({ fraction: (i + 1) / files.length, rows: goodSoFar + lines.good });
          read = { ...lines, truncated: false, parts: lines.good > 0 ? [lines.select(prefix, qi(LINEAGE), (e) => nullIfSql(e, c.nullValues))] : [] };
        } else {
          // Rows so far and the share of the files read: the scan is most of a source's time, and DuckDB sees none of it.
          const before = goodSoFar;
          const progress = ctx.reportProgress ? (p: { fraction: number; good: number }) => ctx.reportProgress?.({ fraction: (i + p.fraction) / files.length, rows: before + p.good }) : undefined;
          const scan = await scanCsvFile(file, path.join(ctx.scratchDir, `clean_${i}`), { delimiter: c.delimiter, quote: c.quote, escape: c.escape, header: c.header, encoding: c.encoding, blankLines: c.blankLines, multiline: c.multiline }, ctx.limit, undefined, progress);
          const cols = [`'__sl_line': 'BIGINT'`, ...scan.header.map((h) => `${qlit(h)}: 'VARCHAR'`)].join(', ');
          const parts = scan.good === 0 ? [] : scan.parts.map(
            (part) =>
              `SELECT ${qlit(prefix)} || ("__sl_line" + ${Math.floor(part.lineOffset)}) AS ${qi(LINEAGE)}, ${scan.header.map((h) => `${nullIfSql(qi(h), c.nullValues)} AS ${qi(h)}`).join(', ')} FROM read_csv(${qlit(part.path)}, header = false, auto_detect = false, columns = {${cols}}, delim = ${qlit(c.delimiter)}, quote = ${qlit(c.quote)}, escape = ${qlit(c.escape === '' ? c.quote : c.escape)}, strict_mode = true, null_padding = false, allow_quoted_nulls = false, parallel = true${lineSizeOptions(part.longest)})`,
          );
          read = { ...scan, parts };
        }
      } catch (e) {
        if (e instanceof CsvFileError) throw new UserError(e.message, { nodeId: ctx.nodeId, file: name, ...(e.field ? { field: e.field } : {}) });
        throw e;
      }
      if (header && read.header.join('\u0001') !== header.join('\u0001')) {
        throw new UserError(`the columns of ${name} (${read.header.join(', ')}) differ from those of ${path.basename(files[0] as string)} (${header.join(', ')})`, { nodeId: ctx.nodeId, file: name, field: 'path' });
      }
      header ??= read.header;
      recordsRead += read.records;
      goodSoFar += read.good;
      blank += read.blank;
      warnings.push(...read.warnings.map((w) => `${name}: ${w}`));
      truncated ||= read.truncated;
      if (read.truncated) warnings.push(`${name}: preview read only the first ${read.good} good records`);
      await ctx.appendQuarantine(read.bad.map((b) => badRecord(ctx.nodeId, name, b)));
      parts.push(...read.parts);
    }
    const cols = header ?? [];
    if (header) warnings.push(...schemaDrift(ctx.nodeId, path.basename(files[0] as string), header, c.types));
    // The output is a view over the clean copies (which live in this run's scratch folder until it ends): storing
    // the rows as a table cost more than the scan itself, and a view lets the readers push projections into it.
    const empty = `SELECT ${[`CAST(NULL AS VARCHAR) AS ${qi(LINEAGE)}`, ...cols.map((h) => `CAST(NULL AS VARCHAR) AS ${qi(h)}`)].join(', ')} WHERE false`;
    const raw = `(${parts.length === 0 ? empty : parts.join(' UNION ALL ')})`;
    const typed = await applyDeclaredTypes(ctx, raw, out, cols, c.types, 'types', { trim: c.trim, textInput: true, view: true });
    return {
      recordsRead,
      // The scan counted the records it kept in the clean copies; the view is those less the ones a type quarantined.
      outputRows: { out: goodSoFar - typed.quarantined },
      truncated,
      ...(blank > 0 ? { filtered: { count: blank, reason: 'blank line' } } : {}),
      warnings: [...warnings, ...typed.warnings],
    };
  },
};

/** One file as either reader gives it: its records' counts, the ones refused, and queries of the good ones. */
interface FileRead {
  header: string[];
  records: number;
  good: number;
  blank: number;
  bad: BadRecord[];
  warnings: string[];
  truncated: boolean;
  parts: string[];
}

/** A record the read refused, as the node's quarantine keeps it (line number, rule, reason and exact bytes). */
function badRecord(nodeId: string, name: string, b: BadRecord): QuarantineRecord {
  return { lineage: `${nodeId}:${name}:${b.line}`, sourceLine: b.line, ruleIds: [b.rule], reasons: [`${name} line ${b.line}: ${b.reason}`], row: null, raw: b.raw };
}

/**
 * The columns of a whole accepted schema, or undefined when `types` declares only some columns (the rest stay
 * text, as documented): types that list text columns too are a whole schema, as the designer's Accept writes them.
 */
export function acceptedColumns(types: Record<string, string>): string[] | undefined {
  return Object.values(types).some((t) => normalizeType(t) === 'VARCHAR') ? Object.keys(types) : undefined;
}

/**
 * The file's columns against the accepted schema. Types that list text columns too are a whole schema (as the
 * designer's Accept writes them), so a column they do not list is new in the file: read as text, and reported. A
 * column they list that the file lacks fails the run, naming it, before any row is typed.
 */
function schemaDrift(nodeId: string, file: string, header: string[], types: Record<string, string>): string[] {
  const gone = Object.keys(types).filter((n) => !header.includes(n));
  if (gone.length > 0) {
    throw new UserError(`schema drift: ${file} has no column${gone.length > 1 ? 's' : ''} ${gone.map((n) => `"${n}"`).join(', ')}, which the accepted types list (it has ${header.join(', ')}); remove ${gone.length > 1 ? 'them' : 'it'} from "types", or fix the file`, { nodeId, file, field: 'types' });
  }
  const added = header.filter((n) => !Object.hasOwn(types, n));
  if (!acceptedColumns(types) || added.length === 0) return [];
  return [`schema drift: ${file} has column${added.length > 1 ? 's' : ''} ${added.map((n) => `"${n}"`).join(', ')} that the accepted types do not list; read as text (accept ${added.length > 1 ? 'their types' : 'its type'} in the designer, or add ${added.length > 1 ? 'them' : 'it'} to "types")`];
}

/**
 * DuckDB refuses lines over 2 MB unless told, and needs a read buffer larger than the longest line. The clean
 * copy adds a line number and a delimiter to each record, hence the margin.
 */
function lineSizeOptions(longest: number): string {
  if (longest < 1_000_000) return '';
  const max = longest + 64;
  return `, max_line_size = ${max}, buffer_size = ${Math.max(2 * max, 32 << 20)}`;
}
