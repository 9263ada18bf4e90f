// A run where one branch fails ends as partial; after the fix, Resume finishes it without redoing what held.
import { readFileSync, rmSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { openDesigner, openSample, replaceCode, ROOT, screenshot, selectNode, watchConsole, type PipelineDoc } from './support.js';

test.use({ colorScheme: 'light' });

const OUT_A = `${ROOT}samples/orders/out/resume-e2e-a.csv`;
const OUT_B = `${ROOT}samples/orders/out/resume-e2e-b.csv`;

const twoBranches: PipelineDoc = {
  version: 1,
  name: 'Two branches',
  nodes: [
    { id: 'orders', kind: 'source.csv', config: { path: 'orders.csv' }, position: { x: 0, y: 150 } },
    { id: 'all', kind: 'sink.csv', config: { path: 'out/resume-e2e-a.csv' }, position: { x: 320, y: 40 } },
    { id: 'big', kind: 'filter', label: 'Big orders', config: { expression: 'CAST(customer_id AS INTEGER) > 1' }, position: { x: 320, y: 260 } },
    { id: 'bigs', kind: 'sink.csv', config: { path: 'out/resume-e2e-b.csv' }, position: { x: 640, y: 260 } },
  ],
  edges: [
    { from: { node: 'orders', port: 'out' }, to: { node: 'all', port: 'in' } },
    { from: { node: 'orders', port: 'out' }, to: { node: 'big', port: 'in' } },
    { from: { node: 'big', port: 'out' }, to: { node: 'bigs', port: 'in' } },
  ],
};

test('a partial run shows what failed and resumes after the fix, skipping what already held', async ({ page }) => {
  rmSync(OUT_A, { force: true });
  rmSync(OUT_B, { force: true });
  const problems = watchConsole(page);
  await openDesigner(page);
  await openSample(page, 'orders.pipeline.json', 'Orders: validate and aggregate');
  await page.getByTestId('file-input').setInputFiles({ name: 'two.pipeline.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(twoBranches)) });
  await expect(page.getByTestId('pipeline-name')).toHaveText('Two branches');

  // Every output checkpointed: on these few rows the default policy would decide by milliseconds what to keep.
  await expect(page.getByTestId('run-checkpoint')).toHaveValue('auto');
  await page.getByTestId('run-checkpoint').selectOption('all');
  await expect(page.getByTestId('pipeline-inspector')).toContainText('A resume reruns the least');
  await screenshot(page, 'run-checkpoint-setting');
  await page.getByTestId('run-button').click();
  const summary = page.getByTestId('run-summary');
  await expect(summary).toHaveAttribute('data-outcome', 'partial', { timeout: 30_000 });
  await expect(summary).toContainText('some branches failed');
  await expect(summary.getByRole('alert')).toContainText('big');
  await expect(page.getByTestId('run-row-orders')).toContainText('checkpointed');
  const published = readFileSync(OUT_A, 'utf8');
  await screenshot(page, 'run-partial');

  // The fix, in the filter's expression; then Resume finishes the same run.
  await selectNode(page, 'big', { settle: false });
  await replaceCode(page, 'expression', 'TRUE');
  await page.getByTestId('run-resume').click();
  await expect(summary).toHaveAttribute('data-outcome', 'succeeded', { timeout: 30_000 });
  await expect(page.getByTestId('run-row-orders')).toContainText('from the earlier attempt');
  await expect(page.getByTestId('run-row-all')).toContainText('from the earlier attempt');
  await expect(page.getByTestId('run-row-big')).not.toContainText('from the earlier attempt');
  expect(readFileSync(OUT_A, 'utf8')).toBe(published);
  expect(readFileSync(OUT_B, 'utf8').split('\n').length).toBeGreaterThan(2);
  await screenshot(page, 'run-resumed');
  expect(problems).toEqual([]);
});
