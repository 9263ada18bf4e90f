// Defect 1 of issue 12: a target .duckdb file is untrusted. Whatever macros, views and defaults it defines, a
// sink writes exactly its own rows, runs none of the target's code, reads no file outside its staged data, and
// reports only rows that are in the target.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chain, duck, expectSucceeded, run, sq, tmpDir, writeFiles } from '../helpers.js';

const SECRET = 'CANARY-target-7c21';

function world(): { base: string; target: string; secret: string } {
  const outer = tmpDir('sluice-hostile-t-');
  const base = path.join(outer, 'base');
  const secret = path.join(outer, 'secret.txt');
  fs.writeFileSync(secret, SECRET);
  // The secret also sits inside the pipeline folder: locking to the allowed folders alone would not protect it.
  writeFiles(base, { 'data.csv': 'id,name\n1,ann\n2,bob\n', 'inside-secret.txt': SECRET });
  return { base, target: path.join(base, 'warehouse.duckdb'), secret };
}

const sink = (mode: string, extra: Record<string, unknown> = {}) =>
  chain([
    { id: 'src', kind: 'source.csv', config: { path: 'data.csv', types: { id: 'INTEGER' } } },
    { id: 'out', kind: 'sink.duckdb', config: { path: 'warehouse.duckdb', table: 'people', mode, ...extra } },
  ]);

async function plant(target: string, sql: string): Promise<void> {
  await duck(sql, target);
}

async function tableRows(target: string): Promise<unknown[]> {
  return (await duck<{ id: number; name: string }>('SELECT id::INTEGER AS id, name FROM people ORDER BY id', target)).map((r) => [r.id, r.name]);
}

describe('hostile target databases', () => {
  it('a target macro named read_parquet does not replace the rows (the issue\'s case)', async () => {
    const w = world();
    await plant(w.target, `CREATE MACRO read_parquet(p) AS TABLE SELECT 1 AS id, content AS name FROM read_text(${sq(w.secret)})`);
    const r = await run(sink('overwrite'), { baseDir: w.base });
    expectSucceeded(r);
    expect(await tableRows(w.target)).toEqual([
      [1, 'ann'],
      [2, 'bob'],
    ]);
  });

  it('same macro, append mode into an existing table', async () => {
    const w = world();
    await plant(w.target, `CREATE TABLE people(id INTEGER, name VARCHAR); CREATE MACRO read_parquet(p) AS TABLE SELECT 9 AS id, content AS name FROM read_text(${sq(path.join(w.base, 'inside-secret.txt'))})`);
    const r = await run(sink('append'), { baseDir: w.base });
    expectSucceeded(r);
    expect(await tableRows(w.target)).toEqual([
      [1, 'ann'],
      [2, 'bob'],
    ]);
  });

  it('a column default calling a target macro is never evaluated', async () => {
    const w = world();
    await plant(w.target, `CREATE MACRO leak() AS 'PWNED'; CREATE TABLE people(id INTEGER, name VARCHAR, note VARCHAR DEFAULT leak())`);
    const r = await run(sink('append'), { baseDir: w.base });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.errors.join(' ')).toMatch(/node "out".*field "table".*note.*default expression/);
    expect(await duck('SELECT count(*)::INTEGER AS n FROM people', w.target)).toEqual([{ n: 0 }]);
  });

  it('a view named like the table is refused, not written through', async () => {
    const w = world();
    await plant(w.target, `CREATE TABLE hidden(id INTEGER, name VARCHAR); CREATE VIEW people AS SELECT * FROM hidden`);
    const r = await run(sink('append'), { baseDir: w.base });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.errors.join(' ')).toMatch(/is a view, not a table/);
  });

  it('macros shadowing the catalog and hash functions the sink uses change nothing', async () => {
    const w = world();
    await plant(
      w.target,
      `CREATE TABLE people(id INTEGER, name VARCHAR);
       CREATE MACRO duckdb_tables() AS TABLE SELECT 'x' AS database_name, 'main' AS schema_name, 'nothing' AS table_name;
       CREATE MACRO hash(a, b) AS 0; CREATE MACRO now() AS TIMESTAMPTZ '2000-01-01'`,
    );
    const r = await run(sink('merge', { key: ['id'] }), { baseDir: w.base });
    expectSucceeded(r);
    expect(await tableRows(w.target)).toEqual([
      [1, 'ann'],
      [2, 'bob'],
    ]);
  });

  it('the sink cannot read files outside its staged rows while the target is attached', async () => {
    // A CHECK constraint is evaluated for every row; it may call only what the locked instance allows.
    const w = world();
    await plant(w.target, `CREATE TABLE people(id INTEGER, name VARCHAR CHECK (name <> 'x'))`);
    const r = await run(sink('append'), { baseDir: w.base });
    expectSucceeded(r);
    expect(r.metric('out').passed).toBe(2);
    // The probe: with the sink's own settings, reading another file in the target's folder is refused.
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    try {
      await conn.run(`ATTACH ${sq(w.target)} AS sl_target`);
      await conn.run(`SET allowed_paths = [${sq(path.join(w.base, 'data.csv'))}]`);
      await conn.run('SET enable_external_access = false');
      await expect(conn.run(`SELECT * FROM read_text(${sq(path.join(w.base, 'inside-secret.txt'))})`)).rejects.toThrow(/disabled by configuration/);
    } finally {
      conn.closeSync();
      inst.closeSync();
    }
  });
});
