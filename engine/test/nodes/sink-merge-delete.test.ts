// Merge sinks with a delete marker: keep a current table from a stream of upserts and deletes, idempotently.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chain, duck, expectSucceeded, run, sq, tmpDir, writeFiles } from '../helpers.js';

const B1 = 'id,name,deleted\n1,ann,false\n2,bob,false\n3,cy,false\n';
const B2 = 'id,name,deleted\n2,bobby,false\n3,,true\n4,dee,false\n';

function p(sink: Record<string, unknown>): Record<string, unknown> {
  return chain([
    { id: 'src', kind: 'source.csv', config: { path: 'in.csv', types: { id: 'INTEGER', deleted: 'BOOLEAN' } } },
    { id: 'out', ...sink } as { id: string; kind: string; config: Record<string, unknown> },
  ]);
}

const SINKS: Record<string, { sink: Record<string, unknown> }> = {
  parquet: { sink: { kind: 'sink.parquet', config: { path: 'out/people.parquet', mode: 'merge', key: ['id'], deleteColumn: 'deleted' } } },
  dataset: { sink: { kind: 'sink.parquet-dataset', config: { path: 'out/people', key: ['id'], deleteColumn: 'deleted' } } },
};

async function rows(kind: string, dir: string): Promise<unknown[]> {
  if (kind === 'dataset') {
    // Only the current version remains beside the link.
    expect(fs.readdirSync(path.join(dir, 'out')).filter((f) => f.includes('.v-'))).toHaveLength(1);
    return duck(`SELECT * FROM read_parquet(${sq(path.join(dir, 'out/people/*.parquet'))}) ORDER BY id`);
  }
  return duck(`SELECT * FROM read_parquet(${sq(path.join(dir, 'out/people.parquet'))}) ORDER BY id`);
}

describe('merge with deleteColumn', () => {
  for (const kind of Object.keys(SINKS)) {
    it(`${kind}: upserts and deletes by key, and a replayed batch changes nothing`, async () => {
      const dir = tmpDir();
      const hist = tmpDir();
      const pipe = p((SINKS[kind] as { sink: Record<string, unknown> }).sink);
      writeFiles(dir, { 'in.csv': B1 });
      expectSucceeded(await run(pipe, { baseDir: dir, historyDir: hist }));
      writeFiles(dir, { 'in.csv': B2 });
      const r = await run(pipe, { baseDir: dir, historyDir: hist });
      expectSucceeded(r);
      const want = [
        { id: 1, name: 'ann' },
        { id: 2, name: 'bobby' },
        { id: 4, name: 'dee' },
      ];
      expect(await rows(kind, dir)).toEqual(want);
      // The same batch again (a replay): the table does not change.
      expectSucceeded(await run(pipe, { baseDir: dir, historyDir: hist }));
      expect(await rows(kind, dir)).toEqual(want);
    });
  }

  it('refuses a delete marker that is not BOOLEAN, or outside merge mode', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'in.csv': B1 });
    const text = chain([
      { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
      { id: 'out', kind: 'sink.parquet', config: { path: 'out/t.parquet', mode: 'merge', key: ['id'], deleteColumn: 'deleted' } },
    ]);
    const r = await run(text, { baseDir: dir });
    expect(r.manifest.errors.join(' ')).toContain('"deleteColumn" deleted is VARCHAR, not BOOLEAN');
    const append = p({ kind: 'sink.parquet', config: { path: 'out/x.parquet', mode: 'append', deleteColumn: 'deleted' } });
    const r2 = await run(append, { baseDir: dir });
    expect(r2.manifest.errors.join(' ')).toContain('"deleteColumn" works with mode "merge" only');
  });
});
