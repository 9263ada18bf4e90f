// A filter over a view whose one reader counts every row it reads (an aggregate) takes its kept rows from that
// reader instead of reading its input once more to count them; its numbers must stay exact whatever the reader does.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Database } from '../../src/db/database.js';
import { aggregateNode } from '../../src/nodes/aggregate.js';
import { runPipeline } from '../../src/runtime/run.js';
import { chain, counts, expectSucceeded, parseCsv, run, tmpDir, writeFiles } from '../helpers.js';

const CSV = 'id,amount,status\n1,10,shipped\n2,5,cancelled\n3,7,\n4,12,pending\n5,x,shipped\n';

const filterThenAggregate = (aggregates: Record<string, unknown>[] = [{ fn: 'count', as: 'n' }]) =>
  chain([
    { id: 'src', kind: 'source.csv', config: { path: 'data.csv' } },
    { id: 'f', kind: 'filter', config: { expression: "status <> 'cancelled'", reason: 'cancelled orders are not revenue' } },
    { id: 'agg', kind: 'aggregate', config: { groupBy: ['status'], aggregates } },
    { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
  ]);

/** Every statement the run's databases answered with rows or a count, in order. */
function statements(): string[] {
  const seen: string[] = [];
  const rows = Database.prototype.rows;
  const count = Database.prototype.count;
  vi.spyOn(Database.prototype, 'rows').mockImplementation(function (this: Database, sql, params) {
    seen.push(sql);
    return rows.call(this, sql, params);
  });
  vi.spyOn(Database.prototype, 'count').mockImplementation(function (this: Database, sql, params) {
    seen.push(sql);
    return count.call(this, sql, params);
  });
  return seen;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('filter counted by its reader', () => {
  it('reads its input once: the aggregate counts what it kept, and the rest is filtered with the reason', async () => {
    const seen = statements();
    const r = await run(filterThenAggregate(), { files: { 'data.csv': CSV } });
    expectSucceeded(r);
    // No pass of its own over the input to count kept and dropped rows.
    expect(seen.filter((s) => / AS kept, /.test(s))).toEqual([]);
    expect(counts(r.metric('f'))).toEqual({ status: 'ok', rowsIn: 5, rowsOut: 3, quarantined: 0, filtered: 2 });
    expect(r.metric('f').passed).toBe(3);
    expect(r.metric('f').outputs).toEqual({ out: 3 });
    expect(r.metric('f').filterReason).toBe('cancelled orders are not revenue');
    expect(counts(r.metric('agg'))).toEqual({ status: 'ok', rowsIn: 3, rowsOut: 2, quarantined: 0, filtered: 0 });
    expect(parseCsv(r.read('out.csv'))).toEqual([['status', 'n'], ['pending', '1'], ['shipped', '2']]);
    // The journal (what a resume trusts) has the filter's exact numbers, before the aggregate's entry.
    const journal = fs.readFileSync(path.join(r.historyDir, r.manifest.runId, 'journal.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { t: string; nodeId?: string; metrics?: { rowsOut: number; filtered: number } });
    const nodes = journal.filter((e) => e.t === 'node');
    expect(nodes.map((e) => e.nodeId)).toEqual(['src', 'f', 'agg', 'out']);
    expect(nodes[1]?.metrics).toMatchObject({ rowsOut: 3, filtered: 2 });
  });

  it('when the aggregate fails, the filter is counted anyway and the aggregate still says what it was given', async () => {
    const r = await run(filterThenAggregate([{ fn: 'sum', column: 'nonsense', as: 's' }]), { files: { 'data.csv': CSV } });
    expect(r.manifest.outcome).toBe('failed');
    expect(counts(r.metric('f'))).toEqual({ status: 'ok', rowsIn: 5, rowsOut: 3, quarantined: 0, filtered: 2 });
    expect(r.metric('agg').status).toBe('failed');
    expect(r.metric('agg').rowsIn).toBe(3);
    expect(r.metric('out').status).toBe('skipped');
  });

  it('a reader that reports a wrong count fails the run under SLUICE_VERIFY_COUNTS, naming both nodes', async () => {
    expect(process.env['SLUICE_VERIFY_COUNTS']).toBe('1');
    const execute = aggregateNode.execute.bind(aggregateNode);
    vi.spyOn(aggregateNode, 'execute').mockImplementation(async (ctx, c) => ({ ...(await execute(ctx, c)), passed: 4, inputRowsRead: { in: 4 } }));
    const r = await run(filterThenAggregate(), { files: { 'data.csv': CSV } });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.metric('f').status).toBe('failed');
    expect(r.manifest.errors.join('\n')).toMatch(/node "agg" reported reading 4 rows on input "in" from output "out" of node "f", which holds 3/);
    expect(r.metric('agg').status).toBe('failed');
    expect(r.metric('agg').error).toMatch(/not finished: node "f", whose rows this node counted, failed/);
  });

  it('when a time limit stops the aggregate, the filter is not read again to count it, and says why', async () => {
    const seen = statements();
    vi.spyOn(aggregateNode, 'execute').mockImplementation(
      (ctx) =>
        new Promise((_, reject) => {
          ctx.signal.addEventListener('abort', () => reject(new Error('INTERRUPT Error: Interrupted!')), { once: true });
        }),
    );
    const baseDir = tmpDir();
    writeFiles(baseDir, { 'data.csv': CSV });
    const m = await runPipeline({ pipeline: filterThenAggregate(), baseDir, historyDir: tmpDir(), staticChecks: false, limits: { nodeTimeoutSeconds: 0.3 } });
    expect(m.outcome).toBe('failed');
    expect(m.nodes.find((n) => n.nodeId === 'agg')?.error).toMatch(/time limit/);
    expect(m.nodes.find((n) => n.nodeId === 'f')).toMatchObject({ status: 'failed', error: expect.stringMatching(/its rows were not counted: the time limit ran out before the node reading them finished/) as unknown });
    expect(seen.filter((x) => x.includes('"n_f__out"'))).toEqual([]);
  });

  it('counts its own rows when an anomaly gate judges it (the gate must stop the run before the aggregate)', async () => {
    const seen = statements();
    const p = { ...filterThenAggregate(), ops: { anomaly: { window: 5, checks: [{ node: 'f', metric: 'rows' }] } } };
    const r = await run(p, { files: { 'data.csv': CSV } });
    expectSucceeded(r);
    expect(seen.filter((s) => / AS kept, /.test(s))).toHaveLength(1);
    expect(counts(r.metric('f'))).toEqual({ status: 'ok', rowsIn: 5, rowsOut: 3, quarantined: 0, filtered: 2 });
  });
});

describe('filter counted by a file sink', () => {
  it('a Parquet sink counts the rows its COPY wrote: no count pass, the same numbers and file', async () => {
    const seen = statements();
    const p = chain([
      { id: 'src', kind: 'source.csv', config: { path: 'data.csv' } },
      { id: 'f', kind: 'filter', config: { expression: 'TRY_CAST(amount AS INTEGER) >= 7' } },
      { id: 'out', kind: 'sink.parquet', config: { path: 'out.parquet' } },
    ]);
    const r = await run(p, { files: { 'data.csv': CSV } });
    expectSucceeded(r);
    expect(seen.filter((s) => / AS kept, /.test(s))).toEqual([]);
    expect(counts(r.metric('f'))).toEqual({ status: 'ok', rowsIn: 5, rowsOut: 3, quarantined: 0, filtered: 2 });
    expect(r.metric('f').filterReason).toBe('not (TRY_CAST(amount AS INTEGER) >= 7)');
    expect(counts(r.metric('out'))).toEqual({ status: 'ok', rowsIn: 3, rowsOut: 0, quarantined: 0, filtered: 0 });
    expect(r.metric('out').passed).toBe(3);
  });
});
