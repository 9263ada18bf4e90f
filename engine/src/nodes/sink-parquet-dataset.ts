// A Parquet dataset folder kept current by merge (upsert and delete by key), for incremental pipelines. The
// folder path is a link to a versioned folder beside it: each run writes the whole merged dataset into a new
// version, then switches the link with one atomic rename, so a reader of `PATH/*.parquet` sees the old version or
// the new one, never a mix. Exactly once: each version records the commit that made it; a resumed run that finds
// its own commit in the current version writes nothing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import * as z from 'zod';
import type { NodeKind } from './types.js';
import { sinkParquetDatasetSchema } from '@sluice/format/kinds/sink-parquet-dataset';
import { UserError } from '../runtime/exec-context.js';
import { qi, qlit } from '../sql/quote.js';
import { requireColumns, requireSomeColumns } from './shared/columns.js';
import { deleteColumnOf } from './shared/file-sink.js';

const config = sinkParquetDatasetSchema.config;

const COMMIT_FILE = '_sluice_commit.json';

export const sinkParquetDatasetNode: NodeKind<z.infer<typeof config>> = {
  kind: 'sink.parquet-dataset',
  category: 'sink',
  title: 'Merge into Parquet dataset',
  description: 'Keep a Parquet dataset folder current: upsert (and delete) rows by key; each run switches the folder to a new complete version atomically.',
  inputs: [{ name: 'in', title: 'Rows', role: 'data' }],
  outputs: [],
  config,
  defaults: { path: 'out/dataset', key: ['id'], compression: 'zstd' },
  accounting: 'sink',
  statics: (c) => [{ type: 'output-path', field: 'path', value: c.path }],
  version: 1,
  migrations: [],
  traits: { rows: 'row-wise', replay: 'passes', counts: 'sink' },
  outputSchema: sinkParquetDatasetSchema.outputSchema,
  async execute(ctx, c) {
    const input = ctx.input('in');
    // The link itself, not where it points: its folder is checked against the allowed roots, and the link is ours.
    const base = path.basename(c.path);
    if (base === '' || base === '.' || base === '..') throw new UserError(`"${c.path}" does not name a dataset folder`, { nodeId: ctx.nodeId, field: 'path' });
    const target = path.join(ctx.resolveOutput(path.dirname(c.path), 'path'), base);
    ctx.resolveOutput(c.path, 'path');
    const cols = await ctx.columns(input);
    requireColumns(ctx.nodeId, 'key', c.key, cols);
    const del = deleteColumnOf(ctx.nodeId, 'merge', c.deleteColumn, cols);
    await requireSomeColumns(ctx, input, cols, false);
    const rows = await ctx.count(`SELECT count(*) FROM ${input}`);
    const dupes = await ctx.count(`SELECT count(*) FROM (SELECT ${c.key.map(qi).join(', ')} FROM ${input} GROUP BY ALL HAVING count(*) > 1)`);
    if (dupes > 0) throw new UserError(`merge key ${c.key.join(', ')} is not unique in the input (${dupes} key(s) repeat); deduplicate first`, { nodeId: ctx.nodeId, field: 'key' });

    let current: string | undefined;
    if (fs.existsSync(target) || isLink(target)) {
      if (!isLink(target)) throw new UserError(`${c.path} is a plain folder; this sink keeps a dataset as a link to versioned folders, so point it at a new path (or move the folder away)`, { nodeId: ctx.nodeId, field: 'path' });
      current = path.resolve(path.dirname(target), fs.readlinkSync(target));
      const done = path.join(current, COMMIT_FILE);
      if (ctx.commitId !== undefined && fs.existsSync(done) && (JSON.parse(fs.readFileSync(done, 'utf8')) as { commitId?: string }).commitId === ctx.commitId) {
        return { written: rows }; // A resume: this run's version is already the current one.
      }
    }
    const tag = crypto.createHash('sha256').update(`${ctx.commitId ?? crypto.randomUUID()}\0${ctx.nodeId}`).digest('hex').slice(0, 12);
    const version = path.join(path.dirname(target), `_${base}.v-${tag}`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.rmSync(version, { recursive: true, force: true });
    fs.mkdirSync(version, { recursive: true });
    const names = cols.map((x) => x.name).filter((n) => n !== del);
    const fresh = `SELECT ${names.map(qi).join(', ')} FROM ${input}${del ? ` WHERE NOT coalesce(${qi(del)}, false)` : ''}`;
    let body = fresh;
    if (current) {
      const old = `read_parquet(${qlit(path.join(current, '*.parquet'))}, union_by_name = true)`;
      const match = c.key.map((k) => `o.${qi(k)} IS NOT DISTINCT FROM n.${qi(k)}`).join(' AND ');
      body = `SELECT * FROM ${old} o WHERE NOT EXISTS (SELECT 1 FROM ${input} n WHERE ${match}) UNION ALL BY NAME ${fresh}`;
    }
    await ctx.run(`COPY (${body}) TO ${qlit(path.join(version, 'part-0.parquet'))} (FORMAT parquet, COMPRESSION ${c.compression})`);
    fs.writeFileSync(path.join(version, COMMIT_FILE), JSON.stringify({ commitId: ctx.commitId ?? null, rows }));
    syncAll(version);
    // The switch: a new link renamed over the old one, atomically.
    const link = path.join(path.dirname(target), `_${base}.link-${tag}`);
    fs.rmSync(link, { force: true });
    fs.symlinkSync(path.basename(version), link, 'dir');
    fs.renameSync(link, target);
    syncAll(path.dirname(target), false);
    // Versions nobody points at any more (the previous one, and any a crash left) are removed.
    for (const name of fs.readdirSync(path.dirname(target))) {
      if (name.startsWith(`_${base}.v-`) && path.join(path.dirname(target), name) !== version) fs.rmSync(path.join(path.dirname(target), name), { recursive: true, force: true });
    }
    return { written: rows };
  },
};

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

function syncAll(dir: string, files = true): void {
  if (files) {
    for (const f of fs.readdirSync(dir)) {
      const fd = fs.openSync(path.join(dir, f), 'r');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
    }
  }
  try {
    const fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  } catch {
    // Windows cannot open a folder to sync it.
  }
}
