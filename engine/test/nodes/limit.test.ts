// limit: the first N rows or a reproducible sample; the rest are counted as filtered.
import { describe, expect, it } from 'vitest';
import { chain, counts, expectSucceeded, parseCsv, run } from '../helpers.js';

const CSV = `id\n${Array.from({ length: 50 }, (_, i) => String(i + 1)).join('\n')}\n`;

const withLimit = (config: Record<string, unknown>) =>
  chain([
    { id: 'src', kind: 'source.csv', config: { path: 'data.csv' } },
    { id: 'l', kind: 'limit', config },
    { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
  ]);

const ids = (text: string): string[] => parseCsv(text).slice(1).map((x) => x[0] as string);

describe('limit', () => {
  it('keeps the first N rows in input order and counts the rest as filtered', async () => {
    const r = await run(withLimit({ count: 3 }), { files: { 'data.csv': CSV } });
    expectSucceeded(r);
    expect(counts(r.metric('l'))).toEqual({ status: 'ok', rowsIn: 50, rowsOut: 3, quarantined: 0, filtered: 47 });
    expect(r.metric('l').filterReason).toBe('beyond the first 3 rows');
    expect(ids(r.read('out.csv'))).toEqual(['1', '2', '3']);
  });

  it('a limit above the row count keeps everything; zero keeps nothing', async () => {
    const big = await run(withLimit({ count: 500 }), { files: { 'data.csv': CSV } });
    expect(counts(big.metric('l'))).toMatchObject({ rowsOut: 50, filtered: 0 });
    const zero = await run(withLimit({ count: 0 }), { files: { 'data.csv': CSV } });
    expect(counts(zero.metric('l'))).toMatchObject({ rowsOut: 0, filtered: 50 });
  });

  it('samples N rows reproducibly for a seed', async () => {
    const a = await run(withLimit({ count: 10, mode: 'sample', seed: 7 }), { files: { 'data.csv': CSV } });
    const b = await run(withLimit({ count: 10, mode: 'sample', seed: 7 }), { files: { 'data.csv': CSV } });
    expectSucceeded(a);
    expect(counts(a.metric('l'))).toMatchObject({ rowsIn: 50, rowsOut: 10, filtered: 40 });
    const picked = ids(a.read('out.csv'));
    expect(new Set(picked).size).toBe(10);
    expect(picked).toEqual(ids(b.read('out.csv')));
    expect(a.metric('l').filterReason).toBe('not in the sample of 10 rows');
  });

  it('refuses a negative or fractional count when checked', async () => {
    await expect(run(withLimit({ count: -1 }), { files: { 'data.csv': CSV } })).rejects.toThrow(/nodes\[1\]\.config\.count/);
    await expect(run(withLimit({ count: 1.5 }), { files: { 'data.csv': CSV } })).rejects.toThrow(/nodes\[1\]\.config\.count/);
  });
});
