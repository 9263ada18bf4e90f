// Every query runs under limits: a run's memory and spill limits (DuckDB's), a per-node wall-clock limit and a
// per-preview one that interrupt the query. A node a limit stopped fails with a reason that names the limit and
// how to raise it; the rest of the run is accounted for as usual.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/runtime/run.js';
import { PreviewSession } from '../../src/runtime/preview.js';
import { machineDefaults, resolveLimits } from '../../src/runtime/execution/limits.js';
import { checkStructure } from '../../src/runtime/run.js';
import type { LimitsInput } from '@sluice/format/api/contract';
import { pipeline, tmpDir, writeFiles, type NodeDef } from '../helpers.js';

let cases = 0;
afterAll(() => {
  const d = machineDefaults();
  console.log(`resource limits: ${cases} hostile cases; defaults here: memory ${d.memoryLimit}, spill ${d.tempLimit}, node ${d.nodeTimeoutSeconds} s, preview ${d.previewTimeoutSeconds} s`);
});

const RECURSIVE = 'WITH RECURSIVE x(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM x) SELECT n FROM x';

function folder(): string {
  const dir = tmpDir('sluice-limits-');
  writeFiles(dir, { 'in.csv': `id\n${Array.from({ length: 3000 }, (_, i) => i).join('\n')}\n` });
  return dir;
}

async function runWith(node: NodeDef, limits: LimitsInput) {
  const dir = folder();
  const p = pipeline([{ id: 'src', kind: 'source.csv', config: { path: 'in.csv' } }, node, { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } }], [`src -> ${node.id}.${node.kind === 'sql' ? 'in1' : 'in'}`, `${node.id} -> out`]);
  const t0 = performance.now();
  const m = await runPipeline({ pipeline: p, baseDir: dir, historyDir: `${dir}/hist`, limits });
  return { m, ms: performance.now() - t0, failed: m.nodes.find((n) => n.nodeId === node.id) };
}

describe('a query stopped by a limit fails its node with the limit named (defect 6)', () => {
  it('a recursive CTE that never ends stops at the node time limit', async () => {
    cases++;
    const r = await runWith({ id: 'q', kind: 'sql', config: { query: RECURSIVE } }, { nodeTimeoutSeconds: 1 });
    expect(r.m.outcome).toBe('failed');
    expect(r.failed?.status).toBe('failed');
    expect(r.failed?.error).toMatch(/^node "q" \(sql\): stopped after its time limit of 1 s .*--node-timeout SECONDS, SLUICE_NODE_TIMEOUT/);
    expect(r.m.nodes.find((n) => n.nodeId === 'out')?.status).toBe('skipped');
    expect(r.ms).toBeLessThan(10_000);
  });

  it('a 4-way self-join of 3,000 rows stops at the node time limit', async () => {
    cases++;
    const r = await runWith({ id: 'q', kind: 'sql', config: { query: 'SELECT a.id FROM in1 a, in1 b, in1 c, in1 d' } }, { nodeTimeoutSeconds: 1 });
    expect(r.failed?.error).toMatch(/time limit of 1 s/);
    expect(r.ms).toBeLessThan(10_000);
  });

  it('a huge repeat() in a derive expression stops at the node time limit', async () => {
    cases++;
    const r = await runWith({ id: 'd', kind: 'derive', config: { columns: [{ name: 'big', expression: "repeat('x', 100000000) || id" }] } }, { nodeTimeoutSeconds: 1 });
    expect(r.failed?.error).toMatch(/^node "d" \(derive\): stopped after its time limit of 1 s/);
  });

  it('a query needing more memory than the run may use fails naming the memory limit', async () => {
    cases++;
    const r = await runWith({ id: 'q', kind: 'sql', config: { query: "SELECT list(repeat('z', 1000) || a.id) AS l FROM in1 a, in1 b" } }, { memoryLimit: '64MB', tempLimit: '32MB' });
    expect(r.failed?.error).toMatch(/^node "q" \(sql\): the query needed more than the run's (memory limit of 64MB|spill limit of 32MB on disk)/);
    expect(r.failed?.error).toMatch(/raise it with --(memory|temp)-limit SIZE/);
  });

  it('a join spilling past the spill limit fails naming a limit, not a raw DuckDB message', async () => {
    cases++;
    const r = await runWith({ id: 'q', kind: 'sql', config: { query: "SELECT a.id, repeat('y', 200) AS pad FROM in1 a, in1 b ORDER BY pad, a.id" } }, { memoryLimit: '64MB', tempLimit: '16MB', nodeTimeoutSeconds: 20 });
    expect(r.failed?.error).toMatch(/(spill limit of 16MB|memory limit of 64MB|time limit of 20 s)/);
  });

  it('a run spills into the folder it is given, in a folder of its own that is removed after', async () => {
    cases++;
    const spill = tmpDir('sluice-spill-');
    const seen = new Set<string>();
    // DuckDB's spill files exist only while the query runs: look for them as it does.
    const look = setInterval(() => {
      for (const d of fs.readdirSync(spill)) for (const f of fs.readdirSync(path.join(spill, d))) seen.add(`${d}/${f}`);
    }, 10);
    try {
      await runWith({ id: 'q', kind: 'sql', config: { query: "SELECT a.id, repeat('y', 200) AS pad FROM in1 a, in1 b ORDER BY pad, a.id" } }, { memoryLimit: '64MB', tempLimit: '16MB', nodeTimeoutSeconds: 20, tempDir: spill });
    } finally {
      clearInterval(look);
    }
    expect([...seen].some((f) => /^sluice-spill-[^/]+\/duckdb_temp/.test(f))).toBe(true);
    expect(fs.readdirSync(spill)).toEqual([]);
    // A spill folder that cannot be one fails the run by name, not with a raw file-system error.
    const file = path.join(spill, 'a-file');
    fs.writeFileSync(file, '');
    const bad = await runWith({ id: 'q', kind: 'filter', config: { expression: 'true' } }, { tempDir: file });
    expect(bad.m.outcome).toBe('failed');
    expect(bad.m.errors.join()).toMatch(/cannot spill into ".*a-file" \(ENOTDIR\); choose another folder with --temp-dir FOLDER/);
  });

  it('a recursive CTE previewed stops at the preview time limit', async () => {
    cases++;
    const dir = folder();
    const p = checkStructure(pipeline([{ id: 'src', kind: 'source.csv', config: { path: 'in.csv' } }, { id: 'q', kind: 'sql', config: { query: RECURSIVE } }], ['src -> q.in1']), {}).pipeline;
    const session = new PreviewSession({ limits: { previewTimeoutSeconds: 1 } });
    try {
      const t0 = performance.now();
      const r = await session.preview(p as never, 'q', 10, dir);
      const q = r.metrics.find((m) => m.nodeId === 'q');
      expect(q?.status).toBe('failed');
      expect(q?.error).toMatch(/the preview stopped after its time limit of 1 s; raise it with SLUICE_PREVIEW_TIMEOUT/);
      expect(performance.now() - t0).toBeLessThan(10_000);
    } finally {
      session.close();
    }
  });
});

describe('limits are settable and checked', () => {
  it('the environment sets a limit; a flag or request overrides it', () => {
    cases++;
    expect(resolveLimits(undefined, undefined, { SLUICE_NODE_TIMEOUT: '5', SLUICE_MEMORY_LIMIT: '1GB' })).toMatchObject({ nodeTimeoutSeconds: 5, memoryLimit: '1GB' });
    expect(resolveLimits({ nodeTimeoutSeconds: 7 }, undefined, { SLUICE_NODE_TIMEOUT: '5' }).nodeTimeoutSeconds).toBe(7);
    expect(resolveLimits(undefined, undefined, { SLUICE_TEMP_DIR: '/fast/disk' }).tempDir).toBe('/fast/disk');
    expect(resolveLimits({ tempDir: '/other' }, undefined, { SLUICE_TEMP_DIR: '/fast/disk' }).tempDir).toBe('/other');
  });

  it('a malformed limit in the environment names the variable', () => {
    cases++;
    expect(() => resolveLimits(undefined, undefined, { SLUICE_MEMORY_LIMIT: 'lots' })).toThrow(/SLUICE_MEMORY_LIMIT must be a size such as 512MB or 4GB, got "lots"/);
    expect(() => resolveLimits(undefined, undefined, { SLUICE_NODE_TIMEOUT: 'soon' })).toThrow(/SLUICE_NODE_TIMEOUT must be a number of seconds/);
  });

  it('defaults are sized to the machine', () => {
    const d = machineDefaults();
    expect(d.memoryLimit).toMatch(/^\d+(MB|GB)$/);
    expect(d.tempLimit).toMatch(/^\d+(MB|GB)$/);
    expect(d.nodeTimeoutSeconds).toBe(1800);
    expect(d.previewTimeoutSeconds).toBe(60);
  });

  it('the spill limit is sized to the disk of a spill folder not made yet (issue 18: it fell back to 10 GB)', () => {
    const dir = tmpDir();
    expect(machineDefaults(path.join(dir, 'history', 'not-yet')).tempLimit).toBe(machineDefaults(dir).tempLimit);
  });
});

describe('a DuckDB FATAL error names its node (defect 6)', () => {
  it('the node it happened in is named, the rest are not run, no error lacks a node', async () => {
    cases++;
    const { Database } = await import('../../src/db/database.js');
    const { vi } = await import('vitest');
    const original = Database.prototype.run;
    let fatal = false;
    // DuckDB invalidates the database after a FATAL error (as `repeat('x', 2147483647)` did without a memory
    // limit): the statement fails, and so does every statement after it.
    const spy = vi.spyOn(Database.prototype, 'run').mockImplementation(async function (this: Awaited<ReturnType<typeof Database.open>>, sql, params) {
      if (fatal) throw new Error('FATAL Error: Failed: database has been invalidated because of a previous fatal error');
      if (sql.includes('"n_d__out"') && sql.startsWith('CREATE VIEW')) {
        fatal = true;
        throw new Error('FATAL Error: Failed to allocate block of 8.5 GiB');
      }
      return original.call(this, sql, params);
    });
    try {
      const r = await runWith({ id: 'd', kind: 'derive', config: { columns: [{ name: 'x', expression: "repeat('x', 10)" }] } }, {});
      expect(r.failed?.status).toBe('failed');
      // Not the user's mistake, so the one error model calls it an internal error; the node is named all the same.
      expect(r.failed?.error).toMatch(/^node "d" \(derive\): (internal error: )?FATAL Error: Failed to allocate/);
      expect(r.m.nodes.find((n) => n.nodeId === 'out')?.warnings[0]).toMatch(/a fatal DuckDB error in node "d" invalidated the run's database/);
      for (const e of r.m.errors) expect(e).toMatch(/^node "d"/);
    } finally {
      spy.mockRestore();
    }
  });
});
