// The desktop app end to end, through Playwright's Electron support: launched on a sample file as the OS would
// open it, it previews a node and runs the pipeline with the engine in its own process, over IPC.
// Runs only where Electron's binary is installed (`node node_modules/electron/install.js`); otherwise skipped, saying so.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';
import { expectedRun, node, readSample, ROOT, selectNode, watchConsole } from './support.js';

const MAIN = path.join(ROOT, 'dist', 'electron', 'main.js');
const SAMPLE = path.join(ROOT, 'samples', 'orders', 'orders.pipeline.json');

/** Electron's binary, or why there is none, in the words `npm start` and `npm run dist` use (scripts/electron-status.mjs). */
type ElectronStatus = { binary?: string; why?: string };
const { electronStatus } = (await import(pathToFileURL(path.join(ROOT, 'scripts', 'electron-status.mjs')).href)) as { electronStatus: () => ElectronStatus };

const status = electronStatus();
const binary = { path: status.binary, why: status.why };
if (!binary.path) console.log(`[electron.spec] skipped: ${binary.why}`);

test.describe('the desktop app', () => {
  test.skip(!binary.path, binary.why ?? '');

  let app: ElectronApplication | undefined;
  let userData: string | undefined;
  test.afterEach(async () => {
    await app?.close();
    if (userData) rmSync(userData, { recursive: true, force: true });
  });

  test('opens a sample from the command line, previews a node, runs it and shows the counts', async () => {
    expect(existsSync(MAIN), 'run `npm run build` first').toBe(true);
    userData = mkdtempSync(path.join(tmpdir(), 'sluice-e2e-electron-'));
    app = await electron.launch({ executablePath: binary.path, args: [MAIN, `--user-data-dir=${userData}`, SAMPLE], cwd: ROOT });
    const page = await app.firstWindow();
    const problems = watchConsole(page);

    // The window is the hardened one: no Node in the page, only the bridge.
    expect(await page.evaluate(() => [typeof (globalThis as { require?: unknown }).require, typeof (globalThis as { process?: unknown }).process, typeof (globalThis as { sluice?: unknown }).sluice])).toEqual(['undefined', 'undefined', 'object']);
    expect(page.url()).toBe('app://sluice/index.html');

    const orders = readSample('orders/orders.pipeline.json');
    await expect(page.getByTestId('pipeline-name')).toHaveText(orders.name);
    const expected = expectedRun('orders', 'orders.pipeline.json');
    const checks = expected.nodes.find((n) => n.nodeId === 'checks');
    if (!checks) throw new Error('samples/orders/expected.json has no "checks" node');

    await selectNode(page, 'checks');
    await expect(page.getByTestId('preview-summary')).toContainText(`${checks.rowsOut} rows`);
    await expect(page.getByTestId('node-metrics').locator('[data-metric="quarantined"]')).toHaveText(String(checks.quarantined));

    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('run-summary')).toHaveAttribute('data-outcome', 'succeeded', { timeout: 30_000 });
    for (const m of expected.nodes) {
      await expect(page.getByTestId(`run-row-${m.nodeId}`)).toContainText(m.status);
      await expect(node(page, m.nodeId)).toHaveAttribute('data-status', m.status);
    }
    // The title bar follows the document, through the shell.
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.getTitle())).toContain(orders.name);
    expect(problems).toEqual([]);
  });
});
