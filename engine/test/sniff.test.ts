// Column types sniffed from a sample with the strict casts a run applies, offered for the user to accept into
// the file: before accepting, the columns stay text; after, the file, the static schemas and the run agree.
import { describe, expect, it } from 'vitest';
import { sniffNode } from '../src/analysis/sniff.js';
import { staticCheck } from '../src/analysis/check.js';
import { catalog } from '../src/nodes/registry.js';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { pipeline, run, tmpDir, writeFiles } from './helpers.js';

const rows = [
  'id,amount,day,at,flag,ratio,code,note,empty,qty',
  ...Array.from({ length: 20 }, (_, i) => {
    const amount = i === 3 ? 'abc' : i === 7 ? '€20' : `${10 + i}.${i % 2 === 0 ? '5' : '25'}`;
    return `${i + 1},${amount},2026-01-${String(i + 1).padStart(2, '0')},2026-01-01 10:${String(i).padStart(2, '0')}:00,${i % 3 === 0 ? 'yes' : 'no'},${i === 5 ? 'NA' : `${i}e-3`},${i % 2},text ${i},,${i === 9 ? '4.5' : i}`;
  }),
].join('\n');

function doc(types?: Record<string, string>): Record<string, unknown> {
  return pipeline(
    [
      { id: 'orders', kind: 'source.csv', config: { path: 'orders.csv', nullValues: ['NA'], ...(types ? { types } : {}) } },
      { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
    ],
    ['orders -> out'],
  );
}

describe('sniffing a source\'s column types', () => {
  const dir = tmpDir();
  writeFiles(dir, { 'orders.csv': `${rows}\n` });

  it('proposes the strictest type every sampled value converts to, and says which values would not', async () => {
    const r = await sniffNode(doc(), 'orders', { baseDir: dir });
    if (!('columns' in r)) throw new Error(`no sniff: ${r.error}`);
    expect(r).toMatchObject({ file: 'orders.csv', rows: 20, field: 'types' });
    const byName = Object.fromEntries(r.columns.map((c) => [c.name, c]));
    expect(byName['id']).toEqual({ name: 'id', type: 'BIGINT', values: 20 });
    expect(byName['day']?.type).toBe('DATE');
    expect(byName['at']?.type).toBe('TIMESTAMP');
    expect(byName['flag']?.type).toBe('BOOLEAN');
    // NA is one of the source's null texts, so it does not count against DOUBLE.
    expect(byName['ratio']).toEqual({ name: 'ratio', type: 'DOUBLE', values: 19 });
    // 0/1 stays a number rather than a boolean.
    expect(byName['code']?.type).toBe('BIGINT');
    expect(byName['note']?.type).toBe('VARCHAR');
    expect(byName['empty']).toEqual({ name: 'empty', type: 'VARCHAR', values: 0 });
    // Every value is a DECIMAL(18,1), and all but one a whole number: the stricter type is offered with it.
    expect(byName['qty']).toEqual({ name: 'qty', type: 'DECIMAL(18,1)', values: 20, closest: { type: 'BIGINT', misfits: 1, examples: ['4.5'] } });
    // Two dirty values: stays text, with the decimal most values fit and the values it would quarantine.
    expect(byName['amount']).toEqual({ name: 'amount', type: 'VARCHAR', values: 20, closest: { type: 'DECIMAL(18,2)', misfits: 2, examples: ['abc', '€20'] } });
  });

  it('changes nothing until accepted: the columns stay text; accepted, the file, the schemas and the run agree', async () => {
    const before = await staticCheck(doc(), { baseDir: dir });
    expect(before.ports['orders']?.['out']?.every((c) => c.type === 'VARCHAR')).toBe(true);
    const r = await sniffNode(doc(), 'orders', { baseDir: dir });
    if (!('columns' in r)) throw new Error(`no sniff: ${r.error}`);
    const accepted = Object.fromEntries(r.columns.map((c) => [c.name, c.type]));
    const after = await staticCheck(doc(accepted), { baseDir: dir });
    expect(after.problems).toEqual([]);
    expect(after.ports['orders']?.['out']?.map((c) => `${c.name}:${c.type}`)).toEqual(r.columns.map((c) => `${c.name}:${c.type}`));
    // Every sampled value converts under the accepted types: the run quarantines nothing.
    const res = await run(doc(accepted), { baseDir: dir });
    const src = res.manifest.nodes.find((n) => n.nodeId === 'orders');
    expect(res.manifest.errors).toEqual([]);
    expect(res.manifest.outcome).toBe('succeeded');
    expect(src).toMatchObject({ rowsOut: 20, quarantined: 0 });
    // Taking the closest type instead quarantines exactly the values the sniff named.
    const amount = r.columns.find((c) => c.name === 'amount')?.closest;
    const strict = await run(doc({ ...accepted, amount: amount?.type ?? 'VARCHAR' }), { baseDir: dir });
    expect(strict.manifest.nodes.find((n) => n.nodeId === 'orders')).toMatchObject({ rowsOut: 20 - (amount?.misfits ?? 0), quarantined: amount?.misfits });
  });

  it('reads past a stray quote and leaves ragged records out, as the run does', async () => {
    const d = tmpDir();
    writeFiles(d, { 'o.csv': 'id,n\n1,2\n2,"3\n3,4,5\n4,5\n5,6\n' });
    const r = await sniffNode(pipeline([{ id: 's', kind: 'source.csv', config: { path: 'o.csv' } }], []), 's', { baseDir: d });
    expect(r).toMatchObject({ rows: 3, columns: [{ name: 'id', type: 'BIGINT', values: 3 }, { name: 'n', type: 'BIGINT', values: 3 }] });
  });

  it('reports drift from the accepted types: a new column is read as text with a warning, a lost one fails the run naming it', async () => {
    const d = tmpDir();
    const accepted = { id: 'BIGINT', name: 'VARCHAR' };
    const p = pipeline([{ id: 's', kind: 'source.csv', config: { path: 'o.csv', types: accepted } }, { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } }], ['s -> out']);
    writeFiles(d, { 'o.csv': 'id,name,extra\n1,a,x\n2,b,y\n' });
    const added = await run(p, { baseDir: d });
    expect(added.manifest.outcome).toBe('succeeded');
    expect(added.manifest.nodes.find((n) => n.nodeId === 's')?.warnings).toEqual([expect.stringMatching(/^schema drift: o\.csv has column "extra" that the accepted types do not list; read as text/)]);
    writeFiles(d, { 'o.csv': 'id\n1\n2\n' });
    const lost = await run(p, { baseDir: d });
    expect(lost.manifest.outcome).toBe('failed');
    expect(JSON.stringify(lost.manifest.errors)).toMatch(/schema drift: o\.csv has no column \\"name\\", which the accepted types list/);
    // Types that declare only some columns (none as text) are not a whole schema: other columns are no drift.
    writeFiles(d, { 'o.csv': 'id,name,extra\n1,a,x\n' });
    const partial = await run(pipeline([{ id: 's', kind: 'source.csv', config: { path: 'o.csv', types: { id: 'BIGINT' } } }, { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } }], ['s -> out']), { baseDir: d });
    expect(partial.manifest.nodes.find((n) => n.nodeId === 's')?.warnings).toEqual([]);
  });

  it('explains why there is nothing to sniff instead of failing', async () => {
    const none = pipeline([{ id: 'orders', kind: 'source.csv', config: { path: '' } }], []);
    expect(await sniffNode(none, 'orders', { baseDir: dir })).toMatchObject({ error: expect.stringMatching(/needs a file/) });
    const missing = pipeline([{ id: 'orders', kind: 'source.csv', config: { path: 'nope.csv' } }], []);
    expect(await sniffNode(missing, 'orders', { baseDir: dir })).toMatchObject({ code: 'needs_file' });
    expect(await sniffNode(doc(), 'out', { baseDir: dir })).toMatchObject({ code: 'not_sniffable' });
    expect(await sniffNode(doc(), 'ghost', { baseDir: dir })).toMatchObject({ code: 'unknown_node' });
  });

  it('the catalog says which kinds offer a sniff and where accepted types go', () => {
    const kinds = catalog().kinds;
    expect(kinds.find((k) => k.kind === 'source.csv')?.sniffField).toBe('types');
    expect(kinds.find((k) => k.kind === 'source.json')?.sniffField).toBe('types');
    expect(kinds.find((k) => k.kind === 'filter')?.sniffField).toBeUndefined();
  });
});

describe('sniffing a JSON source', () => {
  const dir = tmpDir();
  const records = Array.from({ length: 12 }, (_, i) => ({
    id: i + 1,
    amount: i === 4 ? 'n/a' : (10 + i) + 0.25,
    day: `2026-02-${String(i + 1).padStart(2, '0')}`,
    flag: i % 2 === 0,
    qty: String(i),
    meta: i === 2 ? null : { tags: ['a', i] },
    note: i === 6 ? 'NA' : `x${i}`,
  }));
  writeFiles(dir, {
    'orders.ndjson': `${records.map((r) => JSON.stringify(r)).join('\n')}\n{not json\n`,
    'orders.json': JSON.stringify(records, null, 1),
  });
  const jdoc = (config: Record<string, unknown>) =>
    pipeline([{ id: 'orders', kind: 'source.json', config: { path: 'orders.ndjson', nullValues: ['NA'], ...config } }, { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } }], ['orders -> out']);

  it('NDJSON and arrays: the strictest type each key converts to by the run\'s casts, nested values as JSON', async () => {
    for (const [path, format] of [['orders.ndjson', 'ndjson'], ['orders.json', 'array']]) {
      const r = await sniffNode(jdoc({ path, format }), 'orders', { baseDir: dir });
      if (!('columns' in r)) throw new Error(`no sniff: ${r.error}`);
      // The malformed line is left out, as the run quarantines it.
      expect(r, format).toMatchObject({ file: path, rows: 12, field: 'types' });
      const by = Object.fromEntries(r.columns.map((c) => [c.name, c]));
      expect(r.columns.map((c) => c.name)).toEqual(['id', 'amount', 'day', 'flag', 'qty', 'meta', 'note']);
      expect(by['id']).toEqual({ name: 'id', type: 'BIGINT', values: 12 });
      expect(by['amount']).toMatchObject({ type: 'VARCHAR', closest: { type: 'DECIMAL(18,2)', misfits: 1, examples: ['n/a'] } });
      expect(by['day']?.type).toBe('DATE');
      expect(by['flag']?.type).toBe('BOOLEAN');
      // A JSON string holding digits converts to a number unless the source is strict about strings.
      expect(by['qty']?.type).toBe('BIGINT');
      expect(by['meta']).toEqual({ name: 'meta', type: 'JSON', values: 11 });
      expect(by['note']).toMatchObject({ type: 'VARCHAR', values: 11 });
    }
    const strict = await sniffNode(jdoc({ numericStrings: false }), 'orders', { baseDir: dir });
    if (!('columns' in strict)) throw new Error(`no sniff: ${strict.error}`);
    expect(strict.columns.find((c) => c.name === 'qty')).toMatchObject({ type: 'VARCHAR', closest: { type: 'BIGINT', misfits: 12 } });
  });

  it('accepted, the run reads every sampled record under those types and quarantines nothing more', async () => {
    const r = await sniffNode(jdoc({}), 'orders', { baseDir: dir });
    if (!('columns' in r)) throw new Error(`no sniff: ${r.error}`);
    const types = Object.fromEntries(r.columns.map((c) => [c.name, c.type]));
    const res = await run(jdoc({ types }), { baseDir: dir });
    expect(res.manifest.errors).toEqual([]);
    // 12 good records; the malformed line is the only quarantined one.
    expect(res.manifest.nodes.find((n) => n.nodeId === 'orders')).toMatchObject({ rowsOut: 12, quarantined: 1 });
    const out = fs.readFileSync(path.join(dir, 'out.csv'), 'utf8').split('\n');
    expect(out[0]).toBe('id,amount,day,flag,qty,meta,note');
    expect(out[1]).toBe('1,10.25,2026-02-01,true,0,"{""tags"":[""a"",0]}",x0');
  });
});

