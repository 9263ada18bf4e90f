// Static schemas: every port's columns before anything runs, the problems they show (with node, field and a
// fix), node kinds that declare everything about themselves, and configs that migrate from older files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { staticCheck } from '../src/analysis/check.js';
import { catalog, kindLookup, nodeKinds } from '../src/nodes/registry.js';
import { checkPipeline, migrateDocument } from '@sluice/format/pipeline/load';
import { kindTraitsSchema } from '@sluice/format/api/contract';
import { duck, pipeline, run, tmpDir, writeFiles } from './helpers.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BROKEN = path.join(HERE, 'fixtures', 'broken');
const FORMAT = path.join(HERE, 'fixtures', 'format');
const SAMPLES = path.join(HERE, '..', '..', 'samples');

const readJson = (f: string): unknown => JSON.parse(fs.readFileSync(f, 'utf8'));

describe('problems found before any run', () => {
  it.each([
    ['type-mismatch', 'by_region', 'aggregates[0].column', 'type_mismatch', /"amount" is text here, but sum needs numbers: set its type in "sales"/],
    ['unknown-column', 'checks', 'rules[0].column', 'unknown_column', /"amout" is not a column of the input \(it has order_id, order_date, region, amount\)/],
    ['duplicate-names', 'counts', 'aggregates[1].as', 'duplicate_column', /two columns named "n"/],
  ])('%s: names node %s and field %s', async (name, nodeId, field, code, message) => {
    const r = await staticCheck(readJson(path.join(BROKEN, `${name}.pipeline.json`)), { baseDir: BROKEN });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ nodeId, field, code });
    expect(r.problems[0]?.message).toMatch(message);
    expect(r.problems[0]?.message).not.toMatch(/Binder|Candidate|VARCHAR\)/);
  });

  it('the type problem carries a fix that, applied, makes the pipeline valid and its run succeed', async () => {
    const doc = readJson(path.join(BROKEN, 'type-mismatch.pipeline.json')) as { nodes: { id: string; config: Record<string, unknown> }[] };
    const r = await staticCheck(doc, { baseDir: BROKEN });
    const fix = r.problems[0]?.fix;
    expect(fix).toEqual({ action: 'set_type', label: 'Read "amount" as DOUBLE in "sales"', nodeId: 'sales', column: 'amount', type: 'DOUBLE' });
    const src = doc.nodes.find((n) => n.id === 'sales');
    if (!src || fix?.action !== 'set_type') throw new Error('fixture changed');
    src.config['types'] = { [fix.column]: fix.type };
    const after = await staticCheck(doc, { baseDir: BROKEN });
    expect(after.problems).toEqual([]);
    expect(after.ports['by_region']?.['out']).toEqual([{ name: 'region', type: 'VARCHAR' }, { name: 'total', type: 'DOUBLE' }]);
    // castable_to converts: the valid rows carry order_date as a DATE.
    expect(after.ports['checks']?.['valid']?.find((c) => c.name === 'order_date')?.type).toBe('DATE');
    const base = tmpDir();
    writeFiles(base, { 'sales.csv': fs.readFileSync(path.join(BROKEN, 'sales.csv')) });
    const ran = await run(doc, { baseDir: base });
    expect(ran.manifest.outcome).toBe('succeeded');
    expect(ran.read('out/by_region.csv')).toBe('region,total\nnorth,12.5\n');
  });

  it('the shipped samples have no static problems, and every port of the orders sample is known', async () => {
    for (const name of ['orders', 'customers', 'events']) {
      const dir = path.join(SAMPLES, name);
      const r = await staticCheck(readJson(path.join(dir, `${name}.pipeline.json`)), { baseDir: dir });
      expect(r.problems, name).toEqual([]);
    }
    const dir = path.join(SAMPLES, 'orders');
    const r = await staticCheck(readJson(path.join(dir, 'orders.pipeline.json')), { baseDir: dir });
    expect(r.ports['by_country']?.['out']).toEqual([
      { name: 'country', type: 'VARCHAR' },
      { name: 'orders', type: 'BIGINT', nullable: false },
      { name: 'revenue', type: 'DECIMAL(38,2)' },
    ]);
    expect(r.ports['amounts']?.['out']?.at(-1)).toEqual({ name: 'amount', type: 'DECIMAL(18,2)' });
  });

  it('join keys of different types, a date compared with a number and a missing file are named with their field', async () => {
    const base = tmpDir();
    writeFiles(base, { 'a.csv': 'id,d\n1,2026-01-01\n', 'b.csv': 'id,name\n1,x\n' });
    const doc = {
      version: 1,
      name: 't',
      nodes: [
        { id: 'a', kind: 'source.csv', config: { path: 'a.csv', types: { id: 'BIGINT', d: 'DATE' } } },
        { id: 'b', kind: 'source.csv', config: { path: 'b.csv' } },
        { id: 'j', kind: 'join', config: { on: [{ left: 'id', right: 'id' }] } },
        { id: 'f', kind: 'filter', config: { expression: 'd > 5' } },
        { id: 'gone', kind: 'source.csv', config: { path: 'nope.csv' } },
      ],
      edges: [
        { from: { node: 'a', port: 'out' }, to: { node: 'j', port: 'left' } },
        { from: { node: 'b', port: 'out' }, to: { node: 'j', port: 'right' } },
        { from: { node: 'j', port: 'out' }, to: { node: 'f', port: 'in' } },
      ],
    };
    const r = await staticCheck(doc, { baseDir: base });
    const by = (id: string) => r.problems.filter((p) => p.nodeId === id);
    expect(by('j')).toMatchObject([{ field: 'on[0].right', code: 'type_mismatch', fix: { action: 'set_type', nodeId: 'b', column: 'id', type: 'BIGINT' } }]);
    expect(by('f')).toMatchObject([{ field: 'expression' }]);
    expect(by('f')[0]?.message).toMatch(/compares a date with a number/);
    expect(by('gone')).toMatchObject([{ field: 'path', code: 'needs_file' }]);
  });
});

describe('node kinds declare everything about themselves', () => {
  it('every registered kind has traits, a version with its migrations, and an output schema; the catalog publishes them', () => {
    for (const k of nodeKinds()) {
      expect(kindTraitsSchema.strict().safeParse(k.traits).success, `${k.kind} traits`).toBe(true);
      expect(Number.isInteger(k.version) && k.version >= 1, `${k.kind} version`).toBe(true);
      expect(k.migrations, `${k.kind}: one migration per version step`).toHaveLength(k.version - 1);
      expect(typeof k.outputSchema, `${k.kind} outputSchema`).toBe('function');
    }
    for (const info of catalog().kinds) expect(info.traits && info.version).toBeTruthy();
  });

  it('marks column, path and type fields in the published config schemas (the form reads the marks, not field names)', () => {
    const kinds = new Map(catalog().kinds.map((k) => [k.kind, k.configSchema]));
    const at = (kind: string, ...path: string[]): Record<string, unknown> => {
      let s = kinds.get(kind) as Record<string, unknown>;
      for (const p of path) s = (p === '[]' ? s['items'] : (s['properties'] as Record<string, unknown>)[p]) as Record<string, unknown>;
      return s;
    };
    expect(at('aggregate', 'groupBy', '[]')['x-sluice-widget']).toBe('column');
    expect(at('aggregate', 'aggregates', '[]', 'column')['x-sluice-widget']).toBe('column');
    expect(at('join', 'on', '[]', 'right')['x-sluice-widget']).toBe('column');
    expect(at('sort', 'by', '[]', 'column')['x-sluice-widget']).toBe('column');
    expect(at('deduplicate', 'keys', '[]')['x-sluice-widget']).toBe('column');
    expect(at('source.csv', 'path')['x-sluice-widget']).toBe('path');
    expect(at('schema_contract', 'columns', '[]', 'type')['x-sluice-widget']).toBe('type');
    expect(at('aggregate', 'aggregates', '[]', 'as')['x-sluice-widget']).toBeUndefined();
  });
});

describe('configs migrate from older files', () => {
  it('a file saved before kinds had versions loads forever: validate rules keep their old meaning', () => {
    const raw = readJson(path.join(FORMAT, 'v1-unversioned.pipeline.json'));
    const r = checkPipeline(raw, kindLookup);
    expect(r.problems).toEqual([]);
    const checks = r.pipeline?.nodes.find((n) => n.id === 'checks');
    expect(checks?.kindVersion).toBe(3);
    expect((checks?.config['rules'] as { convert?: boolean }[])[0]?.convert).toBe(false);
    const m = migrateDocument(raw, kindLookup);
    expect(m.migrated).toEqual([
      { nodeId: 'sales', kind: 'source.csv', from: 1, to: 2 },
      { nodeId: 'checks', kind: 'validate', from: 1, to: 3 },
    ]);
    // Only the migration changes the config: no defaults are written into the file.
    expect(m.pipeline?.nodes.find((n) => n.id === 'sales')?.config).toEqual({ path: 'sales.csv', types: { order_id: 'BIGINT' } });
  });

  it('a node saved by a newer Sluice is refused with its id and version', () => {
    const raw = { version: 1, name: 't', nodes: [{ id: 'f', kind: 'filter', kindVersion: 9, config: { expression: 'true' } }] };
    expect(checkPipeline(raw, kindLookup).problems[0]?.message).toMatch(/node "f" was saved by a newer Sluice \(filter version 9; this Sluice knows up to 1\)/);
  });
});

describe('types flow through validation', () => {
  it('castable_to converts the column of valid rows (version 2), and quarantines the row as the input had it', async () => {
    const base = tmpDir();
    const doc = pipeline(
      [
        { id: 's', kind: 'source.csv', config: { path: 'in.csv' } },
        { id: 'v', kind: 'validate', config: { rules: [{ id: 'd', type: 'castable_to', column: 'd', to: 'DATE' }] } },
        { id: 'o', kind: 'sink.parquet', config: { path: 'out.parquet' } },
      ],
      ['s -> v', 'v.valid -> o'],
    );
    (doc['nodes'] as Record<string, unknown>[])[1]!['kindVersion'] = 2;
    const r = await run(doc, { baseDir: base, files: { 'in.csv': 'd,x\n2026-01-02,-0\nsoon,-0\n' } });
    expect(r.manifest.outcome).toBe('succeeded');
    const q = await r.quarantine('v');
    expect(q.entries.map((e) => e.row)).toEqual(['{"d":"soon","x":"-0"}']);
    const types = await duck<{ column_type: string }>(`DESCRIBE SELECT d FROM read_parquet('${path.join(base, 'out.parquet')}')`);
    expect(types[0]?.column_type).toBe('DATE');
  });
});

describe('a row that fails a declared type is quarantined as the input wrote it', () => {
  it('keeps the original text of every typed column, not the converted values of those that converted', async () => {
    const r = await run(pipeline([{ id: 's', kind: 'source.csv', config: { path: 'in.csv', types: { d: 'DATE', x: 'INTEGER', y: 'DOUBLE' } } }, { id: 'o', kind: 'sink.csv', config: { path: 'o.csv' } }], ['s -> o']), {
      files: { 'in.csv': 'd,x,y\n2026-01-02,-0,1.50\nsoon,-0,1.50\n' },
    });
    expect(r.manifest.outcome).toBe('succeeded');
    expect((await r.quarantine('s')).entries.map((e) => e.row)).toEqual(['{"d":"soon","x":"-0","y":"1.50"}']);
    expect(r.read('o.csv')).toBe('d,x,y\n2026-01-02,0,1.5\n');
  });
});
