// source.csv: every physical line is read, quarantined with its text and line number, or counted as blank.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chain, counts, pipeline, expectSucceeded, parseCsv, preview, quarantineRaw, run, tmpDir } from '../helpers.js';

const DIRTY = [
  'id,name,qty', // 1
  '1,ann,2', // 2
  '2,bob,x,extra', // 3 ragged
  '', // 4 blank
  '3,"cid ""c""",4.5', // 5
  '4,"multi', // 6
  'line",7', // 7
  '5,eve,"oops', // 8 unterminated quote
  '6,fay,1', // 9
  '',
].join('\n');

const sourceToSink = (config: Record<string, unknown>, sink: Record<string, unknown> = {}) =>
  chain([
    { id: 'src', kind: 'source.csv', config: { path: 'data.csv', ...config } },
    { id: 'out', kind: 'sink.csv', config: { path: 'out.csv', includeLineage: true, ...sink } },
  ]);

describe('source.csv', () => {
  it('reads good records with lineage, quarantines malformed lines and counts blank lines', async () => {
    const r = await run(sourceToSink({}), { files: { 'data.csv': DIRTY } });
    expectSucceeded(r);
    expect(counts(r.metric('src'))).toEqual({ status: 'warning', rowsIn: 7, rowsOut: 4, quarantined: 2, filtered: 1 });
    expect(r.metric('src').filterReason).toBe('blank line');
    expect(counts(r.metric('out'))).toEqual({ status: 'ok', rowsIn: 4, rowsOut: 0, quarantined: 0, filtered: 0 });
    expect(r.metric('out').passed).toBe(4);
    expect(parseCsv(r.read('out.csv'))).toEqual([
      ['__lineage', 'id', 'name', 'qty'],
      ['src:data.csv:2', '1', 'ann', '2'],
      ['src:data.csv:5', '3', 'cid "c"', '4.5'],
      ['src:data.csv:6', '4', 'multi\nline', '7'],
      ['src:data.csv:9', '6', 'fay', '1'],
    ]);
    const q = await r.quarantine('src');
    expect(q.total).toBe(2);
    expect(q.byRule).toEqual({ malformed: 1, ragged_row: 1 });
    expect(q.entries).toEqual([
      { lineage: 'src:data.csv:3', sourceLine: 3, ruleIds: ['ragged_row'], reasons: ['data.csv line 3: expected 3 fields, found 4'], row: null, raw: '2,bob,x,extra' },
      { lineage: 'src:data.csv:8', sourceLine: 8, ruleIds: ['malformed'], reasons: ['data.csv line 8: unterminated quoted field'], row: null, raw: '5,eve,"oops' },
    ]);
    expect(r.manifest.quarantine['src']).toBe(path.join('quarantine', 'src.parquet'));
  });

  it('applies declared types strictly: a value that does not convert is quarantined with its row', async () => {
    const r = await run(sourceToSink({ types: { id: 'INTEGER', qty: 'INTEGER' } }), { files: { 'data.csv': DIRTY } });
    expectSucceeded(r);
    expect(counts(r.metric('src'))).toEqual({ status: 'warning', rowsIn: 7, rowsOut: 3, quarantined: 3, filtered: 1 });
    const q = await r.quarantine('src', 'type:qty');
    expect(q.total).toBe(1);
    expect(q.entries[0]).toMatchObject({ lineage: 'src:data.csv:5', sourceLine: 5, ruleIds: ['type:qty'], reasons: ['column qty: "4.5" is not a valid INTEGER'], raw: null });
    expect(JSON.parse(q.entries[0]?.row as string)).toEqual({ id: '3', name: 'cid "c"', qty: '4.5' });
    const p = await preview(sourceToSink({ types: { id: 'INTEGER', qty: 'INTEGER' } }), 'src', r.baseDir);
    expect(p.columns).toEqual([
      { name: 'id', type: 'INTEGER' },
      { name: 'name', type: 'VARCHAR' },
      { name: 'qty', type: 'INTEGER' },
    ]);
    expect(p.rows).toEqual([
      [1, 'ann', 2],
      [4, 'multi\nline', 7],
      [6, 'fay', 1],
    ]);
  });

  it('keeps a quoted empty field as an empty string and an unquoted empty field as missing (NULL)', async () => {
    const p = sourceToSink({});
    const r = await run(p, { files: { 'data.csv': 'a,b\n"",x\n,y\n' } });
    expectSucceeded(r);
    const pv = await preview(p, 'src', r.baseDir);
    expect(pv.rows).toEqual([
      ['', 'x'],
      [null, 'y'],
    ]);
  });

  it('reads a glob of files in sorted order, each row keeping its own file and line', async () => {
    const r = await run(sourceToSink({ path: 'in/*.csv' }), { files: { 'in/b.csv': 'id,v\n3,c\n', 'in/a.csv': 'id,v\n1,a\n\n2,b\n', 'in/notes.txt': 'x' } });
    expectSucceeded(r);
    expect(counts(r.metric('src'))).toEqual({ status: 'ok', rowsIn: 4, rowsOut: 3, quarantined: 0, filtered: 1 });
    expect(parseCsv(r.read('out.csv')).slice(1)).toEqual([
      ['src:a.csv:2', '1', 'a'],
      ['src:a.csv:4', '2', 'b'],
      ['src:b.csv:2', '3', 'c'],
    ]);
  });

  it('refuses files of one glob whose columns differ', async () => {
    const r = await run(sourceToSink({ path: 'in/*.csv' }), { files: { 'in/a.csv': 'id,v\n1,a\n', 'in/b.csv': 'id,w\n3,c\n' } });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.errors[0]).toMatch(/^node "src" \(source\.csv\), field "path", file b\.csv: the columns of b\.csv \(id, w\) differ from those of a\.csv \(id, v\)/);
    expect(r.metric('out').status).toBe('skipped');
  });

  it('refuses a path outside the pipeline folder', async () => {
    for (const bad of ['../../etc/passwd', '/etc/passwd', '../*.csv']) {
      const r = await run(sourceToSink({ path: bad }), { files: { 'data.csv': DIRTY } });
      expect(r.manifest.outcome).toBe('failed');
      expect(r.metric('src').status).toBe('failed');
      expect(r.manifest.errors[0]).toContain(`node "src" (source.csv), field "path": path "${bad}" in "path" is outside the folders this pipeline may use`);
      expect(r.metric('out').status).toBe('skipped');
    }
  });

  it('refuses a symlink that leads out of the pipeline folder', async () => {
    const base = tmpDir('sluice-base-');
    fs.symlinkSync('/etc', path.join(base, 'etc'));
    const r = await run(sourceToSink({ path: 'etc/passwd' }), { baseDir: base });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.errors[0]).toMatch(/outside the folders this pipeline may use/);
  });

  it('says which file is missing', async () => {
    const r = await run(sourceToSink({ path: 'nope.csv' }));
    expect(r.manifest.errors[0]).toBe('node "src" (source.csv), field "path": no file matches "nope.csv"');
  });

  it('refuses a UTF-16 file with a message about the encoding, and reads it when told', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id,name\n1,Zoë\n', 'utf16le')]);
    const r = await run(sourceToSink({}), { files: { 'data.csv': bytes } });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.errors[0]).toMatch(/node "src" \(source\.csv\), field "encoding", file data\.csv: .*"encoding" to "utf-16le"/);
    const ok = await run(sourceToSink({ encoding: 'utf-16le' }), { files: { 'data.csv': bytes } });
    expectSucceeded(ok);
    expect(parseCsv(ok.read('out.csv'))[1]).toEqual(['src:data.csv:2', '1', 'Zoë']);
  });

  it('reads latin1 with encoding "latin1"', async () => {
    const r = await run(sourceToSink({ encoding: 'latin1' }), { files: { 'data.csv': Buffer.from('name,city\nJosé,Zürich\n', 'latin1') } });
    expectSucceeded(r);
    expect(r.read('out.csv')).toBe('__lineage,name,city\nsrc:data.csv:2,José,Zürich\n');
  });

  it('keeps the exact bytes of an invalid UTF-8 line in the stored quarantine', async () => {
    const badLine = Buffer.from([0x32, 0x2c, 0x4d, 0xfc, 0x6e, 0x63, 0x68, 0x65, 0x6e]);
    const bytes = Buffer.concat([Buffer.from('id,city\n1,Oslo\n'), badLine, Buffer.from('\n3,Rome\n')]);
    const r = await run(sourceToSink({}), { files: { 'data.csv': bytes } });
    expectSucceeded(r);
    expect(counts(r.metric('src'))).toEqual({ status: 'warning', rowsIn: 3, rowsOut: 2, quarantined: 1, filtered: 0 });
    const raw = await quarantineRaw(r, 'src');
    expect(raw.get(3)?.equals(badLine)).toBe(true);
    const q = await r.quarantine('src');
    expect(q.entries[0]).toMatchObject({ sourceLine: 3, ruleIds: ['bad_encoding'] });
    expect(r.metric('src').warnings.join('\n')).toMatch(/encoding/);
  });

  it('keeps a 200 KB malformed line whole in the stored quarantine', async () => {
    const line = `1,"${'z'.repeat(200 * 1024)}",extra`;
    const r = await run(sourceToSink({}), { files: { 'data.csv': `id,v\n${line}\n2,ok\n` } });
    expectSucceeded(r);
    const raw = await quarantineRaw(r, 'src');
    expect(raw.get(2)?.toString('utf8')).toBe(line);
  });

  it('reads a file holding only a header as zero rows with its columns', async () => {
    const r = await run(sourceToSink({}), { files: { 'data.csv': 'id,name\n' } });
    expectSucceeded(r);
    expect(counts(r.metric('src'))).toEqual({ status: 'ok', rowsIn: 0, rowsOut: 0, quarantined: 0, filtered: 0 });
    expect(r.read('out.csv')).toBe('__lineage,id,name\n');
  });

  it('renames reserved, blank and repeated header names and warns; names like "constructor" survive', async () => {
    const p = sourceToSink({});
    const r = await run(p, { files: { 'data.csv': '__proto__,constructor,,constructor,toString,__lineage\n1,2,3,4,5,6\n' } });
    expectSucceeded(r);
    expect(r.metric('src').warnings.length).toBe(3);
    const pv = await preview(p, 'src', r.baseDir);
    expect(pv.columns.map((c) => c.name)).toEqual(['__proto__', 'constructor', 'column_3', 'constructor_2', 'toString', 'lineage']);
    expect(pv.rows).toEqual([['1', '2', '3', '4', '5', '6']]);
  });

  it('without a header names columns column1..N and counts every line as a record', async () => {
    const r = await run(sourceToSink({ header: false }), { files: { 'data.csv': '1,a\n2\n3,c\n' } });
    expectSucceeded(r);
    expect(counts(r.metric('src'))).toEqual({ status: 'warning', rowsIn: 3, rowsOut: 2, quarantined: 1, filtered: 0 });
    expect(parseCsv(r.read('out.csv'))).toEqual([
      ['__lineage', 'column1', 'column2'],
      ['src:data.csv:1', '1', 'a'],
      ['src:data.csv:3', '3', 'c'],
    ]);
  });

  it('uses another delimiter and quote', async () => {
    const r = await run(sourceToSink({ delimiter: ';', quote: "'" }), { files: { 'data.csv': "a;b\n'x;y';2\n3;4\n" } });
    expectSucceeded(r);
    expect(parseCsv(r.read('out.csv')).slice(1)).toEqual([
      ['src:data.csv:2', 'x;y', '2'],
      ['src:data.csv:3', '3', '4'],
    ]);
  });

  it('preview reads only part of a big file and says the result is a sample', async () => {
    const lines = ['id'];
    for (let i = 0; i < 5000; i++) lines.push(String(i));
    const base = tmpDir('sluice-base-');
    fs.writeFileSync(path.join(base, 'data.csv'), `${lines.join('\n')}\n`);
    const pv = await preview(sourceToSink({}), 'src', base, 10);
    expect(pv.sampled).toBe(true);
    expect(pv.rows).toHaveLength(10);
    expect(pv.rows[0]).toEqual(['0']);
    // Previewed by itself, the source reads only the rows shown (a node after it would read a margin more).
    expect(pv.totalRows).toBe(10);
  });
});

describe('source.csv: nullValues and blankLines (version 2)', () => {
  const v2 = (config: Record<string, unknown>) => {
    const doc = pipeline(
      [
        { id: 'src', kind: 'source.csv', config: { path: 'data.csv', ...config } },
        { id: 'v', kind: 'validate', config: { rules: [{ id: 'name_required', type: 'not_null', column: 'name' }] } },
        { id: 'out', kind: 'sink.csv', config: { path: 'out.csv', includeLineage: true } },
      ],
      ['src -> v', 'v.valid -> out'],
    );
    (doc['nodes'] as Record<string, unknown>[])[0]!['kindVersion'] = 2;
    return doc;
  };
  const CSV = 'id,name\n1,ann\n2,""\n3,\n4,NA\n5,"NA"\n6,null\n';

  it('nullValues reads the listed texts, quoted or not, as NULL before the rules judge them', async () => {
    const plain = await run(v2({}), { files: { 'data.csv': CSV } });
    expect((await plain.quarantine('v')).entries.map((e) => e.sourceLine)).toEqual([4]);
    const r = await run(v2({ nullValues: ['', 'NA'] }), { files: { 'data.csv': CSV } });
    expectSucceeded(r);
    expect((await r.quarantine('v')).entries.map((e) => e.sourceLine)).toEqual([3, 4, 5, 6]);
    expect(parseCsv(r.read('out.csv')).slice(1).map((x) => x[1])).toEqual(['1', '6']);
  });

  it('blankLines "quarantine" quarantines each blank line with its number; "skip" counts them; later lines keep their numbers', async () => {
    const data = 'id,name\n1,ann\n\n2,bob\n\r\n3,cy\n';
    const skip = await run(v2({}), { files: { 'data.csv': data } });
    expect(counts(skip.metric('src'))).toMatchObject({ rowsOut: 3, quarantined: 0, filtered: 2 });
    const q = await run(v2({ blankLines: 'quarantine' }), { files: { 'data.csv': data } });
    expectSucceeded(q);
    expect(counts(q.metric('src'))).toMatchObject({ rowsIn: 5, rowsOut: 3, quarantined: 2, filtered: 0 });
    const entries = (await q.quarantine('src')).entries;
    expect(entries.map((e) => [e.sourceLine, e.ruleIds, e.reasons])).toEqual([
      [3, ['blank_line'], ['data.csv line 3: blank line']],
      [5, ['blank_line'], ['data.csv line 5: blank line']],
    ]);
    for (const r of [skip, q]) expect(parseCsv(r.read('out.csv')).slice(1).map((x) => x[0])).toEqual(['src:data.csv:2', 'src:data.csv:4', 'src:data.csv:6']);
  });

  it('multiline false: a line with an unclosed quote is quarantined alone, and every later line is still read', async () => {
    // CRLF line ends too: the open quote must stop at the carriage return, not take it into the field.
    const data = 'id,name\n1,ann\n2,"bob\r\n3,cy\n4,"two\nlines"\n5,"ok, quoted"\n';
    const multi = await run(v2({}), { files: { 'data.csv': data } });
    expectSucceeded(multi);
    // By default a quoted field may span lines: lines 5 and 6 are one record (line 3's stray quote is given up alone).
    expect(parseCsv(multi.read('out.csv')).slice(1).map((x) => [x[0], x[2]])).toEqual([
      ['src:data.csv:2', 'ann'],
      ['src:data.csv:4', 'cy'],
      ['src:data.csv:5', 'two\nlines'],
      ['src:data.csv:7', 'ok, quoted'],
    ]);
    const single = await run(v2({ multiline: false }), { files: { 'data.csv': data } });
    expectSucceeded(single);
    expect(counts(single.metric('src'))).toMatchObject({ rowsIn: 6, rowsOut: 3, quarantined: 3, filtered: 0 });
    const entries = (await single.quarantine('src')).entries;
    expect(entries.map((e) => [e.sourceLine, e.ruleIds])).toEqual([
      [3, ['malformed']],
      [5, ['malformed']],
      [6, ['malformed']],
    ]);
    expect(entries.map((e) => e.reasons[0]?.split(':')[0])).toEqual(['data.csv line 3', 'data.csv line 5', 'data.csv line 6']);
    expect(entries.slice(0, 2).map((e) => e.reasons[0])).toEqual(['data.csv line 3: unterminated quoted field', 'data.csv line 5: unterminated quoted field']);
    expect(parseCsv(single.read('out.csv')).slice(1)).toEqual([
      ['src:data.csv:2', '1', 'ann'],
      ['src:data.csv:4', '3', 'cy'],
      ['src:data.csv:7', '5', 'ok, quoted'],
    ]);
  });
});
