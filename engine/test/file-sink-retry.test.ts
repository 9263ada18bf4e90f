// File sinks retry their final rename on transient file-system errors (a briefly locked or busy target) and
// show the retries in the run record; a lasting error still fails with the previous output intact.
import * as fs from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chain, expectSucceeded, listDir, run, tmpDir } from './helpers.js';

const busy = () => Object.assign(new Error('EBUSY: resource busy or locked, rename'), { code: 'EBUSY' });

const toCsv = chain([
  { id: 'src', kind: 'source.json', config: { path: 'in.ndjson' } },
  { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
]);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('file sink rename retry', () => {
  it('a target busy twice is published on the third attempt; the record shows the retries', async () => {
    const real = fs.promises.rename.bind(fs.promises);
    const spy = vi.spyOn(fs.promises, 'rename');
    spy.mockRejectedValueOnce(busy()).mockRejectedValueOnce(busy()).mockImplementation(real);
    const r = await run(toCsv, { files: { 'in.ndjson': '{"a":1}\n{"a":2}\n' } });
    expectSucceeded(r);
    expect(r.read('out.csv')).toBe('a\n1\n2\n');
    expect(spy).toHaveBeenCalledTimes(3);
    expect(r.metric('out').io).toMatchObject({ requests: 3, retries: 2, failures: 2, breaker: 'closed', lastError: 'EBUSY' });
    expect(r.metric('src').io).toBeUndefined();
  });

  it('a target that stays busy fails clearly after 5 attempts, previous output intact, no temporary file left', async () => {
    const base = tmpDir();
    fs.writeFileSync(`${base}/out.csv`, 'previous\n');
    const spy = vi.spyOn(fs.promises, 'rename').mockRejectedValue(busy());
    const r = await run(toCsv, { baseDir: base, files: { 'in.ndjson': '{"a":1}\n' } });
    expect(r.manifest.outcome).toBe('failed');
    expect(spy).toHaveBeenCalledTimes(5);
    expect(r.metric('out').error).toMatch(/^node "out" \(sink\.csv\), field "path": cannot write .*out\.csv: EBUSY: resource busy or locked, rename; the previous output is untouched$/);
    expect(r.metric('out').io).toMatchObject({ requests: 5, retries: 4, failures: 5 });
    expect(r.read('out.csv')).toBe('previous\n');
    expect(listDir(base).filter((f) => f.includes('sluice-tmp'))).toEqual([]);
  });

  it('a permanent error (EACCES) is not retried', async () => {
    const spy = vi.spyOn(fs.promises, 'rename').mockRejectedValue(Object.assign(new Error('EACCES: permission denied, rename'), { code: 'EACCES' }));
    const r = await run(toCsv, { files: { 'in.ndjson': '{"a":1}\n' } });
    expect(r.manifest.outcome).toBe('failed');
    expect(spy).toHaveBeenCalledTimes(1);
    expect(r.metric('out').error).toContain('EACCES');
  });
});
