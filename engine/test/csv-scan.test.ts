// The CSV scanner is what keeps every physical line of a dirty file accounted for. These tests feed it crafted
// files and check good records, quarantined lines (exact bytes, exact line numbers) and the reconciliation.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CsvFileError, normalizeHeader, type CsvDialect } from '../src/sources/csv-record.js';
import { scanCsv, type ScanResult } from '../src/sources/csv-scan.js';
import { tmpDir } from './helpers.js';

const DIALECT: CsvDialect = { delimiter: ',', quote: '"', escape: '', header: true, encoding: 'utf-8' };

interface Scanned extends ScanResult {
  /** The clean copy DuckDB reads: `<line>,<record>` per good record. */
  clean: string;
  cleanLines: number[];
}

function scan(content: string | Uint8Array, dialect: Partial<CsvDialect> = {}, limit?: number): Scanned {
  const dir = tmpDir('sluice-scan-');
  const file = path.join(dir, 'in.csv');
  const clean = path.join(dir, 'clean.csv');
  fs.writeFileSync(file, content);
  const r = scanCsv(file, clean, { ...DIALECT, ...dialect }, limit);
  const text = fs.readFileSync(clean, 'utf8');
  // Every line of the clean copy starts with its physical line number (multi-line records span several lines).
  const cleanLines = [...text.matchAll(/^(\d+),/gm)].map((m) => Number(m[1]));
  // Reconciliation holds for every scan: each record read is good, quarantined or blank.
  expect(r.records).toBe(r.good + r.bad.length + r.blank);
  return { ...r, clean: text, cleanLines };
}

const ascii = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

describe('scanCsv: well-formed input', () => {
  it('reads good records with their physical line numbers (header is line 1)', () => {
    const r = scan('id,name\n1,ann\n2,bob\n');
    expect(r.header).toEqual(['id', 'name']);
    expect(r).toMatchObject({ records: 2, good: 2, blank: 0, bad: [] });
    expect(r.clean).toBe('2,1,ann\n3,2,bob\n');
  });

  it('reads the last record when the file does not end with a newline', () => {
    const r = scan('id,name\n1,ann\n2,bob');
    expect(r).toMatchObject({ records: 2, good: 2 });
    expect(r.clean).toBe('2,1,ann\n3,2,bob\n');
  });

  it('keeps doubled quotes inside quoted fields verbatim for the fixed-dialect reader', () => {
    const r = scan('id,text\n1,"say ""hi"""\n2,"a,b"\n3,""\n');
    expect(r).toMatchObject({ records: 3, good: 3, bad: [] });
    expect(r.clean).toBe('2,1,"say ""hi"""\n3,2,"a,b"\n4,3,""\n');
  });

  it('honours an escape character different from the quote', () => {
    const r = scan('id,text\n1,"a\\"b"\n2,x\n', { escape: '\\' });
    expect(r).toMatchObject({ good: 2, bad: [] });
    expect(r.cleanLines).toEqual([2, 3]);
  });

  it('reads a quoted field with an embedded newline as one record; later records keep physical line numbers', () => {
    const r = scan('id,text\n1,"hello\nworld"\n2,plain\n3,"x\r\ny\nz"\n4,last\n5,"bad"x\n');
    // Records: 1 (lines 2-3), 2 (line 4), 3 (lines 5-7), 4 (line 8), 5 (line 9, malformed).
    expect(r.records).toBe(5);
    expect(r.good).toBe(4);
    expect(r.clean).toBe('2,1,"hello\nworld"\n4,2,plain\n5,3,"x\r\ny\nz"\n8,4,last\n');
    expect(r.bad).toHaveLength(1);
    expect(r.bad[0]?.line).toBe(9);
    expect(ascii(r.bad[0]?.raw as Uint8Array)).toBe('5,"bad"x');
    expect(r.bad[0]?.reason).toMatch(/after a closing quote/);
  });

  it('handles CRLF line endings: no carriage return leaks into fields, raw bytes or blank-line detection', () => {
    const r = scan('a,b\r\n1,2\r\n\r\n3,4\r\n5\r\n6,7\r\n');
    expect(r).toMatchObject({ records: 5, good: 3, blank: 1 });
    expect(r.clean).toBe('2,1,2\n4,3,4\n6,6,7\n');
    expect(r.bad.map((b) => [b.line, ascii(b.raw), b.rule])).toEqual([[5, '5', 'ragged_row']]);
  });

  it('counts blank lines as records (not data) and keeps numbering physical', () => {
    const r = scan('a\n1\n\n\n2\n\n');
    expect(r).toMatchObject({ records: 5, good: 2, blank: 3, bad: [] });
    expect(r.cleanLines).toEqual([2, 5]);
  });

  it('strips a UTF-8 byte order mark from the header', () => {
    const r = scan(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('id,name\n1,ann\n')]));
    expect(r.header).toEqual(['id', 'name']);
    expect(r.header[0]?.charCodeAt(0)).toBe(0x69);
    expect(r.clean).toBe('2,1,ann\n');
  });

  it('without a header takes the field count from the first record and names columns', () => {
    const r = scan('1,2,3\n4,5\n6,7,8\n', { header: false });
    expect(r.header).toEqual(['column1', 'column2', 'column3']);
    expect(r).toMatchObject({ records: 3, good: 2 });
    expect(r.cleanLines).toEqual([1, 3]);
    expect(r.bad.map((b) => b.line)).toEqual([2]);
  });

  it('copies long good records whole, across the clean copy\'s write buffer (8 MB) and its room check (64 KB)', () => {
    const short = Array.from({ length: 20_000 }, (_, i) => `${i},row${i}`);
    const wide = 'w'.repeat(100_000);
    const huge = 'h'.repeat(9 * 1024 * 1024);
    const quoted = `"${'q'.repeat(9 * 1024 * 1024)},\n"`;
    const body = [...short, `a,${wide}`, ...short, `b,${huge}`, `c,${quoted}`, ...short, 'z,last'];
    const r = scan(`id,v\n${body.join('\n')}\n`);
    expect(r).toMatchObject({ good: body.length, bad: [] });
    // The quoted field spans two physical lines, so the records after it are numbered one further on.
    const expected = body.map((rec, i) => `${i + 2 + (i > short.length * 2 + 2 ? 1 : 0)},${rec}`).join('\n');
    expect(r.clean === `${expected}\n`).toBe(true);
  });

  it('uses another single-character delimiter', () => {
    const r = scan('a;b\n1;2\n3,4\n', { delimiter: ';' });
    expect(r.good).toBe(1);
    expect(r.bad.map((b) => [b.line, b.reason])).toEqual([[3, 'expected 2 fields, found 1']]);
  });

  it('stops at a preview limit and says so', () => {
    const r = scan('a\n1\n2\n3\n4\n', {}, 2);
    expect(r).toMatchObject({ good: 2, truncated: true, records: 2 });
  });
});

describe('scanCsv: malformed lines are quarantined with exact bytes and line numbers', () => {
  it('quarantines ragged rows (too few and too many fields) and keeps the rest', () => {
    const r = scan('a,b,c\n1,2,3\n1,2\n1,2,3,4\n4,5,6\n,,\n');
    expect(r).toMatchObject({ records: 5, good: 3, blank: 0 });
    expect(r.cleanLines).toEqual([2, 5, 6]);
    expect(r.bad.map((b) => ({ line: b.line, raw: ascii(b.raw), rule: b.rule, reason: b.reason }))).toEqual([
      { line: 3, raw: '1,2', rule: 'ragged_row', reason: 'expected 3 fields, found 2' },
      { line: 4, raw: '1,2,3,4', rule: 'ragged_row', reason: 'expected 3 fields, found 4' },
    ]);
  });

  it('an unterminated quote in the middle costs only its own physical line', () => {
    const r = scan('id,v\n1,x\n2,"oops\n3,y\n4,z\n');
    expect(r).toMatchObject({ records: 4, good: 3, blank: 0 });
    expect(r.cleanLines).toEqual([2, 4, 5]);
    expect(r.bad).toHaveLength(1);
    expect(r.bad[0]).toMatchObject({ line: 3, rule: 'malformed' });
    expect(ascii(r.bad[0]?.raw as Uint8Array)).toBe('2,"oops');
    expect(r.bad[0]?.reason).toMatch(/unterminated quoted field/);
  });

  it('a stray opening quote later "closed" by another line\'s quote still costs only its own line', () => {
    // The quote opened on line 3 would pair with the one on line 5; the scanner must not swallow line 4.
    const r = scan('id,v\n1,x\n2,"oops\n3,y\n4,"z"\n5,w\n');
    expect(r).toMatchObject({ records: 5, good: 4 });
    expect(r.cleanLines).toEqual([2, 4, 5, 6]);
    expect(r.bad.map((b) => [b.line, ascii(b.raw)])).toEqual([[3, '2,"oops']]);
  });

  it('a quote inside an unquoted field and text after a closing quote are malformed', () => {
    const r = scan('id,v\n1,ab"c\n2,"ok"\n3,"x" \n');
    expect(r.good).toBe(1);
    expect(r.bad.map((b) => [b.line, b.rule, ascii(b.raw)])).toEqual([
      [2, 'malformed', '1,ab"c'],
      [4, 'malformed', '3,"x" '],
    ]);
    expect(r.bad[0]?.reason).toMatch(/quote character inside an unquoted field/);
  });

  it('quarantines a line holding a NUL byte', () => {
    const r = scan(Buffer.from('a,b\n1,x\u0000y\n2,z\n', 'utf8'));
    expect(r).toMatchObject({ records: 2, good: 1 });
    expect(r.bad).toHaveLength(1);
    expect(r.bad[0]?.line).toBe(2);
    expect(Array.from(r.bad[0]?.raw as Uint8Array)).toEqual([0x31, 0x2c, 0x78, 0x00, 0x79]);
    expect(r.bad[0]?.reason).toMatch(/NUL/);
  });

  it('quarantines an invalid UTF-8 line with its exact bytes and warns about the encoding', () => {
    const bytes = Buffer.concat([Buffer.from('name,city\nann,Berlin\nbob,'), Buffer.from([0x4d, 0xfc, 0x6e, 0x63, 0x68, 0x65, 0x6e]), Buffer.from('\nzoe,Oslo\n')]);
    const r = scan(bytes);
    expect(r).toMatchObject({ records: 3, good: 2 });
    expect(r.cleanLines).toEqual([2, 4]);
    expect(r.bad).toHaveLength(1);
    expect(r.bad[0]).toMatchObject({ line: 3, rule: 'bad_encoding' });
    expect(Buffer.from(r.bad[0]?.raw as Uint8Array).equals(Buffer.from([0x62, 0x6f, 0x62, 0x2c, 0x4d, 0xfc, 0x6e, 0x63, 0x68, 0x65, 0x6e]))).toBe(true);
    expect(r.warnings.join('\n')).toMatch(/encoding/);
  });

  it('keeps a 200 KB single-field line whole in the quarantined raw bytes', () => {
    const big = 'x'.repeat(200 * 1024);
    const line = `"${big}",1,2`;
    const r = scan(`a,b\n1,2\n${line}\n3,4\n`);
    expect(r).toMatchObject({ records: 3, good: 2 });
    expect(r.bad).toHaveLength(1);
    expect(r.bad[0]?.line).toBe(3);
    expect(r.bad[0]?.raw.length).toBe(line.length);
    expect(ascii(r.bad[0]?.raw as Uint8Array)).toBe(line);
    expect(r.cleanLines).toEqual([2, 4]);
  });

  it('keeps a 200 KB unterminated field line whole and reads the lines after it', () => {
    const line = `1,"${'y'.repeat(200 * 1024)}`;
    const r = scan(`a,b\n${line}\n2,ok\n`);
    expect(r.bad.map((b) => [b.line, b.raw.length])).toEqual([[2, line.length]]);
    expect(r.cleanLines).toEqual([3]);
  });
});

describe('scanCsv: encodings', () => {
  it('refuses a UTF-16 file (with BOM) and names the encoding setting', () => {
    const body = Buffer.from('id,name\n1,ann\n', 'utf16le');
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), body]);
    expect(() => scan(bytes)).toThrow(CsvFileError);
    expect(() => scan(bytes)).toThrow(/encoding.*utf-16le/);
  });

  it('refuses a UTF-16 file without a BOM (detected by its NUL bytes)', () => {
    const bytes = Buffer.from('id,name\n1,ann\n2,bob\n3,cid\n', 'utf16le');
    expect(() => scan(bytes)).toThrow(/encoding/);
  });

  it('reads UTF-16LE when the encoding says so', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id,name\n1,Zoë\n', 'utf16le')]);
    const r = scan(bytes, { encoding: 'utf-16le' });
    expect(r.header).toEqual(['id', 'name']);
    expect(r.clean).toBe('2,1,Zoë\n');
  });

  it('reads a latin1 file correctly with encoding "latin1"', () => {
    const bytes = Buffer.from('name,city\nJosé,Zürich\nÅsa,Malmö\n', 'latin1');
    expect(bytes.includes(0xe9)).toBe(true);
    const r = scan(bytes, { encoding: 'latin1' });
    expect(r).toMatchObject({ records: 2, good: 2, bad: [] });
    expect(r.clean).toBe('2,José,Zürich\n3,Åsa,Malmö\n');
  });

  it('refuses a latin1 header read as UTF-8 with a hint to set the encoding', () => {
    expect(() => scan(Buffer.from('naïve,b\n1,2\n', 'latin1'))).toThrow(/encoding/);
  });
});

describe('scanCsv: headers', () => {
  it('renames blank, duplicate (case-insensitively) and reserved header names, with warnings', () => {
    const r = scan('id,,id,Name,name, ,__lineage\n1,2,3,4,5,6,7\n');
    expect(r.header).toEqual(['id', 'column_2', 'id_2', 'Name', 'name_2', 'column_6', 'lineage']);
    expect(r.warnings.length).toBeGreaterThanOrEqual(5);
    expect(r.warnings.join('\n')).toMatch(/blank/);
    expect(r.warnings.join('\n')).toMatch(/more than once/);
  });

  it('normalizeHeader keeps generated names unique too', () => {
    expect(normalizeHeader(['a', 'a', 'a_2']).names).toEqual(['a', 'a_2', 'a_2_2']);
  });

  it('refuses an empty file when a header is expected, and an unreadable header', () => {
    expect(() => scan('')).toThrow(/empty/);
    expect(() => scan('"id,name\n1,2\n')).toThrow(/header/);
  });
});

describe('scanCsv: preview limits on large files', () => {
  it('reads only what the limit needs, with the same records and line numbers as a full scan', () => {
    const rows = ['id,text'];
    for (let i = 1; i <= 120_000; i++) rows.push(i % 50 === 0 ? `${i},"quoted, with comma"` : i % 77 === 0 ? `${i}` : `${i},${'x'.repeat(40)}`);
    const content = `${rows.join('\n')}\n`;
    expect(content.length).toBeGreaterThan(4 << 20);
    const limited = scan(content, {}, 500);
    const full = scan(content);
    expect(limited.truncated).toBe(true);
    expect(limited.good).toBe(500);
    expect(limited.cleanLines).toEqual(full.cleanLines.slice(0, 500));
    expect(limited.bad.map((b) => b.line)).toEqual(full.bad.filter((b) => b.line <= (limited.cleanLines.at(-1) ?? 0)).map((b) => b.line));
    // A limit larger than what one prefix holds still ends right.
    const more = scan(content, {}, 110_000);
    expect(more.cleanLines).toEqual(full.cleanLines.slice(0, 110_000));
  });

  it('does not read the lines of a quoted field that runs past the prefix as records', () => {
    // Record 1 holds a 5 MB field of 900 lines (records may span up to 1000) that look like rows; a 4 MB prefix
    // ends inside it.
    const inner = Array.from({ length: 900 }, () => `fake,${'y'.repeat(6000)}`).join('\n');
    const content = `id,text\n1,"${inner}"\n2,real\n`;
    expect(content.length).toBeGreaterThan(4 << 20);
    const limited = scan(content, {}, 2);
    expect(limited.bad).toEqual([]);
    expect(limited.good).toBe(2);
    expect(limited.cleanLines.length).toBe(2);
  });
});
