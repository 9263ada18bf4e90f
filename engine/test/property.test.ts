// Property: nothing is lost. Random dirty CSV (ragged rows, stray quotes, NUL bytes, bad UTF-8, blank lines,
// CRLF, non-numeric values) goes through a random chain of filter / derive / validate / deduplicate / cast nodes.
// For every case: every node balances, the source reads every physical line, every input line ends up exactly
// once in the output, a quarantine or a filter count, and the output equals a plain JavaScript evaluation of the
// same chain.
//
// Runs reuse one locked-down DuckDB (the engine's own Database) and call the executor directly, so a case
// costs a few DuckDB statements per node, not a process or a database. SLUICE_PROPERTY_RUNS sets the number
// of cases (default 200; CI uses 1000).
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeMetrics } from '@sluice/format/api/contract';
import { kindOf } from '../src/nodes/registry.js';
import { Database } from '../src/db/database.js';
import { executePipeline } from '../src/runtime/execution/execute.js';
import { preparePipeline } from '../src/runtime/run.js';
import { tmpDir } from './helpers.js';
import { lineArb, renderCsv, stepArb, stepNode, type Line, type Step } from './property/cases.js';
import { lineageOf, modelSource, modelStep, str, type NodeModel } from './property/model.js';

const RUNS = Number(process.env['SLUICE_PROPERTY_RUNS'] ?? 200);

// ---------------------------------------------------------------------------------------------------------------

let db: Database;
let baseDir: string;
let workDir: string;
let execMs = 0;
let nodeCount = 0;

beforeAll(async () => {
  baseDir = tmpDir('sluice-prop-base-');
  workDir = tmpDir('sluice-prop-work-');
  fs.mkdirSync(path.join(workDir, 'tmp'));
  db = await Database.open({ allowedDirs: [baseDir, workDir], tempDir: path.join(workDir, 'tmp'), threads: 1 });
});

afterAll(() => {
  db?.close();
});

async function checkCase(files: { lines: Line[]; crlf: boolean }[], steps: Step[]): Promise<void> {
  const inDir = path.join(baseDir, 'in');
  fs.rmSync(inDir, { recursive: true, force: true });
  fs.mkdirSync(inDir);
  files.forEach((f, i) => fs.writeFileSync(path.join(inDir, `f${i}.csv`), renderCsv(f.lines, f.crlf)));
  const nodes = [{ id: 's', kind: 'source.csv', config: { path: 'in/*.csv' } }, ...steps.map((s, i) => stepNode(s, `n${i}`))];
  const outPort = (kind: string): string => (kind === 'validate' ? 'valid' : 'out');
  const edges = nodes.slice(1).map((n, i) => ({ from: { node: (nodes[i] as { id: string }).id, port: outPort((nodes[i] as { kind: string }).kind) }, to: { node: n.id, port: 'in' } }));
  const pipeline = preparePipeline({ version: 1, name: 'property', nodes, edges }, {});
  // Fixed table names: the executor replaces a node's tables each time it runs, so cases need no clean-up.
  const table = (id: string, port: string) => `p_${id}__${port}`;
  const t0 = performance.now();
  const res = await executePipeline({ pipeline, kindOf, db, baseDir, roots: [baseDir], workDir, tableName: table });
  execMs += performance.now() - t0;
  nodeCount += nodes.length;
  expect(res.errors).toEqual([]);

  // The model, node by node.
  const models: NodeModel[] = [modelSource(files.map((f) => f.lines))];
  let cols = ['id', 'a', 'b', 'n'];
  for (const s of steps) {
    const r = modelStep(s, (models[models.length - 1] as NodeModel).out, cols);
    models.push(r.m);
    cols = r.cols;
  }

  // What the engine did, in three queries: quarantines, filtered rows (input rows that are neither output nor
  // quarantined) and the final output.
  const outOf = (i: number): string => {
    const n = nodes[i] as { id: string; kind: string };
    return `"${table(n.id, outPort(n.kind))}"`;
  };
  const qOf = (i: number): string => `"${table((nodes[i] as { id: string }).id, '__q')}"`;
  const qRows = await db.rows(
    nodes.map((_, i) => `SELECT ${i} AS i, lineage, array_to_string(rule_ids, '|') AS rules FROM ${qOf(i)}`).join(' UNION ALL ') + ' ORDER BY i, lineage',
  );
  const fRows =
    nodes.length > 1
      ? await db.rows(
          nodes
            .slice(1)
            .map((_, j) => `SELECT ${j + 1} AS i, __lineage AS l FROM ${outOf(j)} WHERE __lineage NOT IN (SELECT __lineage FROM ${outOf(j + 1)}) AND __lineage NOT IN (SELECT lineage FROM ${qOf(j + 1)})`)
            .join(' UNION ALL ') + ' ORDER BY i, l',
        )
      : [];
  // The last node may have answered with a view (derive, select); a view has no stored row order to read by.
  const last = nodes[nodes.length - 1] as { id: string; kind: string };
  await db.materialize(table(last.id, outPort(last.kind)));
  const out = await db.cells(`SELECT * REPLACE (${cols.map((c) => `CAST("${c}" AS VARCHAR) AS "${c}"`).join(', ')}) FROM ${outOf(nodes.length - 1)} ORDER BY rowid`);

  const byLineage = (x: { lineage: string }, y: { lineage: string }) => (x.lineage < y.lineage ? -1 : x.lineage > y.lineage ? 1 : 0);
  const seen: string[] = [];
  for (const [i, n] of nodes.entries()) {
    const metric = res.metrics.find((x) => x.nodeId === n.id) as NodeMetrics;
    const model = models[i] as NodeModel;
    // (a) every node balances: in = passed + quarantined + filtered.
    expect(metric.status === 'ok' || metric.status === 'warning', `${n.id} ${metric.error ?? ''}`).toBe(true);
    expect(metric.passed + metric.quarantined + metric.filtered, `${n.id} balances`).toBe(metric.rowsIn);
    // The engine's counts are the model's counts.
    expect({ node: n.id, rowsIn: metric.rowsIn, rowsOut: metric.rowsOut, quarantined: metric.quarantined, filtered: metric.filtered }).toEqual({
      node: n.id,
      rowsIn: model.rowsIn,
      rowsOut: model.out.length,
      quarantined: model.quarantine.length,
      filtered: model.filtered.length,
    });
    // Quarantined rows with their rules, and filtered rows, by lineage.
    const q = qRows.filter((x) => Number(x['i']) === i).map((x) => ({ lineage: String(x['lineage']), rules: String(x['rules']).split('|') }));
    expect(q, `${n.id} quarantine`).toEqual([...model.quarantine].sort(byLineage));
    if (i > 0) expect(fRows.filter((x) => Number(x['i']) === i).map((x) => String(x['l'])), `${n.id} filtered rows`).toEqual([...model.filtered].sort());
    seen.push(...q.map((x) => x.lineage), ...model.filtered);
  }

  // (b) the source read every physical data line, blank ones included.
  const allLineages = files.flatMap((f, fi) => f.lines.map((_, i) => lineageOf(fi, i)));
  expect((res.metrics[0] as NodeMetrics).rowsIn).toBe(allLineages.length);

  // (d) the output equals the model's output, row by row and in order.
  expect(out.columns.map((c) => c.name)).toEqual(['__lineage', ...cols]);
  const expected = (models[models.length - 1] as NodeModel).out.map((r) => [r.lineage, ...cols.map((c) => str(r.vals[c] ?? null))]);
  expect(out.rows).toEqual(expected);

  // (c) every input line is accounted for exactly once: output ∪ quarantines ∪ filtered.
  seen.push(...out.rows.map((r) => String(r[0])));
  expect(seen.sort()).toEqual(allLineages.sort());
}

describe('property: no record is lost', () => {
  it(`random dirty CSV through random chains balances and matches a JavaScript model (${RUNS} runs)`, async () => {
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(
        // A glob of one or two small files, some with CRLF line endings.
        fc.array(fc.record({ lines: fc.array(lineArb, { maxLength: 16 }), crlf: fc.nat(3).map((x) => x === 0) }), { minLength: 1, maxLength: 2 }),
        fc.array(stepArb, { maxLength: 4 }),
        async (files, steps) => {
          await checkCase(files, steps);
        },
      ),
      { numRuns: RUNS },
    );
    const ms = performance.now() - started;
    console.log(`property: ${RUNS} runs, ${nodeCount} nodes, in ${(ms / 1000).toFixed(1)} s (${(ms / RUNS).toFixed(1)} ms per run, ${(execMs / 1000).toFixed(1)} s in the executor)`);
    // About 50 ms per run on 2 cores, so 1000 runs need minutes when other test files share the machine.
  }, Math.max(60_000, RUNS * 400));
});
