// Bytes per node, for the run record: what sources read and sinks wrote, measured on the files themselves, each
// with the way it was measured (a number without its basis would be misread: a DuckDB sink's file holds every
// table, not only the one the run wrote). Nodes between them have no bytes of their own that DuckDB reports
// cheaply (its table sizes are row estimates), so none are claimed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NodeBytes } from '@sluice/format/api/ops-contract';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import type { NodeKind } from '../nodes/types.js';
import { expandGlob, resolveInside } from '../runtime/paths.js';

type KindOf = (kind: string) => NodeKind | undefined;

/** Input bytes of each file-reading source, taken before the run reads (so they describe what it read). */
export function sourceBytes(p: Pipeline, kindOf: KindOf, baseDir: string, roots: string[]): Record<string, NodeBytes> {
  const out: Record<string, NodeBytes> = {};
  // An incremental source reads only files no earlier run consumed; the whole folder's size would overstate it.
  for (const n of p.nodes) {
    const k = kindOf(n.kind);
    const given = n.config['path'];
    if (k?.category !== 'source' || k.stateful === true || typeof given !== 'string') continue;
    let files: string[];
    try {
      files = expandGlob(resolveInside(baseDir, roots, given, { nodeId: n.id, field: 'path' }));
    } catch {
      // A path the run will refuse: the source fails with its own message, and has no bytes.
      continue;
    }
    let read = 0;
    let count = 0;
    for (const f of files) {
      const sz = sizeOf(f);
      read += sz.bytes;
      count += sz.files;
    }
    if (count > 0) Object.defineProperty(out, n.id, { value: { read, files: count, from: 'size of the input files when the run started' }, enumerable: true, configurable: true });
  }
  return out;
}

function sizeOf(target: string): { bytes: number; files: number } {
  let st: fs.Stats;
  try {
    st = fs.statSync(target);
  } catch {
    return { bytes: 0, files: 0 };
  }
  if (st.isFile()) return { bytes: st.size, files: 1 };
  if (!st.isDirectory()) return { bytes: 0, files: 0 };
  // A dataset folder (or the link to its current version): the files in it, one level down, as sinks write them.
  let bytes = 0;
  let files = 0;
  for (const e of fs.readdirSync(target, { withFileTypes: true })) {
    if (!e.isFile() || e.name.startsWith('.')) continue;
    bytes += fs.statSync(path.join(target, e.name)).size;
    files++;
  }
  return { bytes, files };
}

/** Bytes of what each sink that ran published, measured after the run. */
export function sinkBytes(p: Pipeline, kindOf: KindOf, ran: ReadonlySet<string>, outDir: string, roots: string[]): Record<string, NodeBytes> {
  const out: Record<string, NodeBytes> = {};
  for (const n of p.nodes) {
    const k = kindOf(n.kind);
    if (k?.category !== 'sink' || !ran.has(n.id)) continue;
    const parsed = k.config.safeParse(n.config);
    if (!parsed.success) continue;
    let written = 0;
    let files = 0;
    for (const s of k.statics?.(parsed.data) ?? []) {
      if (s.type !== 'output-path') continue;
      let abs: string;
      try {
        abs = resolveInside(outDir, roots, s.value, { nodeId: n.id, field: s.field });
      } catch {
        continue;
      }
      for (const f of /[*?]/.test(abs) ? expandGlob(abs) : [abs]) {
        const sz = sizeOf(f);
        written += sz.bytes;
        files += sz.files;
      }
    }
    if (files === 0) continue;
    const from = n.kind === 'sink.duckdb' ? 'size of the database file after the run (every table in it, not only this one)' : 'size of the written file after the run';
    Object.defineProperty(out, n.id, { value: { written, files, from }, enumerable: true, configurable: true });
  }
  return out;
}
