// The engine's `traceRow` (the designer's "Where did this come from?"): a quarantined row of the orders sample traced
// to its exact line of orders.csv, by number and by lineage id, with the nodes passed and their labels; and the
// refusals that name what would have kept a row.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngineService } from '../src/service.js';
import { tmpDir } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ordersDir = path.join(root, 'samples', 'orders');

describe('traceRow', () => {
  const dir = tmpDir('sluice-trace-row-');
  fs.copyFileSync(path.join(ordersDir, 'orders.csv'), path.join(dir, 'orders.csv'));
  const pipeline = JSON.parse(fs.readFileSync(path.join(ordersDir, 'orders.pipeline.json'), 'utf8')) as unknown;
  const api = createEngineService({ workspaces: [dir], inProcessRuns: true });
  afterAll(() => api.close());
  const lines = fs.readFileSync(path.join(dir, 'orders.csv'), 'utf8').split('\n');

  it('traces a quarantined row to its line of the source file, by number and by lineage id', async () => {
    const m = await api.run({ pipeline, baseDir: dir });
    expect(m.outcome).toBe('succeeded');
    const page = await api.quarantinePage({ runId: m.runId, nodeId: 'checks' });
    const second = page.entries[1];
    expect(second).toBeDefined();

    const t = await api.traceRow({ runId: m.runId, nodeId: 'checks', row: 2, quarantine: true, pipeline });
    expect(t.origin).toMatchObject({ type: 'line', node: 'orders', file: 'orders.csv' });
    expect(t.sourceLine).toBe(second?.sourceLine);
    // The line it names holds this row: its order id opens that line of the file.
    expect((lines[(t.sourceLine ?? 0) - 1] ?? '').split(',')[0]).toBe(String(t.values['order_id']));
    expect(t.path?.map((n) => n.nodeId)).toEqual(['orders', 'typed', 'checks']);
    expect(t.path?.every((n) => n.label !== undefined)).toBe(true);
    expect(t.reasons).toEqual(second?.reasons);

    // The designer names the row by the lineage id its quarantine page shows (a filtered page has other numbers).
    const byId = await api.traceRow({ runId: m.runId, nodeId: 'checks', lineage: second?.lineage ?? '', quarantine: true });
    expect([byId.sourceLine, byId.row, byId.values]).toEqual([t.sourceLine, null, t.values]);
    // Without the document, the saved file of the run's name is looked for beside the history; there is none here.
    expect(byId.notes.join(' ')).toContain('pipeline file was not found');
  });

  it('refuses clearly when the run kept nothing to trace from, naming the option that would keep the row', async () => {
    const [m] = await api.listRuns({ limit: 1 });
    const runId = m?.runId ?? '';
    await expect(api.traceRow({ runId, nodeId: 'amounts', row: 1 })).rejects.toThrow(/kept no rows of node "amounts".*includeLineage.*--checkpoint all/s);
    await expect(api.traceRow({ runId, nodeId: 'checks', lineage: 'orders:orders.csv:999', quarantine: true })).rejects.toThrow('kept no quarantined row with lineage "orders:orders.csv:999"');
    await expect(api.traceRow({ runId: 'no-such-run', nodeId: 'checks', row: 1 })).rejects.toThrow('no run "no-such-run"');
    await expect(api.traceRow({ runId, nodeId: 'checks', quarantine: true })).rejects.toThrow('name the row by');
  });
});
