// The Database keeps what DuckDB's catalog holds between statements that cannot change it (issue 18: a lookup per
// question made long chains quadratic). Every answer must still be what a fresh catalog query would say.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { COMPANION, Database } from '../src/db/database.js';
import { tmpDir } from './helpers.js';

let db: Database;
beforeAll(async () => {
  const dir = tmpDir();
  db = await Database.open({ allowedDirs: [dir], tempDir: dir, threads: 1 });
});
afterAll(() => db.close());

/** What DuckDB itself says, asked without the Database's own lookup. */
async function truth(name: string): Promise<string | undefined> {
  const rows = await db.rows(`SELECT 'table' AS k FROM duckdb_tables() WHERE table_name = $n UNION ALL SELECT 'view' FROM duckdb_views() WHERE view_name = $n AND NOT internal`, { n: name });
  return rows[0]?.['k'] === undefined ? undefined : String(rows[0]['k']);
}

describe('the catalog as the Database knows it', () => {
  it('follows every statement that creates, renames, replaces or drops a relation', async () => {
    const steps: [string, string, 'table' | 'view' | undefined][] = [
      ['CREATE TABLE t1 AS SELECT 1 AS a', 't1', 'table'],
      ['CREATE VIEW v1 AS SELECT * FROM t1', 'v1', 'view'],
      ['ALTER TABLE t1 RENAME TO t2', 't1', undefined],
      ['SELECT 1', 't2', 'table'],
      ['CREATE OR REPLACE VIEW t3 AS SELECT 2 AS b', 't3', 'view'],
      ['DROP VIEW v1', 'v1', undefined],
      ['CREATE TABLE x (a INT); CREATE TABLE y (a INT)', 'y', 'table'],
    ];
    for (const [sql, name, kind] of steps) {
      // Asked before, so that a stale answer would be there to be given.
      await db.relationKind(name);
      await db.run(sql);
      expect(await db.relationKind(name)).toBe(kind);
      expect(await truth(name)).toBe(kind);
    }
    // A DELETE through count() (as a filter runs it) is a statement like any other.
    await db.count('DELETE FROM t2 WHERE a = 1');
    expect(await db.relationKind('t2')).toBe('table');
  });

  it("keeps the list through the runtime's own DDL on quoted names, without listing the catalog again", async () => {
    await db.relationKind('q1');
    const listings = vi.spyOn(Database.prototype as unknown as { listRelations: () => Promise<unknown> }, 'listRelations');
    const steps: [string, string, 'table' | 'view' | undefined][] = [
      ['CREATE TABLE "q1" AS SELECT 1 AS a', 'q1', 'table'],
      ['CREATE VIEW "q""v" AS SELECT * FROM "q1"', 'q"v', 'view'],
      ['INSERT INTO "q1" SELECT 2', 'q1', 'table'],
      ['DELETE FROM "q1" WHERE a = 2', 'q1', 'table'],
      ['CREATE TABLE "q2" AS SELECT * FROM "q""v"', 'q2', 'table'],
      ['DROP VIEW "q""v"', 'q"v', undefined],
      ['ALTER TABLE "q2" RENAME TO "q3"', 'q2', undefined],
      ['CREATE OR REPLACE TABLE "q4" (a INTEGER)', 'q4', 'table'],
      ['DROP TABLE IF EXISTS "q4"', 'q4', undefined],
    ];
    for (const [sql, name, kind] of steps) {
      await db.run(sql);
      expect(await db.relationKind(name)).toBe(kind);
      // A read of DuckDB's own catalog changes nothing the Database knows.
      expect(await truth(name)).toBe(kind);
    }
    expect(await db.relationKind('q3')).toBe('table');
    expect(await truth('q3')).toBe('table');
    expect(listings).not.toHaveBeenCalled();
    listings.mockRestore();
    // A statement that failed may have done anything: the catalog is listed again, and right.
    await expect(db.run('CREATE TABLE "q3" AS SELECT 1 AS a')).rejects.toThrow();
    expect(await db.relationKind('q3')).toBe('table');
  });

  it('its own drops and quarantine tables keep the list exact without asking again', async () => {
    await db.run('CREATE TABLE gone AS SELECT 1 AS a');
    expect(await db.relationKind('gone')).toBe('table');
    await db.dropRelation('gone');
    expect(await db.relationKind('gone')).toBeUndefined();
    expect(await truth('gone')).toBeUndefined();
    await db.createQuarantineTable('n_x____q');
    expect(await db.relationKind('n_x____q')).toBe('table');
    expect(await db.tableExists('n_x____q')).toBe(true);
  });

  it('forgets columns when a statement may have changed them', async () => {
    await db.run('CREATE TABLE c AS SELECT 1 AS a');
    expect((await db.describe('c')).map((c) => c.name)).toEqual(['a']);
    await db.run('ALTER TABLE c ADD COLUMN b VARCHAR');
    expect((await db.describe('c')).map((c) => `${c.name} ${c.type}`)).toEqual(['a INTEGER', 'b VARCHAR']);
    // A read keeps what is known, and a caller cannot change the kept list by editing what it was given.
    const cols = await db.describe('c');
    cols.pop();
    await db.rows('SELECT * FROM c');
    expect((await db.describe('c')).length).toBe(2);
  });
});

describe('a view\'s companion tables', () => {
  it('go when the view is dropped, and when it is stored as a table, and not before', async () => {
    for (const [n, stored] of [['cv1', false], ['cv2', true]] as const) {
      const part = (i: number) => `${n}${COMPANION}${i}`;
      await db.run(`CREATE TABLE "${part(0)}" AS SELECT 1 AS a; CREATE TABLE "${part(1)}" AS SELECT 2 AS a; CREATE TABLE "${n}x" AS SELECT 3 AS a`);
      await db.run(`CREATE VIEW ${n} AS SELECT a FROM "${part(0)}" UNION ALL SELECT a FROM "${part(1)}"`);
      if (stored) {
        await db.materialize(n);
        expect(await db.rows(`SELECT a FROM ${n} ORDER BY a`)).toEqual([{ a: 1 }, { a: 2 }]);
      } else await db.dropRelation(n);
      for (const gone of [part(0), part(1)]) expect(await truth(gone)).toBeUndefined();
      // A relation whose name merely starts like the view's stays.
      expect(await truth(`${n}x`)).toBe('table');
      expect(await truth(n)).toBe(stored ? 'table' : undefined);
    }
  });
});
