// join: left rows are accounted one by one. Matched rows pass (and may fan out), unmatched rows of an inner join
// are quarantined or filtered; the right input is a reference and is not counted as consumed.
import { describe, expect, it } from 'vitest';
import { counts, expectSucceeded, parseCsv, pipeline, run } from '../helpers.js';

const ORDERS = 'order_id,customer_id,amount\n1,c1,10\n2,c2,20\n3,c9,30\n4,,40\n5,c3,50\n';
const CUSTOMERS = 'customer_id,name\nc1,Ann\nc2,Bob\nc3,Cid\nc3,Cid (dup)\nc4,Dee\n';

const withJoin = (config: Record<string, unknown>, customers = CUSTOMERS) => ({
  p: pipeline(
    [
      { id: 'orders', kind: 'source.csv', config: { path: 'orders.csv' } },
      { id: 'customers', kind: 'source.csv', config: { path: 'customers.csv' } },
      { id: 'j', kind: 'join', config },
      { id: 'out', kind: 'sink.csv', config: { path: 'out.csv', includeLineage: true } },
    ],
    ['orders -> j.left', 'customers -> j.right', 'j -> out'],
  ),
  files: { 'orders.csv': ORDERS, 'customers.csv': customers },
});

const on = [{ left: 'customer_id', right: 'customer_id' }];

describe('join', () => {
  it('inner join: matched rows pass (fanning out), unmatched left rows are quarantined with the row', async () => {
    const { p, files } = withJoin({ type: 'inner', on });
    const r = await run(p, { files });
    expectSucceeded(r);
    const m = r.metric('j');
    // 5 left rows: 3 match (order 5 matches two customers), 2 do not (c9 and NULL).
    expect(counts(m)).toEqual({ status: 'warning', rowsIn: 5, rowsOut: 4, quarantined: 2, filtered: 0 });
    expect(m.passed).toBe(3);
    const rows = parseCsv(r.read('out.csv'));
    expect(rows[0]).toEqual(['__lineage', 'order_id', 'customer_id', 'amount', 'name']);
    // Output follows left input order; the order of a fan-out's rows is not specified.
    expect(rows.slice(1).sort((a, b) => `${a[0]}|${a[4]}`.localeCompare(`${b[0]}|${b[4]}`))).toEqual([
      ['orders:orders.csv:2', '1', 'c1', '10', 'Ann'],
      ['orders:orders.csv:3', '2', 'c2', '20', 'Bob'],
      ['orders:orders.csv:6', '5', 'c3', '50', 'Cid'],
      ['orders:orders.csv:6', '5', 'c3', '50', 'Cid (dup)'],
    ]);
    expect(rows.slice(1).map((x) => x[1])).toEqual(['1', '2', '5', '5']);
    const q = await r.quarantine('j');
    expect(q.entries.map((e) => [e.lineage, e.sourceLine, e.ruleIds, e.reasons, e.row])).toEqual([
      ['orders:orders.csv:4', 4, ['no_match'], ['no match in the right input on customer_id=customer_id'], '{"order_id":"3","customer_id":"c9","amount":"30"}'],
      ['orders:orders.csv:5', 5, ['no_match'], ['no match in the right input on customer_id=customer_id'], '{"order_id":"4","customer_id":null,"amount":"40"}'],
    ]);
    expect(counts(r.metric('customers'))).toMatchObject({ rowsOut: 5 });
  });

  it('inner join with unmatched "filter": the unmatched rows are counted as filtered with the reason', async () => {
    const { p, files } = withJoin({ type: 'inner', on, unmatched: 'filter' });
    const r = await run(p, { files });
    expectSucceeded(r);
    expect(counts(r.metric('j'))).toEqual({ status: 'ok', rowsIn: 5, rowsOut: 4, quarantined: 0, filtered: 2 });
    expect(r.metric('j').filterReason).toBe('no match in the right input on customer_id=customer_id');
  });

  it('left join: every left row passes; unmatched ones get NULLs', async () => {
    const { p, files } = withJoin({ type: 'left', on });
    const r = await run(p, { files });
    expectSucceeded(r);
    expect(counts(r.metric('j'))).toEqual({ status: 'ok', rowsIn: 5, rowsOut: 6, quarantined: 0, filtered: 0 });
    expect(r.metric('j').passed).toBe(5);
    const rows = parseCsv(r.read('out.csv')).slice(1);
    expect(rows.filter((x) => x[1] === '3')).toEqual([['orders:orders.csv:4', '3', 'c9', '30', '']]);
    expect(rows.filter((x) => x[1] === '4')).toEqual([['orders:orders.csv:5', '4', '', '40', '']]);
  });

  it('anti join: left rows without a match pass; matched rows are filtered', async () => {
    const { p, files } = withJoin({ type: 'anti', on });
    const r = await run(p, { files });
    expectSucceeded(r);
    expect(counts(r.metric('j'))).toEqual({ status: 'ok', rowsIn: 5, rowsOut: 2, quarantined: 0, filtered: 3 });
    expect(r.metric('j').filterReason).toBe('has a match in the right input (anti join)');
    expect(parseCsv(r.read('out.csv'))).toEqual([
      ['__lineage', 'order_id', 'customer_id', 'amount'],
      ['orders:orders.csv:4', '3', 'c9', '30'],
      ['orders:orders.csv:5', '4', '', '40'],
    ]);
  });

  it('a column on both sides needs rightPrefix, which renames the right one', async () => {
    const clash = withJoin({ type: 'inner', on }, 'customer_id,amount\nc1,1\nc2,2\nc3,3\nc9,9\nc5,5\n');
    const r = await run(clash.p, { files: clash.files });
    expect(r.manifest.errors[0]).toBe('node "j" (join), field "rightPrefix": column "amount" exists on both sides; set "rightPrefix" to rename the right one');
    const ok = withJoin({ type: 'inner', on, rightPrefix: 'c_' }, 'customer_id,amount\nc1,1\nc2,2\nc3,3\nc9,9\nc5,5\n');
    const r2 = await run(ok.p, { files: ok.files });
    expectSucceeded(r2);
    expect(parseCsv(r2.read('out.csv'))[0]).toEqual(['__lineage', 'order_id', 'customer_id', 'amount', 'c_amount']);
    expect(counts(r2.metric('j'))).toMatchObject({ rowsIn: 5, rowsOut: 4, quarantined: 1 });
  });

  it('joins on several keys and names a missing key column', async () => {
    const { p, files } = withJoin({ type: 'inner', on: [{ left: 'customer_id', right: 'cust' }] });
    const r = await run(p, { files });
    expect(r.manifest.errors[0]).toMatch(/^node "j" \(join\), field "on": "on" names column "cust", which the input does not have \(it has customer_id, name\)/);
  });
});
