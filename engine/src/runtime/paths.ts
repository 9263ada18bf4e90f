// Paths are untrusted: each resolves against the pipeline's folder and must stay inside an allowed root (the path
// policy below is the one place these rules live).
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from './exec-context.js';

export function isInside(child: string, root: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Resolve symlinks of the longest existing prefix so a link cannot smuggle a path out of its root. */
export function realish(p: string): string {
  let cur = p;
  const tail: string[] = [];
  for (;;) {
    try {
      const real = fs.realpathSync(cur);
      return tail.length ? path.join(real, ...tail.reverse()) : real;
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) return p;
      tail.push(path.basename(cur));
      cur = parent;
    }
  }
}

// The path policy. Every path that enters Sluice (a pipeline's sources and sinks, the baseDir a front end sends,
// the file API, the desktop dialogs) goes through these rules: resolved through symlinks, inside an allowed root,
// and, below that root, no segment that is hidden, a version-control folder, a Windows device name or too long
// for a file system. A sink may not write a pipeline file. Writes stage under an unpredictable name created
// exclusively, and the final path is checked again after the rename.

/** Version-control and tool folders whose files run code or hold history (hidden ones are refused anyway). */
const VCS_FOLDERS = new Set(['.git', '.hg', '.svn', '.bzr', '.jj', '_darcs', 'cvs']);
/** Device names Windows opens instead of a file, with or without an extension. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3]|conin\$|conout\$)(\..*)?$/i;
/** Most file systems store at most 255 bytes per name. */
export const MAX_NAME_BYTES = 255;

/** Why one path segment (a folder or file name below an allowed root) is refused, or undefined. */
export function segmentProblem(seg: string, opts: { write?: boolean } = { write: true }): string | undefined {
  if (seg === '..') return '".." is not allowed';
  if (VCS_FOLDERS.has(seg.toLowerCase())) return `"${seg}" is a version-control folder`;
  if (seg.startsWith('.')) return `"${seg}" is hidden (names starting with "." are not used for data)`;
  // Writing one makes a file Windows cannot open or delete; reading one there opens a device. Elsewhere a file
  // that already has such a name may be read.
  if (WINDOWS_RESERVED.test(seg) && (opts.write || process.platform === 'win32')) return `"${seg}" is a reserved device name on Windows`;
  if (/[. ]$/.test(seg)) return `"${seg}" ends with a dot or a space, which Windows drops`;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  if (/[\u0000-\u001f]/.test(seg)) return `"${seg.replace(/[\u0000-\u001f]/g, '?')}" contains a control character`;
  if (Buffer.byteLength(seg) > MAX_NAME_BYTES) return `the name "${seg.slice(0, 40)}…" is ${Buffer.byteLength(seg)} bytes long; file names may have at most ${MAX_NAME_BYTES}`;
  return undefined;
}

/** The first refused segment of `abs` below `root`, as a reason, or undefined. */
export function pathProblem(abs: string, root: string, opts: { write?: boolean } = { write: true }): string | undefined {
  const rel = path.relative(root, abs);
  if (rel === '') return undefined;
  for (const seg of rel.split(path.sep)) {
    const why = segmentProblem(seg, opts);
    if (why) return why;
  }
  return undefined;
}

/** A pipeline document: by name, or an existing .json file that holds one. */
export function isPipelineFile(abs: string): boolean {
  const name = path.basename(abs).toLowerCase();
  if (name.endsWith('.pipeline.json') || name.endsWith('.sluice')) return true;
  if (!name.endsWith('.json')) return false;
  try {
    const fd = fs.openSync(abs, 'r');
    try {
      const buf = Buffer.alloc(4096);
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      const head = buf.subarray(0, n).toString('utf8');
      return /"nodes"\s*:/.test(head) && /"version"\s*:/.test(head);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** An unpredictable name for a staging file beside `target` (the caller creates it exclusively). */
export function stagingName(target: string, label = 'sluice'): string {
  return path.join(path.dirname(target), `.${label}-${randomBytes(8).toString('hex')}.tmp`);
}

/**
 * After a rename: whether `finalPath` still lies in the folder that was verified before writing (a folder swapped
 * for a symlink in between would have sent the file elsewhere). When not, the caller removes what it wrote.
 */
export function stillPlaced(finalPath: string, verifiedDirReal: string): boolean {
  try {
    return fs.realpathSync(path.dirname(finalPath)) === verifiedDirReal && fs.lstatSync(finalPath).isFile();
  } catch {
    return false;
  }
}

export interface ResolveOptions {
  /** The path is written: it may not name a pipeline file, and its folder must not be a symlink leading out. */
  write?: boolean;
}

export function resolveInside(baseDir: string, roots: string[], p: string, where: { nodeId: string; field: string }, opts: ResolveOptions = {}): string {
  if (p.includes('\u0000')) throw new UserError(`path in "${where.field}" contains a NUL character`, where);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p)) throw new UserError(`"${where.field}" must be a local file path, not a URL (${p})`, where);
  const written = path.resolve(baseDir, p);
  const abs = realish(written);
  const realRoots = roots.map((r) => realish(path.resolve(r)));
  const root = realRoots.find((r) => isInside(abs, r));
  if (root === undefined) {
    throw new UserError(`path "${p}" in "${where.field}" is outside the folders this pipeline may use (${realRoots.join(', ')}); allow it with --allow DIR`, where);
  }
  // Both the path as written and the path it resolves to must pass: a link named plainly may lead into `.git`.
  const writtenRoot = roots.map((r) => path.resolve(r)).find((r) => isInside(written, r));
  const mode = { write: opts.write === true };
  const why = pathProblem(abs, root, mode) ?? (writtenRoot !== undefined ? pathProblem(written, writtenRoot, mode) : undefined);
  if (why) throw new UserError(`path "${p}" in "${where.field}" is refused: ${why}`, where);
  if (opts.write && isPipelineFile(abs)) throw new UserError(`path "${p}" in "${where.field}" is a pipeline file; a sink may not overwrite pipeline files`, where);
  return abs;
}

function globToRegExp(segment: string): RegExp {
  let re = '';
  for (const ch of segment) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Expand `*`, `?` and `**` in a path, in sorted order so that runs read files deterministically. */
export function expandGlob(absPattern: string): string[] {
  const parts = absPattern.split(path.sep);
  const firstWild = parts.findIndex((s) => /[*?]/.test(s));
  if (firstWild < 0) return fs.existsSync(absPattern) ? [absPattern] : [];
  let current = [parts.slice(0, firstWild).join(path.sep) || path.sep];
  for (let i = firstWild; i < parts.length; i++) {
    const seg = parts[i] as string;
    const last = i === parts.length - 1;
    const next: string[] = [];
    for (const dir of current) {
      if (seg === '**') {
        const walk = (d: string): void => {
          next.push(d);
          for (const ent of safeReaddir(d)) if (ent.isDirectory()) walk(path.join(d, ent.name));
        };
        walk(dir);
        continue;
      }
      const re = globToRegExp(seg);
      for (const ent of safeReaddir(dir)) {
        if (!re.test(ent.name)) continue;
        if (last ? ent.isFile() : ent.isDirectory()) next.push(path.join(dir, ent.name));
      }
    }
    current = next;
  }
  return [...new Set(current)].sort();
}

function safeReaddir(d: string): fs.Dirent[] {
  try {
    return fs.readdirSync(d, { withFileTypes: true });
  } catch {
    return [];
  }
}
