// Previews: never write, say "sampled" only when a source really stopped early, and stay right when the
// designer fires several at once.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { PreviewResult } from '@sluice/format/api/contract';
import { runCli } from '../src/cli/main.js';
import { previewTarget } from '@sluice/format/pipeline/preview-target';
import { kindOf } from '../src/nodes/registry.js';
import { preparePipeline } from '../src/runtime/run.js';
import { PreviewSession } from '../src/runtime/preview.js';
import { chain, tmpDir, writeFiles } from './helpers.js';

function setup(rows: number) {
  const dir = tmpDir();
  const lines = ['id,v', ...Array.from({ length: rows }, (_, i) => `${i + 1},${i % 2 === 0 ? 'even' : 'odd'}`)];
  writeFiles(dir, { 'in.csv': `${lines.join('\n')}\n` });
  const p = preparePipeline(
    chain([
      { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
      { id: 'odd', kind: 'filter', config: { expression: "v = 'odd'" } },
      { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
    ]),
    {},
  );
  return { dir, p };
}

describe('preview', () => {
  it('previewing a sink shows the rows that would reach it and writes nothing', async () => {
    const { dir, p } = setup(10);
    const s = new PreviewSession();
    try {
      const r = await s.preview(p, 'out', 100, dir);
      expect(r.totalRows).toBe(5);
      expect(r.rows.map((row) => row[0])).toEqual(['2', '4', '6', '8', '10']);
      expect(fs.existsSync(path.join(dir, 'out.csv'))).toBe(false);
      expect(fs.readdirSync(dir).filter((f) => f.includes('sluice-tmp'))).toEqual([]);
    } finally {
      s.close();
    }
  });

  it('previewing a sink fed by a quarantine port shows the quarantined rows (sluice preview orders --node rejects)', async () => {
    const file = path.resolve(import.meta.dirname, '../../samples/orders/orders.pipeline.json');
    const previewOf = async (node: string): Promise<PreviewResult> => {
      const lines: string[] = [];
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      });
      try {
        expect(await runCli(['preview', file, '--node', node, '--json'])).toBe(0);
      } finally {
        spy.mockRestore();
      }
      return JSON.parse(lines.join('')) as PreviewResult;
    };
    const rejects = await previewOf('rejects');
    const checks = await previewOf('checks');
    // The checks node quarantines 3 of its 13 rows; the sink "rejects" receives exactly those, with their reasons.
    expect(checks.quarantineTotal).toBe(3);
    expect([rejects.nodeId, rejects.port, rejects.totalRows]).toEqual(['rejects', 'quarantine', 3]);
    expect(rejects.columns.map((c) => c.name)).toEqual(expect.arrayContaining(['__rule_ids', '__reasons']));
    expect(rejects.rows.map((r) => String(r[0])).sort()).toEqual(checks.quarantine.map((q) => (JSON.parse(q.row ?? '{}') as Record<string, unknown>)[checks.columns[0]?.name ?? '']).map(String).sort());
    // The designer asks the same rule which port a sink's preview shows.
    const p = preparePipeline(JSON.parse(fs.readFileSync(file, 'utf8')), {});
    expect(previewTarget(p, 'rejects', kindOf)).toEqual({ nodeId: 'rejects', requestNodeId: 'checks', port: 'quarantine', via: { port: 'quarantine', role: 'quarantine' } });
    expect(previewTarget(p, 'report', kindOf)).toMatchObject({ requestNodeId: 'by_country', port: 'out', via: { role: 'data' } });
    expect(previewTarget(p, 'checks', kindOf)).toEqual({ nodeId: 'checks', requestNodeId: 'checks', port: 'valid' });
  });

  it('says sampled only when a source stopped at the limit', async () => {
    const small = setup(10);
    const big = setup(5000);
    const s = new PreviewSession();
    try {
      expect((await s.preview(small.p, 'odd', 100, small.dir)).sampled).toBe(false);
      const r = await s.preview(big.p, 'odd', 100, big.dir);
      expect(r.sampled).toBe(true);
      expect(r.metrics.find((m) => m.nodeId === 'src')?.rowsOut).toBe(1000);
    } finally {
      s.close();
    }
  });

  it('gives the same answers when previews run concurrently', async () => {
    const { dir, p } = setup(200);
    const s = new PreviewSession();
    try {
      // Cold cache, several edits of one node in flight at once (as a designer fires them while typing): each
      // shares the source with the others, and each must get its own, correct answer.
      const variants = ["v = 'odd'", "v = 'even'", 'CAST(id AS INTEGER) > 150', "v = 'odd' AND CAST(id AS INTEGER) < 20", 'true'].map((expression) => {
        const q = structuredClone(p);
        (q.nodes.find((n) => n.id === 'odd') as { config: Record<string, unknown> }).config['expression'] = expression;
        return q;
      });
      const together = await Promise.all(variants.map((q) => s.preview(q, 'odd', 500, dir)));
      const fresh = new PreviewSession();
      const oneByOne = [];
      try {
        for (const q of variants) oneByOne.push(await fresh.preview(q, 'odd', 500, dir));
      } finally {
        fresh.close();
      }
      expect(together.map((r) => r.totalRows)).toEqual([100, 100, 50, 9, 200]);
      expect(together.map((r) => r.rows)).toEqual(oneByOne.map((r) => r.rows));
      expect(together.every((r) => r.metrics.every((m) => m.status !== 'failed'))).toBe(true);
    } finally {
      s.close();
    }
  });
});
