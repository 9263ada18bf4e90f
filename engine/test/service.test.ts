// The EngineApi object as the designer uses it: a run from a pipeline's own folder, then its quarantine.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngineService } from '../src/service.js';
import { chain, tmpDir } from './helpers.js';

const workspace = tmpDir('sluice-service-');
const project = path.join(workspace, 'project');
fs.mkdirSync(project);
fs.writeFileSync(path.join(project, 'in.csv'), 'id,n\n1,2\n2,x\n3,"open\n');
const service = createEngineService({ workspaces: [workspace] });
afterAll(() => service.close());

const doc = chain([
  { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
  { id: 'typed', kind: 'cast', config: { types: { n: 'INTEGER' } } },
  { id: 'out', kind: 'sink.csv', config: { path: 'out/result.csv' } },
]);

describe('engine service', () => {
  it('finds the quarantine of a run recorded beside its pipeline, below the workspace root', async () => {
    const manifest = await service.run({ pipeline: doc, baseDir: project });
    expect(fs.existsSync(path.join(project, '.sluice', 'runs', manifest.runId))).toBe(true);
    const page = await service.quarantinePage({ runId: manifest.runId, nodeId: 'typed' });
    expect(page.total).toBe(1);
    expect(page.entries[0]?.reasons.join(' ')).toContain('is not a valid INTEGER');
    const runs = await service.listRuns({});
    expect(runs.map((r) => r.runId)).toContain(manifest.runId);
  });

  it('refuses a run id that is not one path segment', async () => {
    await expect(service.quarantinePage({ runId: '../x', nodeId: 'typed' })).rejects.toThrow(/not a run id/);
  });

  it('answers previews fired at once, each with its own node', async () => {
    const [a, b, c] = await Promise.all([
      service.preview({ pipeline: doc, nodeId: 'src', baseDir: project }),
      service.preview({ pipeline: doc, nodeId: 'typed', baseDir: project }),
      service.preview({ pipeline: doc, nodeId: 'typed', baseDir: project, limit: 1 }),
    ]);
    expect(a.nodeId).toBe('src');
    expect(b.totalRows).toBe(1);
    expect(b.quarantineTotal).toBe(1);
    expect(c.rows).toHaveLength(1);
  });

  it('counts a preview\'s quarantine per rule over every quarantined row, not only the entries it sends', async () => {
    const lines = ['id,n'];
    for (let i = 0; i < 260; i++) lines.push(`${i},${i % 2 === 0 ? 'x' : String(i)}`);
    fs.writeFileSync(path.join(project, 'many.csv'), `${lines.join('\n')}\n`);
    const many = chain([
      { id: 'src', kind: 'source.csv', config: { path: 'many.csv' } },
      { id: 'typed', kind: 'cast', config: { types: { n: 'INTEGER' } } },
    ]);
    const p = await service.preview({ pipeline: many, nodeId: 'typed', baseDir: project, limit: 10 });
    expect(p.quarantine.length).toBeLessThan(p.quarantineTotal);
    const counts = Object.values(p.quarantineByRule ?? {});
    expect(counts).toHaveLength(1);
    expect(counts[0]).toBe(p.quarantineTotal);
    expect(p.quarantineTotal).toBe(130);
  });
});
