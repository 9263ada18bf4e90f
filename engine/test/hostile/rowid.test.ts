// A column named `rowid` hides DuckDB's row-position pseudo-column, which nodes use to keep rows in order and to
// pair them (validate, join, limit, deduplicate). Such data is common (SQLite exports), so sources rename the
// column with a warning, and a node that would create one is refused by name.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chain, counts, duck, expectSucceeded, parseCsv, pipeline, run, tmpDir } from '../helpers.js';

// Line 3 has no value; the `rowid` values run against the line order, so a mix-up of the two shows.
const CSV = 'rowid,v\n5,a\n4,\n1,c\n0,d\n';

describe('a column named rowid', () => {
  it('in a CSV header is renamed with a warning, and validate removes exactly the failing row', async () => {
    const r = await run(
      pipeline(
        [
          { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
          { id: 'v', kind: 'validate', config: { rules: [{ id: 'v_required', type: 'not_null', column: 'v' }] } },
          { id: 'out', kind: 'sink.csv', config: { path: 'out.csv', includeLineage: true } },
        ],
        ['src -> v', 'v.valid -> out'],
      ),
      { files: { 'in.csv': CSV } },
    );
    expectSucceeded(r);
    expect(r.metric('src').warnings.join()).toContain('header "rowid" would hide DuckDB\'s row positions');
    expect(parseCsv(r.read('out.csv'))).toEqual([
      ['__lineage', 'rowid_1', 'v'],
      ['src:in.csv:2', '5', 'a'],
      ['src:in.csv:4', '1', 'c'],
      ['src:in.csv:5', '0', 'd'],
    ]);
    expect((await r.quarantine('v')).entries.map((e) => e.lineage)).toEqual(['src:in.csv:3']);
  });

  it('of any case keeps limit and deduplicate on the input order', async () => {
    const r = await run(
      pipeline(
        [
          { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
          { id: 'first', kind: 'limit', config: { count: 2 } },
          { id: 'dedup', kind: 'deduplicate', config: { keys: ['k'], keep: 'first', duplicates: 'filter' } },
          { id: 'a', kind: 'sink.csv', config: { path: 'a.csv' } },
          { id: 'b', kind: 'sink.csv', config: { path: 'b.csv' } },
        ],
        ['src -> first', 'src -> dedup', 'first -> a', 'dedup -> b'],
      ),
      { files: { 'in.csv': 'ROWID,k\n9,x\n8,y\n7,x\n' } },
    );
    expectSucceeded(r);
    expect(parseCsv(r.read('a.csv'))).toEqual([['ROWID_1', 'k'], ['9', 'x'], ['8', 'y']]);
    expect(parseCsv(r.read('b.csv'))).toEqual([['ROWID_1', 'k'], ['9', 'x'], ['8', 'y']]);
  });

  it('as a JSON key is kept as data under another name, not quarantined', async () => {
    const r = await run(
      chain([
        { id: 'src', kind: 'source.json', config: { path: 'in.ndjson', format: 'ndjson' } },
        { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
      ]),
      { files: { 'in.ndjson': '{"rowid": 7, "v": "a"}\n{"rowid": 3, "v": "b"}\n' } },
    );
    expectSucceeded(r);
    expect(counts(r.metric('src'))).toMatchObject({ rowsIn: 2, rowsOut: 2, quarantined: 0 });
    expect(parseCsv(r.read('out.csv'))).toEqual([['rowid_1', 'v'], ['7', 'a'], ['3', 'b']]);
  });

  it('in a Parquet file is renamed with a warning', async () => {
    const dir = tmpDir('sluice-rowid-');
    await duck(`COPY (SELECT * FROM (VALUES (2, 'a'), (1, 'b')) AS t(rowid, v)) TO '${path.join(dir, 'in.parquet').replaceAll("'", "''")}' (FORMAT parquet)`);
    const r = await run(
      chain([
        { id: 'src', kind: 'source.parquet', config: { path: 'in.parquet' } },
        { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
      ]),
      { baseDir: dir },
    );
    expectSucceeded(r);
    expect(r.metric('src').warnings.join()).toContain('named it "rowid_1"');
    expect(parseCsv(r.read('out.csv'))).toEqual([['rowid_1', 'v'], ['2', 'a'], ['1', 'b']]);
  });

  it('made by a node is refused with the reason', async () => {
    const r = await run(
      chain([
        { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
        { id: 'd', kind: 'derive', config: { columns: [{ name: 'RowId', expression: '1' }] } },
        { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
      ]),
      { files: { 'in.csv': 'id\n1\n' } },
    );
    expect(r.manifest.outcome).toBe('failed');
    expect(r.metric('d').error).toMatch(/column name "RowId" would hide DuckDB's row positions, which Sluice uses to keep rows in order; choose another name/);
  });
});
