// The engine's SchemaEnv: CSV headers and Parquet footers read from files the pipeline may use, expressions and
// queries described by DuckDB over empty typed inputs. Every answer is cached (files by size and mtime), so
// re-checking a pipeline after an edit costs only what the edit changed.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '../db/database.js';
import { LINEAGE, UserError, isReservedColumn, isRowidName } from '../runtime/exec-context.js';
import { expandGlob, resolveInside } from '../runtime/paths.js';
import { CsvFileError, dialectBytes, parseHeader, parseRecord, splitFields } from '../sources/csv-record.js';
import { readAsUtf8 } from '../sources/csv-scan.js';
import { checkExpression, checkSelect } from '../sql/guard.js';
import { qi, qlit } from '../sql/quote.js';
import { friendlySqlError } from '../schema/messages.js';
import type { Schema, SchemaEnv } from '../schema/types.js';

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

/**
 * The input columns an expression can refer to (every identifier it names, quoted or not). Describing over only
 * these, and caching by their types, keeps an edit upstream from invalidating every later node's describe: a
 * filter on `quantity` is unaffected when another column changes type. `*` means all of them.
 */
function referenced(input: Schema, expressions: string[]): Schema {
  const words = new Set<string>();
  for (const e of expressions) {
    for (const m of e.matchAll(IDENT)) {
      if (m[3]) return input;
      const w = m[1] !== undefined ? m[1].replaceAll('""', '"') : m[2];
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

/** A DuckDB with no tables and no file access: it only describes. */
function describer(): Promise<Database> {
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
  };
}
