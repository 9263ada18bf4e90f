// The Profile tab: a node's columns profiled over its whole output (type, nulls, distinct, min/max, top values,
// histogram), in the light and the dark theme; then a run's quality score on its nodes and in the Run tab.
import { expect, test } from '@playwright/test';
import { openDesigner, openSample, screenshot, selectNode, watchConsole } from './support.js';

test.use({ colorScheme: 'light' });

test("the Profile tab profiles a node's whole output, in both themes", async ({ page }) => {
  const problems = watchConsole(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await openDesigner(page);
  await openSample(page, 'orders.pipeline.json', 'Orders: validate and aggregate');
  await selectNode(page, 'typed');
  const summary = await page.getByTestId('preview-summary').innerText();
  const total = /([\d,]+) rows?/.exec(summary)?.[1];
  expect(total, `the preview's row count in "${summary}"`).toBeTruthy();

  await page.getByTestId('tab-profile').click();
  const profile = page.getByTestId('profile');
  await expect(profile.getByTestId('profile-summary')).toContainText(`all ${total} rows of the output`);
  const quantity = profile.getByTestId('profile-col-quantity');
  await expect(quantity).toContainText('INTEGER');
  await expect(quantity.locator('canvas')).toBeVisible();
  // A text column shows its most frequent values instead of a histogram.
  const status = profile.getByTestId('profile-col-status');
  await expect(status).toContainText('shipped');
  await expect(status.locator('canvas')).toHaveCount(0);
  await expect(profile.getByTestId('profile-col-order_date')).toContainText('DATE');
  await screenshot(page, 'profile-light');

  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await screenshot(page, 'profile-dark');

  // Another node: the profile follows the selection.
  await selectNode(page, 'amounts', { settle: false });
  await expect(page.getByTestId('profile').getByTestId('profile-col-amount')).toBeVisible();

  // After a run, each node that judges rows shows its quality score, and the Run tab the run's.
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-summary')).toHaveAttribute('data-outcome', 'succeeded', { timeout: 60_000 });
  // typed refused 5 of the 18 records it took in; the run's score weighs orders, typed and checks by their rows.
  await expect(page.getByTestId('node-quality-typed')).toHaveText('Q 72.2');
  await expect(page.getByTestId('run-quality')).toHaveText('quality 80.8');
  await screenshot(page, 'quality-on-nodes');
  expect(problems, 'no console errors or warnings').toEqual([]);
});
