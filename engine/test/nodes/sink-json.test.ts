// sink.json: NDJSON or one array, atomically; numbers keep their digits.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chain, counts, expectSucceeded, listDir, run, tmpDir, writeFiles } from '../helpers.js';

const withSink = (config: Record<string, unknown>, types: Record<string, string> = { id: 'HUGEINT' }) =>
  chain([
    { id: 'src', kind: 'source.json', config: { path: 'data.ndjson', types } },
    { id: 'out', kind: 'sink.json', config: { path: 'out.ndjson', ...config } },
  ]);

const DATA = '{"id":123456789012345678901,"name":"ann"}\n{"id":2,"name":null}\n{"id":3,"name":"say \\"hi\\"\\n"}\n';

describe('sink.json', () => {
  it('writes one object per line, big integers exactly', async () => {
    const r = await run(withSink({}), { files: { 'data.ndjson': DATA } });
    expectSucceeded(r);
    expect(counts(r.metric('out'))).toMatchObject({ rowsIn: 3, quarantined: 0 });
    expect(r.read('out.ndjson')).toBe('{"id":123456789012345678901,"name":"ann"}\n{"id":2,"name":null}\n{"id":3,"name":"say \\"hi\\"\\n"}\n');
    expect(listDir(r.baseDir).filter((f) => f.includes('sluice-tmp'))).toEqual([]);
  });

  it('writes a JSON array when asked', async () => {
    const r = await run(withSink({ array: true }), { files: { 'data.ndjson': DATA } });
    expectSucceeded(r);
    const text = r.read('out.ndjson');
    expect(text).toContain('123456789012345678901');
    const parsed = JSON.parse(text.replace('123456789012345678901', '"big"')) as unknown[];
    expect(parsed).toEqual([
      { id: 'big', name: 'ann' },
      { id: 2, name: null },
      { id: 3, name: 'say "hi"\n' },
    ]);
  });

  it('append and merge by key', async () => {
    const base = tmpDir('sluice-base-');
    writeFiles(base, { 'data.ndjson': '{"id":1,"name":"a"}\n{"id":2,"name":"b"}\n' });
    expectSucceeded(await run(withSink({}, { id: 'INTEGER' }), { baseDir: base }));
    writeFiles(base, { 'data.ndjson': '{"id":3,"name":"c"}\n' });
    const app = await run(withSink({ mode: 'append' }, { id: 'INTEGER' }), { baseDir: base });
    expectSucceeded(app);
    expect(app.read('out.ndjson')).toBe('{"id":1,"name":"a"}\n{"id":2,"name":"b"}\n{"id":3,"name":"c"}\n');
    writeFiles(base, { 'data.ndjson': '{"id":2,"name":"B"}\n' });
    const merged = await run(withSink({ mode: 'merge', key: ['id'] }, { id: 'INTEGER' }), { baseDir: base });
    expectSucceeded(merged);
    const lines = merged.read('out.ndjson').trim().split('\n').sort();
    expect(lines).toEqual(['{"id":1,"name":"a"}', '{"id":2,"name":"B"}', '{"id":3,"name":"c"}']);
  });

  it('refuses to write outside the allowed folders', async () => {
    const r = await run(withSink({ path: path.join('..', 'x.ndjson') }), { files: { 'data.ndjson': DATA } });
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.errors[0]).toMatch(/^node "out" \(sink\.json\), field "path": path "\.\.\/x\.ndjson" in "path" is outside/);
  });
});
