// sort: order rows by columns, with explicit NULL placement.
import { describe, expect, it } from 'vitest';
import { chain, counts, expectSucceeded, parseCsv, run } from '../helpers.js';

const CSV = 'id,grp,amount\n1,b,10\n2,a,\n3,b,2\n4,a,7\n5,,7\n';

const withSort = (by: unknown) =>
  chain([
    { id: 'src', kind: 'source.csv', config: { path: 'data.csv', types: { amount: 'INTEGER' } } },
    { id: 's', kind: 'sort', config: { by } },
    { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
  ]);

const ids = (text: string): string[] => parseCsv(text).slice(1).map((x) => x[0] as string);

describe('sort', () => {
  it('sorts numerically (not as text), descending with NULLs last by default', async () => {
    const r = await run(withSort([{ column: 'amount', descending: true }, { column: 'id' }]), { files: { 'data.csv': CSV } });
    expectSucceeded(r);
    expect(counts(r.metric('s'))).toEqual({ status: 'ok', rowsIn: 5, rowsOut: 5, quarantined: 0, filtered: 0 });
    expect(ids(r.read('out.csv'))).toEqual(['1', '4', '5', '3', '2']);
  });

  it('sorts by several keys with NULLs first when asked', async () => {
    const r = await run(withSort([{ column: 'grp', nullsFirst: true }, { column: 'amount', descending: true, nullsFirst: true }]), { files: { 'data.csv': CSV } });
    expectSucceeded(r);
    expect(ids(r.read('out.csv'))).toEqual(['5', '2', '4', '1', '3']);
  });

  it('names an unknown sort column', async () => {
    const r = await run(withSort([{ column: 'amt' }]), { files: { 'data.csv': CSV } });
    expect(r.manifest.errors[0]).toMatch(/^node "s" \(sort\), field "by": "by" names column "amt"/);
  });
});
