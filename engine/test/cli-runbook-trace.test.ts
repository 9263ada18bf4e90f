// `sluice runbook` and `sluice trace` from the CLI, over the orders sample (small data, one run per case).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { runPipeline } from '../src/runtime/run.js';
import { parseLineage } from '../src/cli/trace.js';
import { tmpDir } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ordersDir = path.join(root, 'samples', 'orders');

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  process.env['SLUICE_NO_SUPERVISOR'] = '1';
  let out = '';
  let err = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  const espy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  try {
    return { code: await runCli(args), out, err };
  } finally {
    spy.mockRestore();
    espy.mockRestore();
  }
}

type Doc = { name: string; nodes: { id: string; kind: string; config: Record<string, unknown> }[]; edges: unknown[]; ops?: unknown };

/** The orders sample in a fresh folder, its pipeline changed by `edit`. */
function orders(edit: (p: Doc) => void = () => undefined): { dir: string; file: string; p: Doc } {
  const dir = tmpDir('sluice-trace-');
  fs.copyFileSync(path.join(ordersDir, 'orders.csv'), path.join(dir, 'orders.csv'));
  const p = JSON.parse(fs.readFileSync(path.join(ordersDir, 'orders.pipeline.json'), 'utf8')) as Doc;
  edit(p);
  const file = path.join(dir, 'orders.pipeline.json');
  fs.writeFileSync(file, JSON.stringify(p, null, 2));
  return { dir, file, p };
}

const csvLine = (dir: string, n: number): string => fs.readFileSync(path.join(dir, 'orders.csv'), 'utf8').split('\n')[n - 1] ?? '';

describe('sluice runbook', () => {
  it('documents inputs, outputs, failure modes, gates, operating commands and the SLA, deterministically and without secret values', async () => {
    const secret = 'tok-9f8e7d6c5b4a-secret';
    process.env['SLUICE_SECRET_RUNBOOK_TOKEN'] = secret;
    const { dir, file } = orders((p) => {
      p.ops = { freshness: { cadence: '1d', maxAge: '36h', owner: 'data-team@example.com' }, anomaly: { checks: [{ node: 'orders', metric: 'rows', severity: 'fail' }] } };
      p.nodes.push({
        id: 'fx',
        kind: 'source.rest',
        config: { url: 'https://user:pw-inline@api.example.com/v1/rates?api_key=inline-key-123', secretHeaders: { Authorization: { env: 'SLUICE_SECRET_RUNBOOK_TOKEN', prefix: 'Bearer ' } }, retry: { maxAttempts: 4 } },
      });
      p.nodes.push({ id: 'fx_out', kind: 'sink.parquet', config: { path: 'out/fx.parquet' } });
      p.edges.push({ from: { node: 'fx', port: 'out' }, to: { node: 'fx_out', port: 'in' } });
      const checks = p.nodes.find((n) => n.id === 'checks');
      (checks?.config['rules'] as Record<string, unknown>[]).push({ id: 'price_present', type: 'not_null', column: 'unit_price', severity: 'fail' });
    });
    try {
      const a = await cli(['runbook', file]);
      expect(a.code, a.err).toBe(0);
      const md = a.out;
      for (const h of ['# Runbook: Orders: validate and aggregate', '## Ownership and freshness', '## What it reads and writes', '## Failure modes per node', '## Gates and thresholds', '## Operating it', '### Rolling back']) expect(md).toContain(h);
      // Reads and writes, with the paths of the file and the endpoint without its credentials.
      expect(md).toMatch(/\| `orders` \(orders\.csv\) \| source\.csv \| file `orders\.csv` \|/);
      expect(md).toContain('file `out/revenue_by_country.csv`');
      expect(md).toContain('HTTP `https://api.example.com/v1/rates?api_key=…`');
      // Failure modes from the kinds and the config: rules with their reasons and effects, the filter, REST retries.
      expect(md).toContain('rule `quantity_positive` (range on `quantity`): "quantity is outside ≥ 1" — the row goes to quarantine');
      expect(md).toContain('rule `price_present` (not_null on `unit_price`): "unit_price is missing" — quality gate');
      expect(md).toContain('counted under the reason "cancelled orders are not revenue"');
      expect(md).toContain('retried up to 4 attempts');
      expect(md).toContain('circuit breaker opens after 5 consecutive failures');
      expect(md).toContain('environment variable `SLUICE_SECRET_RUNBOOK_TOKEN`');
      expect(md).toContain('- `checks`: rule `price_present` is a quality gate');
      expect(md).toContain('rows of `orders`: threshold 5 MADs, severity fail');
      // How to resume, replay and roll back, and whom the SLA concerns.
      expect(md).toContain(`sluice run orders.pipeline.json --resume latest`);
      expect(md).toContain('sluice run orders.pipeline.json --replay RUN_ID --node checks');
      expect(md).toContain('`report` (file `out/revenue_by_country.csv`): replaced as a whole, only when the run succeeds');
      expect(md).toContain('Owner: **data-team@example.com**');
      expect(md).toContain('older than **36h**');
      // No secret value, inline credential or query value, and no machine path.
      for (const s of [secret, 'pw-inline', 'inline-key-123', dir]) expect(md).not.toContain(s);
      // Deterministic: the same file gives the same page; -o writes it.
      const b = await cli(['runbook', file, '-o', path.join(dir, 'RUNBOOK.md')]);
      expect(b.code).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'RUNBOOK.md'), 'utf8')).toBe(md);
    } finally {
      delete process.env['SLUICE_SECRET_RUNBOOK_TOKEN'];
    }
  });

  it('names state carried between runs and how to start it over', async () => {
    const r = await cli(['runbook', path.join(root, 'samples', 'clickstream', 'clickstream.pipeline.json')]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('it carries state from one run to the next');
    expect(r.out).toContain('sluice run clickstream.pipeline.json --full-refresh');
    expect(r.out).toContain('Scheduled by `sluice schedule`: `*/15 * * * *`');
    expect(r.out).toContain('file `out/clickstream.duckdb`, table `summary` (merge)');
  });

  it('refuses a missing or invalid file with a clear message', async () => {
    const r = await cli(['runbook', '/nonexistent/x.pipeline.json']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no such file');
  });
});

describe('sluice trace', () => {
  it('traces a quarantined row and a sink row written with includeLineage to their source line, with the nodes passed', async () => {
    const { dir, file } = orders((p) => {
      const rejects = p.nodes.find((n) => n.id === 'rejects');
      if (rejects) rejects.config['includeLineage'] = true;
      p.nodes.push({ id: 'rejects_db', kind: 'sink.duckdb', config: { path: 'out/rejects.duckdb', table: 'rejected', includeLineage: true } });
      p.edges.push({ from: { node: 'checks', port: 'quarantine' }, to: { node: 'rejects_db', port: 'in' } });
    });
    const historyDir = path.join(dir, '.sluice', 'runs');
    const m = await runPipeline({ pipeline: JSON.parse(fs.readFileSync(file, 'utf8')), baseDir: dir, historyDir });
    expect(m.outcome).toBe('succeeded');

    const q = await cli(['trace', m.runId, '--history', historyDir, '--node', 'checks', '--row', '2', '--quarantine', '--json']);
    expect(q.code, q.err).toBe(0);
    const t = JSON.parse(q.out) as { origin: { type: string; file: string; line: number }; sourceLine: number; path: { nodeId: string }[]; values: Record<string, unknown>; reasons: string[] };
    expect(t.origin).toMatchObject({ type: 'line', node: 'orders', file: 'orders.csv' });
    expect(t.sourceLine).toBe(t.origin.line);
    // The line it names holds this row: its order id and customer are on that line of the file.
    expect(csvLine(dir, t.sourceLine).split(',')[0]).toBe(String(t.values['order_id']));
    expect(t.reasons.length).toBeGreaterThan(0);
    expect(t.path.map((n) => n.nodeId)).toEqual(['orders', 'typed', 'checks']);

    // The sink's file carries the lineage: its row 2 is the quarantine's row 2, reached through the sink.
    const s = await cli(['trace', 'latest', '--history', historyDir, '--node', 'rejects', '--row', '2', '--json']);
    expect(s.code, s.err).toBe(0);
    const ts = JSON.parse(s.out) as { from: string; origin: { line: number }; path: { nodeId: string }[] };
    expect(ts.from).toBe('sink-file');
    expect(ts.origin.line).toBe(t.origin.line);
    expect(ts.path.map((n) => n.nodeId)).toEqual(['orders', 'typed', 'checks', 'rejects']);

    const d = await cli(['trace', 'latest', '--history', historyDir, '--node', 'rejects_db', '--row', '2', '--json']);
    expect(d.code, d.err).toBe(0);
    expect((JSON.parse(d.out) as { origin: { line: number } }).origin.line).toBe(t.origin.line);

    // The text form names the file and line and the way through.
    const text = await cli(['trace', m.runId, '--history', historyDir, '--node', 'checks', '--row', '2', '--quarantine']);
    expect(text.out).toContain(`came from  orders.csv, line ${t.sourceLine} (read by node "orders")`);
    expect(text.out).toContain('passed     orders (source.csv) → typed (cast) → checks (validate)');

    // A succeeded run kept no copy of a transform's output: it says so and which option keeps one.
    const none = await cli(['trace', m.runId, '--history', historyDir, '--node', 'amounts', '--row', '1']);
    expect(none.code).toBe(2);
    expect(none.err).toContain('kept no rows of node "amounts" to trace from: a run that succeeds removes its checkpoints');
    expect(none.err).toContain('includeLineage');
    // Out of range and unknown nodes are named.
    const far = await cli(['trace', m.runId, '--history', historyDir, '--node', 'checks', '--row', '999', '--quarantine']);
    expect(far.code).toBe(2);
    expect(far.err).toMatch(/has \d+ quarantined row\(s\) in run .*; there is no row 999/);
    const unknown = await cli(['trace', m.runId, '--history', historyDir, '--node', 'nope', '--row', '1']);
    expect(unknown.err).toContain('has no node "nope"');
    // A sink file written without lineage is named as such, not met with a database error.
    fs.writeFileSync(path.join(dir, 'out', 'rejected_orders.csv'), 'order_id\n1\n');
    const bare = await cli(['trace', m.runId, '--history', historyDir, '--node', 'rejects', '--row', '1']);
    expect(bare.code).toBe(2);
    expect(bare.err).toContain('has no __lineage column');
    // A pipeline file edited to point a sink outside its folder does not make trace read there.
    const edited = JSON.parse(fs.readFileSync(file, 'utf8')) as Doc;
    const rejects = edited.nodes.find((n) => n.id === 'rejects');
    if (rejects) rejects.config['path'] = '../../../etc/passwd';
    fs.writeFileSync(file, JSON.stringify(edited));
    const out = await cli(['trace', m.runId, '--history', historyDir, '--node', 'rejects', '--row', '1']);
    expect(out.code).toBe(2);
    expect(out.err).toContain('outside');
  });

  it('traces an output row from the checkpoint a gate-failed run keeps', async () => {
    const { dir, file } = orders((p) => {
      const checks = p.nodes.find((n) => n.id === 'checks');
      for (const r of checks?.config['rules'] as Record<string, unknown>[]) if (r['id'] === 'known_status') r['severity'] = 'fail';
    });
    const historyDir = path.join(dir, '.sluice', 'runs');
    const m = await runPipeline({ pipeline: JSON.parse(fs.readFileSync(file, 'utf8')), baseDir: dir, historyDir, checkpoint: 'all' });
    expect(m.outcome).toBe('gate_failed');
    const r = await cli(['trace', path.join(historyDir, m.runId), '--node', 'typed', '--row', '3', '--json']);
    expect(r.code, r.err).toBe(0);
    const t = JSON.parse(r.out) as { from: string; origin: { line: number }; values: Record<string, unknown>; path: { nodeId: string }[] };
    expect(t.from).toBe('checkpoint');
    expect(csvLine(dir, t.origin.line).split(',')[0]).toBe(String(t.values['order_id']));
    expect(t.path.map((n) => n.nodeId)).toEqual(['orders', 'typed']);
  });

  it('reads every lineage form the kinds write', () => {
    const kinds = (id: string) => (id === 'pq' ? 'source.parquet' : 'source.csv');
    expect(parseLineage('src:data:2024.csv:17', kinds)).toEqual({ type: 'line', node: 'src', file: 'data:2024.csv', line: 17 });
    expect(parseLineage('pq:part-1.parquet:5', kinds)).toEqual({ type: 'row', node: 'pq', file: 'part-1.parquet', row: 5 });
    expect(parseLineage('api:page-3:12', kinds)).toEqual({ type: 'page', node: 'api', page: 3, record: 12 });
    expect(parseLineage('agg:group:{"country":"DE"}', kinds)).toEqual({ type: 'group', node: 'agg', key: '{"country":"DE"}' });
    expect(parseLineage('agg:all', kinds)).toEqual({ type: 'all', node: 'agg' });
    expect(parseLineage('q:row:4', kinds)).toEqual({ type: 'sql-row', node: 'q', row: 4 });
  });
});
