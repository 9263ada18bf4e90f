// The `sluice inspect` story from a terminal (issue 15): run the orders sample, then look at that run from the
// pipeline's folder, from a folder below it, from anywhere with --pipeline or --history, by the record's path,
// and as "latest"; see one node's quarantine, one rule of it, and the JSON. Nodes are named label first.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { expectedRun, ROOT } from './support.js';

const CLI = path.join(ROOT, 'engine', 'bin', 'sluice.js');

/** The CLI as a user runs it, from `cwd`; the built engine, without the test runner's source conditions. */
function sluice(cwd: string, ...args: string[]): { code: number | null; out: string; err: string } {
  const env = { ...process.env, NO_COLOR: '1', NODE_OPTIONS: '' };
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('sluice inspect finds a run wherever it is called, and shows a node\'s quarantine by rule', async () => {
  test.setTimeout(120_000);
  const project = mkdtempSync(path.join(tmpdir(), 'sluice-e2e-inspect-'));
  cpSync(path.join(ROOT, 'samples', 'orders'), project, { recursive: true, filter: (src) => !src.includes(`${path.sep}.sluice`) && !src.includes(`${path.sep}out`) });
  const below = path.join(project, 'data', 'raw');
  mkdirSync(below, { recursive: true });
  const elsewhere = mkdtempSync(path.join(tmpdir(), 'sluice-e2e-elsewhere-'));
  const expected = expectedRun('orders', 'orders.pipeline.json').nodes;
  const typed = expected.find((n) => n.nodeId === 'typed');
  if (!typed) throw new Error('samples/orders/expected.json has no "typed" node');

  const ran = sluice(project, 'run', 'orders.pipeline.json', '--out', path.join(project, 'out'));
  expect(ran.code, ran.err).toBe(0);
  // The run's own summary names nodes by label first.
  expect(ran.out).toMatch(/^Type columns \[typed\] +cast +warn +18 +13 +5 /m);
  const history = path.join(project, '.sluice', 'runs');
  // Run folders only (the run store keeps its database and, until a reader folds it, its write-ahead log there).
  const runId = readdirSync(history).filter((f) => /^\d{8}T/.test(f)).sort().at(-1) ?? '';
  expect(runId).toMatch(/^\d{8}T\d{9}-[0-9a-f]+$/);
  expect(ran.out).toContain(`run ${runId}: SUCCEEDED`);

  // By id, from a folder below the pipeline's: the history is found by walking up.
  {
    const r = sluice(below, 'inspect', runId);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`run ${runId}  Orders: validate and aggregate  succeeded`);
    for (const n of expected) expect(r.out).toMatch(new RegExp(`^${n.nodeId} .* ${n.rowsIn} +${n.rowsOut} +${n.quarantined} +${n.filtered} `, 'm'));
  }
  // From anywhere, the run is found only when told where: the refusal says what to give.
  const lost = sluice(elsewhere, 'inspect', runId);
  expect(lost.code).toBe(2);
  expect(lost.err).toContain(`no run "${runId}"`);
  expect(lost.err).toContain('--pipeline FILE');
  // With the pipeline named, nodes are named by label first.
  const byPipeline = sluice(elsewhere, 'inspect', runId, '--pipeline', path.join(project, 'orders.pipeline.json'));
  expect(byPipeline.code, byPipeline.err).toBe(0);
  expect(byPipeline.out).toMatch(/^Order rules \[checks\] +validate/m);
  for (const args of [['--history', history], [path.join(history, runId, 'manifest.json')]]) {
    const r = sluice(elsewhere, 'inspect', ...(args.length === 2 ? [runId, ...args] : args));
    expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(0);
    expect(r.out).toContain(`run ${runId}`);
  }
  const latest = sluice(below, 'inspect', 'latest');
  expect(latest.code, latest.err).toBe(0);
  expect(latest.out).toContain(`run ${runId}`);

  // One node's quarantine: every row with its rule, reason and source line; then one rule of it.
  const q = sluice(below, 'inspect', runId, '--node', 'typed');
  expect(q.code, q.err).toBe(0);
  expect(q.out).toContain(`${typed.quarantined} quarantined row(s) at typed; by rule: type:unit_price=3, type:order_date=1, type:quantity=1`);
  expect(q.out).toContain('- orders:orders.csv:9 (line 9)  [type:quantity]  column quantity: "4.5" is not a valid INTEGER');
  expect(q.out.split('\n').filter((l) => l.startsWith('- orders:orders.csv:'))).toHaveLength(typed.quarantined);
  const rule = sluice(below, 'inspect', runId, '--node', 'typed', '--rule', 'type:unit_price');
  expect(rule.out.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(3);
  expect(rule.out).not.toContain('type:quantity]');
  const json = sluice(below, 'inspect', runId, '--node', 'typed', '--json');
  expect(json.code, json.err).toBe(0);
  const page = JSON.parse(json.out) as { total: number; byRule: Record<string, number>; entries: { sourceLine: number; ruleIds: string[] }[] };
  expect(page.total).toBe(typed.quarantined);
  expect(page.byRule).toEqual({ 'type:unit_price': 3, 'type:order_date': 1, 'type:quantity': 1 });
  expect(page.entries).toHaveLength(typed.quarantined);
  expect(page.entries.find((e) => e.sourceLine === 9)?.ruleIds).toEqual(['type:quantity']);
  // A node the run does not have is refused, naming it.
  const nope = sluice(below, 'inspect', runId, '--node', 'nope');
  expect(nope.code).toBe(2);
  expect(nope.err).toContain('no node "nope"');
});
