// A join answers with a view when few readers compute it again, and with a table otherwise; either way its rows
// reach order-dependent readers (a sink, a keep-first unique rule) in the left input's order, and every count
// reconciles. The right input is much larger than the left, so DuckDB builds its hash table on the left rows and
// an unsorted join would come out in the right input's order, not the left's.
import { describe, expect, it } from 'vitest';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { kindOf } from '../src/nodes/registry.js';
import type { Database } from '../src/db/database.js';
import { computeOrderMatters, indexGraph, viewPays, type GraphRun } from '../src/runtime/execution/execute-graph.js';
import { counts, expectSucceeded, parseCsv, pipeline, run } from './helpers.js';

// Left order: c5, c3, c1, c4, c2, c9999 (no customer), c1 again; `code` repeats (x twice, y twice).
const ORDERS = 'id,customer_id,code,amount\n1,c5,x,10\n2,c3,y,20\n3,c1,x,30\n4,c4,z,40\n5,c2,y,50\n6,c9999,w,60\n7,c1,v,70\n';
const CUSTOMERS = `customer_id,segment\n${Array.from({ length: 3000 }, (_, i) => `c${i + 1},${i % 2 === 0 ? 'retail' : 'trade'}`).join('\n')}\n`;
const FILES = { 'orders.csv': ORDERS, 'customers.csv': CUSTOMERS };
const SOURCES = [
  { id: 'orders', kind: 'source.csv', config: { path: 'orders.csv', types: { amount: 'INTEGER' } } },
  { id: 'customers', kind: 'source.csv', config: { path: 'customers.csv' } },
];
const JOIN = { id: 'enrich', kind: 'join', config: { type: 'inner', on: [{ left: 'customer_id', right: 'customer_id' }], unmatched: 'quarantine' } };

describe('a join read through a view', () => {
  it('reaches a sink in the left order and an aggregate in full, with every row accounted for', async () => {
    const p = pipeline(
      [
        ...SOURCES,
        JOIN,
        { id: 'write', kind: 'sink.csv', config: { path: 'out/joined.csv' } },
        { id: 'big', kind: 'derive', config: { columns: [{ name: 'big', expression: 'amount >= 30' }] } },
        { id: 'sums', kind: 'aggregate', config: { groupBy: ['segment', 'big'], aggregates: [{ fn: 'count', as: 'n' }, { fn: 'sum', column: 'amount', as: 'total' }] } },
        { id: 'write_sums', kind: 'sink.csv', config: { path: 'out/sums.csv' } },
      ],
      ['orders -> enrich.left', 'customers -> enrich.right', 'enrich -> write', 'enrich -> big', 'big -> sums', 'sums -> write_sums'],
    );
    const r = await run(p, { files: FILES });
    expectSucceeded(r);
    const rows = parseCsv(r.read('out/joined.csv'));
    expect(rows[0]).toEqual(['id', 'customer_id', 'code', 'amount', 'segment']);
    // The left input's order (1..7 less the unmatched 6), not the customers' (c1, c1, c2, c3, ...).
    expect(rows.slice(1).map((x) => x[0])).toEqual(['1', '2', '3', '4', '5', '7']);
    expect(rows.slice(1).map((x) => x[4])).toEqual(['retail', 'retail', 'retail', 'trade', 'trade', 'retail']);
    const j = r.metric('enrich');
    expect({ rowsIn: j.rowsIn, rowsOut: j.rowsOut, passed: j.passed, quarantined: j.quarantined }).toEqual({ rowsIn: 7, rowsOut: 6, passed: 6, quarantined: 1 });
    expect((await r.quarantine('enrich')).entries.map((e) => e.sourceLine)).toEqual([7]);
    expect(r.metric('write').rowsIn).toBe(6);
    expect(r.metric('write').passed).toBe(6);
    const sums = parseCsv(r.read('out/sums.csv')).slice(1).map((x) => x.join(' ')).sort();
    // retail: ids 1 (10), 2 (20), 3 (30), 7 (70); trade: 4 (40), 5 (50).
    expect(sums).toEqual(['retail false 2 30', 'retail true 2 100', 'trade true 2 90']);
  });

  it('gives a keep-first unique rule after it the rows in left order, even when only an aggregate follows', async () => {
    const p = pipeline(
      [
        ...SOURCES,
        JOIN,
        { id: 'rules', kind: 'validate', config: { rules: [{ id: 'code_unique', type: 'unique', column: 'code', keep: 'first' }] } },
        { id: 'count', kind: 'aggregate', config: { groupBy: ['code'], aggregates: [{ fn: 'min', column: 'id', as: 'first_id' }] } },
        { id: 'write', kind: 'sink.csv', config: { path: 'out/codes.csv' } },
      ],
      ['orders -> enrich.left', 'customers -> enrich.right', 'enrich -> rules', 'rules.valid -> count', 'count -> write'],
    );
    const r = await run(p, { files: FILES });
    expectSucceeded(r);
    // x first occurs at id 1 (c5) and y at id 2 (c3): their later occurrences (ids 3 and 5, lines 4 and 6) fail.
    // In the customers' order (c1, c2, c3, ...) ids 3 and 5 would have come first and passed instead.
    expect((await r.quarantine('rules')).entries.map((e) => e.sourceLine).sort()).toEqual([4, 6]);
    const codes = parseCsv(r.read('out/codes.csv')).slice(1).map((x) => x.join(' ')).sort();
    expect(codes).toEqual(['v 7', 'x 1', 'y 2', 'z 4']);
  });
});

describe('the choice between a view and a table', () => {
  function decide(edges: string[], setup: Partial<GraphRun> = {}): { view: boolean; ordered: boolean } {
    const nodes = [
      ...SOURCES,
      JOIN,
      { id: 's1', kind: 'sink.csv' },
      { id: 's2', kind: 'sink.csv' },
      { id: 's3', kind: 'sink.csv' },
      { id: 's4', kind: 'sink.csv' },
      { id: 'd', kind: 'derive' },
      { id: 'f', kind: 'filter' },
      { id: 'a', kind: 'aggregate' },
      { id: 'v', kind: 'validate', config: { rules: [{ id: 'u', type: 'unique', column: 'code', keep: 'none' }] } },
      { id: 'dd', kind: 'deduplicate', config: { keys: ['code'] } },
    ];
    const p = pipeline(nodes, ['orders -> enrich.left', 'customers -> enrich.right', ...edges]) as unknown as Pipeline;
    const used = new Set(p.edges.flatMap((e) => [e.from.node, e.to.node]));
    const order = p.nodes.map((n) => n.id).filter((id) => used.has(id));
    // Deciding reads only the graph and the kinds, never the database.
    const o: GraphRun = { kindOf, db: undefined as unknown as Database, tableName: (n, port) => `${n}__${port}`, dropConsumed: true, ...setup };
    const g = indexGraph(p, order);
    computeOrderMatters(o, g, order);
    return { view: viewPays(o, g, 'enrich', 'out'), ordered: g.orderMatters.get('enrich') ?? true };
  }

  it('a view for a sink and a derive feeding an aggregate, sorted for the sink', () => {
    expect(decide(['enrich -> s1', 'enrich -> d', 'd -> a'])).toEqual({ view: true, ordered: true });
  });

  it('an unsorted view when only an aggregate reads it', () => {
    expect(decide(['enrich -> a'])).toEqual({ view: true, ordered: false });
  });

  it('a table when more readers than MAX_VIEW_READS would compute it again, counting through row-wise views', () => {
    expect(decide(['enrich -> s1', 'enrich -> s2', 'enrich -> s3', 'enrich -> s4'])).toMatchObject({ view: false });
    expect(decide(['enrich -> d', 'd -> s1', 'd -> s2', 'd -> f', 'f -> s3', 'f -> s4'])).toMatchObject({ view: false });
    expect(decide(['enrich -> d', 'd -> f', 'f -> s1'])).toMatchObject({ view: true });
  });

  it('a table when a reader needs one, in a preview, and when every output is checkpointed', () => {
    // A deduplicate needs its input stored (tableInputs); a validate stores its input in the pass that judges it
    // (validate-pass.ts), so it reads a view once, in order when its rules depend on order.
    expect(decide(['enrich -> dd', 'dd -> s1'])).toMatchObject({ view: false });
    expect(decide(['enrich -> v', 'v.valid -> s1'])).toEqual({ view: true, ordered: true });
    expect(decide(['enrich -> s1'], { dropConsumed: false })).toEqual({ view: false, ordered: true });
    expect(decide(['enrich -> s1'], { keepTables: true })).toMatchObject({ view: false });
  });
});

describe('a union read through a view', () => {
  it('stacks its inputs for a sink and an aggregate, with every row accounted for', async () => {
    const p = pipeline(
      [
        { id: 'a', kind: 'source.csv', config: { path: 'a.csv', types: { n: 'INTEGER' } } },
        { id: 'b', kind: 'source.csv', config: { path: 'b.csv', types: { n: 'INTEGER' } } },
        // Sorted first, so the union stacks stored tables (over views it stores: see union.ts).
        { id: 'sa', kind: 'sort', config: { by: [{ column: 'n' }] } },
        { id: 'sb', kind: 'sort', config: { by: [{ column: 'n' }] } },
        { id: 'both', kind: 'union' },
        { id: 'write', kind: 'sink.csv', config: { path: 'out/both.csv' } },
        { id: 'sums', kind: 'aggregate', config: { groupBy: ['k'], aggregates: [{ fn: 'sum', column: 'n', as: 'total' }, { fn: 'count', as: 'rows' }] } },
        { id: 'write_sums', kind: 'sink.csv', config: { path: 'out/sums.csv' } },
      ],
      ['a -> sa', 'b -> sb', 'sa -> both', 'sb -> both', 'both -> write', 'both -> sums', 'sums -> write_sums'],
    );
    const r = await run(p, { files: { 'a.csv': 'k,n\nx,1\ny,2\nx,3\n', 'b.csv': 'n,k,extra\n10,y,e1\n20,z,e2\n' } });
    expectSucceeded(r);
    const rows = parseCsv(r.read('out/both.csv'));
    expect(rows[0]).toEqual(['k', 'n', 'extra']);
    expect(rows.slice(1).map((x) => x.join(' ')).sort()).toEqual(['x 1 ', 'x 3 ', 'y 10 e1', 'y 2 ', 'z 20 e2']);
    const u = r.metric('both');
    expect({ rowsIn: u.rowsIn, rowsOut: u.rowsOut, passed: u.passed }).toEqual({ rowsIn: 5, rowsOut: 5, passed: 5 });
    expect(r.metric('write').passed).toBe(5);
    expect(parseCsv(r.read('out/sums.csv')).slice(1).map((x) => x.join(' ')).sort()).toEqual(['x 4 2', 'y 12 2', 'z 20 1']);
  });
});

describe('a sort read through a view', () => {
  it('streams sorted rows into its one reader, a sink, with every row accounted for', async () => {
    const p = pipeline(
      [
        { id: 'a', kind: 'source.csv', config: { path: 'a.csv', types: { n: 'INTEGER' } } },
        { id: 'sorted', kind: 'sort', config: { by: [{ column: 'k' }, { column: 'n', descending: true }] } },
        { id: 'write', kind: 'sink.csv', config: { path: 'out/sorted.csv' } },
      ],
      ['a -> sorted', 'sorted -> write'],
    );
    const r = await run(p, { files: { 'a.csv': 'k,n\ny,1\nx,2\nz,3\nx,4\ny,5\n' } });
    expectSucceeded(r);
    expect(parseCsv(r.read('out/sorted.csv')).slice(1).map((x) => x.join(' '))).toEqual(['x 4', 'x 2', 'y 5', 'y 1', 'z 3']);
    expect(counts(r.metric('sorted'))).toEqual({ status: 'ok', rowsIn: 5, rowsOut: 5, quarantined: 0, filtered: 0 });
    expect(r.metric('write').passed).toBe(5);
  });

  it('is a view for one reader and a table for two', () => {
    const nodes = [{ id: 'src', kind: 'source.csv' }, { id: 'sorted', kind: 'sort' }, { id: 's1', kind: 'sink.csv' }, { id: 's2', kind: 'sink.csv' }];
    const decideSort = (edges: string[]): boolean => {
      const p = pipeline(nodes, ['src -> sorted', ...edges]) as unknown as Pipeline;
      const order = ['src', 'sorted', 's1', 's2'];
      const o: GraphRun = { kindOf, db: undefined as unknown as Database, tableName: (n, port) => `${n}__${port}`, dropConsumed: true };
      return viewPays(o, indexGraph(p, order), 'sorted', 'out', 1);
    };
    expect(decideSort(['sorted -> s1'])).toBe(true);
    expect(decideSort(['sorted -> s1', 'sorted -> s2'])).toBe(false);
  });
});
