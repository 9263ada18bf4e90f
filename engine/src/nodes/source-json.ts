// JSON source: NDJSON (one object per line) or one array of objects. Each bad record is quarantined with its
// line (or element) number and text; top-level fields become text columns extracted exactly by DuckDB.
import * as path from 'node:path';
import * as z from 'zod';
import type { NodeKind } from './types.js';
import { PATH } from '@sluice/format/api/editor-hints';
import { LINEAGE, UserError } from '../runtime/exec-context.js';
import { qi, qlit } from '../sql/quote.js';
import { JsonFileError, scanJsonArray, scanNdjson } from '../sources/json-scan.js';
import { normalizeHeader } from '../sources/csv-record.js';
import { applyDeclaredTypes, trimSchema, typesSchema } from './shared/typing.js';
import { normalizeType } from '../sql/strict-cast.js';
import { blankLinesSchema, nullIfSql, nullValuesSchema } from './shared/null-values.js';
import type { SniffedColumn } from '@sluice/format/schema/types';

/** Records a sniff reads (from at most the file's first megabyte), as for CSV. */
const SNIFF_ROWS = 1000;

const config = z.strictObject({
  path: z.string().min(1, 'needs a file: choose the file to read').meta(PATH).describe('File path or glob, relative to the pipeline file'),
  format: z.enum(['ndjson', 'array']).default('ndjson'),
  types: typesSchema,
  trim: trimSchema,
  numericStrings: z
    .boolean()
    .default(true)
    .describe('Accept a JSON string ("20", "true") for a column declared as a number or boolean. Off (strict): only JSON numbers and booleans convert to those types; a string is quarantined (dates and other types are read from strings either way)'),
  nullValues: nullValuesSchema,
  blankLines: blankLinesSchema.describe('NDJSON: a blank line is counted as filtered ("skip") or quarantined with its line number'),
});

export const sourceJsonNode: NodeKind<z.infer<typeof config>> = {
  kind: 'source.json',
  category: 'source',
  title: 'JSON / NDJSON file',
  description: 'Read newline-delimited JSON or a JSON array. Bad lines go to quarantine with their line number and text.',
  inputs: [],
  outputs: [{ name: 'out', title: 'Rows', role: 'data' }],
  config,
  defaults: { path: '', format: 'ndjson', types: {} },
  accounting: 'source',
  version: 2,
  migrations: [
    {
      note: 'gained "nullValues" and "blankLines"; their defaults keep the old reading',
      up: (config) => config,
    },
  ],
  traits: { rows: 'row-wise', replay: 'passes', counts: 'source' },
  // The keys are the union over every record, so they are known only once the files are read.
  outputSchema: () => ({ outputs: { out: undefined }, problems: [] }),
  sniff: {
    field: 'types',
    async run({ config: c, env }) {
      if (!c.path) return { error: 'needs a file: choose the file to read', code: 'needs_file' };
      const sample = await env.jsonSample(c.path, c.format, SNIFF_ROWS);
      if ('error' in sample) return sample;
      // Column names as the run gives them (keys differing only in case are renamed there).
      const { names } = normalizeHeader(sample.keys);
      const nulls = new Set(c.nullValues ?? []);
      const plain: { name: string; values: (string | null)[] }[] = [];
      const nested = new Map<string, number>();
      const fromStrings = new Map<string, string[]>();
      sample.keys.forEach((k, i) => {
        const name = names[i] as string;
        const values = sample.records.map((r) => {
          const v = Object.hasOwn(r.members, k) ? (r.members[k] ?? null) : null;
          return v === null || nulls.has(v) ? null : v;
        });
        // A nested object or array (written as such, not a string holding one) is JSON, whatever else it holds.
        const objects = sample.records.filter((r) => !r.strings.includes(k) && /^[[{]/.test(r.members[k] ?? '')).length;
        if (objects > 0) nested.set(name, values.filter((v) => v !== null).length);
        else plain.push({ name, values });
        fromStrings.set(name, sample.records.filter((r) => r.strings.includes(k) && r.members[k] !== null).map((r) => r.members[k] as string));
      });
      const typed = await env.classifyText(plain, { trim: c.trim });
      const columns = names.map((name): SniffedColumn => {
        const n = nested.get(name);
        if (n !== undefined) return { name, type: 'JSON', values: n };
        const col = typed.find((t) => t.name === name) as SniffedColumn;
        // Strict sources refuse a JSON string as a number or true/false: such a column stays text, and the
        // stricter type is offered with the string values it would quarantine.
        const strs = fromStrings.get(name) ?? [];
        if (!c.numericStrings && strs.length > 0 && /INT|DOUBLE|FLOAT|DECIMAL|BOOLEAN/.test(col.type)) {
          return { name, type: 'VARCHAR', values: col.values, closest: { type: col.type, misfits: strs.length, examples: strs.slice(0, 3) } };
        }
        return col;
      });
      return { file: sample.file, rows: sample.records.length, columns, field: 'types' };
    },
  },
  statics: (c) => [{ type: 'input-path', field: 'path', value: c.path }],
  async execute(ctx, c) {
    const files = await ctx.resolveGlob(c.path, 'path');
    const keys: string[] = [];
    const cleans: { file: string; name: string }[] = [];
    let recordsRead = 0;
    let truncated = false;
    let blank = 0;
    const warnings: string[] = [];
    for (const [i, file] of files.entries()) {
      const name = path.basename(file);
      const clean = path.join(ctx.scratchDir, `clean_${i}.ndjson`);
      let scan;
      try {
        scan = c.format === 'ndjson' ? scanNdjson(file, clean, ctx.limit, c.blankLines === 'quarantine') : scanJsonArray(file, clean, ctx.limit);
      } catch (e) {
        if (e instanceof JsonFileError) throw new UserError(e.message, { nodeId: ctx.nodeId, file: name });
        throw e;
      }
      for (const k of scan.keys) if (!keys.includes(k)) keys.push(k);
      recordsRead += scan.records;
      blank += scan.blank;
      truncated ||= scan.truncated;
      if (scan.truncated) warnings.push(`${name}: preview read only the first ${scan.good} good records`);
      const unit = c.format === 'ndjson' ? 'line' : 'element';
      await ctx.appendQuarantine(
        scan.bad.map((b) => ({ lineage: `${ctx.nodeId}:${name}:${b.line}`, sourceLine: b.line, ruleIds: [b.rule], reasons: [`${name} ${unit} ${b.line}: ${b.reason}`], row: null, raw: b.raw })),
      );
      if (scan.good > 0) cleans.push({ file: clean, name });
    }
    // Keys are case-sensitive, column names are not: "A" and "a" would collide, and DuckDB would rename one silently.
    const { names, warnings: renamed } = normalizeHeader(keys);
    warnings.push(...renamed.map((w) => w.replace(/^header /, 'key ')));
    const extract = keys.map((k, i) => {
      const at = qlit(`$."${k}"`);
      // Own keys only: a JSON key such as "constructor" must not find Object's own members.
      const declared = Object.hasOwn(c.types, names[i] as string) ? c.types[names[i] as string] : undefined;
      const type = normalizeType(declared ?? 'VARCHAR');
      // Strict: a JSON string keeps its quotes, so it does not convert to a non-text type and its row says why.
      const keepQuotes = !c.numericStrings && type !== undefined && /INT|DOUBLE|FLOAT|DECIMAL|BOOLEAN/.test(type);
      const value = keepQuotes ? `CASE WHEN list_contains("s", ${qlit(k)}) THEN CAST(to_json(json_extract_string("r", ${at})) AS VARCHAR) ELSE json_extract_string("r", ${at}) END` : `json_extract_string("r", ${at})`;
      return `${nullIfSql(value, c.nullValues)} AS ${qi(names[i] as string)}`;
    });
    const empty = `SELECT ${[`CAST(NULL AS VARCHAR) AS ${qi(LINEAGE)}`, ...names.map((k) => `CAST(NULL AS VARCHAR) AS ${qi(k)}`)].join(', ')} WHERE false`;
    const parts = cleans.map(
      (f) => `SELECT ${qlit(`${ctx.nodeId}:${f.name}:`)} || "l" AS ${qi(LINEAGE)}${extract.length ? `, ${extract.join(', ')}` : ''} FROM read_json(${qlit(f.file)}, format = 'newline_delimited', columns = {'l': 'BIGINT', 'r': 'JSON', 's': 'VARCHAR[]'}, maximum_object_size = 268435456)`,
    );
    try {
      await applyDeclaredTypes(ctx, `(${parts.length === 0 ? empty : parts.join(' UNION ALL ')})`, ctx.output('out'), names, c.types, 'types', { trim: c.trim });
    } catch (e) {
      // The clean copies are the engine's scratch files: a message names the user's file instead.
      if (!(e instanceof Error) || !e.message.includes(ctx.scratchDir)) throw e;
      let msg = e.message.split('\n')[0] ?? '';
      for (const f of cleans) msg = msg.replaceAll(f.file, f.name);
      throw new UserError(`could not read the checked records: ${msg.replaceAll(ctx.scratchDir, '')}`, { nodeId: ctx.nodeId, field: 'path' });
    }
    return { recordsRead, truncated, ...(blank > 0 ? { filtered: { count: blank, reason: 'blank line' } } : {}), warnings };
  },
};
