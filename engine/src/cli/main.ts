// `sluice`: run, validate, preview, inspect, catalog, serve. User mistakes end in one clear message and an exit
// code; only internal faults print a stack, and only with SLUICE_DEBUG=1.
import { findRun } from './find-run.js';
import { allowEnv, redact } from '../runtime/secrets.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import { formatProblem } from '@sluice/format/pipeline/problems';
import { nodeName, nodeNamerOfRaw, nodeTitle } from '@sluice/format/pipeline/node-name';
import { migrateDocument, parsePipelineText } from '@sluice/format/pipeline/load';
import { serializePipeline } from '@sluice/format/pipeline/save';
import { catalog, kindLookup } from '../nodes/registry.js';
import { staticCheck } from '../analysis/check.js';
import { validateStatic } from '../runtime/static-checks.js';
import { InvalidPipeline, checkBeforeRun, checkResumable, runPipeline } from '../runtime/run.js';
import { ERROR_CODES, UserError, faultDetail, invalidInput, isUserFacing, toErrorBody, type ErrorWhere } from '@sluice/format/api/errors';
import { getRun, quarantinePage } from '../runtime/durability/history.js';
import { createEngineService, defaultHistoryDir } from '../service.js';
import { engineMethods, runSpecSchema, type RunSpec } from '@sluice/format/api/contract';
import { pipelineJsonSchema } from '@sluice/format/pipeline/json-schema';
import { ENGINE_VERSION } from '../version.js';
import { EXIT } from './exit-codes.js';
import { limitsInputSchema, type LimitsInput, type RunManifest } from '@sluice/format/api/contract';
import { LIMIT_ENV } from '../runtime/execution/limits.js';
import { CANCEL_GRACE_MS, PARENT_PIPE_ENV, STOP_SIGNALS, runSupervised, WORKER_ENV } from '../runtime/supervision/supervise.js';
import { ioProgressLine, metricsTable, replayLedger, runSummary, table } from './format.js';
import { terminalProgress } from './progress.js';
import { topologicalOrder } from '@sluice/format/pipeline/graph';
import { allowedHost } from '@sluice/format/api/hosts';
import type { RunEvent } from '../runtime/execution/execute.js';
import { CHECKPOINT_POLICIES } from '../runtime/durability/checkpoint-policy.js';
import { registerOpsCommands } from './ops-commands.js';
import { addRunOptionFlags, runOptionsFromFlags } from './run-flags.js';
import { addPipelineRunFlags, collect, collectParam } from './flags.js';
import { addScheduleCommand, addWatchCommand } from './watch-command.js';
import { addRunbookCommand } from './runbook.js';
import { addTraceCommand } from './trace.js';
import { addTestCommands } from './test-command.js';

/** The limit flags as a run request's limits; a malformed value is a usage error naming the flag. */
function limitsFromFlags(o: { memoryLimit?: string; tempLimit?: string; tempDir?: string; nodeTimeout?: string; previewTimeout?: string }): LimitsInput {
  const seconds = (flag: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UserError(`${flag} expects a number of seconds (0 for no limit), got "${v}"`);
    return n;
  };
  const given = {
    ...(o.memoryLimit !== undefined ? { memoryLimit: o.memoryLimit } : {}),
    ...(o.tempLimit !== undefined ? { tempLimit: o.tempLimit } : {}),
    ...(o.tempDir !== undefined ? { tempDir: path.resolve(o.tempDir) } : {}),
    ...(o.nodeTimeout !== undefined ? { nodeTimeoutSeconds: seconds('--node-timeout', o.nodeTimeout) } : {}),
    ...(o.previewTimeout !== undefined ? { previewTimeoutSeconds: seconds('--timeout', o.previewTimeout) } : {}),
  };
  if (Object.keys(given).length === 0) return undefined;
  const r = limitsInputSchema.safeParse(given);
  if (!r.success) {
    const key = String(r.error.issues[0]?.path[0] ?? '');
    const flag = key === 'memoryLimit' ? '--memory-limit' : key === 'tempLimit' ? '--temp-limit' : key === 'tempDir' ? '--temp-dir' : key === 'nodeTimeoutSeconds' ? '--node-timeout' : '--timeout';
    throw new UserError(`${flag}: ${r.error.issues[0]?.message ?? 'invalid value'}`);
  }
  return r.data;
}

function collectHost(value: string, prev: string[]): string[] {
  if (!allowedHost(value)) throw new UserError(`--allow-host expects HOST or HOST:PORT (e.g. api.example.com or 127.0.0.1:8080), got "${value}"`);
  return [...prev, value];
}

/**
 * How this command names nodes: label first (`Order rules [checks]`) once it has read the pipeline file, so that
 * a message names the box the user sees; by id before that. `title` is the form for a table cell or a line's head.
 */
const names = { name: (id: string) => nodeName({ id }), title: (id: string) => id };

function readPipeline(file: string): unknown {
  const full = path.resolve(file);
  if (!fs.existsSync(full)) throw new UserError(`no such file: ${file}`);
  const parsed = parsePipelineText(fs.readFileSync(full, 'utf8'));
  if (parsed.raw === undefined) throw new InvalidPipeline(parsed.problems);
  names.name = nodeNamerOfRaw(parsed.raw);
  names.title = nodeNamerOfRaw(parsed.raw, nodeTitle);
  return parsed.raw;
}

/** Edited rows for a replay: NDJSON or a JSON array of objects. */
function readRows(file: string): Record<string, unknown>[] {
  if (!fs.existsSync(file)) throw new UserError(`no such file: ${file}`);
  const text = fs.readFileSync(file, 'utf8').trim();
  const parse = (s: string, line: number): unknown => {
    try {
      return JSON.parse(s);
    } catch {
      throw new UserError(`${file}:${line}: not valid JSON`, { file, line });
    }
  };
  const values = text.startsWith('[') ? (parse(text, 1) as unknown[]) : text.split('\n').map((l, i) => (l.trim() === '' ? undefined : parse(l, i + 1))).filter((v) => v !== undefined);
  return values.map((v, i) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UserError(`${file}: row ${i + 1} is not an object`, { file });
    return v as Record<string, unknown>;
  });
}

function exitCodeOfError(code: string): number {
  if (code === ERROR_CODES.internal) return EXIT.runFailed;
  if (code === ERROR_CODES.gateFailed) return EXIT.gateFailed;
  return EXIT.invalid;
}

/** `node "x", field "y": ` before a message that names a place the message itself does not. */
function placed(where: ErrorWhere | undefined): string {
  if (!where) return '';
  const bits = [where.nodeId !== undefined ? names.name(where.nodeId) : '', where.field !== undefined ? `field "${where.field}"` : ''].filter(Boolean);
  return bits.length > 0 ? `${bits.join(', ')}: ` : '';
}

function exitCodeOf(outcome: RunManifest['outcome']): number {
  if (outcome === 'succeeded') return EXIT.ok;
  if (outcome === 'gate_failed') return EXIT.gateFailed;
  if (outcome === 'partial') return EXIT.partial;
  return EXIT.runFailed;
}

function eventJson(e: RunEvent): string {
  const { type, ...rest } = e;
  return JSON.stringify({ event: type, ...rest });
}

/** Progress on stderr: node ends on a terminal; retries and breaker changes always, since they explain a slow run. */
/** stderr, with every secret this process read replaced (an API may echo a credential in an error). */
function errWrite(s: string): boolean {
  return process.stderr.write(redact(s));
}

function progressLine(e: RunEvent): void {
  if (e.type === 'node-end' && process.stderr.isTTY) errWrite(`  ${e.metrics.status.padEnd(7)} ${names.title(e.metrics.nodeId)}${e.metrics.resumed ? ' (from the earlier attempt)' : ''}\n`);
  const line = e.type === 'node-io' ? ioProgressLine(e.nodeId, e.note, names.title) : undefined;
  if (line) errWrite(`${line}\n`);
}

export async function runCli(argv: string[]): Promise<number> {
  const out = (s: string): void => {
    // A supervised worker writes synchronously: if the engine crashes next, its last event must already be out.
    const line = redact(s);
    if (process.env[WORKER_ENV]) fs.writeSync(1, `${line}\n`);
    else process.stdout.write(`${line}\n`);
  };
  let code: number = EXIT.ok;
  const program = new Command()
    .name('sluice')
    .description('Design data pipelines visually and run them reliably. Exit codes: 0 success, 1 run failed, 2 invalid pipeline or usage, 3 quality gate failed, 4 partial (resume it).')
    .version(ENGINE_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => errWrite(s) });
  // `--allow-env NAME` (run, preview, serve): the user, not the pipeline file, widens which variables are read.
  program.hook('preAction', (_cmd, action) => {
    const names = (action.opts() as { allowEnv?: string[] }).allowEnv;
    if (names?.length) allowEnv(names);
  });

  addRunOptionFlags(addPipelineRunFlags(program.command('run <file>').description('run a pipeline file headlessly')))
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
    .option('--memory-limit <size>', `DuckDB memory for this run, e.g. 2GB (default: ${LIMIT_ENV.memoryLimit}, else half the machine's memory)`)
    .option('--temp-limit <size>', `how much the run may spill to disk, e.g. 20GB (default: ${LIMIT_ENV.tempLimit}, else half the free space, at most 100GB)`)
    .option('--temp-dir <folder>', `where the run spills when it outgrows its memory limit (default: ${LIMIT_ENV.tempDir}, else the run's work folder in its history)`)
    .option('--node-timeout <seconds>', `wall-clock limit of each node, 0 for none (default: ${LIMIT_ENV.nodeTimeoutSeconds}, else 1800)`)
    .action(async (file: string, o: { param: Record<string, string>; out?: string; history?: string; allow: string[]; allowHost: string[]; baseDir?: string; json?: boolean; resume?: string; checkpoint?: string | false; replay?: string; node?: string; rows?: string; memoryLimit?: string; tempLimit?: string; tempDir?: string; nodeTimeout?: string }) => {
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
      // The flags as the contract's one RunSpec; checked by its schema, as the worker checks it again.
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
        ...runOptionsFromFlags(o),
        allowHosts: o.allowHost,
        ...(limits ? { limits } : {}),
      });
      if (!parsed.success) throw invalidInput('run', parsed.error);
      const spec: RunSpec = parsed.data;
      // In-process when asked (SLUICE_NO_SUPERVISOR), or when this CLI is itself a run's engine process.
      if (!process.env[WORKER_ENV] && !process.env['SLUICE_NO_SUPERVISOR']) {
        // Check here so that an invalid file fails fast with exit code 2, then run in a supervised child.
        const checked = await checkBeforeRun(raw, { params: o.param, baseDir, ...(o.out ? { outDir: path.resolve(o.out) } : {}), allow: o.allow.map((a) => path.resolve(a)) });
        if (resume) checkResumable(historyDir, resume, checked);
        const progress = !o.json && process.stderr.isTTY ? terminalProgress(topologicalOrder(checked).order, names.title) : undefined;
        // Ctrl-C, SIGTERM and SIGHUP stop the worker's whole process group: asked first, killed after a grace
        // period; a second signal kills at once. The run's record then says `cancelled` and it can be resumed.
        const stopRun = new AbortController();
        let signals = 0;
        const onStop = () => {
          signals++;
          if (signals === 1) stopRun.abort();
          else if (signals === 2) process.stderr.write('stopping the run now\n');
        };
        for (const sig of STOP_SIGNALS) process.on(sig, onStop);
        const res = await runSupervised({ ...spec, signal: stopRun.signal, onNode: (e) => {
          if (o.json) out(eventJson(e));
          else if (!progress) progressLine(e);
          else if (e.type === 'node-start') progress.nodeStart(e.nodeId);
          else if (e.type === 'node-end') progress.nodeEnd(e.metrics);
          else if (e.type === 'node-io') {
            const line = ioProgressLine(e.nodeId, e.note, names.title);
            if (line) progress.note(e.nodeId, line);
          }
        } }).finally(() => {
          for (const sig of STOP_SIGNALS) process.off(sig, onStop);
        });
        await progress?.finish();
        if (!res.manifest && res.crashedManifest?.outcome === 'cancelled') {
          const m = res.crashedManifest;
          if (o.json) out(JSON.stringify({ event: 'run-end', manifest: m }));
          else out(runSummary(m, path.join(historyDir, m.runId), names.title));
          code = exitCodeOf(m.outcome);
          return;
        }
        if (!res.manifest) {
          errWrite(`error: ${res.crash ?? 'the run did not finish'}\n`);
          code = EXIT.runFailed;
          return;
        }
        const manifest = res.manifest;
        if (o.json) out(JSON.stringify({ event: 'run-end', manifest }));
        else out(runSummary(manifest, path.join(historyDir, manifest.runId), names.title));
        code = exitCodeOf(manifest.outcome);
        return;
      }
      const controller = new AbortController();
      // Every stop signal (the terminal's, and the one the supervisor sends) asks for the same orderly stop.
      for (const sig of STOP_SIGNALS) process.on(sig, () => controller.abort());
      if (process.env[PARENT_PIPE_ENV]) {
        // The supervisor is gone (killed, or its terminal closed): stop the run as if cancelled, and do not
        // outlive it by more than the grace period even if a query ignores the interrupt.
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
          if (o.json) out(eventJson(e));
          else progressLine(e);
        },
      });
      if (o.json) out(JSON.stringify({ event: 'run-end', manifest }));
      else out(runSummary(manifest, path.join(historyDir, manifest.runId), names.title));
      code = exitCodeOf(manifest.outcome);
    });

  program
    .command('validate <file>')
    .description('check a pipeline file and list every problem with its location')
    .option('-p, --param <name=value>', 'set a pipeline parameter (repeatable)', collectParam, {})
    .option('--json', 'print the problems and every port\'s columns as JSON')
    .option('-o, --out <dir>', 'folder that relative output paths resolve against, as for run')
    .option('--allow <dir>', 'another folder the pipeline may read or write, as for run (repeatable)', collect, [])
    .option('--base-dir <dir>', 'folder that relative input paths resolve against (default: the pipeline\'s folder)')
    .action(async (file: string, o: { param: Record<string, string>; json?: boolean; out?: string; allow: string[]; baseDir?: string }) => {
      const raw = readPipeline(file);
      const baseDir = path.resolve(o.baseDir ?? path.dirname(path.resolve(file)));
      // First every check a run makes before any node executes (structure, ids, paths, SQL, patterns), all at once;
      // then, for a well-formed file, the columns every port will carry and what does not fit them.
      const outDir = o.out ? path.resolve(o.out) : undefined;
      const roots = [baseDir, ...(outDir ? [outDir] : []), ...o.allow.map((a) => path.resolve(a))];
      const first = await validateStatic(raw, { params: o.param, baseDir, ...(outDir ? { outDir } : {}), roots });
      const r = first.problems.length > 0 ? { problems: first.problems, ports: {} } : await staticCheck(raw, { params: o.param, baseDir });
      if (o.json) out(JSON.stringify({ ok: r.problems.length === 0, problems: r.problems, ports: r.ports }));
      else if (r.problems.length === 0) out(`${file}: valid`);
      else {
        process.stderr.write(`${file}: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'} found before running:\n`);
        for (const p of r.problems) process.stderr.write(`  ${formatProblem(p, undefined, names.name)}${p.field ? ` [field ${p.field}]` : ''}${p.fix ? `\n    fix: ${p.fix.label}` : ''}\n`);
      }
      if (r.problems.length > 0) code = EXIT.invalid;
    });

  program
    .command('migrate <file>')
    .description('rewrite a pipeline file with every node\'s config at its kind\'s current version')
    .option('--check', 'only report what would change (exit 2 if something would)')
    .action((file: string, o: { check?: boolean }) => {
      const raw = readPipeline(file);
      const r = migrateDocument(raw, kindLookup);
      if (!r.pipeline) throw new InvalidPipeline(r.problems);
      for (const m of r.migrated) out(`  ${m.nodeId} (${m.kind}): version ${m.from} -> ${m.to}`);
      const text = serializePipeline(r.pipeline);
      const before = fs.readFileSync(path.resolve(file), 'utf8');
      if (text === before) return out(`${file}: already current`);
      if (o.check) {
        out(`${file}: would be rewritten`);
        code = EXIT.invalid;
        return;
      }
      const tmp = `${path.resolve(file)}.migrate-${process.pid}.tmp`;
      fs.writeFileSync(tmp, text);
      fs.renameSync(tmp, path.resolve(file));
      out(`${file}: rewritten at current versions`);
    });

  program
    .command('preview <file>')
    .description('show the first rows at a node')
    .requiredOption('-n, --node <id>', 'node to preview')
    .option('-l, --limit <n>', 'rows to show', (v) => Number.parseInt(v, 10), 20)
    .option('-p, --param <name=value>', 'set a pipeline parameter (repeatable)', collectParam, {})
    .option('--allow-host <host[:port]>', 'a network host REST sources may reach (repeatable)', collectHost, [])
    .option('--allow-env <name>', 'an environment variable the pipeline may read secrets from, besides SLUICE_SECRET_* (repeatable)', collect, [])
    .option('--json', 'print the preview as JSON')
    .option('--memory-limit <size>', `DuckDB memory for the preview, e.g. 1GB (default: ${LIMIT_ENV.memoryLimit}, else half the machine's memory)`)
    .option('--timeout <seconds>', `wall-clock limit of the preview, 0 for none (default: ${LIMIT_ENV.previewTimeoutSeconds}, else 60)`)
    .action(async (file: string, o: { node: string; limit: number; param: Record<string, string>; allowHost: string[]; json?: boolean; memoryLimit?: string; timeout?: string }) => {
      // The same request, checks and answers as the designer's preview: through the contract and the service.
      const baseDir = path.dirname(path.resolve(file));
      const limits = limitsFromFlags({ ...(o.memoryLimit ? { memoryLimit: o.memoryLimit } : {}), ...(o.timeout !== undefined ? { previewTimeout: o.timeout } : {}) });
      const req = engineMethods.preview.input.safeParse({ pipeline: readPipeline(file), nodeId: o.node, limit: o.limit, params: o.param, baseDir, allowHosts: o.allowHost, ...(limits ? { limits } : {}) });
      if (!req.success) throw invalidInput('preview', req.error);
      const service = createEngineService({ workspaces: [baseDir] });
      try {
        const r = await service.preview(req.data);
        if (o.json) return out(JSON.stringify(r));
        out(table(r.columns.map((c) => `${c.name} (${c.type})`), r.rows.map((row) => row.map((v) => (v === null ? '∅' : String(v))))));
        out(`${r.rows.length} of ${r.totalRows} rows${r.sampled ? ' (sources sampled)' : ''}; ${r.quarantineTotal} quarantined at this node`);
        for (const q of r.quarantine.slice(0, 10)) out(`  quarantined ${q.lineage}: ${q.reasons.join('; ')}`);
        const failed = r.metrics.find((m) => m.status === 'failed');
        if (failed) {
          out(`error: ${failed.error ?? 'failed'}`);
          code = EXIT.runFailed;
        }
      } finally {
        service.close();
      }
    });

  program
    .command('inspect [run]')
    .description('show a run\'s metrics, or the quarantine of one of its nodes; RUN is a run id or "latest" (found in the history of --pipeline, --history, or the current folder or one above it) or the path of a run\'s record')
    .option('--history <dir>', 'run history folder (default: .sluice/runs of the current folder or the nearest one above)')
    .option('-p, --pipeline <file>', 'look in this pipeline\'s run history')
    .option('-n, --node <id>', 'show this node\'s quarantine')
    .option('-r, --rule <id>', 'only rows that failed this rule')
    .option('-l, --limit <n>', 'rows to show', (v) => Number.parseInt(v, 10), 50)
    .option('--json', 'print JSON')
    .action(async (runArg: string | undefined, o: { history?: string; pipeline?: string; node?: string; rule?: string; limit: number; json?: boolean }) => {
      const { historyDir, runId } = findRun(runArg, { history: o.history, pipeline: o.pipeline, cwd: process.cwd() });
      const run = getRun(historyDir, runId);
      // The run record keeps ids only: the pipeline, when named, gives its nodes' labels.
      if (o.pipeline && fs.existsSync(o.pipeline)) readPipeline(o.pipeline);
      if (!o.node) {
        if (o.json) return out(JSON.stringify(run));
        out(`run ${run.runId}  ${run.pipelineName}  ${run.outcome}  ${run.startedAt} → ${run.finishedAt}`);
        out(metricsTable(run.nodes, names.title));
        for (const e of run.errors) out(`  error  ${e}`);
        for (const l of replayLedger(run)) out(l);
        return;
      }
      const page = await quarantinePage(historyDir, { runId: run.runId, nodeId: o.node, rule: o.rule, offset: 0, limit: o.limit });
      if (o.json) return out(JSON.stringify(page));
      out(`${page.total} quarantined row(s) at ${o.node}${o.rule ? ` failing ${o.rule}` : ''}; by rule: ${Object.entries(page.byRule).map(([k, v]) => `${k}=${v}`).join(', ') || 'none'}`);
      for (const q of page.entries) {
        out(`- ${q.lineage}${q.sourceLine !== null ? ` (line ${q.sourceLine})` : ''}  [${q.ruleIds.join(', ')}]  ${q.reasons.join('; ')}`);
        out(`    ${q.row ?? JSON.stringify(q.raw)}`);
      }
    });

  program
    .command('catalog')
    .description('list node kinds and their config schemas (JSON)')
    .action(() => {
      out(JSON.stringify(catalog(), null, 2));
    });

  program
    .command('schema')
    .description('print the JSON Schema of pipeline files')
    .action(() => {
      out(JSON.stringify(pipelineJsonSchema(), null, 2));
    });

  // Incremental pipelines (issue 17): `watch` lives in its own module.
  addWatchCommand(program, out, (c) => {
    code = c;
  });
  addScheduleCommand(program, out, (c) => {
    code = c;
  });

  program
    .command('serve [file]')
    .description('serve the designer on 127.0.0.1 and print its link')
    .option('--port <n>', 'port (0 picks a free one)', (v) => Number.parseInt(v, 10), 0)
    .option('--no-open', 'do not open a browser')
    .option('--allow-host <host[:port]>', 'a network host REST sources may reach from the designer (repeatable)', collectHost, [])
    .option('--allow-env <name>', 'an environment variable the pipeline may read secrets from, besides SLUICE_SECRET_* (repeatable)', collect, [])
    .option('--workspace <dir>', 'the folder whose pipeline files the designer may open and save (default: the file\'s folder, else the current folder)')
    .option('--allow-broad-workspace', 'allow a home folder or a filesystem root as the workspace (refused by default)')
    .action(async (file: string | undefined, o: { port: number; open: boolean; allowHost: string[]; workspace?: string; allowBroadWorkspace?: boolean }) => {
      const { serve } = await import('../server/serve.js');
      const handle = await serve({ port: o.port, openBrowser: o.open, allowHosts: o.allowHost, ...(file ? { pipelinePath: file } : {}), ...(o.workspace ? { workspace: o.workspace } : {}), ...(o.allowBroadWorkspace ? { allowBroadWorkspace: true } : {}) });
      await new Promise<void>((resolve) => {
        const stop = () => void handle.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  registerOpsCommands(program, { out, setCode: (c) => (code = c) });
  addRunbookCommand(program, out);
  addTraceCommand(program, out);
  addTestCommands(program, { out, setCode: (c) => (code = c) });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    // The same body the HTTP server and the IPC dispatcher answer with; `--json` prints it as is.
    const body = toErrorBody(e, program.args[0] ?? 'sluice');
    if (argv.includes('--json')) out(JSON.stringify(body));
    if (e instanceof InvalidPipeline) errWrite(`invalid pipeline:\n${e.problems.map((p) => `  ${formatProblem(p, undefined, names.name)}`).join('\n')}\n`);
    else if (isUserFacing(e)) errWrite(`error: ${placed(body.error.where)}${body.error.message}\n`);
    else {
      errWrite(`internal error: ${body.error.message}${process.env['SLUICE_DEBUG'] ? '' : ' (set SLUICE_DEBUG=1 to print the details)'}\n`);
      if (process.env['SLUICE_DEBUG']) errWrite(`${faultDetail(e)}\n`);
    }
    return exitCodeOfError(body.error.code);
  }
}
