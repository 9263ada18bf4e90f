// Issue 15, part B: every number knows where it came from, and a run's progress is pushed while it goes.
// 1. A preview and a run remember the input files they read; when a file changes on disk (the document does not)
//    the preview is recomputed and the run's counts say "from the run at HH:MM, input X changed since".
// 2. A running node shows how far it is (rows so far, share done), pushed by the engine, not polled.
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { codeEditor, node, openDesigner, openSample, replaceCode, ROOT, screenshot, selectNode, watchConsole, type PipelineDoc } from './support.js';

const OUT = `${ROOT}samples/orders/out`;

for (const theme of ['light', 'dark'] as const) {
  test.describe(`${theme} theme`, () => {
    test.use({ colorScheme: theme });

    test(`a changed input file recomputes the preview and marks the run's counts stale (${theme})`, async ({ page }) => {
      test.setTimeout(150_000);
      const file = `${OUT}/live-inputs-${theme}.csv`;
      mkdirSync(OUT, { recursive: true });
      writeFileSync(file, 'id,amount\n1,10\n2,20\n3,30\n');
      const doc: PipelineDoc = {
        version: 1,
        name: `Live inputs ${theme}`,
        nodes: [
          { id: 'src', kind: 'source.csv', label: 'Amounts', config: { path: `out/live-inputs-${theme}.csv`, types: { amount: 'INTEGER' } }, position: { x: 0, y: 100 } },
          { id: 'big', kind: 'filter', label: 'Big ones', config: { expression: 'amount > 15' }, position: { x: 320, y: 100 } },
          { id: 'out', kind: 'sink.csv', label: 'Result', config: { path: `out/live-inputs-${theme}-result.csv` }, position: { x: 640, y: 100 } },
        ],
        edges: [
          { from: { node: 'src', port: 'out' }, to: { node: 'big', port: 'in' } },
          { from: { node: 'big', port: 'out' }, to: { node: 'out', port: 'in' } },
        ],
      };
      const problems = watchConsole(page);
      await openDesigner(page);
      await openSample(page, 'orders.pipeline.json', 'Orders: validate and aggregate');
      await page.getByTestId('file-input').setInputFiles({ name: 'live.pipeline.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) });
      await expect(page.getByTestId('pipeline-name')).toHaveText(doc.name);

      await page.getByTestId('run-button').click();
      await expect(page.getByTestId('run-summary')).toHaveAttribute('data-outcome', 'succeeded', { timeout: 30_000 });
      await expect(page.getByTestId('node-run-big')).toContainText('2');
      await expect(page.getByTestId('run-stale')).toHaveCount(0);
      await page.getByTestId('tab-preview').click();
      await selectNode(page, 'big', { settle: false });
      await expect(page.getByTestId('preview-summary')).toContainText('2 rows', { timeout: 30_000 });

      // The file changes on disk; nothing in the designer is touched.
      appendFileSync(file, '4,40\n');
      await expect(page.getByTestId('preview-summary')).toContainText('3 rows', { timeout: 30_000 });
      await screenshot(page, `live-preview-recomputed-${theme}`);
      await page.getByTestId('tab-run').click();
      await expect(page.getByTestId('run-stale')).toHaveText(new RegExp(`^from the run at .+, input live-inputs-${theme}\\.csv changed since$`), { timeout: 30_000 });
      await expect(page.getByTestId('node-run-big')).toHaveAttribute('data-stale', 'true');
      await expect(node(page, 'big')).toHaveClass(/is-stale/);
      await expect(page.getByTestId('stale-note-big')).toHaveText(/^at .+ · input changed$/);
      await screenshot(page, `live-input-changed-${theme}`);

      // Running again makes the counts current.
      await page.getByTestId('run-button').click();
      await expect(page.getByTestId('run-summary')).toHaveAttribute('data-outcome', 'succeeded', { timeout: 30_000 });
      await expect(page.getByTestId('run-stale')).toHaveCount(0);
      await expect(page.getByTestId('node-run-big')).toContainText('3');
      rmSync(file, { force: true });
      rmSync(`${OUT}/live-inputs-${theme}-result.csv`, { force: true });
      expect(problems).toEqual([]);
    });
  });
}

test.describe('live progress', () => {
  test.use({ colorScheme: 'dark' });

  test('a running node shows its rows so far, pushed by the engine, and the click answers at once', async ({ page }) => {
    test.setTimeout(180_000);
    const file = `${OUT}/live-progress.csv`;
    mkdirSync(OUT, { recursive: true });
    const lines = ['id,name'];
    for (let i = 0; i < 200_000; i++) lines.push(`${i},n${i}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    // Hashing a long string per row keeps DuckDB busy for seconds over a table, where it counts rows as it goes.
    const doc: PipelineDoc = {
      version: 1,
      name: 'Live progress',
      nodes: [
        { id: 'src', kind: 'source.csv', label: 'Rows', config: { path: 'out/live-progress.csv' }, position: { x: 0, y: 100 } },
        { id: 'slow', kind: 'sql', label: 'Hash them', config: { query: 'SELECT in1.*, md5(repeat(name, 1500)) AS h FROM in1' }, position: { x: 320, y: 100 } },
        { id: 'out', kind: 'sink.csv', label: 'Result', config: { path: 'out/live-progress-result.csv' }, position: { x: 640, y: 100 } },
      ],
      edges: [
        { from: { node: 'src', port: 'out' }, to: { node: 'slow', port: 'in1' } },
        { from: { node: 'slow', port: 'out' }, to: { node: 'out', port: 'in' } },
      ],
    };
    const problems = watchConsole(page);
    // Statuses arrive on the event stream; runStatus is not asked for while it works.
    let polled = 0;
    let streamed = 0;
    page.on('request', (r) => {
      if (r.url().endsWith('/api/runStatus')) polled++;
      if (r.url().endsWith('/api/stream/runStatus')) streamed++;
    });
    await openDesigner(page);
    await openSample(page, 'orders.pipeline.json', 'Orders: validate and aggregate');
    await page.getByTestId('file-input').setInputFiles({ name: 'progress.pipeline.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) });
    await expect(page.getByTestId('pipeline-name')).toHaveText(doc.name);
    // Let the designer settle (its validation warms a worker up, as it does while a user edits).
    await page.waitForTimeout(2_000);

    const clicked = Date.now();
    await page.getByTestId('run-button').click();
    await expect(node(page, 'src')).toHaveAttribute('data-status', /^(running|ok|warning)$/, { timeout: 20_000 });
    const firstNodeMs = Date.now() - clicked;
    console.log(`live progress: first node running ${firstNodeMs} ms after the click`);
    await expect(page.getByTestId('node-progress-slow')).toContainText(/running… [1-9][\d,]* rows in · \d+%/, { timeout: 60_000 });
    await expect(page.getByTestId('run-progress-rows-slow')).toContainText('rows in');
    await screenshot(page, 'live-progress-dark');
    await expect(page.getByTestId('run-summary')).toHaveAttribute('data-outcome', 'succeeded', { timeout: 120_000 });
    await expect(page.getByTestId('node-run-slow')).toContainText('200,000');
    expect(streamed).toBe(1);
    expect(polled).toBe(0);
    rmSync(file, { force: true });
    rmSync(`${OUT}/live-progress-result.csv`, { force: true });
    expect(problems).toEqual([]);
  });
});

for (const theme of ['light', 'dark'] as const) {
  test.describe(`preview grid, ${theme} theme`, () => {
    test.use({ colorScheme: theme });

    test(`a wide preview has a searchable column list and a frozen row-number column (${theme})`, async ({ page }) => {
      test.setTimeout(120_000);
      const file = `${OUT}/live-wide-${theme}.csv`;
      mkdirSync(OUT, { recursive: true });
      const names = Array.from({ length: 200 }, (_, i) => `col_${String(i).padStart(3, '0')}`);
      const rows = Array.from({ length: 20 }, (_, r) => names.map((_, c) => `r${r}c${c}`).join(','));
      writeFileSync(file, `${names.join(',')}\n${rows.join('\n')}\n`);
      const doc: PipelineDoc = {
        version: 1,
        name: `Wide ${theme}`,
        nodes: [
          { id: 'wide', kind: 'source.csv', label: 'Wide file', config: { path: `out/live-wide-${theme}.csv` }, position: { x: 0, y: 100 } },
          { id: 'out', kind: 'sink.csv', label: 'Result', config: { path: `out/live-wide-${theme}-result.csv` }, position: { x: 360, y: 100 } },
        ],
        edges: [{ from: { node: 'wide', port: 'out' }, to: { node: 'out', port: 'in' } }],
      };
      const problems = watchConsole(page);
      await openDesigner(page);
      await openSample(page, 'orders.pipeline.json', 'Orders: validate and aggregate');
      await page.getByTestId('file-input').setInputFiles({ name: 'wide.pipeline.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) });
      await expect(page.getByTestId('pipeline-name')).toHaveText(doc.name);
      await selectNode(page, 'wide', { settle: false });
      await expect(page.getByTestId('preview-summary')).toContainText('20 rows', { timeout: 30_000 });

      const grid = page.getByTestId('preview-grid');
      const search = page.getByTestId('column-search');
      await search.fill('col_187');
      await expect(page.getByTestId('preview-schema').locator('li')).toHaveCount(1);
      await search.press('Enter');
      // The column is scrolled into view, right of the row numbers, which stay where they were.
      const head = grid.locator('[data-column="col_187"]');
      await expect(head).toHaveClass(/is-marked/);
      await expect.poll(() => grid.evaluate((g) => g.scrollLeft)).toBeGreaterThan(1000);
      const gridBox = await grid.boundingBox();
      const numberBox = await grid.getByTestId('grid-row-number').first().boundingBox();
      const headBox = await head.boundingBox();
      expect(gridBox && numberBox && headBox).toBeTruthy();
      if (gridBox && numberBox && headBox) {
        expect(Math.abs(numberBox.x - gridBox.x)).toBeLessThan(2);
        expect(headBox.x).toBeGreaterThanOrEqual(numberBox.x + numberBox.width - 1);
        expect(headBox.x).toBeLessThan(gridBox.x + gridBox.width);
      }
      await screenshot(page, `live-grid-columns-${theme}`);

      // Hiding a column takes it out of the grid; the list says how many are hidden.
      await page.getByTestId('column-show-col_187').uncheck();
      await expect(grid.locator('[data-column="col_187"]')).toHaveCount(0);
      await expect(page.getByTestId('preview-schema')).toContainText('1 hidden');
      await search.fill('');
      await expect(page.getByTestId('preview-schema').locator('li')).toHaveCount(200);
      rmSync(file, { force: true });
      expect(problems).toEqual([]);
    });
  });
}

for (const theme of ['light', 'dark'] as const) {
  test.describe(`parameters, ${theme} theme`, () => {
    test.use({ colorScheme: theme });

    test(`\${param} completes in Monaco and in text fields from the Parameters panel (${theme})`, async ({ page }) => {
      test.setTimeout(120_000);
      const problems = watchConsole(page);
      await openDesigner(page);
      // The orders sample declares min_quantity (default 1) in its parameters.
      await openSample(page, 'orders.pipeline.json', 'Orders: validate and aggregate');
      await selectNode(page, 'not_cancelled', { settle: false });
      await replaceCode(page, 'expression', 'quantity >= ${');
      const suggest = page.locator('.suggest-widget.visible');
      await expect(suggest).toBeVisible();
      await expect(suggest.locator('.monaco-list-row').first()).toContainText('min_quantity');
      await expect(suggest.locator('.monaco-list-row').first()).toContainText('default 1');
      await screenshot(page, `live-param-monaco-${theme}`);
      await page.keyboard.press('Enter');
      await expect(codeEditor(page, 'expression').locator('.view-lines')).toContainText('quantity >= ${min_quantity}');

      // A plain text field: the path of a sink, typed up to `${`.
      await selectNode(page, 'report', { settle: false });
      const path = page.locator('[data-field="path"] input');
      await path.fill('out/${mi');
      await expect(path).toHaveAttribute('data-param-options', '1');
      const listId = await path.getAttribute('list');
      await expect(page.locator(`datalist[id="${listId ?? ''}"] option`)).toHaveAttribute('value', 'out/${min_quantity}');
      expect(problems).toEqual([]);
    });
  });
}
