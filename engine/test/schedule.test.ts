// Schedules: due runs by cron, missed runs skipped or caught up, never two runs of one pipeline at once.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Scheduler, listScheduled } from '../src/runtime/supervision/schedule.js';
import { chain, tmpDir, writeFiles } from './helpers.js';

function workspace(missed: 'skip' | 'catch-up'): string {
  const ws = tmpDir();
  const p = chain([
    { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
    { id: 'out', kind: 'sink.csv', config: { path: 'out/copy.csv', mode: 'append' } },
  ]);
  writeFiles(ws, { 'in.csv': 'id\n1\n', 'hourly.pipeline.json': JSON.stringify({ ...p, name: 'hourly', settings: { schedule: { cron: '0 * * * *', missed } } }) });
  writeFiles(ws, { 'unscheduled.pipeline.json': JSON.stringify({ ...p, name: 'manual' }) });
  return ws;
}

const T0 = new Date('2026-12-07T10:30:00Z');
const at = (h: number, m = 0) => new Date(Date.UTC(2026, 11, 7, h, m));

describe('schedule', () => {
  it('lists scheduled pipelines with their next run time', () => {
    const ws = workspace('skip');
    const list = listScheduled(ws, T0);
    expect(list.map((s) => [s.name, s.next?.toISOString()])).toEqual([['hourly', '2026-12-07T11:00:00.000Z']]);
  });

  it('runs a due pipeline; missed runs are collapsed into one (skip) or caught up one by one (catch-up)', async () => {
    for (const missed of ['skip', 'catch-up'] as const) {
      const ws = workspace(missed);
      const s = new Scheduler(ws);
      // First sight: the schedule starts now; nothing in the past counts as missed.
      expect(await s.tick(T0)).toEqual([]);
      expect(await s.tick(at(10, 59))).toEqual([]);
      const e = await s.tick(at(13, 5)); // 11:00, 12:00 and 13:00 are due.
      const ran = e.filter((x) => x.type === 'ran');
      if (missed === 'skip') {
        expect(e[0]).toMatchObject({ type: 'skipped-missed', count: 2 });
        expect(ran.map((x) => x.due)).toEqual(['2026-12-07T13:00:00.000Z']);
      } else {
        expect(ran.map((x) => x.due)).toEqual(['2026-12-07T11:00:00.000Z', '2026-12-07T12:00:00.000Z', '2026-12-07T13:00:00.000Z']);
      }
      expect(ran.every((x) => x.manifest?.outcome === 'succeeded')).toBe(true);
      // Handled: the same moment again runs nothing.
      expect(await s.tick(at(13, 6))).toEqual([]);
    }
  });

  it('never runs two runs of one pipeline at once', async () => {
    const ws = workspace('catch-up');
    const a = new Scheduler(ws);
    const b = new Scheduler(ws);
    await a.tick(T0);
    // Two schedulers wake at the same moment with three runs due: one runs them, one after the other; the
    // other finds the pipeline busy.
    const [ea, eb] = await Promise.all([a.tick(at(13, 5)), b.tick(at(13, 5))]);
    const all = [...ea, ...eb];
    expect(all.filter((x) => x.type === 'busy')).toHaveLength(1);
    const runs = all.filter((x) => x.type === 'ran').map((x) => x.manifest).filter((m) => m !== undefined);
    expect(runs).toHaveLength(3);
    const spans = runs.map((m) => [Date.parse(m.startedAt), Date.parse(m.finishedAt)] as const).sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]?.[0]).toBeGreaterThanOrEqual(spans[i - 1]?.[1] as number);
    // The lock is released afterwards.
    expect(fs.readdirSync(path.join(ws, '.sluice', 'locks'))).toEqual([]);
  });

  it('says which pipeline has an invalid cron expression', () => {
    const ws = tmpDir();
    writeFiles(ws, { 'bad.pipeline.json': JSON.stringify({ ...chain([{ id: 'a', kind: 'source.csv', config: { path: 'a.csv' } }]), settings: { schedule: { cron: 'every day' } } }) });
    expect(() => listScheduled(ws)).toThrow(/bad\.pipeline\.json: schedule "every day" is not a valid cron expression/);
  });
});
