// select: keep, rename and reorder columns; the lineage always travels along.
import { describe, expect, it } from 'vitest';
import { chain, counts, expectSucceeded, parseCsv, preview, run } from '../helpers.js';

const CSV = 'id,name,city\n1,ann,Oslo\n2,bob,Rome\n';

const withSelect = (columns: unknown) =>
  chain([
    { id: 'src', kind: 'source.csv', config: { path: 'data.csv' } },
    { id: 's', kind: 'select', config: { columns } },
    { id: 'out', kind: 'sink.csv', config: { path: 'out.csv', includeLineage: true } },
  ]);

describe('select', () => {
  it('keeps, renames and reorders columns, keeping lineage', async () => {
    const r = await run(withSelect([{ name: 'city' }, { name: 'id', as: 'customer_id' }]), { files: { 'data.csv': CSV } });
    expectSucceeded(r);
    expect(counts(r.metric('s'))).toEqual({ status: 'ok', rowsIn: 2, rowsOut: 2, quarantined: 0, filtered: 0 });
    expect(parseCsv(r.read('out.csv'))).toEqual([
      ['__lineage', 'city', 'customer_id'],
      ['src:data.csv:2', 'Oslo', '1'],
      ['src:data.csv:3', 'Rome', '2'],
    ]);
  });

  it('names the missing column and lists the ones that exist', async () => {
    const r = await run(withSelect([{ name: 'nme' }]), { files: { 'data.csv': CSV } });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.errors[0]).toBe('node "s" (select), field "columns": "columns" names column "nme", which the input does not have (it has id, name, city)');
  });

  it('columns renamed to __proto__ and constructor survive into preview columns and rows', async () => {
    const p = withSelect([{ name: 'name', as: '__proto__' }, { name: 'city', as: 'constructor' }, { name: 'id', as: 'toString' }]);
    const r = await run(p, { files: { 'data.csv': CSV } });
    expectSucceeded(r);
    expect(r.read('out.csv').split('\n')[0]).toBe('__lineage,__proto__,constructor,toString');
    const pv = await preview(p, 's', r.baseDir);
    expect(pv.columns.map((c) => c.name)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(pv.rows).toEqual([
      ['ann', 'Oslo', '1'],
      ['bob', 'Rome', '2'],
    ]);
  });

  it('column names with quotes and spaces are quoted safely', async () => {
    const r = await run(withSelect([{ name: 'name', as: 'the "name"; DROP TABLE x' }]), { files: { 'data.csv': CSV } });
    expectSucceeded(r);
    expect(parseCsv(r.read('out.csv'))[0]).toEqual(['__lineage', 'the "name"; DROP TABLE x']);
  });
});
