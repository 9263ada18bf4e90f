// The engine's SchemaEnv: CSV headers and Parquet footers read from files the pipeline may use, expressions and
// queries described by DuckDB over empty typed inputs. Every answer is cached (files by size and mtime), so
// re-checking a pipeline after an edit costs only what the edit changed.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../db/database.js';
import { LINEAGE, UserError, isReservedColumn, isRowidName } from '../runtime/exec-context.js';
import { expandGlob, resolveInside } from '../runtime/paths.js';
import { CsvFileError, NL, dialectBytes, parseHeader, parseRecord, splitFields } from '../sources/csv-record.js';
import { readAsUtf8 } from '../sources/csv-scan.js';
import { JsonFileError, sampleJsonRecords } from '../sources/json-scan.js';
import { checkExpression, checkSelect } from '../sql/guard.js';
import { qi, qlit } from '../sql/quote.js';
import { friendlySqlError } from '../schema/messages.js';
import type { Schema, SchemaEnv, SniffedColumn } from '@sluice/format/schema/types';
import { strictCastSql } from '../sql/strict-cast.js';

/** Type names as DuckDB prints them; anything else is described as text rather than spliced into SQL. */
const SAFE_TYPE = /^[A-Za-z][A-Za-z0-9_ ]*(\([0-9, ]*\))?(\[[0-9]*\])*$/;

function emptyRelation(schema: Schema, withLineage: boolean): string {
  const cols = [...(withLineage ? [`CAST(NULL AS VARCHAR) AS ${qi(LINEAGE)}`] : []), ...schema.map((c) => `CAST(NULL AS ${SAFE_TYPE.test(c.type) ? c.type : 'VARCHAR'}) AS ${qi(c.name)}`)];
  return `(SELECT ${cols.length ? cols.join(', ') : '1 AS "__sl_none"'} WHERE false)`;
}

/** A schema's cache key, kept per array: kinds pass unchanged schemas on as the same array. */
const keys = new WeakMap<Schema, string>();
function schemaKey(s: Schema): string {
  let k = keys.get(s);
  if (k === undefined) {
    k = s.map((c) => `${c.name}\u0001${c.type}`).join('\u0002');
    keys.set(s, k);
  }
  return k;
}

const IDENT = /'(?:[^']|'')*'|"((?:[^"]|"")*)"|([A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*)|(\*)/g;

/** What comes before position `at` in `e`, spaces skipped ('' at the start). */
function before(e: string, at: number): string {
  let i = at - 1;
  while (i >= 0 && /\s/.test(e[i] as string)) i--;
  return i >= 0 ? (e[i] as string) : '';
}

/**
 * The input columns an expression can refer to (every identifier it names, quoted or not). Describing over only
 * these, and caching by their types, keeps an edit upstream from invalidating every later node's describe: a
 * filter on `quantity` is unaffected when another column changes type. A star (`*`, `t.*`, `count(*)`) or
 * `COLUMNS(...)` means all of them; a `*` after an operand is a multiplication, which names nothing.
 */
export function referenced(input: Schema, expressions: string[]): Schema {
  const words = new Set<string>();
  for (const e of expressions) {
    for (const m of e.matchAll(IDENT)) {
      if (m[3]) {
        if (['', '(', ',', '.'].includes(before(e, m.index))) return input;
        continue;
      }
      const w = m[1] !== undefined ? m[1].replaceAll('""', '"') : m[2];
      if (m[2] !== undefined && m[2].toLowerCase() === 'columns' && e.slice(m.index + m[0].length).trimStart().startsWith('(')) return input;
      if (w !== undefined) words.add(w.toLowerCase());
    }
  }
  return input.filter((c) => words.has(c.name.toLowerCase()));
}

const MAX_CACHE = 2000;
function remember<V>(cache: Map<string, unknown>, key: string, value: V): V {
  cache.set(key, value);
  if (cache.size > MAX_CACHE) cache.delete(cache.keys().next().value as string);
  return value;
}

let shared: Promise<Database> | undefined;
const fileDbs = new Map<string, Promise<Database>>();
const exprCache = new Map<string, Promise<{ types: string[] } | { error: string; column?: string }>>();
const queryCache = new Map<string, Promise<{ columns: Schema } | { error: string }>>();
const fileCache = new Map<string, unknown>();

function schemaDir(): string {
  const dir = path.join(os.tmpdir(), `sluice-schema-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * A DuckDB with no tables and no file access: it only describes and parses. Shared by this process's schema
 * passes and static checks (runtime/static-checks.ts), so a run opens it once, not once per check.
 */
export function describer(): Promise<Database> {
  shared ??= Database.open({ allowedDirs: [schemaDir()], tempDir: schemaDir(), threads: 1 });
  return shared;
}

/** Reads Parquet footers inside the pipeline's folders only. */
function footerReader(roots: string[]): Promise<Database> {
  const key = roots.join('\u0000');
  let db = fileDbs.get(key);
  if (!db) {
    db = Database.open({ allowedDirs: [...roots, schemaDir()], tempDir: schemaDir(), threads: 1 });
    fileDbs.set(key, db);
  }
  return db;
}

/** How much of a file a sniff reads: enough for a fair sample, small enough to answer at once. */
const SAMPLE_BYTES = 1 << 20;
const DECIMAL_TEXT = /^\s*[+-]?[0-9]*\.([0-9]+)\s*$/;
/** Most values fit, the rest look like mistakes: worth offering the type with what it would quarantine. */
const CLOSEST_SHARE = 0.8;

/**
 * The types a sniff may choose, strictest first: the first one every sampled value converts to (by the very
 * casts a run applies) is the column's type. Whole numbers come before booleans, so 0/1 columns stay numbers;
 * a decimal's scale is the most fractional digits seen, so no sampled value would be rounded.
 */
function candidates(values: (string | null)[]): string[] {
  let scale = 0;
  for (const v of values) {
    const m = v === null ? null : DECIMAL_TEXT.exec(v);
    if (m) scale = Math.max(scale, (m[1] as string).length);
  }
  return ['BIGINT', ...(scale > 0 && scale <= 10 ? [`DECIMAL(18,${scale})`] : []), 'DOUBLE', 'DATE', 'TIMESTAMP', 'BOOLEAN'];
}

async function classifyColumn(db: Database, name: string, values: (string | null)[], trim: boolean): Promise<SniffedColumn> {
  const types = candidates(values);
  const present = values.filter((v) => v !== null).length;
  if (present === 0) return { name, type: 'VARCHAR', values: 0 };
  const per = types.map((t, i) => {
    const c = strictCastSql('v', t, { trim });
    return `count(*) FILTER (WHERE v IS NOT NULL AND ${c.ok}) AS "fit${i}", CAST(to_json((list(v) FILTER (WHERE v IS NOT NULL AND NOT ${c.ok}))[1:3]) AS VARCHAR) AS "bad${i}"`;
  });
  // The sample is bound as one JSON parameter, never spliced into the SQL.
  const [row] = await db.rows(`SELECT ${per.join(', ')} FROM (SELECT unnest(from_json($sample, '["VARCHAR"]')) AS v)`, { sample: JSON.stringify(values) });
  const fits = types.map((_, i) => Number(row?.[`fit${i}`] ?? 0));
  const all = fits.findIndex((f) => f === present);
  const type = all >= 0 ? (types[all] as string) : 'VARCHAR';
  // A stricter type that most values fit (a whole number with one 4.5, a date column with one 2026-02-30) is
  // offered too, with the values it would send to quarantine: those are often the input's mistakes.
  const stricter = all >= 0 ? all : types.length;
  let best = -1;
  for (let i = 0; i < stricter; i++) if (best < 0 || (fits[i] as number) > (fits[best] as number)) best = i;
  const bestFit = best >= 0 ? (fits[best] as number) : 0;
  if (best < 0 || bestFit < present * CLOSEST_SHARE) return { name, type, values: present };
  const bad = row?.[`bad${best}`];
  const examples = typeof bad === 'string' ? (JSON.parse(bad) as unknown[]).map(String) : [];
  return { name, type, values: present, closest: { type: types[best] as string, misfits: present - bestFit, examples } };
}

function stamp(file: string): string {
  const st = fs.statSync(file);
  return `${file}|${st.size}|${st.mtimeMs}`;
}

export function engineSchemaEnv(o: { baseDir: string; roots: string[] }): SchemaEnv {
  const where = (field: string) => ({ nodeId: '', field });
  const files = (pattern: string): { files: string[] } | { error: string; code: string } => {
    try {
      const abs = resolveInside(o.baseDir, o.roots, pattern, where('path'));
      const list = expandGlob(abs).map((f) => resolveInside(o.baseDir, o.roots, f, where('path')));
      if (list.length === 0) return { error: `needs a file: no file matches "${pattern}"`, code: 'needs_file' };
      return { files: list };
    } catch (e) {
      return { error: e instanceof UserError ? e.message : 'the path cannot be read', code: 'path' };
    }
  };
  return {
    async describeExpressions(input, expressions) {
      const used = referenced(input, expressions);
      const key = `${used.map((c) => `${c.name}\u0001${c.type}`).join('\u0002')}\u0003${expressions.join('\u0004')}`;
      const hit = exprCache.get(key);
      if (hit) return hit;
      return remember(exprCache, key, (async () => {
        const db = await describer();
        const ctx = { nodeId: '', rows: db.rows.bind(db) };
        try {
          for (const e of expressions) await checkExpression(ctx, e, 'expression');
        } catch (e) {
          return { error: e instanceof UserError ? e.message : 'the expression cannot be read' };
        }
        try {
          const rows = await db.rows(`DESCRIBE SELECT ${expressions.map((e, i) => `(${e}) AS "__e${i}"`).join(', ')} FROM ${emptyRelation(used, true)} AS __sluice_input`);
          return { types: rows.map((r) => String(r['column_type'])) };
        } catch (e) {
          return friendlySqlError(e, input);
        }
      })());
    },
    async describeQuery(inputs, query) {
      const key = `${Object.entries(inputs).map(([k, s]) => `${k}\u0005${schemaKey(s)}`).join('\u0006')}\u0003${query}`;
      const hit = queryCache.get(key);
      if (hit) return hit;
      return remember(queryCache, key, (async () => {
        const db = await describer();
        const names = Object.keys(inputs);
        try {
          await checkSelect({ nodeId: '', rows: db.rows.bind(db) }, query, names, 'query');
        } catch (e) {
          return { error: e instanceof UserError ? e.message : 'the query cannot be read' };
        }
        const ctes = Object.entries(inputs).map(([k, s]) => `${qi(k)} AS ${emptyRelation(s, true)}`);
        try {
          const rows = await db.rows(`DESCRIBE ${ctes.length ? `WITH ${ctes.join(', ')} ` : ''}SELECT * FROM (${query}\n)`);
          const columns = rows.map((r) => ({ name: String(r['column_name']), type: String(r['column_type']) })).filter((c) => c.name !== LINEAGE && !isReservedColumn(c.name));
          return { columns };
        } catch (e) {
          const all = Object.values(inputs).flat();
          const f = friendlySqlError(e, all);
          return { error: f.error };
        }
      })());
    },
    async csvHeader(pattern, d) {
      const found = files(pattern);
      if ('error' in found) return found;
      const file = found.files[0] as string;
      const key = `csv|${stamp(file)}|${JSON.stringify(d)}`;
      const hit = fileCache.get(key) as { names: string[] } | { error: string; code: string } | undefined;
      if (hit) return hit;
      let r: { names: string[] } | { error: string; code: string };
      try {
        const buf = readAsUtf8(file, d.encoding, 1 << 20);
        const db = dialectBytes(d);
        if (d.header) r = { names: parseHeader(buf, 0, db).names };
        else {
          const rec = parseRecord(buf, 0, db.delim, db.quote, db.escape);
          const n = buf.length === 0 ? 0 : splitFields(buf.subarray(0, rec.end), db.delim, db.quote, db.escape).length;
          r = { names: Array.from({ length: n }, (_, i) => `column${i + 1}`) };
        }
      } catch (e) {
        r = e instanceof CsvFileError ? { error: `${path.basename(file)}: ${e.message}`, code: e.field ?? 'path' } : { error: `${path.basename(file)} cannot be read`, code: 'path' };
      }
      return remember(fileCache, key, r);
    },
    async parquetColumns(pattern, opts) {
      const all = files(pattern);
      if ('error' in all) return all;
      const found = opts?.firstOnly ? { files: all.files.slice(0, 1) } : all;
      const key = `parquet|${found.files.map(stamp).join('|')}`;
      const hit = fileCache.get(key) as { columns: Schema } | { error: string; code: string } | undefined;
      if (hit) return hit;
      let r: { columns: Schema } | { error: string; code: string };
      try {
        const db = await footerReader(o.roots.map((x) => path.resolve(x)));
        const rows = await db.rows(`DESCRIBE SELECT * FROM read_parquet([${found.files.map(qlit).join(', ')}], union_by_name = true)`);
        r = { columns: rows.map((row) => {
          const name = String(row['column_name']);
          return { name: isRowidName(name) ? `${name}_1` : name, type: String(row['column_type']) };
        }) };
      } catch {
        r = { error: `cannot read the Parquet file's schema (${found.files.map((f) => path.basename(f)).join(', ')}); is it a Parquet file?`, code: 'path' };
      }
      return remember(fileCache, key, r);
    },
    async csvSample(pattern, d, limit) {
      const found = files(pattern);
      if ('error' in found) return found;
      const file = found.files[0] as string;
      const key = `csv-sample|${stamp(file)}|${JSON.stringify(d)}|${limit}`;
      const hit = fileCache.get(key) as { file: string; names: string[]; rows: (string | null)[][] } | { error: string; code: string } | undefined;
      if (hit) return hit;
      let r: { file: string; names: string[]; rows: (string | null)[][] } | { error: string; code: string };
      try {
        const buf = readAsUtf8(file, d.encoding, SAMPLE_BYTES);
        const db = dialectBytes(d);
        let pos = 0;
        let names: string[] | undefined;
        if (d.header) {
          const h = parseHeader(buf, 0, db);
          names = h.names;
          pos = h.next;
        }
        const nulls = new Set(['', ...(d.nullValues ?? [])]);
        const rows: (string | null)[][] = [];
        while (pos < buf.length && rows.length < limit) {
          const rec = parseRecord(buf, pos, db.delim, db.quote, db.escape);
          // A record cut off by the end of the sample is not a record of the file.
          if (rec.next >= buf.length && buf.length >= SAMPLE_BYTES) break;
          const start = pos;
          pos = rec.next;
          if (rec.error && rec.lines > 1) {
            // As the run's scanner does: a bad multi-line record is most likely one stray quote, so only its first
            // line is given up and the rest is read again.
            const nl = buf.indexOf(NL, start);
            pos = nl < 0 ? buf.length : nl + 1;
          }
          if (rec.error || rec.end === start) continue;
          const fields = splitFields(buf.subarray(start, rec.end), db.delim, db.quote, db.escape);
          names ??= Array.from({ length: fields.length }, (_, i) => `column${i + 1}`);
          // A ragged record is quarantined by the run; it says nothing about the columns' types.
          if (fields.length !== names.length) continue;
          rows.push(fields.map((f) => (nulls.has(f) ? null : f)));
        }
        r = { file: path.relative(o.baseDir, file) || path.basename(file), names: names ?? [], rows };
      } catch (e) {
        r = e instanceof CsvFileError ? { error: `${path.basename(file)}: ${e.message}`, code: e.field ?? 'path' } : { error: `${path.basename(file)} cannot be read`, code: 'path' };
      }
      return remember(fileCache, key, r);
    },
    async jsonSample(pattern, format, limit) {
      const found = files(pattern);
      if ('error' in found) return found;
      const file = found.files[0] as string;
      const key = `json-sample|${stamp(file)}|${format}|${limit}`;
      const hit = fileCache.get(key) as Awaited<ReturnType<SchemaEnv['jsonSample']>> | undefined;
      if (hit) return hit;
      let r: Awaited<ReturnType<SchemaEnv['jsonSample']>>;
      try {
        r = { file: path.relative(o.baseDir, file) || path.basename(file), ...sampleJsonRecords(file, format, limit, SAMPLE_BYTES) };
      } catch (e) {
        r = e instanceof JsonFileError ? { error: `${path.basename(file)}: ${e.message}`, code: 'path' } : { error: `${path.basename(file)} cannot be read`, code: 'path' };
      }
      return remember(fileCache, key, r);
    },
    async classifyText(columns, cast) {
      const db = await describer();
      const out: SniffedColumn[] = [];
      for (const c of columns) out.push(await classifyColumn(db, c.name, c.values, cast.trim));
      return out;
    },
  };
}
