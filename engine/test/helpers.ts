// Shared helpers for engine tests: temp folders, compact pipeline building, running and reading results.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll } from 'vitest';
import type { NodeMetrics, QuarantineEntry, RunManifest } from '@sluice/format/api/contract';
import { preparePipeline, runPipeline } from '../src/runtime/run.js';
import { quarantinePage } from '../src/runtime/durability/history.js';
import { PreviewSession } from '../src/runtime/preview.js';
import type { PreviewResult } from '@sluice/format/api/contract';

const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh temporary folder, removed after the test file. */
export function tmpDir(prefix = 'sluice-test-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

export interface NodeDef {
  id: string;
  kind: string;
  config?: Record<string, unknown>;
}

/** `a` → `{node: a, port: out}`, `a.valid` → `{node: a, port: valid}` (default ports: out → in). */
function ref(s: string, defPort: string): { node: string; port: string } {
  const i = s.indexOf('.');
  return i < 0 ? { node: s, port: defPort } : { node: s.slice(0, i), port: s.slice(i + 1) };
}

/** Build a pipeline document; edges are written `"from.port -> to.port"` with ports defaulting to out/in. */
export function pipeline(nodes: NodeDef[], edges: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: 1,
    name: 'test pipeline',
    ...extra,
    nodes: nodes.map((n, i) => ({ id: n.id, kind: n.kind, position: { x: i * 100, y: 0 }, config: n.config ?? {} })),
    edges: edges.map((e) => {
      const [a, b] = e.split('->').map((x) => x.trim());
      return { from: ref(a as string, 'out'), to: ref(b as string, 'in') };
    }),
  };
}

/** Build a linear chain: each node's `out` feeds the next node's `in`. */
export function chain(nodes: NodeDef[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const edges: string[] = [];
  for (let i = 1; i < nodes.length; i++) edges.push(`${(nodes[i - 1] as NodeDef).id} -> ${(nodes[i] as NodeDef).id}`);
  return pipeline(nodes, edges, extra);
}

export interface RunResult {
  manifest: RunManifest;
  baseDir: string;
  historyDir: string;
  outDir: string | undefined;
  metric(id: string): NodeMetrics;
  quarantine(id: string, rule?: string): Promise<{ total: number; byRule: Record<string, number>; entries: QuarantineEntry[] }>;
  /** Read a file relative to the folder outputs went to. */
  read(rel: string): string;
  exists(rel: string): boolean;
}

export interface RunSetup {
  /** Files to create in the pipeline folder before the run (string or bytes). */
  files?: Record<string, string | Uint8Array>;
  baseDir?: string;
  historyDir?: string;
  outDir?: string;
  params?: Record<string, string>;
  allow?: string[];
  /** Network hosts REST sources may reach. */
  allowHosts?: string[];
  /** Run the static checks first, as `sluice run` does (default false here: see run()). */
  staticChecks?: boolean;
}

export function writeFiles(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [rel, content] of Object.entries(files)) {
    const full = path.join(dir, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
}

export async function run(p: unknown, setup: RunSetup = {}): Promise<RunResult> {
  const baseDir = setup.baseDir ?? tmpDir('sluice-base-');
  const historyDir = setup.historyDir ?? tmpDir('sluice-hist-');
  if (setup.files) writeFiles(baseDir, setup.files);
  const manifest = await runPipeline({
    pipeline: p,
    baseDir,
    historyDir,
    // Unit tests of node kinds exercise the checks each node makes as it runs (they stay, behind the static
    // ones); tests of what a run refuses up front call runPipeline or validateStatic themselves.
    staticChecks: setup.staticChecks ?? false,
    ...(setup.outDir ? { outDir: setup.outDir } : {}),
    ...(setup.params ? { params: setup.params } : {}),
    ...(setup.allow ? { allow: setup.allow } : {}),
    ...(setup.allowHosts ? { allowHosts: setup.allowHosts } : {}),
  });
  const outRoot = setup.outDir ?? baseDir;
  return {
    manifest,
    baseDir,
    historyDir,
    outDir: setup.outDir,
    metric(id) {
      const m = manifest.nodes.find((n) => n.nodeId === id);
      if (!m) throw new Error(`no metrics for node ${id}; nodes: ${manifest.nodes.map((n) => n.nodeId).join(', ')}; errors: ${manifest.errors.join(' | ')}`);
      return m;
    },
    async quarantine(id, rule) {
      return quarantinePage(historyDir, { runId: manifest.runId, nodeId: id, ...(rule ? { rule } : {}), offset: 0, limit: 10_000 });
    },
    read: (rel) => fs.readFileSync(path.join(outRoot, rel), 'utf8'),
    exists: (rel) => fs.existsSync(path.join(outRoot, rel)),
  };
}

/** The counts that matter, for compact assertions. */
export function counts(m: NodeMetrics): { status: string; rowsIn: number; rowsOut: number; quarantined: number; filtered: number } {
  return { status: m.status, rowsIn: m.rowsIn, rowsOut: m.rowsOut, quarantined: m.quarantined, filtered: m.filtered };
}

/** Expect a clean run; on failure the message carries the manifest's errors. */
export function expectSucceeded(r: RunResult): void {
  if (r.manifest.outcome !== 'succeeded') throw new Error(`run ${r.manifest.outcome}: ${r.manifest.errors.join(' | ')}`);
}

/** Preview one node of a pipeline whose files live in baseDir. */
export async function preview(p: unknown, nodeId: string, baseDir: string, limit = 1000): Promise<PreviewResult> {
  const full = preparePipeline(p, {});
  const session = new PreviewSession();
  try {
    return await session.preview(full, nodeId, limit, baseDir);
  } finally {
    session.close();
  }
}

/** Parse simple CSV text written by DuckDB (quoted fields with doubled quotes, no embedded newlines needed). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let inQ = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (inQ) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQ = false;
      } else field += c;
    } else if (c === '"') inQ = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Run SQL on a throwaway in-memory DuckDB (for reading outputs and preparing inputs, e.g. Parquet files). */
export async function duck<T = Record<string, unknown>>(sql: string, dbFile = ':memory:'): Promise<T[]> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const inst = await DuckDBInstance.create(dbFile);
  const conn = await inst.connect();
  try {
    const reader = await conn.runAndReadAll(sql);
    const names = reader.columnNames();
    return reader.getRowsJS().map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]])) as T);
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

/** The exact raw bytes stored for a node's quarantined malformed lines, by source line. */
export async function quarantineRaw(r: RunResult, nodeId: string): Promise<Map<number, Buffer>> {
  const rel = r.manifest.quarantine[nodeId];
  if (!rel) return new Map();
  const file = path.join(r.historyDir, r.manifest.runId, rel);
  const rows = await duck<{ source_line: bigint; raw: Uint8Array | null }>(`SELECT source_line, raw FROM read_parquet('${file.replaceAll("'", "''")}') ORDER BY source_line`);
  return new Map(rows.map((x) => [Number(x.source_line), Buffer.from(x.raw ?? new Uint8Array())]));
}

/** Names of files in a folder (for checking that no temporary files are left behind). */
export function listDir(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

export const sq = (s: string): string => `'${s.replaceAll("'", "''")}'`;
