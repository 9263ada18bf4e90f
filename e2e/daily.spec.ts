// Daily work in the designer (issue 15): numbers that say which run they come from, wiring by drop, auto-connect
// and keyboard, menus that close, a 1,000-node pipeline that fits the view, and a palette that finds rule kinds.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { handle, node, openDesigner, openSample, readSample, replaceCode, ROOT, screenshot, selectNode, watchConsole, type PipelineDoc } from './support.js';

test.use({ colorScheme: 'light' });

const ORDER = ['orders', 'typed', 'checks', 'amounts', 'not_cancelled', 'by_country', 'report', 'rejects'];

async function center(page: Page, selector: string): Promise<{ x: number; y: number }> {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not visible`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

test('after an edit, run numbers say they are from the run before it; a new edge carries no count; ports connect from the keyboard', async ({ page }) => {
  const problems = watchConsole(page);
  await openDesigner(page);
  await openSample(page, 'orders.pipeline.json', 'Orders: validate and aggregate');
  await page.getByTestId('run-button').click();
  const summary = page.getByTestId('run-summary');
  await expect(summary).toHaveAttribute('data-outcome', 'succeeded', { timeout: 30_000 });
  // The Run tab lists nodes in the document's order, as it did while the run went.
  await expect(page.locator('[data-testid^="run-row-"]')).toHaveCount(ORDER.length);
  expect(await page.locator('[data-testid^="run-row-"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')?.replace('run-row-', '')))).toEqual(ORDER);
  await expect(page.getByTestId('stale-note-not_cancelled')).toHaveCount(0);

  await selectNode(page, 'not_cancelled', { settle: false });
  await replaceCode(page, 'expression', "status = 'shipped'");
  // The counts stay as history and say so, in words.
  await expect(page.getByTestId('stale-note-not_cancelled')).toContainText('before edit');
  await expect(page.getByTestId('node-run-not_cancelled')).toHaveAttribute('data-stale', 'true');
  await expect(page.getByTestId('node-run-not_cancelled')).toHaveAttribute('title', /from the run at .+, before your last edit/);
  await expect(page.getByTestId('edge-count-amounts.out->not_cancelled.in')).toHaveAttribute('data-stale', 'true');
  // The stale note sits beside the counts without squeezing them: the counts are shown whole, not cut to "…".
  const counts = page.getByTestId('node-run-not_cancelled').locator('.sl-node__run-text');
  await expect(counts).toHaveText(/^\d[\d,]* in · \d[\d,]* out/);
  expect(await counts.evaluate((el) => el.scrollWidth - el.clientWidth), 'the counts are not cut off').toBeLessThanOrEqual(0);
  await screenshot(page, 'daily-stale-note-light');
  await page.getByTestId('tab-run').click();
  await expect(page.getByTestId('run-stale')).toHaveText(/^from the run at .+, before your last edit$/);

  // A filter added from the palette (keyboard), then connected from the keyboard with the node's port picker.
  await page.getByTestId('palette-search').fill('filter');
  await page.getByTestId('palette-search').press('Enter');
  const added = page.locator('.react-flow__node.selected');
  const id = await added.getAttribute('data-id');
  expect(id).toMatch(/^filter_\d+$/);
  await added.focus();
  await page.keyboard.press('Shift+F10');
  await expect(page.getByTestId('node-menu')).toBeVisible();
  await expect(page.getByTestId('node-menu-connect')).toBeFocused();
  await page.keyboard.press('Enter');
  const option = page.getByTestId(`connect-amounts.out-${id}.in`);
  await expect(option).toBeVisible();
  await screenshot(page, 'daily-port-picker-light');
  await option.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('node-menu')).toHaveCount(0);
  await expect(page.getByTestId(`rf__edge-amounts.out->${id}.in`)).toHaveCount(1);
  // The new edge was not part of the run: it shows no count from it.
  await expect(page.getByTestId(`edge-count-amounts.out->${id}.in`)).toHaveCount(0);
  await expect(page.getByTestId('edge-count-amounts.out->not_cancelled.in')).toHaveCount(1);

  // Escape closes the node menu and gives focus back to the node.
  await page.keyboard.press('Shift+F10');
  await expect(page.getByTestId('node-menu')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('node-menu')).toHaveCount(0);
  await expect(added).toBeFocused();

  // The File menu closes on Escape and when Tab moves focus out of it.
  await page.getByTestId('open-menu').click();
  await expect(page.getByTestId('new-document')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('new-document')).toHaveCount(0);
  await expect(page.getByTestId('open-menu')).toBeFocused();
  await page.getByTestId('open-menu').click();
  await page.getByTestId('new-document').focus();
  for (let i = 0; i < 12 && (await page.getByTestId('new-document').count()) > 0; i++) await page.keyboard.press('Tab');
  await expect(page.getByTestId('new-document')).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('wiring: a first node stays where dropped, a new node follows the selected one, a drop on an edge inserts, handles are easy to hit', async ({ page }) => {
  const problems = watchConsole(page);
  await openDesigner(page);
  await page.getByTestId('open-menu').click();
  await page.getByTestId('new-document').click();
  await expect(page.getByTestId('canvas-empty')).toBeVisible();
  const pane = (await page.locator('.react-flow__pane').boundingBox())!;

  // Dropped near the top left: it lands there, and is not re-centred when it is measured.
  const drop = { x: 180, y: 140 };
  await page.getByTestId('palette-item-source.csv').dragTo(page.locator('.react-flow__pane'), { targetPosition: drop });
  const source = page.locator('.react-flow__node').first();
  await page.waitForTimeout(300);
  const box = (await source.boundingBox())!;
  expect(Math.abs(box.x + box.width / 2 - (pane.x + drop.x)), 'the first node stays where it was dropped').toBeLessThan(24);
  expect(Math.abs(box.y + box.height / 2 - (pane.y + drop.y))).toBeLessThan(60);

  // With the source selected, a filter added from the palette is connected to it.
  await page.getByTestId('palette-item-filter').click();
  await expect(page.locator('.react-flow__edge')).toHaveCount(1);
  await expect(page.getByTestId('rf__edge-source_csv_1.out->filter_1.in')).toHaveCount(1);

  // Move the filter well right of the source, then drop a Sort on the edge between them: it goes into it.
  const filterTitle = node(page, 'filter_1').locator('.sl-node__title');
  const ft = (await filterTitle.boundingBox())!;
  await page.mouse.move(ft.x + 10, ft.y + 5);
  await page.mouse.down();
  await page.mouse.move(pane.x + 700, box.y + 5, { steps: 8 });
  await page.mouse.up();
  const mid = await center(page, '[data-testid="rf__edge-source_csv_1.out->filter_1.in"] .react-flow__edge-path');
  await page.getByTestId('palette-item-sort').dragTo(page.locator('.react-flow__pane'), { targetPosition: { x: mid.x - pane.x, y: mid.y - pane.y } });
  await expect(page.getByTestId('rf__edge-source_csv_1.out->sort_1.in')).toHaveCount(1);
  await expect(page.getByTestId('rf__edge-sort_1.out->filter_1.in')).toHaveCount(1);
  await expect(page.locator('.react-flow__edge')).toHaveCount(2);

  // A sink dropped below; its input is reached by pressing 9 px beside the filter's output dot.
  await page.getByTestId('palette-item-sink.csv').dragTo(page.locator('.react-flow__pane'), { targetPosition: { x: 560, y: 380 } });
  const out = (await handle(page, 'filter_1', 'out', 'out').boundingBox())!;
  const into = (await handle(page, 'sink_csv_1', 'in', 'in').boundingBox())!;
  await page.mouse.move(out.x + out.width / 2 + 9, out.y + out.height / 2);
  await page.mouse.down();
  await page.mouse.move(into.x, into.y + 20, { steps: 6 });
  await page.mouse.move(into.x + into.width / 2 - 8, into.y + into.height / 2, { steps: 4 });
  await page.mouse.up();
  await expect(page.getByTestId('rf__edge-filter_1.out->sink_csv_1.in')).toHaveCount(1);
  await screenshot(page, 'daily-wiring-light');
  // The new CSV source has no file yet, so its previews are refused (422); nothing else may go wrong.
  expect(problems.filter((p) => !p.includes('status of 422'))).toEqual([]);
});

/** `chains` chains of `perChain` nodes, laid out in rows (50 × 20: 1,000 nodes, 950 edges). */
function manyNodes(chains = 50, perChain = 20) {
  const kinds: [string, Record<string, unknown>][] = [
    ['filter', { expression: 'true' }],
    ['sort', { by: [{ column: 'order_id' }] }],
    ['limit', { count: 10 }],
  ];
  const nodes = [];
  const edges = [];
  for (let c = 0; c < chains; c++) {
    for (let i = 0; i < perChain; i++) {
      const [kind, config] = i === 0 ? ['source.csv', { path: 'orders.csv' }] : i === perChain - 1 ? ['sink.csv', { path: `out/c${c}.csv` }] : (kinds[i % kinds.length] as [string, Record<string, unknown>]);
      nodes.push({ id: `c${c}_n${i}`, kind, config, position: { x: i * 280, y: c * 150 } });
      if (i > 0) edges.push({ from: { node: `c${c}_n${i - 1}`, port: 'out' }, to: { node: `c${c}_n${i}`, port: 'in' } });
    }
  }
  // Two groups: the overview draws their frames and titles, which say what is where in a big graph.
  const groups = [0, 25].map((c) => ({ id: `group_${c}`, title: `Chain ${c}`, nodes: Array.from({ length: perChain }, (_, i) => `c${c}_n${i}`) }));
  return { version: 1, name: 'Many nodes', nodes, edges, annotations: { notes: [], groups } };
}

test('a 1,000-node pipeline opens as an overview that shows it whole, and keeps only the nodes around the view in the page', async ({ page }) => {
  const problems = watchConsole(page);
  await openDesigner(page);
  await openSample(page, 'orders.pipeline.json', 'Orders: validate and aggregate');
  await page.getByTestId('file-input').setInputFiles({ name: 'big.pipeline.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(manyNodes())) });
  const t0 = Date.now();
  await expect(page.getByTestId('pipeline-name')).toHaveText('Many nodes');
  const overview = page.getByTestId('canvas-overview');
  await expect(overview).toHaveAttribute('data-nodes', '1000');
  test.info().annotations.push({ type: 'open', description: `${Date.now() - t0} ms to the overview drawn (not asserted: timings are for npm run bench)` });
  await expect(page.locator('.canvas')).toHaveClass(/is-far/);
  // Fit View shows the whole graph: every node the overview draws lies wholly inside the pane.
  await expect(overview).toHaveAttribute('data-inside', '1000');
  await expect(overview, 'the overview draws both groups').toHaveAttribute('data-groups', '2');
  await expect(page.getByTestId('group-group_0')).toBeHidden();
  // Zoomed out, no node is drawn as an element: React Flow would otherwise draw (and measure) all 1,000.
  expect(await page.locator('.react-flow__node').count()).toBe(0);
  await expect(page.getByTestId('canvas-minimap')).toBeVisible();
  await screenshot(page, 'daily-overview-light');
  await page.getByTestId('theme-toggle').click();
  await screenshot(page, 'daily-overview-dark');
  await page.getByTestId('theme-toggle').click();

  // The fit button brings the whole graph back after a pan.
  const pane = (await page.locator('.react-flow__pane').boundingBox())!;
  await page.mouse.move(pane.x + pane.width / 2, pane.y + pane.height / 2);
  await page.mouse.down();
  await page.mouse.move(pane.x + pane.width / 2 + 300, pane.y + pane.height / 2 + 200, { steps: 5 });
  await page.mouse.up();
  await expect(overview).not.toHaveAttribute('data-inside', '1000');
  await page.locator('.react-flow__controls-fitview').click();
  await expect(overview).toHaveAttribute('data-inside', '1000');

  // Zoomed in on the first node of the 11th chain (clear of the "Opened" toast), the overview gives way to real nodes, and only those around the view are in the page.
  const transform = (await page.locator('.react-flow__viewport').getAttribute('style')) ?? '';
  const [, tx, ty, zoom] = /translate\(([-\d.]+)px, ([-\d.]+)px\) scale\(([\d.]+)\)/.exec(transform)!.map(Number) as [number, number, number, number];
  await page.mouse.move(pane.x + tx + 40 * zoom, pane.y + ty + (10 * 150 + 20) * zoom);
  for (let i = 0; i < 10; i++) await page.mouse.wheel(0, -400);
  await expect(page.locator('.canvas')).not.toHaveClass(/is-far/);
  await expect(overview).toHaveCount(0);
  await expect(page.getByTestId('canvas-node-c10_n0')).toBeVisible();
  await expect.poll(async () => page.locator('.react-flow__node').count()).toBeLessThan(100);
  await screenshot(page, 'daily-big-zoomed-light');
  expect(problems).toEqual([]);
});

test('palette search finds nodes by rule kinds and everyday words', async ({ page }) => {
  await openDesigner(page);
  for (const [query, kinds] of [
    ['regex', ['validate']],
    ['lookup', ['validate', 'join']],
    ['unique', ['deduplicate']],
    ['email', ['validate']],
  ] as const) {
    await page.getByTestId('palette-search').fill(query);
    for (const k of kinds) await expect(page.getByTestId(`palette-item-${k}`), `"${query}" finds ${k}`).toBeVisible();
  }
});

test('a failure the preview runs into shows on the node, not only in the preview panel', async ({ page }) => {
  await openDesigner(page);
  await openSample(page, 'orders.pipeline.json', 'Orders: validate and aggregate');
  await selectNode(page, 'not_cancelled', { settle: false });
  await replaceCode(page, 'expression', 'no_such_column = 1');
  await expect(page.getByTestId('preview-error')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('problem-badge-not_cancelled')).toBeVisible();
  await expect(page.getByTestId('problem-badge-not_cancelled')).toHaveAttribute('title', /no_such_column/);
  await screenshot(page, 'daily-preview-failure-light');
});

test('parameters: the panel edits them, Run asks for values without a default and remembers them', async ({ page }) => {
  const problems = watchConsole(page);
  await openDesigner(page);
  await openSample(page, 'orders.pipeline.json', 'Orders: validate and aggregate');
  const param = page.getByTestId('param-min_quantity');
  await expect(param.getByLabel('Default of min_quantity')).toHaveValue('1');
  await expect(param.getByLabel('Description of min_quantity')).toHaveValue('Smallest valid quantity');
  await param.getByLabel('Type of min_quantity').selectOption('integer');
  await param.getByLabel('Default of min_quantity').fill('');
  await page.getByTestId('run-button').click();
  const ask = page.getByTestId('run-params');
  await expect(ask).toBeVisible();
  await page.getByTestId('run-param-min_quantity').fill('two');
  await expect(ask).toContainText('Expected a whole number');
  await expect(page.getByTestId('run-params-go')).toBeDisabled();
  await page.getByTestId('run-param-min_quantity').fill('2');
  await screenshot(page, 'daily-run-params-light');
  await page.getByTestId('run-params-go').click();
  await expect(page.getByTestId('run-summary')).toHaveAttribute('data-outcome', /succeeded|partial|failed/, { timeout: 30_000 });
  // The next run offers the value used last time.
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-param-min_quantity')).toHaveValue('2');
  await page.keyboard.press('Escape');
  await expect(ask).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('a node\'s menu runs up to it (nothing after it runs or is written) and resets its settings, undoably', async ({ page }) => {
  const problems = watchConsole(page);
  await openDesigner(page);
  await openSample(page, 'orders.pipeline.json', 'Orders: validate and aggregate');
  // Run up to "Order rules": it and what feeds it run; what follows it is neither run nor given counts.
  await node(page, 'checks').locator('.sl-node__title').click({ button: 'right' });
  await expect(page.getByTestId('node-menu')).toBeVisible();
  await page.getByTestId('node-menu-run-to').click();
  const summary = page.getByTestId('run-summary');
  await expect(summary).toHaveAttribute('data-outcome', 'succeeded', { timeout: 30_000 });
  expect(await page.locator('[data-testid^="run-row-"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')?.replace('run-row-', '')))).toEqual(['orders', 'typed', 'checks']);
  await expect(page.getByTestId('node-run-checks')).toContainText('13 in · 10 out');
  for (const after of ['amounts', 'rejects', 'report']) await expect(page.getByTestId(`node-run-${after}`)).toHaveCount(0);
  await expect(page.getByTestId('edge-count-checks.valid->amounts.in')).toHaveCount(0);
  // The summary says the run was partial and where it stopped: amounts, not_cancelled, by_country, report, rejects.
  await expect(summary.locator('strong').first()).toHaveText('Run up to Order rules: succeeded');
  await expect(page.getByTestId('run-up-to')).toContainText('Order rules and the nodes that feed it ran; 5 other nodes did not run');
  // So does the run's record (what `sluice inspect` and the Runs view read).
  const runId = (await summary.locator('.run-summary__id').innerText()).trim();
  expect(JSON.parse(readFileSync(`${ROOT}samples/orders/.sluice/runs/${runId}/manifest.json`, 'utf8')).upTo).toBe('checks');
  await screenshot(page, 'daily-run-to-here-light');

  // Reset "Drop cancelled": its expression goes back to the kind's default; undo brings it back.
  await selectNode(page, 'not_cancelled', { settle: false });
  const reason = page.getByTestId('config-form').locator('[data-field="reason"] input');
  await expect(reason).toHaveValue('cancelled orders are not revenue');
  await node(page, 'not_cancelled').locator('.sl-node__title').click({ button: 'right' });
  await page.getByTestId('node-menu-reset').click();
  await expect(reason).toHaveValue('');
  await page.getByTestId('undo').click();
  await expect(reason).toHaveValue('cancelled orders are not revenue');
  expect(problems).toEqual([]);
});

test('before a run, the quarantine\'s per-rule counts are exact totals, not counts of the rows shown, and export works', async ({ page }) => {
  const problems = watchConsole(page);
  await openDesigner(page);
  await openSample(page, 'orders.pipeline.json', 'Orders: validate and aggregate');
  // 100 copies of each typed order, judged by two rules: more rows fail than the preview shows.
  const doc: PipelineDoc = structuredClone(readSample('orders/orders.pipeline.json'));
  doc.name = 'Many rules';
  doc.nodes.push(
    { id: 'many', kind: 'sql', label: 'Many rows', position: { x: 520, y: 420 }, config: { query: 'SELECT o.*, g.copy FROM in1 o, (SELECT unnest(generate_series(1, 100)) AS copy) g' } },
    { id: 'judge', kind: 'validate', label: 'Judge', position: { x: 780, y: 420 }, config: { rules: [{ id: 'qty3', type: 'range', column: 'quantity', min: 3 }, { id: 'shipped', type: 'in_set', column: 'status', values: ['shipped'] }] } },
  );
  doc.edges.push({ from: { node: 'typed', port: 'out' }, to: { node: 'many', port: 'in1' } }, { from: { node: 'many', port: 'out' }, to: { node: 'judge', port: 'in' } });
  await page.getByTestId('file-input').setInputFiles({ name: 'many-rules.pipeline.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) });
  await expect(page.getByTestId('pipeline-name')).toHaveText('Many rules');
  await selectNode(page, 'judge');
  await page.getByTestId('tab-quarantine').click();
  const q = page.getByTestId('quarantine');
  await expect(q).toHaveAttribute('data-mode', 'preview');
  await expect(q.getByTestId('quarantine-entry').first()).toBeVisible();
  const counts = async () => ({
    all: await q.locator('.rule-list__item').first().locator('.rule-list__count').innerText(),
    qty3: await q.getByTestId('rule-qty3').locator('.rule-list__count').innerText(),
    shipped: await q.getByTestId('rule-shipped').locator('.rule-list__count').innerText(),
  });
  const before = await counts();
  const shown = await q.getByTestId('quarantine-entry').count();
  expect(Number(before.all.replace(/,/g, '')), 'more rows failed than the preview shows').toBeGreaterThan(shown);
  await expect(q.getByTestId('quarantine-rules-sample')).toHaveCount(0);
  await screenshot(page, 'daily-preview-rule-counts-light');
  // Export from the preview: one column per source column, then rule, reason and line.
  await expect(q.getByTestId('export-quarantine')).toBeEnabled();
  const [download] = await Promise.all([page.waitForEvent('download'), q.getByTestId('export-quarantine').click()]);
  const lines = readFileSync(await download.path(), 'utf8').trimEnd().split('\r\n');
  expect(lines[0]).toMatch(/^order_id,.*,quantity,.*,copy,rule,reason,line,/);
  expect(lines).toHaveLength(shown + 1);

  // The run judges every row: its counts are the preview's.
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-summary')).toHaveAttribute('data-outcome', /succeeded|partial/, { timeout: 60_000 });
  await selectNode(page, 'judge', { settle: false });
  await page.getByTestId('tab-quarantine').click();
  await expect(q).toHaveAttribute('data-mode', 'run');
  await expect.poll(counts, { timeout: 15_000 }).toEqual(before);
  await expect(q.getByTestId('quarantine-entry').first()).toBeVisible();
  expect(problems).toEqual([]);
});
