// One slice of a CSV file, scanned in a worker thread (see csv-scan-parallel.ts).
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { DialectBytes } from './csv-record.js';
import { scanBody } from './csv-scan.js';

export interface SliceJob {
  file: string;
  start: number;
  end: number;
  expected: number;
  dialect: DialectBytes;
  cleanFile: string;
  last: boolean;
}

const job = workerData as SliceJob;
const buf = Buffer.allocUnsafe(job.end - job.start);
const fd = fs.openSync(job.file, 'r');
try {
  let done = 0;
  while (done < buf.length) {
    const n = fs.readSync(fd, buf, done, buf.length - done, job.start + done);
    if (n === 0) break;
    done += n;
  }
} finally {
  fs.closeSync(fd);
}
parentPort?.postMessage(scanBody(buf, 0, 1, job.expected, job.dialect, job.cleanFile, undefined, !job.last));
