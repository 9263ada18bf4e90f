// One pipeline run, start to finish: check, lock down, execute, keep quarantines, write the manifest.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { runManifestSchema, type NodeMetrics, type RunManifest, type RunSpec } from '@sluice/format/api/contract';
import { applyParams, checkPipeline } from '@sluice/format/pipeline/load';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import type { Problem } from '@sluice/format/pipeline/problems';
import { serializePipeline } from '@sluice/format/pipeline/save';
import { kindLookup, kindOf, nodeKinds } from '../nodes/registry.js';
import type { NodeKind } from '../nodes/types.js';
import { ENGINE_VERSION } from '../version.js';
import { Database, type DatabaseOptions } from '../db/database.js';
import { traceStep } from '../db/trace.js';
import type { ExecuteResult, RunEvent } from './execution/execute-options.js';
import { redactDeep } from './secrets.js';
import { UserError } from './exec-context.js';
import { InvalidPipeline, faultDetail, isUserFacing } from '@sluice/format/api/errors';
import { Journal, journalState, readJournal, type JournalState } from './durability/journal.js';
import { settlePending } from './durability/commit.js';
import { verifiedNodes } from './durability/resume.js';
import { planResume } from './planning/resume-plan.js';
import type { DurableOutputs } from './durability/durable.js';
import { recordReplay, type ReplayRequest } from './durability/replay.js';
import { planReplay } from './planning/replay-plan.js';
import { judgesHistory, planFresh, runMode, type ExecutionPlan, type RunMode } from './planning/plan.js';
import { executePlan, type PlanEnv } from './execute-plan.js';
import { getRun } from './durability/history.js';
import { nodeFingerprints } from './execution/fingerprint.js';
import { topologicalOrder, upstreamClosure } from '@sluice/format/pipeline/graph';
import { LIMIT_HOW, LimitError, resolveLimits, type ResourceLimits } from './execution/limits.js';
import { checkpointPolicy, checkpointWorth, type CheckpointPolicy } from './durability/checkpoint-policy.js';
import { RunOps } from '../ops/run-ops.js';
import { MAX_PROFILED_COLUMNS } from '../ops/profile.js';
import { acceptedSchemas } from '../analysis/accepted.js';
import { acceptedColumns } from '../nodes/source-csv.js';
import { edgeDrift } from '@sluice/format/schema/drift';
import { PipelineState, stateStoreDir } from './durability/pipeline-state.js';
import { processAlive } from '../fsutil/process.js';
import { recentOutcomes, writeManifest } from './durability/run-records.js';

export { writeManifest };

export { InvalidPipeline };

/**
 * A run as the contract's RunSpec describes it, plus what stays in this process (its stop signal and its event
 * listener). `checkpoint` also takes `true`/`false` for 'all'/'off' (see runtime/durability/checkpoint-policy.ts).
 */
export type RunOptions = Omit<RunSpec, 'checkpoint'> & {
  checkpoint?: CheckpointPolicy | boolean | undefined;
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
  /**
   * false: skip the static checks (runtime/static-checks.ts) and rely on the checks each node makes again as it
   * runs: for a caller that has just run them, and for tests of those node-level checks. Default true.
   */
  staticChecks?: boolean;
};

/** Check the document, apply parameters, and check again with every node's config. */
export function preparePipeline(raw: unknown, params: Record<string, string>): Pipeline {
  const r = checkStructure(raw, params);
  if (!r.pipeline) throw new InvalidPipeline(r.problems);
  return r.pipeline;
}

/**
 * Every structural problem in one pass: a shape problem does not hide unknown kinds, and a parameter problem
 * does not hide config problems (see runtime/static-checks.ts for the checks that need more than the document).
 */
export function checkStructure(raw: unknown, params: Record<string, string>): { pipeline?: Pipeline; partial?: Pipeline; problems: Problem[] } {
  const shape = checkPipeline(raw, undefined);
  const doc = shape.pipeline ?? shape.document;
  if (!doc) return { problems: checkPipeline(raw, kindLookup).problems };
  const applied = applyParams(doc, params);
  const full = checkPipeline(applied.pipeline, kindLookup);
  const seen = new Set<string>();
  const problems = [...shape.problems, ...applied.problems, ...full.problems].filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  // `partial`: the document with parameters applied, for checks that can still look at its sound nodes.
  return problems.length > 0 || !full.pipeline ? { problems, partial: applied.pipeline } : { pipeline: full.pipeline, problems };
}

/** "Run up to here": the node and what feeds it; the nodes after it (or beside it) are left out of the run. */
function upTo(p: Pipeline, nodeId: string): Pipeline {
  if (!p.nodes.some((n) => n.id === nodeId)) throw new UserError(`cannot run up to "${nodeId}": the pipeline has no node with that id`);
  const keep = new Set(upstreamClosure(p, nodeId));
  return { ...p, nodes: p.nodes.filter((n) => keep.has(n.id)), edges: p.edges.filter((e) => keep.has(e.from.node) && keep.has(e.to.node)) };
}

export function pipelineHash(p: Pipeline): string {
  // Notes and groups are for readers: editing one does not make the pipeline another (or stop a resume).
  const { annotations: _annotations, ...rest } = p;
  return crypto.createHash('sha256').update(serializePipeline(rest)).digest('hex').slice(0, 16);
}

/**
 * The run's id: its start to the millisecond (20261207T135104123), then a random part. Ids sort in start order,
 * which is how "latest" is found (`--resume latest`); with whole seconds, two runs started in the same second
 * sorted by their random part, and a resume of "latest" could pick the earlier, finished run and do nothing.
 */
function newRunId(): string {
  const t = new Date().toISOString().replace(/[-:.]/g, '').replace(/Z$/, '');
  return `${t}-${crypto.randomBytes(3).toString('hex')}`;
}

/** Every static check (runtime/static-checks.ts) with this run's folders; throws with every problem found. */
export async function checkBeforeRun(raw: unknown, o: Pick<RunOptions, 'params' | 'baseDir' | 'outDir' | 'allow'>): Promise<Pipeline> {
  const { validateStatic } = await import('./static-checks.js');
  const roots = [o.baseDir, ...(o.outDir ? [o.outDir] : []), ...(o.allow ?? [])];
  const r = await validateStatic(raw, { params: o.params ?? {}, baseDir: o.baseDir, ...(o.outDir ? { outDir: o.outDir } : {}), roots });
  if (!r.pipeline) throw new InvalidPipeline(r.problems);
  return r.pipeline;
}

export async function runPipeline(o: RunOptions): Promise<RunManifest> {
  // The run's id and database are settled before its checks: DuckDB opens the database on a thread of its own
  // while the checks run (the ~20 ms it takes used to follow them); a run that stops before using it closes it.
  const runId = o.resume ?? newRunId();
  const ahead = DatabaseAhead.start(o, runId);
  try {
    return await runChecked(o, runId, ahead);
  } finally {
    ahead?.dispose();
  }
}

async function runChecked(o: RunOptions, runId: string, ahead: DatabaseAhead | undefined): Promise<RunManifest> {
  // Events leave the process (--json, the designer): redact secrets a node read before they do.
  if (o.onEvent) {
    const emit = o.onEvent;
    o = { ...o, onEvent: (e) => emit(redactDeep(e)) };
  }
  traceStep('run: checks');
  const params = o.params ?? {};
  // Nothing executes (and no run record is made) for a pipeline that `sluice validate` would refuse.
  const checked = o.staticChecks === false ? preparePipeline(o.pipeline, params) : await checkBeforeRun(o.pipeline, o);
  traceStep('run: checked');
  const pipeline = o.upTo === undefined ? checked : upTo(checked, o.upTo);
  let limits: ResourceLimits;
  try {
    limits = ahead?.limits ?? resolveLimits(o.limits, o.historyDir);
  } catch (e) {
    throw e instanceof LimitError ? new UserError(e.message) : e;
  }
  const mode = runMode(o);
  const hash = pipelineHash(pipeline);
  if (o.resume !== undefined && !/^[A-Za-z0-9-]+$/.test(o.resume)) throw new UserError(`"${o.resume}" is not a run id`);
  const runDir = path.join(o.historyDir, runId);
  const manifestFile = path.join(runDir, 'manifest.json');
  const startedAt = new Date().toISOString();
  // Incremental state moves with the run's outputs: pinned here, committed after the sinks (pipeline-state.ts).
  const statefulIds = pipeline.nodes.filter((n) => kindOf(n.kind)?.stateful).map((n) => n.id);
  const state = statefulIds.length > 0 ? new PipelineState(stateStoreDir(o.historyDir, pipeline.name)) : undefined;
  let manifest: RunManifest;
  if (o.resume !== undefined) {
    manifest = { ...resumableRecord(runDir, o.resume, pipeline.name), pipelineHash: hash, params };
    // Every attempt is listed from the moment it starts, so attempts that were killed are listed too.
    if (manifest.outcome !== 'succeeded') manifest.resumes = [...(manifest.resumes ?? []), { at: startedAt, restored: [] }];
    // A finished run has nothing left to do; resuming it again must not publish anything twice.
    if (manifest.outcome === 'succeeded') return manifest;
    state?.begin(runId, o.historyDir, { resume: true, fullRefresh: false });
  } else {
    state?.begin(runId, o.historyDir, { resume: false, fullRefresh: o.fullRefresh === true });
    fs.mkdirSync(runDir, { recursive: true });
    manifest = {
      runId, pipelineName: pipeline.name, pipelineHash: hash, params, engineVersion: ENGINE_VERSION,
      startedAt, finishedAt: startedAt, outcome: 'succeeded', nodes: [], quarantine: {}, errors: [],
      ...(o.upTo !== undefined ? { upTo: o.upTo } : {}),
    };
  }
  const releaseLock = takeRunLock(runDir, runId);
  traceStep('run: folder and lock');
  // History, profiles, quality score, anomaly gates and lineage (engine/src/ops).
  const ops = await RunOps.start({ pipeline, historyDir: o.historyDir, runId, startedAt, judge: judgesHistory(mode), kindOf, allowHosts: o.allowHosts ?? [], baseDir: o.baseDir, outDir: o.outDir, roots: [o.baseDir, ...(o.outDir ? [o.outDir] : []), ...(o.allow ?? [])] });
  traceStep('run: ops started');
  const workDir = path.join(runDir, 'work');
  // What a crashed attempt left in its scratch space is never trusted; durable progress lives elsewhere.
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(workDir, 'tmp'), { recursive: true });
  for (const d of ['quarantine', 'checkpoint', 'state']) fs.mkdirSync(path.join(runDir, d), { recursive: true });
  const roots = [o.baseDir, ...(o.outDir ? [o.outDir] : []), ...(o.allow ?? [])];
  if (o.outDir) fs.mkdirSync(o.outDir, { recursive: true });
  const journalFile = path.join(runDir, 'journal.ndjson');
  const dbOptions = runDatabaseOptions(o, runId, limits);
  const spillDir = dbOptions.tempDir;
  let db: Database | undefined;
  let journal: Journal | undefined;
  const interrupt = () => db?.interrupt();
  o.signal?.addEventListener('abort', interrupt, { once: true });
  try {
    const prior = journalState(readJournal(journalFile));
    journal = Journal.open(journalFile);
    journal.append({ t: 'start', at: startedAt, pipelineHash: hash, params, resume: mode === 'resume' });
    // The record exists from the start, so a run that dies leaves a trace (`running`) rather than nothing.
    writeManifest(manifestFile, { ...manifest, outcome: 'running', errors: [] });
    o.onEvent?.({ type: 'run-start', runId, runDir });
    // A replay keeps its request, so that resuming it rebuilds exactly the same plan.
    if (o.replay) fs.writeFileSync(path.join(runDir, 'replay-request.json'), JSON.stringify(o.replay));
    traceStep('run: journal and manifest started');
    const { plan, fingerprints } = await planRun(mode, pipeline, { ...o, runDir, roots, journal, prior });
    try {
      fs.mkdirSync(spillDir, { recursive: true });
    } catch (e) {
      throw new UserError(`cannot spill into "${limits.tempDir ?? spillDir}" (${(e as NodeJS.ErrnoException).code ?? String(e)}); choose another folder with ${LIMIT_HOW.tempDir}`);
    }
    traceStep('run: planned');
    db = (await ahead?.take(dbOptions)) ?? (await Database.open(dbOptions));
    const tableName = (id: string, port: string) => `n_${id}__${port}`;
    const pass: PlanEnv['pass'] = {
      ...(o.allowHosts ? { allowHosts: o.allowHosts } : {}),
      ...(o.allowEnv ? { allowEnv: o.allowEnv } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    };
    const policy = checkpointPolicy(o.checkpoint);
    traceStep('run: database open');
    const { result, durable, replay } = await executePlan(plan, {
      runId, runDir, workDir, historyDir: o.historyDir, baseDir: o.baseDir, outDir: o.outDir, roots, db, journal, ops, kindOf, fingerprints, limits, tableName, pass,
      checkpoint: policy,
      ...(policy === 'auto' ? { checkpointWorth: checkpointWorth(recentOutcomes(o.historyDir, pipeline.name, runId)) } : {}),
      committedState: state ? (id: string) => state.committedDir(id) : undefined,
    });
    traceStep('run: nodes done');
    if (plan.replay && replay) manifest.replayOf = { runId: plan.replay.originalRunId, nodeId: plan.replay.nodeId, rows: replay.replayed.length };
    manifest.nodes = result.metrics;
    manifest.errors = result.errors;
    if (result.faults.length > 0) manifest.faults = [...(manifest.faults ?? []), ...result.faults];
    manifest.quarantine = quarantineFiles(runDir, result.metrics, prior, durable);
    manifest.outcome = outcomeOf(o.signal?.aborted === true, result, kindOf);
    if (state && manifest.outcome === 'succeeded') {
      try {
        state.commit(runId, path.join(runDir, 'state'), statefulIds);
      } catch (e) {
        // The sinks have committed; a resume commits the state without writing them again.
        manifest.outcome = 'partial';
        manifest.errors.push(`the outputs were written but the incremental state could not be saved (${e instanceof Error ? e.message : String(e)}); resume this run to save it`);
      }
    }
    const attempt = manifest.resumes?.find((r) => r.at === startedAt);
    if (mode === 'resume' && attempt) attempt.restored = [...plan.steps].filter(([, s]) => s.do === 'restore').map(([id]) => id);
    if (plan.replay && replay) {
      const first = manifest.nodes.find((n) => n.nodeId === plan.replay?.nodeId);
      first?.warnings.push(...plan.replay.warnings, ...replay.warnings);
      manifest.finishedAt = new Date().toISOString();
      await recordReplay(db, o.historyDir, manifest, plan.replay.request, replay.replayed, tableName(plan.replay.nodeId, '__q'));
    }
  } catch (e) {
    manifest.outcome = o.signal?.aborted ? 'cancelled' : 'failed';
    manifest.errors = [...(mode === 'resume' ? [] : manifest.errors), isUserFacing(e) ? e.message : `the run failed inside the engine: ${e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e)}`];
    if (!isUserFacing(e)) manifest.faults = [...(manifest.faults ?? []), { detail: faultDetail(e) }];
  } finally {
    o.signal?.removeEventListener('abort', interrupt);
    db?.close();
    journal?.close();
    fs.rmSync(workDir, { recursive: true, force: true });
    try {
      if (limits.tempDir) fs.rmSync(spillDir, { recursive: true, force: true });
    } catch {
      // A folder that could not be made has nothing to remove (the run's error says why).
    }
  }
  // Checkpoints and node state exist for a resume; a run that succeeded needs neither.
  if (manifest.outcome === 'succeeded') {
    for (const d of ['checkpoint', 'state']) fs.rmSync(path.join(runDir, d), { recursive: true, force: true });
  }
  traceStep('run: database closed');
  ops.finish(manifest);
  // What each output held, profiled (a table) or only described (a view): drift is about names and types.
  const produced = ops.producedColumns();
  // Schema drift per edge (not for a replay or a resume, which run a part): only a CSV source with declared
  // columns has an accepted schema its file can drift from, so the static pass over the accepted schema
  // (analysis/accepted.ts) is made only when such a source read other columns than it declares.
  const accepted = o.replay === undefined && o.resume === undefined && sourcesDrifted(pipeline, produced) ? await acceptedSchemas(pipeline, { baseDir: o.baseDir, roots: [o.baseDir, ...(o.outDir ? [o.outDir] : []), ...(o.allow ?? [])] }).catch(() => undefined) : undefined;
  if (accepted) {
    // Profiles and descriptions stop at MAX_PROFILED_COLUMNS: a port at the cap is not known in full, so it is not compared.
    const actual = (node: string, port: string) => {
      const list = produced[node]?.filter((c) => c.port === port);
      return list && list.length > 0 && list.length < MAX_PROFILED_COLUMNS ? list : undefined;
    };
    const drift = edgeDrift(pipeline.edges, (node, port) => accepted.get(node)?.[port], actual);
    if (drift.length > 0) manifest.schemaDrift = drift;
  }
  manifest.finishedAt = new Date().toISOString();
  writeManifest(manifestFile, manifest);
  releaseLock();
  traceStep('run: manifest written');
  await ops.record(redactDeep(manifest));
  traceStep('run: recorded in the run store');
  return redactDeep(manifest);
}

/** The run's database: the folders it may use (the run's own included) and where it spills. */
function runDatabaseOptions(o: RunOptions, runId: string, limits: ResourceLimits): DatabaseOptions {
  const runDir = path.join(o.historyDir, runId);
  const roots = [o.baseDir, ...(o.outDir ? [o.outDir] : []), ...(o.allow ?? [])];
  // A spill folder the caller chose gets a folder of this run's own inside it, removed with the work folder.
  const tempDir = limits.tempDir ? path.join(path.resolve(o.baseDir, limits.tempDir), `sluice-spill-${runId}`) : path.join(runDir, 'work', 'tmp');
  return { allowedDirs: [...roots, runDir], tempDir, memoryLimit: limits.memoryLimit, tempLimit: limits.tempLimit };
}

/**
 * The run's database, opened before its checks so that DuckDB's start overlaps them. Its folders need not exist
 * yet (DuckDB makes its spill folder when it first spills; the run makes it before any node runs). Not started
 * when the run will refuse its limits or its run id (it then fails as it always did); `take` hands it over only
 * for exactly the options the run would open it with, and whatever is not taken is closed.
 */
class DatabaseAhead {
  private taken = false;

  private constructor(
    readonly limits: ResourceLimits,
    private readonly options: DatabaseOptions,
    private readonly opening: Promise<Database | Error>,
  ) {}

  static start(o: RunOptions, runId: string): DatabaseAhead | undefined {
    if (o.resume !== undefined && !/^[A-Za-z0-9-]+$/.test(o.resume)) return undefined;
    let limits: ResourceLimits;
    try {
      limits = resolveLimits(o.limits, o.historyDir);
    } catch {
      return undefined;
    }
    const options = runDatabaseOptions(o, runId, limits);
    return new DatabaseAhead(limits, options, Database.open(options).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
  }

  /** The database, if it was opened with these options (a failure to open is thrown, as Database.open's would be). */
  async take(options: DatabaseOptions): Promise<Database | undefined> {
    if (this.taken || JSON.stringify(options) !== JSON.stringify(this.options)) return undefined;
    this.taken = true;
    const db = await this.opening;
    if (db instanceof Error) throw db;
    return db;
  }

  dispose(): void {
    if (this.taken) return;
    this.taken = true;
    void this.opening.then((db) => {
      if (db instanceof Database) db.close();
    });
  }
}

/**
 * Gather what the planners need from the disk (the original run of a replay, the journal, settled commits,
 * verified checkpoints), then plan: a fresh run or a replay as asked, a resume over the plan of the run it resumes.
 */
async function planRun(
  mode: RunMode,
  pipeline: Pipeline,
  o: Pick<RunOptions, 'replay' | 'historyDir' | 'baseDir'> & { runDir: string; roots: string[]; journal: Journal; prior: JournalState },
): Promise<{ plan: ExecutionPlan; fingerprints: Map<string, string> }> {
  const replayReq = o.replay ?? (mode === 'resume' ? readReplayRequest(o.runDir) : undefined);
  const judging = nodeKinds().filter((k) => k.traits.replay === 'judges').map((k) => k.kind);
  const base = replayReq ? planReplay(pipeline, replayReq, getRun(o.historyDir, replayReq.runId), kindOf, judging) : planFresh(pipeline, kindOf);
  const fingerprints = nodeFingerprints(base.pipeline, topologicalOrder(base.pipeline).order, o.baseDir, o.roots, {}, { pinnedStateful: true });
  if (mode !== 'resume') return { plan: base, fingerprints };
  const committed = await settlePending(o.journal, o.prior);
  const verified = await verifiedNodes(o.prior, fingerprints);
  return { plan: planResume(base, { journal: o.prior, committed, fingerprints, verified }, kindOf), fingerprints };
}

function readReplayRequest(runDir: string): ReplayRequest | undefined {
  const file = path.join(runDir, 'replay-request.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as ReplayRequest) : undefined;
}

/** Sinks that published mean the run did something lasting; a failure elsewhere then leaves it `partial`. */
function outcomeOf(cancelled: boolean, r: ExecuteResult, kinds: (k: string) => NodeKind | undefined): RunManifest['outcome'] {
  if (cancelled) return 'cancelled';
  if (r.gateFailed) return 'gate_failed';
  if (r.errors.length === 0) return 'succeeded';
  const published = r.metrics.some((m) => kinds(m.kind)?.category === 'sink' && (m.status === 'ok' || m.status === 'warning'));
  return published ? 'partial' : 'failed';
}

function quarantineFiles(runDir: string, metrics: NodeMetrics[], prior: JournalState, durable: DurableOutputs): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of metrics) {
    const file = durable.quarantineFile(m.nodeId) ?? (m.resumed ? prior.nodes.get(m.nodeId)?.quarantine?.file : undefined);
    if (file && m.quarantined > 0) Object.defineProperty(out, m.nodeId, { value: path.relative(runDir, file), enumerable: true });
  }
  return out;
}

/**
 * The record of the run being resumed. The pipeline may have been edited since (that is how a failed node gets
 * fixed): node fingerprints decide what is still valid, so only the pipeline's name must match.
 */
function resumableRecord(runDir: string, runId: string, name: string): RunManifest {
  const file = path.join(runDir, 'manifest.json');
  if (!fs.existsSync(file)) throw new UserError(`there is no run "${runId}" to resume in ${path.dirname(runDir)}`);
  const m = runManifestSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (m.pipelineName !== name) throw new UserError(`run ${runId} is a run of "${m.pipelineName}", not of "${name}"; resume it with its own pipeline file`);
  return m;
}

/** Fail early (before a worker starts) when `resume` names a run this pipeline cannot resume. */
export function checkResumable(historyDir: string, runId: string, p: Pipeline): void {
  if (!/^[A-Za-z0-9-]+$/.test(runId)) throw new UserError(`"${runId}" is not a run id`);
  resumableRecord(path.join(historyDir, runId), runId, p.name);
}

/** One process at a time per run: a second `--resume` of a run that is still going would corrupt it. */
function takeRunLock(runDir: string, runId: string): () => void {
  const lock = path.join(runDir, 'run.lock');
  try {
    fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
  } catch {
    const pid = Number.parseInt(fs.readFileSync(lock, 'utf8'), 10);
    if (Number.isInteger(pid) && pid !== process.pid && processAlive(pid)) throw new UserError(`run ${runId} is still running (process ${pid}); wait for it or stop it first`);
    fs.writeFileSync(lock, String(process.pid));
  }
  return () => fs.rmSync(lock, { force: true });
}

/** A CSV source with a whole accepted schema (acceptedColumns) read a different set of columns in this run. */
function sourcesDrifted(p: Pipeline, columns: Record<string, { port: string; name: string }[]>): boolean {
  return p.nodes.some((n) => {
    const types = n.config['types'];
    if (n.kind !== 'source.csv' || types === null || typeof types !== 'object') return false;
    const declared = acceptedColumns(types as Record<string, string>);
    const read = columns[n.id]?.filter((c) => c.port === 'out').map((c) => c.name);
    if (!declared || !read) return false;
    return read.length !== declared.length || read.some((x) => !declared.includes(x));
  });
}
