// Files in browser mode: open, save and save as inside the workspace `sluice serve --workspace` was started with,
// the unsaved marker, and the recovery draft offered after the designer closed with unsaved changes.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { canonical, node, openDesigner, readSample, screenshot, selectNode, watchConsole, workspace } from './support.js';

const orders = readSample('orders/orders.pipeline.json');
const WS_FILE = 'orders.pipeline.json';

async function openFromWorkspace(page: Page, file: string, theme: string): Promise<void> {
  await page.getByTestId('open-menu').click();
  await page.getByTestId('open-document').click();
  const dialog = page.getByTestId('open-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(workspace().split(path.sep).pop() ?? '');
  await screenshot(page, `open-dialog-${theme}`);
  await dialog.getByTestId(`workspace-file-${file}`).dblclick();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('document-file')).toHaveText(file);
}

test.describe('light theme', () => {
  test.use({ colorScheme: 'light' });

  test('open from the workspace, save, save as, with the unsaved marker following', async ({ page }) => {
    const problems = watchConsole(page);
    rmSync(path.join(workspace(), 'copy.json'), { force: true });
    await openDesigner(page);
    await openFromWorkspace(page, WS_FILE, 'light');
    await expect(page.getByTestId('pipeline-name')).toHaveText(orders.name);
    await expect(page.getByTestId('dirty-marker')).toHaveCount(0);
    await expect(page).toHaveTitle(`${orders.name} — Sluice`);
    // Relative paths resolve in the workspace: the source previews its copy of orders.csv.
    await selectNode(page, 'orders');
    await expect(page.getByTestId('preview')).toHaveAttribute('data-phase', 'ready');

    // An edit marks the document unsaved, in the top bar and the tab title; Ctrl+S writes it back and clears both.
    await selectNode(page, 'typed', { settle: false });
    await page.getByTestId('node-label').fill('Typed orders');
    await expect(page.getByTestId('dirty-marker')).toBeVisible();
    await expect(page).toHaveTitle(`● ${orders.name} — Sluice`);
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+s');
    await expect(page.getByTestId('dirty-marker')).toHaveCount(0);
    await expect(page).toHaveTitle(`${orders.name} — Sluice`);
    const edited = structuredClone(orders);
    const typed = edited.nodes.find((n) => n.id === 'typed');
    if (typed) typed.label = 'Typed orders';
    expect(readFileSync(path.join(workspace(), WS_FILE), 'utf8')).toBe(await canonical(edited));

    // Save as: a new name is written and becomes the document's file.
    await page.keyboard.press('Control+Shift+s');
    const dialog = page.getByTestId('save-dialog');
    await expect(dialog).toBeVisible();
    await expect(page.getByTestId('save-name')).toHaveValue(WS_FILE);
    await page.getByTestId('save-name').fill('../outside');
    await page.getByTestId('save-confirm').click();
    await expect(page.getByTestId('save-problem')).toContainText('".." is not allowed');
    await page.getByTestId('save-name').fill('copy');
    await expect(dialog).toContainText('Saved as copy.json');
    await screenshot(page, 'save-as-name-light');
    await page.getByTestId('save-confirm').click();
    await expect(dialog).toHaveCount(0);
    await expect(page.getByTestId('document-file')).toHaveText('copy.json');
    expect(readFileSync(path.join(workspace(), 'copy.json'), 'utf8')).toBe(await canonical(edited));

    // Save as onto an existing name asks before replacing it.
    await selectNode(page, 'typed', { settle: false });
    await page.getByTestId('node-label').fill('Typed');
    await expect(page.getByTestId('dirty-marker')).toBeVisible();
    await page.getByTestId('open-menu').click();
    await page.getByTestId('save-as').click();
    await page.getByTestId('save-name').fill(WS_FILE);
    await page.getByTestId('save-confirm').click();
    await expect(page.getByTestId('save-problem')).toContainText('already exists. Replace it?');
    await expect(page.getByTestId('save-confirm')).toHaveText('Replace');
    await screenshot(page, 'save-replace-light');
    await page.getByTestId('save-confirm').click();
    await expect(page.getByTestId('save-dialog')).toHaveCount(0);
    await expect(page.getByTestId('dirty-marker')).toHaveCount(0);
    expect(readFileSync(path.join(workspace(), WS_FILE), 'utf8')).toContain('"label": "Typed"');

    // Both files are offered by Open; opening copy.json brings back its own label.
    await page.getByTestId('open-menu').click();
    await page.getByTestId('open-document').click();
    await expect(page.getByTestId('open-dialog').locator('[role="option"]')).toHaveCount(2);
    await page.getByTestId('workspace-file-copy.json').click();
    await page.getByTestId('open-confirm').click();
    await expect(page.getByTestId('document-file')).toHaveText('copy.json');
    await expect(node(page, 'typed')).toContainText('Typed orders');
    // Recent files list the ones opened and saved here.
    await page.getByTestId('open-menu').click();
    await expect(page.getByTestId('recent-copy.json')).toBeVisible();
    await page.keyboard.press('Escape');

    // New starts an empty, clean document without a file.
    await page.getByTestId('open-menu').click();
    await page.getByTestId('new-document').click();
    await expect(page.getByTestId('pipeline-name')).toHaveText('Untitled pipeline');
    await expect(page.getByTestId('document-file')).toHaveCount(0);
    await expect(page.getByTestId('dirty-marker')).toHaveCount(0);

    // Restore the workspace copy for the other stories.
    rmSync(path.join(workspace(), 'copy.json'), { force: true });
    expect(existsSync(path.join(workspace(), 'copy.json'))).toBe(false);
    // The two refusals above (a path outside, a name taken) are the engine's 422 answers; nothing else.
    expect(problems).toEqual(Array(2).fill('error: Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)'));
  });
});

for (const theme of ['dark', 'light'] as const) test.describe(`${theme} theme`, () => {
  test.use({ colorScheme: theme });

  test('a draft left by a closed designer is offered back, restores the graph, and can be discarded', async ({ page, context }) => {
    const problems = watchConsole(page);
    await openDesigner(page);
    await openFromWorkspace(page, WS_FILE, theme);
    // The save dialog, for its look in this theme; cancelled with Escape.
    await page.keyboard.press('Control+Shift+s');
    await expect(page.getByTestId('save-dialog')).toBeVisible();
    await screenshot(page, `save-dialog-${theme}`);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('save-dialog')).toHaveCount(0);
    // Unsaved edits: a node added from the palette, and a renamed node.
    await page.getByTestId('palette-item-filter').focus();
    await page.keyboard.press('Enter');
    await expect(page.locator('.sl-node')).toHaveCount(orders.nodes.length + 1);
    await selectNode(page, 'typed', { settle: false });
    await page.getByTestId('node-label').fill('Recovered label');
    await expect(page.getByTestId('dirty-marker')).toBeVisible();
    await expect.poll(() => page.evaluate(() => localStorage.getItem('sluice.draft')?.includes('Recovered label') ?? false)).toBe(true);

    // The designer goes away without saving (no unload handler runs, as in a crash), and comes back.
    await page.close({ runBeforeUnload: false });
    const again = await context.newPage();
    const problemsAgain = watchConsole(again);
    await openDesigner(again);
    const prompt = again.getByTestId('recovery-prompt');
    await expect(prompt).toBeVisible();
    await expect(prompt).toContainText(orders.name);
    await expect(prompt).toContainText(WS_FILE);
    await screenshot(again, `recovery-prompt-${theme}`);
    await again.getByTestId('recovery-restore').click();
    await expect(prompt).toHaveCount(0);
    await expect(again.locator('.sl-node')).toHaveCount(orders.nodes.length + 1);
    await expect(node(again, 'typed')).toContainText('Recovered label');
    // Restored, but still unsaved against its file, which Save writes back to.
    await expect(again.getByTestId('document-file')).toHaveText(WS_FILE);
    await expect(again.getByTestId('dirty-marker')).toBeVisible();

    // Closed again with the draft; this time it is discarded and not offered a third time.
    await again.close({ runBeforeUnload: false });
    const third = await context.newPage();
    await openDesigner(third);
    await expect(third.getByTestId('recovery-prompt')).toBeVisible();
    await third.getByTestId('recovery-discard').click();
    await expect(third.getByTestId('recovery-prompt')).toHaveCount(0);
    await expect(third.getByTestId('dirty-marker')).toHaveCount(0);
    third.on('dialog', (d) => void d.accept());
    await third.reload();
    await expect(third.getByTestId('pipeline-name')).toBeVisible();
    await expect(third.getByTestId('recovery-prompt')).toHaveCount(0);
    // The workspace file itself was never written.
    expect(readFileSync(path.join(workspace(), WS_FILE), 'utf8')).not.toContain('Recovered label');
    expect([...problems, ...problemsAgain]).toEqual([]);
  });
});
