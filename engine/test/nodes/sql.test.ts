// sql: one SELECT over the node's inputs (in1, in2, in3), checked on DuckDB's parse tree before it runs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { counts, expectSucceeded, parseCsv, pipeline, run, tmpDir } from '../helpers.js';

const FILES = { 'a.csv': 'id,v\n1,x\n2,y\n3,z\n', 'b.csv': 'id,w\n1,one\n3,three\n', 'secret.csv': 'token\nhunter2\n' };

const withSql = (query: string, more: Record<string, unknown> = {}) =>
  pipeline(
    [
      { id: 'a', kind: 'source.csv', config: { path: 'a.csv' } },
      { id: 'b', kind: 'source.csv', config: { path: 'b.csv' } },
      { id: 'secret', kind: 'source.csv', config: { path: 'secret.csv' } },
      { id: 'q', kind: 'sql', config: { query, ...more } },
      { id: 'out', kind: 'sink.csv', config: { path: 'out.csv', includeLineage: true } },
    ],
    ['a -> q.in1', 'b -> q.in2', 'q -> out'],
  );

describe('sql', () => {
  it('runs one SELECT over its inputs; rows keep their lineage when it is selected, else get a new one', async () => {
    const r = await run(withSql('SELECT in1.*, in2.w FROM in1 JOIN in2 USING (id) ORDER BY id', { filterReason: 'unmatched ids' }), { files: FILES });
    expectSucceeded(r);
    const m = r.metric('q');
    // Reconciled by lineage: in1's rows 1 and 3 reach the output; in1's row 2 and in2's rows (their lineage is not
    // selected) are the declared drop.
    expect(counts(m)).toEqual({ status: 'ok', rowsIn: 5, rowsOut: 2, quarantined: 0, filtered: 3 });
    expect(m.passed).toBe(2);
    expect(m.filterReason).toBe('unmatched ids');
    expect(parseCsv(r.read('out.csv'))).toEqual([
      ['__lineage', 'id', 'v', 'w'],
      ['a:a.csv:2', '1', 'x', 'one'],
      ['a:a.csv:4', '3', 'z', 'three'],
    ]);
    const fresh = await run(withSql('SELECT count(*) AS n FROM in1', { filterReason: 'counted' }), { files: FILES });
    expectSucceeded(fresh);
    expect(parseCsv(fresh.read('out.csv'))).toEqual([
      ['__lineage', 'n'],
      ['q:row:0', '3'],
    ]);
  });

  describe('reconciliation (issue 18)', () => {
    const only = (query: string, more: Record<string, unknown> = {}) =>
      pipeline(
        [
          { id: 'a', kind: 'source.csv', config: { path: 'a.csv' } },
          { id: 'q', kind: 'sql', config: { query, ...more } },
          { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
        ],
        ['a -> q.in1', 'q -> out'],
      );

    it('a query that keeps the lineage and every row reconciles row by row, with no warning', async () => {
      const r = await run(only("SELECT *, v || '!' AS loud FROM in1"), { files: FILES });
      expectSucceeded(r);
      const m = r.metric('q');
      expect(counts(m)).toEqual({ status: 'ok', rowsIn: 3, rowsOut: 3, quarantined: 0, filtered: 0 });
      expect(m.passed).toBe(3);
      expect(m.warnings).toEqual([]);
    });

    it('a query that keeps the lineage and drops rows fails the run, naming the count and the fix', async () => {
      const r = await run(only('SELECT * FROM in1 WHERE CAST(id AS INTEGER) > 1'), { files: FILES });
      expect(r.manifest.outcome).toBe('failed');
      expect(r.metric('q').status).toBe('failed');
      expect(r.manifest.errors[0]).toBe('node "q" (sql), field "filterReason": row accounting does not balance: 1 of its 3 input rows do not reach the output (their "__lineage" is not in it); set "filterReason" to count dropped rows as filtered with that reason, or keep every row (SELECT * keeps "__lineage")');
      expect(r.exists('out.csv')).toBe(false);
    });

    it('declared with a reason, the dropped rows are counted as filtered and the node balances', async () => {
      const r = await run(only('SELECT * FROM in1 WHERE CAST(id AS INTEGER) > 1', { filterReason: 'id 1 is a test order' }), { files: FILES });
      expectSucceeded(r);
      const m = r.metric('q');
      expect(counts(m)).toEqual({ status: 'ok', rowsIn: 3, rowsOut: 2, quarantined: 0, filtered: 1 });
      expect(m.passed).toBe(2);
      expect(m.filterReason).toBe('id 1 is a test order');
      expect(m.warnings).toEqual([]);
    });

    it('a query that drops the lineage and returns fewer rows fails unless the drop is declared', async () => {
      const r = await run(only('SELECT id FROM in1 WHERE id <> \'2\''), { files: FILES });
      expect(r.manifest.outcome).toBe('failed');
      expect(r.manifest.errors[0]).toMatch(/it returned 2 rows from 3 input rows without keeping the "__lineage" column, so 1 rows are not accounted for/);
      const ok = await run(only('SELECT id FROM in1 WHERE id <> \'2\'', { filterReason: 'id 2 left out' }), { files: FILES });
      expectSucceeded(ok);
      expect(counts(ok.metric('q'))).toEqual({ status: 'ok', rowsIn: 3, rowsOut: 2, quarantined: 0, filtered: 1 });
      expect(ok.metric('q').warnings[0]).toMatch(/not reconciled one by one/);
    });

    it('a query that fans rows out keeps every input row accounted for', async () => {
      const r = await run(only('SELECT in1.*, g.copy FROM in1, (SELECT unnest([1, 2]) AS copy) g'), { files: FILES });
      expectSucceeded(r);
      const m = r.metric('q');
      expect(counts(m)).toEqual({ status: 'ok', rowsIn: 3, rowsOut: 6, quarantined: 0, filtered: 0 });
      expect(m.passed).toBe(3);
    });
  });

  it('accepts CTEs over its inputs', async () => {
    const r = await run(withSql('WITH big AS (SELECT * FROM in1 WHERE CAST(id AS INTEGER) > 1) SELECT id FROM big', { filterReason: 'ids above 1 only' }), { files: FILES });
    expectSucceeded(r);
    expect(parseCsv(r.read('out.csv')).slice(1).map((x) => x[1])).toEqual(['2', '3']);
  });

  it.each([
    ['COPY', "COPY (SELECT * FROM in1) TO 'stolen.csv'"],
    ['ATTACH', "ATTACH 'other.duckdb' AS other"],
    ['read_text', "SELECT * FROM read_text('/etc/passwd')"],
    ['read_text in a scalar subquery', "SELECT (SELECT content FROM read_text('/etc/passwd')) AS c FROM in1"],
    ['read_csv', "SELECT * FROM read_csv('secret.csv')"],
    ['a file path as a table', "SELECT * FROM 'secret.csv'"],
    ['two statements', 'SELECT * FROM in1; SELECT * FROM in2'],
    ['a table that is not an input', 'SELECT * FROM n_secret__out'],
    ['a quarantine table', 'SELECT * FROM n_a____q'],
    ['a schema-qualified table', 'SELECT * FROM information_schema.tables'],
    ['a catalog function', 'SELECT * FROM duckdb_settings()'],
    ['getenv', "SELECT getenv('HOME') AS h FROM in1"],
    ['SET', "SET allowed_directories = ['/']"],
    ['INSTALL', 'INSTALL httpfs'],
    ['PRAGMA', 'PRAGMA database_list'],
    ['CREATE', 'CREATE TABLE x AS SELECT * FROM in1'],
  ])('refuses %s with a clear message naming the node', async (_what, query) => {
    const r = await run(withSql(query), { files: FILES });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.metric('q').status).toBe('failed');
    // A UserError (field "query" named), not an internal fault.
    expect(r.manifest.errors[0]).toMatch(/^node "q" \(sql\), field "query": /);
    expect(r.manifest.errors[0]).not.toMatch(/hunter2|root:/);
    expect(r.metric('out').status).toBe('skipped');
    expect(r.exists('stolen.csv')).toBe(false);
  });

  it('a CTE named like an engine table does not open the real table elsewhere in the query', async () => {
    // The CTE is visible only inside the subquery; the outer reference is the engine's table of node "secret".
    const r = await run(withSql('SELECT b.token FROM (WITH n_secret__out AS (SELECT 1 AS token) SELECT * FROM n_secret__out) a, n_secret__out b'), { files: FILES });
    expect(r.exists('out.csv') ? r.read('out.csv') : '').not.toContain('hunter2');
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.errors[0]).toMatch(/^node "q" \(sql\), field "query": (unknown table "n_secret__out"|the CTE name "n_secret__out" is reserved)/);
  });

  it('even an unchecked read could not leave the allowed folders (DuckDB is locked down)', async () => {
    // The guard is the first wall; this checks the second one: a path outside the pipeline folder.
    const outside = tmpDir('sluice-outside-');
    fs.writeFileSync(path.join(outside, 'x.csv'), 'a\n1\n');
    const r = await run(withSql(`SELECT * FROM read_csv('${path.join(outside, 'x.csv')}')`), { files: FILES });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.errors[0]).toMatch(/node "q" \(sql\)/);
  });

  it('reports a syntax error with the node', async () => {
    const r = await run(withSql('SELEC * FROM in1'), { files: FILES });
    expect(r.manifest.errors[0]).toMatch(/^node "q" \(sql\), field "query": .*syntax error/i);
  });
});
