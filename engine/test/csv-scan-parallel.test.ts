// The threaded scan must give exactly what the single-threaded scan gives: same bad lines with the same numbers,
// same good records, same physical line for every record. Runs against the built engine (threads need JS files).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tmpDir } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = path.join(root, 'engine', 'dist', 'sources');
const built = fs.existsSync(path.join(dist, 'csv-scan-worker.js'));

interface Scan {
  header: string[];
  records: number;
  good: number;
  blank: number;
  bad: { line: number; raw: Uint8Array; reason: string }[];
  parts: { path: string; lineOffset: number }[];
}

/** Good records as "physical line|record text", from the clean parts and their offsets. */
function goodRecords(s: Scan): string[] {
  const out: string[] = [];
  for (const p of s.parts) {
    const text = fs.readFileSync(p.path, 'utf8');
    // Records may contain newlines inside quotes, so split on the line-number prefix the scanner writes.
    for (const m of text.matchAll(/^(\d+),/gm)) out.push(`${Number(m[1]) + p.lineOffset}`);
  }
  return out;
}

function bigDirtyCsv(file: string, rows: number): void {
  const lines = ['id,name,note'];
  for (let i = 1; i <= rows; i++) {
    if (i % 997 === 0) lines.push(`${i},"multi`, `line ${i}",x`);
    else if (i % 1009 === 0) lines.push(`${i},ragged`);
    else if (i % 1013 === 0) lines.push(`${i},"unterminated,y`);
    else if (i % 1019 === 0) lines.push('');
    else lines.push(`${i},name ${i},"a note, with a comma ""quoted"""`);
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

describe.skipIf(!built)('threaded CSV scan', () => {
  it('matches the single-threaded scan on a large dirty file', async () => {
    const { scanCsv } = (await import(pathToFileURL(path.join(dist, 'csv-scan.js')).href)) as { scanCsv: (f: string, c: string, d: object) => Scan };
    const { scanCsvFile } = (await import(pathToFileURL(path.join(dist, 'csv-scan-parallel.js')).href)) as {
      scanCsvFile: (f: string, c: string, d: object, limit?: number, threads?: number) => Promise<Scan>;
    };
    const dir = tmpDir();
    const file = path.join(dir, 'big.csv');
    bigDirtyCsv(file, 450_000);
    expect(fs.statSync(file).size).toBeGreaterThan(16 * 1024 * 1024);
    const dialect = { delimiter: ',', quote: '"', escape: '', header: true, encoding: 'utf-8' };
    const one = scanCsv(file, path.join(dir, 'one.csv'), dialect);
    for (const threads of [2, 3]) {
      const many = await scanCsvFile(file, path.join(dir, `many${threads}`), dialect, undefined, threads);
      expect(many.parts.length).toBe(threads);
      expect([many.records, many.good, many.blank]).toEqual([one.records, one.good, one.blank]);
      expect(many.bad.map((b) => [b.line, Buffer.from(b.raw).toString('utf8'), b.reason])).toEqual(one.bad.map((b) => [b.line, Buffer.from(b.raw).toString('utf8'), b.reason]));
      expect(goodRecords(many)).toEqual(goodRecords(one));
    }
    expect(one.bad.length).toBeGreaterThan(800);
    // Quarantined blank lines carry the same numbers from the slices as from the single scan.
    const blanks = { ...dialect, blankLines: 'quarantine' };
    const oneQ = scanCsv(file, path.join(dir, 'oneq.csv'), blanks);
    const manyQ = await scanCsvFile(file, path.join(dir, 'manyq'), blanks, undefined, 2);
    expect(oneQ.blank).toBe(0);
    expect(oneQ.bad.length).toBe(one.bad.length + one.blank);
    expect(manyQ.bad.map((b) => [b.line, b.reason])).toEqual(oneQ.bad.map((b) => [b.line, b.reason]));
    const physical = fs.readFileSync(file, 'utf8').split('\n').slice(0, -1);
    const blankAt = physical.flatMap((l, i) => (l === '' ? [i + 1] : []));
    expect(manyQ.bad.filter((b) => b.reason === 'blank line').map((b) => b.line)).toEqual(blankAt);
  });
});
