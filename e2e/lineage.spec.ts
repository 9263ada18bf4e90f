// Row lineage in the designer: run the orders sample, open a quarantined row's "Where did this come from?" with the
// keyboard, and see the exact line of orders.csv it was read from and the nodes it passed, in both themes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ROOT, openDesigner, openSample, screenshot, selectNode, watchConsole } from './support.js';

test.use({ colorScheme: 'light' });

test("a quarantined row's lineage names its line of the source file and the nodes it passed", async ({ page }) => {
  const problems = watchConsole(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await openDesigner(page);
  await openSample(page, 'orders.pipeline.json', 'Orders: validate and aggregate');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-summary')).toHaveAttribute('data-outcome', /succeeded|partial/, { timeout: 60_000 });
  await selectNode(page, 'checks', { settle: false });
  await page.getByTestId('tab-quarantine').click();
  const q = page.getByTestId('quarantine');
  await expect(q).toHaveAttribute('data-mode', 'run');

  const entry = q.getByTestId('quarantine-entry').nth(1);
  const line = Number(await entry.getAttribute('data-line'));
  expect(line).toBeGreaterThan(1);
  // Reached and opened with the keyboard, as any control is.
  const toggle = entry.getByTestId('trace-row');
  await toggle.focus();
  await page.keyboard.press('Enter');
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  const panel = entry.getByTestId('row-lineage');
  await expect(panel.getByTestId('row-lineage-where')).toHaveText(`orders.csv, line ${line}`);
  await expect(panel).toContainText('read by');
  // The line it names holds this row: the row's order id opens that line of the file the run read.
  const orderId = (await entry.locator('.q-value', { hasText: 'order_id' }).locator('.q-value__val').innerText()).trim();
  const csv = readFileSync(path.join(ROOT, 'samples', 'orders', 'orders.csv'), 'utf8').split('\n');
  expect(csv[line - 1]?.split(',')[0]).toBe(orderId);
  // The nodes it passed, by their labels, from the source to the node that quarantined it.
  const steps = panel.getByTestId('row-lineage-path').locator('li');
  await expect(steps).toHaveCount(3);
  await expect(steps.last()).toContainText('validate');
  await panel.scrollIntoViewIfNeeded();
  await screenshot(page, 'lineage-quarantine-light');

  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await panel.scrollIntoViewIfNeeded();
  await screenshot(page, 'lineage-quarantine-dark');

  // Escape closes it and gives the focus back to its button.
  await toggle.focus();
  await page.keyboard.press('Escape');
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(toggle).toBeFocused();
  expect(problems).toEqual([]);
});

test("a preview row's number tells, without a run, the line of the source file it came from and the nodes it passed", async ({ page }) => {
  const problems = watchConsole(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await openDesigner(page);
  await openSample(page, 'orders.pipeline.json', 'Orders: validate and aggregate');
  await selectNode(page, 'not_cancelled');
  const grid = page.getByTestId('preview-grid');
  const row = grid.locator('[role="row"][aria-rowindex="4"]');
  const orderId = (await row.locator('[role="gridcell"]').first().innerText()).trim();
  // Reached and opened with the keyboard: the row's number is a button.
  const button = row.getByTestId('preview-trace-row');
  await button.focus();
  await page.keyboard.press('Enter');
  await expect(button).toHaveAttribute('aria-pressed', 'true');
  const panel = page.getByTestId('preview-row-lineage');
  const where = (await panel.getByTestId('row-lineage-where').innerText()).trim();
  const m = /^orders\.csv, line (\d+)$/.exec(where);
  expect(m, where).not.toBeNull();
  // The line it names holds this row: the row's order id opens that line of the file.
  const csv = readFileSync(path.join(ROOT, 'samples', 'orders', 'orders.csv'), 'utf8').split('\n');
  expect(csv[Number(m?.[1]) - 1]?.split(',')[0]).toBe(orderId);
  await expect(panel).toContainText('read by orders.csv');
  // From the source to the previewed node, by label: orders, typed, checks, amounts, not_cancelled.
  const steps = panel.getByTestId('row-lineage-path').locator('li');
  await expect(steps).toHaveCount(5);
  await expect(steps.last()).toContainText('Drop cancelled');
  await screenshot(page, 'lineage-preview-light');
  // Escape closes it; the focus stays on the row's number.
  await page.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);
  await expect(button).toBeFocused();
  expect(problems).toEqual([]);
});
