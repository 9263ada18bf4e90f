// One pipeline run, start to finish: check, lock down, execute, keep quarantines, write the manifest.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import type { RunManifest } from '../api/contract.js';
import { applyParams, checkPipeline } from '../format/load.js';
import { formatProblem, type Problem } from '../format/problems.js';
import type { Pipeline } from '../format/pipeline.js';
import { serializePipeline } from '../format/save.js';
import { kindLookup, kindOf } from '../nodes/registry.js';
import { qi, qlit } from '../sql/quote.js';
import { ENGINE_VERSION } from '../version.js';
import { Database } from './database.js';
import { executePipeline, type RunEvent } from './execute.js';

export class InvalidPipeline extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map((p) => formatProblem(p)).join('\n'));
    this.name = 'InvalidPipeline';
  }
}

export interface RunOptions {
  pipeline: unknown;
  params?: Record<string, string>;
  baseDir: string;
  historyDir: string;
  outDir?: string;
  /** Extra folders the pipeline may read or write, besides its own folder (and outDir). */
  allow?: string[];
  /** Network hosts (`host:port` or `host`) REST sources may reach; none unless the user allows them. */
  allowHosts?: string[];
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
}

/** Check the document, apply parameters, and check again with every node's config. */
export function preparePipeline(raw: unknown, params: Record<string, string>): Pipeline {
  const shape = checkPipeline(raw, undefined);
  if (!shape.pipeline) throw new InvalidPipeline(shape.problems);
  const applied = applyParams(shape.pipeline, params);
  if (applied.problems.length > 0) throw new InvalidPipeline(applied.problems);
  const full = checkPipeline(applied.pipeline, kindLookup);
  if (!full.pipeline) throw new InvalidPipeline(full.problems);
  return full.pipeline;
}

export function pipelineHash(p: Pipeline): string {
  return crypto.createHash('sha256').update(serializePipeline(p)).digest('hex').slice(0, 16);
}

function newRunId(): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  return `${t}-${crypto.randomBytes(3).toString('hex')}`;
}

export async function runPipeline(o: RunOptions): Promise<RunManifest> {
  const params = o.params ?? {};
  const pipeline = preparePipeline(o.pipeline, params);
  const runId = newRunId();
  const runDir = path.join(o.historyDir, runId);
  const workDir = path.join(runDir, 'work');
  fs.mkdirSync(path.join(workDir, 'tmp'), { recursive: true });
  fs.mkdirSync(path.join(runDir, 'quarantine'), { recursive: true });
  const startedAt = new Date().toISOString();
  const roots = [o.baseDir, ...(o.outDir ? [o.outDir] : []), ...(o.allow ?? [])];
  if (o.outDir) fs.mkdirSync(o.outDir, { recursive: true });
  const db = await Database.open({ allowedDirs: [...roots, runDir], tempDir: path.join(workDir, 'tmp') });
  const manifest: RunManifest = {
    runId,
    pipelineName: pipeline.name,
    pipelineHash: pipelineHash(pipeline),
    params,
    engineVersion: ENGINE_VERSION,
    startedAt,
    finishedAt: startedAt,
    outcome: 'succeeded',
    nodes: [],
    quarantine: {},
    errors: [],
  };
  // The record exists from the start, so a run that dies leaves a trace (`running`) rather than nothing.
  const manifestFile = path.join(runDir, 'manifest.json');
  writeManifest(manifestFile, { ...manifest, outcome: 'running' });
  o.onEvent?.({ type: 'run-start', runId, runDir });
  // Cancelling interrupts the statement DuckDB is running, so a stop does not wait for a long node to finish.
  const interrupt = () => db.interrupt();
  o.signal?.addEventListener('abort', interrupt, { once: true });
  try {
    const result = await executePipeline({
      pipeline,
      kindOf,
      db,
      baseDir: o.baseDir,
      roots,
      workDir,
      ...(o.outDir ? { outDir: o.outDir } : {}),
      tableName: (id, port) => `n_${id}__${port}`,
      ...(o.allowHosts ? { allowHosts: o.allowHosts } : {}),
      dropConsumed: true,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    });
    manifest.nodes = result.metrics;
    manifest.errors = result.errors;
    manifest.outcome = o.signal?.aborted ? 'cancelled' : result.gateFailed ? 'gate_failed' : result.errors.length > 0 ? 'failed' : 'succeeded';
    for (const m of result.metrics) {
      if (m.quarantined === 0 || m.status === 'skipped') continue;
      const file = path.join(runDir, 'quarantine', `${m.nodeId}.parquet`);
      await db.run(`COPY (SELECT * FROM ${qi(`n_${m.nodeId}____q`)}) TO ${qlit(file)} (FORMAT parquet)`);
      manifest.quarantine[m.nodeId] = path.relative(runDir, file);
    }
  } catch (e) {
    manifest.outcome = o.signal?.aborted ? 'cancelled' : 'failed';
    manifest.errors.push(e instanceof Error ? e.message : String(e));
  } finally {
    o.signal?.removeEventListener('abort', interrupt);
    db.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  manifest.finishedAt = new Date().toISOString();
  writeManifest(manifestFile, manifest);
  return manifest;
}

/** Replace the record atomically: a reader never sees half a manifest. */
export function writeManifest(file: string, m: RunManifest): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(m, null, 2)}\n`);
  fs.renameSync(tmp, file);
}
