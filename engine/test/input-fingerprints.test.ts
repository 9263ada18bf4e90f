// Every number knows where it came from: a preview and a started run carry the input files they read, and the
// engine answers the files as they are now, so the designer can tell a count from a changed file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { changedInput } from '@sluice/format/api/contract';
import { createEngineService } from '../src/service.js';
import { chain, tmpDir } from './helpers.js';

const workspace = tmpDir('sluice-inputs-');
const service = createEngineService({ workspaces: [workspace], inProcessRuns: true });
afterAll(() => service.close());

const doc = chain([
  { id: 'src', kind: 'source.csv', config: { path: 'data/in.csv' } },
  { id: 'typed', kind: 'cast', config: { types: { n: 'INTEGER' } } },
]);

describe('input fingerprints', () => {
  it('a preview names the files it read; an appended row changes them, a same-size rewrite too', async () => {
    fs.mkdirSync(path.join(workspace, 'data'), { recursive: true });
    const file = path.join(workspace, 'data', 'in.csv');
    fs.writeFileSync(file, 'id,n\n1,2\n2,3\n');
    const p = await service.preview({ pipeline: doc, nodeId: 'typed', baseDir: workspace });
    expect(p.inputs).toEqual([expect.objectContaining({ nodeId: 'src', path: 'data/in.csv', size: 13, hash: expect.any(String) })]);
    const same = await service.inputFingerprints({ pipeline: doc, baseDir: workspace });
    expect(changedInput(p.inputs ?? [], same.inputs)).toBeUndefined();

    fs.appendFileSync(file, '3,4\n');
    // A whole-millisecond time, so that setting it again below restores exactly what was read (utimes drops the
    // sub-millisecond part a fresh write has, which would change the rounded mtimeMs by one now and then).
    const stamp = new Date(Math.floor(Date.now() / 1000) * 1000);
    fs.utimesSync(file, stamp, stamp);
    const appended = await service.inputFingerprints({ pipeline: doc, baseDir: workspace });
    expect(changedInput(p.inputs ?? [], appended.inputs)).toBe('data/in.csv');
    // The preview computed now reads the appended row (the cache is keyed by the file's size and time).
    const again = await service.preview({ pipeline: doc, nodeId: 'typed', baseDir: workspace });
    expect(again.totalRows).toBe(3);

    // Same size, same modification time: only the content hash tells.
    fs.writeFileSync(file, 'id,n\n1,2\n2,3\n3,5\n');
    fs.utimesSync(file, stamp, stamp);
    const rewritten = await service.inputFingerprints({ pipeline: doc, baseDir: workspace });
    expect(rewritten.inputs[0]?.size).toBe(again.inputs?.[0]?.size);
    expect(rewritten.inputs[0]?.mtimeMs).toBe(again.inputs?.[0]?.mtimeMs);
    expect(changedInput(again.inputs ?? [], rewritten.inputs)).toBe('data/in.csv');
  });

  it('a started run reports the inputs it starts from', async () => {
    const { jobId } = await service.startRun({ pipeline: doc, baseDir: workspace });
    const status = await service.runStatus({ jobId });
    expect(status.inputs?.map((f) => f.path)).toEqual(['data/in.csv']);
  });

  it('describes the files of a document that is still being edited (a node not yet connected)', async () => {
    const editing = { ...doc, nodes: [...(doc['nodes'] as unknown[]), { id: 'loose', kind: 'filter', config: { expression: 'n > 1' } }] };
    await expect(service.validate({ pipeline: editing, baseDir: workspace })).resolves.toMatchObject({ ok: false });
    const now = await service.inputFingerprints({ pipeline: editing, baseDir: workspace });
    expect(now.inputs.map((f) => f.path)).toEqual(['data/in.csv']);
  });

  it('names an added or removed file of a glob', () => {
    const a = { nodeId: 's', path: 'a.csv', size: 1, mtimeMs: 1 };
    const b = { nodeId: 's', path: 'b.csv', size: 1, mtimeMs: 1 };
    expect(changedInput([a], [a, b])).toBe('b.csv');
    expect(changedInput([a, b], [a])).toBe('b.csv');
    expect(changedInput([a, b], [a, b])).toBeUndefined();
  });
});
