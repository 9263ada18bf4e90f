// Where a number came from: the input files a preview or a run read, as they were then. Pure (the designer
// compares these with the files as they are now; engine/src/runtime/execution/input-fingerprints.ts takes them).
import * as z from 'zod';

export const inputFingerprintSchema = z.object({
  /** The source node that reads the file. */
  nodeId: z.string(),
  /** Relative to the pipeline's folder (with `/`), or absolute when the file lies outside it. */
  path: z.string(),
  size: z.number(),
  /** Whole milliseconds: sub-millisecond digits do not survive every file system and JSON round trip alike. */
  mtimeMs: z.number(),
  /** A content hash, for files small enough to read each time (a same-size rewrite in the same instant shows). */
  hash: z.string().optional(),
});
export type InputFingerprint = z.infer<typeof inputFingerprintSchema>;

/**
 * The first input that differs between two descriptions of the same inputs (changed, added or removed), as the
 * file path to name to the user, or undefined when they are the same.
 */
export function changedInput(then: readonly InputFingerprint[], now: readonly InputFingerprint[]): string | undefined {
  const key = (f: InputFingerprint) => `${f.nodeId}\u0000${f.path}`;
  const current = new Map(now.map((f) => [key(f), f]));
  for (const f of then) {
    const c = current.get(key(f));
    if (!c || c.size !== f.size || c.mtimeMs !== f.mtimeMs || c.hash !== f.hash) return f.path;
    current.delete(key(f));
  }
  const added = current.values().next();
  return added.done ? undefined : added.value.path;
}
