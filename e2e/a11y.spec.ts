// Accessibility: axe-core on every main view of the designer, in both themes, fails on any critical or serious
// violation. Views: the empty canvas, a pipeline with a node selected and its preview, the quarantine tab, the
// profile tab, the node menu with its port picker, the run summary, the Runs view, the shortcuts overlay and the
// open menu.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { openDesigner, openSample, screenshot, selectNode } from './support.js';

/** Critical and serious violations on the page, or only inside `within` (the part a step changed). */
async function seriousViolations(page: Page, within?: string): Promise<string[]> {
  // React Flow's attribution link is a third-party drawing with no text to read.
  let builder = new AxeBuilder({ page }).exclude('.react-flow__attribution');
  if (within) builder = builder.include(within);
  const result = await builder.analyze();
  return result.violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.length} × ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} (${n.failureSummary?.split('\n')[1]?.trim() ?? ''})`).join('; ')}`);
}

for (const theme of ['light', 'dark'] as const) {
  test.describe(`axe, ${theme} theme`, () => {
    test.use({ colorScheme: theme });
    // Nine axe passes (two over the whole page) take most of this test's time on a busy machine.
    test.setTimeout(240_000);

    test(`every main view has no critical or serious violation (${theme})`, async ({ page }) => {
      await openDesigner(page);
      await page.getByTestId('open-menu').click();
      await page.getByTestId('new-document').click();
      const found: Record<string, string[]> = {};
      found['empty canvas'] = await seriousViolations(page);

      await openSample(page, 'orders.pipeline.json', 'Orders: validate and aggregate');
      await selectNode(page, 'checks');
      found['node selected, preview'] = await seriousViolations(page);

      await page.getByTestId('tab-quarantine').click();
      await expect(page.getByTestId('quarantine-entry').first()).toBeVisible();
      // The rest of the window is as just checked: only the panel that changed is scanned again (axe over the
      // whole page takes many seconds on a busy machine).
      found['quarantine'] = await seriousViolations(page, '[data-testid="bottom-panel"]');

      // The sample ships with its tests (pinned data): the Tests tab lists them.
      await page.getByTestId('tab-tests').click();
      await expect(page.getByTestId('pin-checks')).toBeVisible();
      found['tests'] = await seriousViolations(page, '[data-testid="bottom-panel"]');

      await page.getByTestId('tab-profile').click();
      await expect(page.getByTestId('profile-summary')).toBeVisible({ timeout: 20_000 });
      found['profile'] = await seriousViolations(page, '[data-testid="bottom-panel"]');

      await page.locator('.react-flow__node[data-id="checks"]').focus();
      await page.keyboard.press('Shift+F10');
      await page.getByTestId('node-menu-connect').press('Enter');
      found['node menu, port picker'] = await seriousViolations(page, '[data-testid="node-menu"]');
      await page.keyboard.press('Escape');

      await page.getByTestId('run-button').click();
      await expect(page.getByTestId('run-summary')).toHaveAttribute('data-outcome', /succeeded|partial|failed/, { timeout: 30_000 });
      found['run summary'] = await seriousViolations(page, '[data-testid="bottom-panel"]');
      await screenshot(page, `a11y-run-${theme}`);

      await page.getByTestId('runs-open').click();
      await expect(page.getByTestId('runs-view')).toBeVisible();
      found['runs view'] = await seriousViolations(page, '[data-testid="runs-view"]');
      await screenshot(page, `a11y-runs-${theme}`);
      await page.getByTestId('runs-view').getByTestId('runs-close').click();

      await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('?');
      await expect(page.getByTestId('shortcuts-help')).toBeVisible();
      found['shortcuts'] = await seriousViolations(page, '[data-testid="shortcuts-help"]');
      await page.keyboard.press('Escape');

      await page.getByTestId('open-menu').click();
      found['open menu'] = await seriousViolations(page, '.topbar');
      await page.keyboard.press('Escape');

      expect(found).toEqual({ 'empty canvas': [], 'node selected, preview': [], quarantine: [], tests: [], profile: [], 'node menu, port picker': [], 'run summary': [], 'runs view': [], shortcuts: [], 'open menu': [] });
    });
  });
}
