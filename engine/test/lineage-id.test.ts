// Preview rows carry their lineage ids, and the designer decodes them without a run (format/pipeline/lineage-id.ts).
import { describe, expect, it } from 'vitest';
import { nodesPassed, parseLineage } from '@sluice/format/pipeline/lineage-id';
import { preparePipeline } from '../src/runtime/run.js';
import { PreviewSession } from '../src/runtime/preview.js';
import { chain, tmpDir, writeFiles } from './helpers.js';

describe('lineage ids of preview rows', () => {
  it('a preview sends each row its lineage id, which decodes to the source line and the nodes passed', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'in.csv': 'id,v\n1,even\n2,odd\n3,even\n4,odd\n' });
    const p = preparePipeline(
      chain([
        { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
        { id: 'odd', kind: 'filter', config: { expression: "v = 'odd'" } },
        { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
      ]),
      {},
    );
    const s = new PreviewSession();
    try {
      const r = await s.preview(p, 'out', 100, dir);
      // The grid's columns stay the node's own; the ids travel beside the rows.
      expect(r.columns.map((c) => c.name)).toEqual(['id', 'v']);
      expect(r.lineage).toHaveLength(2);
      const kinds = (id: string) => p.nodes.find((n) => n.id === id)?.kind;
      // Row id 2 is line 3 of the file (the header is line 1), row id 4 is line 5.
      expect(r.lineage?.map((l) => parseLineage(l ?? '', kinds))).toEqual([
        { type: 'line', node: 'src', file: 'in.csv', line: 3 },
        { type: 'line', node: 'src', file: 'in.csv', line: 5 },
      ]);
      const labelled = { ...p, nodes: p.nodes.map((n) => (n.id === 'src' ? { ...n, label: 'Read input' } : n)) };
      expect(nodesPassed(labelled, 'src', 'odd')).toEqual([
        { nodeId: 'src', kind: 'source.csv', label: 'Read input' },
        { nodeId: 'odd', kind: 'filter' },
      ]);
    } finally {
      s.close();
    }
  });

  it('decodes the id format of every source kind and of the kinds that make new rows', () => {
    const kinds: Record<string, string> = { csv: 'source.csv', js: 'source.json', pq: 'source.parquet', api: 'source.rest', fs: 'source.files', agg: 'aggregate', q: 'sql' };
    const k = (id: string) => kinds[id];
    // The formats the kinds write: source-csv.ts, source-json.ts, source-parquet.ts, source-rest.ts, source-files.ts.
    expect(parseLineage('csv:orders.csv:17', k)).toEqual({ type: 'line', node: 'csv', file: 'orders.csv', line: 17 });
    expect(parseLineage('js:events.jsonl:4', k)).toEqual({ type: 'line', node: 'js', file: 'events.jsonl', line: 4 });
    expect(parseLineage('csv:data:2024.csv:9', k)).toEqual({ type: 'line', node: 'csv', file: 'data:2024.csv', line: 9 });
    expect(parseLineage('pq:part-1.parquet:5', k)).toEqual({ type: 'row', node: 'pq', file: 'part-1.parquet', row: 5 });
    expect(parseLineage('api:page-3:12', k)).toEqual({ type: 'page', node: 'api', page: 3, record: 12 });
    expect(parseLineage('fs:in/a.txt', k)).toEqual({ type: 'file', node: 'fs', file: 'in/a.txt' });
    expect(parseLineage('agg:group:{"country":"DE"}', k)).toEqual({ type: 'group', node: 'agg', key: '{"country":"DE"}' });
    expect(parseLineage('agg:all', k)).toEqual({ type: 'all', node: 'agg' });
    expect(parseLineage('q:row:4', k)).toEqual({ type: 'sql-row', node: 'q', row: 4 });
    expect(parseLineage('no-colon', k)).toEqual({ type: 'unknown', node: '', text: 'no-colon' });
  });
});
