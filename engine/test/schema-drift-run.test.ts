// Schema drift per edge at run time: what each edge carried compared with the accepted schema (the file's declared
// types), in the run's manifest, so a column the data gained shows on every edge it reaches and not past a node
// that drops it. The shipped samples, whose files match their accepted types, report none.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeDrift } from '@sluice/format/schema/drift';
import { runSummary } from '../src/cli/format.js';
import { pipeline, run, tmpDir, writeFiles } from './helpers.js';

const SAMPLES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'samples');

describe('schema drift per edge in the run manifest', () => {
  it('a column the file gained shows on each edge it reaches, with its type; a select that drops it ends it', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'orders.csv': 'id,amount,city,note\n1,9.90,Oslo,hi\n2,3.10,Rome,yo\n' });
    const doc = pipeline(
      [
        // A whole accepted schema (text columns listed too, as Accept writes it): "note" is new in the file.
        { id: 'orders', kind: 'source.csv', config: { path: 'orders.csv', types: { id: 'BIGINT', amount: 'DECIMAL(10,2)', city: 'VARCHAR' } } },
        { id: 'sorted', kind: 'sort', config: { by: [{ column: 'id' }] } },
        { id: 'pick', kind: 'select', config: { columns: [{ name: 'id' }, { name: 'amount' }] } },
        { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
      ],
      ['orders -> sorted', 'sorted -> pick', 'pick -> out'],
    );
    const res = await run(doc, { baseDir: dir });
    expect(res.manifest.outcome).toBe('succeeded');
    expect(res.manifest.schemaDrift).toEqual([
      { from: { node: 'orders', port: 'out' }, to: { node: 'sorted', port: 'in' }, added: [{ name: 'note', type: 'VARCHAR' }], removed: [], retyped: [] },
      { from: { node: 'sorted', port: 'out' }, to: { node: 'pick', port: 'in' }, added: [{ name: 'note', type: 'VARCHAR' }], removed: [], retyped: [] },
    ]);
    expect(describeDrift(res.manifest.schemaDrift?.[0] ?? { added: [], removed: [], retyped: [] })).toBe('added note (VARCHAR)');
    // The manifest on disk says the same.
    const onDisk = JSON.parse(fs.readFileSync(path.join(res.historyDir, res.manifest.runId, 'manifest.json'), 'utf8')) as { schemaDrift?: unknown };
    expect(onDisk.schemaDrift).toEqual(res.manifest.schemaDrift);
    // `sluice run`'s report says it per edge.
    expect(runSummary(res.manifest, res.historyDir)).toContain('  drift    orders -> sorted: added note (VARCHAR) (against the accepted schema)');
    // Types that declare only some columns are not a whole schema (the rest stay text, as documented): no drift.
    const partial = structuredClone(doc) as { nodes: { id: string; config: Record<string, unknown> }[] };
    (partial.nodes[0] as { config: Record<string, unknown> }).config['types'] = { id: 'BIGINT', amount: 'DECIMAL(10,2)' };
    expect((await run(partial, { baseDir: dir })).manifest.schemaDrift).toBeUndefined();
  });

  it('the shipped samples, whose files match their accepted types, report no drift', async () => {
    for (const name of ['orders', 'customers', 'events']) {
      const dir = path.join(SAMPLES, name);
      const doc = JSON.parse(fs.readFileSync(path.join(dir, `${name}.pipeline.json`), 'utf8')) as unknown;
      const res = await run(doc, { baseDir: dir, outDir: tmpDir() });
      expect(res.manifest.outcome, name).toBe('succeeded');
      expect(res.manifest.schemaDrift, name).toBeUndefined();
    }
  });
});
