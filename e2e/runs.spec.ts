// Run history in the designer: thirty runs of the orders sample over varying dirty data, listed with filters,
// charted per node and per rule, one opened, two compared.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from '@playwright/test';
import { openDesigner, ROOT, screenshot, watchConsole, workspace } from './support.js';

test.use({ colorScheme: 'light' });

const NAME = 'Orders over time';

/** Thirty days of orders: a varying volume with a varying share of bad quantities, missing customers and unknown statuses. */
function makeRuns(): void {
  const ws = workspace();
  const base = path.join(ws, 'orders-over-time');
  mkdirSync(base, { recursive: true });
  const p = JSON.parse(readFileSync(path.join(ROOT, 'samples', 'orders', 'orders.pipeline.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(path.join(base, 'orders.pipeline.json'), JSON.stringify({ ...p, name: NAME }));
  const script = `
    import * as fs from 'node:fs'; import * as path from 'node:path';
    const { runPipeline } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'engine/dist/runtime/run.js')).href)});
    const base = ${JSON.stringify(base)};
    const p = JSON.parse(fs.readFileSync(path.join(base, 'orders.pipeline.json'), 'utf8'));
    for (let day = 0; day < 30; day++) {
      const lines = ['order_id,customer_id,order_date,country,quantity,unit_price,status'];
      const n = 80 + Math.round(25 * Math.sin(day / 3)) + day;
      for (let i = 0; i < n; i++) {
        const bad = i < day % 6 ? 'qty' : i < day % 6 + (day * 7) % 4 ? 'cust' : i < day % 6 + (day * 7) % 4 + (day % 5 === 0 ? 3 : 0) ? 'status' : '';
        lines.push([10000 + i, bad === 'cust' ? '' : 'C' + (i % 40), '2026-01-' + String(1 + (i % 28)).padStart(2, '0'), ['DE', 'FR', 'NL', 'ES'][i % 4],
          bad === 'qty' ? 0 : 1 + (i % 5), (2 + i % 17) + '.50', bad === 'status' ? 'lost' : ['shipped', 'pending', 'cancelled'][i % 3]].join(','));
      }
      fs.writeFileSync(path.join(base, 'orders.csv'), lines.join('\\n') + '\\n');
      process.env.SLUICE_STARTED_BY = day % 2 ? 'designer' : 'cli';
      const m = await runPipeline({ pipeline: p, baseDir: base, historyDir: path.join(${JSON.stringify(ws)}, '.sluice', 'runs') });
      if (m.outcome !== 'succeeded') throw new Error(m.outcome + ': ' + m.errors.join('; '));
    }`;
  execFileSync(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, SLUICE_NO_SUPERVISOR: '1' } });
}

test('thirty runs are listed, filtered and charted; one is opened and two are compared', async ({ page }) => {
  test.setTimeout(240_000);
  makeRuns();
  const problems = watchConsole(page);
  await openDesigner(page);
  const opened = Date.now();
  await page.getByTestId('runs-open').click();
  const view = page.getByTestId('runs-view');
  await view.getByTestId('runs-filter-pipeline').selectOption(NAME);
  const rows = view.locator('[data-testid^="runs-row-"]');
  // The table is virtual: the count says how many runs matched; the DOM holds the rows in view.
  const count = view.getByTestId('runs-count');
  await expect(count).toHaveText('30 runs');
  await expect(rows.first()).toBeVisible();
  await expect(view.getByTestId('runs-trends')).toContainText('last 30 runs');
  console.log(`Runs view: 30 runs and their trends shown ${Date.now() - opened} ms after the click`);
  await expect(view.getByTestId('trend-rows').locator('canvas')).toBeVisible();
  await expect(view.getByTestId('trend-rules').locator('canvas')).toBeVisible();

  // Filters: who started it, and the outcome.
  await view.getByTestId('runs-filter-by').selectOption('designer');
  await expect(count).toHaveText('15 runs');
  await view.getByTestId('runs-filter-by').selectOption('');
  await view.getByTestId('runs-filter-outcome').selectOption('failed');
  await expect(view.getByText('No runs match these filters.')).toBeVisible();
  await view.getByTestId('runs-filter-outcome').selectOption('');
  await expect(count).toHaveText('30 runs');

  await screenshot(page, 'runs-list');
  // One run's record.
  await rows.nth(0).click();
  const detail = view.getByTestId('runs-detail');
  await expect(detail).toContainText('checks');
  await expect(detail).toContainText('started by designer');
  await screenshot(page, 'runs-view');

  // Two runs compared: day 29 (newest) against day 24, whose bad-quantity counts differ (5 vs 0).
  const ids = await rows.evaluateAll((els) => els.map((e) => (e.getAttribute('data-testid') ?? '').replace('runs-row-', '')));
  await view.getByTestId(`runs-pick-${ids[0]}`).check();
  await view.getByTestId(`runs-pick-${ids[5]}`).check();
  await view.getByTestId('runs-compare').click();
  const cmp = view.getByTestId('runs-compare-view');
  await expect(cmp.getByTestId('runs-compare-rule-quantity_positive')).toContainText('0 → 5 (+5)');
  await expect(cmp.getByTestId('runs-compare-node-orders')).toContainText('→');
  await screenshot(page, 'runs-compare');

  // The Open dialog tells each pipeline's health as `sluice status` does: a file in the folder whose history holds
  // these runs, declaring a daily cadence, is healthy (removed afterwards: other specs list the workspace).
  await view.getByTestId('runs-close').click();
  const fresh = path.join(workspace(), 'orders-fresh.pipeline.json');
  const p = JSON.parse(readFileSync(path.join(ROOT, 'samples', 'orders', 'orders.pipeline.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(fresh, JSON.stringify({ ...p, name: NAME, ops: { freshness: { cadence: '1d', owner: 'orders-team' } } }));
  try {
    await page.getByTestId('open-menu').click();
    await page.getByTestId('open-document').click();
    const health = page.getByTestId('workspace-file-orders-fresh.pipeline.json').getByTestId('file-health');
    await expect(health).toHaveText('healthy');
    await expect(health).toHaveAttribute('title', /last success .* ago \(max 36\.0h\) \(owner orders-team\)/);
    await screenshot(page, 'open-dialog-health');
    await page.keyboard.press('Escape');
  } finally {
    rmSync(fresh, { force: true });
  }
  expect(problems).toEqual([]);
});
