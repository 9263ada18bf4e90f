// Copy and paste of selected nodes (with the edges between them, under fresh ids), and deleting a multi-selection.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { node, openDesigner, openSample, readSample, screenshot, selectNode, watchConsole, type PipelineDoc } from './support.js';

test.use({ colorScheme: 'light' });

const orders = readSample('orders/orders.pipeline.json');

async function exported(page: Page): Promise<PipelineDoc> {
  await page.mouse.move(1, 1);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-pipeline').click()]);
  return JSON.parse(readFileSync(await download.path(), 'utf8')) as PipelineDoc;
}

test('copy and paste selected nodes with their internal edge; delete a multi-selection; undo each', async ({ page }) => {
  const problems = watchConsole(page);
  await openDesigner(page);
  await openSample(page, 'orders.pipeline.json', orders.name);

  await selectNode(page, 'amounts');
  await node(page, 'not_cancelled').locator('.sl-node__title').click({ modifiers: ['Control'] });
  await expect(node(page, 'amounts')).toHaveClass(/is-selected/);
  await expect(node(page, 'not_cancelled')).toHaveClass(/is-selected/);
  await page.keyboard.press('Control+c');
  await page.keyboard.press('Control+v');

  await expect(node(page, 'derive_1')).toBeVisible();
  await expect(node(page, 'filter_1')).toBeVisible();
  await expect(node(page, 'derive_1')).toHaveClass(/is-selected/);
  await expect(node(page, 'amounts')).not.toHaveClass(/is-selected/);
  await expect(page.getByTestId('rf__edge-derive_1.out->filter_1.in')).toHaveCount(1);
  await screenshot(page, 'paste-light');

  const doc = await exported(page);
  const byId = (id: string) => doc.nodes.find((n) => n.id === id);
  expect(byId('derive_1')?.config).toEqual(orders.nodes.find((n) => n.id === 'amounts')?.config);
  expect(byId('filter_1')?.config).toEqual(orders.nodes.find((n) => n.id === 'not_cancelled')?.config);
  const amounts = orders.nodes.find((n) => n.id === 'amounts');
  expect(byId('derive_1')?.position).toEqual({ x: (amounts?.position.x ?? 0) + 40, y: (amounts?.position.y ?? 0) + 40 });
  // Only the edge between the copied nodes came along, pointing at the copies.
  expect(doc.edges.filter((e) => e.from.node === 'derive_1' || e.to.node === 'derive_1' || e.from.node === 'filter_1' || e.to.node === 'filter_1')).toEqual([
    { from: { node: 'derive_1', port: 'out' }, to: { node: 'filter_1', port: 'in' } },
  ]);

  // A second paste lands further on, with new ids again.
  await page.keyboard.press('Control+v');
  await expect(node(page, 'derive_2')).toBeVisible();
  await expect(node(page, 'filter_2')).toBeVisible();

  // Delete removes the whole selection (the second copies) with their edges; one undo brings them back.
  await page.keyboard.press('Delete');
  await expect(node(page, 'derive_2')).toHaveCount(0);
  await expect(node(page, 'filter_2')).toHaveCount(0);
  await expect(node(page, 'derive_1')).toBeVisible();
  await page.keyboard.press('Control+z');
  await expect(node(page, 'derive_2')).toBeVisible();
  await expect(node(page, 'filter_2')).toBeVisible();
  // Undo of each paste, back to the sample as opened.
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+z');
  await expect(node(page, 'derive_1')).toHaveCount(0);
  await expect(page.getByTestId('undo')).toBeDisabled();

  // The clipboard outlives the document: paste into another pipeline (leaving this one, edited since its export).
  // The unsaved changes are asked about in the app (Save / Discard / Cancel), not with the browser's confirm().
  await page.getByTestId('open-menu').click();
  await page.getByTestId('sample-customers.pipeline.json').click();
  const ask = page.getByTestId('unsaved-dialog');
  await expect(ask.getByRole('alertdialog')).toContainText('Save the changes to');
  await expect(page.getByTestId('unsaved-save')).toBeFocused();
  // Cancel keeps the document; asking again and choosing Discard opens the other one.
  await page.keyboard.press('Escape');
  await expect(ask).toHaveCount(0);
  await expect(page.getByTestId('pipeline-name')).toHaveText(orders.name);
  await page.getByTestId('open-menu').click();
  await page.getByTestId('sample-customers.pipeline.json').click();
  await screenshot(page, 'unsaved-dialog-light');
  await page.getByTestId('unsaved-discard').click();
  await expect(page.getByTestId('pipeline-name')).toHaveText(readSample('customers/customers.pipeline.json').name);
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+v');
  // Only nodes in view are drawn (onlyRenderVisibleElements): fit the view to see both pasted nodes.
  await page.locator('.react-flow__controls-fitview').click();
  await expect(node(page, 'derive_1')).toBeVisible();
  await expect(node(page, 'filter_1')).toBeVisible();
  expect(problems).toEqual([]);
});
