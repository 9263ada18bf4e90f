// source.json: NDJSON and JSON arrays, record by record; bad records are quarantined, numbers keep every digit.
import { describe, expect, it } from 'vitest';
import { chain, counts, pipeline, expectSucceeded, parseCsv, preview, quarantineRaw, run } from '../helpers.js';

const NDJSON = [
  '{"id":1,"name":"ann","big":123456789012345678901}', // 1
  '{"id":2,"name":"bob","nested":{"a":[1,2]}}', // 2
  '   ', // 3 blank
  '{"id":3,"name":', // 4 invalid JSON
  '[1,2]', // 5 not an object
  '{"__lineage":"forged"}', // 6 reserved key
  '{"id":4,"name":"d\\u00e9","big":-98765432109876543210}', // 7
  `${'['.repeat(40)}${']'.repeat(40)}`, // 8 too deep
  '',
].join('\n');

const toCsv = (config: Record<string, unknown>) =>
  chain([
    { id: 'src', kind: 'source.json', config: { path: 'data.ndjson', ...config } },
    { id: 'out', kind: 'sink.csv', config: { path: 'out.csv', includeLineage: true } },
  ]);

describe('source.json (ndjson)', () => {
  it('reads objects, quarantines bad lines with line numbers and reasons, counts blank lines', async () => {
    const r = await run(toCsv({}), { files: { 'data.ndjson': NDJSON } });
    expectSucceeded(r);
    expect(counts(r.metric('src'))).toEqual({ status: 'warning', rowsIn: 8, rowsOut: 3, quarantined: 4, filtered: 1 });
    expect(parseCsv(r.read('out.csv'))).toEqual([
      ['__lineage', 'id', 'name', 'big', 'nested'],
      ['src:data.ndjson:1', '1', 'ann', '123456789012345678901', ''],
      ['src:data.ndjson:2', '2', 'bob', '', '{"a":[1,2]}'],
      ['src:data.ndjson:7', '4', 'dé', '-98765432109876543210', ''],
    ]);
    const q = await r.quarantine('src');
    expect(q.entries.map((e) => [e.sourceLine, e.lineage, e.ruleIds, e.raw])).toEqual([
      [4, 'src:data.ndjson:4', ['malformed'], '{"id":3,"name":'],
      [5, 'src:data.ndjson:5', ['malformed'], '[1,2]'],
      [6, 'src:data.ndjson:6', ['malformed'], '{"__lineage":"forged"}'],
      [8, 'src:data.ndjson:8', ['malformed'], `${'['.repeat(40)}${']'.repeat(40)}`],
    ]);
    expect(q.entries[0]?.reasons[0]).toMatch(/^data\.ndjson line 4: not valid JSON/);
    expect(q.entries[1]?.reasons[0]).toBe('data.ndjson line 5: not a JSON object');
    expect(q.entries[2]?.reasons[0]).toMatch(/"__lineage" is a name Sluice reserves/);
    expect(q.entries[3]?.reasons[0]).toMatch(/nested deeper than 32 levels/);
  });

  it('big integers survive exactly into a CSV sink, as text and as HUGEINT', async () => {
    const data = '{"id":123456789012345678901,"d":"0.10"}\n{"id":-170141183460469231731687303715884105728,"d":"1.25"}\n';
    const asText = await run(toCsv({}), { files: { 'data.ndjson': data } });
    expectSucceeded(asText);
    expect(asText.read('out.csv')).toBe('__lineage,id,d\nsrc:data.ndjson:1,123456789012345678901,0.10\nsrc:data.ndjson:2,-170141183460469231731687303715884105728,1.25\n');
    const typed = await run(toCsv({ types: { id: 'HUGEINT', d: 'DECIMAL(10,2)' } }), { files: { 'data.ndjson': data } });
    expectSucceeded(typed);
    expect(typed.read('out.csv')).toBe('__lineage,id,d\nsrc:data.ndjson:1,123456789012345678901,0.10\nsrc:data.ndjson:2,-170141183460469231731687303715884105728,1.25\n');
    const pv = await preview(toCsv({ types: { id: 'HUGEINT' } }), 'src', typed.baseDir);
    expect(pv.rows.map((row) => row[0])).toEqual(['123456789012345678901', '-170141183460469231731687303715884105728']);
  });

  it('non-integer numbers keep every digit (no trip through DOUBLE)', async () => {
    const data = '{"v":12345678901234567.5}\n{"v":-98765432109876543210.5}\n{"v":0.1000000000000000055511151231257827}\n';
    const r = await run(toCsv({}), { files: { 'data.ndjson': data } });
    expectSucceeded(r);
    expect(parseCsv(r.read('out.csv')).slice(1).map((row) => row[1])).toEqual(['12345678901234567.5', '-98765432109876543210.5', '0.1000000000000000055511151231257827']);
  });

  it('a big integer that does not fit the declared type is quarantined, not rounded', async () => {
    const r = await run(toCsv({ types: { id: 'BIGINT' } }), { files: { 'data.ndjson': '{"id":9223372036854775807}\n{"id":9223372036854775808}\n{"id":1.5}\n' } });
    expectSucceeded(r);
    expect(counts(r.metric('src'))).toMatchObject({ rowsIn: 3, rowsOut: 1, quarantined: 2 });
    expect(r.read('out.csv')).toBe('__lineage,id\nsrc:data.ndjson:1,9223372036854775807\n');
    const q = await r.quarantine('src');
    expect(q.entries.map((e) => e.reasons[0])).toEqual(['column id: "9223372036854775808" is not a valid BIGINT', 'column id: "1.5" is not a valid BIGINT']);
  });

  it('keeps the exact bytes of an invalid UTF-8 line', async () => {
    const bad = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
    const r = await run(toCsv({}), { files: { 'data.ndjson': Buffer.concat([Buffer.from('{"a":"x"}\n'), bad, Buffer.from('\n')]) } });
    expectSucceeded(r);
    const raw = await quarantineRaw(r, 'src');
    expect(raw.get(2)?.equals(bad)).toBe(true);
    expect((await r.quarantine('src')).entries[0]?.ruleIds).toEqual(['bad_encoding']);
  });

  it('refuses a UTF-16 file', async () => {
    const r = await run(toCsv({}), { files: { 'data.ndjson': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"a":1}\n', 'utf16le')]) } });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.errors[0]).toMatch(/node "src" \(source\.json\), file data\.ndjson: the file is UTF-16/);
  });

  it('a file of only bad lines gives zero rows and balances', async () => {
    const r = await run(toCsv({}), { files: { 'data.ndjson': 'nope\n\n' } });
    expectSucceeded(r);
    expect(counts(r.metric('src'))).toEqual({ status: 'warning', rowsIn: 2, rowsOut: 0, quarantined: 1, filtered: 1 });
    expect(r.read('out.csv')).toBe('__lineage\n');
  });

  it('column names like "constructor" and "toString" survive into preview columns', async () => {
    const p = toCsv({});
    const r = await run(p, { files: { 'data.ndjson': '{"constructor":"c","toString":"t","hasOwnProperty":"h","valueOf":1}\n' } });
    expectSucceeded(r);
    const pv = await preview(p, 'src', r.baseDir);
    expect(pv.columns.map((c) => c.name)).toEqual(['constructor', 'toString', 'hasOwnProperty', 'valueOf']);
    expect(pv.rows).toEqual([['c', 't', 'h', '1']]);
  });
});

describe('source.json (array)', () => {
  it('numbers elements from 1 and quarantines non-objects', async () => {
    const r = await run(toCsv({ path: 'data.json', format: 'array' }), {
      files: { 'data.json': '[\n  {"id": 1, "n": 12345678901234567890123},\n  "text",\n  {"id": 3,\n   "n": null}\n]\n' },
    });
    expectSucceeded(r);
    expect(counts(r.metric('src'))).toEqual({ status: 'warning', rowsIn: 3, rowsOut: 2, quarantined: 1, filtered: 0 });
    expect(parseCsv(r.read('out.csv'))).toEqual([
      ['__lineage', 'id', 'n'],
      ['src:data.json:1', '1', '12345678901234567890123'],
      ['src:data.json:3', '3', ''],
    ]);
    const q = await r.quarantine('src');
    expect(q.entries).toEqual([expect.objectContaining({ sourceLine: 2, raw: '"text"', reasons: ['data.json element 2: not a JSON object'] })]);
  });

  it('refuses a document that is not an array, with a hint', async () => {
    const r = await run(toCsv({ path: 'data.json', format: 'array' }), { files: { 'data.json': '{"id":1}\n{"id":2}\n' } });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.errors[0]).toMatch(/node "src" \(source\.json\), file data\.json: not valid JSON.*use format "ndjson"/);
  });
});

describe('source.json: nullValues and blankLines (version 2)', () => {
  it('reads listed texts as NULL and quarantines blank lines with their numbers', async () => {
    const doc = pipeline(
      [
        { id: 'src', kind: 'source.json', config: { path: 'data.ndjson', nullValues: ['NA', ''], blankLines: 'quarantine' } },
        { id: 'v', kind: 'validate', config: { rules: [{ id: 'name_required', type: 'not_null', column: 'name' }] } },
        { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
      ],
      ['src -> v', 'v.valid -> out'],
    );
    (doc['nodes'] as Record<string, unknown>[])[0]!['kindVersion'] = 2;
    const r = await run(doc, { files: { 'data.ndjson': '{"name":"ann"}\n\n{"name":"NA"}\n{"name":""}\n{"name":"bo"}\n' } });
    expectSucceeded(r);
    expect((await r.quarantine('src')).entries.map((e) => [e.sourceLine, e.ruleIds])).toEqual([[2, ['blank_line']]]);
    expect((await r.quarantine('v')).entries.map((e) => e.lineage)).toEqual(['src:data.ndjson:3', 'src:data.ndjson:4']);
  });
});
