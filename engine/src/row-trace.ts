// Row lineage on demand (`sluice trace RUN --node N --row K` and the designer's `traceRow`): where one row of a past
// run came from (its source file and line, or page and record) and the nodes it passed. It reads only what the run
// kept: the quarantine files, the checkpoints a run that did not succeed keeps, and sink files written with
// `includeLineage`. When none holds the row it says so and which option would have kept it; it never re-runs
// anything or guesses from a later state.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runManifestSchema, type RunManifest } from '@sluice/format/api/contract';
import type { Origin, TraceResult } from '@sluice/format/api/trace-contract';
import { parsePipelineText } from '@sluice/format/pipeline/load';
import { nodesPassed, parseLineage } from '@sluice/format/pipeline/lineage-id';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import { Database } from './db/database.js';
import { qi, qlit } from './sql/quote.js';
import { LINEAGE, UserError, isReservedColumn } from './runtime/exec-context.js';
import { kindOf } from './nodes/registry.js';
import { pipelineHash, preparePipeline } from './runtime/run.js';
import { isInside, realish } from './runtime/paths.js';
import { capText } from './runtime/display-cap.js';

export type { Origin, TraceResult } from '@sluice/format/api/trace-contract';
export { parseLineage } from '@sluice/format/pipeline/lineage-id';

export function describeOrigin(o: Origin): string {
  switch (o.type) {
    case 'line':
      return `${o.file}, line ${o.line} (read by node "${o.node}")`;
    case 'page':
      return `page ${o.page}, record ${o.record} of the API (read by node "${o.node}")`;
    case 'row':
      return `${o.file}, row ${o.row} (read by node "${o.node}")`;
    case 'group':
      return `a group made by node "${o.node}" from every row with the key ${o.key}; no single source line`;
    case 'all':
      return `the one total row made by node "${o.node}" from all its input rows; no single source line`;
    case 'sql-row':
      return `row ${o.row} made by the SQL of node "${o.node}"; SQL rows keep no source line`;
    case 'file':
      return `${o.file} (read by node "${o.node}")`;
    case 'unknown':
      return `an origin the engine does not recognize: "${o.text}"`;
  }
}

export interface RunRef {
  runDir: string;
  historyDir: string;
  manifest: RunManifest;
}

/** RUN: a run id in the history folder, "latest", a run folder, or its manifest.json. */
export function resolveRun(run: string, historyDir: string): RunRef {
  const asPath = path.resolve(run);
  if (run.includes('/') || run.includes(path.sep) || run.endsWith('.json')) {
    const dir = run.endsWith('.json') ? path.dirname(asPath) : asPath;
    return { runDir: dir, historyDir: path.dirname(dir), manifest: readManifest(path.join(dir, 'manifest.json')) };
  }
  if (!/^[A-Za-z0-9-]+$/.test(run)) throw new UserError(`"${run}" is not a run id or a run folder`);
  let id = run;
  if (run === 'latest') {
    const ids = fs.existsSync(historyDir) ? fs.readdirSync(historyDir).filter((d) => fs.existsSync(path.join(historyDir, d, 'manifest.json'))).sort() : [];
    const last = ids.at(-1);
    if (!last) throw new UserError(`no runs yet in ${historyDir}`);
    id = last;
  }
  const runDir = path.join(historyDir, id);
  if (!fs.existsSync(path.join(runDir, 'manifest.json'))) throw new UserError(`no run "${id}" in ${historyDir} (pass --history DIR, or the run's folder)`);
  return { runDir, historyDir, manifest: readManifest(path.join(runDir, 'manifest.json')) };
}

function readManifest(file: string): RunManifest {
  if (!fs.existsSync(file)) throw new UserError(`no run record at ${file}`, { file });
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new UserError(`${file} is not valid JSON`, { file });
  }
  const r = runManifestSchema.safeParse(raw);
  if (!r.success) throw new UserError(`${file} is not a run record`, { file });
  return r.data;
}

/**
 * The pipeline the run ran: --pipeline, else the *.pipeline.json with the run's name in the folder its default
 * history lives in (`<folder>/.sluice/runs`). The notes say when the file changed since the run.
 */
function findPipeline(ref: RunRef, given: string | undefined, document: unknown, notes: string[]): Pipeline | undefined {
  const candidates: string[] = [];
  if (given) {
    if (!fs.existsSync(path.resolve(given))) throw new UserError(`no such file: ${given}`);
    candidates.push(path.resolve(given));
  } else {
    const folder = path.dirname(path.dirname(ref.historyDir));
    if (path.basename(path.dirname(ref.historyDir)) === '.sluice' && fs.existsSync(folder)) {
      for (const f of fs.readdirSync(folder).sort()) if (f.endsWith('.pipeline.json')) candidates.push(path.join(folder, f));
    }
  }
  for (const file of candidates) {
    const parsed = parsePipelineText(fs.readFileSync(file, 'utf8'));
    const raw = parsed.raw as { name?: unknown } | undefined;
    if (!raw || (!given && raw.name !== ref.manifest.pipelineName)) continue;
    let p: Pipeline;
    try {
      p = preparePipeline(raw, ref.manifest.params);
    } catch {
      notes.push(`${path.basename(file)} no longer loads, so the nodes the row passed are not shown`);
      return undefined;
    }
    if (pipelineHash(p) !== ref.manifest.pipelineHash) notes.push(`${path.basename(file)} changed since this run; the path below is from the file as it is now`);
    return p;
  }
  const held = document === undefined ? undefined : fromDocument(ref, document, notes);
  if (held) return held;
  notes.push(given ? '' : 'the pipeline file was not found next to the history folder; pass --pipeline FILE to show the nodes the row passed');
  return undefined;
}

function fromDocument(ref: RunRef, document: unknown, notes: string[]): Pipeline | undefined {
  let p: Pipeline;
  try {
    p = preparePipeline(document, ref.manifest.params);
  } catch {
    return undefined;
  }
  if (p.name !== ref.manifest.pipelineName) return undefined;
  if (pipelineHash(p) !== ref.manifest.pipelineHash) notes.push('the pipeline changed since this run; the path below is from the pipeline as it is now');
  return p;
}

interface FoundRow {
  lineage: string;
  values: Record<string, unknown>;
  sourceLine: number | null;
  reasons?: string[];
  ruleIds?: string[];
  raw?: string | null;
  total: number;
}

async function readRow(file: string, reader: string, k: number | { lineage: string }, quarantine: boolean, dirs: string[], attach?: string): Promise<FoundRow> {
  // DuckDB's spill folder goes to the system's temp folder: nothing is created among the run's or the user's files.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-trace-'));
  const db = await Database.open({ allowedDirs: [...dirs, tmp], tempDir: tmp });
  try {
    if (attach !== undefined) await db.run(`ATTACH ${qlit(attach)} AS sl_trace (READ_ONLY)`);
    const src = `(SELECT * FROM ${reader})`;
    let names: string[];
    try {
      names = (await db.describe(src)).map((c) => c.name);
    } catch (e) {
      throw new UserError(`could not read ${file}: ${e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e)}`, { file });
    }
    const need = quarantine ? 'lineage' : LINEAGE;
    if (!names.includes(need)) throw new UserError(`${file} has no ${need} column, so its rows cannot be traced (was "includeLineage" on when the run wrote it?)`, { file });
    const total = await db.count(`SELECT count(*) FROM ${src}`);
    if (typeof k === 'number' && k > total) return { lineage: '', values: {}, sourceLine: null, total };
    // Insertion order is kept by DuckDB's scans, so OFFSET picks the K-th row as the file holds it (as inspect does).
    const pick = typeof k === 'number' ? `LIMIT 1 OFFSET ${k - 1}` : `WHERE CAST(${qi(need)} AS VARCHAR) = ${qlit(k.lineage)} LIMIT 1`;
    const sel = quarantine
      ? `SELECT lineage, source_line, to_json(rule_ids)::VARCHAR AS rule_ids, to_json(reasons)::VARCHAR AS reasons, row_json, raw FROM ${src} ${pick}`
      : `SELECT CAST(t.${qi(LINEAGE)} AS VARCHAR) AS lineage, to_json(t)::VARCHAR AS row_json FROM ${src} t ${pick}`;
    const r = (await db.rawRows(sel))[0];
    if (!r) return { lineage: '', values: {}, sourceLine: null, total };
    const rowJson = typeof r['row_json'] === 'string' ? (JSON.parse(r['row_json']) as Record<string, unknown> | null) : null;
    const values = Object.fromEntries(Object.entries(rowJson ?? {}).filter(([name]) => !isReservedColumn(name)));
    const sl = r['source_line'];
    const raw = r['raw'];
    // A malformed line is kept as bytes; shown as text (invalid bytes as U+FFFD), capped like the quarantine view.
    const rawText = raw instanceof Uint8Array ? capText(new TextDecoder('utf-8', { fatal: false }).decode(raw)) : raw === null || raw === undefined ? null : capText(String(raw));
    return {
      lineage: r['lineage'] === null || r['lineage'] === undefined ? '' : String(r['lineage']),
      values,
      sourceLine: sl === null || sl === undefined ? null : Number(sl),
      ...(quarantine ? { reasons: JSON.parse(String(r['reasons'])) as string[], ruleIds: JSON.parse(String(r['rule_ids'])) as string[], raw: rawText } : {}),
      total,
    };
  } finally {
    db.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export interface TraceOptions {
  node: string;
  /** The K-th row (from 1), or the first row with this lineage id. */
  row: number | { lineage: string };
  quarantine?: boolean;
  port?: string;
  pipeline?: string;
  out?: string;
  /** The pipeline document as a front end holds it: used for the nodes passed when no file by the run's name is found. */
  document?: unknown;
}

/** RUN as `sluice trace` takes it (see resolveRun), in the history folder `historyDir`. */
export async function traceRow(run: string, historyDir: string, o: TraceOptions): Promise<TraceResult> {
  return traceRunRow(resolveRun(run, path.resolve(historyDir)), o);
}

/** A run already found (the engine service looks in every history folder it knows). */
export async function traceRunRow(ref: RunRef, o: TraceOptions): Promise<TraceResult> {
  if (typeof o.row === 'number' && (!Number.isInteger(o.row) || o.row < 1)) throw new UserError(`the row number counts from 1, got "${String(o.row)}"`);
  const m = ref.manifest;
  const metrics = m.nodes.find((n) => n.nodeId === o.node);
  if (!metrics) throw new UserError(`run ${m.runId} has no node "${o.node}" (its nodes: ${m.nodes.map((n) => n.nodeId).join(', ')})`);
  const notes: string[] = [];
  const pipeline = findPipeline(ref, o.pipeline, o.document, notes);
  const kindByNode = (id: string): string | undefined => m.nodes.find((n) => n.nodeId === id)?.kind ?? pipeline?.nodes.find((n) => n.id === id)?.kind;

  let from: TraceResult['from'];
  let file: string;
  let reader: string;
  let dirs = [ref.runDir];
  let attach: string | undefined;
  if (o.quarantine) {
    const rel = m.quarantine[o.node];
    if (!rel) throw new UserError(`node "${o.node}" quarantined no rows in run ${m.runId}`);
    from = 'quarantine';
    file = path.join(ref.runDir, rel);
    reader = `read_parquet(${qlit(file)})`;
  } else {
    const kind = kindOf(metrics.kind);
    const port = o.port ?? kind?.outputs.find((p) => p.role === 'data')?.name ?? 'out';
    const checkpoint = path.join(ref.runDir, 'checkpoint', `${o.node}.${port}.parquet`);
    const sinkNode = kind?.category === 'sink' ? pipeline?.nodes.find((n) => n.id === o.node) : undefined;
    if (fs.existsSync(checkpoint)) {
      from = 'checkpoint';
      file = checkpoint;
      reader = `read_parquet(${qlit(file)})`;
    } else if (sinkNode && sinkNode.config['includeLineage'] === true && typeof sinkNode.config['path'] === 'string') {
      // The sink's file as it is now: the run wrote it, but a later run may have replaced it.
      const base = o.out ? path.resolve(o.out) : pipeline && o.pipeline ? path.dirname(path.resolve(o.pipeline)) : path.dirname(path.dirname(ref.historyDir));
      file = path.resolve(base, sinkNode.config['path']);
      // The pipeline file is untrusted: trace reads only inside the folder the run wrote to.
      if (!isInside(realish(file), realish(base))) throw new UserError(`node "${o.node}" writes ${sinkNode.config['path']}, outside ${base}; pass the run's --out folder to trace its file`);
      if (!fs.existsSync(file)) throw new UserError(`node "${o.node}" wrote ${file}, which is no longer there`);
      from = 'sink-file';
      dirs = [path.dirname(file), ref.runDir];
      const table = sinkNode.config['table'];
      if (sinkNode.kind === 'sink.duckdb' && typeof table === 'string') attach = file;
      reader =
        sinkNode.kind === 'sink.csv' ? `read_csv(${qlit(file)}, header = true, all_varchar = true)`
        : sinkNode.kind === 'sink.json' ? `read_json_auto(${qlit(file)})`
        : sinkNode.kind === 'sink.parquet' ? `read_parquet(${qlit(file)})`
        : attach !== undefined ? `sl_trace.main.${qi(String(table))}`
        : '';
      if (reader === '') throw new UserError(`trace cannot read the output of a ${sinkNode.kind} node yet; trace the node that feeds it instead, in a run that kept checkpoints`);
      notes.push(`read from ${path.basename(file)} as it is now; a later run may have replaced it`);
    } else {
      const why = m.outcome === 'succeeded' ? 'a run that succeeds removes its checkpoints' : `this run kept no checkpoint of output "${port}" of node "${o.node}"`;
      throw new UserError(
        `run ${m.runId} kept no rows of node "${o.node}" to trace from: ${why}. Trace a rejected row with --quarantine; to trace output rows, set "includeLineage": true on a sink (its file then carries each row's lineage and \`sluice trace\` reads it), or keep every node's output of a failed or partial run with \`sluice run --checkpoint all\``,
      );
    }
  }
  const found = await readRow(file, reader, o.row, from === 'quarantine', dirs, attach);
  const which = typeof o.row === 'number' ? `row ${o.row}` : `the row with lineage "${o.row.lineage}"`;
  if (typeof o.row === 'number' && o.row > found.total) throw new UserError(`node "${o.node}" has ${found.total} ${from === 'quarantine' ? 'quarantined ' : ''}row(s) in run ${m.runId}; there is no row ${o.row}`);
  if (typeof o.row !== 'number' && found.lineage === '') throw new UserError(`node "${o.node}" kept no ${from === 'quarantine' ? 'quarantined ' : ''}row with lineage "${o.row.lineage}" in run ${m.runId}`);
  if (found.lineage === '') throw new UserError(`${which} of node "${o.node}" carries no lineage, so its origin is unknown`);
  const origin = parseLineage(found.lineage, kindByNode);
  return {
    runId: m.runId,
    pipelineName: m.pipelineName,
    nodeId: o.node,
    from,
    file,
    row: typeof o.row === 'number' ? o.row : null,
    lineage: found.lineage,
    origin,
    sourceLine: found.sourceLine ?? (origin.type === 'line' ? origin.line : null),
    path: pipeline && origin.node !== '' && pipeline.nodes.some((n) => n.id === origin.node) ? nodesPassed(pipeline, origin.node, o.node) : null,
    values: found.values,
    ...(found.reasons ? { reasons: found.reasons } : {}),
    ...(found.ruleIds ? { ruleIds: found.ruleIds } : {}),
    notes: notes.filter((n) => n !== ''),
  };
}
