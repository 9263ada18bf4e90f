// Starts the real engine server (built engine + built renderer) on a free port for the whole run.
// The link it prints (with its token) reaches the tests through the environment.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(ROOT, 'engine', 'bin', 'sluice.js');
const DIST_SERVE = path.join(ROOT, 'engine', 'dist', 'server', 'serve.js');
const RENDERER = path.join(ROOT, 'renderer', 'dist', 'index.html');
const STARTUP_TIMEOUT_MS = 30_000;

/** A scratch workspace for the file stories (open, save, save as), holding a copy of the orders sample. */
function makeWorkspace(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-e2e-ws-'));
  for (const f of ['orders.pipeline.json', 'orders.csv']) copyFileSync(path.join(ROOT, 'samples', 'orders', f), path.join(dir, f));
  return dir;
}

function launch(workspace: string): ChildProcess {
  const opts = { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] as ('ignore' | 'pipe')[], env: { ...process.env, NO_COLOR: '1' } };
  // The CLI is what users run; the compiled module is the fallback while the CLI is not wired yet.
  if (existsSync(CLI) && process.env.SLUICE_E2E_SERVER !== 'module') {
    return spawn(process.execPath, [CLI, 'serve', '--port', '0', '--no-open', '--workspace', workspace], opts);
  }
  const script = `const { serve } = await import(${JSON.stringify(pathToFileURL(DIST_SERVE).href)}); await serve({ port: 0, openBrowser: false, workspace: ${JSON.stringify(workspace)} });`;
  return spawn(process.execPath, ['--input-type=module', '-e', script], opts);
}

function waitForLink(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(`no "Sluice designer:" line within ${STARTUP_TIMEOUT_MS / 1000}s`), STARTUP_TIMEOUT_MS);
    function fail(why: string): void {
      clearTimeout(timer);
      child.kill();
      reject(new Error(`The Sluice server did not start: ${why}.\nstdout:\n${out}\nstderr:\n${err}`));
    }
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /Sluice designer: (http:\/\/\S+#token=\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    child.on('exit', (code, signal) => fail(`it exited (code ${code}, signal ${signal})`));
    child.on('error', (e) => fail(e.message));
  });
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(RENDERER)) throw new Error(`${RENDERER} is missing: run \`npm run build\` before the e2e tests.`);
  if (!existsSync(DIST_SERVE)) throw new Error(`${DIST_SERVE} is missing: run \`npm run build\` before the e2e tests.`);

  const workspace = makeWorkspace();
  process.env.SLUICE_E2E_WORKSPACE = workspace;
  const child = launch(workspace);
  const link = await waitForLink(child);
  const url = new URL(link);
  process.env.SLUICE_E2E_ORIGIN = url.origin;
  process.env.SLUICE_E2E_TOKEN = new URLSearchParams(url.hash.slice(1)).get('token') ?? '';
  // Server-side errors (500s log their stack) show up in the test output instead of vanishing.
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[sluice serve] ${chunk.toString('utf8')}`));

  return async () => {
    rmSync(workspace, { recursive: true, force: true });
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
}
