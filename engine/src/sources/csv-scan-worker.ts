// One slice of a CSV file, scanned in a worker thread (see csv-scan-parallel.ts), a piece at a time so that the
// slice is never held in memory whole; progress goes to the parent as it is made.
import { parentPort, workerData } from 'node:worker_threads';
import type { DialectBytes } from './csv-record.js';
import type { BodyScan } from './csv-scan.js';
import { scanCsvStream, type ScanProgress } from './csv-scan-stream.js';

export interface SliceJob {
  file: string;
  start: number;
  end: number;
  expected: number;
  dialect: DialectBytes;
  cleanFile: string;
  last: boolean;
}

export type SliceMessage = { type: 'progress'; progress: ScanProgress } | { type: 'done'; body: BodyScan };

const job = workerData as SliceJob;
const post = (m: SliceMessage) => parentPort?.postMessage(m);
const { body } = await scanCsvStream(job.file, job.cleanFile, job.dialect, { encoding: 'utf-8', header: false }, {
  start: job.start,
  end: job.end,
  expected: job.expected,
  chunk: !job.last,
  onProgress: (progress) => post({ type: 'progress', progress }),
});
post({ type: 'done', body });
