// schema_contract: expected columns and types, with a policy for missing, extra and mistyped columns.
import { describe, expect, it } from 'vitest';
import { chain, counts, expectSucceeded, parseCsv, preview, run } from '../helpers.js';

const CSV = 'name,id,amount,note\nann,1,9.99,x\nbob,2,abc,y\ncid,x3,1.50,z\n';

const withContract = (config: Record<string, unknown>) =>
  chain([
    { id: 'src', kind: 'source.csv', config: { path: 'data.csv' } },
    { id: 'c', kind: 'schema_contract', config },
    { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
  ]);

const COLUMNS = [
  { name: 'id', type: 'BIGINT' },
  { name: 'name', type: 'VARCHAR' },
  { name: 'amount', type: 'DECIMAL(10,2)' },
];

describe('schema_contract', () => {
  it('orders columns as the contract says, applies types, keeps extras and quarantines mistyped rows', async () => {
    const p = withContract({ columns: COLUMNS });
    const r = await run(p, { files: { 'data.csv': CSV } });
    expectSucceeded(r);
    expect(counts(r.metric('c'))).toEqual({ status: 'warning', rowsIn: 3, rowsOut: 1, quarantined: 2, filtered: 0 });
    expect(parseCsv(r.read('out.csv'))).toEqual([
      ['id', 'name', 'amount', 'note'],
      ['1', 'ann', '9.99', 'x'],
    ]);
    const q = await r.quarantine('c');
    expect(q.entries.map((e) => [e.sourceLine, e.ruleIds, e.reasons])).toEqual([
      [3, ['type:amount'], ['column amount: "abc" is not a valid DECIMAL(10,2)']],
      [4, ['type:id'], ['column id: "x3" is not a valid BIGINT']],
    ]);
    const pv = await preview(p, 'c', r.baseDir);
    expect(pv.columns).toEqual([
      { name: 'id', type: 'BIGINT' },
      { name: 'name', type: 'VARCHAR' },
      { name: 'amount', type: 'DECIMAL(10,2)' },
      { name: 'note', type: 'VARCHAR' },
    ]);
  });

  it('extra "drop" removes unlisted columns with a warning; extra "fail" is a gate', async () => {
    const drop = await run(withContract({ columns: COLUMNS, extra: 'drop' }), { files: { 'data.csv': CSV } });
    expectSucceeded(drop);
    expect(drop.read('out.csv').split('\n')[0]).toBe('id,name,amount');
    expect(drop.metric('c').warnings).toContain('dropped column(s) not in the contract: note');
    const fail = await run(withContract({ columns: COLUMNS, extra: 'fail' }), { files: { 'data.csv': CSV } });
    expect(fail.manifest.outcome).toBe('gate_failed');
    expect(fail.manifest.errors[0]).toBe('node "c" (schema_contract), field "extra": contract violated: unexpected column(s) "note"');
  });

  it('a missing required column fails the run; with missing "null" it is added as NULL', async () => {
    const cols = [...COLUMNS, { name: 'currency', type: 'VARCHAR' }];
    const fail = await run(withContract({ columns: cols }), { files: { 'data.csv': CSV } });
    expect(fail.manifest.outcome).toBe('gate_failed');
    expect(fail.manifest.errors[0]).toBe('node "c" (schema_contract), field "columns": contract violated: missing column(s) "currency" (the input has name, id, amount, note)');
    expect(fail.exists('out.csv')).toBe(false);
    const fill = await run(withContract({ columns: cols, missing: 'null', extra: 'drop' }), { files: { 'data.csv': CSV } });
    expectSucceeded(fill);
    expect(fill.read('out.csv').split('\n').slice(0, 2)).toEqual(['id,name,amount,currency', '1,ann,9.99,']);
    expect(fill.metric('c').warnings).toContain('added missing column(s) as NULL: currency');
  });

  it('an optional missing column is added as NULL even with missing "fail"', async () => {
    const r = await run(withContract({ columns: [...COLUMNS, { name: 'currency', type: 'VARCHAR', required: false }] }), { files: { 'data.csv': CSV } });
    expectSucceeded(r);
    expect(r.read('out.csv').split('\n')[0]).toBe('id,name,amount,currency,note');
  });

  it('mistyped "fail" turns conversion failures into a gate failure', async () => {
    const r = await run(withContract({ columns: COLUMNS, mistyped: 'fail' }), { files: { 'data.csv': CSV } });
    expect(r.manifest.outcome).toBe('gate_failed');
    expect(r.manifest.errors[0]).toBe('node "c" (schema_contract), field "columns": contract violated: 2 row(s) have values that do not convert to the contract\'s types');
    const ok = await run(withContract({ columns: COLUMNS, mistyped: 'fail' }), { files: { 'data.csv': 'name,id,amount,note\nann,1,9.99,x\n' } });
    expectSucceeded(ok);
  });

  it('refuses an unknown type when the pipeline is checked', async () => {
    await expect(run(withContract({ columns: [{ name: 'id', type: 'BIGNUM' }] }), { files: { 'data.csv': CSV } })).rejects.toThrow(/nodes\[1\]\.config\.columns\[0\]\.type.*unknown type/);
  });
});
