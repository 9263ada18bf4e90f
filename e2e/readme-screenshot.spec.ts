// The README's picture, docs/screenshot.png, is taken here from the designer as built, so it cannot go stale:
// the orders sample after a run, its type-cast node selected, and the rows that node quarantined with their reasons.
// A changed designer shows up as a changed docs/screenshot.png in `git status`, to be committed with the change.
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { expectedRun, openDesigner, openSample, readSample, ROOT, selectNode, watchConsole } from './support.js';

const README_SCREENSHOT = path.join(ROOT, 'docs', 'screenshot.png');

test.use({ colorScheme: 'light', viewport: { width: 1440, height: 900 } });

test('the README screenshot: the orders sample after a run, with what its typed node quarantined', async ({ page }) => {
  const problems = watchConsole(page);
  const orders = readSample('orders/orders.pipeline.json');
  const typed = expectedRun('orders', 'orders.pipeline.json').nodes.find((n) => n.nodeId === 'typed');
  if (!typed) throw new Error('samples/orders/expected.json has no "typed" node');

  await openDesigner(page);
  await openSample(page, 'orders.pipeline.json', orders.name);
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-summary')).toHaveAttribute('data-outcome', 'succeeded', { timeout: 30_000 });
  await selectNode(page, 'typed', { settle: false });
  await page.getByTestId('tab-quarantine').click();
  const q = page.getByTestId('quarantine');
  await expect(q).toHaveAttribute('data-mode', 'run');
  await expect(q.getByTestId('quarantine-entry')).toHaveCount(typed.quarantined);

  // The run's notice would cover the canvas: dismiss it as a user would.
  const toasts = page.getByTestId('toast');
  for (let i = await toasts.count(); i > 0; i--) await toasts.first().getByRole('button', { name: 'Dismiss' }).click();
  await expect(toasts).toHaveCount(0);
  await page.mouse.move(1, 1); // no hover style on whatever the pointer last touched
  await page.screenshot({ path: README_SCREENSHOT });
  expect(problems).toEqual([]);
});
