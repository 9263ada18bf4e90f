// `sluice`: run, validate, preview, inspect, catalog, serve. User mistakes end in one clear message and an exit
// code; only internal faults print a stack, and only with SLUICE_DEBUG=1.
import { findRun } from './find-run.js';
import { allowEnv } from '../runtime/secrets.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { formatProblem } from '@sluice/format/pipeline/problems';
import { migrateDocument } from '@sluice/format/pipeline/load';
import { serializePipeline } from '@sluice/format/pipeline/save';
import { catalog, kindLookup } from '../nodes/registry.js';
import { staticCheck } from '../analysis/check.js';
import { validateStatic } from '../runtime/static-checks.js';
import { InvalidPipeline, invalidInput } from '@sluice/format/api/errors';
import { getRun, quarantinePage } from '../runtime/durability/history.js';
import { createEngineService } from '../service.js';
import { engineMethods } from '@sluice/format/api/contract';
import { pipelineJsonSchema } from '@sluice/format/pipeline/json-schema';
import { ENGINE_VERSION } from '../version.js';
import { EXIT } from './exit-codes.js';
import { LIMIT_ENV } from '../runtime/execution/limits.js';
import { metricsTable, replayLedger, table } from './format.js';
import { registerOpsCommands } from './ops-commands.js';
import { collect, collectParam } from './flags.js';
import { addScheduleCommand, addWatchCommand } from './watch-command.js';
import { addRunbookCommand } from './runbook.js';
import { addTraceCommand } from './trace.js';
import { addTestCommands } from './test-command.js';
import { collectHost, errWrite, limitsFromFlags, names, readPipeline } from './inputs.js';
import { SLUICE_DESCRIPTION, outLine, reportError } from './report.js';
import { addRunCommand } from './run-command.js';

export async function runCli(argv: string[]): Promise<number> {
  const out = outLine;
  let code: number = EXIT.ok;
  const program = new Command()
    .name('sluice')
    .description(SLUICE_DESCRIPTION)
    .version(ENGINE_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => errWrite(s) });
  // `--allow-env NAME` (run, preview, serve): the user, not the pipeline file, widens which variables are read.
  program.hook('preAction', (_cmd, action) => {
    const names = (action.opts() as { allowEnv?: string[] }).allowEnv;
    if (names?.length) allowEnv(names);
  });

  addRunCommand(program, { out, setCode: (c) => (code = c) });

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
    .option('--memory-limit <size>', `memory for the preview, e.g. 1GB; DuckDB spills beyond ~70 % of it (default: ${LIMIT_ENV.memoryLimit}, else half the machine's memory)`)
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
    return reportError(e, argv, program.args[0] ?? 'sluice', out);
  }
}
