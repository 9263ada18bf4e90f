// sink.parquet: typed output, written atomically; append and merge read the previous file back.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chain, counts, duck, expectSucceeded, listDir, run, sq, tmpDir, writeFiles } from '../helpers.js';

const withSink = (config: Record<string, unknown>) =>
  chain([
    { id: 'src', kind: 'source.csv', config: { path: 'data.csv', types: { id: 'INTEGER', amount: 'DECIMAL(10,2)' } } },
    { id: 'out', kind: 'sink.parquet', config: { path: 'out/result.parquet', ...config } },
  ]);

const readBack = (file: string) => duck<{ id: number; name: string | null; amount: unknown }>(`SELECT id, name, amount::VARCHAR AS amount FROM read_parquet(${sq(file)}) ORDER BY id`);

describe('sink.parquet', () => {
  it('writes typed rows', async () => {
    const r = await run(withSink({ includeLineage: true }), { files: { 'data.csv': 'id,name,amount\n1,ann,9.99\n2,,0.50\n' } });
    expectSucceeded(r);
    expect(counts(r.metric('out'))).toMatchObject({ rowsIn: 2, quarantined: 0 });
    const file = path.join(r.baseDir, 'out/result.parquet');
    const schema = await duck<{ name: string; type: string }>(`SELECT name, type FROM parquet_schema(${sq(file)}) WHERE name <> 'duckdb_schema'`);
    expect(schema.map((x) => x.name)).toEqual(['__lineage', 'id', 'name', 'amount']);
    expect(await readBack(file)).toEqual([
      { id: 1, name: 'ann', amount: '9.99' },
      { id: 2, name: null, amount: '0.50' },
    ]);
    expect(listDir(path.join(r.baseDir, 'out'))).toEqual(['result.parquet']);
  });

  it('append adds to the previous file; merge replaces by key', async () => {
    const base = tmpDir('sluice-base-');
    writeFiles(base, { 'data.csv': 'id,name,amount\n1,ann,1.00\n2,bob,2.00\n' });
    expectSucceeded(await run(withSink({}), { baseDir: base }));
    writeFiles(base, { 'data.csv': 'id,name,amount\n3,cid,3.00\n' });
    expectSucceeded(await run(withSink({ mode: 'append' }), { baseDir: base }));
    const file = path.join(base, 'out/result.parquet');
    expect((await readBack(file)).map((x) => x.id)).toEqual([1, 2, 3]);
    writeFiles(base, { 'data.csv': 'id,name,amount\n2,BOB,20.00\n4,dee,4.00\n' });
    const merged = await run(withSink({ mode: 'merge', key: ['id'] }), { baseDir: base });
    expectSucceeded(merged);
    expect(await readBack(file)).toEqual([
      { id: 1, name: 'ann', amount: '1.00' },
      { id: 2, name: 'BOB', amount: '20.00' },
      { id: 3, name: 'cid', amount: '3.00' },
      { id: 4, name: 'dee', amount: '4.00' },
    ]);
  });

  it('a failing append leaves the previous file byte-identical and no temporary file behind', async () => {
    const base = tmpDir('sluice-base-');
    writeFiles(base, { 'data.csv': 'id,name,amount\n1,ann,1.00\n', 'out/result.parquet': 'this is not parquet' });
    const r = await run(withSink({ mode: 'append' }), { baseDir: base });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.errors[0]).toMatch(/^node "out" \(sink\.parquet\)/);
    expect(fs.readFileSync(path.join(base, 'out/result.parquet'), 'utf8')).toBe('this is not parquet');
    expect(listDir(path.join(base, 'out'))).toEqual(['result.parquet']);
  });
});
