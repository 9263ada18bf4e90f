// Column profiles (the preview's Profile tab): computed by DuckDB over a node's whole output, not a preview's sample.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { preparePipeline } from '../src/runtime/run.js';
import { PreviewSession } from '../src/runtime/preview.js';
import { Database } from '../src/db/database.js';
import { profileTable } from '../src/ops/column-profile.js';
import { columnStats } from '../src/ops/profile.js';
import { distinctCell } from '../src/cli/ops-commands.js';
import { tmpDir } from './helpers.js';

describe('column profiles', () => {
  it('profiles the whole output of a node: nulls, distinct, min/max, top values and a histogram, cached with previews', async () => {
    const dir = tmpDir('sluice-profile-');
    // 3,000 rows: more than a preview reads from a source (1,000 for 100 rows shown), so a sampled profile would show.
    const lines = ['id,city,amount,day'];
    for (let i = 0; i < 3000; i++) lines.push(`${i},${i % 10 === 0 ? '' : ['Oslo', 'Bergen', 'Oslo', 'Tromsø'][i % 4]},${i % 100},2026-01-${String(1 + (i % 28)).padStart(2, '0')}`);
    fs.writeFileSync(path.join(dir, 'in.csv'), lines.join('\n') + '\n');
    const p = preparePipeline(
      {
        version: 1,
        name: 'profile',
        nodes: [
          { id: 'src', kind: 'source.csv', config: { path: 'in.csv' }, position: { x: 0, y: 0 } },
          { id: 'typed', kind: 'cast', config: { types: { id: 'BIGINT', amount: 'INTEGER', day: 'DATE' } }, position: { x: 1, y: 0 } },
        ],
        edges: [{ from: { node: 'src', port: 'out' }, to: { node: 'typed', port: 'in' } }],
      },
      {},
    );
    const s = new PreviewSession();
    try {
      const preview = await s.preview(p, 'typed', 100, dir);
      expect(preview.totalRows).toBeLessThan(3000);
      const r = await s.profile(p, 'typed', dir);
      expect(r).toMatchObject({ nodeId: 'typed', port: 'out', rows: 3000, profiledRows: 3000, sampled: false, omittedColumns: 0 });
      const col = (n: string) => r.columns.find((c) => c.name === n);
      expect(col('id')).toMatchObject({ type: 'BIGINT', nulls: 0, distinct: 3000, min: '0', max: '2999' });
      // Every 10th city is empty: 300 nulls; Oslo is every even row, less the 300 empty ones.
      expect(col('city')).toMatchObject({ nulls: 300, nullRate: 0.1, distinct: 3, histogram: null });
      expect(col('city')?.top[0]).toEqual({ value: 'Oslo', count: 1200 });
      const amount = col('amount');
      expect(amount).toMatchObject({ type: 'INTEGER', distinct: 100, min: '0', max: '99' });
      expect(amount?.histogram).toHaveLength(20);
      expect(amount?.histogram?.reduce((n, b) => n + b.count, 0)).toBe(3000);
      // Whole-number bins: 0–4, 5–9, …; each value occurs 30 times.
      expect(amount?.histogram?.[0]).toEqual({ from: '0', to: '4', count: 150 });
      expect(amount?.histogram?.[19]).toEqual({ from: '95', to: '99', count: 150 });
      const day = col('day');
      expect(day).toMatchObject({ type: 'DATE', min: '2026-01-01', max: '2026-01-28' });
      expect(day?.histogram?.[0]?.from).toBe('2026-01-01');
      // Asking again reuses the tables of the unchanged nodes: the same answer.
      expect(await s.profile(p, 'typed', dir)).toEqual(r);
    } finally {
      s.close();
    }
  });

  it('profiles a random sample of a very large output, and says so', async () => {
    const tmp = tmpDir('sluice-profile-big-');
    const db = await Database.open({ allowedDirs: [tmp], tempDir: tmp });
    try {
      await db.run(`CREATE TABLE big AS SELECT i AS n, CASE WHEN i % 4 = 0 THEN NULL ELSE 'x' END AS s FROM range(12000) t(i)`);
      const r = await profileTable(db, 'big', 'n', 'out', 10_000);
      expect(r).toMatchObject({ rows: 12_000, profiledRows: 10_000, sampled: true });
      const s = r.columns.find((c) => c.name === 's');
      expect(s?.nullRate).toBeGreaterThan(0.23);
      expect(s?.nullRate).toBeLessThan(0.27);
      expect(r.columns.find((c) => c.name === 'n')?.histogram?.reduce((k, b) => k + b.count, 0)).toBe(10_000);
    } finally {
      db.close();
    }
  });

  it('run-time column statistics: rows, nulls, min and max over every row; distinct values over the rows they say', async () => {
    const tmp = tmpDir('sluice-colstats-');
    const db = await Database.open({ allowedDirs: [tmp], tempDir: tmp });
    try {
      // 40,960 rows (20 vectors): a unique id, a value with 7 levels, a text column null in every 5th row.
      await db.run(`CREATE TABLE t AS SELECT i AS id, i % 7 AS level, CASE WHEN i % 5 = 0 THEN NULL ELSE 'v' || (i % 11) END AS s FROM range(40960) r(i)`);
      const whole = await columnStats(db, 't', 'out');
      expect(whole.map((c) => [c.name, c.rows, c.nulls, c.distinct, c.distinctRows, c.min, c.max])).toEqual([
        ['id', 40960, 0, 40960, 40960, '0', '40959'],
        ['level', 40960, 0, 7, 40960, '0', '6'],
        ['s', 40960, 8192, 11, 40960, null, null],
      ]);
      // Above the sample size, the distinct count is of the sampled rows, which are counted and said.
      const sampled = await columnStats(db, 't', 'out', 8192);
      const at = (n: string) => sampled.find((c) => c.name === n);
      const n = at('id')?.distinctRows ?? 0;
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThan(40960);
      expect(n % 2048).toBe(0);
      expect(at('id')).toMatchObject({ rows: 40960, nulls: 0, distinct: n, min: '0', max: '40959' });
      expect(at('level')).toMatchObject({ rows: 40960, distinct: 7, distinctRows: n });
      expect(at('s')).toMatchObject({ rows: 40960, nulls: 8192, distinct: 11 });
      expect(distinctCell(at('level') as never)).toBe(`7 of ${n} sampled`);
      expect(distinctCell(whole[1] as never)).toBe('7');
      // A run recorded before samples kept a HyperLogLog estimate over every row.
      expect(distinctCell({ ...whole[1], distinctRows: undefined } as never)).toBe('~7');
    } finally {
      db.close();
    }
  });
});
