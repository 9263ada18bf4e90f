// Window node: windows spanning batches equal one batch over all the data; late rows quarantined with their
// window and the watermark; state survives an interrupted run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { preparePipeline, runPipeline } from '../../src/runtime/run.js';
import { catalog } from '../../src/nodes/registry.js';
import { staticCheck } from '../../src/analysis/check.js';
import { chain, expectSucceeded, parseCsv, pipeline, preview, run, tmpDir, writeFiles } from '../helpers.js';

const old = new Date(Date.now() - 60_000);
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);

function land(dir: string, name: string, events: { t: number; user: string; amount: number }[]): void {
  const text = `event_time,user,amount\n${events.map((e) => `${new Date(e.t).toISOString().replace('T', ' ').replace('Z', '')},${e.user},${e.amount}`).join('\n')}\n`;
  writeFiles(dir, { [`inbox/${name}`]: text });
  fs.utimesSync(path.join(dir, 'inbox', name), old, old);
}

/** 200 events over ~33 minutes, out of order by up to 40 s, for three users (seeded, so every run is the same). */
function events(): { t: number; user: string; amount: number }[] {
  let s = 42;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const out = [];
  for (let i = 0; i < 200; i++) {
    // Bursts with pauses, so session windows split somewhere.
    const base = T0 + i * 10_000 + Math.floor(i / 50) * 300_000;
    out.push({ t: base - Math.floor(rnd() * 40_000), user: `u${i % 3}`, amount: (i % 7) + 1 });
  }
  return out;
}

function windowPipeline(win: Record<string, unknown>): Record<string, unknown> {
  return chain([
    { id: 'inbox', kind: 'source.files', config: { path: 'inbox/*.csv', types: { event_time: 'TIMESTAMP', amount: 'INTEGER' } } },
    { id: 'win', kind: 'window', config: { timeColumn: 'event_time', lateness: '1m', groupBy: ['user'], aggregates: [{ fn: 'count', as: 'events' }, { fn: 'sum', column: 'amount', as: 'total' }], ...win } },
    { id: 'out', kind: 'sink.csv', config: { path: 'out/windows.csv', mode: 'append' } },
  ]);
}

function outRows(dir: string): string[] {
  return parseCsv(fs.readFileSync(path.join(dir, 'out', 'windows.csv'), 'utf8')).slice(1).map((r) => r.join('|')).sort();
}

const DEFS: Record<string, Record<string, unknown>> = {
  tumbling: { type: 'tumbling', size: '5m' },
  hopping: { type: 'hopping', size: '5m', slide: '1m' },
  session: { type: 'session', gap: '2m' },
};

describe('window', () => {
  it('is listed in the catalog with its two ports', () => {
    const k = catalog().kinds.find((x) => x.kind === 'window');
    expect(k?.outputs.map((o) => o.name)).toEqual(['out', 'late']);
  });

  for (const [name, def] of Object.entries(DEFS)) {
    it(`${name}: windows that span batches give the same result as one batch over all the data`, async () => {
      const all = events();
      // One batch.
      const one = tmpDir();
      land(one, 'all.csv', all);
      const r1 = await run(windowPipeline(def), { baseDir: one, historyDir: tmpDir() });
      expectSucceeded(r1);
      // Three batches, cut in landing order (rows of a batch are out of order, but never later than the lateness).
      const three = tmpDir();
      const hist = tmpDir();
      const cuts = [0, 70, 140, 200];
      let emitted = 0;
      for (let b = 0; b < 3; b++) {
        land(three, `b${b}.csv`, all.slice(cuts[b], cuts[b + 1]));
        const r = await run(windowPipeline(def), { baseDir: three, historyDir: hist });
        expectSucceeded(r);
        expect(r.metric('win').quarantined).toBe(0);
        emitted += r.metric('win').rowsOut;
      }
      expect(emitted).toBeGreaterThan(5);
      expect(outRows(three)).toEqual(outRows(one));
      // Emitted once each: no window appears twice.
      expect(new Set(outRows(three)).size).toBe(outRows(three).length);
    });
  }

  it('quarantines a late row with its window and the watermark, and sends it to the late port', async () => {
    const dir = tmpDir();
    const hist = tmpDir();
    const p = pipeline(
      [
        { id: 'inbox', kind: 'source.files', config: { path: 'inbox/*.csv', types: { event_time: 'TIMESTAMP', amount: 'INTEGER' } } },
        { id: 'win', kind: 'window', config: { timeColumn: 'event_time', type: 'tumbling', size: '5m', lateness: '1m', aggregates: [{ fn: 'count', as: 'events' }] } },
        { id: 'out', kind: 'sink.csv', config: { path: 'out/windows.csv', mode: 'append' } },
        { id: 'lateOut', kind: 'sink.csv', config: { path: 'out/late.csv', mode: 'append' } },
      ],
      ['inbox -> win', 'win -> out', 'win.late -> lateOut'],
    );
    land(dir, 'a.csv', [
      { t: T0, user: 'a', amount: 1 },
      { t: T0 + 11 * 60_000, user: 'a', amount: 1 },
    ]);
    const r1 = await run(p, { baseDir: dir, historyDir: hist });
    expectSucceeded(r1);
    // Watermark 10:10; window [10:00, 10:05) closed and emitted, [10:10, 10:15) open.
    expect(r1.metric('win').rowsOut).toBe(1);
    land(dir, 'b.csv', [
      { t: T0 + 2 * 60_000, user: 'late', amount: 1 },
      { t: T0 + 12 * 60_000, user: 'a', amount: 1 },
    ]);
    const r2 = await run(p, { baseDir: dir, historyDir: hist });
    expect(r2.manifest.outcome).toBe('succeeded');
    const m = r2.metric('win');
    expect([m.rowsIn, m.quarantined, m.passed]).toEqual([2, 1, 1]);
    const q = await r2.quarantine('win');
    expect(q.entries[0]?.reasons[0]).toBe('late: event time 2026-01-01 10:02:00 falls in window [2026-01-01 10:00:00, 2026-01-01 10:05:00), which closed when the watermark reached 2026-01-01 10:10:00');
    expect(fs.readFileSync(path.join(dir, 'out', 'late.csv'), 'utf8')).toContain('late');
    // The open window is not emitted again or early; a later event closes it with both of its rows.
    land(dir, 'c.csv', [{ t: T0 + 30 * 60_000, user: 'a', amount: 1 }]);
    expectSucceeded(await run(p, { baseDir: dir, historyDir: hist }));
    expect(outRows(dir)).toEqual(['2026-01-01 10:00:00|2026-01-01 10:05:00|1', '2026-01-01 10:10:00|2026-01-01 10:15:00|2']);
  });

  it('states its columns and the incremental source\'s before a run, as the run then makes them', async () => {
    const dir = tmpDir();
    const p = pipeline(
      [
        { id: 'inbox', kind: 'source.files', config: { path: 'inbox/*.csv', types: { event_time: 'TIMESTAMP', amount: 'INTEGER' } } },
        { id: 'win', kind: 'window', config: { timeColumn: 'event_time', type: 'tumbling', size: '5m', groupBy: ['user'], aggregates: [{ fn: 'count', as: 'events' }, { fn: 'sum', column: 'amount', as: 'total' }, { fn: 'max', column: 'event_time', as: 'last_seen' }, { fn: 'avg', column: 'amount', as: 'mean' }] } },
        { id: 'out', kind: 'sink.duckdb', config: { path: 'out/w.duckdb', table: 'windows' } },
        { id: 'lateOut', kind: 'sink.duckdb', config: { path: 'out/late.duckdb', table: 'late' } },
      ],
      ['inbox -> win', 'win -> out', 'win.late -> lateOut'],
    );
    // No file yet: nothing is known, and that is not a problem (files land later).
    const empty = await staticCheck(p, { baseDir: dir });
    expect(empty.problems).toEqual([]);
    expect(empty.ports['inbox']?.['out'] ?? undefined).toBeUndefined();
    land(dir, 'a.csv', [
      { t: T0, user: 'a', amount: 1 },
      { t: T0 + 11 * 60_000, user: 'a', amount: 2 },
    ]);
    const known = await staticCheck(p, { baseDir: dir });
    expect(known.problems).toEqual([]);
    const cols = (s: { name: string; type: string }[] | null | undefined) => (s ?? []).map((c) => `${c.name} ${c.type}`);
    // What the engine then makes at those ports (a sink's preview shows the port feeding it).
    const made = async (sink: string) => (await preview(p, sink, dir)).columns.map((c) => `${c.name} ${c.type}`);
    expect(cols(known.ports['inbox']?.['out'])).toEqual(['event_time TIMESTAMP', 'user VARCHAR', 'amount INTEGER']);
    expect(cols(known.ports['win']?.['out'])).toEqual(await made('out'));
    expect(cols(known.ports['win']?.['late'])).toEqual(await made('lateOut'));
    // What is wrong shows before a run, with its field.
    const bad = structuredClone(p) as { nodes: { id: string; config: Record<string, unknown> }[] };
    const win = bad.nodes.find((n) => n.id === 'win') as { config: Record<string, unknown> };
    win.config = { ...win.config, timeColumn: 'amount', groupBy: ['usr'], aggregates: [{ fn: 'sum', column: 'user', as: 'window_end' }] };
    const problems = (await staticCheck(bad, { baseDir: dir })).problems.map((x) => `${x.nodeId} ${x.field} ${x.code}`);
    expect(problems).toEqual(['win timeColumn type_mismatch', 'win groupBy[0] unknown_column', 'win aggregates[0].column type_mismatch', 'win aggregates[0].as duplicate_column']);
  });

  it('keeps open windows across an interrupted run that is resumed', async () => {
    const all = events();
    const one = tmpDir();
    land(one, 'all.csv', all);
    expectSucceeded(await run(windowPipeline(DEFS['tumbling'] as Record<string, unknown>), { baseDir: one, historyDir: tmpDir() }));
    const dir = tmpDir();
    const hist = tmpDir();
    const p = windowPipeline(DEFS['tumbling'] as Record<string, unknown>);
    land(dir, 'b0.csv', all.slice(0, 100));
    expectSucceeded(await run(p, { baseDir: dir, historyDir: hist }));
    land(dir, 'b1.csv', all.slice(100));
    // Cancelled after the window ran and before the sink: nothing of it may count until it is resumed.
    const controller = new AbortController();
    const cut = await runPipeline({ pipeline: p, baseDir: dir, historyDir: hist, signal: controller.signal, onEvent: (e) => e.type === 'node-end' && e.metrics.nodeId === 'win' && controller.abort() });
    expect(cut.outcome).toBe('cancelled');
    const resumed = await runPipeline({ pipeline: p, baseDir: dir, historyDir: hist, resume: cut.runId });
    expect(resumed.outcome).toBe('succeeded');
    expect(outRows(dir)).toEqual(outRows(one));
  });

  it('keeps its config as written when checked twice (a watcher prepares the pipeline, the run checks it again)', () => {
    const once = preparePipeline(windowPipeline(DEFS['hopping'] as Record<string, unknown>), {});
    const twice = preparePipeline(once, {});
    expect(twice.nodes[1]?.config).toEqual(once.nodes[1]?.config);
    expect(once.nodes[1]?.config).toMatchObject({ size: '5m', slide: '1m', lateness: '1m' });
  });

  it('reads a version 1 file whose durations are numbers of seconds (migrated to text, the same windows)', () => {
    const v1 = windowPipeline({ type: 'hopping', size: 300, slide: 60, lateness: 1.5 }) as { nodes: Record<string, unknown>[] };
    const p = preparePipeline(v1, {});
    expect(p.nodes[1]).toMatchObject({ kindVersion: 2, config: { size: '300s', slide: '60s', lateness: '1.5s' } });
    // What the designer's form is generated from: a text field, not a JSON editor for a number-or-text union.
    const size = (catalog().kinds.find((k) => k.kind === 'window')?.configSchema as { properties: Record<string, { type?: string }> }).properties['size'];
    expect(size?.type).toBe('string');
  });

  it('says what is wrong with a window definition', async () => {
    const r = await run(windowPipeline({ type: 'hopping', size: '5m' }), { baseDir: tmpDir(), historyDir: tmpDir() }).catch((e: unknown) => e);
    expect(String(r)).toContain('a hopping window needs a "slide"');
  });
});
