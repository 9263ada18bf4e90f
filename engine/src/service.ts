// The EngineApi implementation. The CLI, the local server and the Electron main process all adapt this one object.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineApi, EngineStreams, Sample } from '@sluice/format/api/contract';
import { engineMethods, runRequestSchema, type RunSpec } from '@sluice/format/api/contract';
import type * as z from 'zod';
import { staticCheck } from './analysis/check.js';
import { schemasForNodes } from './analysis/region.js';
import { sniffNode } from './analysis/sniff.js';
import { catalog } from './nodes/registry.js';
import { UserError } from './runtime/exec-context.js';
import { isInside, pathProblem, realish } from './runtime/paths.js';
import { listRuns, quarantinePage } from './runtime/durability/history.js';
import { PreviewSession } from './runtime/preview.js';
import { inputFingerprints } from './runtime/execution/input-fingerprints.js';
import { runSupervised, workerAvailable } from './runtime/supervision/supervise.js';
import { checkBeforeRun, checkResumable, checkStructure, preparePipeline, runPipeline } from './runtime/run.js';
import { validateStatic } from './runtime/static-checks.js';
import { RunJobs } from './run-jobs.js';
import { defaultHistoryDir } from './runtime/durability/run-records.js';
import { WorkspaceFiles } from './workspace-files.js';
import { opsService } from './ops/service-ops.js';
import { WatchJobs } from './watch-jobs.js';
import { listPins, pinNode, removePin, type PinPlace } from './ops/pins.js';
import { resolveRun, traceRunRow } from './row-trace.js';
import { runPinTests } from './ops/pin-test.js';

/** The package root, whether this file runs from engine/src or engine/dist. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The desktop app points this at a writable copy, since an installed app's own folder is read-only. */
export const SAMPLES_DIR = process.env.SLUICE_SAMPLES_DIR ? path.resolve(process.env.SLUICE_SAMPLES_DIR) : path.join(PACKAGE_ROOT, 'samples');

export interface ServiceOptions {
  /** Folders a front end may point the engine at; pipelines resolve paths inside these only. */
  workspaces?: string[];
  /** Where run records go, by base folder; default `<baseDir>/.sluice/runs`. */
  historyDir?: (baseDir: string) => string;
  /** Runs started with startRun go in-process instead of in a supervised worker (tests of the TypeScript sources). */
  inProcessRuns?: boolean;
  /** How long a cancelled worker gets to stop by itself before it is killed. */
  cancelGraceMs?: number;
  /** Network hosts REST sources may reach in previews and runs (`sluice serve --allow-host`); none by default. */
  allowHosts?: string[];
  /** The folder whose pipeline files listFiles/readFile/writeFile may touch; without it they are refused. */
  fileWorkspace?: string;
  /** Recorded in each run's manifest (default `designer`; the desktop app says `desktop`). */
  startedBy?: 'designer' | 'desktop' | 'test';
}

export interface EngineService extends EngineApi, EngineStreams {
  /** Lets pipelines in `dir` run: the desktop app adds the folder of each file the user opens or saves by dialog. */
  allowWorkspace(dir: string): void;
  close(): void;
}

export { defaultHistoryDir } from './runtime/durability/run-records.js';

export function listSamples(): Sample[] {
  if (!fs.existsSync(SAMPLES_DIR)) return [];
  const out: Sample[] = [];
  for (const dir of fs.readdirSync(SAMPLES_DIR).sort()) {
    const full = path.join(SAMPLES_DIR, dir);
    if (!fs.statSync(full).isDirectory()) continue;
    for (const f of fs.readdirSync(full).sort()) {
      if (!f.endsWith('.pipeline.json')) continue;
      const file = path.join(full, f);
      out.push({ name: `${dir}/${f}`, path: file, pipeline: JSON.parse(fs.readFileSync(file, 'utf8')) as unknown });
    }
  }
  return out;
}

export function createEngineService(opts: ServiceOptions = {}): EngineService {
  const workspaces = (opts.workspaces ?? [SAMPLES_DIR]).map((w) => path.resolve(w));
  const history = opts.historyDir ?? defaultHistoryDir;
  const allowHosts = opts.allowHosts ?? [];
  const previews = new PreviewSession({ allowHosts });
  // Hosts the host process allowed (`sluice serve --allow-host`), plus those the user allowed in the designer for
  // this request; a pipeline file never adds any.
  const hostsFor = (extra: string[] | undefined): string[] => [...allowHosts, ...(extra ?? [])];
  const jobs = new RunJobs({ ...(opts.inProcessRuns !== undefined && { inProcess: opts.inProcessRuns }), ...(opts.cancelGraceMs !== undefined && { graceMs: opts.cancelGraceMs }) });
  // A run keeps its record beside its pipeline (e.g. samples/orders/.sluice/runs), not only in the
  // workspace roots, so the folders this service has written runs to are searched too.
  const historyDirs = new Set(workspaces.map((w) => history(w)));
  // Runs inherit it, in-process or in their supervised worker (see ops/run-ops.ts).
  process.env['SLUICE_STARTED_BY'] ??= opts.startedBy ?? 'designer';

  const watches = new WatchJobs(opts.inProcessRuns !== undefined ? { inProcess: opts.inProcessRuns } : {});
  const files = opts.fileWorkspace ? new WorkspaceFiles(path.resolve(opts.fileWorkspace)) : undefined;
  const workspaceFiles = (): WorkspaceFiles => {
    if (!files) throw new UserError('this engine has no workspace folder for pipeline files; start it with `sluice serve --workspace DIR`');
    return files;
  };

  // A request's run options pass to the RunSpec as they are (a new option needs no line here); the host adds
  // the folders and the hosts it allows itself.
  const specOf = (req: z.infer<typeof runRequestSchema>, baseDir: string): RunSpec => {
    const { baseDir: _requested, allowHosts: extraHosts, ...options } = req;
    return { ...options, baseDir, historyDir: history(baseDir), allowHosts: hostsFor(extraHosts) };
  };

  // The folder a front end names is untrusted: it is resolved through symlinks and must lie inside a workspace
  // (also resolved), with no hidden or version-control folder below it, before anything reads or writes there.
  const baseDirOf = (requested: string | undefined): string => {
    const asked = path.resolve(requested ?? workspaces[0] ?? SAMPLES_DIR);
    let dir: string;
    try {
      dir = fs.realpathSync(asked);
    } catch {
      throw new UserError(`folder ${asked} does not exist`);
    }
    const roots = workspaces.map((w) => realish(w));
    const root = roots.find((w) => isInside(dir, w));
    if (root === undefined) throw new UserError(`folder ${asked} is outside the workspace (${workspaces.join(', ')})${dir !== asked ? ` once its links are followed (${dir})` : ''}`);
    const why = pathProblem(dir, root);
    if (why) throw new UserError(`folder ${asked} is refused: ${why}`);
    return dir;
  };

  const ops = opsService(() => historyDirs, opts.workspaces?.[0] !== undefined ? workspaces[0] : undefined);
  return {
    ...ops.api,
    async catalog() {
      return catalog();
    },
    async validate(input) {
      const req = engineMethods.validate.input.parse(input);
      // Someone is editing a pipeline they may soon run: have a worker ready (runtime/supervision/warm-worker.ts).
      jobs.prepare();
      const baseDir = req.baseDir !== undefined ? baseDirOf(req.baseDir) : undefined;
      // Every check a run makes before any node executes, in one pass; then, for a well-formed pipeline, the
      // static problems its port schemas show (unknown columns, types that do not fit), with fixes.
      const r = await validateStatic(req.pipeline, { params: req.params ?? {}, ...(baseDir ? { baseDir } : {}) });
      if (r.problems.length > 0) return { ok: false, problems: r.problems };
      const s = await staticCheck(req.pipeline, { baseDir: baseDirOf(req.baseDir), ...(req.params ? { params: req.params } : {}) });
      return { ok: s.problems.length === 0, problems: s.problems };
    },
    async schemas(input) {
      return staticCheck(input.pipeline, { baseDir: baseDirOf(input.baseDir), ...(input.params ? { params: input.params } : {}) });
    },
    async schemasFor(input) {
      const req = engineMethods.schemasFor.input.parse(input);
      return schemasForNodes(req.nodes, { baseDir: baseDirOf(req.baseDir) });
    },
    async sniffTypes(input) {
      const req = engineMethods.sniffTypes.input.parse(input);
      return sniffNode(req.pipeline, req.nodeId, { baseDir: baseDirOf(req.baseDir), ...(req.params ? { params: req.params } : {}) });
    },
    async preview(input) {
      const req = engineMethods.preview.input.parse(input);
      const p = preparePipeline(req.pipeline, req.params);
      const baseDir = baseDirOf(req.baseDir);
      // The session queues previews itself: a designer fires several at once.
      return previews.preview(p, req.nodeId, req.limit, baseDir, [], hostsFor(req.allowHosts), req.allowEnv ?? [], req.limits);
    },
    async inputFingerprints(input) {
      const req = engineMethods.inputFingerprints.input.parse(input);
      // Asked every few seconds while the user edits: a document with a problem elsewhere (a node not yet
      // connected) still has sources whose files can be described; only a document with none answers nothing.
      const checked = checkStructure(req.pipeline, req.params);
      const p = checked.pipeline ?? checked.partial;
      if (!p) return { inputs: [] };
      const baseDir = baseDirOf(req.baseDir);
      return { inputs: inputFingerprints(p, baseDir, [baseDir]) };
    },
    async profile(input) {
      const req = engineMethods.profile.input.parse(input);
      const p = preparePipeline(req.pipeline, req.params);
      return previews.profile(p, req.nodeId, baseDirOf(req.baseDir), [], hostsFor(req.allowHosts), req.allowEnv ?? [], req.limits);
    },
    async run(input) {
      const req = engineMethods.run.input.parse(input);
      const baseDir = baseDirOf(req.baseDir);
      historyDirs.add(history(baseDir));
      // Checked here first, so mistakes come back as problems; the run itself happens in a supervised worker, so
      // an engine crash fails the run instead of killing the designer's server.
      const p = await checkBeforeRun(req.pipeline, { params: req.params, baseDir });
      if (req.resume) checkResumable(history(baseDir), req.resume, p);
      const spec = specOf(req, baseDir);
      if (!workerAvailable()) return runPipeline(spec);
      const res = await runSupervised(spec);
      const manifest = res.manifest ?? res.crashedManifest;
      if (!manifest) throw new UserError(res.crash ?? 'the run did not finish');
      return manifest;
    },
    async startRun(input) {
      const req = engineMethods.startRun.input.parse(input);
      const baseDir = baseDirOf(req.baseDir);
      historyDirs.add(history(baseDir));
      // Mistakes come back now, as problems, rather than as a failed job later.
      const p = await checkBeforeRun(req.pipeline, { params: req.params, baseDir });
      if (req.resume) checkResumable(history(baseDir), req.resume, p);
      // Taken before the worker starts reading, so the run's counts are known to describe these files.
      return { jobId: jobs.start(specOf(req, baseDir), inputFingerprints(p, baseDir, [baseDir])) };
    },
    async runStatus(input) {
      return jobs.status(engineMethods.runStatus.input.parse(input).jobId);
    },
    async cancelRun(input) {
      return { cancelled: jobs.cancel(engineMethods.cancelRun.input.parse(input).jobId) };
    },
    async listRuns(input) {
      const req = engineMethods.listRuns.input.parse(input);
      return [...historyDirs]
        .flatMap((dir) => listRuns(dir, req.limit))
        .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
        .slice(0, req.limit);
    },
    async quarantinePage(input) {
      const req = engineMethods.quarantinePage.input.parse(input);
      // Run ids are one path segment (checked again by the history store); never let one walk out of its folder.
      if (!/^[A-Za-z0-9-]+$/.test(req.runId)) throw new UserError(`"${req.runId}" is not a run id`);
      for (const dir of historyDirs) {
        if (fs.existsSync(path.join(dir, req.runId))) return quarantinePage(dir, req);
      }
      throw new UserError(`no run "${req.runId}"`);
    },
    async traceRow(input) {
      const req = engineMethods.traceRow.input.parse(input);
      // The run id is one path segment (checked by the schema); the run is looked for only in known history folders.
      for (const dir of historyDirs) {
        if (!fs.existsSync(path.join(dir, req.runId, 'manifest.json'))) continue;
        return traceRunRow(resolveRun(req.runId, dir), {
          node: req.nodeId,
          row: req.row ?? { lineage: req.lineage ?? '' },
          quarantine: req.quarantine,
          ...(req.port !== undefined ? { port: req.port } : {}),
          ...(req.pipeline !== undefined ? { document: req.pipeline } : {}),
        });
      }
      throw new UserError(`no run "${req.runId}"`);
    },
    async samples() {
      return listSamples();
    },
    allowWorkspace(dir) {
      const resolved = path.resolve(dir);
      if (workspaces.includes(resolved)) return;
      workspaces.push(resolved);
      historyDirs.add(history(resolved));
    },
    async watchStart(input) {
      const req = engineMethods.watchStart.input.parse(input);
      const baseDir = baseDirOf(req.baseDir);
      historyDirs.add(history(baseDir));
      const p = preparePipeline(req.pipeline, req.params);
      return { watchId: watches.start(`${baseDir}\u0000${p.name}`, { pipeline: req.pipeline, params: req.params, baseDir, historyDir: history(baseDir), allowHosts: hostsFor(undefined), ...(req.maxFiles ? { maxFiles: req.maxFiles } : {}) }) };
    },
    async watchStatus(input) {
      return watches.status(engineMethods.watchStatus.input.parse(input).watchId);
    },
    async watchStop(input) {
      return { stopping: watches.stop(engineMethods.watchStop.input.parse(input).watchId) };
    },
    async listFiles() {
      const ws = workspaceFiles();
      return { root: await fs.promises.realpath(ws.root).catch(() => ws.root), files: await ws.list() };
    },
    async readFile(input) {
      return workspaceFiles().read(engineMethods.readFile.input.parse(input).path);
    },
    async writeFile(input) {
      const req = engineMethods.writeFile.input.parse(input);
      return workspaceFiles().write(req.path, req.text, req.overwrite);
    },
    // Pins live beside the saved pipeline, in its (checked) folder; the previews they take share the designer's
    // session and its queue, so pinning never races a preview for the scratch database.
    async pinData(input) {
      const req = engineMethods.pinData.input.parse(input);
      const p = preparePipeline(req.pipeline, req.params);
      const place: PinPlace = { baseDir: baseDirOf(req.baseDir), fileName: req.fileName };
      return pinNode(p, req.nodeId, place, req.lines, (q, id, limit, dir) => previews.preview(q, id, limit, dir, [], hostsFor(undefined)));
    },
    async listPins(input) {
      const req = engineMethods.listPins.input.parse(input);
      return listPins({ baseDir: baseDirOf(req.baseDir), fileName: req.fileName });
    },
    async removePin(input) {
      const req = engineMethods.removePin.input.parse(input);
      return removePin({ baseDir: baseDirOf(req.baseDir), fileName: req.fileName }, req.nodeId);
    },
    async testPins(input) {
      const req = engineMethods.testPins.input.parse(input);
      const p = preparePipeline(req.pipeline, req.params);
      const place: PinPlace = { baseDir: baseDirOf(req.baseDir), fileName: req.fileName };
      return runPinTests(p, place, (q, id, limit, dir) => previews.preview(q, id, limit, dir, [], hostsFor(undefined)));
    },
    followRun(jobId, onStatus) {
      return jobs.follow(jobId, onStatus);
    },
    close() {
      jobs.close();
      watches.stopAll();
      previews.close();
      ops.close();
    },
  };
}
