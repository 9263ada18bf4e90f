// Scanning a large UTF-8 CSV file in slices on several threads. Slices are cut at line ends; if a cut falls
// inside a quoted field (a record spanning lines across the cut), the file is rescanned in one piece, so the
// result is always the same as the single-threaded scan.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { dialectBytes, parseHeader, type CsvDialect } from './csv-record.js';
import { finishScan, scanCsv, type BodyScan, type ScanResult } from './csv-scan.js';
import { scanCsvStream } from './csv-scan-stream.js';
import type { SliceJob, SliceMessage } from './csv-scan-worker.js';

/** Below this, threads cost more than they save. */
const MIN_PARALLEL_BYTES = 16 * 1024 * 1024;
/**
 * Each thread loads the worker: bundled (engine/dist/bundle, by `npm run build:engine`), it is a few files instead of
 * the ~110 modules its imports are one by one (zod's among them, for the errors it can throw); the compiled file
 * next to this one when there is no bundle.
 */
const BUNDLED_WORKER = new URL('../bundle/csv-scan-worker.js', import.meta.url);
const WORKER = fs.existsSync(fileURLToPath(BUNDLED_WORKER)) ? BUNDLED_WORKER : new URL('./csv-scan-worker.js', import.meta.url);

function workerAvailable(): boolean {
  // Under a TypeScript test runner this module is not compiled and the worker cannot start; scan in one piece.
  return fs.existsSync(fileURLToPath(WORKER));
}

/**
 * The worker is built JavaScript, so @sluice/* must resolve to the packages' dist/. A test runner that loads the
 * TypeScript sources passes `--conditions sluice-source` to this process; a worker inheriting it would get .ts files.
 */
function builtCodeArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if ((a === '--conditions' || a === '-C') && args[i + 1] === 'sluice-source') i++;
    else if (a !== '--conditions=sluice-source' && a !== '-C=sluice-source') out.push(a);
  }
  return out;
}

function runSlice(job: SliceJob, onProgress: (bytes: number, good: number) => void): Promise<BodyScan> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { workerData: job, execArgv: builtCodeArgs(process.execArgv) });
    w.on('message', (m: SliceMessage) => {
      if (m.type === 'progress') onProgress(m.progress.bytes, m.progress.good);
      else resolve(m.body);
    });
    w.once('error', reject);
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`CSV scan worker exited with code ${code}`));
    });
  });
}

function readAt(fd: number, start: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  const n = fs.readSync(fd, buf, 0, length, start);
  return buf.subarray(0, n);
}

/** The offset just past the first line end at or after `from`. */
function nextLineStart(fd: number, from: number, size: number): number {
  for (let at = from; at < size; at += 1 << 16) {
    const chunk = readAt(fd, at, Math.min(1 << 16, size - at));
    const nl = chunk.indexOf(0x0a);
    if (nl >= 0) return at + nl + 1;
  }
  return size;
}

/** How far a file's scan has come: the share of its bytes read, and the good records so far. */
export type FileScanProgress = (p: { fraction: number; good: number }) => void;

export async function scanCsvFile(file: string, cleanPrefix: string, d: CsvDialect, limit?: number, threads = Math.min(4, os.availableParallelism()), onProgress?: FileScanProgress): Promise<ScanResult> {
  const size = fs.statSync(file).size;
  const sequential = async (): Promise<ScanResult> => {
    const clean = `${cleanPrefix}.0.csv`;
    // A preview reads a prefix only; a run streams the file through a buffer of bounded size.
    if (limit !== undefined) return scanCsv(file, clean, d, limit);
    const s = await scanCsvStream(file, clean, dialectBytes(d), d, { ...(onProgress ? { onProgress: (p) => onProgress({ fraction: size > 0 ? p.bytes / size : 1, good: p.good }) } : {}) });
    return finishScan(s.header?.names ?? [], d.header, [{ path: clean, lineOffset: 0, longest: s.body.longest }], s.body, [...(s.header?.warnings ?? [])]);
  };
  if (limit !== undefined || !d.header || d.encoding !== 'utf-8' || size < MIN_PARALLEL_BYTES || threads < 2 || !workerAvailable()) return sequential();
  const db = dialectBytes(d);
  const fd = fs.openSync(file, 'r');
  let bodyStart: number;
  let header: { names: string[]; warnings: string[]; lines: number };
  const cuts: number[] = [];
  try {
    const head = readAt(fd, 0, Math.min(size, 1 << 20));
    if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return sequential();
    const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
    const headerEnd = head.indexOf(0x0a, bom);
    if (headerEnd < 0) return sequential();
    let h: ReturnType<typeof parseHeader>;
    try {
      h = parseHeader(head.subarray(0, headerEnd + 1), bom, db);
    } catch {
      // A header this quick look cannot read (e.g. a quoted name spanning lines): the full scan decides.
      return sequential();
    }
    if (h.lines !== 1) return sequential();
    header = h;
    bodyStart = h.next;
    for (let i = 1; i < threads; i++) cuts.push(nextLineStart(fd, bodyStart + Math.floor(((size - bodyStart) * i) / threads), size));
  } finally {
    fs.closeSync(fd);
  }
  const bounds = [bodyStart, ...cuts, size].filter((b, i, a) => i === 0 || b > (a[i - 1] as number));
  const jobs: SliceJob[] = bounds.slice(0, -1).map((start, i) => ({
    file,
    start,
    end: bounds[i + 1] as number,
    expected: header.names.length,
    dialect: db,
    cleanFile: `${cleanPrefix}.${i}.csv`,
    last: i === bounds.length - 2,
  }));
  const done = jobs.map(() => ({ bytes: 0, good: 0 }));
  const results = await Promise.all(
    jobs.map((j, i) =>
      runSlice(j, (bytes, good) => {
        done[i] = { bytes, good };
        onProgress?.({ fraction: done.reduce((s, x) => s + x.bytes, bodyStart) / size, good: done.reduce((s, x) => s + x.good, 0) });
      }),
    ),
  );
  if (results.some((r) => r.openAtEnd)) {
    for (const j of jobs) fs.rmSync(j.cleanFile, { force: true });
    return sequential();
  }
  // Slice line numbers start at 1; each slice's offset is the lines before it (header included).
  let offset = header.lines;
  const parts = results.map((r, i) => {
    const part = { path: (jobs[i] as SliceJob).cleanFile, lineOffset: offset, longest: r.longest };
    for (const b of r.bad) b.line += offset;
    offset += r.lines;
    return part;
  });
  const body = results.reduce(
    (acc, r) => ({ records: acc.records + r.records, good: acc.good + r.good, blank: acc.blank + r.blank, bad: [...acc.bad, ...r.bad], truncated: false, invalidUtf8: acc.invalidUtf8 + r.invalidUtf8, expected: acc.expected }),
    { records: 0, good: 0, blank: 0, bad: [] as BodyScan['bad'], truncated: false, invalidUtf8: 0, expected: header.names.length },
  );
  return finishScan(header.names, true, parts, body, [...header.warnings]);
}
