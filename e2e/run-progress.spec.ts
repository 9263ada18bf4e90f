// A run shows its progress node by node and can be cancelled; a cancelled run says so and publishes nothing.
import { existsSync, rmSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { node, openDesigner, openSample, ROOT, screenshot, watchConsole, type PipelineDoc } from './support.js';

test.use({ colorScheme: 'light' });

/** Keeps DuckDB busy for minutes inside one node (a recursive CTE of a million steps). */
const SLOW_QUERY = 'WITH RECURSIVE t(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM t WHERE i < 1000000) SELECT in1.*, (SELECT max(i) FROM t) AS h FROM in1';
const SINK = `${ROOT}samples/orders/out/cancelled-e2e.csv`;

const slow: PipelineDoc = {
  version: 1,
  name: 'Slow orders',
  nodes: [
    { id: 'orders', kind: 'source.csv', config: { path: 'orders.csv' }, position: { x: 0, y: 100 } },
    { id: 'slow', kind: 'sql', label: 'Slow query', config: { query: SLOW_QUERY }, position: { x: 300, y: 100 } },
    { id: 'out', kind: 'sink.csv', config: { path: 'out/cancelled-e2e.csv' }, position: { x: 600, y: 100 } },
  ],
  edges: [
    { from: { node: 'orders', port: 'out' }, to: { node: 'slow', port: 'in1' } },
    { from: { node: 'slow', port: 'out' }, to: { node: 'out', port: 'in' } },
  ],
};

test('a run shows each node running, then its status, and Cancel stops it honestly', async ({ page }) => {
  rmSync(SINK, { force: true });
  const problems = watchConsole(page);
  await openDesigner(page);
  // The orders sample first, so the imported pipeline resolves its paths in the orders folder.
  await openSample(page, 'orders.pipeline.json', 'Orders: validate and aggregate');
  await page.getByTestId('file-input').setInputFiles({ name: 'slow.pipeline.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(slow)) });
  await expect(page.getByTestId('pipeline-name')).toHaveText('Slow orders');

  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-button')).toBeDisabled();
  // The source finishes and shows its counts while the slow node is still going.
  await expect(node(page, 'orders')).toHaveAttribute('data-status', /^(ok|warning)$/, { timeout: 20_000 });
  await expect(node(page, 'slow')).toHaveAttribute('data-status', 'running');
  await expect(page.getByTestId('node-run-slow')).toContainText('running…');
  await expect(page.getByTestId('node-run-orders')).toContainText('out');
  await expect(node(page, 'out')).not.toHaveAttribute('data-status', /./);
  await expect(page.getByTestId('run-progress-slow')).toHaveAttribute('data-state', 'running');
  await expect(page.getByTestId('run-progress-out')).toHaveAttribute('data-state', 'waiting');
  await expect(page.getByTestId('run-progress')).toHaveText('1 of 3 nodes finished');
  await screenshot(page, 'run-progress-light');

  await page.getByTestId('run-cancel').click();
  const summary = page.getByTestId('run-summary');
  await expect(summary).toHaveAttribute('data-outcome', 'cancelled', { timeout: 20_000 });
  await expect(summary).toContainText('Run cancelled');
  await expect(summary).toContainText('stopped because the run was cancelled; nothing of this node was published');
  // The message names the node as everywhere: its label, then its id in code style.
  await expect(summary.locator('.run-summary__errors [data-node-ref="slow"]').first()).toHaveText('Slow query slow');
  await expect(summary.locator('.run-summary__errors [data-node-ref="slow"] code').first()).toHaveText('slow');
  // Stopped by the cancel, not broken: it says cancelled, on the node and in the table.
  await expect(page.getByTestId('run-row-slow')).toHaveAttribute('data-status', 'cancelled');
  await expect(page.getByTestId('run-row-slow')).not.toContainText('failed');
  await expect(page.getByTestId('run-row-out')).toContainText('skipped');
  await expect(node(page, 'slow')).toHaveAttribute('data-status', 'cancelled');
  await expect(page.getByTestId('node-run-slow')).toHaveText('cancelled');
  await expect(node(page, 'out')).toHaveAttribute('data-status', 'skipped');
  await expect(page.getByTestId('run-cancel')).toHaveCount(0);
  await expect(page.getByTestId('run-button')).toBeEnabled();
  await expect(page.getByTestId('toast').filter({ hasText: 'Run cancelled' })).toBeVisible();
  expect(existsSync(SINK)).toBe(false);
  await screenshot(page, 'run-cancelled-light');
  expect(problems).toEqual([]);
});
