// union: stack inputs by column name; every input row arrives once.
import { describe, expect, it } from 'vitest';
import { counts, expectSucceeded, parseCsv, pipeline, run } from '../helpers.js';

describe('union', () => {
  it('stacks inputs by name, filling missing columns with NULL and keeping each row\'s lineage', async () => {
    const p = pipeline(
      [
        { id: 'a', kind: 'source.csv', config: { path: 'a.csv' } },
        { id: 'b', kind: 'source.csv', config: { path: 'b.csv' } },
        { id: 'c', kind: 'source.json', config: { path: 'c.ndjson' } },
        { id: 'u', kind: 'union' },
        { id: 'out', kind: 'sink.csv', config: { path: 'out.csv', includeLineage: true } },
      ],
      ['a -> u', 'b -> u', 'c -> u', 'u -> out'],
    );
    const r = await run(p, { files: { 'a.csv': 'id,name\n1,ann\n2,bob\n', 'b.csv': 'name,city\ncid,Oslo\n', 'c.ndjson': '{"id":"9"}\n' } });
    expectSucceeded(r);
    expect(counts(r.metric('u'))).toEqual({ status: 'ok', rowsIn: 4, rowsOut: 4, quarantined: 0, filtered: 0 });
    const rows = parseCsv(r.read('out.csv'));
    expect(rows[0]).toEqual(['__lineage', 'id', 'name', 'city']);
    expect(rows.slice(1).sort((x, y) => (x[0] as string).localeCompare(y[0] as string))).toEqual([
      ['a:a.csv:2', '1', 'ann', ''],
      ['a:a.csv:3', '2', 'bob', ''],
      ['b:b.csv:2', '', 'cid', 'Oslo'],
      ['c:c.ndjson:1', '9', '', ''],
    ]);
  });

  it('a single input passes through unchanged', async () => {
    const p = pipeline(
      [
        { id: 'a', kind: 'source.csv', config: { path: 'a.csv' } },
        { id: 'u', kind: 'union' },
        { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
      ],
      ['a -> u', 'u -> out'],
    );
    const r = await run(p, { files: { 'a.csv': 'id\n1\n2\n' } });
    expectSucceeded(r);
    expect(r.read('out.csv')).toBe('id\n1\n2\n');
  });
});
