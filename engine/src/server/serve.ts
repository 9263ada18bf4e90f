// `sluice serve`: the designer in the user's browser, backed by this process's engine.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import * as os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineApi, Sample } from '@sluice/format/api/contract';
import { parsePipelineText } from '@sluice/format/pipeline/load';
import { UserError } from '../runtime/exec-context.js';
import { createEngineService, SAMPLES_DIR } from '../service.js';
import { startServer } from './server.js';

export interface ServeOptions {
  /** 0 or undefined picks a free port. */
  port?: number;
  openBrowser?: boolean;
  /** A pipeline file to open first in the designer. */
  pipelinePath?: string;
  /**
   * The only folder whose pipeline files the designer may list, open and save (browser mode has no native
   * dialogs). Default: the folder of `pipelinePath`, else the current folder.
   */
  workspace?: string;
  /** Overrides where the built renderer lives (tests). */
  staticDir?: string;
  /** Where the designer link is printed; stdout by default so scripts can read it. */
  print?: (line: string) => void;
  /** Network hosts REST sources may reach from this designer (`--allow-host`). */
  allowHosts?: string[];
  /** Lets the workspace be a home folder or a filesystem root (`--allow-broad-workspace`); refused otherwise. */
  allowBroadWorkspace?: boolean;
}

/**
 * Whether `dir` is too broad to hand to a browser page as a workspace: a filesystem root or a user's home folder
 * (where dotfiles, keys and every project live). `home` is injectable for tests.
 */
export function broadWorkspace(dir: string, home: string = os.homedir()): string | undefined {
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  const d = real(dir);
  if (path.dirname(d) === d) return 'a filesystem root';
  if (home && d === real(home)) return 'your home folder';
  return undefined;
}

export interface ServeHandle {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Same depth from engine/src/server and engine/dist/server, so this holds in dev and when compiled. */
export function defaultStaticDir(): string {
  return fileURLToPath(new URL('../../../renderer/dist', import.meta.url));
}

/**
 * The designer opens the first sample on start; putting the user's file first makes
 * `sluice serve my.pipeline.json` open that file without a separate "open" API call.
 */
async function withPipelineFirst(api: EngineApi, pipelinePath: string): Promise<EngineApi> {
  const full = path.resolve(pipelinePath);
  const text = await readFile(full, 'utf8');
  const parsed = parsePipelineText(text);
  if (parsed.raw === undefined) {
    throw new Error(`${full}: ${parsed.problems.map((p) => p.message).join('; ')}`);
  }
  const opened: Sample = { name: path.basename(full), path: full, pipeline: parsed.raw };
  const samples: EngineApi['samples'] = async (input) => [
    opened,
    ...(await api.samples(input)).filter((s) => path.resolve(s.path) !== full),
  ];
  // A proxy rather than a spread: the service may be a class whose methods live on its prototype.
  return new Proxy(api, {
    get(target, prop) {
      if (prop === 'samples') return samples;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Best effort: a headless machine has no browser, and that must not stop the server. */
function openInBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? // `start` is a cmd builtin; the empty string is the window title it would otherwise take from the URL.
          ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true, windowsHide: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No opener installed: the printed link is enough.
  }
}

export async function serve(options: ServeOptions = {}): Promise<ServeHandle> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const staticDir = options.staticDir ?? defaultStaticDir();
  if (!existsSync(path.join(staticDir, 'index.html'))) {
    process.stderr.write(`warning: the designer is not built (${staticDir} has no index.html). Run: npm run build:renderer\n`);
  }

  const workspace = path.resolve(options.workspace ?? (options.pipelinePath ? path.dirname(path.resolve(options.pipelinePath)) : process.cwd()));
  if (!(await stat(workspace).catch(() => undefined))?.isDirectory()) {
    throw new UserError(`the workspace folder ${workspace} does not exist (or is not a folder); choose one with --workspace DIR`);
  }
  const broad = broadWorkspace(workspace);
  if (broad && !options.allowBroadWorkspace) {
    throw new UserError(`the workspace would be ${workspace}, ${broad}; the designer could then read and write files all over it. Open a pipeline file, pass --workspace DIR for a project folder, or add --allow-broad-workspace if you really mean it`);
  }
  // The workspace comes first: it is the default base for relative paths in a new pipeline. The opened file's
  // folder and the samples stay readable as before.
  const workspaces = [...new Set([workspace, ...(options.pipelinePath ? [path.dirname(path.resolve(options.pipelinePath))] : []), SAMPLES_DIR])];
  const service = createEngineService({ workspaces, fileWorkspace: workspace, ...(options.allowHosts?.length ? { allowHosts: options.allowHosts } : {}) });
  let api: EngineApi = service;
  try {
    if (options.pipelinePath) api = await withPipelineFirst(service, options.pipelinePath);
  } catch (err) {
    service.close();
    throw err;
  }

  const token = randomBytes(24).toString('base64url');
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({ api, streams: service, host: '127.0.0.1', port: options.port ?? 0, staticDir, token });
  } catch (err) {
    service.close();
    if (err instanceof Error && 'code' in err && err.code === 'EADDRINUSE') {
      throw new UserError(`port ${options.port} on 127.0.0.1 is already in use; choose another with --port, or --port 0 for any free port`);
    }
    throw err;
  }
  // The token rides in the fragment: browsers never send it to the server or in Referer headers.
  const link = `${server.url}#token=${token}`;
  print(`Sluice designer: ${link}`);
  print(`Workspace (pipeline files open and save here): ${workspace}`);
  if (options.openBrowser) openInBrowser(link);

  return {
    url: link,
    port: server.port,
    token,
    close: async () => {
      await server.close();
      service.close();
    },
  };
}
