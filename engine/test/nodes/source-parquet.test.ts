// source.parquet: typed rows read as they are, each with its file and row number as lineage.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chain, counts, duck, expectSucceeded, parseCsv, preview, run, sq, tmpDir } from '../helpers.js';

async function parquetFile(dir: string, name: string, select: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await duck(`COPY (${select}) TO ${sq(path.join(dir, name))} (FORMAT parquet)`);
}

const toCsv = (config: Record<string, unknown>) =>
  chain([
    { id: 'pq', kind: 'source.parquet', config: { path: 'data.parquet', ...config } },
    { id: 'out', kind: 'sink.csv', config: { path: 'out.csv', includeLineage: true } },
  ]);

describe('source.parquet', () => {
  it('reads typed rows with file:row lineage and keeps the types', async () => {
    const base = tmpDir('sluice-base-');
    await parquetFile(base, 'data.parquet', `SELECT * FROM (VALUES (1, 'a', 9223372036854775807::BIGINT, 1.25::DECIMAL(10,2), DATE '2026-01-02'), (2, NULL, NULL, NULL, NULL)) t(id, name, big, amount, day)`);
    const r = await run(toCsv({}), { baseDir: base });
    expectSucceeded(r);
    expect(counts(r.metric('pq'))).toEqual({ status: 'ok', rowsIn: 2, rowsOut: 2, quarantined: 0, filtered: 0 });
    expect(parseCsv(r.read('out.csv'))).toEqual([
      ['__lineage', 'id', 'name', 'big', 'amount', 'day'],
      ['pq:data.parquet:1', '1', 'a', '9223372036854775807', '1.25', '2026-01-02'],
      ['pq:data.parquet:2', '2', '', '', '', ''],
    ]);
    const pv = await preview(toCsv({}), 'pq', base);
    expect(pv.columns).toEqual([
      { name: 'id', type: 'INTEGER' },
      { name: 'name', type: 'VARCHAR' },
      { name: 'big', type: 'BIGINT' },
      { name: 'amount', type: 'DECIMAL(10,2)' },
      { name: 'day', type: 'DATE' },
    ]);
    expect(pv.rows[0]).toEqual([1, 'a', '9223372036854775807', '1.25', '2026-01-02']);
  });

  it('reads a glob, matching columns by name across files', async () => {
    const base = tmpDir('sluice-base-');
    await parquetFile(path.join(base, 'parts'), 'a.parquet', `SELECT 1 AS id, 'x' AS a`);
    await parquetFile(path.join(base, 'parts'), 'b.parquet', `SELECT 'y' AS a, 2 AS id UNION ALL SELECT 'z', 3`);
    const r = await run(toCsv({ path: 'parts/*.parquet' }), { baseDir: base });
    expectSucceeded(r);
    expect(counts(r.metric('pq'))).toMatchObject({ rowsIn: 3, rowsOut: 3 });
    expect(parseCsv(r.read('out.csv')).slice(1)).toEqual([
      ['pq:a.parquet:1', '1', 'x'],
      ['pq:b.parquet:1', '2', 'y'],
      ['pq:b.parquet:2', '3', 'z'],
    ]);
  });

  it('refuses a file that is not Parquet with a clear message', async () => {
    const r = await run(toCsv({}), { files: { 'data.parquet': 'id,name\n1,a\n' } });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.errors[0]).toMatch(/^node "pq" \(source\.parquet\), field "path", file data\.parquet: cannot read Parquet: /);
  });

  it('refuses a path outside the pipeline folder', async () => {
    const r = await run(toCsv({ path: '../../etc/passwd' }));
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.errors[0]).toMatch(/node "pq" \(source\.parquet\), field "path": path "\.\.\/\.\.\/etc\/passwd" in "path" is outside the folders/);
  });

  it('feeds a chain of filters read in place (a view, not a copy), with exact counts', async () => {
    const base = tmpDir('sluice-base-');
    await parquetFile(base, 'data.parquet', 'SELECT i AS n, i % 3 = 0 AS odd_one, repeat(\'x\', 10) AS wide FROM range(1, 11) t(i)');
    const p = chain([
      { id: 'pq', kind: 'source.parquet', config: { path: 'data.parquet' } },
      { id: 'big', kind: 'filter', config: { expression: 'n > 2', reason: 'small' } },
      { id: 'even', kind: 'filter', config: { expression: 'NOT odd_one', reason: 'odd one' } },
      // A value that changes on each evaluation is computed once into a table, so its counts still agree.
      { id: 'coin', kind: 'filter', config: { expression: 'random() < 2 AND n < 10', reason: 'late' } },
      { id: 'out', kind: 'sink.csv', config: { path: 'out.csv', includeLineage: true } },
    ]);
    const r = await run(p, { baseDir: base });
    expectSucceeded(r);
    expect(counts(r.metric('pq'))).toEqual({ status: 'ok', rowsIn: 10, rowsOut: 10, quarantined: 0, filtered: 0 });
    expect(counts(r.metric('big'))).toEqual({ status: 'ok', rowsIn: 10, rowsOut: 8, quarantined: 0, filtered: 2 });
    expect(counts(r.metric('even'))).toEqual({ status: 'ok', rowsIn: 8, rowsOut: 5, quarantined: 0, filtered: 3 });
    expect(counts(r.metric('coin'))).toEqual({ status: 'ok', rowsIn: 5, rowsOut: 4, quarantined: 0, filtered: 1 });
    expect(parseCsv(r.read('out.csv')).map((row) => row[0])).toEqual(['__lineage', ...[4, 5, 7, 8].map((n) => `pq:data.parquet:${n}`)]);
  });

  it('counts rows from the footers, and a damaged page met downstream names the file of the glob and the source', async () => {
    const base = tmpDir('sluice-base-');
    await parquetFile(path.join(base, 'parts'), 'a.parquet', `SELECT range AS id, 'name ' || range AS name FROM range(1000)`);
    await parquetFile(path.join(base, 'parts'), 'b.parquet', `SELECT range AS id, 'name ' || range AS name FROM range(1000)`);
    const good = await run(toCsv({ path: 'parts/*.parquet' }), { baseDir: base });
    expectSucceeded(good);
    expect(counts(good.metric('pq'))).toMatchObject({ rowsIn: 2000, rowsOut: 2000 });
    // The footer stays sound (so the source reads and counts it); the data pages before it are scrambled.
    const f = path.join(base, 'parts', 'b.parquet');
    const b = fs.readFileSync(f);
    const metaStart = b.length - 8 - b.readUInt32LE(b.length - 8);
    for (let i = 4; i < metaStart; i += 7) b[i] = (i * 31) & 0xff;
    fs.writeFileSync(f, b);
    fs.rmSync(path.join(base, 'out.csv'));
    const r = await run(toCsv({ path: 'parts/*.parquet' }), { baseDir: base });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.errors).toHaveLength(1);
    expect(r.manifest.errors[0]).toMatch(/^node "out" \(sink\.csv\): cannot read Parquet b\.parquet \(source node "pq"\): \S/);
    expect(r.manifest.errors[0]).not.toMatch(/\n\s+at /);
    expect(r.metric('pq').rowsIn).toBe(2000);
    expect(fs.existsSync(path.join(base, 'out.csv'))).toBe(false);
  });
});
