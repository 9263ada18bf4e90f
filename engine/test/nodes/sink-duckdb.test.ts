// sink.duckdb: a table in a DuckDB file, written in one transaction: all rows land or none do.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chain, counts, duck, expectSucceeded, run, tmpDir, writeFiles } from '../helpers.js';

const withSink = (config: Record<string, unknown>, types: Record<string, string> = { id: 'INTEGER' }) =>
  chain([
    { id: 'src', kind: 'source.csv', config: { path: 'data.csv', types } },
    { id: 'out', kind: 'sink.duckdb', config: { path: 'out/warehouse.duckdb', table: 'people', ...config } },
  ]);

const table = (file: string) => duck<{ id: number | string; name: string | null }>('SELECT id, name FROM people ORDER BY id', file);

describe('sink.duckdb', () => {
  it('writes a typed table; overwrite replaces it', async () => {
    const base = tmpDir('sluice-base-');
    writeFiles(base, { 'data.csv': 'id,name\n1,ann\n2,\n' });
    const r = await run(withSink({}), { baseDir: base });
    expectSucceeded(r);
    expect(counts(r.metric('out'))).toMatchObject({ rowsIn: 2, quarantined: 0 });
    expect(r.metric('out').passed).toBe(2);
    const file = path.join(base, 'out/warehouse.duckdb');
    expect(await table(file)).toEqual([
      { id: 1, name: 'ann' },
      { id: 2, name: null },
    ]);
    const types = await duck<{ column_name: string; data_type: string }>("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'people' ORDER BY ordinal_position", file);
    expect(types).toEqual([
      { column_name: 'id', data_type: 'INTEGER' },
      { column_name: 'name', data_type: 'VARCHAR' },
    ]);
    writeFiles(base, { 'data.csv': 'id,name\n9,zed\n' });
    expectSucceeded(await run(withSink({}), { baseDir: base }));
    expect(await table(file)).toEqual([{ id: 9, name: 'zed' }]);
  });

  it('append adds rows; merge replaces rows by key', async () => {
    const base = tmpDir('sluice-base-');
    const file = path.join(base, 'out/warehouse.duckdb');
    writeFiles(base, { 'data.csv': 'id,name\n1,ann\n2,bob\n' });
    expectSucceeded(await run(withSink({}), { baseDir: base }));
    writeFiles(base, { 'data.csv': 'id,name\n3,cid\n' });
    expectSucceeded(await run(withSink({ mode: 'append' }), { baseDir: base }));
    expect((await table(file)).map((x) => x.id)).toEqual([1, 2, 3]);
    writeFiles(base, { 'data.csv': 'id,name\n2,BOB\n4,dee\n' });
    expectSucceeded(await run(withSink({ mode: 'merge', key: ['id'] }), { baseDir: base }));
    expect(await table(file)).toEqual([
      { id: 1, name: 'ann' },
      { id: 2, name: 'BOB' },
      { id: 3, name: 'cid' },
      { id: 4, name: 'dee' },
    ]);
  });

  it('a failing write changes nothing (the transaction is rolled back)', async () => {
    const base = tmpDir('sluice-base-');
    const file = path.join(base, 'out/warehouse.duckdb');
    writeFiles(base, { 'data.csv': 'id,name\n1,ann\n' });
    expectSucceeded(await run(withSink({}), { baseDir: base }));
    // The second batch's ids are text that does not fit the existing INTEGER column: the insert fails.
    writeFiles(base, { 'data.csv': 'id,name\n2,bob\nx,bad\n' });
    const r = await run(withSink({ mode: 'append' }, {}), { baseDir: base });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.errors[0]).toMatch(/^node "out" \(sink\.duckdb\), field "table": writing table "people" in warehouse\.duckdb failed, nothing was changed: /);
    expect(await table(file)).toEqual([{ id: 1, name: 'ann' }]);
  });

  it('merge needs a key, and refuses an output outside the allowed folders', async () => {
    const r = await run(withSink({ mode: 'merge' }), { files: { 'data.csv': 'id,name\n1,a\n' } });
    expect(r.manifest.errors[0]).toBe('node "out" (sink.duckdb), field "key": merge mode needs "key" columns');
    const out = await run(withSink({ path: '../../tmp/evil.duckdb' }), { files: { 'data.csv': 'id,name\n1,a\n' } });
    expect(out.manifest.errors[0]).toMatch(/^node "out" \(sink\.duckdb\), field "path": path "\.\.\/\.\.\/tmp\/evil\.duckdb" in "path" is outside/);
    expect(fs.existsSync('/tmp/evil.duckdb')).toBe(false);
  });

  it('keeps a 128-bit sum exact (Parquet, which rows cross through, has no such integers)', async () => {
    const base = tmpDir('sluice-base-');
    // 9007199254740993 is 2^53 + 1: a DOUBLE cannot hold it, and the sum is a HUGEINT.
    writeFiles(base, { 'data.csv': 'k,v\na,9007199254740993\na,0\nb,1\n' });
    const p = chain([
      { id: 'src', kind: 'source.csv', config: { path: 'data.csv', types: { v: 'BIGINT' } } },
      { id: 'agg', kind: 'aggregate', config: { groupBy: ['k'], aggregates: [{ fn: 'sum', column: 'v', as: 'total' }] } },
      { id: 'out', kind: 'sink.duckdb', config: { path: 'out/w.duckdb', table: 'totals', mode: 'merge', key: ['k'] } },
    ]);
    expectSucceeded(await run(p, { baseDir: base }));
    expectSucceeded(await run(p, { baseDir: base }));
    const file = path.join(base, 'out/w.duckdb');
    expect(await duck('SELECT k, total::VARCHAR AS total, typeof(total) AS t FROM totals ORDER BY k', file)).toEqual([
      { k: 'a', total: '9007199254740993', t: 'HUGEINT' },
      { k: 'b', total: '1', t: 'HUGEINT' },
    ]);
  });
});
