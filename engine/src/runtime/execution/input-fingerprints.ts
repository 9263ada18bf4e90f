// What the input files of a pipeline were when a number was computed from them: each source's files with their
// size, modification time and, for small files, a content hash (a file rewritten within the same second with
// the same size still shows). A preview and a run carry these; the designer asks for them again and compares,
// so a count computed from a file that has changed since is shown as stale or recomputed, never as current.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InputFingerprint } from '@sluice/format/api/inputs';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { kindOf } from '../../nodes/registry.js';
import { expandGlob, resolveInside } from '../paths.js';

/** Files up to this size are hashed as well; bigger ones are known by size and time (hashing would cost a read). */
export const HASH_LIMIT_BYTES = 1024 * 1024;
/** A glob matching more files than this is described by the first ones only (each is a stat, asked for often). */
const MAX_FILES_PER_SOURCE = 200;

/**
 * The input files of the source nodes among `nodeIds` (default: every node), in node order, then file order.
 * A source whose path cannot be resolved is left out: its problem is reported by validation, not here.
 */
export function inputFingerprints(p: Pipeline, baseDir: string, roots: string[], nodeIds?: ReadonlySet<string>): InputFingerprint[] {
  const out: InputFingerprint[] = [];
  for (const n of p.nodes) {
    if (nodeIds && !nodeIds.has(n.id)) continue;
    const cfgPath = n.config['path'];
    if (kindOf(n.kind)?.category !== 'source' || typeof cfgPath !== 'string') continue;
    let files: string[];
    try {
      files = expandGlob(resolveInside(baseDir, roots, cfgPath, { nodeId: n.id, field: 'path' })).slice(0, MAX_FILES_PER_SOURCE);
    } catch {
      continue;
    }
    for (const f of files) {
      const fp = fileFingerprint(f);
      if (!fp) continue;
      const rel = path.relative(baseDir, f);
      out.push({ nodeId: n.id, path: rel.startsWith('..') || path.isAbsolute(rel) ? f : rel.split(path.sep).join('/'), ...fp });
    }
  }
  return out;
}

function fileFingerprint(file: string): Pick<InputFingerprint, 'size' | 'mtimeMs' | 'hash'> | undefined {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return undefined;
    const base = { size: st.size, mtimeMs: Math.floor(st.mtimeMs) };
    if (st.size > HASH_LIMIT_BYTES) return base;
    return { ...base, hash: crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 16) };
  } catch {
    // Gone between the listing and the stat: it is simply not an input any more.
    return undefined;
  }
}
