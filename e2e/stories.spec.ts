// The designer's stories, end to end against the real engine: configure, preview, run, inspect the
// quarantine, save and open files, and edit the graph with undo. Expected numbers come from the sample's
// expected.json (which the engine's golden tests also check), not from constants here.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import {
  canonical,
  codeEditor,
  columnCells,
  dragHandle,
  expectedRun,
  handle,
  node,
  openDesigner,
  openSample,
  previewSettled,
  readSample,
  replaceCode,
  screenshot,
  selectNode,
  watchConsole,
  type PipelineDoc,
} from './support.js';

const ORDERS_FILE = 'orders.pipeline.json';
const orders = readSample(`orders/${ORDERS_FILE}`);
const expected = expectedRun('orders', ORDERS_FILE);
const metricsOf = (id: string) => {
  const m = expected.nodes.find((n) => n.nodeId === id);
  if (!m) throw new Error(`expected.json has no node ${id}`);
  return m;
};

async function openOrders(page: Page): Promise<string[]> {
  const problems = watchConsole(page);
  await openDesigner(page);
  await openSample(page, ORDERS_FILE, orders.name);
  return problems;
}

test.use({ colorScheme: 'light' });

test('configuring a filter through its form changes the preview', async ({ page }) => {
  const problems = await openOrders(page);
  await selectNode(page, 'not_cancelled');
  const before = metricsOf('not_cancelled');
  await expect(page.getByTestId('preview-summary')).toContainText(`${before.rowsOut} rows`);
  await expect(page.getByTestId('node-metrics').locator('[data-metric="filtered"]')).toHaveText(String(before.filtered));
  expect(await columnCells(page, 'status')).toContain('pending');

  // The expression is a Monaco editor (see monaco.spec.ts for completion and error markers).
  const expression = codeEditor(page, 'expression');
  await expect(expression.locator('.view-lines')).toContainText("status <> 'cancelled'");
  await replaceCode(page, 'expression', "status = 'shipped'");
  await expect(page.getByTestId('dirty-marker')).toBeVisible();
  // The preview follows the edit once it settles: only shipped rows are left.
  await expect.poll(async () => [...new Set(await columnCells(page, 'status'))]).toEqual(['shipped']);
  await previewSettled(page, 'not_cancelled');
  const shipped = await columnCells(page, 'status');
  await expect(page.getByTestId('preview-summary')).toContainText(`${shipped.length} rows`);
  await expect(page.getByTestId('node-metrics').locator('[data-metric="filtered"]')).toHaveText(String(before.rowsIn - shipped.length));

  // A plain form field: the reason is written into the node's config as typed.
  const reason = page.getByTestId('config-form').locator('[data-field="reason"] input');
  await reason.fill('only shipped orders count');
  await expect(reason).toHaveValue('only shipped orders count');
  await page.getByTestId('undo').click();
  await expect(reason).toHaveValue('cancelled orders are not revenue');
  await screenshot(page, 'config-form-light');
  await selectNode(page, 'checks');
  await page.getByTestId('theme-toggle').click();
  await screenshot(page, 'config-form-dark');
  expect(problems).toEqual([]);
});

test('every node of the orders sample previews with its schema and counts', async ({ page }) => {
  const problems = await openOrders(page);
  for (const n of orders.nodes) {
    await selectNode(page, n.id);
    const preview = page.getByTestId('preview');
    await expect(preview.getByTestId('preview-error')).toHaveCount(0);
    if (n.kind.startsWith('sink.')) {
      // A sink is never run by a preview (it would write its file); it shows what arrives at it.
      const feed = orders.edges.find((e) => e.to.node === n.id);
      if (feed?.from.port === 'quarantine') {
        // Named by label first, then its id in code style.
        await expect(preview).toContainText('receives the rows quarantined at');
        await expect(preview.locator(`[data-node-ref="${feed.from.node}"] code`)).toHaveText(feed.from.node);
      } else await expect(preview.getByTestId('preview-summary')).toContainText('arriving from');
      continue;
    }
    const m = metricsOf(n.id);
    await expect(page.getByTestId('preview-summary')).toContainText(`${m.rowsOut} rows`);
    await expect(preview.getByTestId('node-metrics').locator('[data-metric="quarantined"]')).toHaveText(String(m.quarantined));
    await expect(page.getByTestId('preview-schema').locator('li').first()).toBeVisible();
    // orders.csv is far below the preview's row limit, so nothing is cut and nothing may claim to be a sample.
    await expect(page.getByTestId('preview-sampled')).toHaveCount(0);
  }

  // Typed values: nulls are marked, numbers are right-aligned, the header names each column's type.
  await selectNode(page, 'typed');
  const grid = page.getByTestId('preview-grid');
  await expect(grid.locator('[role="columnheader"]', { hasText: 'quantity' })).toContainText('INTEGER');
  await expect(grid.locator('.grid__cell--null').first()).toHaveText('null');
  await expect(grid.locator('.grid__cell--null').first()).toHaveCSS('font-style', 'italic');
  const quantity = grid.locator('[role="row"][aria-rowindex="2"] [role="gridcell"]').nth(4);
  await expect(quantity).toHaveCSS('text-align', 'right');
  await screenshot(page, 'preview-light');
  await page.getByTestId('theme-toggle').click();
  await screenshot(page, 'preview-dark');
  expect(problems).toEqual([]);
});

test('a large preview is virtualized and says honestly how much it shows', async ({ page }) => {
  const problems = await openOrders(page);
  // A SQL node that multiplies the rows: 100 copies of each typed order.
  const doc: PipelineDoc = structuredClone(orders);
  doc.nodes.push({ id: 'many', kind: 'sql', label: 'Many rows', position: { x: 260, y: 320 }, config: { query: 'SELECT o.*, g.copy FROM in1 o, (SELECT unnest(generate_series(1, 100)) AS copy) g' } });
  doc.edges.push({ from: { node: 'typed', port: 'out' }, to: { node: 'many', port: 'in1' } });
  await page.getByTestId('file-input').setInputFiles({ name: 'many.pipeline.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) });
  await expect(node(page, 'many')).toBeVisible();
  await selectNode(page, 'many');
  const total = metricsOf('typed').rowsOut * 100;
  await expect(page.getByTestId('preview-summary')).toContainText(`first 200 of ${total.toLocaleString('en-US')} rows`);
  const grid = page.getByTestId('preview-grid');
  await expect(grid).toHaveAttribute('aria-rowcount', '201');
  const rendered = await grid.locator('.grid__body [role="row"]').count();
  expect(rendered, 'only the rows in view are in the DOM').toBeLessThan(60);
  await grid.evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(grid.locator('[role="row"][aria-rowindex="201"]')).toBeVisible();
  expect(problems).toEqual([]);
});

test('running the orders sample puts counts on edges, badges on nodes and a summary in the panel', async ({ page }) => {
  const problems = await openOrders(page);
  await page.getByTestId('run-button').click();
  const summary = page.getByTestId('run-summary');
  await expect(summary).toHaveAttribute('data-outcome', 'succeeded', { timeout: 30_000 });

  for (const m of expected.nodes) {
    const row = page.getByTestId(`run-row-${m.nodeId}`);
    await expect(row).toContainText(m.status);
    await expect(node(page, m.nodeId)).toHaveAttribute('data-status', m.status);
    const badge = page.getByTestId(`quarantine-badge-${m.nodeId}`);
    if (m.quarantined > 0) await expect(badge).toHaveText(`${m.quarantined} quarantined`);
    else await expect(badge).toHaveCount(0);
  }
  // Each edge carries the rows its source port sent: a data port's rowsOut, a quarantine port's quarantined.
  for (const e of orders.edges) {
    const m = metricsOf(e.from.node);
    const count = e.from.port === 'quarantine' ? m.quarantined : m.rowsOut;
    await expect(page.getByTestId(`edge-count-${e.from.node}.${e.from.port}->${e.to.node}.${e.to.port}`)).toHaveText(String(count));
  }
  await expect(page.getByTestId('run-row-not_cancelled')).toContainText('cancelled orders are not revenue');
  await screenshot(page, 'run-light');
  await page.getByTestId('theme-toggle').click();
  await screenshot(page, 'run-dark');
  await page.getByTestId('theme-toggle').click();

  // An edit afterwards marks the counts as history, not as the current truth; a new label does not.
  await selectNode(page, 'not_cancelled', { settle: false });
  await page.getByTestId('node-label').fill('Drop cancelled orders');
  await expect(page.getByTestId('run-row-not_cancelled')).toContainText('Drop cancelled orders');
  await expect(summary).not.toContainText('before your last edit');
  await page.getByTestId('config-form').locator('[data-field="reason"] input').fill('not revenue');
  await expect(summary).toContainText('before your last edit');
  await expect(node(page, 'not_cancelled')).toHaveClass(/is-stale/);
  expect(problems).toEqual([]);
});

test('the quarantine inspector finds the bad rows with their reasons and exports them', async ({ page }) => {
  const problems = await openOrders(page);

  // Before a run: the preview's quarantine.
  await selectNode(page, 'orders');
  await page.getByTestId('tab-quarantine').click();
  const q = page.getByTestId('quarantine');
  await expect(q).toHaveAttribute('data-mode', 'preview');
  const line12 = q.locator('[data-testid="quarantine-entry"][data-line="12"]');
  await expect(line12).toContainText('unterminated quoted field');
  await expect(line12.locator('.q-entry__raw')).toHaveText('1011,C007,2026-01-07,"US,1,20.00,shipped');
  await expect(q.getByTestId('rule-malformed')).toContainText('1');

  // After a run: the run's complete quarantine, with counts per rule from the engine.
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-summary')).toHaveAttribute('data-outcome', 'succeeded', { timeout: 30_000 });
  await selectNode(page, 'typed', { settle: false });
  await page.getByTestId('tab-quarantine').click();
  await expect(q).toHaveAttribute('data-mode', 'run');
  await expect(q.getByTestId('quarantine-entry')).toHaveCount(metricsOf('typed').quarantined);
  const line9 = q.locator('[data-testid="quarantine-entry"][data-line="9"]');
  await expect(line9).toContainText('is not a valid INTEGER');
  await expect(line9.locator('.q-value--hit')).toContainText('4.5');
  await expect(q.getByTestId('rule-type:unit_price')).toContainText('3');
  await q.getByTestId('rule-type:unit_price').click();
  await expect(q.getByTestId('quarantine-entry')).toHaveCount(3);
  await screenshot(page, 'quarantine-light');
  await page.getByTestId('theme-toggle').click();
  await screenshot(page, 'quarantine-dark');

  const [download] = await Promise.all([page.waitForEvent('download'), q.getByTestId('export-quarantine').click()]);
  expect(download.suggestedFilename()).toBe('typed-quarantine.csv');
  const csv = readFileSync(await download.path(), 'utf8');
  const lines = csv.trimEnd().split('\r\n');
  // One column per source column, then the rule, the reason and the line (issue 15: not one row_json column).
  expect(lines[0]).toMatch(/^order_id,.*,quantity,.*,rule,reason,line,lineage,raw$/);
  expect(lines).toHaveLength(metricsOf('typed').quarantined + 1);
  expect(csv).toMatch(/,type:quantity,[^\r\n]*is not a valid INTEGER[^\r\n]*,9,orders:orders\.csv:9,/);
  expect(problems).toEqual([]);
});

test('export writes the canonical file, and import opens a file picked or dropped', async ({ page }) => {
  const problems = await openOrders(page);
  const [first] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-pipeline').click()]);
  expect(first.suggestedFilename()).toBe(ORDERS_FILE);
  expect(readFileSync(await first.path(), 'utf8')).toBe(await canonical(orders));

  // An edit, then export: the file has the edit, in canonical form, and the document is clean again.
  await selectNode(page, 'typed', { settle: false });
  await page.getByTestId('node-label').fill('Typed orders');
  await expect(page.getByTestId('dirty-marker')).toBeVisible();
  const [second] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-pipeline').click()]);
  const edited = structuredClone(orders);
  const typed = edited.nodes.find((n) => n.id === 'typed');
  if (typed) typed.label = 'Typed orders';
  expect(readFileSync(await second.path(), 'utf8')).toBe(await canonical(edited));
  await expect(page.getByTestId('dirty-marker')).toHaveCount(0);

  // Import through the file picker: a pipeline with a mistake opens, with the mistake shown where it is.
  const broken: PipelineDoc = structuredClone(orders);
  broken.name = 'Broken orders';
  const filter = broken.nodes.find((n) => n.id === 'not_cancelled');
  if (filter) filter.config = { expression: '' };
  await page.getByTestId('file-input').setInputFiles({ name: 'broken.pipeline.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(broken)) });
  await expect(page.getByTestId('pipeline-name')).toHaveText('Broken orders');
  await expect(page.getByTestId('toast').filter({ hasText: 'with 1 problem' })).toBeVisible();
  await expect(page.getByTestId('problem-badge-not_cancelled')).toHaveText('1');

  // Not a pipeline at all: refused with the reason, and the open document stays.
  await page.getByTestId('file-input').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"version": 1, "name": ') });
  await expect(page.getByTestId('toast').filter({ hasText: 'Could not open notes.json' })).toContainText('not valid JSON');
  await expect(page.getByTestId('pipeline-name')).toHaveText('Broken orders');

  // Dropping a file on the window opens it too.
  const dropped = JSON.stringify({ ...orders, name: 'Dropped orders' });
  const transfer = await page.evaluateHandle((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'dropped.pipeline.json', { type: 'application/json' }));
    return dt;
  }, dropped);
  await page.dispatchEvent('.canvas', 'dragenter', { dataTransfer: transfer });
  await page.dispatchEvent('.canvas', 'drop', { dataTransfer: transfer });
  await expect(page.getByTestId('pipeline-name')).toHaveText('Dropped orders');
  expect(problems).toEqual([]);
});

test('a bad config shows a clear inline error and nothing breaks', async ({ page }) => {
  const problems = await openOrders(page);
  await selectNode(page, 'not_cancelled');
  const field = page.getByTestId('config-form').locator('[data-field="expression"]');
  await replaceCode(page, 'expression', '');
  await expect(field.getByTestId('field-error')).toHaveText('Must not be empty');
  await expect(codeEditor(page, 'expression')).toHaveClass(/code-input--invalid/);
  await expect(page.getByTestId('problem-badge-not_cancelled')).toHaveText('1');
  await expect(page.getByTestId('preview-error')).toContainText('cannot be previewed until the pipeline up to it is fixed');
  await screenshot(page, 'config-error-light');

  // A syntactically fine expression naming a missing column: found before anything runs (the static schema
  // check), said under the field with the columns the input has, on the node's badge, and marked in place.
  await replaceCode(page, 'expression', 'nope_col > 1');
  await expect(page.getByTestId('problem-badge-not_cancelled')).toHaveText('1');
  await expect(field.getByTestId('field-error')).toContainText('"nope_col" is not a column of the input (it has order_id');
  await expect(page.getByTestId('preview-error')).toContainText('cannot be previewed until the pipeline up to it is fixed');
  await expect(codeEditor(page, 'expression')).toHaveAttribute('data-markers', '1');

  // A rule without its id, in the validate node's rule list.
  await selectNode(page, 'checks', { settle: false });
  const ruleId = page.getByTestId('config-form').locator('[data-field="rules[1].id"]');
  await ruleId.locator('input').fill('');
  await expect(ruleId.getByTestId('field-error')).toHaveText('Must not be empty');
  await expect(page.getByTestId('problem-badge-checks')).toHaveText('1');

  // Running anyway names the problems instead of failing silently.
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-summary')).toHaveAttribute('data-outcome', 'not-run');
  await expect(page.getByTestId('run-summary')).toContainText('rules[1].id');
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('graph edits: delete, duplicate, connect with refusals, drag, and undo/redo of each', async ({ page }) => {
  const problems = await openOrders(page);
  const edges = page.locator('.react-flow__edge');
  await expect(edges).toHaveCount(orders.edges.length);

  // Delete a node with its two edges in one step; undo and redo it.
  await selectNode(page, 'amounts', { settle: false });
  await page.keyboard.press('Delete');
  await expect(node(page, 'amounts')).toHaveCount(0);
  await expect(edges).toHaveCount(orders.edges.length - 2);
  await page.keyboard.press('Control+z');
  await expect(node(page, 'amounts')).toBeVisible();
  await expect(edges).toHaveCount(orders.edges.length);
  await page.keyboard.press('Control+Shift+z');
  await expect(node(page, 'amounts')).toHaveCount(0);
  await page.getByTestId('undo').click();
  await expect(edges).toHaveCount(orders.edges.length);

  // A config edit is one undo step, however many keystrokes it took.
  await selectNode(page, 'typed', { settle: false });
  const label = page.getByTestId('node-label');
  await label.fill('');
  await label.pressSequentially('Cast');
  await expect(node(page, 'typed')).toContainText('Cast');
  await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
  await page.keyboard.press('Control+z');
  await expect(node(page, 'typed')).toContainText('Type columns');

  // Duplicate: a copy with a fresh id, unconnected.
  await selectNode(page, 'not_cancelled', { settle: false });
  await page.keyboard.press('Control+d');
  await expect(node(page, 'filter_1')).toBeVisible();
  await expect(edges).toHaveCount(orders.edges.length);

  // Connect the copy's free input; then a second edge into the same input is refused, with the reason.
  await dragHandle(page, handle(page, 'amounts', 'out', 'out'), handle(page, 'filter_1', 'in', 'in'));
  await expect(edges).toHaveCount(orders.edges.length + 1);
  await dragHandle(page, handle(page, 'typed', 'out', 'out'), handle(page, 'filter_1', 'in', 'in'));
  await expect(page.getByTestId('toast').filter({ hasText: 'Not connected' })).toContainText('already has a connection');
  await expect(edges).toHaveCount(orders.edges.length + 1);
  // A loop is refused too.
  await dragHandle(page, handle(page, 'filter_1', 'out', 'out'), handle(page, 'typed', 'in', 'in'));
  await expect(edges).toHaveCount(orders.edges.length + 1);

  // A drag is one undo step.
  const box = await node(page, 'report').boundingBox();
  if (!box) throw new Error('report node not visible');
  await page.mouse.move(box.x + box.width / 2, box.y + 14);
  await page.mouse.down();
  for (let i = 1; i <= 8; i++) await page.mouse.move(box.x + box.width / 2 + i * 10, box.y + 14 + i * 10);
  await page.mouse.up();
  const moved = await node(page, 'report').boundingBox();
  expect(moved && Math.round(moved.y - box.y)).toBeGreaterThan(40);
  await page.keyboard.press('Control+z');
  await expect.poll(async () => Math.round((await node(page, 'report').boundingBox())?.y ?? 0)).toBe(Math.round(box.y));
  await page.keyboard.press('Control+y');
  await expect.poll(async () => Math.round((await node(page, 'report').boundingBox())?.y ?? 0)).toBe(Math.round(moved?.y ?? 0));
  expect(problems).toEqual([]);
});
