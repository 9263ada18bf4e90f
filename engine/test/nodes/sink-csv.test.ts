// sink.csv: atomic writes (temporary file in the target folder, then rename), overwrite / append / merge.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chain, counts, expectSucceeded, listDir, parseCsv, run, tmpDir, writeFiles } from '../helpers.js';

const withSink = (config: Record<string, unknown>, source: Record<string, unknown> = {}) =>
  chain([
    { id: 'src', kind: 'source.csv', config: { path: 'data.csv', ...source } },
    { id: 'out', kind: 'sink.csv', config: { path: 'out/result.csv', ...config } },
  ]);

const noTemp = (dir: string): void => {
  expect(listDir(dir).filter((f) => f.includes('sluice-tmp'))).toEqual([]);
};

describe('sink.csv', () => {
  it('writes a header and every row, creating folders, and counts rows written', async () => {
    const r = await run(withSink({}), { files: { 'data.csv': 'id,name\n1,"a, b"\n2,"say ""hi"""\n3,\n' } });
    expectSucceeded(r);
    expect(r.read('out/result.csv')).toBe('id,name\n1,"a, b"\n2,"say ""hi"""\n3,\n');
    expect(counts(r.metric('out'))).toEqual({ status: 'ok', rowsIn: 3, rowsOut: 0, quarantined: 0, filtered: 0 });
    expect(r.metric('out').passed).toBe(3);
    noTemp(path.join(r.baseDir, 'out'));
  });

  it('overwrite replaces the previous file; outDir takes relative paths away from the pipeline folder', async () => {
    const base = tmpDir('sluice-base-');
    const outDir = tmpDir('sluice-out-');
    writeFiles(base, { 'data.csv': 'id\n1\n', 'out/result.csv': 'old\nstuff\nhere\n' });
    writeFiles(outDir, { 'out/result.csv': 'old\n' });
    const r = await run(withSink({}), { baseDir: base, outDir });
    expectSucceeded(r);
    expect(fs.readFileSync(path.join(outDir, 'out/result.csv'), 'utf8')).toBe('id\n1\n');
    expect(fs.readFileSync(path.join(base, 'out/result.csv'), 'utf8')).toBe('old\nstuff\nhere\n');
    const again = await run(withSink({}), { baseDir: base });
    expectSucceeded(again);
    expect(fs.readFileSync(path.join(base, 'out/result.csv'), 'utf8')).toBe('id\n1\n');
  });

  it('uses another delimiter and can include the lineage column', async () => {
    const r = await run(withSink({ delimiter: ';', includeLineage: true }), { files: { 'data.csv': 'a,b\n1,x;y\n' } });
    expectSucceeded(r);
    expect(r.read('out/result.csv')).toBe('__lineage;a;b\nsrc:data.csv:2;1;"x;y"\n');
  });

  it('append adds rows after the existing ones, matching columns by name', async () => {
    const base = tmpDir('sluice-base-');
    writeFiles(base, { 'data.csv': 'id,name\n3,cid\n4,dee\n', 'out/result.csv': 'name,id\nann,1\nbob,2\n' });
    const r = await run(withSink({ mode: 'append' }), { baseDir: base });
    expectSucceeded(r);
    expect(r.metric('out').passed).toBe(2);
    expect(parseCsv(r.read('out/result.csv'))).toEqual([
      ['name', 'id'],
      ['ann', '1'],
      ['bob', '2'],
      ['cid', '3'],
      ['dee', '4'],
    ]);
    // Append to a file that does not exist yet just writes it.
    const fresh = await run(withSink({ mode: 'append' }), { files: { 'data.csv': 'id\n1\n' } });
    expect(fresh.read('out/result.csv')).toBe('id\n1\n');
  });

  it('merge replaces rows whose key exists and adds new ones; rerunning it is idempotent', async () => {
    const base = tmpDir('sluice-base-');
    writeFiles(base, { 'data.csv': 'id,name\n2,BOB\n4,dee\n', 'out/result.csv': 'id,name\n1,ann\n2,bob\n3,cid\n' });
    const r = await run(withSink({ mode: 'merge', key: ['id'] }), { baseDir: base });
    expectSucceeded(r);
    const rows = parseCsv(r.read('out/result.csv'));
    expect(rows[0]).toEqual(['id', 'name']);
    expect(rows.slice(1).sort((a, b) => (a[0] as string).localeCompare(b[0] as string))).toEqual([
      ['1', 'ann'],
      ['2', 'BOB'],
      ['3', 'cid'],
      ['4', 'dee'],
    ]);
    const before = r.read('out/result.csv');
    const again = await run(withSink({ mode: 'merge', key: ['id'] }), { baseDir: base });
    expectSucceeded(again);
    expect(again.read('out/result.csv')).toBe(before);
  });

  it('merge refuses a key that is not unique in the input, leaving the file untouched', async () => {
    const base = tmpDir('sluice-base-');
    writeFiles(base, { 'data.csv': 'id,name\n1,a\n1,b\n', 'out/result.csv': 'id,name\n1,old\n' });
    const r = await run(withSink({ mode: 'merge', key: ['id'] }), { baseDir: base });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.errors[0]).toBe('node "out" (sink.csv), field "key": merge key id is not unique in the input (1 key(s) repeat); deduplicate first');
    expect(r.read('out/result.csv')).toBe('id,name\n1,old\n');
    const nokey = await run(withSink({ mode: 'merge' }), { baseDir: base });
    expect(nokey.manifest.errors[0]).toBe('node "out" (sink.csv), field "key": merge mode needs "key" columns');
  });

  it('a failing write leaves the previous file byte-identical and no temporary file behind', async () => {
    const base = tmpDir('sluice-base-');
    // The previous output cannot be read back for an append (not UTF-8), so the write fails part-way.
    const previous = Buffer.concat([Buffer.from('id,name\n1,'), Buffer.from([0xff, 0xfe, 0x00, 0x80]), Buffer.from('\n')]);
    writeFiles(base, { 'data.csv': 'id,name\n2,b\n', 'out/result.csv': previous });
    const r = await run(withSink({ mode: 'append' }), { baseDir: base });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.metric('out').status).toBe('failed');
    expect(r.manifest.errors[0]).toMatch(/^node "out" \(sink\.csv\)/);
    expect(fs.readFileSync(path.join(base, 'out/result.csv')).equals(previous)).toBe(true);
    expect(listDir(path.join(base, 'out'))).toEqual(['result.csv']);
  });

  it('the next run removes a temporary file that a killed run left beside the target, and only those of that target', async () => {
    const base = tmpDir('sluice-base-');
    writeFiles(base, { 'data.csv': 'id\n1\n', 'out/.result.csv.sluice-0123456789ab.tmp': 'half a file', 'out/.other.csv.sluice-0123456789ab.tmp': 'not ours' });
    const r = await run(withSink({}), { baseDir: base });
    expectSucceeded(r);
    expect(listDir(path.join(base, 'out'))).toEqual(['.other.csv.sluice-0123456789ab.tmp', 'result.csv']);
  });

  it('a target that cannot be replaced (an existing folder) fails cleanly and leaves no temporary file', async () => {
    const base = tmpDir('sluice-base-');
    writeFiles(base, { 'data.csv': 'id\n1\n', 'out/result.csv/keep.txt': 'precious' });
    const r = await run(withSink({}), { baseDir: base });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.errors[0]).toMatch(/^node "out" \(sink\.csv\)/);
    expect(fs.readFileSync(path.join(base, 'out/result.csv/keep.txt'), 'utf8')).toBe('precious');
    expect(listDir(path.join(base, 'out'))).toEqual(['result.csv']);
    expect(listDir(path.join(base, 'out/result.csv'))).toEqual(['keep.txt']);
  });

  it('refuses an output path outside the allowed folders', async () => {
    for (const bad of ['../escape.csv', '/tmp/escape.csv']) {
      const r = await run(withSink({ path: bad }), { files: { 'data.csv': 'id\n1\n' } });
      expect(r.manifest.outcome).toBe('failed');
      expect(r.manifest.errors[0]).toContain(`node "out" (sink.csv), field "path": path "${bad}" in "path" is outside the folders this pipeline may use`);
      expect(fs.existsSync(path.resolve(r.baseDir, bad))).toBe(false);
    }
  });

  it('writes an empty input as a header only', async () => {
    const r = await run(withSink({}), { files: { 'data.csv': 'id,name\n' } });
    expectSucceeded(r);
    expect(r.read('out/result.csv')).toBe('id,name\n');
  });
});
