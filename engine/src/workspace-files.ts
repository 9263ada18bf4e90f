// Pipeline files in the folder `sluice serve` was started with. The browser names files by workspace-relative
// path; every path is untrusted (any page script holding the token could send one), so each is checked by
// shape first (no `..`, no absolute or drive paths, no hidden segments, only .json) and then on disk, with
// symlinks resolved, before anything is read or written. Writes are atomic: a temporary file, then a rename.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ERROR_CODES } from '@sluice/format/api/errors';
import { UserError } from './runtime/exec-context.js';
import { isInside, segmentProblem, stillPlaced } from './runtime/paths.js';

export interface WorkspaceFile {
  /** Relative to the workspace root, with `/` separators. */
  path: string;
  name: string;
  modifiedMs: number;
  size: number;
}

/** Pipelines are small; a bigger "pipeline" is a mistake or an attempt to fill the disk through the server. */
export const MAX_PIPELINE_BYTES = 5 * 1024 * 1024;
const MAX_LISTED = 500;
const MAX_DEPTH = 4;
const SKIPPED_FOLDERS = new Set(['node_modules']);

/**
 * The absolute path a workspace-relative path names, or a UserError saying why it is refused. Pure (no disk
 * access): the shape rules alone keep the result inside `root`; `onDisk` then deals with symlinks.
 */
export function resolveWorkspacePath(root: string, relative: string): string {
  const refuse = (why: string): never => {
    throw new UserError(`"${relative}" is not a workspace file: ${why}`, { file: relative });
  };
  if (typeof relative !== 'string' || relative.trim() === '') refuse('the path is empty');
  if (relative.length > 512) refuse('the path is too long');
  if (relative.includes('\0')) refuse('the path contains a NUL character');
  if (/^[a-zA-Z]:/.test(relative) || relative.startsWith('/') || relative.startsWith('\\') || path.isAbsolute(relative)) refuse('absolute paths are not allowed; name files relative to the workspace');
  // Both separators count, whatever the platform: a name with a backslash could mean a folder on Windows.
  const segments = relative.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  if (segments.length === 0) refuse('the path is empty');
  if (segments.some((s) => s === '..')) refuse('".." is not allowed');
  if (segments.some((s) => s.startsWith('.'))) refuse('hidden files and folders are not workspace files');
  for (const s of segments) {
    const why = segmentProblem(s);
    if (why) refuse(why);
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  if (segments.some((s) => /[<>:"|?*\u0000-\u001f]/.test(s))) refuse('the name contains a character that is not allowed in file names');
  const last = segments[segments.length - 1] as string;
  if (!/\.json$/i.test(last) || last.length <= '.json'.length) refuse('only .json pipeline files can be opened or saved');
  const resolved = path.join(root, ...segments);
  if (!isInside(resolved, root) || resolved === root) refuse('it is outside the workspace');
  return resolved;
}

async function realRoot(root: string): Promise<string> {
  try {
    return await fs.realpath(root);
  } catch {
    throw new UserError(`the workspace folder ${root} does not exist`);
  }
}

/** The real path of an existing file (following symlinks), refused when it lands outside the real root. */
async function existingInside(rootReal: string, candidate: string, relative: string): Promise<string> {
  let real: string;
  try {
    real = await fs.realpath(candidate);
  } catch {
    throw new UserError(`no file "${relative}" in the workspace`, { file: relative });
  }
  if (!isInside(real, rootReal)) throw new UserError(`"${relative}" leads outside the workspace (through a symbolic link)`, { file: relative });
  return real;
}

function toRelative(rootReal: string, abs: string): string {
  return path.relative(rootReal, abs).split(path.sep).join('/');
}

export class WorkspaceFiles {
  constructor(readonly root: string) {}

  async list(): Promise<WorkspaceFile[]> {
    const rootReal = await realRoot(this.root);
    const out: WorkspaceFile[] = [];
    const walk = async (dir: string, depth: number): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      entries.sort((a, b) => a.name.localeCompare(b.name));
      for (const e of entries) {
        if (out.length >= MAX_LISTED) return;
        if (e.name.startsWith('.')) continue;
        const full = path.join(dir, e.name);
        // Symlinks are not listed: whether one stays inside is checked when it is opened by name.
        // `NAME.tests/` holds a pipeline's pinned data (ops/pins.ts): its .json files are expectations, not pipelines.
        if (e.isDirectory() && depth < MAX_DEPTH && !SKIPPED_FOLDERS.has(e.name) && !e.name.endsWith('.tests')) await walk(full, depth + 1);
        else if (e.isFile() && /\.json$/i.test(e.name)) {
          const st = await fs.stat(full);
          out.push({ path: toRelative(rootReal, full), name: e.name, modifiedMs: Math.round(st.mtimeMs), size: st.size });
        }
      }
    };
    await walk(rootReal, 0);
    return out;
  }

  async read(relative: string): Promise<{ path: string; text: string; modifiedMs: number }> {
    const rootReal = await realRoot(this.root);
    const real = await existingInside(rootReal, resolveWorkspacePath(rootReal, relative), relative);
    const st = await fs.stat(real);
    if (!st.isFile()) throw new UserError(`"${relative}" is not a file`, { file: relative });
    if (st.size > MAX_PIPELINE_BYTES) throw new UserError(`"${relative}" is ${st.size} bytes, too large for a pipeline file`, { file: relative });
    return { path: toRelative(rootReal, resolveWorkspacePath(rootReal, relative)), text: await fs.readFile(real, 'utf8'), modifiedMs: Math.round(st.mtimeMs) };
  }

  /** Writes atomically. `overwrite: false` refuses an existing file (Save As to a name already taken). */
  async write(relative: string, text: string, overwrite: boolean): Promise<{ path: string; modifiedMs: number }> {
    if (Buffer.byteLength(text) > MAX_PIPELINE_BYTES) throw new UserError(`the pipeline is larger than ${MAX_PIPELINE_BYTES} bytes`, { file: relative });
    const rootReal = await realRoot(this.root);
    const target = resolveWorkspacePath(rootReal, relative);
    const dir = path.dirname(target);
    let dirReal: string;
    try {
      dirReal = await fs.realpath(dir);
    } catch {
      throw new UserError(`the folder of "${relative}" does not exist in the workspace`, { file: relative });
    }
    if (!isInside(dirReal, rootReal)) throw new UserError(`"${relative}" leads outside the workspace (through a symbolic link)`, { file: relative });
    const existing = await fs.lstat(target).catch(() => undefined);
    if (existing) {
      if (!overwrite) throw new UserError(`"${relative}" already exists`, { file: relative }, { code: ERROR_CODES.fileExists });
      if (existing.isDirectory()) throw new UserError(`"${relative}" is a folder`, { file: relative });
      // A symlink is replaced by the rename, never written through: its target may be anywhere.
    }
    const finalPath = path.join(dirReal, path.basename(target));
    // A short unpredictable name (a long file name plus a suffix could exceed the file system's limit), created
    // exclusively so a planted file or link of that name is never followed.
    const tmp = path.join(dirReal, `.sluice-${randomBytes(8).toString('hex')}.tmp`);
    try {
      await fs.writeFile(tmp, text, { encoding: 'utf8', flag: 'wx' });
      await fs.rename(tmp, finalPath);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENAMETOOLONG') throw new UserError(`"${relative}" is too long a name for this file system`, { file: relative });
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new UserError(`the folder of "${relative}" changed while saving; nothing was written`, { file: relative });
      throw err;
    }
    // The folder was checked before writing; if it was swapped for a link meanwhile the file landed elsewhere.
    if (!stillPlaced(finalPath, dirReal)) {
      await fs.rm(finalPath, { force: true });
      throw new UserError(`the folder of "${relative}" changed while saving (it now leads outside the workspace); the write was undone`, { file: relative });
    }
    const st = await fs.stat(finalPath);
    return { path: toRelative(rootReal, finalPath), modifiedMs: Math.round(st.mtimeMs) };
  }
}
