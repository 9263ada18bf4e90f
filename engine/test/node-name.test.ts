// Messages name a node by its label first, its id in brackets (issue 15): in a run's errors and warnings, in the
// file's problems, and in `sluice validate` and `sluice run` output. A node without a label keeps `node "id"`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nodeName, nodeNameWithKind, nodeNamer, nodeNamerOfRaw, nodeTitle } from '@sluice/format/pipeline/node-name';
import { checkPipeline } from '@sluice/format/pipeline/load';
import { kindLookup } from '../src/nodes/registry.js';
import { runCli } from '../src/cli/main.js';
import { chain, run, tmpDir, writeFiles } from './helpers.js';

const LABELS: Record<string, string> = { src: 'Orders file', f: 'Drop   cancelled' };

/** src → f (a filter over a column the file lacks) → agg → out, with labels on src and f only. */
function labelled(expression = 'no_such_column = 1'): Record<string, unknown> {
  const p = chain([
    { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
    { id: 'f', kind: 'filter', config: { expression } },
    { id: 'agg', kind: 'aggregate', config: { groupBy: ['status'], aggregates: [{ fn: 'count', as: 'n' }] } },
    { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
  ]);
  return { ...p, nodes: (p['nodes'] as { id: string }[]).map((n) => (LABELS[n.id] ? { ...n, label: LABELS[n.id] } : n)) };
}

describe('nodeName', () => {
  it('puts the label first and the id in brackets; a node without a label (or labelled with its id) by its id', () => {
    expect(nodeName({ id: 'checks', label: 'Order rules' })).toBe('Order rules [checks]');
    expect(nodeName({ id: 'checks', label: '  Order\n rules ' })).toBe('Order rules [checks]');
    expect(nodeName({ id: 'checks' })).toBe('node "checks"');
    expect(nodeName({ id: 'checks', label: 'checks' })).toBe('node "checks"');
    expect(nodeNameWithKind({ id: 'd', kind: 'derive' })).toBe('node "d" (derive)');
    expect(nodeNameWithKind({ id: 'd', kind: 'derive', label: 'Amounts' })).toBe('Amounts [d]');
    expect(nodeTitle({ id: 'd' })).toBe('d');
    expect(nodeNamer([{ id: 'a', label: 'A' }])('gone')).toBe('node "gone"');
    expect(nodeNamerOfRaw({ nodes: [{ id: 'a', label: 'A' }, { id: 3 }, null] }, nodeTitle)('a')).toBe('A [a]');
    expect(nodeNamerOfRaw('not a pipeline')('a')).toBe('node "a"');
  });
});

describe('messages name nodes label first', () => {
  const writes: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    writes.length = 0;
  });
  function capture(): void {
    const keep = (chunk: unknown) => (writes.push(String(chunk)), true);
    vi.spyOn(process.stdout, 'write').mockImplementation(keep);
    vi.spyOn(process.stderr, 'write').mockImplementation(keep);
  }

  it('in a file problem about a labelled node', () => {
    const p = labelled();
    const edges = (p['edges'] as unknown[]).slice(1); // src no longer feeds f
    const r = checkPipeline({ ...p, edges }, kindLookup);
    expect(r.problems.map((x) => x.message)).toContain('input "in" of Drop cancelled [f] is not connected');
  });

  it('in a run: the failed node, the nodes it kept from running, and the CLI table and lines', async () => {
    const r = await run(labelled(), { files: { 'in.csv': 'id,status\n1,shipped\n' } });
    expect(r.manifest.errors[0]).toMatch(/^Drop cancelled \[f\]: .*no_such_column/);
    expect(r.metric('agg').warnings).toEqual(['not run: upstream Drop cancelled [f] did not finish']);
    expect(r.metric('out').warnings).toEqual(['not run: upstream node "agg" did not finish']);

    const dir = tmpDir('sluice-names-');
    writeFiles(dir, { 'in.csv': 'id,status\n1,shipped\n', 'p.json': JSON.stringify(labelled('status = 1')) });
    const file = path.join(dir, 'p.json');
    const before = process.env['SLUICE_NO_SUPERVISOR'];
    process.env['SLUICE_NO_SUPERVISOR'] = '1';
    capture();
    try {
      await runCli(['run', file, '--history', path.join(dir, 'runs')]);
    } finally {
      if (before === undefined) delete process.env['SLUICE_NO_SUPERVISOR'];
      else process.env['SLUICE_NO_SUPERVISOR'] = before;
      vi.restoreAllMocks();
    }
    const text = writes.join('');
    expect(text).toMatch(/^Orders file \[src\] +source\.csv/m);
    expect(text).toMatch(/^Drop cancelled \[f\] +filter +FAILED/m);
    expect(text).toMatch(/^agg +aggregate +skipped/m);
    expect(text).toContain('  warning  agg: not run: upstream Drop cancelled [f] did not finish');
    expect(text).toMatch(/ {2}error {4}Drop cancelled \[f\]: /);
    expect(fs.existsSync(path.join(dir, 'out.csv'))).toBe(false);
  });

  it('in sluice validate', async () => {
    const dir = tmpDir('sluice-names-');
    writeFiles(dir, { 'in.csv': 'id,status\n1,shipped\n', 'p.json': JSON.stringify(labelled()) });
    capture();
    expect(await runCli(['validate', path.join(dir, 'p.json')])).toBe(2);
    vi.restoreAllMocks();
    expect(writes.join('')).toContain('nodes[1].config.expression, Drop cancelled [f]: "no_such_column" is not a column of the input');
  });
});
