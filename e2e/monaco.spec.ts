// SQL and expression fields are Monaco editors: column completion from the upstream schema, errors marked where
// they are, the preview following the fix, and the designer's shortcuts kept out of the way while typing.
import { expect, test } from '@playwright/test';
import { codeEditor as editorIn, columnCells, node, openDesigner, openSample, replaceCode as replaceText, screenshot, selectNode, watchConsole } from './support.js';

// Each story waits for several previews; on a loaded machine that takes longer than the default minute.
test.describe.configure({ timeout: 120_000 });

for (const theme of ['light', 'dark'] as const) {
  test.describe(`${theme} theme`, () => {
    test.use({ colorScheme: theme });

    test('configure a filter through Monaco: completion, an error in place, the fix previewed', async ({ page }) => {
      const problems = watchConsole(page);
      await openDesigner(page);
      await openSample(page, 'orders.pipeline.json', 'Orders: validate and aggregate');
      await selectNode(page, 'not_cancelled');
      const editor = editorIn(page, 'expression');
      await expect(editor.locator('.monaco-editor')).toBeVisible();
      await expect(editor).toHaveAttribute('data-code-kind', 'sql-expression');
      await expect(editor.locator('.view-lines')).toContainText("status <> 'cancelled'");

      // Typing the start of a column name offers the columns arriving at the node, with their types.
      await replaceText(page, 'expression', 'quantity > 1 AND sta');
      const suggest = page.locator('.suggest-widget.visible');
      await expect(suggest).toBeVisible();
      await expect(suggest.locator('.monaco-list-row').first()).toContainText('status');
      await expect(suggest.locator('.monaco-list-row').first()).toContainText('VARCHAR');
      await screenshot(page, `monaco-completion-${theme}`);
      await page.keyboard.press('Escape');
      await expect(suggest).toBeHidden();

      // A bad expression is marked where the parser stopped, and said in words under the field.
      await replaceText(page, 'expression', 'quantity > > 1');
      await expect(editor).toHaveAttribute('data-markers', '1', { timeout: 15_000 });
      await expect(editor.locator('.squiggly-error')).toHaveCount(1);
      // The static check finds it before any preview, so it is one of the field's own problems.
      await expect(page.locator('[data-field="expression"] [role="alert"]')).toContainText('at character 12');
      await screenshot(page, `monaco-error-${theme}`);

      // The designer's keys do nothing while typing in the editor: "?" is text, Backspace deletes text.
      await page.keyboard.press('End');
      await page.keyboard.type('?');
      await expect(page.getByTestId('shortcuts-help')).toHaveCount(0);
      await page.keyboard.press('Backspace');
      await expect(node(page, 'not_cancelled')).toBeVisible();

      // Fixed: the marker goes and the preview shows the filtered rows.
      await replaceText(page, 'expression', 'quantity > 1');
      await expect(editor).toHaveAttribute('data-markers', '0', { timeout: 15_000 });
      await expect(editor.locator('.squiggly-error')).toHaveCount(0);
      await expect(page.getByTestId('preview')).toHaveAttribute('data-phase', 'ready', { timeout: 15_000 });
      await expect.poll(async () => (await columnCells(page, 'quantity')).length).toBeGreaterThan(0);
      const quantities = await columnCells(page, 'quantity');
      expect(quantities.every((q) => Number(q) > 1), quantities.join(',')).toBe(true);

      expect(problems, 'no console errors, warnings or CSP violations').toEqual([]);
    });
  });
}

test('a derive expression and a SQL node query are Monaco editors; the query completes its input tables', async ({ page }) => {
  const problems = watchConsole(page);
  await openDesigner(page);
  await openSample(page, 'orders.pipeline.json', 'Orders: validate and aggregate');
  // A derive node's expressions sit in list rows: each is its own editor, with the input's columns.
  await selectNode(page, 'amounts');
  const derived = editorIn(page, 'columns[0].expression');
  await expect(derived.locator('.view-lines')).toContainText('quantity * unit_price');
  await screenshot(page, 'monaco-derive-light');

  // A new SQL node (it lands in the middle of the view, so it comes after clicking the nodes there).
  await page.getByTestId('palette-search').fill('sql');
  await page.getByTestId('palette-item-sql').focus();
  await page.keyboard.press('Enter');
  const added = page.locator('.sl-node.is-selected');
  await expect(added).toHaveAttribute('data-kind', 'sql');
  const editor = editorIn(page, 'query');
  await expect(editor.locator('.monaco-editor')).toBeVisible();
  await expect(editor).toHaveAttribute('data-code-kind', 'sql-query');
  await replaceText(page, 'query', 'SELECT * FROM i');
  await expect(page.locator('.suggest-widget.visible .monaco-list-row').first()).toContainText('in1');
  await page.keyboard.press('Escape');
  await screenshot(page, 'monaco-sql-query-light');

  expect(problems).toEqual([]);
});
