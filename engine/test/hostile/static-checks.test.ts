// `sluice validate` runs every check a run makes before any node executes, and reports every problem in one pass;
// `run` refuses what validate would refuse, with exit code 2, before any node runs. Graph algorithms stay linear
// and iterative, so a huge chain is refused with a size limit rather than a stack overflow.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateStatic } from '../../src/runtime/static-checks.js';
import { checkStructure } from '../../src/runtime/run.js';
import { topologicalOrder, upstreamClosure } from '@sluice/format/pipeline/graph';
import { MAX_NODES } from '@sluice/format/pipeline/load';
import { runCli } from '../../src/cli/main.js';
import { chain, pipeline, tmpDir, writeFiles, type NodeDef } from '../helpers.js';

const tally = { validate: 0, ids: 0, graph: 0 };
afterAll(() => {
  console.log(`static checks: ${tally.validate} hostile validate cases, ${tally.ids} id cases, ${tally.graph} graph-size/cycle cases`);
});

const src: NodeDef = { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } };

function folder(): string {
  const dir = tmpDir('sluice-static-');
  writeFiles(dir, { 'in.csv': 'id,name\n1,ann\n' });
  return dir;
}

async function problemsOf(p: unknown, baseDir = folder()): Promise<{ path: string; nodeId?: string; message: string }[]> {
  return (await validateStatic(p, { baseDir })).problems;
}

describe('validate finds what the run would refuse (defect 7)', () => {
  it.each([
    ['a SQL node holding COPY … TO', { id: 'q', kind: 'sql', config: { query: "COPY (SELECT 1) TO 'x.csv'" } }, 'nodes[1].config.query'],
    ['a SQL node reading a file by name', { id: 'q', kind: 'sql', config: { query: "SELECT * FROM 'in.csv'" } }, 'nodes[1].config.query'],
    ['a SQL node calling read_text', { id: 'q', kind: 'sql', config: { query: "SELECT * FROM read_text('/etc/passwd')" } }, 'nodes[1].config.query'],
    ['a filter payload breaking out of its parentheses', { id: 'q', kind: 'filter', config: { expression: '1) FROM x WHERE (1' } }, 'nodes[1].config.expression'],
    ['a derive expression reading a file', { id: 'q', kind: 'derive', config: { columns: [{ name: 'x', expression: "(SELECT content FROM read_text('/etc/passwd'))" }] } }, 'nodes[1].config.columns[0].expression'],
    ['a validate rule calling getenv', { id: 'q', kind: 'validate', config: { rules: [{ id: 'r', type: 'expression', expression: "getenv('HOME') IS NULL" }] } }, 'nodes[1].config.rules[0].expression'],
    ['a validate rule with a broken regular expression', { id: 'q', kind: 'validate', config: { rules: [{ id: 'r', type: 'regex', column: 'name', pattern: '(' }] } }, 'nodes[1].config.rules[0].pattern'],
  ])('%s', async (_what, node, where) => {
    tally.validate++;
    const problems = await problemsOf(chain([src, node as NodeDef]));
    expect(problems.map((p) => p.path)).toContain(where);
    expect(problems.find((p) => p.path === where)?.nodeId).toBe('q');
  });

  it.each([
    ['an input path leaving the folder', { id: 'src', kind: 'source.csv', config: { path: '../outside.csv' } }],
    ['an absolute input glob', { id: 'src', kind: 'source.json', config: { path: '/etc/*.json' } }],
    ['an output path leaving the folder', { id: 'out', kind: 'sink.csv', config: { path: '../../x.csv' } }],
    ['a DuckDB target outside the folder', { id: 'out', kind: 'sink.duckdb', config: { path: '/tmp/elsewhere.duckdb', table: 't' } }],
    ['a NUL byte in a path', { id: 'src', kind: 'source.parquet', config: { path: 'a\u0000.parquet' } }],
    ['an incremental folder glob leaving the folder', { id: 'src', kind: 'source.files', config: { path: '../inbox/*.csv', format: 'csv' } }],
    ['a Parquet dataset folder leaving the folder', { id: 'out', kind: 'sink.parquet-dataset', config: { path: '../../dataset', key: ['id'] } }],
  ])('%s', async (_what, node) => {
    tally.validate++;
    const nodes = (node as NodeDef).kind.startsWith('sink') ? [src, node as NodeDef] : [node as NodeDef];
    const problems = await problemsOf(chain(nodes));
    const mine = problems.find((p) => p.nodeId === (node as NodeDef).id);
    expect(mine?.path).toBe(`nodes[${nodes.length - 1}].config.path`);
  });

  it('reports every layer at once: shape, unknown kinds, parameters, SQL and paths', async () => {
    tally.validate++;
    const p = chain([
      src,
      { id: 'a', kind: '__proto__' },
      { id: 'b', kind: 'transform.teleport' },
      { id: 'q', kind: 'sql', config: { query: "COPY (SELECT 1) TO '${where}'" } },
      { id: 'out', kind: 'sink.csv', config: { path: '/tmp/out.csv' } },
    ]);
    const problems = await problemsOf(p);
    const text = problems.map((x) => `${x.path}: ${x.message}`).join('\n');
    expect(text).toMatch(/nodes\[1\]\.kind: unknown node kind "__proto__"/);
    expect(text).toMatch(/nodes\[2\]\.kind: unknown node kind "transform.teleport"/);
    expect(text).toMatch(/unknown parameter "\$\{where\}"/);
    expect(text).toMatch(/nodes\[3\]\.config\.query/);
    expect(text).toMatch(/nodes\[4\]\.config\.path: .*outside the folders/);
    // A document whose shape is wrong still has its unknown kinds reported with it.
    const broken = { ...p, nodes: [...(p['nodes'] as object[]), { id: 'z', kind: 'nope', position: 'here' }] };
    const second = (await problemsOf(broken)).map((x) => x.path);
    expect(second).toEqual(expect.arrayContaining(['nodes[5].position', 'nodes[1].kind', 'nodes[2].kind', 'nodes[5].kind']));
  });

  it('run refuses with exit 2 before any node executes', async () => {
    tally.validate++;
    const dir = folder();
    const file = path.join(dir, 'p.pipeline.json');
    fs.writeFileSync(file, JSON.stringify(chain([src, { id: 'q', kind: 'sql', config: { query: "COPY (SELECT 1) TO 'x.csv'" } }])));
    const hist = path.join(dir, 'hist');
    const before = process.env['SLUICE_NO_SUPERVISOR'];
    process.env['SLUICE_NO_SUPERVISOR'] = '1';
    try {
      expect(await runCli(['run', file, '--history', hist])).toBe(2);
      expect(await runCli(['validate', file])).toBe(2);
    } finally {
      if (before === undefined) delete process.env['SLUICE_NO_SUPERVISOR'];
      else process.env['SLUICE_NO_SUPERVISOR'] = before;
    }
    // No run record: the source never ran.
    expect(fs.existsSync(hist)).toBe(false);
  });
});

describe('node ids unique regardless of case (defect 8)', () => {
  it.each([
    [['f', 'F']],
    [['Node-x', 'node-X']],
    [['abc_1', 'ABC_1']],
    [['q', 'Q', 'q']],
  ])('%j', async (ids) => {
    tally.ids++;
    const p = pipeline(ids.map((id) => ({ id, kind: 'source.csv', config: { path: 'in.csv' } })), []);
    const problems = checkStructure(p, {}).problems;
    expect(problems.length).toBe(ids.length - 1);
    expect(problems[0]?.message).toMatch(/only in letter case|duplicate node id/);
    expect(problems[0]?.path).toBe('nodes[1].id');
  });
});

describe('cycles and size (defects 8 and 13)', () => {
  it('a cycle message lists exactly the nodes on the cycle', () => {
    tally.graph++;
    const nodes: NodeDef[] = ['up', 'b', 'c', 'down'].map((id) => ({ id, kind: 'filter', config: { expression: 'true' } }));
    const p = pipeline(nodes, ['up -> b', 'b -> c', 'c -> b', 'c -> down']);
    const cyc = checkStructure(p, {}).problems.filter((x) => /cycle/.test(x.message));
    expect(cyc).toHaveLength(1);
    expect(cyc[0]?.message).toBe('the graph has a cycle: "b" → "c" → "b"');
  });

  it('two separate cycles are each listed', () => {
    tally.graph++;
    const nodes: NodeDef[] = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, kind: 'filter', config: { expression: 'true' } }));
    const { cycles } = topologicalOrder(pipeline(nodes, ['a -> b', 'b -> a', 'c -> d', 'd -> e', 'e -> c']) as never);
    expect(cycles.map((c) => [...c].sort())).toEqual([['a', 'b'], ['c', 'd', 'e']]);
  });

  function longChain(n: number): Record<string, unknown> {
    const nodes: NodeDef[] = [src, ...Array.from({ length: n - 1 }, (_, i) => ({ id: `n${i}`, kind: 'filter', config: { expression: 'true' } }))];
    return chain(nodes);
  }

  it('validate and plan stay linear; a chain over the node limit is refused by size, never a stack overflow', async () => {
    tally.graph++;
    const times: string[] = [];
    for (const n of [500, 1000, 5000]) {
      const p = longChain(n);
      const t0 = performance.now();
      const r = checkStructure(p, {});
      expect(r.problems).toEqual([]);
      const order = topologicalOrder(r.pipeline as never).order;
      upstreamClosure(r.pipeline as never, order[order.length - 1] as string);
      times.push(`${n}: ${Math.round(performance.now() - t0)} ms`);
    }
    const big = checkStructure(longChain(MAX_NODES + 1), {});
    expect(big.problems.map((x) => x.message).join()).toMatch(new RegExp(`${MAX_NODES + 1} nodes; Sluice runs at most ${MAX_NODES}`));
    // Beyond the limit, the graph algorithms themselves still cope: no recursion.
    const p = longChain(50_000) as { nodes: { id: string }[]; edges: never[] };
    const t0 = performance.now();
    expect(topologicalOrder(p as never).order).toHaveLength(50_000);
    times.push(`topological order of 50,000: ${Math.round(performance.now() - t0)} ms`);
    console.log(`validate + plan of a chain: ${times.join(', ')}`);
  });
});
