// derive: add or replace columns computed with checked SQL expressions.
import { describe, expect, it } from 'vitest';
import { chain, counts, expectSucceeded, parseCsv, preview, run } from '../helpers.js';

const CSV = 'id,name,qty\n1,ann,2\n2,bob,\n3,,5\n';

const withDerive = (columns: unknown) =>
  chain([
    { id: 'src', kind: 'source.csv', config: { path: 'data.csv', types: { qty: 'INTEGER' } } },
    { id: 'd', kind: 'derive', config: { columns } },
    { id: 'out', kind: 'sink.csv', config: { path: 'out.csv', includeLineage: true } },
  ]);

describe('derive', () => {
  it('replaces columns in place and appends new ones; NULLs propagate as SQL says', async () => {
    const r = await run(
      withDerive([
        { name: 'name', expression: "upper(coalesce(name, '?'))" },
        { name: 'double_qty', expression: 'qty * 2' },
        { name: 'label', expression: "name || '#' || id" },
      ]),
      { files: { 'data.csv': CSV } },
    );
    expectSucceeded(r);
    expect(counts(r.metric('d'))).toEqual({ status: 'ok', rowsIn: 3, rowsOut: 3, quarantined: 0, filtered: 0 });
    expect(parseCsv(r.read('out.csv'))).toEqual([
      ['__lineage', 'id', 'name', 'qty', 'double_qty', 'label'],
      ['src:data.csv:2', '1', 'ANN', '2', '4', 'ann#1'],
      ['src:data.csv:3', '2', 'BOB', '', '', 'bob#2'],
      ['src:data.csv:4', '3', '?', '5', '10', ''],
    ]);
  });

  it('derived columns named __proto__ and constructor survive into preview columns', async () => {
    const p = withDerive([
      { name: '__proto__', expression: "'p'" },
      { name: 'constructor', expression: 'id' },
    ]);
    const r = await run(p, { files: { 'data.csv': CSV } });
    expectSucceeded(r);
    const pv = await preview(p, 'd', r.baseDir);
    expect(pv.columns.map((c) => c.name)).toEqual(['id', 'name', 'qty', '__proto__', 'constructor']);
    expect(pv.rows[0]).toEqual(['1', 'ann', 2, 'p', '1']);
  });

  it('refuses a column named like the hidden lineage column', async () => {
    const r = await run(withDerive([{ name: '__lineage', expression: "'forged'" }]), { files: { 'data.csv': CSV } });
    // Either refused with a clear message, or the lineage is left intact: never forged.
    if (r.manifest.outcome === 'succeeded') {
      expect(parseCsv(r.read('out.csv')).slice(1).map((x) => x[0])).toEqual(['src:data.csv:2', 'src:data.csv:3', 'src:data.csv:4']);
    } else {
      expect(r.manifest.errors[0]).toMatch(/^node "d" \(derive\): column name "__lineage" is reserved/);
    }
  });

  it('reports an invalid expression with the index of the column', async () => {
    const r = await run(withDerive([{ name: 'ok', expression: '1' }, { name: 'bad', expression: 'qty +' }]), { files: { 'data.csv': CSV } });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.errors[0]).toMatch(/^node "d" \(derive\), field "columns\[1\]\.expression": invalid expression/);
  });

  it('refuses expressions that read files', async () => {
    const r = await run(withDerive([{ name: 'x', expression: "(SELECT content FROM read_text('/etc/passwd'))" }]), { files: { 'data.csv': CSV } });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.errors[0]).toMatch(/^node "d" \(derive\), field "columns\[0\]\.expression": .*not allowed/);
  });
});

describe('derive: a value an expression cannot compute', () => {
  // 'x7' cannot be an INTEGER: the run fails, naming the derive node and the column's expression, whichever node
  // computes the view's values (the derive itself, or a reader that computes them inside its own query).
  const p = chain([
    { id: 'src', kind: 'source.csv', config: { path: 'data.csv' } },
    { id: 'd', kind: 'derive', config: { columns: [{ name: 'fine', expression: 'upper(name)' }, { name: 'n', expression: 'CAST(code AS INTEGER) + 1' }] } },
    { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
  ]);
  it('fails the run with the derive node, its field and the value, and writes nothing', async () => {
    const r = await run(p, { files: { 'data.csv': 'name,code\nann,1\nbob,x7\n' } });
    expect(r.manifest.outcome).toBe('failed');
    const message = r.manifest.errors.join('\n');
    // The sink computed the view's values inside its own query (no pass of the derive's own): told as the derive's.
    expect(message).toBe(
      'node "d" (derive), field "columns[1].expression": column "n" cannot be computed for every row: Could not convert string \'x7\' to INT32 when casting from source column code (met by node "out" (sink.csv), which computes it)',
    );
    expect(r.metric('out').status).toBe('failed');
    expect(() => r.read('out.csv')).toThrow();
  });

  it('is found by the derive itself when nothing in the run reads its values', async () => {
    const alone = chain([
      { id: 'src', kind: 'source.csv', config: { path: 'data.csv' } },
      { id: 'd', kind: 'derive', config: { columns: [{ name: 'n', expression: 'CAST(code AS INTEGER)' }] } },
    ]);
    const r = await run(alone, { files: { 'data.csv': 'code\n1\nx7\n' } });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.metric('d').status).toBe('failed');
    expect(r.manifest.errors.join('\n')).toBe('node "d" (derive), field "columns[0].expression": column "n" cannot be computed for every row: Could not convert string \'x7\' to INT32 when casting from source column code');
  });
});
