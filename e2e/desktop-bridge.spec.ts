// The renderer's desktop half in a real Chromium, without Electron: the page gets a `window.sluice` bridge like
// the preload's, whose engine calls go to the real IPC dispatcher (@sluice/format's api/ipc.ts, built) over the real
// engine, and whose files come from a folder here. This exercises what electron.spec.ts covers where no Electron
// binary is installed: connecting over the bridge, opening a file the shell hands over, preview and run over
// it, and reporting unsaved changes to the shell.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { MenuAction, SluiceBridge } from '@sluice/shell/bridge';
import { codeEditor, expectedRun, node, readSample, replaceCode, ROOT, selectNode, server, watchConsole } from './support.js';

type Dispatch = (channel: string, senderUrl: string, payload: unknown) => Promise<unknown>;
interface EngineModules {
  service: { createEngineService(opts?: { workspaces?: string[] }): { close(): void; allowWorkspace(dir: string): void } & Record<string, unknown> };
  ipc: { createIpcDispatcher(api: unknown, opts: { isTrustedSender(url: string): boolean }): Dispatch; channelFor(m: string): string };
}

/** The built engine and contract, as the shell loads them (by package name; Node resolves them to their dist/). */
async function engine(): Promise<EngineModules> {
  const load = (specifier: string): Promise<unknown> => import(specifier);
  return { service: (await load('@sluice/engine/service')) as EngineModules['service'], ipc: (await load('@sluice/format/api/ipc')) as EngineModules['ipc'] };
}

test('the designer works over the desktop bridge: opens a file from the shell, previews, runs and reports unsaved changes', async ({ page }) => {
  const work = mkdtempSync(path.join(tmpdir(), 'sluice-e2e-bridge-'));
  cpSync(path.join(ROOT, 'samples', 'orders'), work, { recursive: true, filter: (s) => !s.includes('.sluice') && !s.endsWith(`${path.sep}out`) });
  const file = path.join(work, 'orders.sluice');
  cpSync(path.join(work, 'orders.pipeline.json'), file);

  const { service, ipc } = await engine();
  const svc = service.createEngineService();
  const dispatch = ipc.createIpcDispatcher(svc, { isTrustedSender: (u) => u === 'app://sluice/index.html' });
  const docStates: { dirty: boolean; title: string }[] = [];
  const called = new Set<string>();
  try {
    await page.exposeFunction('__sluiceInvoke', (method: string, input: unknown) => {
      called.add(method);
      return dispatch(ipc.channelFor(method), 'app://sluice/index.html', input);
    });
    await page.exposeFunction('__sluiceRead', (p: string) => {
      // The shell's FileAccess grants a file handed over by the OS, and the engine may then run in its folder.
      if (p !== file) return { ok: false, error: { code: 'user_error', message: `${p} was not opened through a dialog` } };
      svc.allowWorkspace(path.dirname(p));
      return { ok: true, value: readFileSync(p, 'utf8') };
    });
    await page.exposeFunction('__sluiceDocState', (s: { dirty: boolean; title: string }) => void docStates.push(s));
    await page.addInitScript(() => {
      const w = window as unknown as Record<string, (...a: unknown[]) => Promise<unknown>> & { __menu?: (a: MenuAction) => void; sluice?: SluiceBridge };
      // Typed by the preload's own interface: a bridge method added, renamed or reshaped fails the typecheck here.
      const bridge: SluiceBridge = {
        engine: { methods: [], invoke: (m, i) => w.__sluiceInvoke!(m, i) as ReturnType<SluiceBridge['engine']['invoke']> },
        files: {
          openDialog: async () => ({ ok: true, value: undefined }),
          read: (ref) => w.__sluiceRead!(ref.path) as ReturnType<SluiceBridge['files']['read']>,
          save: async () => ({ ok: false, error: { code: 'user_error', message: 'not in this test' } }),
          saveAsDialog: async () => ({ ok: true, value: undefined }),
          recent: async () => ({ ok: true, value: [] }),
        },
        onMenu: (listener) => {
          w.__menu = listener;
          return () => undefined;
        },
        setDocumentState: (s) => void w.__sluiceDocState!(s),
        confirmClose: () => undefined,
        nativeEdit: () => undefined,
      };
      w.sluice = bridge;
    });
    const problems = watchConsole(page);
    // No token in the URL: over the bridge the designer needs none (the HTTP API is not used).
    await page.goto(server().origin);
    await expect(page.getByTestId('pipeline-name')).toBeVisible();

    await page.evaluate((p) => (window as unknown as { __menu(a: unknown): void }).__menu({ type: 'open-file', path: p }), file);
    const orders = readSample('orders/orders.pipeline.json');
    await expect(page.getByTestId('pipeline-name')).toHaveText(orders.name);

    const expected = expectedRun('orders', 'orders.pipeline.json');
    const checks = expected.nodes.find((n) => n.nodeId === 'checks');
    if (!checks) throw new Error('samples/orders/expected.json has no "checks" node');
    await selectNode(page, 'checks');
    await expect(page.getByTestId('preview-summary')).toContainText(`${checks.rowsOut} rows`);
    await expect(page.getByTestId('node-metrics').locator('[data-metric="quarantined"]')).toHaveText(String(checks.quarantined));

    // Run from the menu, as File › Run does.
    await page.evaluate(() => (window as unknown as { __menu(a: unknown): void }).__menu({ type: 'run' }));
    await expect(page.getByTestId('run-summary')).toHaveAttribute('data-outcome', 'succeeded', { timeout: 30_000 });
    for (const m of expected.nodes) await expect(node(page, m.nodeId)).toHaveAttribute('data-status', m.status);
    // The run wrote beside the opened file, in its folder.
    expect(readFileSync(path.join(work, 'out', 'revenue_by_country.csv'), 'utf8').length).toBeGreaterThan(0);

    expect(docStates.at(-1)).toEqual({ dirty: false, title: orders.name });
    await page.evaluate(() => (window as unknown as { __menu(a: unknown): void }).__menu({ type: 'toggle-theme' }));
    await selectNode(page, 'report', { settle: false });
    await page.keyboard.press('Delete');
    await expect(node(page, 'report')).toHaveCount(0);
    await expect.poll(() => docStates.at(-1)).toEqual({ dirty: true, title: orders.name });
    // Undo from the menu, as Edit › Undo does: the document is as saved again.
    await page.evaluate(() => (window as unknown as { __menu(a: unknown): void }).__menu({ type: 'undo' }));
    await expect(node(page, 'report')).toHaveCount(1);
    await expect.poll(() => docStates.at(-1)).toEqual({ dirty: false, title: orders.name });

    // A config error the engine finds (its static schema check: `schemas` over IPC, each problem with its node and
    // field) shows next to its field exactly as in the browser (stories.spec.ts): the message, the badge, the marker.
    // (The data panel shows the run's tab after the run, so no preview is waited for.)
    await selectNode(page, 'not_cancelled', { settle: false });
    const field = page.getByTestId('config-form').locator('[data-field="expression"]');
    await replaceCode(page, 'expression', 'nope_col > 1');
    await expect(field.getByTestId('field-error')).toContainText('"nope_col" is not a column of the input (it has order_id');
    await expect(page.getByTestId('problem-badge-not_cancelled')).toHaveText('1');
    await expect(codeEditor(page, 'expression')).toHaveAttribute('data-markers', '1');
    expect([...called].sort()).toEqual(expect.arrayContaining(['catalog', 'preview', 'runStatus', 'samples', 'schemas', 'startRun', 'validate']));
    expect(problems).toEqual([]);
  } finally {
    svc.close();
    rmSync(work, { recursive: true, force: true });
  }
});
