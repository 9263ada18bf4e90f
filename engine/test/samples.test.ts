// Golden tests: every sample pipeline is run and its per-node counts, quarantines and output files are compared
// with samples/<name>/expected.json. New samples are picked up automatically; they fail until their golden file
// is written with UPDATE_GOLDEN=1 and reviewed by hand.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../src/runtime/run.js';
import { quarantinePage } from '../src/runtime/durability/history.js';
import { parsePipelineText } from '@sluice/format/pipeline/load';
import { duck, sq, tmpDir } from './helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SAMPLES = path.join(ROOT, 'samples');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

interface Golden {
  outcome: string;
  errors: string[];
  nodes: { nodeId: string; status: string; rowsIn: number; rowsOut: number; quarantined: number; filtered: number }[];
  quarantine: Record<string, { line: number | null; lineage: string; rules: string[] }[]>;
  files: Record<string, unknown>;
}

function walk(dir: string, rel = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name), path.join(rel, e.name)) : [path.join(rel, e.name)]));
}

/** A file's content in a form that is stable across runs: text as is, tables as JSON rows. */
async function contentOf(file: string): Promise<unknown> {
  const ext = path.extname(file).toLowerCase();
  if (['.csv', '.tsv', '.txt', '.json', '.ndjson', '.jsonl'].includes(ext)) return fs.readFileSync(file, 'utf8');
  if (ext === '.parquet') {
    const schema = await duck<{ name: string; type: string }>(`SELECT name, type FROM parquet_schema(${sq(file)}) WHERE name <> 'duckdb_schema'`);
    const rows = await duck<{ j: string }>(`SELECT to_json(t)::VARCHAR AS j FROM read_parquet(${sq(file)}) t`);
    return { parquetSchema: schema.map((s) => `${s.name} ${s.type}`), rows: rows.map((r) => r.j) };
  }
  if (ext === '.duckdb') {
    // `_sluice_commits` records which run committed (run ids and times differ per run); the crash tests check it.
    const tables = await duck<{ t: string }>(`SELECT table_name AS t FROM duckdb_tables() WHERE table_name <> '_sluice_commits' ORDER BY table_name`, file);
    const out: Record<string, unknown> = {};
    for (const { t } of tables) {
      const cols = await duck<{ c: string }>(`SELECT column_name || ' ' || data_type AS c FROM information_schema.columns WHERE table_name = ${sq(t)} ORDER BY ordinal_position`, file);
      const rows = await duck<{ j: string }>(`SELECT to_json(x)::VARCHAR AS j FROM "${t.replaceAll('"', '""')}" x`, file);
      out[t] = { columns: cols.map((c) => c.c), rows: rows.map((r) => r.j) };
    }
    return { tables: out };
  }
  return { sha256: crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') };
}

async function runSample(file: string): Promise<Golden> {
  const parsed = parsePipelineText(fs.readFileSync(file, 'utf8'));
  if (parsed.raw === undefined) throw new Error(`${file}: ${parsed.problems.map((p) => p.message).join('; ')}`);
  const outDir = tmpDir('sluice-golden-out-');
  const historyDir = tmpDir('sluice-golden-hist-');
  const manifest = await runPipeline({ pipeline: parsed.raw, baseDir: path.dirname(file), historyDir, outDir });
  const quarantine: Golden['quarantine'] = {};
  for (const nodeId of Object.keys(manifest.quarantine).sort()) {
    const page = await quarantinePage(historyDir, { runId: manifest.runId, nodeId, offset: 0, limit: 10_000 });
    quarantine[nodeId] = page.entries
      .map((e) => ({ line: e.sourceLine, lineage: e.lineage, rules: e.ruleIds }))
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || a.lineage.localeCompare(b.lineage));
  }
  const files: Golden['files'] = {};
  for (const rel of walk(outDir)) files[rel.split(path.sep).join('/')] = await contentOf(path.join(outDir, rel));
  return {
    outcome: manifest.outcome,
    errors: manifest.errors.map((e) => e.replaceAll(outDir, '<out>').replaceAll(historyDir, '<history>')),
    nodes: manifest.nodes.map((m) => ({ nodeId: m.nodeId, status: m.status, rowsIn: m.rowsIn, rowsOut: m.rowsOut, quarantined: m.quarantined, filtered: m.filtered })),
    quarantine,
    files,
  };
}

const sampleDirs = fs.existsSync(SAMPLES)
  ? fs
      .readdirSync(SAMPLES, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()
      .filter((d) => fs.readdirSync(path.join(SAMPLES, d)).some((f) => f.endsWith('.pipeline.json')))
  : [];

describe('sample pipelines (golden)', () => {
  it('there are samples to run', () => {
    expect(sampleDirs.length).toBeGreaterThan(0);
  });

  for (const dir of sampleDirs) {
    it(`samples/${dir}`, async () => {
      const folder = path.join(SAMPLES, dir);
      const pipelines = fs.readdirSync(folder).filter((f) => f.endsWith('.pipeline.json')).sort();
      const actual: Record<string, Golden> = {};
      for (const p of pipelines) actual[p] = await runSample(path.join(folder, p));
      const goldenFile = path.join(folder, 'expected.json');
      if (UPDATE) {
        fs.writeFileSync(goldenFile, `${JSON.stringify(actual, null, 2)}\n`);
        return;
      }
      if (!fs.existsSync(goldenFile)) {
        throw new Error(`samples/${dir}/expected.json is missing: run \`UPDATE_GOLDEN=1 npx vitest run engine/test/samples.test.ts\`, then review the numbers by hand before committing it`);
      }
      const expected = JSON.parse(fs.readFileSync(goldenFile, 'utf8')) as Record<string, Golden>;
      expect(Object.keys(actual), `pipelines in samples/${dir}`).toEqual(Object.keys(expected));
      for (const p of pipelines) {
        const a = actual[p] as Golden;
        const e = expected[p] as Golden;
        expect(a.nodes, `${dir}/${p}: per-node counts (UPDATE_GOLDEN=1 rewrites expected.json after a deliberate change)`).toEqual(e.nodes);
        expect({ outcome: a.outcome, errors: a.errors }, `${dir}/${p}: outcome`).toEqual({ outcome: e.outcome, errors: e.errors });
        expect(a.quarantine, `${dir}/${p}: quarantines`).toEqual(e.quarantine);
        expect(Object.keys(a.files), `${dir}/${p}: output files`).toEqual(Object.keys(e.files));
        for (const f of Object.keys(e.files)) expect(a.files[f], `${dir}/${p}: content of ${f}`).toEqual(e.files[f]);
      }
    });
  }
});
