// A plain CSV file read by DuckDB a line per row (sources/csv-lines.ts) gives exactly what the scanner gives: the same
// records, values, line numbers, counts and quarantine; and a file that is not plain is left to the scanner.
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../src/db/database.js';
import { readCsvLines } from '../src/sources/csv-lines.js';
import { dialectBytes } from '../src/sources/csv-record.js';
import { chain, counts, run, tmpDir } from './helpers.js';

const DIALECT = { delimiter: ',', quote: '"', escape: '', header: true, encoding: 'utf-8' as const };

describe('reading a CSV file a line per row', () => {
  let db: Database;
  let dir: string;
  let n = 0;
  beforeAll(async () => {
    dir = tmpDir('sluice-lines-');
    db = await Database.open({ allowedDirs: [dir], tempDir: dir });
  });
  afterAll(() => db.close());

  const read = async (text: string | Buffer, dialect: Partial<typeof DIALECT> & { blankLines?: 'skip' | 'quarantine'; multiline?: boolean } = {}) => {
    const file = path.join(dir, `f${++n}.csv`);
    fs.writeFileSync(file, text);
    const r = await readCsvLines(db, file, `"lines${n}"`, dialectBytes({ ...DIALECT, ...dialect }));
    // Whatever the answer, a file left to the scanner leaves no table behind.
    if (!r) expect(await db.relationKind(`lines${n}`)).toBeUndefined();
    return r;
  };

  it('reads a plain file: trivial quotes, blank and ragged lines, a byte order mark, no final line feed', async () => {
    const r = await read('\ufeffid,name\n1,"ann"\n\n2,bob,extra\n3,""\n4,\n5,é𝄞', { blankLines: 'quarantine' });
    expect(r).toBeDefined();
    expect(r?.header).toEqual(['id', 'name']);
    expect({ records: r?.records, good: r?.good, blank: r?.blank }).toEqual({ records: 6, good: 4, blank: 0 });
    expect(r?.bad.map((b) => [b.line, b.rule, b.reason, Buffer.from(b.raw).toString('utf8')])).toEqual([
      [3, 'blank_line', 'blank line', ''],
      [4, 'ragged_row', 'expected 2 fields, found 3', '2,bob,extra'],
    ]);
    const rows = await db.rows(`SELECT * FROM (${r?.select('s:f.csv:', '"__lineage"', (e) => e)})`);
    expect(rows).toEqual([
      { __lineage: 's:f.csv:2', id: '1', name: 'ann' },
      { __lineage: 's:f.csv:5', id: '3', name: '' },
      { __lineage: 's:f.csv:6', id: '4', name: null },
      { __lineage: 's:f.csv:7', id: '5', name: 'é𝄞' },
    ]);
  });

  it('leaves to the scanner every file it cannot read exactly', async () => {
    const cases: Record<string, string | Buffer> = {
      'a quoted delimiter': 'a,b\n1,"x,y"\n',
      'a doubled quote': 'a,b\n1,"x""y"\n',
      'a quote inside an unquoted field': 'a,b\n1,x"y\n',
      'text after a closing quote': 'a,b\n1,"x"y\n',
      'an unterminated quote': 'a,b\n1,"x\n2,y\n',
      'CR LF line ends': 'a,b\r\n1,2\r\n',
      'a lone carriage return': 'a,b\n1,2\r3\n',
      'a NUL byte': 'a,b\n1,\u0000\n',
      'the line reader\'s delimiter': 'a,b\n1,\u0001\n',
      'invalid UTF-8': Buffer.concat([Buffer.from('a,b\n1,'), Buffer.from([0xff, 0xfe, 0x41]), Buffer.from('\n')]),
      'a UTF-16 byte order mark': Buffer.from([0xff, 0xfe, 0x61, 0, 0x0a, 0]),
      'an empty file': '',
      'a header over two lines': '"a\nb",c\n1,2\n',
    };
    for (const [what, text] of Object.entries(cases)) expect(await read(text), what).toBeUndefined();
    // A dialect it does not handle: an escape character other than the quote.
    expect(await read('a,b\n1,2\n', { escape: '\\' })).toBeUndefined();
    // A line longer than DuckDB reads by default (2 MB): DuckDB refuses it, so the scanner reads the file.
    expect(await read(`a,b\n1,${'x'.repeat(3 << 20)}\n2,y\n`)).toBeUndefined();
  });

  it('leaves a file with hard quoting far from its start to the scanner, after DuckDB read it', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `${i},"v${i}"`);
    lines.push('x,"a,b"');
    expect(await read(`a,b\n${lines.join('\n')}\n`)).toBeUndefined();
  });
});

describe('a CSV source reads the same either way', () => {
  // Fields of every kind the scanner treats specially, to build lines from; most lines are plain, as in real files.
  const field = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('a', 'bb', '1', '2.50', '', ' x ', 'é', '𝄞', 'NA') },
    { weight: 2, arbitrary: fc.constantFrom('"q"', '""', '"NA"', '" s "') },
    { weight: 1, arbitrary: fc.constantFrom('"a,b"', '"x""y"', 'a"b', '"open', 'close"', '"t"x', '\r', '\u0000') },
  );
  const line = fc.oneof(
    { weight: 8, arbitrary: fc.array(field, { minLength: 3, maxLength: 3 }).map((f) => f.join(',')) },
    { weight: 1, arbitrary: fc.array(field, { minLength: 1, maxLength: 5 }).map((f) => f.join(',')) },
    { weight: 1, arbitrary: fc.constant('') },
  );
  const dirs: string[] = [];
  let db: Database;
  let dir: string;
  beforeAll(async () => {
    dir = tmpDir('sluice-lines-');
    db = await Database.open({ allowedDirs: [dir], tempDir: dir });
  });
  afterAll(() => {
    db.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    delete process.env['SLUICE_CSV_SCAN'];
  });

  it('gives the same rows, lineage, counts and quarantine on random files as the scanner', async () => {
    let plain = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        async (body, finalNewline, bom, multiline, quarantine, nulls) => {
          const text = `${bom ? '\ufeff' : ''}a,b,c\n${body.join('\n')}${finalNewline ? '\n' : ''}`;
          const p = chain([
            { id: 'src', kind: 'source.csv', config: { path: 'data.csv', multiline, ...(quarantine ? { blankLines: 'quarantine' } : {}), ...(nulls ? { nullValues: ['', 'NA'] } : {}) } },
            { id: 'out', kind: 'sink.json', config: { path: 'out.ndjson', includeLineage: true } },
          ]);
          const outcome = async (mode: string | undefined) => {
            if (mode) process.env['SLUICE_CSV_SCAN'] = mode;
            else delete process.env['SLUICE_CSV_SCAN'];
            const r = await run(p, { files: { 'data.csv': text } });
            dirs.push(r.baseDir, r.historyDir);
            const m = r.metric('src');
            const q = await r.quarantine('src');
            return {
              outcome: r.manifest.outcome,
              errors: r.manifest.errors,
              counts: counts(m),
              filterReason: m.filterReason,
              warnings: m.warnings,
              rows: r.manifest.outcome === 'failed' ? [] : r.read('out.ndjson').split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown),
              quarantine: q.entries,
            };
          };
          const scanned = await outcome('scan');
          const either = await outcome(undefined);
          expect(either).toEqual(scanned);
          const file = path.join(dir, `f${plain}-${dirs.length}.csv`);
          fs.writeFileSync(file, text);
          const lines = await readCsvLines(db, file, '"t"', dialectBytes({ ...DIALECT, multiline, ...(quarantine ? { blankLines: 'quarantine' as const } : {}) }));
          if (lines) {
            plain++;
            await db.run('DROP TABLE "t"');
          }
        },
      ),
      { numRuns: 60 },
    );
    // The generator makes plain files often enough that the line path is exercised, not only the fallback.
    expect(plain).toBeGreaterThan(10);
  });
});
