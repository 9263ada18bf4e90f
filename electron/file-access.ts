// Pipeline files in the desktop app: the user picks them in native dialogs, and the window may read or write
// only files the user chose that way (or opened from the OS, the command line or the recent list). A
// compromised page therefore cannot read or overwrite arbitrary files through the shell. Pure Node, no Electron.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { MAX_PIPELINE_BYTES } from './bridge.js';
import { UserError } from '@sluice/format/api/errors';
import { segmentProblem, stillPlaced } from '@sluice/engine/runtime/paths';

export interface FileRef {
  path: string;
  name: string;
}

export interface Dialogs {
  /** An absolute path the user picked, or undefined when they cancelled. */
  chooseOpen(): Promise<string | undefined>;
  chooseSave(suggestedName: string): Promise<string | undefined>;
}

export interface FileAccessOptions {
  /** Where the recent list is kept (in the app's userData folder). */
  recentFile: string;
  dialogs: Dialogs;
  /** Called with each file the user chose, so the engine may run pipelines in its folder. */
  onGrant?(file: string): void;
  maxRecent?: number;
}

/** A mistake the user can act on (a missing file, a refused path); its message is shown as is. */
export class FileAccessError extends UserError {}

function refOf(file: string): FileRef {
  return { path: file, name: path.basename(file) };
}

export class FileAccess {
  private readonly granted = new Set<string>();
  private readonly maxRecent: number;

  constructor(private readonly opts: FileAccessOptions) {
    this.maxRecent = opts.maxRecent ?? 10;
    for (const file of this.loadRecent()) this.granted.add(file);
  }

  /** A file the user opened outside the window's dialogs: the command line, the OS, a second instance. */
  grant(file: string): FileRef {
    const abs = path.resolve(file);
    this.granted.add(abs);
    this.opts.onGrant?.(abs);
    return refOf(abs);
  }

  async openDialog(): Promise<{ ref: FileRef; text: string } | undefined> {
    const file = await this.opts.dialogs.chooseOpen();
    if (!file) return undefined;
    const ref = this.grant(file);
    const text = this.readText(ref.path);
    this.remember(ref.path);
    return { ref, text };
  }

  async read(ref: FileRef): Promise<string> {
    const file = this.checked(ref.path);
    const text = this.readText(file);
    this.opts.onGrant?.(file);
    this.remember(file);
    return text;
  }

  async save(ref: FileRef, text: string): Promise<FileRef> {
    const file = this.checked(ref.path);
    this.writeText(file, text);
    this.remember(file);
    return refOf(file);
  }

  async saveAsDialog(suggestedName: string, text: string): Promise<FileRef | undefined> {
    const file = await this.opts.dialogs.chooseSave(path.basename(suggestedName) || 'pipeline.sluice');
    if (!file) return undefined;
    // The engine's path policy for the name itself: no Windows device names, no over-long or control-character
    // names. The folder is the user's explicit choice in a native dialog.
    const why = segmentProblem(path.basename(file));
    if (why && !why.includes('hidden')) throw new FileAccessError(`cannot save as ${file}: ${why}`);
    const ref = this.grant(file);
    this.writeText(ref.path, text);
    this.remember(ref.path);
    return ref;
  }

  /** Most recent first; files that no longer exist are left out. */
  async recent(): Promise<FileRef[]> {
    return this.loadRecent()
      .filter((f) => fs.existsSync(f))
      .map(refOf);
  }

  private checked(file: string): string {
    const abs = path.resolve(file);
    if (!path.isAbsolute(file) || !this.granted.has(abs)) {
      throw new FileAccessError(`${file} was not opened through a dialog, the recent list or the command line, so the app will not touch it`);
    }
    return abs;
  }

  private readText(file: string): string {
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      throw new FileAccessError(`${file} does not exist (moved or deleted?)`);
    }
    if (size > MAX_PIPELINE_BYTES) throw new FileAccessError(`${file} is ${size} bytes; a pipeline file is at most ${MAX_PIPELINE_BYTES}`);
    return fs.readFileSync(file, 'utf8');
  }

  private writeText(file: string, text: string): void {
    // Write beside the target and rename, so a crash mid-save never leaves half a pipeline file. The temporary
    // name is unpredictable and created exclusively ('wx'), so a file or symlink planted under it is never
    // followed; after the rename the folder is checked again, and a write that a swapped folder sent elsewhere
    // is undone.
    let dirReal: string;
    try {
      dirReal = fs.realpathSync(path.dirname(file));
    } catch {
      throw new FileAccessError(`could not save ${file}: its folder does not exist`);
    }
    const finalPath = path.join(dirReal, path.basename(file));
    const tmp = path.join(dirReal, `.sluice-${randomBytes(8).toString('hex')}.tmp`);
    try {
      fs.writeFileSync(tmp, text, { encoding: 'utf8', flag: 'wx' });
      fs.renameSync(tmp, finalPath);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw new FileAccessError(`could not save ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!stillPlaced(finalPath, dirReal)) {
      fs.rmSync(finalPath, { force: true });
      throw new FileAccessError(`could not save ${file}: its folder changed while saving; the write was undone`);
    }
  }

  private loadRecent(): string[] {
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(this.opts.recentFile, 'utf8'));
      if (Array.isArray(parsed)) return parsed.filter((f): f is string => typeof f === 'string' && path.isAbsolute(f)).slice(0, this.maxRecent);
    } catch {
      // No list yet, or a damaged one: start afresh rather than refuse to open the app.
    }
    return [];
  }

  private remember(file: string): void {
    const list = [file, ...this.loadRecent().filter((f) => f !== file)].slice(0, this.maxRecent);
    fs.mkdirSync(path.dirname(this.opts.recentFile), { recursive: true });
    fs.writeFileSync(this.opts.recentFile, JSON.stringify(list, null, 2));
  }
}
