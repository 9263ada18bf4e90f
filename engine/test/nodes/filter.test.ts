// filter: rows whose expression is not TRUE (false or NULL) are counted as filtered with the node's reason.
import { describe, expect, it } from 'vitest';
import { chain, counts, expectSucceeded, parseCsv, pipeline, run } from '../helpers.js';

const CSV = 'id,amount,status\n1,10,shipped\n2,5,cancelled\n3,7,\n4,12,pending\n5,x,shipped\n';

const withFilter = (config: Record<string, unknown>) =>
  chain([
    { id: 'src', kind: 'source.csv', config: { path: 'data.csv' } },
    { id: 'f', kind: 'filter', config },
    { id: 'out', kind: 'sink.csv', config: { path: 'out.csv', includeLineage: true } },
  ]);

describe('filter', () => {
  it('keeps rows where the expression is TRUE; false and NULL are filtered with the reason', async () => {
    const r = await run(withFilter({ expression: "status <> 'cancelled'", reason: 'cancelled orders are not revenue' }), { files: { 'data.csv': CSV } });
    expectSucceeded(r);
    expect(counts(r.metric('f'))).toEqual({ status: 'ok', rowsIn: 5, rowsOut: 3, quarantined: 0, filtered: 2 });
    expect(r.metric('f').passed).toBe(3);
    expect(r.metric('f').filterReason).toBe('cancelled orders are not revenue');
    expect(parseCsv(r.read('out.csv')).map((x) => x[0])).toEqual(['__lineage', 'src:data.csv:2', 'src:data.csv:5', 'src:data.csv:6']);
  });

  it('leaves its input whole when another node reads it too, with the same result as alone', async () => {
    const expression = "status <> 'cancelled'";
    const alone = await run(withFilter({ expression }), { files: { 'data.csv': CSV } });
    const shared = await run(
      pipeline(
        [
          { id: 'src', kind: 'source.csv', config: { path: 'data.csv' } },
          { id: 'f', kind: 'filter', config: { expression } },
          { id: 'out', kind: 'sink.csv', config: { path: 'out.csv', includeLineage: true } },
          { id: 'all', kind: 'sink.csv', config: { path: 'all.csv' } },
        ],
        ['src -> f', 'f -> out', 'src -> all'],
      ),
      { files: { 'data.csv': CSV } },
    );
    expectSucceeded(shared);
    expect(shared.read('out.csv')).toBe(alone.read('out.csv'));
    expect(counts(shared.metric('f'))).toEqual(counts(alone.metric('f')));
    expect(parseCsv(shared.read('all.csv'))).toHaveLength(6);
  });

  it('without a reason, the expression itself is the reason', async () => {
    const r = await run(withFilter({ expression: 'TRY_CAST(amount AS INTEGER) >= 10' }), { files: { 'data.csv': CSV } });
    expectSucceeded(r);
    expect(counts(r.metric('f'))).toMatchObject({ rowsIn: 5, rowsOut: 2, filtered: 3 });
    expect(r.metric('f').filterReason).toBe('not (TRY_CAST(amount AS INTEGER) >= 10)');
    expect(parseCsv(r.read('out.csv')).slice(1).map((x) => x[1])).toEqual(['1', '4']);
  });

  it('a filter that drops nothing reports no reason; one that drops everything writes an empty output', async () => {
    const all = await run(withFilter({ expression: 'true' }), { files: { 'data.csv': CSV } });
    expect(counts(all.metric('f'))).toMatchObject({ rowsOut: 5, filtered: 0 });
    expect(all.metric('f').filterReason).toBeUndefined();
    const none = await run(withFilter({ expression: 'false' }), { files: { 'data.csv': CSV } });
    expectSucceeded(none);
    expect(counts(none.metric('f'))).toMatchObject({ rowsOut: 0, filtered: 5 });
    expect(none.read('out.csv')).toBe('__lineage,id,amount,status\n');
  });

  it('reports an invalid expression naming the node and field', async () => {
    const r = await run(withFilter({ expression: 'amount >' }), { files: { 'data.csv': CSV } });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.errors[0]).toMatch(/^node "f" \(filter\), field "expression": invalid expression\b/);
  });

  it('says where in the expression the parser stopped, counted in the expression itself', async () => {
    const r = await run(withFilter({ expression: 'amount > > 1' }), { files: { 'data.csv': CSV } });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.errors[0]).toMatch(/syntax error at or near ">" at character 10$/);
  });

  it('reports an unknown column naming the node', async () => {
    const r = await run(withFilter({ expression: 'amont > 1' }), { files: { 'data.csv': CSV } });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.errors[0]).toMatch(/^node "f" \(filter\)/);
    expect(r.manifest.errors[0]).toMatch(/amont/);
  });

  it.each([
    ['a breakout into another query', '1) FROM n_src__out WHERE (1'],
    ['a second statement', "true) FROM __sluice_input; DROP TABLE n_src__out; SELECT (1"],
    ['a subquery over an engine table', 'id IN (SELECT id FROM n_src__out)'],
    ['reading a file', "length(read_text('/etc/passwd')) > 0"],
    ['reading a file through a subquery', "id IN (SELECT content FROM read_text('/etc/passwd'))"],
    ['reading the environment', "getenv('HOME') IS NOT NULL"],
    ['reading settings', "current_setting('allowed_directories') IS NOT NULL"],
  ])('refuses %s', async (_what, expression) => {
    const r = await run(withFilter({ expression }), { files: { 'data.csv': CSV } });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.metric('f').status).toBe('failed');
    expect(r.manifest.errors[0]).toMatch(/^node "f" \(filter\), field "expression": /);
    expect(r.exists('out.csv')).toBe(false);
  });
});
