// Auto-layout tidies a pipeline left to right in one undoable step; "?" lists every shortcut.
import { expect, test, type Page } from '@playwright/test';
import { node, openDesigner, openSample, readSample, screenshot, watchConsole } from './support.js';

test.use({ colorScheme: 'light' });

const orders = readSample('orders/orders.pipeline.json');

async function boxes(page: Page): Promise<Map<string, { x: number; y: number; width: number; height: number }>> {
  const out = new Map<string, { x: number; y: number; width: number; height: number }>();
  for (const n of orders.nodes) {
    const b = await node(page, n.id).boundingBox();
    if (!b) throw new Error(`node ${n.id} not visible`);
    out.set(n.id, b);
  }
  return out;
}

function overlaps(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

async function expectLaidOut(page: Page): Promise<void> {
  await expect(async () => {
    const b = await boxes(page);
    for (const e of orders.edges) {
      const from = b.get(e.from.node);
      const to = b.get(e.to.node);
      expect(to && from && to.x >= from.x + from.width).toBe(true);
    }
    const list = [...b.values()];
    for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) expect(overlaps(list[i]!, list[j]!)).toBe(false);
  }).toPass({ timeout: 10_000 });
}

test('auto-layout arranges a jumbled pipeline left to right, as one undo step', async ({ page }) => {
  const problems = watchConsole(page);
  await openDesigner(page);
  await openSample(page, 'orders.pipeline.json', orders.name);
  // Every node stacked at one point: unreadable until laid out.
  const jumbled = { ...orders, name: 'Jumbled orders', nodes: orders.nodes.map((n, i) => ({ ...n, position: { x: 10 * i, y: 10 * i } })) };
  await page.getByTestId('file-input').setInputFiles({ name: 'jumbled.pipeline.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(jumbled)) });
  await expect(page.getByTestId('pipeline-name')).toHaveText('Jumbled orders');
  await expect(page.getByTestId('undo')).toBeDisabled();

  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Shift+L');
  await expectLaidOut(page);
  await expect(page.getByTestId('dirty-marker')).toBeVisible();
  await screenshot(page, 'auto-layout-light');

  // One undo step puts every node back where it was.
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('undo')).toBeDisabled();
  await expect(page.getByTestId('dirty-marker')).toHaveCount(0);
  await page.keyboard.press('Control+Shift+z');
  await expectLaidOut(page);
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('undo')).toBeDisabled();

  // The toolbar button does the same.
  await page.getByTestId('auto-layout').click();
  await expectLaidOut(page);
  await expect(page.getByTestId('undo')).toBeEnabled();
  expect(problems).toEqual([]);
});

test('"?" and the toolbar button show every keyboard shortcut; Esc closes the overlay', async ({ page }) => {
  const problems = watchConsole(page);
  await openDesigner(page);
  await openSample(page, 'orders.pipeline.json', orders.name);
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('?');
  const help = page.getByTestId('shortcuts-help');
  await expect(help).toBeVisible();
  for (const action of [
    'Run the pipeline',
    'Save the pipeline file',
    'Save the pipeline under a new name',
    'Open a pipeline file',
    'Undo',
    'Redo',
    'Delete the selected nodes and edges',
    'Duplicate the selected nodes',
    'Auto-layout the graph, left to right',
    'Search the node palette',
    'Show these shortcuts',
  ]) {
    await expect(help).toContainText(action);
  }
  await screenshot(page, 'shortcuts-help-light');
  // Keys meant for the canvas do nothing while the overlay is open.
  await page.keyboard.press('Shift+L');
  await expect(page.getByTestId('undo')).toBeDisabled();
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);

  await page.getByTestId('shortcuts-button').click();
  await expect(help).toBeVisible();
  await page.getByTestId('shortcuts-close').click();
  await expect(help).toHaveCount(0);
  expect(problems).toEqual([]);
});
