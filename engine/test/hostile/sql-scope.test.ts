// Defect 2 of issue 12: the SQL guard resolved CTE names for the whole query, so a CTE named like a file in one
// subquery let another subquery read that file. Names now resolve by scope (as DuckDB binds them), the same rule
// applies to every expression field, and a name DuckDB would read as a file is refused. Each case keeps a secret
// inside the pipeline's own (allowed) folder: the guard, not the folder lock, must stop it.
import { describe, expect, it } from 'vitest';
import { expectSucceeded, pipeline, run, type NodeDef } from '../helpers.js';

const SECRET = 'CANARY-scope-91be';
const files = {
  'in.csv': 'id,name\n1,ann\n2,bob\n',
  'data/secrets.csv': `id,name\n7,${SECRET}\n`,
  '.sluice/runs/r1/manifest.json': `{"secret":"${SECRET}"}\n`,
};

async function attempt(node: NodeDef): Promise<{ outcome: string; errors: string; out: string }> {
  const inPort = node.kind === 'sql' ? 'in1' : 'in';
  const outPort = node.kind === 'validate' ? 'valid' : 'out';
  const r = await run(
    pipeline([{ id: 'src', kind: 'source.csv', config: { path: 'in.csv' } }, node, { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } }], [`src -> ${node.id}.${inPort}`, `${node.id}.${outPort} -> out`]),
    { files },
  );
  return { outcome: r.manifest.outcome, errors: r.manifest.errors.join(' | '), out: r.exists('out.csv') ? r.read('out.csv') : '' };
}

const sqlNode = (query: string): NodeDef => ({ id: 'q', kind: 'sql', config: { query } });

/** Refused naming the node and field, and the secret is nowhere in the output. */
async function expectRefused(node: NodeDef, field: RegExp): Promise<void> {
  const r = await attempt(node);
  expect(r.outcome, r.errors).toBe('failed');
  expect(r.errors).toMatch(new RegExp(`node "${node.id}".*field "${field.source}`));
  expect(r.errors).toMatch(/not allowed|unknown table/);
  expect(r.out.includes(SECRET)).toBe(false);
}

describe('SQL guard: names resolve by scope', () => {
  it("the issue's case: a CTE in one subquery does not cover another", async () => {
    await expectRefused(sqlNode(`SELECT x.* FROM (SELECT * FROM "data/secrets.csv") x, (WITH "data/secrets.csv" AS (SELECT 1) SELECT 1) y`), /query/);
  });

  it('the same with a glob over run records', async () => {
    await expectRefused(sqlNode(`SELECT x.* FROM (SELECT * FROM ".sluice/runs/*/manifest.json") x, (WITH ".sluice/runs/*/manifest.json" AS (SELECT 1) SELECT 1) y`), /query/);
  });

  it('a non-recursive CTE that names itself reads the file, so it is refused', async () => {
    await expectRefused(sqlNode(`WITH "data/secrets.csv" AS (SELECT * FROM "data/secrets.csv") SELECT * FROM "data/secrets.csv"`), /query/);
  });

  it('a CTE does not cover the CTEs before it in the same WITH', async () => {
    await expectRefused(sqlNode(`WITH a AS (SELECT * FROM "data/secrets.csv"), "data/secrets.csv" AS (SELECT 1) SELECT * FROM a`), /query/);
  });

  it('a CTE in one arm of a UNION does not cover the other arm', async () => {
    await expectRefused(sqlNode(`SELECT * FROM in1 UNION ALL BY NAME SELECT * FROM (SELECT * FROM "data/secrets.csv") UNION ALL BY NAME (WITH "data/secrets.csv" AS (SELECT 1 AS id) SELECT * FROM "data/secrets.csv")`), /query/);
  });

  it('filter expression: the same trick through subqueries', async () => {
    await expectRefused({ id: 'f', kind: 'filter', config: { expression: `EXISTS (SELECT * FROM "data/secrets.csv") OR EXISTS (WITH "data/secrets.csv" AS (SELECT 1) SELECT 1)` } }, /expression/);
  });

  it('derive expression: a scalar subquery reading the file', async () => {
    await expectRefused(
      { id: 'd', kind: 'derive', config: { columns: [{ name: 'leak', expression: `(SELECT max(name) FROM "data/secrets.csv") || coalesce((WITH "data/secrets.csv" AS (SELECT 1 AS name) SELECT 'x'), '')` }] } },
      /columns\[0\]\.expression/,
    );
  });

  it('validate expression rule: the same rule as every other expression field', async () => {
    await expectRefused(
      { id: 'v', kind: 'validate', config: { rules: [{ id: 'r', type: 'expression', expression: `name NOT IN (SELECT name FROM "data/secrets.csv") OR EXISTS (WITH "data/secrets.csv" AS (SELECT 1) SELECT 1)` }] } },
      /rules\[0\]\.expression/,
    );
  });

  it('a bare file name without a CTE is refused as a file', async () => {
    const r = await attempt(sqlNode('SELECT * FROM "in.csv"'));
    expect(r.errors).toMatch(/"in\.csv" would be read as a file, which is not allowed/);
  });

  it('legitimate CTEs still work: chained, nested and recursive', async () => {
    const r = await run(
      pipeline(
        [
          { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
          // Its WHERE drops a row, which a SQL node must declare (nodes/sql.ts reconciles by lineage).
          { id: 'q', kind: 'sql', config: { query: `WITH a AS (SELECT * FROM in1), b AS (SELECT * FROM a WHERE id <> '1') SELECT b.*, (WITH RECURSIVE n AS (SELECT 1 AS k UNION ALL SELECT k + 1 FROM n WHERE k < 3) SELECT sum(k) FROM n) AS six FROM b`, filterReason: 'id 1 left out' } },
          { id: 'f', kind: 'filter', config: { expression: 'EXISTS (WITH z AS (SELECT 1) SELECT * FROM z)' } },
          { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
        ],
        ['src -> q.in1', 'q -> f', 'f -> out'],
      ),
      { files },
    );
    expectSucceeded(r);
    expect(r.read('out.csv')).toBe('id,name,six\n2,bob,6\n');
  });
});
