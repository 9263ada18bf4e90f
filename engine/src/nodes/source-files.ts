// Incremental file source: a folder or glob of CSV, NDJSON or Parquet files, of which each run reads only the
// files no earlier committed run consumed. The consumed files (path, size, mtime, content hash) are this node's
// state (runtime/durability/pipeline-state.ts), committed with the run's outputs, so a file counts as consumed exactly when
// the rows it produced are in the outputs. Reading itself is the lossless CSV/NDJSON/Parquet source of that
// format, given only this batch's files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod';
import type { ExecContext } from '../runtime/exec-context.js';
import type { NodeKind } from './types.js';
import { LINEAGE, UserError, type QuarantineRecord } from '../runtime/exec-context.js';
import { expandGlob } from '../runtime/paths.js';
import { sha256File, writeAtomic } from '../fsutil/files.js';
import { qi } from '../sql/quote.js';
import { typesSchema } from './shared/typing.js';
import { applyTypesToSchema } from '@sluice/format/schema/typed';
import { sourceCsvNode } from './source-csv.js';
import { sourceJsonNode } from './source-json.js';
import { sourceParquetNode } from './source-parquet.js';

const config = z.strictObject({
  path: z.string().min(1).describe('Folder glob of input files, relative to the pipeline file (e.g. "inbox/*.csv")'),
  format: z.enum(['csv', 'ndjson', 'parquet']).default('csv'),
  delimiter: z.string().min(1).max(1).default(',').describe('CSV only'),
  quote: z.string().max(1).default('"').describe('CSV only'),
  escape: z.string().max(1).default('').describe('CSV only; empty means a doubled quote'),
  header: z.boolean().default(true).describe('CSV only'),
  encoding: z.enum(['utf-8', 'utf-16le', 'utf-16be', 'latin1']).default('utf-8').describe('CSV only'),
  types: typesSchema,
  onChanged: z
    .enum(['quarantine', 'reprocess', 'ignore'])
    .default('quarantine')
    .describe('A consumed file whose content changed: quarantine it as "changed after consumption", read it again, or skip it with a warning'),
  settleMs: z.number().int().min(0).max(3_600_000).default(1000).describe('A file modified less than this long ago may still be being written and waits for a later run'),
  maxFiles: z.number().int().min(1).max(1_000_000).optional().describe('At most this many new files per run (oldest first); the rest wait'),
  maxBytes: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('At most about this many bytes of new files per run (rows are not known before reading; bytes bound them); a single larger file is still read alone'),
});
export type FilesConfig = z.infer<typeof config>;

/** What the state remembers of a consumed file. */
export interface FileSig {
  /** Relative to the pipeline's folder, with "/" separators. */
  file: string;
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** The files one run takes: kept in the run's durable state so that a resume reads exactly the same ones. */
interface Batch {
  read: FileSig[];
  changed: FileSig[];
  ignored: FileSig[];
  /** Consumed files whose time changed but whose bytes did not. */
  touched: FileSig[];
  waiting: number;
  deferred: number;
}

export const sourceFilesNode: NodeKind<FilesConfig> = {
  kind: 'source.files',
  category: 'source',
  title: 'New files (incremental)',
  description: 'Read only the files of a folder that earlier runs have not consumed (CSV, NDJSON or Parquet). Files still being written wait; changed files are quarantined, reread or skipped.',
  inputs: [],
  outputs: [{ name: 'out', title: 'Rows', role: 'data' }],
  config,
  defaults: { path: 'inbox/*.csv', format: 'csv', onChanged: 'quarantine', settleMs: 1000, types: {} },
  accounting: 'source',
  statics: (c) => [{ type: 'input-path', field: 'path', value: c.path }],
  stateful: true,
  version: 1,
  migrations: [],
  traits: { rows: 'row-wise', replay: 'passes', counts: 'source' },
  // Which files a run reads depends on the committed state; the columns are taken from the first file the glob
  // matches (its CSV header with the declared types, or its Parquet footer), as the batch readers would see them.
  // No file yet is not a problem here (files land later); NDJSON keys are known only once records are read.
  async outputSchema({ nodeId, config: c, env }) {
    if (c.format === 'ndjson') return { outputs: { out: undefined }, problems: [] };
    if (c.format === 'parquet') {
      const r = await env.parquetColumns(c.path, { firstOnly: true });
      if ('error' in r) return { outputs: { out: undefined }, problems: r.code === 'needs_file' ? [] : [{ code: r.code, field: 'path', message: r.error }] };
      const typed = Object.keys(c.types).length > 0 ? [{ code: 'bad_config', field: 'types', message: 'Parquet files are typed already; "types" applies to CSV and NDJSON: clear it' }] : [];
      return { outputs: { out: r.columns }, problems: typed };
    }
    const h = await env.csvHeader(c.path, c);
    if ('error' in h) return { outputs: { out: undefined }, problems: h.code === 'needs_file' ? [] : [{ code: h.code, field: h.code === 'encoding' ? 'encoding' : 'path', message: h.error }] };
    return applyTypesToSchema(nodeId, h.names.map((name) => ({ name, type: 'VARCHAR', typedAt: nodeId })), c.types, 'out', true);
  },
  async execute(ctx, c) {
    if (c.format === 'parquet' && Object.keys(c.types).length > 0) throw new UserError('Parquet files are typed already; "types" applies to CSV and NDJSON', { nodeId: ctx.nodeId, field: 'types' });
    const committed = readLedger(ctx.committedState);
    const batchFile = path.join(ctx.stateDir, 'batch.json');
    const preview = ctx.commitId === undefined;
    let batch: Batch;
    if (!preview && fs.existsSync(batchFile)) {
      // A resume: the same files as the interrupted attempt, which must not have changed since.
      batch = JSON.parse(fs.readFileSync(batchFile, 'utf8')) as Batch;
      for (const f of batch.read) {
        const abs = ctx.resolvePath(f.file, 'path');
        if (!fs.existsSync(abs) || (await sha256File(abs)) !== f.sha256) {
          throw new UserError(`${f.file} changed or disappeared after this run started reading it; restore it, or start a new run with --full-refresh`, { nodeId: ctx.nodeId, file: f.file });
        }
      }
    } else {
      batch = await planBatch(ctx.baseDir, (p) => ctx.resolvePath(p, 'path'), c, committed, Date.now());
      if (!preview) writeAtomic(batchFile, JSON.stringify(batch));
    }
    const warnings: string[] = [];
    if (batch.waiting > 0) warnings.push(`${batch.waiting} file(s) modified within the last ${c.settleMs} ms may still be being written; a later run reads them`);
    if (batch.deferred > 0) warnings.push(`${batch.deferred} more new file(s) wait for the next run (${[c.maxFiles !== undefined ? `maxFiles ${c.maxFiles}` : '', c.maxBytes !== undefined ? `maxBytes ${c.maxBytes}` : ''].filter(Boolean).join(', ')})`);
    for (const f of batch.ignored) warnings.push(`${f.file} changed after an earlier run consumed it; ignored (onChanged: ignore)`);
    const records: QuarantineRecord[] = batch.changed.map((f) => ({
      lineage: `${ctx.nodeId}:${f.file}`,
      sourceLine: null,
      ruleIds: ['changed_after_consumption'],
      reasons: [`${f.file} changed after consumption: an earlier run read it, now it has ${f.size} bytes and content hash ${f.sha256.slice(0, 12)}; its rows were not read again (onChanged: quarantine)`],
      row: null,
      raw: null,
    }));
    await ctx.appendQuarantine(records);

    let recordsRead = records.length;
    let filtered: { count: number; reason: string } | undefined;
    if (batch.read.length > 0) {
      const files = batch.read.map((f) => ctx.resolvePath(f.file, 'path'));
      const sub: ExecContext = { ...ctx, resolveGlob: () => Promise.resolve(files) };
      const r =
        c.format === 'csv'
          ? await sourceCsvNode.execute(sub, sourceCsvNode.config.parse({ path: c.path, delimiter: c.delimiter, quote: c.quote, escape: c.escape, header: c.header, encoding: c.encoding, types: c.types }))
          : c.format === 'ndjson'
            ? await sourceJsonNode.execute(sub, sourceJsonNode.config.parse({ path: c.path, format: 'ndjson', types: c.types }))
            : await sourceParquetNode.execute(sub, sourceParquetNode.config.parse({ path: c.path }));
      recordsRead += r.recordsRead ?? 0;
      filtered = r.filtered;
      warnings.push(...(r.warnings ?? []));
    } else {
      // Nothing new: an empty table with the columns the last files had, so downstream nodes still bind.
      const schema = readSchema(ctx.committedState);
      if (!schema) {
        const why = batch.waiting > 0 ? ` (${batch.waiting} still being written)` : '';
        throw new UserError(`no new files match "${c.path}"${why}, and no earlier run read any, so the columns are not known yet`, { nodeId: ctx.nodeId, field: 'path' });
      }
      const cols = [`CAST(NULL AS VARCHAR) AS ${qi(LINEAGE)}`, ...schema.map((s) => `CAST(NULL AS ${s.type}) AS ${qi(s.name)}`)];
      await ctx.run(`CREATE TABLE ${ctx.output('out')} AS SELECT ${cols.join(', ')} WHERE false`);
      warnings.push(`no new files match "${c.path}"`);
    }
    if (!preview) {
      const next = new Map(committed);
      for (const f of [...batch.read, ...batch.changed, ...batch.ignored, ...batch.touched]) next.set(f.file, f);
      const dir = path.join(ctx.stateDir, 'next');
      fs.mkdirSync(dir, { recursive: true });
      writeAtomic(path.join(dir, 'consumed.json'), JSON.stringify([...next.values()]));
      writeAtomic(path.join(dir, 'schema.json'), JSON.stringify(await ctx.columns(ctx.output('out'))));
      // What this batch read, for the watcher's report (files per batch, latency from landing to output).
      writeAtomic(path.join(dir, 'last-batch.json'), JSON.stringify({ read: batch.read }));
    }
    return { recordsRead, ...(filtered ? { filtered } : {}), warnings };
  },
};

export function readLedger(dir: string | undefined): Map<string, FileSig> {
  const file = dir ? path.join(dir, 'consumed.json') : undefined;
  if (!file || !fs.existsSync(file)) return new Map();
  return new Map((JSON.parse(fs.readFileSync(file, 'utf8')) as FileSig[]).map((f) => [f.file, f]));
}

function readSchema(dir: string | undefined): { name: string; type: string }[] | undefined {
  const file = dir ? path.join(dir, 'schema.json') : undefined;
  if (!file || !fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as { name: string; type: string }[];
}

interface Candidate {
  abs: string;
  rel: string;
  size: number;
  mtimeMs: number;
  known: FileSig | undefined;
}

/**
 * Files matching the glob that are new or whose size or modification time differ from what was consumed, and
 * how many of them are too fresh to read. Cheap (no hashing): the watcher calls it to decide whether to run.
 */
export function candidates(baseDir: string, resolve: (p: string) => string, c: Pick<FilesConfig, 'path' | 'settleMs'>, ledger: Map<string, FileSig>, now: number): { ready: Candidate[]; waiting: number } {
  const ready: Candidate[] = [];
  let waiting = 0;
  for (const f of expandGlob(resolve(c.path))) {
    // A file consumed before and unchanged since is skipped on a stat alone: the folder keeps every file it ever
    // received, and checking each one's path (several system calls) made every batch slower than the last.
    // Skipping reads nothing, so it needs no check; only files that will be read, or judged, go through it.
    const seen = ledger.get(path.relative(baseDir, f).split(path.sep).join('/'));
    if (seen) {
      try {
        const quick = fs.statSync(f);
        if (seen.size === quick.size && seen.mtimeMs === quick.mtimeMs) continue;
      } catch {
        continue; // Removed between listing and now.
      }
    }
    const abs = resolve(f);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      continue; // Removed between listing and now.
    }
    const rel = path.relative(baseDir, abs).split(path.sep).join('/');
    const known = ledger.get(rel);
    if (known && known.size === st.size && known.mtimeMs === st.mtimeMs) continue;
    if (now - st.mtimeMs < c.settleMs) waiting++;
    else ready.push({ abs, rel, size: st.size, mtimeMs: st.mtimeMs, known });
  }
  // Oldest first, so files are read in the order they landed; the name breaks ties.
  ready.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return { ready, waiting };
}

async function planBatch(baseDir: string, resolve: (p: string) => string, c: FilesConfig, ledger: Map<string, FileSig>, now: number): Promise<Batch> {
  const { ready, waiting: fresh } = candidates(baseDir, resolve, c, ledger, now);
  const batch: Batch = { read: [], changed: [], ignored: [], touched: [], waiting: fresh, deferred: 0 };
  let bytes = 0;
  for (const cand of ready) {
    // A new file beyond the batch's bounds waits without being hashed: when intake lags, the files waiting must
    // not make each batch slower (they are hashed in the batch that reads them).
    if (!cand.known) {
      const full = (c.maxFiles !== undefined && batch.read.length >= c.maxFiles) || (c.maxBytes !== undefined && batch.read.length > 0 && bytes + cand.size > c.maxBytes);
      if (full) {
        batch.deferred++;
        continue;
      }
    }
    const sha256 = await sha256File(cand.abs);
    // A writer still appending shows as a size or time that moved while the file was hashed.
    const after = fs.statSync(cand.abs);
    if (after.size !== cand.size || after.mtimeMs !== cand.mtimeMs) {
      batch.waiting++;
      continue;
    }
    const sig: FileSig = { file: cand.rel, size: cand.size, mtimeMs: cand.mtimeMs, sha256 };
    if (cand.known && cand.known.sha256 === sha256) {
      batch.touched.push(sig); // Same bytes, only touched: remembered with its new time, not read again.
      continue;
    }
    if (cand.known && c.onChanged === 'quarantine') batch.changed.push(sig);
    else if (cand.known && c.onChanged === 'ignore') batch.ignored.push(sig);
    else if (c.maxFiles !== undefined && batch.read.length >= c.maxFiles) batch.deferred++;
    else if (c.maxBytes !== undefined && batch.read.length > 0 && bytes + sig.size > c.maxBytes) batch.deferred++;
    else {
      batch.read.push(sig);
      bytes += sig.size;
    }
  }
  return batch;
}
