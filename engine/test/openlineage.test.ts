// OpenLineage events of a run: START then COMPLETE / FAIL, datasets with schemas and the rules as assertions,
// written to the run's folder and POSTed (with retries) to an allowed endpoint, never failing the run.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../src/runtime/run.js';
import type { RunEventOL } from '../src/ops/openlineage.js';
import { columnOrigins, columnsIn } from '../src/ops/column-lineage.js';
import { kindOf } from '../src/nodes/registry.js';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { tmpDir } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ordersDir = path.join(root, 'samples', 'orders');
const addFormats = addFormatsModule as unknown as (a: Ajv2020) => void;

/**
 * The official OpenLineage JSON Schema: spec/OpenLineage.json and the facet schemas Sluice emits, copied unchanged
 * from the OpenLineage repository with its licence into test/fixtures/openlineage (see its README);
 * OPENLINEAGE_SPEC_DIR names another copy.
 */
const SPEC_DIR = process.env['OPENLINEAGE_SPEC_DIR'] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'openlineage');

function officialValidator(): (e: unknown) => string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const f of fs.readdirSync(SPEC_DIR).filter((x) => x.endsWith('.json'))) ajv.addSchema(JSON.parse(fs.readFileSync(path.join(SPEC_DIR, f), 'utf8')) as object);
  const runEvent = ajv.getSchema('https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent');
  if (!runEvent) throw new Error(`no OpenLineage.json (2-0-2) in ${SPEC_DIR}`);
  return (e) => {
    const errors: string[] = [];
    if (!runEvent(e)) errors.push(ajv.errorsText(runEvent.errors));
    // Every facet also against its own schema, found by its _schemaURL.
    const visit = (facets: unknown) => {
      for (const f of Object.values((facets ?? {}) as Record<string, { _schemaURL: string }>)) {
        const v = ajv.getSchema(f._schemaURL);
        if (!v) errors.push(`no schema for ${f._schemaURL}`);
        else if (!v(f)) errors.push(`${f._schemaURL}: ${ajv.errorsText(v.errors)}`);
      }
    };
    const ev = e as RunEventOL;
    visit(ev.run.facets);
    visit(ev.job.facets);
    for (const d of [...ev.inputs, ...ev.outputs]) for (const f of [d.facets, d.inputFacets, d.outputFacets]) visit(f);
    return errors;
  };
}

function copyOrders(): string {
  const dir = tmpDir('sluice-ol-');
  for (const f of ['orders.csv', 'orders.pipeline.json']) fs.copyFileSync(path.join(ordersDir, f), path.join(dir, f));
  return dir;
}

const events = (historyDir: string, runId: string) =>
  fs.readFileSync(path.join(historyDir, runId, 'openlineage.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RunEventOL);

describe('OpenLineage', () => {
  it('a run emits START and COMPLETE with datasets, schemas and the rules as assertions; a failed run emits FAIL', async () => {
    const dir = copyOrders();
    const historyDir = path.join(dir, 'h');
    const p = JSON.parse(fs.readFileSync(path.join(dir, 'orders.pipeline.json'), 'utf8')) as Record<string, unknown>;
    const m = await runPipeline({ pipeline: p, baseDir: dir, historyDir });
    const [start, end, ...rest] = events(historyDir, m.runId);
    expect(rest).toEqual([]);
    expect(start?.eventType).toBe('START');
    expect(end?.eventType).toBe('COMPLETE');
    expect(start?.run.runId).toBe(end?.run.runId);
    expect(end?.run.runId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(end?.job).toMatchObject({ namespace: 'sluice', name: 'Orders: validate and aggregate' });
    expect(end?.inputs.map((d) => d.name)).toEqual([path.join(dir, 'orders.csv')]);
    expect(end?.outputs.map((d) => d.name).sort()).toEqual([path.join(dir, 'out/rejected_orders.csv'), path.join(dir, 'out/revenue_by_country.csv')]);
    const fields = (end?.inputs[0]?.facets?.['schema'] as { fields: { name: string }[] }).fields.map((f) => f.name);
    expect(fields).toContain('customer_id');
    const report = end?.outputs.find((d) => d.name.endsWith('revenue_by_country.csv'));
    expect((report?.facets?.['schema'] as { fields: { name: string; type: string }[] }).fields).toEqual([
      { name: 'country', type: 'VARCHAR' },
      { name: 'orders', type: 'BIGINT' },
      { name: 'revenue', type: 'DECIMAL(38,2)' },
    ]);
    expect(report?.outputFacets?.['outputStatistics']).toMatchObject({ rowCount: 6 });
    // Column lineage from the static schema pass: country passes through; revenue is sum(quantity * unit_price)
    // over typed values; a count derives from no column.
    const src = { namespace: 'file', name: path.join(dir, 'orders.csv') };
    const lineage = (report?.facets?.['columnLineage'] as { fields: Record<string, { inputFields: { field: string; transformations: { subtype: string }[] }[] }> }).fields;
    expect(lineage['country']?.inputFields).toEqual([{ ...src, field: 'country', transformations: [{ type: 'DIRECT', subtype: 'IDENTITY' }] }]);
    expect(lineage['revenue']?.inputFields).toEqual([
      { ...src, field: 'quantity', transformations: [{ type: 'DIRECT', subtype: 'AGGREGATION' }] },
      { ...src, field: 'unit_price', transformations: [{ type: 'DIRECT', subtype: 'AGGREGATION' }] },
    ]);
    expect(Object.keys(lineage).sort()).toEqual(['country', 'revenue']);
    const rejects = end?.outputs.find((d) => d.name.endsWith('rejected_orders.csv'));
    const rejected = (rejects?.facets?.['columnLineage'] as { fields: Record<string, { inputFields: { field: string; transformations: { subtype: string }[] }[] }> }).fields;
    expect(rejected['quantity']?.inputFields.map((f) => [f.field, f.transformations[0]?.subtype])).toEqual([['quantity', 'TRANSFORMATION']]);
    expect(rejected['status']?.inputFields.map((f) => [f.field, f.transformations[0]?.subtype])).toEqual([['status', 'IDENTITY']]);
    const assertions = (end?.inputs[0]?.inputFacets?.['dataQualityAssertions'] as { assertions: { assertion: string; success: boolean; column?: string }[] }).assertions;
    expect(assertions).toContainEqual({ assertion: 'checks.quantity_positive', success: false, column: 'quantity' });
    expect(assertions.map((a) => a.assertion)).toEqual(['checks.customer_required', 'checks.quantity_positive', 'checks.known_status', 'checks.order_id_unique']);

    fs.rmSync(path.join(dir, 'orders.csv'));
    const failed = await runPipeline({ pipeline: p, baseDir: dir, historyDir });
    const [, fail] = events(historyDir, failed.runId);
    expect(fail?.eventType).toBe('FAIL');
    expect((fail?.run.facets?.['errorMessage'] as { message: string }).message).toContain('orders.csv');

    const validate = officialValidator();
    for (const e of [start, end, ...events(historyDir, failed.runId)]) expect(validate(e)).toEqual([]);
    // The check can fail: a run id that is not a UUID, a schema facet without its fields.
    expect(validate({ ...end, run: { runId: 'not-a-uuid' } })).not.toEqual([]);
    expect(validate({ ...end, outputs: [{ ...report, facets: { columnLineage: { ...(report?.facets?.['columnLineage'] as object), fields: { country: { inputFields: [{ field: 'country' }] } } } } }] })).not.toEqual([]);
    expect(validate({ ...end, inputs: [{ ...end?.inputs[0], facets: { schema: { ...(end?.inputs[0]?.facets?.['schema'] as object), fields: 'x' } } }] })).not.toEqual([]);
  });

  it('a sink fed by a view (not profiled) still gets its schema facet', async () => {
    const dir = copyOrders();
    const historyDir = path.join(dir, 'h');
    const p = JSON.parse(fs.readFileSync(path.join(dir, 'orders.pipeline.json'), 'utf8')) as { nodes: unknown[]; edges: unknown[] };
    // The revenue report reads the derive "amounts" (a view) instead of the aggregate.
    p.edges = (p.edges as { from: { node: string } }[]).map((e) => (e.from.node === 'by_country' ? { ...e, from: { node: 'amounts', port: 'out' } } : e));
    const m = await runPipeline({ pipeline: p, baseDir: dir, historyDir });
    expect(m.columns?.['amounts']).toBeUndefined();
    const report = events(historyDir, m.runId)[1]?.outputs.find((d) => d.name.endsWith('revenue_by_country.csv'));
    expect((report?.facets?.['schema'] as { fields: { name: string }[] }).fields.map((f) => f.name)).toContain('amount');
  });

  it('posts events to an allowed endpoint with retries, sends nothing to a host not allowed, and never fails the run', async () => {
    const received: RunEventOL[] = [];
    let calls = 0;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        calls++;
        // The first attempt fails: the event must still arrive.
        if (calls === 1) return void res.writeHead(503).end();
        received.push(JSON.parse(body) as RunEventOL);
        res.writeHead(201).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const dir = tmpDir('sluice-ol-http-');
      fs.writeFileSync(path.join(dir, 'in.csv'), 'id\n1\n2\n');
      const p = (url: string) => ({
        version: 1,
        name: 'posted',
        ops: { lineage: { url, namespace: 'team-a' } },
        nodes: [{ id: 's', kind: 'source.csv', config: { path: 'in.csv' } }, { id: 'o', kind: 'sink.csv', config: { path: 'o.csv' } }],
        edges: [{ from: { node: 's', port: 'out' }, to: { node: 'o', port: 'in' } }],
      });
      const m = await runPipeline({ pipeline: p(`http://127.0.0.1:${port}/api/v1/lineage`), baseDir: dir, historyDir: path.join(dir, 'h'), allowHosts: [`127.0.0.1:${port}`] });
      expect(m.outcome).toBe('succeeded');
      await new Promise((r) => setTimeout(r, 300)); // the START post runs alongside the run
      expect(received.map((e) => e.eventType).sort()).toEqual(['COMPLETE', 'START']);
      expect(received[0]?.job.namespace).toBe('team-a');
      const before = calls;
      const refused = await runPipeline({ pipeline: p(`http://127.0.0.1:${port}/api/v1/lineage`), baseDir: dir, historyDir: path.join(dir, 'h') });
      expect(refused.outcome).toBe('succeeded');
      expect(calls).toBe(before);
      // An endpoint that is down: the run still succeeds (the events stay in the run's file).
      server.close();
      const down = await runPipeline({ pipeline: p(`http://127.0.0.1:${port}/x`), baseDir: dir, historyDir: path.join(dir, 'h'), allowHosts: [`127.0.0.1:${port}`] });
      expect(down.outcome).toBe('succeeded');
      expect(events(path.join(dir, 'h'), down.runId).map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
    } finally {
      server.close();
    }
  });
});

describe('column lineage', () => {
  it('follows joins with prefixes, renames and expressions, and claims nothing for an SQL node', () => {
    const p = {
      version: 1,
      name: 'cl',
      nodes: [
        { id: 'a', kind: 'source.csv', config: { path: 'a.csv' } },
        { id: 'b', kind: 'source.csv', config: { path: 'b.csv' } },
        { id: 'j', kind: 'join', config: { on: [{ left: 'id', right: 'id' }], rightPrefix: 'r_' } },
        { id: 's', kind: 'select', config: { columns: [{ name: 'id' }, { name: 'r_name', as: 'other' }, { name: 'total' }] } },
        { id: 'd', kind: 'derive', config: { columns: [{ name: 'x', expression: 'total * 2 + "id"' }] } },
        { id: 'q', kind: 'sql', config: { query: 'SELECT * FROM in1' } },
      ],
      edges: [
        { from: { node: 'a', port: 'out' }, to: { node: 'j', port: 'left' } },
        { from: { node: 'b', port: 'out' }, to: { node: 'j', port: 'right' } },
        { from: { node: 'j', port: 'out' }, to: { node: 's', port: 'in' } },
        { from: { node: 's', port: 'out' }, to: { node: 'd', port: 'in' } },
        { from: { node: 'd', port: 'out' }, to: { node: 'q', port: 'in' } },
      ],
    } as unknown as Pipeline;
    const cols = (...names: string[]) => names.map((name) => ({ name }));
    const ports = {
      a: { out: cols('id', 'total', 'name') },
      b: { out: cols('id', 'name') },
      j: { out: cols('id', 'total', 'name', 'r_name') },
      s: { out: cols('id', 'other', 'total') },
      d: { out: cols('id', 'other', 'total', 'x') },
      q: { out: cols('id', 'x') },
    };
    const o = columnOrigins(p, ports, kindOf);
    const at = (n: string, c: string) => o.get(n)?.get('out')?.get(c)?.map((x) => `${x.source}.${x.field}:${x.subtype}`);
    expect(at('j', 'name')).toEqual(['a.name:IDENTITY']);
    expect(at('j', 'r_name')).toEqual(['b.name:IDENTITY']);
    expect(at('s', 'other')).toEqual(['b.name:IDENTITY']);
    expect(at('d', 'x')).toEqual(['a.id:TRANSFORMATION', 'a.total:TRANSFORMATION']);
    expect(o.get('q')?.get('out')?.size ?? 0).toBe(0);
    expect(columnsIn('totals + "my col" - total_2', ['total', 'my col', 'total_2'])).toEqual(['my col', 'total_2']);
  });
});
