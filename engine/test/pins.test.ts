// `sluice pin` and `sluice test` over the orders sample (21 lines): pinned data becomes a passing test, a changed
// rule makes it fail with a readable diff, and fixtures are the source's own first lines.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { tmpDir } from './helpers.js';
import { createEngineService } from '../src/service.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ordersDir = path.join(root, 'samples', 'orders');

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
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

type Doc = { nodes: { id: string; kind: string; config: Record<string, unknown> }[]; edges: { from: { node: string; port: string }; to: { node: string; port: string } }[] };

function orders(): { dir: string; file: string; tests: string } {
  const dir = tmpDir('sluice-pins-');
  fs.copyFileSync(path.join(ordersDir, 'orders.csv'), path.join(dir, 'orders.csv'));
  const file = path.join(dir, 'orders.pipeline.json');
  fs.copyFileSync(path.join(ordersDir, 'orders.pipeline.json'), file);
  return { dir, file, tests: path.join(dir, 'orders.pipeline.tests') };
}

function edit(file: string, f: (p: Doc) => void): void {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Doc;
  f(p);
  fs.writeFileSync(file, JSON.stringify(p, null, 2));
}

describe('sluice pin and sluice test', () => {
  it('pins a node and a sink over the first lines of the source; the test passes, and fails with a diff once a rule changes', async () => {
    const { file, tests } = orders();
    expect((await cli(['pin', file, '--node', 'checks'])).code).toBe(0);
    expect((await cli(['pin', file, '--node', 'report'])).code).toBe(0);
    expect(fs.readdirSync(tests).sort()).toEqual(['checks.expected.json', 'orders.fixture.csv', 'report.expected.json']);
    // The fixture is the source file's own bytes (21 data lines < the default 200: all of them).
    expect(fs.readFileSync(path.join(tests, 'orders.fixture.csv'))).toEqual(fs.readFileSync(path.join(ordersDir, 'orders.csv')));
    const pinned = JSON.parse(fs.readFileSync(path.join(tests, 'checks.expected.json'), 'utf8')) as { counts: Record<string, number>; quarantineByRule: Record<string, number>; rows: unknown[][]; quarantine: { line: number; rules: string[] }[] };
    expect(pinned.counts).toEqual({ rows: 10, rowsIn: 13, rowsOut: 10, quarantined: 3, filtered: 0 });
    expect(pinned.quarantineByRule).toEqual({ customer_required: 1, known_status: 1, quantity_positive: 1 });
    expect(pinned.quarantine.map((q) => [q.line, q.rules])).toEqual([[6, ['quantity_positive']], [7, ['customer_required']], [18, ['known_status']]]);

    const pass = await cli(['test', file]);
    expect(pass.code).toBe(0);
    expect(pass.out).toContain('PASS Order rules (checks)');
    expect(pass.out).toContain('2 tests: 2 passed, 0 failed');

    edit(file, (p) => {
      const checks = p.nodes.find((n) => n.id === 'checks');
      const rules = checks?.config['rules'] as { id: string; min?: number }[];
      const rule = rules.find((r) => r.id === 'quantity_positive');
      if (rule) rule.min = 2;
    });
    const fail = await cli(['test', file]);
    expect(fail.code).toBe(1);
    expect(fail.out).toContain('FAIL Order rules (checks)');
    expect(fail.out).toContain('count quarantined: expected 3, got 7');
    expect(fail.out).toContain('quarantined by rule quantity_positive: expected 1, got 6');
    expect(fail.out).toContain('rows: 4 expected but missing (-), 0 not expected (+)');
    expect(fail.out).toContain('- [1002,"C002","2026-01-03","FR",1,"5.50","shipped"]');
    expect(fail.out).toContain('FAIL revenue_by_country.csv (report)');
    expect(fail.out).toContain('- ["FR",1,"5.50"]');
    expect(fail.out).toContain('2 tests: 0 passed, 2 failed');
    const json = JSON.parse((await cli(['test', file, '--json'])).out) as { passed: boolean; tests: { nodeId: string; passed: boolean }[] };
    expect(json.passed).toBe(false);
    expect(json.tests.map((t) => [t.nodeId, t.passed])).toEqual([['checks', false], ['report', false]]);
  });

  it('keeps the first N lines byte for byte, writes the same files twice, and removes a pin', async () => {
    const { file, tests } = orders();
    expect((await cli(['pin', file, '--node', 'typed', '--lines', '5'])).code).toBe(0);
    const head = fs.readFileSync(path.join(ordersDir, 'orders.csv'), 'utf8').split('\n').slice(0, 6).join('\n') + '\n';
    expect(fs.readFileSync(path.join(tests, 'orders.fixture.csv'), 'utf8')).toBe(head);
    const first = fs.readFileSync(path.join(tests, 'typed.expected.json'), 'utf8');
    expect((await cli(['pin', file, '--node', 'typed', '--lines', '5'])).code).toBe(0);
    expect(fs.readFileSync(path.join(tests, 'typed.expected.json'), 'utf8')).toBe(first);
    const listed = await cli(['pin', file, '--list']);
    expect(listed.out).toContain('orders: fixture orders.fixture.csv (6 lines)');
    expect(listed.out).toMatch(/typed: expects \d+ rows/);
    expect((await cli(['pin', file, '--remove', 'typed'])).code).toBe(0);
    expect(fs.readdirSync(tests)).toEqual(['orders.fixture.csv']);
    // A sink's expectation is the rows reaching it; the rule counts of the node feeding it are not its own.
    expect((await cli(['pin', file, '--node', 'rejects'])).code).toBe(0);
    const rejects = JSON.parse(fs.readFileSync(path.join(tests, 'rejects.expected.json'), 'utf8')) as { counts: Record<string, number>; quarantineByRule: Record<string, number> };
    expect([rejects.counts, rejects.quarantineByRule]).toEqual([{ rows: 1 }, {}]);
  });

  it('names what is missing: no pins, a source without a fixture, a node gone, a source kind it cannot pin', async () => {
    const { dir, file, tests } = orders();
    const none = await cli(['test', file]);
    expect(none.code).toBe(2);
    expect(none.err).toContain('has no pinned data in orders.pipeline.tests/');

    expect((await cli(['pin', file, '--node', 'checks'])).code).toBe(0);
    fs.rmSync(path.join(tests, 'orders.fixture.csv'));
    const unfixed = await cli(['test', file]);
    expect(unfixed.code).toBe(1);
    expect(unfixed.out).toContain('error: source "orders" has no fixture in orders.pipeline.tests/');

    expect((await cli(['pin', file, '--node', 'checks'])).code).toBe(0);
    edit(file, (p) => {
      p.nodes = p.nodes.filter((n) => n.id !== 'rejects');
      p.edges = p.edges.filter((e) => e.to.node !== 'rejects');
    });
    fs.writeFileSync(path.join(tests, 'rejects.expected.json'), '{"counts":{},"columns":[],"rows":[]}\n');
    const gone = await cli(['test', file]);
    expect(gone.out).toContain('error: the pipeline has no node "rejects" any more; remove its pin');

    fs.writeFileSync(path.join(dir, 'x.parquet'), '');
    edit(file, (p) => {
      const src = p.nodes.find((n) => n.id === 'orders');
      if (src) Object.assign(src, { kind: 'source.parquet', config: { path: 'x.parquet' } });
    });
    fs.rmSync(tests, { recursive: true });
    const parquet = await cli(['pin', file, '--node', 'orders']);
    expect(parquet.code).toBe(2);
    expect(parquet.err).toContain('source "orders" (source.parquet) cannot be pinned yet: fixtures are the first lines of a CSV or NDJSON file');
  });
});

describe('pins through the EngineApi (the designer)', () => {
  it('pins, lists, tests and removes through the service, refusing a file name with a folder in it', async () => {
    const { dir, tests } = orders();
    const pipeline = JSON.parse(fs.readFileSync(path.join(dir, 'orders.pipeline.json'), 'utf8')) as Doc;
    const service = createEngineService({ workspaces: [dir], inProcessRuns: true });
    try {
      const where = { baseDir: dir, fileName: 'orders.pipeline.json' };
      const pins = await service.pinData({ ...where, pipeline, nodeId: 'checks', lines: 8 });
      expect(pins.folder).toBe('orders.pipeline.tests');
      expect(pins.pins).toEqual([
        { nodeId: 'checks', expected: { file: 'orders.pipeline.tests/checks.expected.json', rows: expect.any(Number) as number, quarantined: 2, filtered: 0 } },
        { nodeId: 'orders', fixture: { file: 'orders.pipeline.tests/orders.fixture.csv', lines: 9 } },
      ]);
      expect((await service.listPins(where)).pins).toEqual(pins.pins);
      expect((await service.testPins({ ...where, pipeline })).passed).toBe(true);
      const checks = pipeline.nodes.find((n) => n.id === 'checks');
      (checks?.config['rules'] as { id: string }[]).splice(0, 1);
      const failed = await service.testPins({ ...where, pipeline });
      expect(failed.passed).toBe(false);
      expect(failed.tests[0]?.diffs).toContainEqual({ what: 'rule', subject: 'customer_required', expected: '1', actual: '0' });
      expect((await service.removePin({ ...where, nodeId: 'checks' })).pins.map((x) => x.nodeId)).toEqual(['orders']);
      await expect(service.listPins({ baseDir: dir, fileName: '../x.json' })).rejects.toThrow(/a pipeline file name ending in .json, without a folder/);
      expect(fs.readdirSync(tests)).toEqual(['orders.fixture.csv']);
    } finally {
      service.close();
    }
  });
});

describe('the samples ship with their tests', () => {
  it('every sample with pinned data passes `sluice test`', async () => {
    const samples = path.join(root, 'samples');
    const files = fs
      .readdirSync(samples)
      .flatMap((d) => (fs.statSync(path.join(samples, d)).isDirectory() ? fs.readdirSync(path.join(samples, d)).map((f) => path.join(samples, d, f)) : []))
      .filter((f) => f.endsWith('.pipeline.json') && fs.existsSync(f.replace(/\.json$/, '.tests')));
    expect(files.map((f) => path.basename(f)).sort()).toEqual(['customers.pipeline.json', 'events.pipeline.json', 'orders.pipeline.json']);
    for (const f of files) {
      const r = await cli(['test', f]);
      expect(r.out, f).toMatch(/\d+ tests?: \d+ passed, 0 failed/);
      expect(r.code, `${f}\n${r.out}${r.err}`).toBe(0);
    }
  });
});
