// The designer's own schema pass (@sluice/format/schema/local) against the engine's: after an edit to a kind whose
// columns are a pure function of its inputs and config, the designer's answer, computed without asking the
// engine, must be exactly what the engine answers for the edited document; an edit that an expression or a
// source depends on must say which nodes the engine has to judge. And the pure halves are the engine's own code.
import * as path from 'node:path';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { staticCheck } from '../src/analysis/check.js';
import { catalog, kindLookup, kindOf, nodeKinds } from '../src/nodes/registry.js';
import { checkPipeline } from '@sluice/format/pipeline/load';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { engineBasis, learnRegion, localSchemas, regionRequest, settle } from '@sluice/format/schema/local';
import { schemasForNodes } from '../src/analysis/region.js';
import { referenced } from '../src/analysis/env.js';
import { pureKind, pureKinds } from '@sluice/format/kinds/all';
import { tmpDir, writeFiles } from './helpers.js';

const SAMPLES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'samples');
const outputsOf = (kind: string) => catalog().kinds.find((k) => k.kind === kind)?.outputs.map((o) => o.name);

function parsed(raw: unknown): Pipeline {
  const r = checkPipeline(raw, kindLookup);
  if (!r.pipeline) throw new Error(`test document has problems: ${JSON.stringify(r.problems)}`);
  return r.pipeline;
}

type Doc = { version: number; name: string; nodes: { id: string; kind: string; config: Record<string, unknown> }[]; edges: unknown[] };

/** Two sources, a join, a union, and one of each pure kind after them, ending in sinks. */
function mixed(): Doc {
  const e = (from: string, to: string, fromPort = 'out', toPort = 'in') => ({ from: { node: from, port: fromPort }, to: { node: to, port: toPort } });
  return {
    version: 1,
    name: 'mixed',
    nodes: [
      { id: 'orders', kind: 'source.csv', config: { path: 'orders.csv', types: { id: 'BIGINT', amount: 'DECIMAL(10,2)' } } },
      { id: 'people', kind: 'source.csv', config: { path: 'people.csv', types: { id: 'BIGINT' } } },
      { id: 'typed', kind: 'cast', config: { types: { qty: 'INTEGER' } } },
      { id: 'checks', kind: 'validate', config: { rules: [{ id: 'q', type: 'range', column: 'qty', min: 0 }, { id: 'd', type: 'castable_to', column: 'day', to: 'DATE' }] } },
      { id: 'j', kind: 'join', config: { on: [{ left: 'id', right: 'id' }], rightPrefix: 'p_' } },
      { id: 'top', kind: 'limit', config: { count: 5, mode: 'sample' } },
      { id: 'both', kind: 'union', config: {} },
      { id: 'pick', kind: 'select', config: { columns: [{ name: 'id' }, { name: 'amount', as: 'value' }, { name: 'qty' }, { name: 'day' }, { name: 'name' }] } },
      { id: 'keep', kind: 'filter', config: { expression: 'value > 0' } },
      { id: 'more', kind: 'derive', config: { columns: [{ name: 'twice', expression: 'value * 2' }] } },
      { id: 'once', kind: 'deduplicate', config: { keys: ['id'] } },
      { id: 'ordered', kind: 'sort', config: { by: [{ column: 'value' }] } },
      { id: 'few', kind: 'limit', config: { count: 10 } },
      { id: 'contract', kind: 'schema_contract', config: { columns: [{ name: 'id', type: 'BIGINT' }, { name: 'value', type: 'DECIMAL(10,2)' }], extra: 'keep' } },
      { id: 'sums', kind: 'aggregate', config: { groupBy: ['name'], aggregates: [{ fn: 'sum', column: 'value', as: 'total' }, { fn: 'count', as: 'n' }] } },
      { id: 'out', kind: 'sink.parquet', config: { path: 'out/x.parquet', mode: 'merge', key: ['id'] } },
      { id: 'totals', kind: 'sink.csv', config: { path: 'out/t.csv' } },
    ],
    edges: [
      e('orders', 'typed'), e('typed', 'checks'), e('checks', 'j', 'valid', 'left'), e('people', 'j', 'out', 'right'),
      e('j', 'top'), e('j', 'both'), e('top', 'both'), e('both', 'pick'), e('pick', 'keep'), e('keep', 'more'), e('more', 'once'), e('once', 'ordered'),
      e('ordered', 'few'), e('few', 'contract'), e('contract', 'sums'), e('contract', 'out'), e('sums', 'totals'),
    ],
  };
}

let shared: string | undefined;
function folder(): string {
  if (shared) return shared;
  const dir = tmpDir();
  shared = dir;
  writeFiles(dir, { 'orders.csv': 'id,amount,qty,day\n1,9.90,2,2026-01-01\n', 'people.csv': 'id,name\n1,Ann\n' });
  return dir;
}

// The engine's answer for an unedited document is asked once per test file (the tests edit copies of it).
const bases = new Map<string, ReturnType<typeof engineBasis>>();
async function basisOf(base: Doc, dir: string): Promise<ReturnType<typeof engineBasis>> {
  const key = `${dir}\u0000${JSON.stringify(base)}`;
  if (!bases.has(key)) bases.set(key, engineBasis(parsed(base), await staticCheck(base, { baseDir: dir })));
  return bases.get(key);
}

/**
 * The designer's answer for `base` edited equals the engine's. With stale nodes (the engine must judge them), the
 * ports and problems compared are those of `exact` (the nodes not downstream of a stale one's unknown verdict).
 */
async function expectSameAsEngine(base: Doc, edit: (d: Doc) => void, dir: string, expectStale: string[] = [], exact?: string[]) {
  const basis = await basisOf(base, dir);
  expect(basis).toBeDefined();
  const doc = structuredClone(base);
  edit(doc);
  const local = localSchemas(parsed(doc), basis, outputsOf);
  const engine = await staticCheck(doc, { baseDir: dir });
  expect(local.unjudged).toBeUndefined();
  expect(local.stale).toEqual(expectStale);
  if (!exact) {
    expect(local.ports).toEqual(engine.ports);
    expect(local.problems.filter((p) => !expectStale.includes(p.nodeId ?? ''))).toEqual(engine.problems.filter((p) => !expectStale.includes(p.nodeId ?? '')));
  } else {
    for (const id of exact) {
      expect(local.ports[id], id).toEqual(engine.ports[id]);
      if (!expectStale.includes(id)) expect(local.problems.filter((p) => p.nodeId === id), id).toEqual(engine.problems.filter((p) => p.nodeId === id));
    }
  }
  return { local, engine };
}

const node = (d: Doc, id: string) => {
  const n = d.nodes.find((x) => x.id === id);
  if (!n) throw new Error(`no node ${id}`);
  return n;
};

describe("the designer's schema pass gives the engine's answer without asking it", () => {
  it('edits to pure kinds below every expression: exactly the engine\'s ports and problems (with fixes)', async () => {
    const dir = folder();
    const d = mixed();
    // A sum over text: a type problem with a fix pointing at the node that typed the column.
    await expectSameAsEngine(d, (x) => { node(x, 'contract').config = { columns: [{ name: 'id', type: 'BIGINT' }, { name: 'value', type: 'VARCHAR' }] }; }, dir);
    await expectSameAsEngine(d, (x) => { node(x, 'sums').config = { groupBy: ['nam'], aggregates: [{ fn: 'avg', column: 'twice', as: 'n' }, { fn: 'count', as: 'n' }] }; }, dir);
    await expectSameAsEngine(d, (x) => { node(x, 'ordered').config = { by: [{ column: 'twice', descending: true }] }; }, dir);
    await expectSameAsEngine(d, (x) => { node(x, 'out').config = { path: 'out/x.parquet', mode: 'merge', key: ['nope'], deleteColumn: 'qty' }; }, dir);
    await expectSameAsEngine(d, (x) => { node(x, 'once').config = { keys: ['id', 'p_name'], orderBy: 'Value' }; }, dir);
  });

  it('an edit above an expression node recomputes the columns here and names the nodes only the engine can judge', async () => {
    const dir = folder();
    const d = mixed();
    // Retyping a column the filter and the derive read: their outputs are pure or kept, their verdicts are the engine's.
    const upToFilter = ['orders', 'people', 'typed', 'checks', 'j', 'top', 'both', 'pick', 'keep'];
    await expectSameAsEngine(d, (x) => { node(x, 'typed').config = { types: { qty: 'BIGINT' } }; }, dir, ['keep', 'more'], upToFilter);
    // A filter's condition edited: its columns are its input's, and only it needs the engine.
    await expectSameAsEngine(d, (x) => { node(x, 'keep').config = { expression: 'value > 100' }; }, dir, ['keep']);
    // A rename by the select changes what the filter and the derive see; a join prefix that renames nothing changes nothing.
    await expectSameAsEngine(d, (x) => { node(x, 'pick').config = { columns: [{ name: 'id' }, { name: 'amount', as: 'val' }, { name: 'qty' }] }; }, dir, ['keep', 'more'], upToFilter);
    await expectSameAsEngine(d, (x) => { node(x, 'j').config = { on: [{ left: 'id', right: 'id' }], rightPrefix: 'r_' }; }, dir);
  });

  it('the shipped samples: an edit to each pure node gives the engine\'s ports', async () => {
    for (const name of ['orders', 'customers', 'events']) {
      const dir = path.join(SAMPLES, name);
      const base = JSON.parse(fs.readFileSync(path.join(dir, `${name}.pipeline.json`), 'utf8')) as Doc;
      const before = parsed(base);
      const basis = engineBasis(before, await staticCheck(base, { baseDir: dir }));
      // Unchanged: nothing to ask, and the same answer.
      const same = localSchemas(before, basis, outputsOf);
      expect(same.stale, name).toEqual([]);
      expect(same.ports, name).toEqual((await staticCheck(base, { baseDir: dir })).ports);
      for (const n of base.nodes.filter((x) => x.kind === 'select' || x.kind === 'sort' || x.kind === 'limit')) {
        const doc = structuredClone(base);
        const m = node(doc, n.id);
        if (m.kind === 'limit') m.config = { ...m.config, count: 7 };
        else if (m.kind === 'sort') m.config = { by: [{ column: 'no_such_column' }] };
        else m.config = { columns: [(m.config['columns'] as { name: string }[])[0] ?? { name: 'x' }] };
        const local = localSchemas(parsed(doc), basis, outputsOf);
        const engine = await staticCheck(doc, { baseDir: dir });
        if (local.stale.length === 0) {
          expect(local.problems, `${name} ${n.id}`).toEqual(engine.problems);
          expect(local.ports, `${name} ${n.id}`).toEqual(engine.ports);
        }
      }
    }
  });

  it('asks the engine when the structure changes or a config does not parse', async () => {
    const dir = folder();
    const d = mixed();
    const basis = engineBasis(parsed(d), await staticCheck(d, { baseDir: dir }));
    // A disconnected sink (the designer's document need not be well-formed while it is edited).
    const moved = parsed(d);
    moved.edges = moved.edges.slice(0, -1);
    expect(localSchemas(moved, basis, outputsOf).unjudged).toMatch(/edges/);
    const typing = parsed(d);
    typing.nodes = typing.nodes.map((n) => (n.id === 'ordered' ? { ...n, config: { by: [] } } : n));
    expect(localSchemas(typing, basis, outputsOf).unjudged).toMatch(/"ordered" has a config problem/);
    expect(localSchemas(parsed(d), undefined, outputsOf).unjudged).toBeDefined();
  });
});

/**
 * The designer's whole way after an edit: its own pass, then `schemasFor` about the stale nodes and those below
 * them, merged; the result must be the engine's whole-document answer, with nothing left stale.
 */
async function mergedLikeEngine(base: Doc, edit: (d: Doc) => void, dir: string) {
  const basis = await basisOf(base, dir);
  const doc = structuredClone(base);
  edit(doc);
  const p = parsed(doc);
  const local = localSchemas(p, basis, outputsOf);
  expect(local.unjudged).toBeUndefined();
  const requests: string[][] = [];
  const settled = await settle(p, basis, outputsOf, async (nodes) => {
    requests.push(nodes.map((n) => n.id));
    const answer = await schemasForNodes(nodes, { baseDir: dir });
    expect(answer.unjudged).toBeUndefined();
    return answer;
  });
  const merged = settled.local;
  const engine = await staticCheck(doc, { baseDir: dir });
  expect(merged.unjudged).toBeUndefined();
  expect(merged.stale).toEqual([]);
  expect(merged.ports).toEqual(engine.ports);
  expect(merged.problems).toEqual(engine.problems);
  return { local, requests, merged, engine };
}

/** A derive, a filter and a second derive reading the first one's column, summed, written. */
function derived(): Doc {
  const e = (from: string, to: string) => ({ from: { node: from, port: 'out' }, to: { node: to, port: 'in' } });
  return {
    version: 1,
    name: 'derived',
    nodes: [
      { id: 'orders', kind: 'source.csv', config: { path: 'orders.csv', types: { id: 'BIGINT', amount: 'DECIMAL(10,2)', qty: 'INTEGER' } } },
      { id: 'price', kind: 'derive', config: { columns: [{ name: 'unit', expression: 'amount * qty' }] } },
      { id: 'some', kind: 'filter', config: { expression: 'unit > 1' } },
      { id: 'ordered', kind: 'sort', config: { by: [{ column: 'unit' }] } },
      { id: 'twice', kind: 'derive', config: { columns: [{ name: 'double_unit', expression: 'unit * 2' }] } },
      { id: 'sums', kind: 'aggregate', config: { groupBy: ['id'], aggregates: [{ fn: 'sum', column: 'double_unit', as: 'total' }] } },
      { id: 'out', kind: 'sink.csv', config: { path: 'out/d.csv' } },
    ],
    edges: [e('orders', 'price'), e('price', 'some'), e('some', 'ordered'), e('ordered', 'twice'), e('twice', 'sums'), e('sums', 'out')],
  };
}

describe("the designer's answer after an expression edit (its pass + schemasFor) is the engine's", () => {
  it("a filter's condition: only it is sent, and the merged answer is the engine's", async () => {
    const dir = folder();
    const { requests } = await mergedLikeEngine(mixed(), (x) => { node(x, 'keep').config = { expression: 'value > 100' }; }, dir);
    // Its columns stay its input's: one request naming the filter alone.
    expect(requests).toEqual([['keep']]);
  });

  it('the request: each input is the columns the designer worked out, or an earlier node of the request', async () => {
    const dir = folder();
    const d = mixed();
    const doc = structuredClone(d);
    node(doc, 'keep').config = { expression: 'value > 100' };
    const p = parsed(doc);
    const local = localSchemas(p, await basisOf(d, dir), outputsOf);
    const request = regionRequest(p, local);
    expect(request.map((n) => n.id)).toEqual(['keep', 'more', 'once', 'ordered', 'few', 'contract', 'sums', 'out', 'totals']);
    expect(request[0]?.inputs['in']).toEqual([local.ports['pick']?.['out']]);
    expect(request[1]?.inputs['in']).toEqual([{ node: 'keep', port: 'out' }]);
    expect(regionRequest(p, local, false).map((n) => n.id)).toEqual(['keep']);
    // The designer works out the pure kinds itself: the engine leaves them out of its answer (not the derive or filter).
    expect(request.filter((n) => n.reply === false).map((n) => n.id)).toEqual(['once', 'ordered', 'few', 'contract', 'sums', 'out', 'totals']);
  });

  it('a derive whose type changes: every node below sees the new type, the second derive and the sum included', async () => {
    const dir = folder();
    const d = derived();
    const { local, merged, requests } = await mergedLikeEngine(d, (x) => { node(x, 'price').config = { columns: [{ name: 'unit', expression: 'CAST(amount AS DOUBLE) * qty' }] }; }, dir);
    // Before the engine's answer the designer only had the old type: the answer is what changed it, and the
    // nodes below are asked about once it did.
    expect(local.stale).toEqual(['price']);
    expect(requests).toEqual([['price'], ['some', 'ordered', 'twice', 'sums', 'out']]);
    expect(local.ports['twice']?.['out']?.find((c) => c.name === 'double_unit')?.type).toMatch(/DECIMAL/);
    expect(merged.ports['twice']?.['out']?.find((c) => c.name === 'double_unit')?.type).toBe('DOUBLE');
    expect(merged.ports['sums']?.['out']?.find((c) => c.name === 'total')?.type).toBe('DOUBLE');
    // Retyped to text: the sum over it is a type problem on the aggregate, and the second derive cannot multiply it.
    const text = await mergedLikeEngine(d, (x) => { node(x, 'price').config = { columns: [{ name: 'unit', expression: "'n/a'" }] }; }, dir);
    expect(text.merged.problems.map((p) => p.nodeId)).toContain('twice');
  });

  it("an expression error is shown on the right node and field", async () => {
    const dir = folder();
    const { merged } = await mergedLikeEngine(derived(), (x) => { node(x, 'some').config = { expression: 'nosuch > 1' }; }, dir);
    const mine = merged.problems.filter((p) => p.nodeId === 'some');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine[0]?.path).toBe('nodes[2].config.expression');
    expect(mine[0]?.message).toMatch(/nosuch/);
    expect(mine[0]?.message).not.toMatch(/Binder Error/);
    // The derive's own field, in the second derive's list of columns.
    const bad = await mergedLikeEngine(derived(), (x) => { node(x, 'twice').config = { columns: [{ name: 'double_unit', expression: 'unit * ' }] }; }, dir);
    expect(bad.merged.problems.find((p) => p.nodeId === 'twice')?.path).toMatch(/^nodes\[4\]\.config\.columns\[0\]/);
  });

  it("anything the engine cannot judge apart from the document sends the whole document", async () => {
    const dir = folder();
    const d = derived();
    const basis = await basisOf(d, dir);
    // The designer's document need not parse while a field is being typed.
    const p = parsed(d);
    p.nodes = p.nodes.map((n) => (n.id === 'price' ? { ...n, config: { columns: [] } } : n));
    const local = localSchemas(p, basis, outputsOf);
    const answer = await schemasForNodes(regionRequest(p, local), { baseDir: dir });
    expect(answer.unjudged).toMatch(/"price" has a config problem/);
    expect(learnRegion(p, basis, local, answer, outputsOf)).toBeUndefined();
    expect((await schemasForNodes([{ id: 'x', at: 0, kind: 'filter', config: { expression: 'true' }, inputs: { in: [{ node: 'later', port: 'out' }] } }], { baseDir: dir })).unjudged).toMatch(/later/);
  });
});

describe('an expression is described over the columns it names only (so its describe stays cached)', () => {
  const input = ['order_id', 'quantity', 'unit_price', 'd1'].map((name) => ({ name, type: 'INTEGER' }));
  const names = (e: string) => referenced(input, [e]).map((c) => c.name);
  it('a multiplication names its operands, not every column', () => {
    expect(names('quantity * unit_price + 3')).toEqual(['quantity', 'unit_price']);
    expect(names('(quantity)*2 > "D1"')).toEqual(['quantity', 'd1']);
    expect(names("'a*b' || order_id")).toEqual(['order_id']);
  });
  it('a star or COLUMNS(...) means every column', () => {
    for (const e of ['*', 'count(*)', 't.* ', 'struct_pack(*)', "COLUMNS('qu.*') > 0", 'columns (x -> true)']) expect(names(e), e).toHaveLength(4);
  });
});

describe('the pure halves are the engine kinds\' own code', () => {
  it('each pure kind is registered with that very config and output schema; every other kind is named here', () => {
    for (const p of pureKinds()) {
      const k = kindOf(p.kind);
      expect(k, p.kind).toBeDefined();
      expect(k?.config, p.kind).toBe(p.config);
      // A kind whose problems need DuckDB wraps the pure columns with its describe (the filter).
      if (!p.engineProblems) expect(k?.outputSchema, p.kind).toBe(p.outputSchema);
    }
    // A new kind must be placed: pure (computed in the designer) or answered by the engine.
    expect(nodeKinds().filter((k) => !pureKind(k.kind)).map((k) => k.kind).sort()).toEqual(['derive', 'source.csv', 'source.files', 'source.json', 'source.parquet', 'source.rest', 'sql', 'window']);
  });
});
