// Bytes per node in a run's record and the run store: sources' input files, sinks' written files, each with how it
// was measured (orders sample, one run).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../src/runtime/run.js';
import { RunStore } from '../src/ops/store.js';
import { tmpDir } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ordersDir = path.join(root, 'samples', 'orders');

describe('bytes per node', () => {
  it('records bytes read by the source and written by each sink, with their basis, in the manifest and the run store', async () => {
    const dir = tmpDir('sluice-bytes-');
    fs.copyFileSync(path.join(ordersDir, 'orders.csv'), path.join(dir, 'orders.csv'));
    const historyDir = path.join(dir, '.sluice', 'runs');
    const m = await runPipeline({ pipeline: JSON.parse(fs.readFileSync(path.join(ordersDir, 'orders.pipeline.json'), 'utf8')), baseDir: dir, historyDir });
    expect(m.outcome).toBe('succeeded');
    const size = (f: string): number => fs.statSync(path.join(dir, f)).size;
    expect(m.bytes?.['orders']).toEqual({ read: size('orders.csv'), files: 1, from: 'size of the input files when the run started' });
    expect(m.bytes?.['report']).toEqual({ written: size('out/revenue_by_country.csv'), files: 1, from: 'size of the written file after the run' });
    expect(m.bytes?.['rejects']).toEqual({ written: size('out/rejected_orders.csv'), files: 1, from: 'size of the written file after the run' });
    // Nodes between sources and sinks claim nothing.
    expect(Object.keys(m.bytes ?? {}).sort()).toEqual(['orders', 'rejects', 'report']);

    const [row] = await RunStore.with(historyDir, (s) => s.list({ limit: 1 }));
    expect(row?.bytesRead).toBe(size('orders.csv'));
    expect(row?.bytesWritten).toBe(size('out/revenue_by_country.csv') + size('out/rejected_orders.csv'));
  });
});
