// A REST source's durable progress: every page received is appended to a spool and fsynced, then a small
// progress file naming what comes next is atomically replaced. A run that dies between the two leaves a few
// uncommitted bytes, which the next start cuts off, so a resumed run has every record exactly once.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SPOOL_VERSION = 1;

/** Where paging continues: the next page's sequence number and, for cursor and link paging, its cursor or URL. */
export interface SpoolProgress {
  version: number;
  /** Hash of the settings that decide which records are read; another configuration does not resume. */
  fingerprint: string;
  /** Pages committed so far (sequence numbers 1..pages). */
  pages: number;
  /** Cursor value or next URL for the page after the last committed one. */
  next: string | null;
  /** Total number of pages, once the API told it (page and offset paging with a total). */
  totalPages: number | null;
  done: boolean;
  records: number;
  good: number;
  bad: number;
  /** Top-level keys seen so far, in order of appearance (they become columns). */
  keys: string[];
  recordsBytes: number;
  rejectsBytes: number;
}

export interface RejectLine {
  lineage: string;
  ordinal: number;
  reason: string;
  raw: string;
}

export class Spool {
  readonly recordsFile: string;
  readonly rejectsFile: string;
  private readonly progressFile: string;

  private constructor(
    readonly dir: string,
    public progress: SpoolProgress,
  ) {
    this.recordsFile = path.join(dir, 'records.ndjson');
    this.rejectsFile = path.join(dir, 'rejects.ndjson');
    this.progressFile = path.join(dir, 'progress.json');
  }

  /**
   * Open the spool in `dir`. Committed progress for the same fingerprint is resumed (bytes written after the last
   * commit are cut off); anything else starts empty. `discarded` says a progress file was there but not usable.
   */
  static open(dir: string, fingerprint: string): { spool: Spool; resumed: boolean; discarded: string | undefined } {
    fs.mkdirSync(dir, { recursive: true });
    const fresh: SpoolProgress = { version: SPOOL_VERSION, fingerprint, pages: 0, next: null, totalPages: null, done: false, records: 0, good: 0, bad: 0, keys: [], recordsBytes: 0, rejectsBytes: 0 };
    const file = path.join(dir, 'progress.json');
    let discarded: string | undefined;
    if (fs.existsSync(file)) {
      const saved = readProgress(file);
      if (!saved) discarded = 'the saved progress file is unreadable';
      else if (saved.version !== SPOOL_VERSION) discarded = `the saved progress has format ${saved.version}, this engine writes ${SPOOL_VERSION}`;
      else if (saved.fingerprint !== fingerprint) discarded = 'the saved progress was made with other source settings';
      else {
        const spool = new Spool(dir, saved);
        if (spool.cutTo(spool.recordsFile, saved.recordsBytes) && spool.cutTo(spool.rejectsFile, saved.rejectsBytes)) return { spool, resumed: true, discarded };
        discarded = 'the spooled records are shorter than the saved progress says';
      }
    }
    const spool = new Spool(dir, fresh);
    fs.writeFileSync(spool.recordsFile, '');
    fs.writeFileSync(spool.rejectsFile, '');
    fs.rmSync(file, { force: true });
    return { spool, resumed: false, discarded };
  }

  /** Truncate a file to its committed length; false when it is shorter (the spool lost data and cannot resume). */
  private cutTo(file: string, bytes: number): boolean {
    const size = fs.existsSync(file) ? fs.statSync(file).size : 0;
    if (size < bytes) return false;
    if (size > bytes) fs.truncateSync(file, bytes);
    return true;
  }

  /** Make one page durable: its lines first, then the progress that points past it. */
  commit(recordLines: string[], rejects: RejectLine[], next: Omit<SpoolProgress, 'version' | 'fingerprint' | 'recordsBytes' | 'rejectsBytes'>): void {
    const recordsBytes = this.progress.recordsBytes + appendDurably(this.recordsFile, recordLines.map((l) => `${l}\n`).join(''));
    const rejectsBytes = this.progress.rejectsBytes + appendDurably(this.rejectsFile, rejects.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const progress: SpoolProgress = { ...next, version: SPOOL_VERSION, fingerprint: this.progress.fingerprint, recordsBytes, rejectsBytes };
    const tmp = `${this.progressFile}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, JSON.stringify(progress));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.progressFile);
    syncDir(this.dir);
    this.progress = progress;
  }

  readRejects(): RejectLine[] {
    const text = fs.readFileSync(this.rejectsFile, 'utf8');
    return text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as RejectLine);
  }
}

function readProgress(file: string): SpoolProgress | undefined {
  try {
    const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<SpoolProgress>;
    if (typeof p.version !== 'number' || typeof p.fingerprint !== 'string' || typeof p.pages !== 'number' || !Array.isArray(p.keys)) return undefined;
    if (typeof p.recordsBytes !== 'number' || typeof p.rejectsBytes !== 'number') return undefined;
    return p as SpoolProgress;
  } catch {
    return undefined;
  }
}

function appendDurably(file: string, text: string): number {
  if (text === '') return 0;
  const bytes = Buffer.from(text, 'utf8');
  const fd = fs.openSync(file, 'a');
  try {
    fs.writeSync(fd, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return bytes.length;
}

/** The rename itself is durable only once the folder is synced; not every platform allows opening a folder. */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Best effort (Windows cannot fsync a directory).
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
