// The streamed scan (a piece at a time, bounded memory) must give exactly what the whole-buffer scan gives: the
// same clean copy byte for byte, the same bad lines with the same numbers and bytes, the same counts, wherever the
// piece ends fall (inside a quoted field, a CR LF pair, a multi-byte character, the header).
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dialectBytes, type CsvDialect } from '../src/sources/csv-record.js';
import { scanCsv } from '../src/sources/csv-scan.js';
import { scanCsvStream } from '../src/sources/csv-scan-stream.js';
import { tmpDir } from './helpers.js';

const DIALECT: CsvDialect = { delimiter: ',', quote: '"', escape: '', header: true, encoding: 'utf-8' };

const DIRTY = [
  'id,"na',
  'me",note',
  '1,ann,plain',
  '2,"multi',
  'line, with ""quotes""",x',
  '',
  '3,ragged',
  '4,"unterminated,y',
  '5,bad"quote,z',
  '6,ünïcödé ✓ 𝄞,w',
  '7,cr\rlone,v',
  '8,nul\u0000byte,u',
  '9,"after"text,t',
  '\r',
  '10,crlf,s\r',
  '11,last,no newline',
].join('\n');

async function both(content: Buffer, dialect: Partial<CsvDialect>, pieceBytes: number) {
  const dir = tmpDir('sluice-stream-');
  const file = path.join(dir, 'in.csv');
  fs.writeFileSync(file, content);
  const d = { ...DIALECT, ...dialect };
  const whole = scanCsv(file, path.join(dir, 'whole.csv'), d);
  const progress: number[] = [];
  const s = await scanCsvStream(file, path.join(dir, 'stream.csv'), dialectBytes(d), d, { pieceBytes, onProgress: (p) => progress.push(p.bytes) });
  return {
    whole: { header: whole.header, records: whole.records, good: whole.good, blank: whole.blank, bad: whole.bad.map((b) => ({ ...b, raw: Buffer.from(b.raw).toString('hex') })), clean: fs.readFileSync(path.join(dir, 'whole.csv')).toString('hex') },
    stream: { header: d.header ? (s.header?.names ?? []) : Array.from({ length: s.body.expected }, (_, i) => `column${i + 1}`), records: s.body.records, good: s.body.good, blank: s.body.blank, bad: s.body.bad.map((b) => ({ ...b, raw: Buffer.from(b.raw).toString('hex') })), clean: fs.readFileSync(path.join(dir, 'stream.csv')).toString('hex') },
    progress,
  };
}

describe('scanCsvStream', () => {
  it('gives the whole-buffer scan\'s result for a dirty file at every piece size, in every dialect variant', async () => {
    const bytes = Buffer.from(DIRTY, 'utf8');
    const variants: Partial<CsvDialect>[] = [{}, { blankLines: 'quarantine' }, { multiline: false }, { header: false }];
    for (const v of variants) {
      for (const piece of [16, 17, 19, 23, 31, 64, 200, 1 << 20]) {
        const r = await both(bytes, v, piece);
        expect(r.stream, `${JSON.stringify(v)} piece ${piece}`).toEqual(r.whole);
      }
    }
  });

  it('reads a UTF-8 byte order mark, Latin-1 and UTF-16 in pieces as the whole-buffer scan does', async () => {
    const text = 'id,name\n1,Zoë\n2,"Æ\nØ"\n\n3,ß\n';
    const cases: [Buffer, Partial<CsvDialect>][] = [
      [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), {}],
      [Buffer.from(text, 'latin1'), { encoding: 'latin1' }],
      [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), { encoding: 'utf-16le' }],
      [Buffer.from(text, 'utf16le').swap16(), { encoding: 'utf-16be' }],
    ];
    for (const [bytes, v] of cases) {
      for (const piece of [16, 21, 64]) {
        const r = await both(bytes, v, piece);
        expect(r.stream, `${JSON.stringify(v)} piece ${piece}`).toEqual(r.whole);
      }
    }
  });

  it('refuses a UTF-16 file read as UTF-8 by name, as the whole-buffer scan does', async () => {
    const dir = tmpDir('sluice-stream-');
    const file = path.join(dir, 'in.csv');
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id\n1\n', 'utf16le')]));
    await expect(scanCsvStream(file, path.join(dir, 'c.csv'), dialectBytes(DIALECT), DIALECT)).rejects.toThrow('set the source\'s "encoding" to "utf-16le"');
  });

  it('reports progress piece by piece, ending at the whole file', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `${i},row ${i}`).join('\n');
    const bytes = Buffer.from(`id,name\n${rows}\n`);
    const r = await both(bytes, {}, 256);
    expect(r.progress.length).toBeGreaterThan(5);
    expect(r.progress.at(-1)).toBe(bytes.length);
    expect([...r.progress].sort((a, b) => a - b)).toEqual(r.progress);
  });

  it('matches the whole-buffer scan on random dirty files and random piece sizes', async () => {
    const piece = fc.constantFrom('a', 'b', ',', '"', '\n', '\r\n', '\r', '""', 'é', '𝄞', '\u0000', ' ');
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { minLength: 20, maxLength: 200 }), fc.integer({ min: 16, max: 32 }), fc.boolean(), fc.boolean(), async (parts, size, multiline, quarantine) => {
        const bytes = Buffer.from(`x,y\n${parts.join('')}`, 'utf8');
        // A file of many NUL bytes may look like UTF-16 to both scans: then both must refuse it with one message.
        const r = await both(bytes, { multiline, ...(quarantine ? { blankLines: 'quarantine' as const } : {}) }, size).catch((e: unknown) => ({ refused: String(e) }));
        if ('refused' in r) {
          expect(r.refused).toMatch(/looks like UTF-16/);
          const dir = tmpDir('sluice-stream-');
          fs.writeFileSync(path.join(dir, 'in.csv'), bytes);
          const d = { ...DIALECT, multiline };
          await expect(scanCsvStream(path.join(dir, 'in.csv'), path.join(dir, 'stream.csv'), dialectBytes(d), d, { pieceBytes: size })).rejects.toThrow(r.refused.replace(/^Error: /, '').replace(/^[A-Za-z]+: /, ''));
          return;
        }
        expect(r.stream).toEqual(r.whole);
      }),
      { numRuns: 100 },
    );
  });
});
