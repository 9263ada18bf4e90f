// aggregate: every input row is folded into exactly one group; the reconciler checks rows in = rows folded.
import { describe, expect, it } from 'vitest';
import { chain, counts, expectSucceeded, parseCsv, preview, run } from '../helpers.js';

const CSV = 'country,customer,amount\nDE,c1,10.50\nFR,c2,5.00\nDE,c1,2.25\nDE,c3,\n,c4,1.00\n';

const withAgg = (config: Record<string, unknown>) =>
  chain([
    { id: 'src', kind: 'source.csv', config: { path: 'data.csv', types: { amount: 'DECIMAL(10,2)' } } },
    { id: 'a', kind: 'aggregate', config },
    { id: 'out', kind: 'sink.csv', config: { path: 'out.csv', includeLineage: true } },
  ]);

describe('aggregate', () => {
  it('groups rows (NULL is a group of its own) and computes every function', async () => {
    const r = await run(
      withAgg({
        groupBy: ['country'],
        aggregates: [
          { fn: 'count', as: 'n' },
          { fn: 'count_distinct', column: 'customer', as: 'customers' },
          { fn: 'sum', column: 'amount', as: 'total' },
          { fn: 'avg', column: 'amount', as: 'mean' },
          { fn: 'min', column: 'amount', as: 'lo' },
          { fn: 'max', column: 'amount', as: 'hi' },
        ],
      }),
      { files: { 'data.csv': CSV } },
    );
    expectSucceeded(r);
    const m = r.metric('a');
    expect(counts(m)).toEqual({ status: 'ok', rowsIn: 5, rowsOut: 3, quarantined: 0, filtered: 0 });
    expect(m.passed).toBe(5);
    expect(parseCsv(r.read('out.csv'))).toEqual([
      ['__lineage', 'country', 'n', 'customers', 'total', 'mean', 'lo', 'hi'],
      ['a:group:{"country":"DE"}', 'DE', '3', '2', '12.75', '6.375', '2.25', '10.50'],
      ['a:group:{"country":"FR"}', 'FR', '1', '1', '5.00', '5.0', '5.00', '5.00'],
      ['a:group:{"country":null}', '', '1', '1', '1.00', '1.0', '1.00', '1.00'],
    ]);
  });

  it('without groupBy folds everything into one row, even an empty input', async () => {
    const r = await run(withAgg({ aggregates: [{ fn: 'count', as: 'n' }, { fn: 'sum', column: 'amount', as: 's' }] }), { files: { 'data.csv': CSV } });
    expectSucceeded(r);
    expect(r.read('out.csv')).toBe('__lineage,n,s\na:all,5,18.75\n');
    const empty = await run(withAgg({ aggregates: [{ fn: 'count', as: 'n' }] }), { files: { 'data.csv': 'country,customer,amount\n' } });
    expectSucceeded(empty);
    expect(counts(empty.metric('a'))).toEqual({ status: 'ok', rowsIn: 0, rowsOut: 1, quarantined: 0, filtered: 0 });
  });

  it('reports a function that needs a column, and an unknown column', async () => {
    const r = await run(withAgg({ aggregates: [{ fn: 'sum', as: 's' }] }), { files: { 'data.csv': CSV } });
    expect(r.manifest.errors[0]).toBe('node "a" (aggregate), field "aggregates[0].column": aggregates[0]: "sum" needs a column');
    const r2 = await run(withAgg({ groupBy: ['land'], aggregates: [{ fn: 'count', as: 'n' }] }), { files: { 'data.csv': CSV } });
    expect(r2.manifest.errors[0]).toMatch(/^node "a" \(aggregate\), field "groupBy": "groupBy" names column "land"/);
  });

  it('group columns named like object internals survive into preview', async () => {
    const p = chain([
      { id: 'src', kind: 'source.csv', config: { path: 'data.csv' } },
      { id: 'a', kind: 'aggregate', config: { groupBy: ['constructor'], aggregates: [{ fn: 'count', as: '__proto__' }] } },
    ]);
    const r = await run(p, { files: { 'data.csv': 'constructor\nx\nx\ny\n' } });
    expectSucceeded(r);
    const pv = await preview(p, 'a', r.baseDir);
    expect(pv.columns.map((c) => c.name)).toEqual(['constructor', '__proto__']);
    expect(pv.rows).toEqual([
      ['x', 2],
      ['y', 1],
    ]);
  });
});
