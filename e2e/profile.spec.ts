// The Profile tab: a node's columns profiled over its whole output (type, nulls, distinct, min/max, top values,
// histogram), in the light and the dark theme.
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
  expect(problems, 'no console errors or warnings').toEqual([]);
});
