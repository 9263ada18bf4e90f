// Row counts a node reports for its outputs (ExecResult.outputRows): the runtime trusts them for views instead of
// reading the view again, so a wrong report must never pass unnoticed where it is checked (SLUICE_VERIFY_COUNTS=1,
// which the test suite sets), and a run without the check must give the same numbers without those reads.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NodeKind } from '../src/nodes/types.js';
import { kindOf } from '../src/nodes/registry.js';
import { Database } from '../src/db/database.js';
import { executePipeline } from '../src/runtime/execution/execute.js';
import { preparePipeline } from '../src/runtime/run.js';
import { tmpDir } from './helpers.js';

let db: Database;
let baseDir: string;
let workDir: string;
const verifying = process.env['SLUICE_VERIFY_COUNTS'];

beforeAll(async () => {
  baseDir = tmpDir('sluice-outrows-base-');
  workDir = tmpDir('sluice-outrows-work-');
  fs.mkdirSync(path.join(workDir, 'tmp'));
  db = await Database.open({ allowedDirs: [baseDir, workDir], tempDir: path.join(workDir, 'tmp'), threads: 1 });
  // 10 records: one malformed line (quarantined by the scan), one amount that is not a number (quarantined by
  // the declared type), one blank line (filtered), and 7 good rows.
  fs.writeFileSync(path.join(baseDir, 'in.csv'), ['id,amount', '1,10', '2,x', '3,30', '4,"40', '', '5,50', '6,60', '7,70', '8,80', '9,90'].join('\n') + '\n');
});

afterAll(() => db?.close());
afterEach(() => {
  if (verifying === undefined) delete process.env['SLUICE_VERIFY_COUNTS'];
  else process.env['SLUICE_VERIFY_COUNTS'] = verifying;
});

const doc = {
  version: 1,
  name: 'output rows',
  nodes: [
    { id: 'src', kind: 'source.csv', config: { path: 'in.csv', types: { amount: 'INTEGER' }, multiline: false }, position: { x: 0, y: 0 } },
    { id: 'der', kind: 'derive', config: { columns: [{ name: 'twice', expression: 'amount * 2' }] }, position: { x: 1, y: 0 } },
    { id: 'flt', kind: 'filter', config: { expression: 'amount >= 50' }, position: { x: 2, y: 0 } },
    { id: 'sel', kind: 'select', config: { columns: [{ name: 'id' }, { name: 'twice' }] }, position: { x: 3, y: 0 } },
  ],
  edges: [
    { from: { node: 'src', port: 'out' }, to: { node: 'der', port: 'in' } },
    { from: { node: 'der', port: 'out' }, to: { node: 'flt', port: 'in' } },
    { from: { node: 'flt', port: 'out' }, to: { node: 'sel', port: 'in' } },
  ],
};

async function execute(kinds: (k: string) => NodeKind | undefined = kindOf, d: Record<string, unknown> = doc) {
  const pipeline = preparePipeline(d, {});
  const counted: string[] = [];
  const count = db.count.bind(db);
  db.count = (sql, params) => {
    counted.push(sql);
    return count(sql, params);
  };
  try {
    const res = await executePipeline({ pipeline, kindOf: kinds, db, baseDir, roots: [baseDir], workDir, tableName: (id, port) => `t_${id}__${port}` });
    return { res, counted };
  } finally {
    db.count = count;
  }
}

describe('reported output rows', () => {
  it('a chain of views over a CSV source is counted without reading any view again, with the same numbers as counting', async () => {
    process.env['SLUICE_VERIFY_COUNTS'] = '1';
    const checked = await execute();
    expect(checked.res.errors).toEqual([]);
    delete process.env['SLUICE_VERIFY_COUNTS'];
    const trusted = await execute();
    expect(trusted.res.errors).toEqual([]);
    const numbers = (r: typeof trusted) => r.res.metrics.map((m) => ({ id: m.nodeId, in: m.rowsIn, out: m.outputs, q: m.quarantined, f: m.filtered }));
    expect(numbers(trusted)).toEqual(numbers(checked));
    expect(numbers(trusted)).toEqual([
      { id: 'src', in: 10, out: { out: 7 }, q: 2, f: 1 },
      { id: 'der', in: 7, out: { out: 7 }, q: 0, f: 0 },
      { id: 'flt', in: 7, out: { out: 5 }, q: 0, f: 2 },
      { id: 'sel', in: 5, out: { out: 5 }, q: 0, f: 0 },
    ]);
    // Every output here is a view (re-reading the clean copy to count it), and each node reported its rows.
    for (const id of ['src', 'der', 'flt', 'sel']) expect(await db.relationKind(`t_${id}__out`)).toBe('view');
    expect(checked.counted.filter((s) => /^SELECT count\(\*\) FROM "t_\w+__out"$/.test(s))).toHaveLength(4);
    expect(trusted.counted.filter((s) => /^SELECT count\(\*\) FROM "t_\w+__out"$/.test(s))).toEqual([]);
  });

  it('a node that reports a wrong count fails, as an engine fault, when counts are verified', async () => {
    process.env['SLUICE_VERIFY_COUNTS'] = '1';
    const derive = kindOf('derive') as NodeKind;
    const liar: NodeKind = {
      ...derive,
      async execute(ctx, c) {
        const r = await derive.execute(ctx, c);
        return { ...r, outputRows: { out: (r.outputRows?.['out'] ?? 0) + 1 } };
      },
    };
    const { res } = await execute((k) => (k === 'derive' ? liar : kindOf(k)));
    expect(res.metrics.find((m) => m.nodeId === 'der')?.status).toBe('failed');
    expect(res.faults.map((f) => f.nodeId)).toEqual(['der']);
    expect(res.faults[0]?.detail).toContain('reported 8 rows on output "out", which holds 7');
  });

  it('a file sink over a view takes its count from what COPY wrote, not from reading the view first', async () => {
    delete process.env['SLUICE_VERIFY_COUNTS'];
    const sunk = {
      ...doc,
      nodes: [...doc.nodes, { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' }, position: { x: 4, y: 0 } }],
      edges: [...doc.edges, { from: { node: 'sel', port: 'out' }, to: { node: 'out', port: 'in' } }],
    };
    const { res, counted } = await execute(kindOf, sunk);
    expect(res.errors).toEqual([]);
    expect(res.metrics.find((m) => m.nodeId === 'out')).toMatchObject({ rowsIn: 5, passed: 5, quarantined: 0, filtered: 0 });
    expect(fs.readFileSync(path.join(baseDir, 'out.csv'), 'utf8').trim().split('\n')).toEqual(['id,twice', '5,100', '6,120', '7,140', '8,160', '9,180']);
    // No statement counted a whole view (each would have re-read the CSV source's clean copy).
    expect(counted.filter((s) => /^SELECT count\(\*\) FROM "t_\w+__out"$/.test(s))).toEqual([]);
  });
});
