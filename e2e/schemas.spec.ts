// Static schemas in the designer, from an empty canvas: a CSV source read as text feeding sum(quantity) shows
// the type problem on the aggregate's badge and field before anything runs; its one-click fix makes the run
// succeed, and no DuckDB error text reaches the user. Screenshots of the edge's schema and the typed column
// picker are kept in both themes.
import { expect, test, type Page } from '@playwright/test';
import { dragHandle, handle, node, openDesigner, screenshot, watchConsole } from './support.js';

async function addNode(page: Page, kind: string, x: number, y: number): Promise<string> {
  const before = await page.locator('[data-testid^="canvas-node-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
  await page.getByTestId(`palette-item-${kind}`).dragTo(page.locator('.react-flow__pane'), { targetPosition: { x, y } });
  const added = page.locator('[data-testid^="canvas-node-"]');
  await expect.poll(async () => (await added.count()) > before.length).toBe(true);
  const after = await added.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid') ?? ''));
  const id = after.find((t) => !before.includes(t));
  if (!id) throw new Error(`no new ${kind} node`);
  return id.replace(/^canvas-node-/, '');
}

for (const theme of ['light', 'dark'] as const) {
  test.describe(`${theme} theme`, () => {
    test.use({ colorScheme: theme });

    test('a sum over a text column is flagged before any run, and the one-click fix makes it run', async ({ page }) => {
      const consoleProblems = watchConsole(page);
      await openDesigner(page);
      await page.getByTestId('open-menu').click();
      await page.getByTestId('new-document').click();
      await expect(page.locator('[data-testid^="canvas-node-"]')).toHaveCount(0);

      // A CSV source starts without a file and says so (not "failed").
      const src = await addNode(page, 'source.csv', 100, 120);
      await expect(page.getByTestId(`problem-badge-${src}`)).toBeVisible();
      await expect(page.locator('[data-field="path"] [data-testid="field-error"]')).toContainText(/needs a file/i);
      await page.locator('[data-field="path"] input').fill('orders.csv');
      await expect(page.getByTestId(`problem-badge-${src}`)).toHaveCount(0);

      const agg = await addNode(page, 'aggregate', 480, 240);
      await dragHandle(page, handle(page, src, 'out', 'out'), handle(page, agg, 'in', 'in'));
      await expect(page.locator('[data-testid^="edge-hover-"]')).toHaveCount(1);
      // Auto-layout (Shift L) puts the two nodes side by side, so the edge between them is clear to hover.
      await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
      await page.keyboard.press('Shift+L');
      await page.getByRole('button', { name: /fit view/i }).click().catch(() => undefined);
      await node(page, agg).locator('.sl-node__title').click();
      await page.getByLabel('Function of aggregate 1').selectOption('sum');
      // The column picker lists the source's columns with their types, known without running anything.
      const column = page.getByRole('combobox', { name: 'Column of aggregate 1' });
      await column.click();
      const list = page.getByRole('listbox', { name: /Columns for/ });
      await expect(list).toContainText('quantity');
      await expect(list.getByRole('option', { name: /quantity/ })).toContainText('VARCHAR');
      await column.fill('quan');
      await expect(list.getByRole('option')).toHaveCount(1);
      await page.screenshot({ path: `e2e/artifacts/schemas-column-picker-${theme}.png` });
      await list.getByRole('option', { name: /quantity/ }).click();
      await expect(column).toHaveValue('quantity');

      // Before any run: the aggregate's badge and the field both say what is wrong and how to fix it.
      await expect(page.getByTestId(`problem-badge-${agg}`)).toBeVisible();
      const fieldError = page.locator('[data-testid="field-error"]').filter({ hasText: 'quantity' });
      await expect(fieldError).toContainText(/"quantity" is text here, but sum needs numbers/);
      await expect(page.getByTestId('run-row-' + agg)).toHaveCount(0);

      // Hovering the edge shows the columns and types flowing along it.
      const mid = await page.locator('[data-testid^="edge-hover-"]').first().evaluate((el) => {
        const path = el as SVGPathElement;
        const p = path.getPointAtLength(path.getTotalLength() / 2);
        const m = path.getScreenCTM();
        if (!m) throw new Error('edge not on screen');
        return { x: p.x * m.a + p.y * m.c + m.e, y: p.x * m.b + p.y * m.d + m.f };
      });
      await page.mouse.move(mid.x, mid.y);
      await expect(page.getByTestId('edge-schema')).toContainText('quantity');
      await expect(page.getByTestId('edge-schema')).toContainText('VARCHAR');
      await page.screenshot({ path: `e2e/artifacts/schemas-edge-hover-${theme}.png` });

      // The one-click fix sets the column's type in the source; the problem goes, and the run succeeds. Only a
      // config changed: the engine is asked about the source (and the node below it), not the whole document.
      const asked: string[] = [];
      page.on('request', (r) => {
        const m = /\/api\/(schemas|schemasFor)$/.exec(new URL(r.url()).pathname);
        if (m?.[1]) asked.push(m[1]);
      });
      await fieldError.getByTestId('fix-button').click();
      await expect(page.getByTestId(`problem-badge-${agg}`)).toHaveCount(0);
      expect(asked).toContain('schemasFor');
      expect(asked).not.toContain('schemas');
      await page.getByTestId('run-button').click();
      await expect(page.getByTestId('run-summary')).toHaveAttribute('data-outcome', 'succeeded', { timeout: 30_000 });
      await expect(page.locator('body')).not.toContainText(/Binder Error|Candidate functions|sum\(VARCHAR\)/);
      await screenshot(page, `schemas-after-fix-${theme}`);
      expect(consoleProblems).toEqual([]);
    });
  });
}
