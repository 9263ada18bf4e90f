// Issue 15 item 2: a preview of a row-wise chain reads its sources only up to a limit, so its counts describe a
// sample and say so ("in a sample:" before them, a "sampled" tag); a preview that read its whole input says nothing,
// and a run's counts (which read everything) are the whole input's.
import { mkdirSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { openDesigner, openSample, ROOT, screenshot, selectNode, watchConsole, type PipelineDoc } from './support.js';

const OUT = `${ROOT}samples/orders/out`;
const ROWS = 5_000; // above the preview's source limit for a 200-row preview (2,000 rows), so the source stops early

function doc(file: string, name: string): PipelineDoc {
  return {
    version: 1,
    name,
    nodes: [
      { id: 'src', kind: 'source.csv', label: 'Amounts', config: { path: `out/${file}`, types: { amount: 'INTEGER' } }, position: { x: 0, y: 100 } },
      { id: 'big', kind: 'filter', label: 'Big ones', config: { expression: 'amount > 15', reason: 'small amounts are not reported' }, position: { x: 320, y: 100 } },
      { id: 'out', kind: 'sink.csv', label: 'Result', config: { path: `out/${file.replace('.csv', '-result.csv')}` }, position: { x: 640, y: 100 } },
    ],
    edges: [
      { from: { node: 'src', port: 'out' }, to: { node: 'big', port: 'in' } },
      { from: { node: 'big', port: 'out' }, to: { node: 'out', port: 'in' } },
    ],
  };
}

test('counts a preview took from a sample say "in a sample:"; a whole-input preview and a run do not', async ({ page }) => {
  test.setTimeout(120_000);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(`${OUT}/sample-counts-big.csv`, `id,amount\n${Array.from({ length: ROWS }, (_, i) => `${i},${i % 30}`).join('\n')}\n`);
  writeFileSync(`${OUT}/sample-counts-small.csv`, 'id,amount\n1,10\n2,20\n3,30\n');
  const problems = watchConsole(page);
  await openDesigner(page);
  await openSample(page, 'orders.pipeline.json', 'Orders: validate and aggregate');

  const load = async (file: string, name: string) => {
    await page.getByTestId('file-input').setInputFiles({ name: `${name}.pipeline.json`, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc(file, name))) });
    await expect(page.getByTestId('pipeline-name')).toHaveText(name);
  };
  const strip = page.getByTestId('preview').getByTestId('node-metrics');

  // A small file is read whole: no marker.
  await load('sample-counts-small.csv', 'Whole input');
  await selectNode(page, 'big');
  await expect(strip.locator('[data-metric="in"]')).toHaveText('3');
  await expect(strip).not.toHaveAttribute('data-sampled', 'true');
  await expect(page.getByTestId('metrics-sample')).toHaveCount(0);
  await expect(page.getByTestId('preview-sampled')).toHaveCount(0);

  // 5,000 rows: the preview stops early and says its counts are of a sample, not the file.
  await load('sample-counts-big.csv', 'Sampled input');
  await selectNode(page, 'big');
  await expect(strip).toHaveAttribute('data-sampled', 'true');
  await expect(page.getByTestId('metrics-sample')).toHaveText('in a sample:');
  await expect(page.getByTestId('preview-sampled')).toBeVisible();
  const sampledIn = Number((await strip.locator('[data-metric="in"]').innerText()).replace(/,/g, ''));
  expect(sampledIn, 'the sample is part of the file').toBeLessThan(ROWS);
  await screenshot(page, 'sample-counts-light');

  // The run reads everything: its counts on the node are the whole file's.
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-summary')).toHaveAttribute('data-outcome', 'succeeded', { timeout: 60_000 });
  await expect(page.getByTestId('run-row-big')).toContainText('5,000');
  expect(problems).toEqual([]);
});
