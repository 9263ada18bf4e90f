// The README's picture, docs/screenshot.png, is taken here from the designer as built, so it cannot go stale:
// the orders sample after a run, its type-cast node selected, and the rows that node quarantined with their reasons.
// A changed designer shows up as a changed docs/screenshot.png in `git status`, to be committed with the change.
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { expectedRun, openDesigner, openSample, readSample, ROOT, selectNode, watchConsole } from './support.js';

const README_SCREENSHOT = path.join(ROOT, 'docs', 'screenshot.png');

test.use({ colorScheme: 'light', viewport: { width: 1440, height: 900 } });

// A picture, not a timing: on a loaded machine the run alone can take most of the default minute.
test.setTimeout(120_000);

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

  // The run's notice would cover the canvas: dismiss it as a user would (it may also time out on its own meanwhile).
  const toasts = page.getByTestId('toast');
  await expect(async () => {
    const dismiss = toasts.first().getByRole('button', { name: 'Dismiss' });
    if ((await dismiss.count()) > 0) await dismiss.click({ timeout: 1_000 });
    await expect(toasts).toHaveCount(0, { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  // Fit View leaves a small margin, not a share of the pane: the graph spans the canvas in the direction that
  // limits it (on the old 10 % padding the orders sample spanned 91 % of the width).
  const fill = await page.evaluate(() => {
    const pane = document.querySelector('.react-flow__pane')!.getBoundingClientRect();
    const boxes = Array.from(document.querySelectorAll('.react-flow__node'), (n) => n.getBoundingClientRect());
    const x0 = Math.min(...boxes.map((b) => b.left));
    const x1 = Math.max(...boxes.map((b) => b.right));
    const y0 = Math.min(...boxes.map((b) => b.top));
    const y1 = Math.max(...boxes.map((b) => b.bottom));
    return Math.max((x1 - x0) / pane.width, (y1 - y0) / pane.height);
  });
  test.info().annotations.push({ type: 'fill', description: `the graph spans ${(fill * 100).toFixed(1)} % of the canvas` });
  expect(fill).toBeGreaterThan(0.93);
  // The sample is laid out in two rows so its nodes are big enough to read; no node may sit under the zoom buttons
  // or the minimap in the pane's corners (a taller layout put the bottom row under the zoom buttons).
  const covered = await page.evaluate(() => {
    const corners = ['.react-flow__controls', '.react-flow__minimap'].map((s) => document.querySelector(s)!.getBoundingClientRect());
    return Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node'))
      .filter((n) => corners.some((c) => { const b = n.getBoundingClientRect(); return b.left < c.right && c.left < b.right && b.top < c.bottom && c.top < b.bottom; }))
      .map((n) => n.dataset['id']);
  });
  expect(covered).toEqual([]);
  await page.mouse.move(1, 1); // no hover style on whatever the pointer last touched
  await page.screenshot({ path: README_SCREENSHOT });
  expect(problems).toEqual([]);
});
