// Incremental pipelines in the designer: the pipeline settings show the schedule's next run, and a pipeline with
// a "New files" source can be watched: a batch runs, its lag shows, and Stop ends the watch.
import { rmSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { openDesigner, openSample, ROOT, screenshot, watchConsole } from './support.js';

test.use({ colorScheme: 'light' });

test('the clickstream sample shows its next scheduled run, and watching it runs a batch and reports the lag', async ({ page }) => {
  // A fresh state: the watch reads the sample's three event files as one batch.
  rmSync(`${ROOT}samples/clickstream/.sluice`, { recursive: true, force: true });
  rmSync(`${ROOT}samples/clickstream/out`, { recursive: true, force: true });
  const problems = watchConsole(page);
  await openDesigner(page);
  await openSample(page, 'clickstream.pipeline.json', 'Clickstream: windowed summary');
  await expect(page.getByTestId('schedule-cron')).toHaveValue('*/15 * * * *');
  await expect(page.getByTestId('schedule-next')).toContainText('Next run');
  await page.getByTestId('watch-start').click();
  await expect(page.getByTestId('watch-status')).toContainText('1 batch;', { timeout: 30_000 });
  await expect(page.getByTestId('watch-status')).toContainText('succeeded');
  await expect(page.getByTestId('watch-status')).toContainText('Lag: no files waiting');
  await screenshot(page, 'incremental-watch');
  await page.getByTestId('watch-stop').click();
  await expect(page.getByTestId('watch-status')).toContainText('Stopped.', { timeout: 15_000 });
  // An invalid expression is named and does not replace the saved one.
  await page.getByTestId('schedule-cron').fill('every hour');
  await expect(page.getByRole('alert').filter({ hasText: 'not a cron expression' })).toBeVisible();
  expect(problems).toEqual([]);
});
