// A CSV source with no declared types, from an empty canvas: its settings show the types sniffed from the file as
// "not in the file yet" while every column is still text (the port says VARCHAR); a type can be picked per column,
// Accept writes them into the source's config, the port then shows them, and the saved file holds them. The
// port's columns also show from the keyboard. Screenshots of the sniff and of the port hover in both themes.
// Then drift: a file that gains a column after the pipeline was saved marks the edge it flows along, and a run
// reports it per edge against the accepted schema.
import { rmSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { dragHandle, handle, openDesigner, screenshot, watchConsole, workspace } from './support.js';

async function addNode(page: Page, kind: string, x: number, y: number): Promise<string> {
  const before = await page.locator('[data-testid^="canvas-node-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
  await page.getByTestId(`palette-item-${kind}`).dragTo(page.locator('.react-flow__pane'), { targetPosition: { x, y } });
  const added = page.locator('[data-testid^="canvas-node-"]');
  await expect(added).toHaveCount(before.length + 1);
  const after = await added.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid') ?? ''));
  const id = after.find((t) => !before.includes(t));
  if (!id) throw new Error(`no new ${kind} node`);
  return id.replace(/^canvas-node-/, '');
}

for (const theme of ['light', 'dark'] as const) {
  test.describe(`${theme} theme`, () => {
    test.use({ colorScheme: theme });

    test('sniffed types are shown as not in the file, and Accept writes them into it', async ({ page }) => {
      const consoleProblems = watchConsole(page);
      const saved = `sniffed-${theme}.json`;
      try {
        await openDesigner(page);
        await page.getByTestId('open-menu').click();
        await page.getByTestId('new-document').click();
        await expect(page.locator('[data-testid^="canvas-node-"]')).toHaveCount(0);
        const src = await addNode(page, 'source.csv', 200, 200);

        // No file yet: nothing to sniff, and it says why.
        await expect(page.getByTestId('sniff-error')).toContainText(/needs a file/);
        await page.locator('[data-field="path"] input').fill('orders.csv');

        // The sample's types, marked as not in the file; the columns are still text.
        const panel = page.getByTestId('sniffed-types');
        await expect(panel).toHaveAttribute('data-state', 'sniffed');
        await expect(panel).toContainText('not in the file yet');
        await expect(panel).toContainText(/every column is\s+read as text/);
        await expect(page.getByTestId('sniff-type-order_id')).toHaveValue('BIGINT');
        // 4.5 is not a whole number: DECIMAL fits every value, and BIGINT is offered with the value it would refuse.
        await expect(page.getByTestId('sniff-type-quantity')).toHaveValue('DECIMAL(18,1)');
        await expect(panel.locator('[data-column="quantity"]')).toContainText('"4.5"');
        // abc, 0x10 and 1,250.00 are not decimals: the column stays text unless the user picks the decimal type.
        await expect(page.getByTestId('sniff-type-unit_price')).toHaveValue('VARCHAR');
        await expect(panel.locator('[data-column="unit_price"]')).toContainText(/3 of \d+ values are not DECIMAL\(18,2\) \("abc", "0x10", "1,250.00"\)/);
        // 2026-02-30 is no date: the column stays text, DATE is offered.
        await expect(page.getByTestId('sniff-type-order_date')).toHaveValue('VARCHAR');
        await expect(panel.locator('[data-column="order_date"]')).toContainText('"2026-02-30"');

        const out = page.getByTestId(`port-title-${src}-out-out`);
        await out.hover();
        await expect(page.getByTestId('port-schema')).toContainText('unit_price');
        await expect(page.getByTestId('port-schema').locator('tr').filter({ hasText: 'order_id' })).toContainText('VARCHAR');
        await page.screenshot({ path: `e2e/artifacts/sniff-before-accept-${theme}.png` });

        await page.getByTestId('sniff-type-unit_price').selectOption('DECIMAL(18,2)');
        await page.getByTestId('accept-sniffed-types').click();
        await expect(panel).toHaveAttribute('data-state', 'accepted');
        await expect(panel).toContainText('Column types are in the file (7 columns)');

        // The port now carries the accepted types, shown on hover and from the keyboard (the selected node's port
        // title takes focus).
        await out.hover();
        const schema = page.getByTestId('port-schema');
        await expect(schema.locator('tr').filter({ hasText: 'order_id' })).toContainText('BIGINT');
        await expect(schema.locator('tr').filter({ hasText: 'unit_price' })).toContainText('DECIMAL(18,2)');
        await expect(schema.locator('tr').filter({ hasText: 'order_date' })).toContainText('VARCHAR');
        await page.screenshot({ path: `e2e/artifacts/port-hover-${theme}.png` });
        await page.mouse.move(1, 1);
        await expect(page.getByTestId('port-schema')).toHaveCount(0);
        await out.focus();
        await expect(page.getByTestId('port-schema')).toContainText('DECIMAL(18,2)');
        await out.blur();

        // Saved, the file holds every column's type: runs and `sluice validate` no longer depend on a guess.
        await page.keyboard.press('Control+Shift+s');
        await page.getByTestId('save-name').fill(saved.replace(/\.json$/, ''));
        await page.getByTestId('save-confirm').click();
        await expect(page.getByTestId('document-file')).toHaveText(saved);
        const doc = JSON.parse(readFileSync(path.join(workspace(), saved), 'utf8')) as { nodes: { config: { types?: Record<string, string> } }[] };
        expect(doc.nodes[0]?.config.types).toEqual({
          order_id: 'BIGINT',
          customer_id: 'VARCHAR',
          order_date: 'VARCHAR',
          country: 'VARCHAR',
          quantity: 'DECIMAL(18,1)',
          unit_price: 'DECIMAL(18,2)',
          status: 'VARCHAR',
        });
        expect(consoleProblems).toEqual([]);
      } finally {
        rmSync(path.join(workspace(), saved), { force: true });
      }
    });
  });
}

test('an edge whose columns changed since the file was saved is marked, with what changed', async ({ page }) => {
  const consoleProblems = watchConsole(page);
  const data = path.join(workspace(), 'drift.csv');
  const saved = 'drift.json';
  writeFileSync(data, 'id,name\n1,a\n2,b\n');
  try {
    await openDesigner(page);
    await page.getByTestId('open-menu').click();
    await page.getByTestId('new-document').click();
    const src = await addNode(page, 'source.csv', 150, 150);
    await page.locator('[data-field="path"] input').fill('drift.csv');
    await expect(page.getByTestId('sniff-type-id')).toHaveValue('BIGINT');
    await page.getByTestId('accept-sniffed-types').click();
    const filter = await addNode(page, 'filter', 600, 150);
    await dragHandle(page, handle(page, src, 'out', 'out'), handle(page, filter, 'in', 'in'));
    // The checks have answered for this very document (the filter's input has the accepted types) before saving.
    await page.getByTestId(`port-title-${filter}-in-in`).hover();
    await expect(page.getByTestId('port-schema').locator('tr').filter({ hasText: 'id' })).toContainText('BIGINT');
    await page.keyboard.press('Control+Shift+s');
    await page.getByTestId('save-name').fill('drift');
    await page.getByTestId('save-confirm').click();
    await expect(page.getByTestId('document-file')).toHaveText(saved);
    await expect(page.locator('[data-testid^="edge-drift-"]')).toHaveCount(0);

    // The file gains a column; the next check (after any edit) shows it on the edge, and says what changed.
    writeFileSync(data, 'id,name,extra\n1,a,x\n');
    await page.getByTestId(`canvas-node-${src}`).locator('.sl-node__title').click();
    await page.getByTestId('node-label').fill('Customers');
    const marker = page.locator('[data-testid^="edge-drift-"]');
    await expect(marker).toHaveCount(1);
    await expect(marker).toHaveAttribute('title', /added extra \(VARCHAR\)/);
    // The source's settings offer the new column's type to accept, the rest being in the file already.
    await expect(page.getByTestId('sniffed-types')).toHaveAttribute('data-state', 'sniffed');
    await expect(page.getByTestId('sniffed-types').locator('tr')).toHaveCount(1);
    await expect(page.getByTestId('sniff-type-extra')).toHaveValue('VARCHAR');
    await expect(page.getByText('Not connected')).toHaveCount(0);
    await screenshot(page, 'schema-drift-light');

    // Run as it is: the run's report says, per edge, what differed from the accepted schema.
    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('run-summary')).toHaveAttribute('data-outcome', 'succeeded', { timeout: 30_000 });
    await expect(page.getByTestId('run-drift')).toContainText('added extra (VARCHAR)');
    await expect(page.getByTestId('run-drift')).toContainText('Customers');
    await screenshot(page, 'schema-drift-run-light');

    // Accepted and saved, the document's columns are the new reference: the mark goes.
    await page.getByTestId('accept-sniffed-types').click();
    await page.keyboard.press('Control+s');
    await expect(page.getByTestId('dirty-marker')).toHaveCount(0);
    await expect(marker).toHaveCount(0);
    expect(readFileSync(path.join(workspace(), saved), 'utf8')).toContain('"extra": "VARCHAR"');
    expect(consoleProblems).toEqual([]);
  } finally {
    rmSync(data, { force: true });
    rmSync(path.join(workspace(), saved), { force: true });
  }
});
