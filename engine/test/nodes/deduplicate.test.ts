// deduplicate: one row per key; the others are quarantined (inspectable) or counted as filtered.
import { describe, expect, it } from 'vitest';
import { chain, counts, expectSucceeded, parseCsv, run } from '../helpers.js';

const CSV = 'id,email,version\n1,a@x,1\n2,b@x,1\n3,a@x,3\n4,,1\n5,a@x,2\n6,,2\n7,b@x,0\n';

const withDedupe = (config: Record<string, unknown>) =>
  chain([
    { id: 'src', kind: 'source.csv', config: { path: 'data.csv', types: { version: 'INTEGER' } } },
    { id: 'd', kind: 'deduplicate', config },
    { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
  ]);

const ids = (text: string): string[] => parseCsv(text).slice(1).map((x) => x[0] as string);

describe('deduplicate', () => {
  it('keeps the first row per key in input order and quarantines the others with the row', async () => {
    const r = await run(withDedupe({ keys: ['email'] }), { files: { 'data.csv': CSV } });
    expectSucceeded(r);
    // Keys: a@x (1,3,5), b@x (2,7), NULL (4,6): NULL keys are one group.
    expect(counts(r.metric('d'))).toEqual({ status: 'warning', rowsIn: 7, rowsOut: 3, quarantined: 4, filtered: 0 });
    expect(ids(r.read('out.csv'))).toEqual(['1', '2', '4']);
    const q = await r.quarantine('d');
    expect(q.byRule).toEqual({ duplicate: 4 });
    expect(q.entries.map((e) => [e.lineage, e.sourceLine])).toEqual([
      ['src:data.csv:4', 4],
      ['src:data.csv:6', 6],
      ['src:data.csv:7', 7],
      ['src:data.csv:8', 8],
    ]);
    expect(q.entries[0]?.reasons).toEqual(['duplicate of an earlier row with the same email (kept the first)']);
    expect(JSON.parse(q.entries[0]?.row as string)).toEqual({ id: '3', email: 'a@x', version: 3 });
  });

  it('keeps the last row per key', async () => {
    const r = await run(withDedupe({ keys: ['email'], keep: 'last' }), { files: { 'data.csv': CSV } });
    expectSucceeded(r);
    expect(ids(r.read('out.csv'))).toEqual(['5', '6', '7']);
  });

  it('keeps first/last by an orderBy column', async () => {
    const first = await run(withDedupe({ keys: ['email'], orderBy: 'version' }), { files: { 'data.csv': CSV } });
    expect(ids(first.read('out.csv')).sort()).toEqual(['1', '4', '7']);
    const last = await run(withDedupe({ keys: ['email'], keep: 'last', orderBy: 'version' }), { files: { 'data.csv': CSV } });
    expect(ids(last.read('out.csv')).sort()).toEqual(['2', '3', '6']);
  });

  it('counts duplicates as filtered when asked', async () => {
    const r = await run(withDedupe({ keys: ['email'], duplicates: 'filter' }), { files: { 'data.csv': CSV } });
    expectSucceeded(r);
    expect(counts(r.metric('d'))).toEqual({ status: 'ok', rowsIn: 7, rowsOut: 3, quarantined: 0, filtered: 4 });
    expect(r.metric('d').filterReason).toBe('duplicate of an earlier row with the same email (kept the first)');
    expect(r.manifest.quarantine['d']).toBeUndefined();
  });

  it('uses several key columns together', async () => {
    const r = await run(withDedupe({ keys: ['email', 'version'] }), { files: { 'data.csv': 'id,email,version\n1,a,1\n2,a,1\n3,a,2\n' } });
    expect(ids(r.read('out.csv'))).toEqual(['1', '3']);
    expect(r.metric('d').quarantined).toBe(1);
  });

  it('names an unknown key column', async () => {
    const r = await run(withDedupe({ keys: ['mail'] }), { files: { 'data.csv': CSV } });
    expect(r.manifest.errors[0]).toMatch(/^node "d" \(deduplicate\), field "keys": "keys" names column "mail"/);
  });
});

describe('deduplicate: user columns named like its helper columns', () => {
  it('a column named "__rank" does not change which rows are kept (or is refused by name)', async () => {
    const p = chain([
      { id: 'src', kind: 'source.csv', config: { path: 'data.csv' } },
      { id: 'x', kind: 'derive', config: { columns: [{ name: '__rank', expression: '1' }] } },
      { id: 'd', kind: 'deduplicate', config: { keys: ['email'] } },
      { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
    ]);
    const r = await run(p, { files: { 'data.csv': 'id,email\n1,a\n2,a\n3,b\n' } });
    if (r.manifest.outcome === 'succeeded') {
      expect(counts(r.metric('d'))).toMatchObject({ rowsIn: 3, rowsOut: 2, quarantined: 1 });
      expect(ids(r.read('out.csv'))).toEqual(['1', '3']);
    } else {
      expect(r.manifest.errors[0]).toMatch(/__rank/);
      expect(r.manifest.errors[0]).not.toMatch(/Binder Error/);
    }
  });
});

describe('deduplicate: the NULL key policy shared with validate\'s unique rule', () => {
  it('nullKeys "distinct" keeps every row whose key is NULL (version 2)', async () => {
    const doc = withDedupe({ keys: ['email'], nullKeys: 'distinct' });
    (doc['nodes'] as Record<string, unknown>[])[1]!['kindVersion'] = 2;
    const r = await run(doc, { files: { 'data.csv': CSV } });
    expectSucceeded(r);
    expect(ids(r.read('out.csv'))).toEqual(['1', '2', '4', '6']);
  });
});
