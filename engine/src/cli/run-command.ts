// `sluice run`. By default the run happens in a supervised worker process (runtime/supervision/supervise.ts), so that a crash
// of DuckDB is a failed run with a record, never a dead CLI. This module is the supervisor's side and loads none of
// the engine: the worker loads it (and checks the pipeline) while this process reads the flags, so a supervised run
// starts about as fast as an unsupervised one. The in-process run (SLUICE_NO_SUPERVISOR=1, or this CLI as a run's
// own engine process) loads the engine on demand.
import * as path from 'node:path';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Command } from 'commander';
import { runSpecSchema, type RunSpec } from '@sluice/format/api/contract';
import { UserError, fromErrorBody, invalidInput } from '@sluice/format/api/errors';
import { topologicalOrder } from '@sluice/format/pipeline/graph';
import type { Pipeline } from '@sluice/format/pipeline/pipeline';
import type { RunEvent } from '../runtime/execution/execute-options.js';
import { CHECKPOINT_POLICIES } from '../runtime/durability/checkpoint-policy.js';
import { LIMIT_ENV } from '../runtime/execution/limits.js';
import { getRun, defaultHistoryDir } from '../runtime/durability/run-records.js';
import { CANCEL_GRACE_MS, PARENT_PIPE_ENV, STOP_SIGNALS, runSupervised, type NodeEvent } from '../runtime/supervision/supervise.js';
import { runsSupervised } from '../runtime/supervision/worker-process.js';
import { EXIT } from './exit-codes.js';
import { addPipelineRunFlags, collect } from './flags.js';
import { ioProgressLine, runSummary } from './format.js';
import { collectHost, errWrite, limitsFromFlags, names, readPipeline, readRows } from './inputs.js';
import type { RunProgress } from './progress.js';
import { exitCodeOf } from './report.js';
import { addRunOptionFlags, runOptionsFromFlags } from './run-flags.js';

export interface RunCommandHost {
  out: (s: string) => void;
  setCode: (c: number) => void;
  /** A worker started ahead (bin/sluice.js starts one before reading the flags), or undefined for one started now. */
  takeWorker?: () => ChildProcessWithoutNullStreams | undefined;
}

interface RunFlags {
  param: Record<string, string>;
  out?: string;
  history?: string;
  allow: string[];
  allowHost: string[];
  allowEnv: string[];
  baseDir?: string;
  json?: boolean;
  resume?: string;
  checkpoint?: string | false;
  replay?: string;
  node?: string;
  rows?: string;
  memoryLimit?: string;
  tempLimit?: string;
  tempDir?: string;
  nodeTimeout?: string;
}

function eventJson(e: RunEvent | NodeEvent): string {
  const { type, ...rest } = e;
  return JSON.stringify({ event: type, ...rest });
}

/** Progress on stderr: node ends on a terminal; retries and breaker changes always, since they explain a slow run. */
function progressLine(e: RunEvent | NodeEvent): void {
  if (e.type === 'node-end' && process.stderr.isTTY) errWrite(`  ${e.metrics.status.padEnd(7)} ${names.title(e.metrics.nodeId)}${e.metrics.resumed ? ' (from the earlier attempt)' : ''}\n`);
  const line = e.type === 'node-io' ? ioProgressLine(e.nodeId, e.note, names.title) : undefined;
  if (line) errWrite(`${line}\n`);
}

/** The order nodes run in, from the document as written (the worker has checked it by the time a node starts). */
function nodeOrder(raw: unknown): string[] {
  try {
    return topologicalOrder(raw as Pick<Pipeline, 'nodes' | 'edges'>).order;
  } catch {
    return [];
  }
}

/** The flags as the contract's one RunSpec; checked by its schema, as the worker checks it again. */
function specFromFlags(file: string, o: RunFlags): RunSpec {
  const limits = limitsFromFlags(o);
  const raw = readPipeline(file);
  const baseDir = path.resolve(o.baseDir ?? path.dirname(path.resolve(file)));
  const historyDir = path.resolve(o.history ?? defaultHistoryDir(baseDir));
  const resume = o.resume === 'latest' ? getRun(historyDir, undefined).runId : o.resume;
  if (o.replay && o.resume) throw new UserError('--replay starts a new run; it cannot be combined with --resume');
  if (o.replay && !o.node) throw new UserError('--replay needs --node: the node whose quarantined rows to replay');
  const checkpoint = o.checkpoint === false ? 'off' : o.checkpoint === undefined ? undefined : CHECKPOINT_POLICIES.find((p) => p === o.checkpoint);
  if (o.checkpoint !== undefined && checkpoint === undefined) throw new UserError(`--checkpoint must be one of ${CHECKPOINT_POLICIES.join(', ')}, not "${String(o.checkpoint)}"`);
  const replay = o.replay ? { runId: o.replay === 'latest' ? getRun(historyDir, undefined).runId : o.replay, nodeId: o.node as string, ...(o.rows ? { rows: readRows(o.rows) } : {}) } : undefined;
  const parsed = runSpecSchema.safeParse({
    pipeline: raw,
    params: o.param,
    baseDir,
    historyDir,
    ...(o.out ? { outDir: path.resolve(o.out) } : {}),
    allow: o.allow.map((a) => path.resolve(a)),
    ...(resume ? { resume } : {}),
    ...(replay ? { replay } : {}),
    ...(checkpoint ? { checkpoint } : {}),
    ...runOptionsFromFlags(o as unknown as Record<string, unknown>),
    allowHosts: o.allowHost,
    // In the spec, not only in this process's environment: a worker started ahead has its environment already.
    ...(o.allowEnv.length > 0 ? { allowEnv: o.allowEnv } : {}),
    ...(limits ? { limits } : {}),
  });
  if (!parsed.success) throw invalidInput('run', parsed.error);
  return parsed.data;
}

/** Supervised: the worker checks the pipeline and runs it; this process follows, forwards stops, reports. */
async function runInWorker(spec: RunSpec, o: RunFlags, host: RunCommandHost): Promise<void> {
  let progress: RunProgress | undefined;
  let progressReady: Promise<RunProgress> | undefined;
  // The live list is drawn from the first node on, so that a pipeline the worker refuses prints only its problems.
  const terminal = !o.json && process.stderr.isTTY;
  const onTerminal = (e: NodeEvent) => {
    progressReady ??= import('./progress.js').then((m) => (progress = m.terminalProgress(nodeOrder(spec.pipeline), names.title)));
    void progressReady.then((p) => {
      if (e.type === 'node-start') p.nodeStart(e.nodeId);
      else if (e.type === 'node-end') p.nodeEnd(e.metrics);
      else if (e.type === 'node-io') {
        const line = ioProgressLine(e.nodeId, e.note, names.title);
        if (line) p.note(e.nodeId, line);
      }
    });
  };
  // Ctrl-C, SIGTERM and SIGHUP stop the worker's whole process group: asked first, killed after a grace period;
  // a second signal kills at once. The run's record then says `cancelled` and it can be resumed.
  const stopRun = new AbortController();
  let signals = 0;
  const onStop = () => {
    signals++;
    if (signals === 1) stopRun.abort();
    else if (signals === 2) process.stderr.write('stopping the run now\n');
  };
  for (const sig of STOP_SIGNALS) process.on(sig, onStop);
  const worker = host.takeWorker?.();
  const res = await runSupervised({
    ...spec,
    signal: stopRun.signal,
    ...(worker ? { worker } : {}),
    onNode: (e) => {
      if (o.json) host.out(eventJson(e));
      else if (terminal) onTerminal(e);
      else progressLine(e);
    },
  }).finally(() => {
    for (const sig of STOP_SIGNALS) process.off(sig, onStop);
  });
  await progressReady;
  await progress?.finish();
  // A pipeline or request the worker refused before running: reported exactly as this process's own check would.
  if (res.refused) throw fromErrorBody({ error: res.refused });
  const historyDir = spec.historyDir;
  if (!res.manifest && res.crashedManifest?.outcome === 'cancelled') {
    const m = res.crashedManifest;
    if (o.json) host.out(JSON.stringify({ event: 'run-end', manifest: m }));
    else host.out(runSummary(m, path.join(historyDir, m.runId), names.title));
    host.setCode(exitCodeOf(m.outcome));
    return;
  }
  if (!res.manifest) {
    errWrite(`error: ${res.crash ?? 'the run did not finish'}\n`);
    host.setCode(EXIT.runFailed);
    return;
  }
  const manifest = res.manifest;
  if (o.json) host.out(JSON.stringify({ event: 'run-end', manifest }));
  else host.out(runSummary(manifest, path.join(historyDir, manifest.runId), names.title));
  host.setCode(exitCodeOf(manifest.outcome));
}

/** In this process: asked for with SLUICE_NO_SUPERVISOR=1, or this CLI is itself a run's engine process. */
async function runHere(spec: RunSpec, o: RunFlags, host: RunCommandHost): Promise<void> {
  const { runPipeline } = await import('../runtime/run.js');
  const controller = new AbortController();
  // Every stop signal (the terminal's, and the one the supervisor sends) asks for the same orderly stop.
  for (const sig of STOP_SIGNALS) process.on(sig, () => controller.abort());
  if (process.env[PARENT_PIPE_ENV]) {
    // The supervisor is gone (killed, or its terminal closed): stop the run as if cancelled, and do not outlive it
    // by more than the grace period even if a query ignores the interrupt.
    const orphaned = () => {
      controller.abort();
      setTimeout(() => process.exit(EXIT.runFailed), CANCEL_GRACE_MS * 2).unref();
    };
    process.stdin.on('end', orphaned);
    process.stdin.on('error', orphaned);
    process.stdin.resume();
    process.stdin.unref();
  }
  const manifest = await runPipeline({
    ...spec,
    signal: controller.signal,
    onEvent: (e) => {
      if (o.json) host.out(eventJson(e));
      else progressLine(e);
    },
  });
  if (o.json) host.out(JSON.stringify({ event: 'run-end', manifest }));
  else host.out(runSummary(manifest, path.join(spec.historyDir, manifest.runId), names.title));
  host.setCode(exitCodeOf(manifest.outcome));
}

export function addRunCommand(program: Command, host: RunCommandHost): Command {
  return addRunOptionFlags(addPipelineRunFlags(program.command('run <file>').description('run a pipeline file headlessly')))
    .option('--base-dir <dir>', 'folder that relative input paths resolve against (default: the pipeline\'s folder)')
    .option('--allow-host <host[:port]>', 'a network host REST sources may reach in this run (repeatable; none by default)', collectHost, [])
    .option('--allow-env <name>', 'an environment variable the pipeline may read secrets from, besides SLUICE_SECRET_* (repeatable)', collect, [])
    .option('--json', 'print progress events and the manifest as NDJSON')
    .option('--resume <run>', 'finish an earlier failed, partial or interrupted run of this pipeline (a run id, or "latest")')
    .option('--checkpoint <policy>', 'which node outputs to keep for --resume: "auto" (where they save more work than they cost; the default), "all" or "off"')
    .option('--no-checkpoint', 'the same as --checkpoint off: a resume then reruns finished nodes')
    .option('--replay <run>', 'replay the rows that run quarantined at --node, through that node and what follows it')
    .option('--node <id>', 'with --replay: the node whose quarantined rows are replayed')
    .option('--rows <file>', 'with --replay: edited rows (NDJSON or a JSON array), each with the "__lineage" of the row it replaces')
    .option('--memory-limit <size>', `memory of the whole run process, e.g. 2GB; DuckDB spills beyond ~70 % of it (default: ${LIMIT_ENV.memoryLimit}, else half the machine's memory)`)
    .option('--temp-limit <size>', `how much the run may spill to disk, e.g. 20GB (default: ${LIMIT_ENV.tempLimit}, else half the free space, at most 100GB)`)
    .option('--temp-dir <folder>', `where the run spills when it outgrows its memory limit (default: ${LIMIT_ENV.tempDir}, else the run's work folder in its history)`)
    .option('--node-timeout <seconds>', `wall-clock limit of each node, 0 for none (default: ${LIMIT_ENV.nodeTimeoutSeconds}, else 1800)`)
    .action(async (file: string, o: RunFlags) => {
      const spec = specFromFlags(file, o);
      if (runsSupervised()) await runInWorker(spec, o, host);
      else await runHere(spec, o, host);
    });
}
